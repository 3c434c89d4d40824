"""Baseline: the schema as of the first release with migrations (tables, indexes, keys).

Revision ID: 0001
Revises:
Created: 2026-11-22 13:52:40.997197
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kenmerk", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("mailbox", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("phase", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reporter_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reporter_address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("aware_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("ap_deadline_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("inbound_message_id", sa.Integer(), nullable=True),
        sa.Column("answers", sa.Text(), server_default="{}", nullable=False),
        sa.Column("free_text", sa.Text(), server_default="[]", nullable=False),
        sa.Column("handler", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("technician", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("close_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("last_reminder_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ap_decision", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ap_decision_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("ap_reference", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ap_notified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("ap_notification_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ap_delay_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("subjects_decision", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subjects_decision_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("subjects_informed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("subjects_channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("fg_advice", sa.Text(), server_default="", nullable=False),
        sa.Column("fg_advice_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("fg_advice_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("board_decision", sa.Text(), server_default="", nullable=False),
        sa.Column("board_decision_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("board_decision_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("assessment", sa.Text(), server_default="{}", nullable=False),
        sa.Column("removed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        # case <-> inbound_message point at each other: SQLite takes the reference before the
        # table exists; elsewhere it is added once inbound_message is there (below).
        *(
            [sa.ForeignKeyConstraint(["inbound_message_id"], ["inbound_message.id"], name="fk_case_inbound_message")]
            if sqlite
            else []
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_kenmerk"), ["kenmerk"], unique=True)

    op.create_table(
        "connection_health",
        sa.Column("mailbox", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_ok_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("failing_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("last_error_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("told_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("mailbox", "channel"),
    )
    op.create_table(
        "inbound_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mailbox", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("folder", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("uidvalidity", sa.Integer(), nullable=False),
        sa.Column("uid", sa.Integer(), nullable=False),
        sa.Column("identity", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("raw_path", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("arrived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("fetched_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("disposition", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("from_address", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("processed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("sender_role", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("purged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_inbound_location"),
    )
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbound_message_arrived_at"), ["arrived_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_message_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_message_from_address"), ["from_address"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_message_identity"), ["identity"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_message_mailbox"), ["mailbox"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_message_message_id"), ["message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inbound_message_status"), ["status"], unique=False)

    if not sqlite:
        op.create_foreign_key("fk_case_inbound_message", "case", "inbound_message", ["inbound_message_id"], ["id"])
    op.create_table(
        "kenmerk_counter",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "mailbox_state",
        sa.Column("mailbox", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("folder", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("uidvalidity", sa.Integer(), nullable=False),
        sa.Column("last_uid", sa.Integer(), nullable=False),
        sa.Column("last_check_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("mailbox"),
    )
    op.create_table(
        "worker_lease",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("acquired_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("renewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("inbound_message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("stored_path", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("purged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_message.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attachment_inbound_message_id"), ["inbound_message_id"], unique=False)

    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("inbound_message_id", sa.Integer(), nullable=True),
        sa.Column("detail_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("redacted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_message.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("mailbox", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sender", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("auto_reply", sa.Boolean(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("caused_by_message_id", sa.Integer(), nullable=True),
        sa.Column("purged_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.ForeignKeyConstraint(
            ["caused_by_message_id"],
            ["inbound_message.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_message_id"), ["message_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_outbox_recipient"), ["recipient"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_status"), ["status"], unique=False)

    op.create_table(
        "sent_notice",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case.id"],
        ),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("sent_notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sent_notice_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    raise NotImplementedError("the baseline is not undone: restore a backup of the database instead")
