"""The overview with its charts to the officers, every month or quarter (``MAILBOT_OVERVIEW``).

Sent on the first working day of the period (Monday to Friday, Dutch public holidays excepted:
core/workdays.py) from the digest's time of day (``MAILBOT_DIGEST_TIME``, 08:00 when the digest
is off), or at the first check after that when the worker was not running then (up to a week
later). It covers the
twelve whole months before the period began, and the cases open at that moment. Recorded under
one key per period (``SentNotice``) in the transaction that queues it: exactly once, restarts
included.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from mailbot.core.wording import MONTHS
from mailbot.core.workdays import first_working_day, months_before, period_start
from mailbot.jobs.alerts import claim
from mailbot.model import cases, db
from mailbot.model.services import Services
from mailbot.pipeline.commands.register import make_overview
from mailbot.pipeline.notify import notify_officers
from mailbot.register.export import Selection

log = logging.getLogger(__name__)

MONTHS_COVERED = 12
# A worker that was down on the first working day sends the overview when it is back, up to a
# week late; after that the period's overview is left out (a bot first started in the middle of
# a month does not send one at once), and an officer can still ask for it with "Overzicht".
CATCH_UP = timedelta(days=7)


def months_text(since: date, until: date, language: str) -> str:
    """``december 2025 tot en met november 2026``."""
    names = MONTHS[language if language in MONTHS else "en"]
    first, last = f"{names[since.month - 1]} {since.year}", f"{names[until.month - 1]} {until.year}"
    return f"{first} tot en met {last}" if language == "nl" else f"{first} to {last}"


def send_if_due(svc: Services, now: datetime) -> bool:
    """Queue this period's overview to every mailbox's officers if it is due and not yet sent."""
    settings = svc.settings
    if settings.overview == "off":
        return False
    tz = settings.timezone
    local = now.astimezone(tz)
    start = period_start(local.date(), settings.overview)
    hour, minute = (int(x) for x in (settings.digest_time or "08:00").split(":"))
    due = datetime.combine(first_working_day(start), time(hour, minute), tz)
    if not due <= local < due + CATCH_UP:
        return False
    key = f"overview:{settings.overview}:{start.isoformat()}"
    with db.session(svc.engine) as s:
        if not claim(s, key, "overview", now):
            return False
        since, until = months_before(start, MONTHS_COVERED), start - timedelta(days=1)
        for mb in settings.mailboxes:
            selection = Selection(since=since, until=until, mailboxes=(mb.name,))
            count, charts, lines = make_overview(svc, selection, now, settings.language)
            desk = mb.address if len(settings.mailboxes) > 1 else ""
            notify_officers(
                svc, s, mb, "officer_overview", now, files=charts, every=settings.overview, desk=desk,
                period=months_text(since, until, settings.language), count=count, lines=lines,
            )  # fmt: skip
            cases.add_event(s, now, "overview_sent", None, mailbox=mb.name, period=f"{since} {until}", cases=count)
        s.commit()
    log.info("overviews: the %s overview of %s to %s sent to the officers", settings.overview, since, until)
    return True
