"""Fixtures of the council tests: a fresh database (SQLite, or PostgreSQL where asked) and an app.

``db_url`` is a new SQLite file unless a test asks for both backends with
``@BACKENDS`` (from ``_council``); then the PostgreSQL run gets an empty
database in a cluster started once for the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _council import make_app
from _postgres import Cluster, server_bin
from fastapi import FastAPI


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster, stopped and removed after the session."""
    found = server_bin()
    if found is None:
        pytest.fail("PostgreSQL's initdb is missing: `make postgres` installs it")
    cluster = Cluster(found)
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database of the backend named by the parameter."""
    if request.param == "postgresql":
        cluster: Cluster = request.getfixturevalue("postgres")
        return cluster.database()
    return f"sqlite:///{tmp_path / 'council.db'}"


@pytest.fixture
def app(db_url: str) -> Iterator[FastAPI]:
    application = make_app(db_url, login_failures=3)
    yield application
    application.state.db.dispose()
