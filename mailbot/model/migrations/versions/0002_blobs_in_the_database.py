"""Blobs in the database: raw messages, attachments and documents as rows (store.py), so that a
standby worker on another machine can read what the worker before it stored.

Revision ID: 0002
Revises: 0001
Created: 2026-11-22 14:57:50.651288
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_chunk",
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("path", "seq"),
    )


def downgrade() -> None:
    op.drop_table("blob_chunk")
