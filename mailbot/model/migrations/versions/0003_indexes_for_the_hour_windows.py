"""Indexes for the hour windows: the loop guard counts a sender's messages of the last hour, and
the reply limit a recipient's automatic replies of the last hour, for every new message. By
address and time, each count reads that hour instead of the address's whole history (an
officer's replies over the years). The indexes on the address alone are their prefixes, and go.

Revision ID: 0003
Revises: 0002
Created: 2026-11-22 19:56:28.634496
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_message_from_address"))
        batch_op.create_index(
            "ix_inbound_message_from_address_arrived_at", ["from_address", "arrived_at"], unique=False
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_recipient"))
        batch_op.create_index("ix_outbox_recipient_created_at", ["recipient", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_recipient_created_at")
        batch_op.create_index(batch_op.f("ix_outbox_recipient"), ["recipient"], unique=False)
    with op.batch_alter_table("inbound_message", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_message_from_address_arrived_at")
        batch_op.create_index(batch_op.f("ix_inbound_message_from_address"), ["from_address"], unique=False)
