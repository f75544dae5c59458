"""Iterative rounds: the round's current iteration, its limit and the ended iterations.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _one(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False, server_default="1")


def upgrade() -> None:
    with op.batch_alter_table("rounds") as batch_op:
        batch_op.add_column(_one("iteration"))
        batch_op.add_column(_one("max_iterations"))
        batch_op.add_column(sa.Column("iterations", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("proposals") as batch_op:
        batch_op.add_column(_one("iteration"))


def downgrade() -> None:
    with op.batch_alter_table("proposals") as batch_op:
        batch_op.drop_column("iteration")
    with op.batch_alter_table("rounds") as batch_op:
        batch_op.drop_column("iterations")
        batch_op.drop_column("max_iterations")
        batch_op.drop_column("iteration")
