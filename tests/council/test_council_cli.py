"""The council's commands: bad input is one line and exit 2."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from planlab.cli import app

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
