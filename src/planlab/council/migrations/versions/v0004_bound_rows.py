"""Counted rows bound to their audit events; replacing inserts and changes refused.

Proposals, comments and votes keep the hash of the audit event that holds their
content (``event_hash``), and votes their commitment's salt. Triggers refuse:

- an audit event that is not the next link (so ``INSERT OR REPLACE`` cannot
  rewrite the chain on SQLite, whose REPLACE deletes without DELETE triggers);
- an insert that would replace a proposal, comment or vote;
- any change to a bound proposal, comment or vote, and any deletion of one.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COUNTED = ("proposals", "comments", "votes")
GENESIS = "0" * 64
_SAME_ROW = {
    "proposals": "id = NEW.id",
    "comments": "id = NEW.id",
    "votes": "id = NEW.id OR (ballot_id = NEW.ballot_id AND participant_id = NEW.participant_id)",
}


def upgrade() -> None:
    for table in ("proposals", "comments", "votes"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("event_hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("votes") as batch_op:
        batch_op.add_column(sa.Column("salt", sa.String(length=64), nullable=True))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_triggers()
    elif dialect == "postgresql":
        _postgresql_triggers()


def _sqlite_triggers() -> None:
    op.execute(
        "CREATE TRIGGER audit_events_next_link BEFORE INSERT ON audit_events "
        "WHEN NEW.id != (SELECT COALESCE(MAX(id), 0) + 1 FROM audit_events) "
        "OR NEW.prev_hash != COALESCE((SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1), "
        f"'{GENESIS}') "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: not the next link'); END"
    )
    for table in COUNTED:
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {_SAME_ROW[table]}) "
            f"BEGIN SELECT RAISE(ABORT, '{table} are never replaced'); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            "WHEN OLD.event_hash IS NOT NULL "
            f"BEGIN SELECT RAISE(ABORT, '{table} bound to the audit chain are never changed'); END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} are never deleted'); END"
        )


def _postgresql_triggers() -> None:
    op.execute(
        "CREATE FUNCTION counted_rows_fixed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '% are never deleted', TG_TABLE_NAME; END IF; "
        "IF OLD.event_hash IS NOT NULL THEN "
        "RAISE EXCEPTION '% bound to the audit chain are never changed', TG_TABLE_NAME; END IF; "
        "RETURN NEW; END $$"
    )
    for table in COUNTED:
        op.execute(
            f"CREATE TRIGGER {table}_fixed BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION counted_rows_fixed()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_next_link")
        for table in COUNTED:
            for suffix in ("no_replace", "no_update", "no_delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
    elif dialect == "postgresql":
        for table in COUNTED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_fixed ON {table}")
        op.execute("DROP FUNCTION IF EXISTS counted_rows_fixed()")
    with op.batch_alter_table("votes") as batch_op:
        batch_op.drop_column("salt")
    for table in ("proposals", "comments", "votes"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("event_hash")
