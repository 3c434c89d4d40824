"""An index of the open cases by AP deadline: the periodic work reads the open cases every
minute, and without it read the whole table, closed cases of all years included. Partial
(``WHERE closed_at IS NULL``), so it stays as small as the number of open cases.

Revision ID: 0004
Revises: 0003
Created: 2026-12-02 11:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_open_ap_deadline_at",
            ["ap_deadline_at"],
            unique=False,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_index("ix_case_open_ap_deadline_at")
