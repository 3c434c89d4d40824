"""A configuration for commands that never touch a mail server (export, audit, purge, drafts)."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from mailbot.core.config import load_settings
from mailbot.model import db
from mailbot.model.cases import add_event, open_case
from mailbot.model.models import Case, InboundMessage, StoredAttachment
from mailbot.model.services import Services, build


def offline_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **extra: str) -> Path:
    """Write a complete .env whose servers are never contacted; clear MAILBOT_* from the environment."""
    for key in [k for k in os.environ if k.startswith("MAILBOT_")]:
        monkeypatch.delenv(key)
    values = {
        "MAILBOT_IMAP_HOST": "127.0.0.1",
        "MAILBOT_IMAP_USER": "bot",
        "MAILBOT_IMAP_PASSWORD": "unused",
        "MAILBOT_SMTP_HOST": "127.0.0.1",
        "MAILBOT_ADDRESS": "informatiebeveiliging@example.org",
        "MAILBOT_OFFICERS": "fg@example.org",
        "MAILBOT_DATA_DIR": str(tmp_path / "data"),
        **extra,
    }
    tmp_path.mkdir(parents=True, exist_ok=True)
    env = tmp_path / "mailbot.env"
    env.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    env.chmod(0o600)
    return env


def offline_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **extra: str) -> tuple[Path, Services]:
    """The .env of :func:`offline_env` and the services built from it (database created)."""
    env = offline_env(tmp_path, monkeypatch, **extra)
    return env, build(load_settings(str(env)))


_counter = itertools.count(1)


def make_case(
    svc: Services,
    received: datetime,
    *,
    description: str = "Een lijst met namen en adressen van huurders is naar de verkeerde ontvanger gemaild.",
    worked: bool = False,
    notified: datetime | None = None,
    closed: datetime | None = None,
    attachment: bytes | None = b"%PDF-1.4 scan van de brief",
) -> Case:
    """A case as the worker leaves it: its report stored raw, an attachment, the opening events.
    ``worked`` fills it as an officer would by the end: answers, assessment, every decision."""
    n = next(_counter)
    raw = (
        f"From: Jan Melder <melder{n}@example.org>\r\nTo: {svc.settings.mailboxes[0].address}\r\n"
        f"Subject: beveiligingsincident {n}\r\nMessage-ID: <case{n}.{received.timestamp():.0f}@example.org>\r\n"
        f"\r\n{description}\r\n"
    ).encode()
    digest = hashlib.sha256(raw).hexdigest()
    with db.session(svc.engine) as s:
        m = InboundMessage(
            mailbox="default", folder="INBOX", uidvalidity=1, uid=n, identity=f"<case{n}@example.org>",
            message_id=f"<case{n}@example.org>", sha256=digest, size=len(raw),
            raw_path=svc.store.put_message(raw, digest), arrived_at=received, fetched_at=received,
            status="processed", disposition="case",
        )  # fmt: skip
        s.add(m)
        s.flush()
        case = open_case(
            s, prefix="DL", year=received.year, mailbox="default", language="nl", reporter_name="Jan Melder",
            reporter_address=f"melder{n}@example.org", subject=f"beveiligingsincident {n}", description=description,
            received_at=received, now=received, inbound_message_id=m.id or 0,
        )  # fmt: skip
        m.case_id = case.id
        if attachment is not None:
            s.add(
                StoredAttachment(
                    case_id=case.id, inbound_message_id=m.id or 0, filename="scan.pdf", content_type="application/pdf",
                    size=len(attachment), sha256=hashlib.sha256(attachment).hexdigest(),
                    stored_path=svc.store.put("attachments", attachment),
                )
            )  # fmt: skip
        if worked:
            _work(case, received, notified)
        if closed is not None:
            case.closed_at, case.status, case.phase = closed, "gearchiveerd", "archiveren"
            add_event(s, closed, "status_changed", case.id, actor="fg@example.org", status="gearchiveerd")
        s.add(case)
        s.commit()
        return case


def _work(case: Case, received: datetime, notified: datetime | None) -> None:
    case.answers = json.dumps(
        {
            "description": case.description,
            "data_types": "namen, adressen en BSN",
            "affected_count": 120,
            "affected_group": "huurders",
            "cause": "verkeerde ontvanger gekozen bij het mailen",
            "occurred_at": received.isoformat(),
        }
    )
    case.assessment = json.dumps(
        {
            "summary": "Huurderslijst naar verkeerde ontvanger",
            "nature": "e-mail naar verkeerde ontvanger",
            "categories": "naam, adres, BSN",
            "records": "120",
            "identifiability": "maximaal",
            "confidentiality": "bekend",
            "consequences": "identiteitsfraude mogelijk",
            "measures": "ontvanger heeft de mail verwijderd en dat bevestigd",
            "encrypted": "nee",
            "other_eu": "nee",
        }
    )
    case.phase, case.status = "melden", "melden"
    case.ap_decision, case.ap_decision_reason = "ja", "BSN van 120 huurders"
    case.ap_reference = "M-2026-1234"
    case.ap_notified_at = notified or received + timedelta(hours=30)
    case.ap_notification_kind = "definitief"
    case.subjects_decision, case.subjects_decision_reason = "ja", "hoog risico op fraude"
    case.subjects_informed_at, case.subjects_channel = received + timedelta(days=2), "brief"
    case.fg_advice, case.fg_advice_by, case.fg_advice_at = "melden", "fg@example.org", received + timedelta(hours=20)
    case.board_decision, case.board_decision_by = "melden bij AP en huurders", "directeur@example.org"
    case.board_decision_at = received + timedelta(hours=26)
