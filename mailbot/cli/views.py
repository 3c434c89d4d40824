"""What the command line shows: cases and messages as plain dicts (for --json) and text.

Read through model.reading (the database's own driver, no ORM), so that ``list``, ``show`` and
``messages`` answer at once with a hundred thousand cases. Stored times stay as stored until a
row is shown with its dates: the text of ``list`` needs the deadline of open cases only.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from mailbot.core import wording
from mailbot.core.deadlines import time_left
from mailbot.core.severity import assess
from mailbot.model.reading import Reader, when
from mailbot.model.states import MessageStatus


def iso(value: Any, tz: ZoneInfo) -> str | None:
    """A stored time (text on SQLite, a timestamp on PostgreSQL) in local time, ISO 8601."""
    moment = when(value)
    return moment.astimezone(tz).isoformat() if moment else None


def case_summary(case: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    return {
        "kenmerk": case["kenmerk"],
        "status": case["status"],
        "phase": case["phase"],
        "reporter": case["reporter_address"],
        "reporter_name": case["reporter_name"],
        "subject": case["subject"],
        "received_at": iso(case["received_at"], tz),
        "ap_deadline_at": iso(case["ap_deadline_at"], tz),
    }


# The columns of list, by position: a hundred thousand rows are read as tuples.
KENMERK, STATUS, PHASE, REPORTER, REPORTER_NAME, SUBJECT, RECEIVED, DEADLINE, DECISION, RUNNING = range(10)
_LISTED = (
    "SELECT kenmerk, status, phase, reporter_address, reporter_name, subject, received_at, ap_deadline_at, "
    "ap_decision, closed_at IS NULL AND (ap_decision IS NULL OR ap_decision = '') "
    'FROM "case"'
)
# Without --all, list leaves out the cases closed longer ago than this: after ten years the
# register holds tens of thousands, and the work at hand is the open cases and the recent ones.
RECENT_CLOSED = timedelta(days=365)


def listed(r: Reader, closed_since: datetime | None = None) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The cases (with ``closed_since``: the open ones and those closed since), first the open
    cases whose AP decision is still open (the AP clock runs), then the rest; each nearest
    deadline first. Read in the order of the table and sorted here (stable, so by kenmerk
    within a deadline): the cases come nearly in deadline order, so this costs less than the
    database's own sort."""
    if closed_since is None:
        rows = r.tuples(_LISTED + " ORDER BY id")
    else:
        rows = r.tuples(_LISTED + " WHERE closed_at IS NULL OR closed_at >= ? ORDER BY id", r.at(closed_since))
    running = [c for c in rows if c[RUNNING]]
    rest = [c for c in rows if not c[RUNNING]]
    by_deadline = itemgetter(DEADLINE)
    running.sort(key=by_deadline)
    rest.sort(key=by_deadline)
    return running, rest


def closed_before(r: Reader, moment: datetime) -> int:
    return int(r.value('SELECT count(*) FROM "case" WHERE closed_at < ?', r.at(moment)))


def clock(case: tuple[Any, ...], now: datetime, language: str) -> tuple[str, bool]:
    """The time left to the AP deadline of a case whose clock runs, and whether it has passed."""
    deadline = when(case[DEADLINE])
    assert deadline is not None
    return time_left(deadline, now, language), now > deadline


def list_cases(
    r: Reader, tz: ZoneInfo, now: datetime, language: str = "nl", closed_since: datetime | None = None
) -> list[dict[str, Any]]:
    """The cases as ``list --json`` shows them, in the order of :func:`listed`."""
    running, rest = listed(r, closed_since)
    out = []
    for c in running + rest:
        left, overdue = clock(c, now, language) if c[RUNNING] else (None, False)
        out.append({
            "kenmerk": c[KENMERK], "status": c[STATUS], "phase": c[PHASE], "reporter": c[REPORTER],
            "reporter_name": c[REPORTER_NAME], "subject": c[SUBJECT], "received_at": iso(c[RECEIVED], tz),
            "ap_deadline_at": iso(c[DEADLINE], tz), "time_left": left, "overdue": overdue,
            "ap_decision": c[DECISION] or None,
        })  # fmt: skip
    return out


def list_text(r: Reader, now: datetime, language: str = "nl", closed_since: datetime | None = None) -> str:
    """The cases as ``list`` prints them: one line each, then how many (and how many older
    closed cases were left out); dates are converted for the open cases only (their time left),
    so closed cases cost their lines alone."""
    running, rest = listed(r, closed_since)
    labels = LABELS[language]
    older = closed_before(r, closed_since) if closed_since is not None else 0
    if not running and not rest and not older:
        return labels["no_cases"] + "\n"
    lines = [
        f"{c[KENMERK]:<14} {c[PHASE]:<15} {clock(c, now, language)[0]:<22} {c[REPORTER]:<30} {c[SUBJECT]}\n"
        for c in running
    ]
    lines += [
        f"{c[KENMERK]:<14} {c[PHASE]:<15} {f'AP: {c[DECISION]}' if c[DECISION] else c[STATUS]:<22} "
        f"{c[REPORTER]:<30} {c[SUBJECT]}\n"
        for c in rest
    ]
    lines.append(f"{len(running) + len(rest)} {labels['cases']}\n")
    if older:
        lines.append(labels["older"].format(n=older) + "\n")
    return "".join(lines)


def _outgoing(row: dict[str, Any], tz: ZoneInfo) -> dict[str, Any]:
    return {
        "direction": "out",
        "message_id": row["message_id"],
        "from": row["sender"],
        "to": row["recipient"],
        "subject": row["subject"],
        "date": iso(row["sent_at"] or row["created_at"], tz),
        "kind": row["kind"],
        "status": row["status"],
    }


def recipients(raw: bytes) -> list[str]:
    """The addresses in a stored message's To field, read from the field as it came: a display
    name in an encoded word (``=?utf-8?q?Vries=2C_Jan?=``) can hold a comma that, decoded first,
    would split one recipient in two."""
    field = BytesHeaderParser().parsebytes(raw).get("To", "")
    return [a for _, a in getaddresses([str(field)]) if a]


def _incoming(m: dict[str, Any], to: list[str], tz: ZoneInfo) -> dict[str, Any]:
    return {
        "direction": "in",
        "message_id": m["message_id"],
        "from": m["from_address"],
        "to": to,
        "subject": m["subject"],
        "date": iso(m["arrived_at"], tz),
        "disposition": m["disposition"],
        "sender_role": m["sender_role"],
        "verified": m["sender_role"] != "unverified",
    }


def case_by_kenmerk(r: Reader, kenmerk: str) -> dict[str, Any] | None:
    found = r.rows('SELECT * FROM "case" WHERE kenmerk = ?', kenmerk.upper())
    return found[0] if found else None


def _decision(case: dict[str, Any], name: str, tz: ZoneInfo) -> dict[str, Any] | None:
    if not case[name]:
        return None
    return {"text": case[name], "by": case[f"{name}_by"], "at": iso(case[f"{name}_at"], tz)}


def case_detail(r: Reader, case: dict[str, Any], tz: ZoneInfo, read_raw: Callable[[str], bytes]) -> dict[str, Any]:
    out = case_summary(case, tz)
    out["aware_at"] = iso(case["aware_at"], tz)
    out["mailbox"] = case["mailbox"]
    out["description"] = case["description"]
    out["language"] = case["language"]
    out["answers"] = json.loads(case["answers"] or "{}")
    out["free_text"] = json.loads(case["free_text"] or "[]")
    for name in ("handler", "technician"):
        out[name] = case[name] or None
    out["closed_at"] = iso(case["closed_at"], tz)
    out["close_reason"] = case["close_reason"] or None
    out["reminders_sent"] = case["reminders_sent"]
    out["ap_decision"] = case["ap_decision"] or None
    out["ap_decision_reason"] = case["ap_decision_reason"] or None
    out["ap_notified_at"] = iso(case["ap_notified_at"], tz)
    out["ap_reference"] = case["ap_reference"] or None
    out["ap_notification_kind"] = case["ap_notification_kind"] or None
    notified, deadline = when(case["ap_notified_at"]), when(case["ap_deadline_at"])
    out["ap_on_time"] = (notified <= deadline) if notified and deadline else None
    out["ap_delay_reason"] = case["ap_delay_reason"] or None
    out["subjects_decision"] = case["subjects_decision"] or None
    out["subjects_decision_reason"] = case["subjects_decision_reason"] or None
    out["subjects_letter_at"] = iso(case["subjects_letter_at"], tz)
    out["subjects_informed_at"] = iso(case["subjects_informed_at"], tz)
    out["subjects_channel"] = case["subjects_channel"] or None
    out["fg_advice"] = _decision(case, "fg_advice", tz)
    out["board_decision"] = _decision(case, "board_decision", tz)
    out["assessment"] = json.loads(case["assessment"] or "{}")
    out["severity"] = assess(out["assessment"], out["answers"]).as_dict()
    case_id = case["id"]
    out["warnings_sent"] = [
        {"key": n["key"].split(":", 1)[-1], "at": iso(n["sent_at"], tz)}
        for n in r.rows("SELECT key, sent_at FROM sent_notice WHERE case_id = ? ORDER BY sent_at", case_id)
    ]
    out["attachments"] = [
        {
            "name": a["filename"],
            "type": a["content_type"],
            "size": a["size"],
            "sha256": a["sha256"],
            "stored": a["stored_path"] is not None,
            "note": a["note"],
        }
        for a in r.rows(
            "SELECT filename, content_type, size, sha256, stored_path, note FROM attachment "
            "WHERE case_id = ? ORDER BY id",
            case_id,
        )
    ]
    messages: list[dict[str, Any]] = []
    for m in r.rows(
        "SELECT message_id, from_address, subject, arrived_at, disposition, sender_role, raw_path "
        "FROM inbound_message WHERE case_id = ? ORDER BY id",
        case_id,
    ):
        try:
            to = recipients(read_raw(m["raw_path"]))
        except OSError:
            to = []
        messages.append(_incoming(m, to, tz))
    messages += [
        _outgoing(o, tz)
        for o in r.rows(
            "SELECT message_id, sender, recipient, subject, sent_at, created_at, kind, status FROM outbox "
            "WHERE case_id = ? ORDER BY id",
            case_id,
        )
    ]
    out["messages"] = sorted(messages, key=lambda x: x["date"] or "")
    out["events"] = [
        {
            "at": iso(e["at"], tz),
            "kind": e["kind"],
            "actor": e["actor"],
            "message": e["inbound_message_id"],
            "detail": json.loads(e["detail"] or "{}"),
        }
        for e in r.rows(
            "SELECT at, kind, actor, inbound_message_id, detail FROM event WHERE case_id = ? ORDER BY id", case_id
        )
    ]
    return out


def list_messages(r: Reader, tz: ZoneInfo) -> list[dict[str, Any]]:
    kenmerken = {row["id"]: row["kenmerk"] for row in r.rows('SELECT id, kenmerk FROM "case"')}
    return [
        {
            "id": m["id"],
            "message_id": m["message_id"],
            "from": m["from_address"],
            "subject": m["subject"],
            "received_at": iso(m["arrived_at"], tz),
            "status": m["status"],
            "disposition": m["disposition"] or (m["status"] if m["status"] == MessageStatus.QUARANTINED else None),
            "kenmerk": kenmerken.get(m["case_id"]) if m["case_id"] else None,
            "reason": m["reason"],
            "mailbox": m["mailbox"],
            "uid": m["uid"],
            "size": m["size"],
        }
        for m in r.rows(
            "SELECT id, message_id, from_address, subject, arrived_at, status, disposition, case_id, reason, "
            "mailbox, uid, size FROM inbound_message ORDER BY id"
        )
    ]


LABELS = {
    "nl": {
        "kenmerk": "Kenmerk",
        "status": "Status",
        "phase": "fase",
        "reporter": "Melder",
        "subject": "Onderwerp",
        "received": "Ontvangen",
        "deadline": "Deadline AP",
        "report": "Melding",
        "no_text": "(geen tekst)",
        "attachments": "Bijlagen",
        "none": "geen",
        "messages": "Berichten",
        "events": "Gebeurtenissen",
        "aware": "Ontdekt",
        "handler": "Behandelaar",
        "technician": "Technicus",
        "answers": "Antwoorden van de melder",
        "assessment": "Beoordeling",
        "severity": "Ernst (voorstel)",
        "decisions": "Besluiten",
        "notes": "Notities",
        "nothing_yet": "nog niets",
        "ap": "Melden AP",
        "subjects": "Betrokkenen informeren",
        "reason": "reden",
        "notified": "gemeld op",
        "ap_reference": "meldnummer",
        "on_time": "binnen 72 uur",
        "late": "na de termijn van 72 uur",
        "delay": "reden van vertraging",
        "letter": "brief of mededeling gemaakt",
        "informed": "geïnformeerd op",
        "channel": "via",
        "fg_advice": "Advies FG",
        "board": "Besluit directie",
        "by": "door",
        "closed": "Gesloten",
        "cases": "melding(en)",
        "no_cases": "nog geen meldingen",
        "older": "{n} melding(en) meer dan een jaar geleden gesloten, niet getoond; alle: mailbot list --all",
    },
    "en": {
        "kenmerk": "Reference",
        "status": "Status",
        "phase": "phase",
        "reporter": "Reporter",
        "subject": "Subject",
        "received": "Received",
        "deadline": "AP deadline",
        "report": "Report",
        "no_text": "(no text)",
        "attachments": "Attachments",
        "none": "none",
        "messages": "Messages",
        "events": "Events",
        "aware": "Discovered",
        "handler": "Handler",
        "technician": "Technician",
        "answers": "The reporter's answers",
        "assessment": "Assessment",
        "severity": "Severity (suggestion)",
        "decisions": "Decisions",
        "notes": "Notes",
        "nothing_yet": "nothing yet",
        "ap": "Notify the AP",
        "subjects": "Inform the people",
        "reason": "reason",
        "notified": "notified on",
        "ap_reference": "reference",
        "on_time": "within 72 hours",
        "late": "after the 72-hour deadline",
        "delay": "reason for the delay",
        "letter": "letter or statement made",
        "informed": "informed on",
        "channel": "by",
        "fg_advice": "DPO's advice",
        "board": "Board's decision",
        "by": "by",
        "closed": "Closed",
        "cases": "case(s)",
        "no_cases": "no cases yet",
        "older": "{n} case(s) closed more than a year ago not shown; every case: mailbot list --all",
    },
}


def case_text(d: dict[str, Any], tz: ZoneInfo, language: str = "nl") -> str:
    t = LABELS[language]

    def row(key: str, value: str) -> str:
        return f"{t[key] + ':':<14}{value}"

    def shown(moment: str | None) -> str:
        """An ISO time of the detail as people write it: ``1 december 2026, 17:30``."""
        return wording.when(datetime.fromisoformat(moment), tz, language) if moment else ""

    from mailbot.core.answers import answer_text
    from mailbot.core.questionnaire import question_label
    from mailbot.core.severity import table

    def section(key: str, body: list[str]) -> list[str]:
        return ["", f"{t[key]}:", *(body or [f"  {t['nothing_yet']}"])]

    def decision(key: str, value: str | None, reason: str | None, more: list[str]) -> str:
        said = [value or t["nothing_yet"]]
        if reason:
            said.append(f"{t['reason']}: {reason}")
        return f"  {t[key] + ':':<24}" + "; ".join(said + more)

    answers = [
        f"  {question_label(name, language) + ':':<24}{answer_text(name, value, language, 400)}"
        for name, value in d["answers"].items()
    ]
    assessment = [
        f"  {wording.ASSESSMENT_LABELS.get(k, (k, k))[0 if language == 'nl' else 1] + ':':<24}"
        f"{wording.value(v, tz, language)}"
        for k, v in d["assessment"].items()
        if v not in (None, "")
    ]
    ap_more = []
    if d["ap_notified_at"]:
        ap_more.append(f"{t['notified']} {shown(d['ap_notified_at'])}")
    if d["ap_on_time"] is not None:
        ap_more.append(t["on_time"] if d["ap_on_time"] else t["late"])
    if d["ap_reference"]:
        ap_more.append(f"{t['ap_reference']} {d['ap_reference']}")
    if d["ap_notification_kind"]:
        ap_more.append(d["ap_notification_kind"])
    if d["ap_delay_reason"]:
        ap_more.append(f"{t['delay']}: {d['ap_delay_reason']}")
    subjects_more = []
    if d["subjects_letter_at"]:
        subjects_more.append(f"{t['letter']} {shown(d['subjects_letter_at'])}")
    if d["subjects_informed_at"]:
        subjects_more.append(f"{t['informed']} {shown(d['subjects_informed_at'])}")
    if d["subjects_channel"]:
        subjects_more.append(f"{t['channel']} {d['subjects_channel']}")
    decisions = [
        decision("ap", d["ap_decision"], d["ap_decision_reason"], ap_more),
        decision("subjects", d["subjects_decision"], d["subjects_decision_reason"], subjects_more),
    ]
    for key in ("fg_advice", "board"):
        given = d["fg_advice" if key == "fg_advice" else "board_decision"]
        if given:
            decisions.append(f"  {t[key] + ':':<24}{given['text']} ({t['by']} {given['by']}, {shown(given['at'])})")
    if d["closed_at"]:
        decisions.append(f"  {t['closed'] + ':':<24}{shown(d['closed_at'])}" + (
            f"; {t['reason']}: {d['close_reason']}" if d["close_reason"] else ""))  # fmt: skip
    notes = [
        f"  {shown(e['at']):<24}  {e['actor'] or ''}: {' '.join(str(e['detail'].get('text', '')).split())}"
        for e in d["events"]
        if e["kind"] in ("note", "officer_comment")
    ]
    people = [row("handler", d["handler"])] if d["handler"] else []
    people += [row("technician", d["technician"])] if d["technician"] else []
    lines = [
        row("kenmerk", d["kenmerk"]),
        row("status", f"{d['status']} ({t['phase']} {d['phase']})"),
        row("reporter", f"{d['reporter_name']} <{d['reporter']}>"),
        *people,
        row("subject", d["subject"]),
        row("received", shown(d["received_at"])),
        row("aware", shown(d["aware_at"])),
        row("deadline", shown(d["ap_deadline_at"])),
        "",
        f"{t['report']}:",
        *("  " + line for line in (d["description"] or t["no_text"]).splitlines()),
        *section("answers", answers),
        *section("assessment", assessment),
        *section(
            "severity", ["  " + line for line in table(assess(d["assessment"], d["answers"]), language).splitlines()]
        ),
        *section("decisions", decisions),
        *section("notes", notes),
        "",
        f"{t['attachments']}:" if d["attachments"] else f"{t['attachments']}: {t['none']}",
        *(f"  - {a['name']} ({a['type']}, {a['size']} bytes, sha256 {a['sha256'][:12]}…)" for a in d["attachments"]),
        "",
        f"{t['messages']}:",
        *(
            f"  {shown(m['date']):<24}  {'→' if m['direction'] == 'out' else '←'} "
            f"{m['to'] if m['direction'] == 'out' else m['from']}: {m['subject']}"
            for m in d["messages"]
        ),
        "",
        f"{t['events']}:",
        *(
            f"  {shown(e['at']):<24}  {wording.event_name(e['kind'], language)}"
            + (f" ({e['actor']})" if e["actor"] and e["actor"] != "mailbot" else "")
            for e in d["events"]
        ),
    ]
    return "\n".join(lines)
