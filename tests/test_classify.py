"""The classification table: auto mail is never answered, replies find their case, keywords open cases."""

from __future__ import annotations

import dataclasses

import pytest

from mailbot.core.classify import BOUNCE_RULES, RULES, Context, Disposition, classify, strip_subject_prefixes
from mailbot.core.parse import parse_message
from tests.conftest import parsed
from tests.linear import assert_linear

CTX = Context(bot_addresses=frozenset({"meldpunt@example.org"}), keywords=("beveiligingsincident", "datalek"))


def msg(headers: str, body: str = "tekst") -> bytes:
    return (headers.strip().replace("\n", "\r\n") + "\r\n\r\n" + body + "\r\n").encode()


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("auto_reply_ooo.eml", "auto-submitted"),
        ("bounce_dsn.eml", "auto-submitted"),
        ("list_mail.eml", "precedence-bulk"),
        ("not_a_report.eml", "not-a-report"),
    ],
)
def test_ignored_files(name: str, rule: str) -> None:
    c = classify(parsed(name), CTX)
    assert (c.disposition, c.rule) == (Disposition.IGNORED, rule)


@pytest.mark.parametrize(
    "name",
    [
        "outlook_html_only.eml",
        "gmail_report.eml",
        "apple_mail_report.eml",
        "iphone_report.eml",
        "forwarded_rfc822.eml",
        "windows1252_mislabelled.eml",
        "rfc2047_2231_names.eml",
        "broken_mime.eml",
        "missing_from_msgid.eml",
    ],
)
def test_reports_open_cases(name: str) -> None:
    assert classify(parsed(name), CTX).disposition is Disposition.CASE


@pytest.mark.parametrize(
    ("header", "rule"),
    [
        ("Auto-Submitted: auto-generated", "auto-submitted"),
        ("Precedence: junk", "precedence-bulk"),
        ("Precedence: list", "precedence-bulk"),
        ("List-Id: <x.example.org>", "list-mail"),
        ("X-Autoreply: yes", "autoreply-header"),
        ("X-Autorespond: yes", "autoreply-header"),
        ("X-Auto-Response-Suppress: All", "autoreply-header"),
        ("Return-Path: <>", "empty-return-path"),
    ],
)
def test_each_automatic_marker_is_ignored(header: str, rule: str) -> None:
    m = parse_message(msg(f"From: x@example.org\nSubject: beveiligingsincident\n{header}"))
    c = classify(m, CTX)
    assert (c.disposition, c.rule) == (Disposition.IGNORED, rule)


def test_auto_submitted_no_is_a_person() -> None:
    m = parse_message(msg("From: x@example.org\nSubject: beveiligingsincident\nAuto-Submitted: no"))
    assert classify(m, CTX).disposition is Disposition.CASE


@pytest.mark.parametrize("sender", ["MAILER-DAEMON@example.org", "postmaster@example.org", "meldpunt@example.org"])
def test_bounce_senders_and_own_address_are_ignored(sender: str) -> None:
    m = parse_message(msg(f"From: {sender}\nSubject: datalek"))
    assert classify(m, CTX).disposition is Disposition.IGNORED


def test_reply_beats_keyword_and_auto_beats_reply() -> None:
    m = parse_message(msg("From: x@example.org\nSubject: Re: beveiligingsincident\nIn-Reply-To: <a@b>"))
    ctx = dataclasses.replace(CTX, thread_case="DL-2026-0001")
    c = classify(m, ctx)
    assert (c.disposition, c.kenmerk, c.rule) == (Disposition.REPLY, "DL-2026-0001", "thread-reply")
    ooo = parsed("auto_reply_ooo.eml")
    assert classify(ooo, ctx).disposition is Disposition.IGNORED


def test_kenmerk_in_subject_is_a_reply() -> None:
    m = parse_message(msg("From: x@example.org\nSubject: nog iets over DL-2026-0007"))
    c = classify(m, dataclasses.replace(CTX, kenmerk_case="DL-2026-0007"))
    assert (c.disposition, c.rule, c.kenmerk) == (Disposition.REPLY, "kenmerk-in-subject", "DL-2026-0007")


def test_a_flood_in_a_senders_name_does_not_silence_their_report_or_reply() -> None:
    """Anyone can send mail "from" an address: flooding decides what the bot sends back, not
    whether a report opens a case or a reply reaches its case; it only names what is neither."""
    looping = dataclasses.replace(CTX, flooding=True)
    assert classify(parsed("gmail_report.eml"), looping).rule == "report-keyword"
    assert classify(parsed("gmail_report.eml"), dataclasses.replace(looping, thread_case="DL-2026-0001")).rule == (
        "thread-reply"
    )
    assert classify(parsed("not_a_report.eml"), looping).rule == "mail-loop"
    assert classify(parsed("auto_reply_ooo.eml"), looping).rule == "auto-submitted"


def test_duplicate_is_ignored_first() -> None:
    c = classify(parsed("gmail_report.eml"), dataclasses.replace(CTX, duplicate_of=4))
    assert (c.disposition, c.rule) == (Disposition.IGNORED, "duplicate")
    assert c.reason == "same Message-ID as message #4, already handled"


def test_digest_reply_comes_after_the_thread_and_before_the_kenmerk() -> None:
    """An officer's reply to the daily digest answers the case its first line names."""
    m = parse_message(msg("From: fg@example.org\nSubject: Re: Overzicht open meldingen DL-2026-0007"))
    ctx = dataclasses.replace(CTX, digest_case="DL-2026-0003", kenmerk_case="DL-2026-0007")
    c = classify(m, ctx)
    assert (c.disposition, c.rule, c.kenmerk) == (Disposition.REPLY, "digest-reply", "DL-2026-0003")
    c = classify(m, dataclasses.replace(ctx, thread_case="DL-2026-0001"))
    assert (c.rule, c.kenmerk) == ("thread-reply", "DL-2026-0001")


def test_ignored_mail_says_why_and_bounces_are_named_in_the_table() -> None:
    """The message's stored reason comes from its rule; the loop guard's own reason stands for mail-loop."""
    unexplained = [r.name for r in RULES if r.disposition is Disposition.IGNORED and not r.reason]
    assert unexplained == ["mail-loop"]
    assert {"empty-return-path", "bounce-sender", "delivery-report"} == BOUNCE_RULES
    assert classify(parsed("not_a_report.eml"), CTX).reason.startswith("subject has none of the report keywords")


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Fwd: Antw: Doorst: FW: datalek", "datalek"),
        ("RE:  re: x", "x"),
        ("Re[2]: x", "x"),
        ("AW: WG: x", "x"),
        ("Reactie", "Reactie"),
    ],
)
def test_strip_subject_prefixes(subject: str, expected: str) -> None:
    assert strip_subject_prefixes(subject) == expected


@pytest.mark.parametrize(
    "subject", ["BEVEILIGINGSINCIDENT", "Re: Datalek gemeld", "Fwd: melding beveiligingsincident: laptop"]
)
def test_keywords_case_insensitive_after_prefixes(subject: str) -> None:
    m = parse_message(msg(f"From: x@example.org\nSubject: {subject}"))
    assert classify(m, CTX).disposition is Disposition.CASE


def test_rfc2047_encoded_keyword() -> None:
    m = parse_message(msg("From: x@example.org\nSubject: =?utf-8?q?Beveiligingsincident_=E2=80=93_laptop?="))
    assert classify(m, CTX).disposition is Disposition.CASE


def test_rule_names_unique_and_last_matches_everything() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert names[-1] == "not-a-report"


def test_subject_prefixes_are_stripped_in_linear_time() -> None:
    """A prefix word followed by a long run of spaces and no colon is given up on once."""
    assert_linear(lambda n: "Re" + " " * n + "x", strip_subject_prefixes)
    assert strip_subject_prefixes("Re [2] : AW:Fwd:  datalek") == "datalek"
