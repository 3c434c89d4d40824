"""End to end against Dovecot and Postfix on loopback: what lands in the mailboxes after a pass."""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import pytest
from sqlmodel import select

from mailbot.cli.demo import BOT, EMPLOYEE, OFFICER
from mailbot.core.questionnaire import QUESTIONS
from mailbot.mail.mailbox import ImapMailbox
from mailbot.model import db
from mailbot.model.models import Case, InboundMessage, Outbox
from mailbot.runtime.worker import ALONGSIDE_FROM, Watcher
from mailbot.testing.labserver import LabMailServer
from tests.conftest import eml
from tests.mailserver import (
    PO,
    PO_OFFICER,
    REPORTERS,
    SECOND_OFFICER,
    Bot,
    append_reports,
    body_text,
    close_bot,
    make_bot,
    message_id_of,
    parse,
    report,
    submit,
    two_mailboxes,
    until,
)


def cases(bot: Bot) -> list[Case]:
    with db.session(bot.svc.engine) as s:
        return list(s.exec(select(Case).order_by(Case.id)))  # type: ignore[arg-type]


def test_report_is_acknowledged_and_officers_notified(any_bot: Bot) -> None:
    """The story of the product: a report goes in, the reporter and both officers get their mail."""
    bot = any_bot
    raw = report(
        subject="Beveiligingsincident: lijst met cliënten gemaild",
        body="Ik heb een lijst met 25 cliënten naar de verkeerde afdeling gestuurd.",
        name="Jan de Vries",
    )
    submit(bot.lab, raw)
    result = bot.run_pass()
    assert result.kenmerken == [f"DL-{time.gmtime().tm_year}-0001"] or result.kenmerken[0].endswith("-0001")
    kenmerk = result.kenmerken[0]

    (ack_raw,) = bot.lab.wait_for(EMPLOYEE, 1)
    ack = parse(ack_raw)
    assert ack["Subject"] == f"[{kenmerk}] Ontvangstbevestiging: Beveiligingsincident: lijst met cliënten gemaild"
    assert ack["In-Reply-To"] == message_id_of(raw)
    assert message_id_of(raw) in ack["References"]
    assert ack["Auto-Submitted"] == "auto-replied" and ack["X-Auto-Response-Suppress"] == "All"
    assert BOT in ack["From"]
    text = body_text(ack)
    assert kenmerk in text and "Beste Jan de Vries" in text
    # What the report already says is shown as understood; only the rest is asked.
    assert "Wij hebben uit uw melding begrepen:" in text and "- Aantal personen: 25" in text
    asked = [q.field for q in QUESTIONS if q.nl in text]
    assert "affected_count" not in asked and {"cause", "reporter_contact"} <= set(asked)
    assert "naar de verkeerde afdeling" not in text  # the report is not echoed back

    for officer in (OFFICER, SECOND_OFFICER):
        (notice_raw,) = bot.lab.wait_for(officer, 1)
        notice = parse(notice_raw)
        assert notice["Subject"].startswith(f"[{kenmerk}] Nieuwe melding: ")
        assert notice["Auto-Submitted"] == "auto-generated"
        body = body_text(notice)
        assert "25 cliënten" in body and EMPLOYEE in body and "Deadline AP" in body

    (case,) = cases(bot)
    assert (case.kenmerk, case.status, case.phase, case.reporter_address) == (
        kenmerk,
        "ontvangen",
        "ontdekken",
        EMPLOYEE,
    )
    assert (case.ap_deadline_at - case.received_at).total_seconds() == 72 * 3600


def test_same_pass_twice_changes_nothing(any_bot: Bot) -> None:
    bot = any_bot
    submit(bot.lab, report())
    first = bot.run_pass()
    assert first.stored == 1 and first.sent == 3
    bot.lab.wait_for(OFFICER, 1)
    second = bot.run_pass()
    assert (second.stored, second.sent, second.dispositions) == (0, 0, {})
    with db.session(bot.svc.engine) as s:
        assert len(list(s.exec(select(Outbox)))) == 3
        assert len(list(s.exec(select(InboundMessage)))) == 1
    time.sleep(0.5)
    assert len(bot.lab.messages(EMPLOYEE)) == 1 and len(bot.lab.messages(OFFICER)) == 1
    assert len(cases(bot)) == 1


def test_reply_lands_on_its_case_with_or_without_kenmerk(any_bot: Bot) -> None:
    bot = any_bot
    submit(bot.lab, report())
    kenmerk = bot.run_pass().kenmerken[0]
    ack = parse(bot.lab.wait_for(EMPLOYEE, 1)[0])
    # A reply in the thread whose subject lost the kenmerk.
    submit(
        bot.lab,
        report(
            subject="Re: antwoord",
            body="1. Het ging om 25 mensen.",
            In_Reply_To=ack["Message-ID"],
            References=ack["Message-ID"],
        ),
    )
    # A new mail naming the kenmerk in its subject only.
    submit(bot.lab, report(subject=f"Aanvulling op {kenmerk}", body="Nog een detail."))
    result = bot.run_pass()
    assert result.dispositions == {"reply": 2} and result.kenmerken == []
    assert len(cases(bot)) == 1
    shown = json.loads(bot.cli("show", kenmerk, "--json").stdout)
    incoming = [m for m in shown["messages"] if m["direction"] == "in"]
    assert len(incoming) == 3
    time.sleep(0.5)
    assert len(bot.lab.messages(EMPLOYEE)) == 1  # replies are not acknowledged again (that is the next issue)


def test_new_report_from_same_person_opens_new_case(bot: Bot) -> None:
    submit(bot.lab, report(subject="beveiligingsincident 1"))
    submit(bot.lab, report(subject="beveiligingsincident 2"))
    assert len(bot.run_pass().kenmerken) == 2
    assert [c.seq for c in cases(bot)] == [1, 2]


def test_automatic_mail_gets_no_answer(bot: Bot) -> None:
    """Out-of-office replies, bounces and list mail are stored, not answered, open no case."""
    for name in ("auto_reply_ooo.eml", "bounce_dsn.eml", "list_mail.eml", "not_a_report.eml"):
        submit(bot.lab, eml(name), sender="sender@example.net")
    result = bot.run_pass()
    assert result.dispositions == {"ignored": 4} and result.sent == 0
    assert cases(bot) == []
    rows = json.loads(bot.cli("messages", "--json").stdout)
    assert [r["disposition"] for r in rows] == ["ignored"] * 4
    assert all(r["reason"] for r in rows)


def test_real_bounce_from_postfix_is_not_answered(bot: Bot) -> None:
    """A report from an address that does not exist: the acknowledgement bounces back to the bot,
    which stores the bounce and does not answer it."""
    submit(bot.lab, report(sender="niemand@example.org"), sender="niemand@example.org")
    bot.run_pass()
    bounces = bot.lab.wait_for(BOT, 2, timeout=20)
    assert len(bounces) == 2, "Postfix should have bounced the acknowledgement to the bot's mailbox"
    result = bot.run_pass()
    assert result.dispositions == {"ignored": 1} and result.sent == 0
    with db.session(bot.svc.engine) as s:
        bounce = s.exec(select(InboundMessage).where(InboundMessage.id == 2)).one()
    assert bounce.rule in ("empty-return-path", "auto-submitted", "bounce-sender", "delivery-report")


def test_unreadable_message_is_quarantined_and_the_next_one_handled(any_bot: Bot) -> None:
    bot = any_bot
    with bot.lab.imap(BOT) as c:
        c.append("INBOX", b"\r\n\r\n")
    submit(bot.lab, report())
    result = bot.run_pass()
    assert result.dispositions == {"quarantined": 1, "case": 1}
    rows = json.loads(bot.cli("messages", "--json").stdout)
    assert rows[0]["disposition"] == "quarantined" and "empty message" in rows[0]["reason"]
    notices = bot.lab.wait_for(OFFICER, 2)
    subjects = sorted(parse(n)["Subject"] for n in notices)
    assert subjects[0].startswith("Bericht in quarantaine") or subjects[1].startswith("Bericht in quarantaine")


def test_report_without_sender_still_opens_a_case(bot: Bot) -> None:
    with bot.lab.imap(BOT) as c:
        c.append("INBOX", eml("missing_from_msgid.eml"))
    result = bot.run_pass()
    assert result.dispositions == {"case": 1}
    notice = body_text(parse(bot.lab.wait_for(OFFICER, 1)[0]))
    assert "geen ontvangstbevestiging" in notice and "prikbord" in notice


def test_attachments_stored_with_hash_and_limit(clean_lab: object) -> None:
    from tests.mailserver import make_bot

    bot = make_bot(clean_lab, MAILBOT_MAX_ATTACHMENT_MB="0")  # type: ignore[arg-type]
    try:
        with bot.lab.imap(BOT) as c:
            c.append("INBOX", eml("apple_mail_report.eml"))
        kenmerk = bot.run_pass().kenmerken[0]
        shown = json.loads(bot.cli("show", kenmerk, "--json").stdout)
        (att,) = shown["attachments"]
        assert (att["name"], att["type"], att["size"], att["stored"]) == (
            "scan-brief.pdf",
            "application/pdf",
            45,
            False,
        )
        assert len(att["sha256"]) == 64 and "MAILBOT_MAX_ATTACHMENT_MB" in att["note"]
    finally:
        bot.worker.close()


def test_rate_limit_per_sender(bot: Bot) -> None:
    """At most MAILBOT_MAX_REPLIES_PER_HOUR acknowledgements to one sender; every report still gets a case."""
    for i in range(12):
        submit(bot.lab, report(subject=f"datalek {i}"), wait=False)
    bot.lab.wait_for(BOT, 12)
    result = bot.run_pass()
    assert len(result.kenmerken) == 12
    acks = bot.lab.wait_for(EMPLOYEE, 10)
    time.sleep(0.5)
    assert len(bot.lab.messages(EMPLOYEE)) == 10 == len(acks)
    notices = [body_text(parse(n)) for n in bot.lab.wait_for(OFFICER, 12)]
    assert sum("geen ontvangstbevestiging" in n for n in notices) == 2


def test_many_reporters_each_get_their_own_kenmerk(any_bot: Bot) -> None:
    bot = any_bot
    for r in REPORTERS[:20]:
        submit(bot.lab, report(sender=r), sender=r, wait=False)
    bot.lab.wait_for(BOT, 20)
    result = bot.run_pass()
    assert len(set(result.kenmerken)) == 20
    for r in REPORTERS[:20]:
        (ack,) = bot.lab.wait_for(r, 1)
        assert parse(ack)["To"] == r


def test_a_failing_scheduled_job_is_logged_and_stays_scheduled(bot: Bot, caplog: object) -> None:
    """schedule lets an exception escape and drops the job; the worker's wrapper must not."""
    calls = []

    def broken() -> None:
        calls.append(1)
        raise RuntimeError("database locked")

    bot.worker.scheduler.every(1).seconds.do(bot.worker._job("broken", broken))
    for _ in range(2):
        for job in bot.worker.scheduler.jobs:
            job.next_run = datetime(2000, 1, 1)  # due now
        bot.worker.scheduler.run_pending()
    assert len(calls) == 2 and len(bot.worker.scheduler.jobs) == 1
    assert "scheduled job broken failed" in caplog.text  # type: ignore[attr-defined]


# -- several mailboxes ----------------------------------------------------------------------------
@pytest.fixture
def two(clean_lab: LabMailServer) -> Iterator[Bot]:
    b = make_bot(clean_lab, **two_mailboxes(clean_lab), MAILBOT_POLL_SECONDS="300")
    yield b
    close_bot(b)


def _from(raw: bytes) -> str:
    return str(parse(raw)["From"].addresses[0].addr_spec)


def test_each_mailbox_answers_from_its_own_address(two: Bot) -> None:
    """A report to meldpunt@ and one to po@: each case remembers its mailbox, each reporter is
    answered from the address they wrote to, each mailbox's own officers are told."""
    lab = two.lab
    submit(lab, report(sender=EMPLOYEE, subject="beveiligingsincident laptop"))
    lab.send(report(sender=REPORTERS[0], subject="datalek personeelsdossier"), REPORTERS[0], [PO])
    assert len(lab.wait_for(PO, 1)) == 1
    result = two.run_pass()
    assert result.stored == 2 and result.dispositions == {"case": 2}, result.summary()

    by_reporter = {c.reporter_address: c for c in cases(two)}
    assert by_reporter[EMPLOYEE].mailbox == "meldpunt" and by_reporter[REPORTERS[0]].mailbox == "po"
    (ack,) = lab.wait_for(EMPLOYEE, 1)
    (po_ack,) = lab.wait_for(REPORTERS[0], 1)
    assert _from(ack) == BOT and _from(po_ack) == PO
    assert by_reporter[REPORTERS[0]].kenmerk in str(parse(po_ack)["Subject"])

    (po_notice,) = lab.wait_for(PO_OFFICER, 1)
    assert _from(po_notice) == PO and by_reporter[REPORTERS[0]].kenmerk in str(parse(po_notice)["Subject"])
    officer_mail = lab.wait_for(OFFICER, 1)
    assert [_from(m) for m in officer_mail] == [BOT], "meldpunt's officers hear only of meldpunt's cases"

    # The reporter's answer to po@ lands on the po case; the reply to it goes out from po@ again.
    answer = report(sender=REPORTERS[0], subject=f"Re: [{by_reporter[REPORTERS[0]].kenmerk}] Ontvangstbevestiging")
    lab.send(answer, REPORTERS[0], [PO])
    assert len(lab.wait_for(PO, 2)) == 2
    assert two.run_pass().dispositions == {"reply": 1}
    with db.session(two.svc.engine) as s:
        outgoing = list(
            s.exec(select(Outbox.mailbox, Outbox.sender).where(Outbox.case_id == by_reporter[REPORTERS[0]].id))
        )
    assert {mailbox for mailbox, _ in outgoing} == {"po"} and {sender for _, sender in outgoing} == {PO}


def test_a_mailbox_that_cannot_log_in_does_not_stop_the_others(clean_lab: LabMailServer) -> None:
    """po@'s password is wrong. `mailbot run` still answers meldpunt@'s reports within seconds,
    and the officers of po@ are told once, by mail from meldpunt@."""
    bot = make_bot(clean_lab, **two_mailboxes(clean_lab, po_password="verlopen"))
    try:
        worker = bot.start_worker()
        try:
            submit(clean_lab, report(sender=EMPLOYEE))
            started = time.monotonic()
            (ack,) = clean_lab.wait_for(EMPLOYEE, 1, timeout=15)
            assert time.monotonic() - started < 10
            assert _from(ack) == BOT
            (notice,) = clean_lab.wait_for(PO_OFFICER, 1, timeout=40)
        finally:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0
        log = (bot.data_dir / "worker.log").read_text()
        assert "intake: po: IMAP" in log and "login refused for MAILBOT_MAILBOX_PO_IMAP_USER='po@example.org'" in log
        msg = parse(notice)
        assert _from(notice) == BOT and msg["Subject"] == "Storing: IMAP van po@example.org"
        assert "MAILBOT_MAILBOX_PO_IMAP_..." in body_text(msg) and "mailbot status" in body_text(msg)
        assert len(clean_lab.messages(PO_OFFICER)) == 1
        assert "verlopen" not in log
    finally:
        close_bot(bot)


def test_every_mailbox_is_watched_with_idle(two: Bot) -> None:
    """Not only the first mailbox: a report to the second is answered within seconds although
    the poll is set to five minutes."""
    worker = two.start_worker()
    try:
        latencies = []
        for i in range(3):
            before = len(two.lab.messages(REPORTERS[i]))
            started = time.monotonic()
            two.lab.send(report(sender=REPORTERS[i], subject=f"datalek {i}"), REPORTERS[i], [PO])
            two.lab.wait_for(REPORTERS[i], before + 1, timeout=20)
            latencies.append(time.monotonic() - started)
        assert max(latencies) < 5, latencies
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0


def test_the_watcher_wakes_the_worker_for_mail_that_came_before_it_idled(bot: Bot) -> None:
    """IDLE announces only what arrives after it begins. A report that came after the worker's
    first fetch but before its watcher began to idle must still wake the worker at once, not
    wait for the safety poll (30 s); and mail arriving while it idles wakes it again."""
    with bot.lab.imap(BOT) as c:
        c.append("INBOX", report())
    wake = threading.Event()
    stopping = threading.Event()
    mailbox = next(iter(bot.worker.mailboxes.values()))
    watcher = Watcher(ImapMailbox(mailbox.settings, bot.svc.settings.ca_file), wake, stopping.is_set)
    watcher.start()
    try:
        assert wake.wait(10), "the report already waiting did not wake the worker"
        wake.clear()
        time.sleep(1)  # the watcher is idling now
        assert not wake.is_set(), "woken with nothing new"
        bot.lab.send(report(subject="beveiligingsincident 2"), EMPLOYEE, [BOT])
        assert wake.wait(10), "mail arriving during IDLE did not wake the worker"
    finally:
        stopping.set()
        watcher.join(10)
    assert not watcher.is_alive()


def test_a_watcher_that_cannot_idle_says_so_once_and_when_it_works_again(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    """The worker's own fetch may work while its watcher's connection does not (a server that
    limits connections per user, say): new mail then waits for the poll. That is said once, at
    warning level, naming the setting that decides how long; and again when IDLE works."""
    settings = next(iter(bot.worker.mailboxes.values())).settings
    refused = replace(settings, imap=replace(settings.imap, password="not-the-password"))
    wake, stopping = threading.Event(), threading.Event()
    watcher = Watcher(ImapMailbox(refused, bot.svc.settings.ca_file), wake, stopping.is_set)
    caplog.set_level(logging.INFO, logger="mailbot.runtime.worker")
    watcher.start()
    try:
        until(lambda: "with IDLE failed" in caplog.text, 15, "the failing watcher's warning")
        (warning,) = [r for r in caplog.records if "with IDLE failed" in r.getMessage()]
        assert warning.levelno == logging.WARNING and "MAILBOT_POLL_SECONDS" in warning.getMessage()
        watcher.mailbox = ImapMailbox(settings, bot.svc.settings.ca_file)  # the server lets it in again
        watcher.mailbox.writable = False
        assert wake.wait(15), "the watcher did not come back"
        wake.clear()
        bot.lab.send(report(), EMPLOYEE, [BOT])
        assert wake.wait(10), "mail arriving during IDLE did not wake the worker"
        until(lambda: "with IDLE works again" in caplog.text, 10, "the watcher saying it works again")
        assert len([r for r in caplog.records if "with IDLE failed" in r.getMessage()]) == 1
    finally:
        stopping.set()
        watcher.join(10)
    assert not watcher.is_alive()


def test_a_backlog_is_handled_batch_by_batch_as_it_is_stored(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Intake stores FETCH_BATCH messages a transaction, and dispatch handles each batch before
    the next is fetched: the first reporters of a backlog are answered before the rest of it is
    even stored. Every report is still handled once."""
    from mailbot.pipeline import dispatch, intake

    n = 2 * intake.FETCH_BATCH + 20
    append_reports(bot.lab, n)
    stored_then: list[int] = []
    real = dispatch.process_pending

    def spy(svc: object, now: datetime) -> dispatch.DispatchResult:
        with db.session(bot.svc.engine) as s:
            stored_then.append(len(list(s.exec(select(InboundMessage.id)))))
        return real(bot.svc, now)

    monkeypatch.setattr(dispatch, "process_pending", spy)
    result = bot.run_pass()
    assert stored_then[:3] == [intake.FETCH_BATCH, 2 * intake.FETCH_BATCH, n]
    assert len(result.kenmerken) == len(set(result.kenmerken)) == n and result.dispositions == {"case": n}
    assert result.sent == 3 * n  # an acknowledgement and two officers' notices each


def test_a_backlog_is_answered_while_it_is_being_handled_and_nothing_twice(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    """From ALONGSIDE_FROM waiting reports on, mail goes out while dispatch still works through
    the rest (worker.SendAlongside); every reporter and officer still gets each mail once.
    A hundred reports: enough dispatch work for the sender to get going on a loaded machine."""
    n = 100
    assert n >= ALONGSIDE_FROM
    append_reports(bot.lab, n)
    caplog.set_level(logging.INFO, logger="mailbot")
    result = bot.run_pass()
    assert len(result.kenmerken) == n and not result.errors
    lines = [r.getMessage() for r in caplog.records]
    first_sent = next(i for i, line in enumerate(lines) if line.startswith("outbox: sent"))
    handled = [r.name == "mailbot.pipeline.dispatch" and r.getMessage().startswith("message #") for r in caplog.records]
    last_handled = max(i for i, yes in enumerate(handled) if yes)
    assert first_sent < last_handled, "nothing was sent before dispatch was done"
    for reporter in REPORTERS[:n]:
        assert len(bot.lab.wait_for(reporter, 1)) == 1
    assert len(bot.lab.wait_for(OFFICER, n)) == n and len(bot.lab.wait_for(SECOND_OFFICER, n)) == n
    time.sleep(1)  # anything sent twice would be here by now
    assert len(bot.lab.messages(OFFICER)) == n and all(len(bot.lab.messages(r)) == 1 for r in REPORTERS[:n])
    with db.session(bot.svc.engine) as s:
        assert set(s.exec(select(Outbox.status))) == {"sent"}
