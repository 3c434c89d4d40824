"""A register of many years, built through the product's own case operations, for the bench.

``python bench/register.py --config FILE --cases 100000`` fills the database the configuration
names (made with ``mailbot init``) with cases spread over ten years before ``--now``: each with
its stored report, the answers of the questionnaire, the AP and data-subject decisions with
their reasons, the FG's advice and the board's decision, every change an event in the audit
chain, as the officers' e-mail commands record them. All but the last ``--open`` are closed.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from sqlmodel import Session, select

from mailbot.core.config import load_settings
from mailbot.model import cases, db
from mailbot.model.models import Case, InboundMessage
from mailbot.model.services import Services, build

REPORTER = "j.devries@example.org"
OFFICER = "fg@example.org"
BATCH = 500


def _report() -> bytes:
    """One report for every case: the store keeps it once (content-addressed), so that filling
    the register costs the database's work, not a hundred thousand files synced to disk."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = REPORTER, "meldpunt@example.org", "datalek"
    msg.set_content("Een lijst met namen en adressen is naar de verkeerde ontvanger gemaild.")
    return msg.as_bytes()


RAW = _report()


def _one(svc: Services, s: Session, i: int, at: datetime, closed: bool) -> None:
    raw = RAW
    m = InboundMessage(mailbox="default", folder="INBOX", uidvalidity=1, uid=i + 1, identity=f"bench-{i}",
                       sha256="-", size=len(raw), raw_path=svc.store.put("raw", raw, ".eml"), arrived_at=at,
                       fetched_at=at, status="processed", disposition="new_case", from_address=REPORTER,
                       subject=f"datalek {i}", processed_at=at)  # fmt: skip
    s.add(m)
    s.flush()
    case = cases.open_case(
        s, prefix="DL", year=at.year, mailbox="default", language="nl", reporter_name="Jan de Vries",
        reporter_address=REPORTER, subject=f"datalek {i}", description=f"Melding {i}: lijst verkeerd gemaild.",
        received_at=at, now=at, inbound_message_id=m.id or 0,
        answers={"description": f"Melding {i}", "affected_count": 25 + i % 400},
    )  # fmt: skip
    m.case_id = case.id
    later = at + timedelta(hours=2)
    cases.set_answer(s, case, "cause", "verkeerd adres gekozen", later, REPORTER, m.id)
    cases.set_answer(s, case, "occurred_at", at.date().isoformat(), later, REPORTER, m.id)
    if not closed:
        return
    decided = at + timedelta(days=1)
    case.ap_decision, case.ap_decision_reason = ("ja", "hoog risico") if i % 7 == 0 else ("nee", "gering risico")
    case.subjects_decision, case.subjects_decision_reason = "nee", "versleuteld"
    case.fg_advice, case.fg_advice_by, case.fg_advice_at = "niet melden", OFFICER, decided
    case.board_decision, case.board_decision_by, case.board_decision_at = "akkoord", OFFICER, decided
    for kind, value in (("ap_decision", case.ap_decision), ("subjects_decision", "nee"), ("fg_advice", "niet melden"),
                        ("board_decision", "akkoord")):  # fmt: skip
        cases.add_event(s, decided, kind, case.id, actor=OFFICER, value=value)
    case.status, case.phase, case.closed_at = "gearchiveerd", "archiveren", at + timedelta(days=20)
    cases.add_event(s, case.closed_at, "status_changed", case.id, actor=OFFICER, old="ontvangen", new=case.status)
    s.add(case)


def fill(svc: Services, n: int, now: datetime, open_cases: int = 20, years: int = 10) -> None:
    """``n`` cases, the oldest ``years`` before ``now``, evenly apart; the newest ``open_cases`` open."""
    step = timedelta(days=365 * years) / max(n, 1)
    start = now - timedelta(days=365 * years)
    with db.session(svc.engine) as s:
        if s.exec(select(Case.id)).first() is not None:
            raise SystemExit("the register is not empty: give a new MAILBOT_DATA_DIR")
    for first in range(0, n, BATCH):
        with db.session(svc.engine) as s:
            for i in range(first, min(n, first + BATCH)):
                _one(svc, s, i, start + i * step, closed=i < n - open_cases)
            s.commit()
        print(f"\r{min(n, first + BATCH)}/{n} cases", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True, help="the .env file of the register to fill")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--open", type=int, default=20, help="how many of the newest stay open (default 20)")
    parser.add_argument("--now", default=None, help="the end of the ten years (default: today)")
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now).astimezone(UTC) if args.now else datetime.now(UTC)
    svc = build(load_settings(args.config))
    fill(svc, args.cases, now, args.open)
    print(f"{args.cases} cases in {svc.settings.database_shown}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
