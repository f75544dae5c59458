"""Helpers of the council tests: an app on a SQLite file, participants with roles."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from planlab.council import service
from planlab.council.app import create_app
from planlab.council.db import Database
from planlab.council.settings import Settings

PASSWORD = "a long enough password"


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


def make_app(path: Path, **overrides: Any) -> FastAPI:
    return create_app(Settings(db_url=f"sqlite:///{path}", **overrides))


def member(app: FastAPI, name: str, role: str, branch: str | None = None) -> Member:
    """Create an account with a role and log it in through the API."""
    db: Database = app.state.db
    service.create_user(db, name, PASSWORD, role, branch)
    client = TestClient(app)
    answer = client.post("/api/auth/login", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return Member(name, client, answer.json()["csrf_token"])
