"""The audit chain: appended in the same transaction, append-only, verified link by link."""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from planlab.council import audit
from planlab.council.db import Database, upgrade


def _db(path: Path, events: int = 5) -> Database:
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database.connect(url)
    for k in range(events):
        with db.write() as session:
            audit.append(session, "tester", "test.event", f"thing:{k}", {"k": k, "text": "é"})
    return db


def _verify_cli(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planlab", "council", "verify-audit", "--db", f"sqlite:///{path}"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_chain_links_each_event_to_the_one_before(tmp_path: Path) -> None:
    db = _db(tmp_path / "a.db")
    with db.read() as session:
        assert audit.verify(session) is None
        rows = list(session.scalars(audit.select(audit.AuditEvent).order_by(audit.AuditEvent.id)))
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    db.dispose()


def test_an_event_rolled_back_with_its_change_leaves_no_link(tmp_path: Path) -> None:
    db = _db(tmp_path / "a.db", events=2)
    with pytest.raises(RuntimeError), db.write() as session:
        audit.append(session, "tester", "test.event", "thing:x", {})
        raise RuntimeError("the change failed")
    with db.read() as session:
        assert audit.verify(session) is None
        assert session.query(audit.AuditEvent).count() == 2
    db.dispose()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"]
)
def test_triggers_refuse_changes(tmp_path: Path, statement: str) -> None:
    db = _db(tmp_path / "a.db")
    with pytest.raises(DBAPIError, match="append-only"), db.write() as session:
        session.execute(audit.text(statement))
    db.dispose()


def test_verify_audit_names_the_tampered_row(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    _db(path).dispose()
    assert _verify_cli(path).returncode == 0
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TRIGGER audit_events_no_update")
        raw.execute("""UPDATE audit_events SET payload = '{"k":99,"text":"é"}' WHERE id = 3""")
    done = _verify_cli(path)
    assert done.returncode != 0
    assert "row 3" in done.stderr and "changed" in done.stderr


def test_verify_audit_notices_a_removed_row(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    _db(path).dispose()
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TRIGGER audit_events_no_delete")
        raw.execute("DELETE FROM audit_events WHERE id = 2")
    done = _verify_cli(path)
    assert done.returncode != 0
    assert "row 3" in done.stderr


def test_verify_audit_refuses_a_file_that_is_no_council_database(tmp_path: Path) -> None:
    done = _verify_cli(tmp_path / "nothing.db")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
