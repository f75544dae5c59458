"""The audit covers what is counted (F8): rows bound to events, tallies recounted,
replacing inserts refused, and a chain cut short found by an anchor."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _council import BACKENDS, member
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from planlab.council import integrity

TABLES = ("audit_events", "proposals", "comments", "votes", "users", "ballots")


def _round(app: FastAPI) -> dict[str, Any]:
    """A closed ranked ballot with three votes, a proposal with a comment, granted roles."""
    boss = member(app, "boss", "commission")
    ind = member(app, "ind", "delegate", "industry_1")
    voters = [member(app, n, "workers") for n in ("ann", "bob")]
    r = boss.post("/api/rounds", {"title": "r", "source": "textbook-3", "years": 2}).json()["id"]
    made = ind.post(
        f"/api/rounds/{r}/proposals", {"kind": "target", "branch": "industry_1", "value": -0.02}
    ).json()
    assert ind.post(f"/api/proposals/{made['id']}/comments", {"text": "é, in favour"}).status_code
    variants = [
        boss.post(f"/api/rounds/{r}/variants", {"name": n, "proposal_ids": p}).json()["id"]
        for n, p in (("with", [made["id"]]), ("without", []))
    ]
    ballot = boss.post(
        f"/api/rounds/{r}/ballots", {"kind": "ranked", "candidates": variants}
    ).json()["id"]
    first, second = (str(v) for v in variants)
    for who, choice in ((ind, [first, second]), (voters[0], [second]), (voters[1], [first])):
        assert who.post(f"/api/ballots/{ballot}/votes", {"choice": choice}).status_code == 201
    boss.post(f"/api/ballots/{ballot}/close")
    return {"ballot": ballot, "proposal": made["id"]}


def _problems(app: FastAPI) -> list[str]:
    with app.state.db.read() as session:
        return integrity.problems(session)


def _as_owner(url: str, statement: str) -> None:
    """As someone with the database's own rights: switch the triggers off, then change a row."""
    engine = create_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            names = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).scalars()
            for name in list(names):
                connection.exec_driver_sql(f"DROP TRIGGER {name}")
        else:
            for table in TABLES:
                connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        connection.exec_driver_sql(statement)
    engine.dispose()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planlab", "council", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@BACKENDS
def test_an_honest_round_verifies(app: FastAPI) -> None:
    _round(app)
    assert _problems(app) == []


@BACKENDS
@pytest.mark.parametrize(
    ("statement", "found"),
    [
        ("UPDATE votes SET choice = '[\"{second}\"]' WHERE id = 1", "vote 1"),
        ("UPDATE comments SET text = 'against' WHERE id = 1", "comment 1"),
        ("UPDATE proposals SET value = 0.5 WHERE id = 1", "proposal 1"),
        ("UPDATE users SET role = 'commission' WHERE name = 'ann'", "role"),
        ('UPDATE ballots SET result = \'{{"winners": ["{second}"]}}\'', "recount"),
        ("DELETE FROM votes WHERE id = 3", "ballot 1"),
    ],
)
def test_tampered_counted_rows_are_found(
    app: FastAPI, db_url: str, statement: str, found: str
) -> None:
    world = _round(app)
    with app.state.db.read() as session:
        second = session.execute(text("SELECT candidates FROM ballots")).scalar_one()
    second = json.loads(second)[1] if isinstance(second, str) else second[1]
    app.state.db.dispose()
    _as_owner(db_url, statement.format(second=second, **world))
    problems = _problems(app)
    assert any(found in line for line in problems), problems


@BACKENDS
@pytest.mark.parametrize("table", ["votes", "comments", "proposals"])
def test_counted_rows_cannot_be_changed_or_deleted(app: FastAPI, table: str) -> None:
    _round(app)
    for statement in (f"UPDATE {table} SET id = id WHERE id = 1", f"DELETE FROM {table}"):
        with pytest.raises(DBAPIError, match="never"), app.state.db.write() as session:
            session.execute(text(statement))


def test_insert_or_replace_cannot_rewrite_the_chain_or_a_vote(app: FastAPI) -> None:
    """F8: SQLite's REPLACE deletes without DELETE triggers; the insert triggers refuse it."""
    _round(app)
    with app.state.db.read() as session:
        row = session.execute(text("SELECT * FROM audit_events WHERE id = 3")).mappings().one()
    columns = ", ".join(row)
    values = ", ".join(f":{c}" for c in row)
    replace = f"INSERT OR REPLACE INTO audit_events ({columns}) VALUES ({values})"
    with pytest.raises(DBAPIError, match="append-only"), app.state.db.write() as session:
        session.execute(text(replace), {**row, "actor": "someone else"})
    with pytest.raises(DBAPIError, match="never replaced"), app.state.db.write() as session:
        session.execute(
            text(
                "INSERT OR REPLACE INTO votes (id, ballot_id, participant_id, choice, created_at) "
                "VALUES (1, 1, 1, '[]', '2026-01-01')"
            )
        )
    assert _problems(app) == []


def test_an_anchor_finds_a_chain_cut_short(app: FastAPI, db_url: str, tmp_path: Path) -> None:
    _round(app)
    app.state.db.dispose()
    anchor = tmp_path / "anchor.json"
    done = _cli("anchor", "--db", db_url, "--out", str(anchor))
    assert done.returncode == 0, done.stderr
    assert _cli("verify-audit", "--db", db_url, "--anchor", str(anchor)).returncode == 0
    engine = create_engine(db_url)
    with engine.connect() as connection:
        last = connection.exec_driver_sql("SELECT MAX(id) FROM audit_events").scalar_one()
    engine.dispose()
    _as_owner(db_url, f"DELETE FROM audit_events WHERE id > {last - 3}")
    anchored = _cli("verify-audit", "--db", db_url, "--anchor", str(anchor))
    assert anchored.returncode == 1
    assert "cut short" in anchored.stderr


def test_anchor_file_that_is_not_json_is_a_one_line_error(app: FastAPI, tmp_path: Path) -> None:
    bad = tmp_path / "anchor.json"
    bad.write_text("not json", encoding="utf-8")
    done = _cli("verify-audit", "--db", app.state.settings.db_url, "--anchor", str(bad))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
