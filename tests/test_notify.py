"""Mail queued about a case: from the case's mailbox, under its name and signature."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot.model import db
from mailbot.model.models import Case, Outbox
from mailbot.model.services import Services
from mailbot.pipeline.notify import mail_reporter, mail_technician
from tests.offline import make_case, offline_services

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PO = {
    "MAILBOT_MAILBOXES": "meldpunt,po",
    "MAILBOT_MAILBOX_MELDPUNT_ADDRESS": "informatiebeveiliging@example.org",
    "MAILBOT_MAILBOX_MELDPUNT_IMAP_USER": "informatiebeveiliging@example.org",
    "MAILBOT_MAILBOX_MELDPUNT_IMAP_PASSWORD": "unused",
    "MAILBOT_MAILBOX_PO_ADDRESS": "po@example.org",
    "MAILBOT_MAILBOX_PO_IMAP_USER": "po@example.org",
    "MAILBOT_MAILBOX_PO_IMAP_PASSWORD": "unused",
    "MAILBOT_MAILBOX_PO_SENDER_NAME": "P&O",
    "MAILBOT_MAILBOX_PO_SIGNATURE": r"Team P&O\nWoonstichting Voorbeeld",
}


def queued(svc: Services, case_id: int | None, send: Callable[[Session, Case], object]) -> tuple[EmailMessage, str]:
    """Queue one mail about the case with ``send``; the mail and its text as queued."""
    with db.session(svc.engine) as s:
        case = s.get(Case, case_id)
        assert case is not None
        send(s, case)
        s.commit()
        raw = s.exec(select(Outbox.raw).where(Outbox.case_id == case_id)).one()
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    part = msg.get_body(("plain",))
    assert part is not None
    return msg, part.get_content().replace("\r\n", "\n")


def test_a_mailbox_signs_with_its_own_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, svc = offline_services(tmp_path, monkeypatch, **PO)
    sent = {}
    for box in ("po", "meldpunt"):
        made = make_case(svc, NOW)

        def ask(s: Session, case: Case, box: str = box) -> None:
            case.mailbox = box
            mail_reporter(svc, s, case, "reporter_question", NOW, question="Was de lijst versleuteld?")

        msg, text = queued(svc, made.id, ask)
        sent[box] = (str(msg["From"]), text)
    assert sent["po"][0] == "P&O <po@example.org>"
    assert sent["po"][1].rstrip().endswith("Met vriendelijke groet,\nTeam P&O\nWoonstichting Voorbeeld")
    assert sent["meldpunt"][0] == "Meldpunt datalekken <informatiebeveiliging@example.org>"
    assert sent["meldpunt"][1].rstrip().endswith("Met vriendelijke groet,\nMeldpunt datalekken")


@pytest.mark.parametrize(("technician", "shown"), [("ict@example.org", True), ("ict@exampel.org", False)])
def test_the_report_goes_only_to_a_technician_of_our_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, technician: str, shown: bool
) -> None:
    """A mistyped or outside address gets the questions, never what the reporter wrote."""
    _, svc = offline_services(tmp_path, monkeypatch)
    made = make_case(svc, NOW, description="Lijst met BSN van 40 huurders kwijt")

    def ask(s: Session, case: Case) -> None:
        case.technician = technician
        mail_technician(svc, s, case, NOW)

    msg, text = queued(svc, made.id, ask)
    assert ("BSN van 40 huurders" in text) is shown and "Oorzaak:" in text and "Logbestanden:" in text
    assert ("beveiligingsincident" in str(msg["Subject"])) is shown
