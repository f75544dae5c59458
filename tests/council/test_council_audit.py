"""The audit chain: appended in the same transaction, append-only, verified link by link."""

from __future__ import annotations

import itertools
import subprocess
import sys

import pytest
from _council import BACKENDS
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from planlab.council import audit
from planlab.council.db import Database, upgrade

DROP_TRIGGERS = {
    "sqlite": ["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"],
    "postgresql": ["DROP TRIGGER audit_events_no_change ON audit_events"],
}


def _db(url: str, events: int = 5) -> Database:
    upgrade(url)
    db = Database.connect(url)
    for k in range(events):
        with db.write() as session:
            audit.append(session, "tester", "test.event", f"thing:{k}", {"k": k, "text": "é"})
    return db


def _verify_cli(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planlab", "council", "verify-audit", "--db", url],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _tamper(url: str, statement: str) -> None:
    """As someone with the database's own rights: drop the triggers, then change the chain."""
    engine = create_engine(url)
    with engine.begin() as connection:
        for drop in DROP_TRIGGERS[connection.dialect.name]:
            connection.exec_driver_sql(drop)
        connection.exec_driver_sql(statement)
    engine.dispose()


@BACKENDS
def test_chain_links_each_event_to_the_one_before(db_url: str) -> None:
    db = _db(db_url)
    with db.read() as session:
        assert audit.verify(session) is None
        rows = list(session.scalars(audit.select(audit.AuditEvent).order_by(audit.AuditEvent.id)))
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    db.dispose()


@BACKENDS
def test_an_event_rolled_back_with_its_change_leaves_no_link(db_url: str) -> None:
    db = _db(db_url, events=2)
    with pytest.raises(RuntimeError), db.write() as session:
        audit.append(session, "tester", "test.event", "thing:x", {})
        raise RuntimeError("the change failed")
    with db.read() as session:
        assert audit.verify(session) is None
        assert session.query(audit.AuditEvent).count() == 2
    db.dispose()


@BACKENDS
@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"]
)
def test_triggers_refuse_changes(db_url: str, statement: str) -> None:
    db = _db(db_url)
    with pytest.raises(DBAPIError, match="append-only"), db.write() as session:
        session.execute(text(statement))
    db.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_postgresql_refuses_truncate_too(db_url: str) -> None:
    db = _db(db_url)
    with pytest.raises(DBAPIError, match="append-only"), db.write() as session:
        session.execute(text("TRUNCATE audit_events"))
    with db.read() as session:
        assert audit.verify(session) is None
        assert session.query(audit.AuditEvent).count() == 5
    db.dispose()


@BACKENDS
def test_verify_audit_names_the_tampered_row(db_url: str) -> None:
    _db(db_url).dispose()
    assert _verify_cli(db_url).returncode == 0
    _tamper(db_url, """UPDATE audit_events SET payload = '{"k":99,"text":"é"}' WHERE id = 3""")
    done = _verify_cli(db_url)
    assert done.returncode != 0
    assert "row 3" in done.stderr and "changed" in done.stderr


@BACKENDS
def test_verify_audit_notices_a_removed_row(db_url: str) -> None:
    _db(db_url).dispose()
    _tamper(db_url, "DELETE FROM audit_events WHERE id = 2")
    done = _verify_cli(db_url)
    assert done.returncode != 0
    assert "row 3" in done.stderr


@BACKENDS
def test_verify_audit_refuses_a_database_that_is_no_council_database(db_url: str) -> None:
    done = _verify_cli(db_url)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
