"""The council's commands: bad input is one line and exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planlab.cli import app
from planlab.council.settings import MAX_WORKERS, cores

runner = CliRunner()


def test_serve_refuses_an_unknown_database_scheme() -> None:
    done = runner.invoke(app, ["serve", "--db", "mysql://somewhere/council"])
    assert done.exit_code == 2
    assert len(done.output.strip().splitlines()) == 1
    assert "db_url" in done.output


def test_create_user_then_a_taken_name_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    args = ["council", "create-user", "chair", "--role", "commission", "--db", url]
    first = runner.invoke(app, [*args, "--password", "a long enough password"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, [*args, "--password", "a long enough password"])
    assert again.exit_code == 2
    assert len(again.output.strip().splitlines()) == 1
    bad = runner.invoke(
        app,
        [
            "council",
            "create-user",
            "dele",
            "--role",
            "delegate",
            "--db",
            url,
            "--password",
            "a long enough password",
        ],
    )
    assert bad.exit_code == 2
    assert "branch" in bad.output
    done = runner.invoke(app, ["council", "verify-audit", "--db", url])
    assert done.exit_code == 0
    assert "audit chain holds: 2 events" in done.output, "registration and grant of chair only"


def test_serve_runs_one_process_per_core_unless_told(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default number of server processes is the cores the process may run on (two on
    the project's machine, where one process could not keep p99 under 300 ms on
    PostgreSQL); ``PLANLAB_WORKERS`` and ``--workers`` override it."""
    import uvicorn

    started: list[int] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(k.get("workers", 1)))
    monkeypatch.delenv("PLANLAB_WORKERS", raising=False)
    monkeypatch.setenv("PLANLAB_DB_URL", f"sqlite:///{tmp_path / 'c.db'}")
    assert runner.invoke(app, ["serve"]).exit_code == 0
    assert started[-1] == cores() == min(len(os.sched_getaffinity(0)), MAX_WORKERS)
    monkeypatch.setenv("PLANLAB_WORKERS", "1")
    assert runner.invoke(app, ["serve"]).exit_code == 0
    assert started[-1] == 1
    assert runner.invoke(app, ["serve", "--workers", "3"]).exit_code == 0
    assert started[-1] == 3
