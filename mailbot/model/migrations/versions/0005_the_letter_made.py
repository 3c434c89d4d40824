"""When the letter to the people affected (or the public statement) was last made: the
register shows it beside when they were informed; the files themselves are kept with the case
as its attachments.

Revision ID: 0005
Revises: 0004
Created: 2026-12-02 14:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("subjects_letter_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case", schema=None) as batch_op:
        batch_op.drop_column("subjects_letter_at")
