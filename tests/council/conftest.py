"""Fixtures of the council tests: an app on a fresh SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from _council import make_app
from fastapi import FastAPI


@pytest.fixture
def app(tmp_path: Path) -> Iterator[FastAPI]:
    application = make_app(tmp_path / "council.db", login_failures=3)
    yield application
    application.state.db.dispose()
