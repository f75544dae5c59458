"""Helpers of the council tests: an app on a database, participants with roles."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from planlab.council import audit
from planlab.council.app import create_app
from planlab.council.db import Database
from planlab.council.models import User
from planlab.council.security import COOKIE, hash_password, start_session
from planlab.council.settings import Settings

PASSWORD = "a long enough password"
BACKENDS = pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
"""Run a test that takes ``db_url`` (or ``app``) on SQLite and on PostgreSQL."""


@dataclass
class Member:
    """A participant with their own client (cookie jar) and CSRF token."""

    name: str
    client: TestClient
    csrf: str

    def get(self, url: str) -> Any:
        return self.client.get(url)

    def post(self, url: str, json: Any = None) -> Any:
        return self.client.post(url, json=json, headers={"X-CSRF-Token": self.csrf})


def db_url_of(where: Path | str) -> str:
    """A database URL: a path is a SQLite file, a string already a URL."""
    return f"sqlite:///{where}" if isinstance(where, Path) else where


def make_app(where: Path | str, **overrides: Any) -> FastAPI:
    return create_app(Settings(db_url=db_url_of(where), **overrides))


@cache
def _hash() -> str:
    """One Argon2 hash of the shared test password (hashing is slow on purpose)."""
    return hash_password(PASSWORD)


def add_user(session: Session, name: str, role: str, branch: str | None = None) -> User:
    """An account with a role, its registration and grant recorded in the audit chain as the
    service would record them."""
    user = User(name=name, password_hash=_hash(), role=role, branch=branch)
    session.add(user)
    session.flush()
    audit.append(session, name, "user.register", f"user:{user.id}", {"name": name})
    audit.append(
        session, "<test>", "user.grant", f"user:{user.id}", {"role": role, "branch": branch}
    )
    return user


def member(app: FastAPI, name: str, role: str, branch: str | None = None) -> Member:
    """An account with a role and an open session (logins through the API are tested apart);
    its registration and grant are in the audit chain, as the service would record them."""
    db: Database = app.state.db
    with db.write() as session:
        user = add_user(session, name, role, branch)
        login = start_session(session, user, app.state.settings)
    client = TestClient(app, cookies={COOKIE: login.token})
    return Member(name, client, login.csrf)
