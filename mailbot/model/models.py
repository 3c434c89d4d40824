"""The stored state: messages in and out, cases, attachments, events.

Every datetime is aware UTC. Processing state is explicit: an inbound message is
``received`` (stored, not yet handled), then ``processed`` or ``quarantined``; an outbox
row is ``queued``, then ``sent`` or ``failed``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from mailbot.core.phases import CaseStatus, Phase
from mailbot.model.states import MessageStatus as MessageStatus
from mailbot.model.states import OutboxStatus as OutboxStatus


class MailboxState(SQLModel, table=True):
    """Where the worker is in one IMAP folder: the last UID stored under a UIDVALIDITY."""

    __tablename__ = "mailbox_state"
    mailbox: str = Field(primary_key=True)
    folder: str
    uidvalidity: int
    last_uid: int = 0
    last_check_at: datetime | None = None


class ConnectionHealth(SQLModel, table=True):
    """How the last connections to one mailbox's IMAP or SMTP server went (health.py): what
    ``mailbot status`` reports, and whether the officers have been told it keeps failing."""

    __tablename__ = "connection_health"
    mailbox: str = Field(primary_key=True)
    channel: str = Field(primary_key=True)  # imap or smtp
    last_ok_at: datetime | None = None
    failing_since: datetime | None = None
    failures: int = 0
    last_error: str | None = None
    last_error_at: datetime | None = None
    told_at: datetime | None = None


class WorkerLease(SQLModel, table=True):
    """Which worker does the work on this database, renewed while it runs (lease.py)."""

    __tablename__ = "worker_lease"
    name: str = Field(primary_key=True)
    holder: str
    acquired_at: datetime
    renewed_at: datetime


class BlobChunk(SQLModel, table=True):
    """Raw messages, attachments and documents kept in the database (store.py, on PostgreSQL):
    one thing, by its path, in pieces numbered from 0."""

    __tablename__ = "blob_chunk"
    path: str = Field(primary_key=True)
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class KenmerkCounter(SQLModel, table=True):
    __tablename__ = "kenmerk_counter"
    year: int = Field(primary_key=True)
    last: int = 0


class InboundMessage(SQLModel, table=True):
    __tablename__ = "inbound_message"
    __table_args__ = (
        UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_inbound_location"),
        # The loop guard counts a sender's messages of the last hour for every message: by
        # sender and time, so that it reads that hour, not the sender's whole history.
        Index("ix_inbound_message_from_address_arrived_at", "from_address", "arrived_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(index=True)
    folder: str
    uidvalidity: int
    uid: int
    identity: str = Field(index=True)
    message_id: str | None = Field(default=None, index=True)
    sha256: str
    size: int
    raw_path: str
    arrived_at: datetime = Field(index=True)
    fetched_at: datetime
    status: str = Field(default=MessageStatus.RECEIVED, index=True)
    disposition: str | None = None
    rule: str | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text))
    attempts: int = 0
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    from_address: str | None = None
    subject: str | None = Field(default=None, sa_column=Column(Text))
    processed_at: datetime | None = None
    # On a case: who sent it (reporter, officer, participant) or "unverified" for someone not on it.
    sender_role: str | None = None
    # When the raw file was removed under the retention rules (the row stays: size, hash, dates).
    purged_at: datetime | None = None


class Case(SQLModel, table=True):
    __tablename__ = "case"
    __table_args__ = (
        # The open cases, by deadline: the periodic work (warnings, reminders, digest) reads
        # these every minute, and reads as few rows after ten years of closed cases as in the
        # first week. Partial, so it holds the open cases only.
        Index(
            "ix_case_open_ap_deadline_at",
            "ap_deadline_at",
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kenmerk: str = Field(unique=True, index=True)
    year: int
    seq: int
    mailbox: str
    status: str = CaseStatus.ONTVANGEN
    phase: str = Phase.ONTDEKKEN
    language: str = "nl"
    reporter_name: str = ""
    reporter_address: str = ""
    subject: str = Field(default="", sa_column=Column(Text))
    description: str = Field(default="", sa_column=Column(Text))
    received_at: datetime
    aware_at: datetime
    ap_deadline_at: datetime
    created_at: datetime
    # The report that opened the case. Messages also point at their case: on PostgreSQL the
    # cycle is closed after both tables exist (use_alter; the baseline migration does it).
    inbound_message_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("inbound_message.id", use_alter=True, name="fk_case_inbound_message"), nullable=True
        ),
    )
    # The questionnaire's answers (JSON object, keys from questionnaire.QUESTIONS) and what the
    # reporter wrote that could not be placed under a question (JSON list of {message, text}).
    answers: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    free_text: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
    handler: str = ""
    technician: str = ""
    closed_at: datetime | None = None
    close_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    reminders_sent: int = 0
    last_reminder_at: datetime | None = None
    # Decisions of the protocol (art. 33/34 GDPR): the AP notification, the people affected,
    # the FG's advice and the board's decision. Empty text means: not decided yet.
    ap_decision: str = ""  # "ja" | "nee"
    ap_decision_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    ap_reference: str = ""
    ap_notified_at: datetime | None = None
    ap_notification_kind: str = ""  # "voorlopig" | "definitief" | "ingetrokken"
    ap_delay_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    subjects_decision: str = ""  # "ja" | "nee"
    subjects_decision_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    subjects_informed_at: datetime | None = None
    subjects_channel: str = ""
    # When the letter to the people affected (or the public statement) was last made; its files
    # are kept with the case as attachments (procedure R: archived with the case).
    subjects_letter_at: datetime | None = None
    fg_advice: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    fg_advice_by: str = ""
    fg_advice_at: datetime | None = None
    board_decision: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    board_decision_by: str = ""
    board_decision_at: datetime | None = None
    # The decision model's assessment fields (JSON object; see severity.py).
    assessment: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    # Past MAILBOT_RETENTION_YEARS the entry's content is removed; kenmerk and dates stay.
    removed_at: datetime | None = None


class StoredAttachment(SQLModel, table=True):
    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    inbound_message_id: int = Field(foreign_key="inbound_message.id", index=True)
    filename: str
    content_type: str
    size: int
    sha256: str
    stored_path: str | None = None
    note: str | None = None
    purged_at: datetime | None = None


class Event(SQLModel, table=True):
    """One change to a case (or to the system), with the message that caused it.

    Append-only and hash-chained (audit.py): ``seq`` numbers the entries without gaps and
    ``hash`` covers the entry and the previous entry's hash. The detail is covered through its
    digest, so a register entry past its retention can be emptied (``redacted``) while the
    chain still proves that nothing else changed."""

    __tablename__ = "event"

    id: int | None = Field(default=None, primary_key=True)
    seq: int | None = Field(default=None, sa_column_kwargs={"unique": True})
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    at: datetime
    kind: str
    actor: str = ""
    detail: str = Field(default="{}", sa_column=Column(Text))
    inbound_message_id: int | None = Field(default=None, foreign_key="inbound_message.id")
    detail_sha256: str = ""
    prev_hash: str = ""
    hash: str = ""
    redacted: bool = False


class AuditHead(SQLModel, table=True):
    """The newest entry of the audit trail: what its last ``seq`` and ``hash`` must be, so that
    removing entries from the end is noticed too. One row; writers lock it in turn."""

    __tablename__ = "audit_head"

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = ""


class Outbox(SQLModel, table=True):
    """A mail to send, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    # Automatic replies to a recipient in the last hour are counted for every new report.
    __table_args__ = (Index("ix_outbox_recipient_created_at", "recipient", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(unique=True, index=True)
    kind: str
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    mailbox: str
    sender: str
    recipient: str
    subject: str = Field(default="", sa_column=Column(Text))
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    auto_reply: bool = False
    status: str = Field(default=OutboxStatus.QUEUED, index=True)
    attempts: int = 0
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    caused_by_message_id: int | None = Field(default=None, foreign_key="inbound_message.id")
    purged_at: datetime | None = None  # the body removed under the retention rules


class SentNotice(SQLModel, table=True):
    """A notice that must go out exactly once (a deadline warning, a daily reminder, the digest),
    recorded under a unique key in the transaction that queues it, so a restart repeats none."""

    __tablename__ = "sent_notice"

    key: str = Field(primary_key=True)
    case_id: int | None = Field(default=None, foreign_key="case.id", index=True)
    kind: str
    sent_at: datetime
