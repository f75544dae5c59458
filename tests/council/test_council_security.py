"""Accounts and sessions: Argon2 hashes, cookie flags, CSRF on writes, login throttling."""

from __future__ import annotations

import re
from pathlib import Path

from _council import PASSWORD, make_app, member
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from planlab.council.models import User


def _login(client: TestClient, name: str, password: str) -> int:
    return client.post("/api/auth/login", json={"name": name, "password": password}).status_code


def test_registration_makes_an_observer_with_an_argon2_hash(app: FastAPI) -> None:
    client = TestClient(app)
    answer = client.post("/api/auth/register", json={"name": "newcomer", "password": PASSWORD})
    assert answer.status_code == 201
    assert answer.json()["role"] == "observer"
    assert "password" not in answer.text
    with app.state.db.read() as session:
        stored = session.scalar(select(User.password_hash).where(User.name == "newcomer"))
    assert stored is not None and stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_registration_refuses_weak_passwords_and_taken_names(app: FastAPI) -> None:
    client = TestClient(app)
    assert (
        client.post("/api/auth/register", json={"name": "x1y", "password": "short"}).status_code
        == 422
    )
    assert (
        client.post("/api/auth/register", json={"name": "abc", "password": PASSWORD}).status_code
        == 201
    )
    assert (
        client.post("/api/auth/register", json={"name": "abc", "password": PASSWORD}).status_code
        == 409
    )


def test_session_cookie_is_httponly_and_samesite(app: FastAPI) -> None:
    member(app, "someone", "observer")
    answer = TestClient(app).post("/api/auth/login", json={"name": "someone", "password": PASSWORD})
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_secure_cookies_when_configured(tmp_path: Path) -> None:
    app = make_app(tmp_path / "s.db", secure_cookies=True)
    member(app, "someone", "observer")
    answer = TestClient(app).post("/api/auth/login", json={"name": "someone", "password": PASSWORD})
    assert "secure" in answer.headers["set-cookie"].lower()
    app.state.db.dispose()


def test_api_write_without_csrf_header_is_refused(app: FastAPI) -> None:
    boss = member(app, "boss", "commission")
    body = {"title": "r", "source": "textbook-3"}
    assert boss.client.post("/api/rounds", json=body).status_code == 403
    wrong = boss.client.post("/api/rounds", json=body, headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403
    assert boss.post("/api/rounds", body).status_code == 201


def test_form_post_without_csrf_token_is_refused(app: FastAPI) -> None:
    boss = member(app, "boss", "commission")
    form = {"title": "r", "source": "textbook-3"}
    assert boss.client.post("/rounds", data=form, follow_redirects=False).status_code == 403
    form["csrf_token"] = boss.csrf
    assert boss.client.post("/rounds", data=form, follow_redirects=False).status_code == 303


def test_login_form_needs_the_token_set_with_it(app: FastAPI) -> None:
    member(app, "someone", "observer")
    client = TestClient(app)
    form = {"name": "someone", "password": PASSWORD}
    assert client.post("/login", data=form, follow_redirects=False).status_code == 403
    page = client.get("/login").text
    match = re.search(r'name="form_token" value="([^"]+)"', page)
    assert match is not None
    form["form_token"] = match.group(1)
    assert client.post("/login", data=form, follow_redirects=False).status_code == 303


def test_throttle_after_failed_logins_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    app = make_app(path, login_failures=3)
    member(app, "target", "observer")
    client = TestClient(app)
    assert [_login(client, "target", "wrong password!") for _ in range(3)] == [401] * 3
    assert _login(client, "target", PASSWORD) == 429, (
        "the right password is refused while throttled"
    )
    app.state.db.dispose()
    again = make_app(path, login_failures=3)
    assert _login(TestClient(again), "target", PASSWORD) == 429
    again.state.db.dispose()


def test_throttle_per_client_address(tmp_path: Path) -> None:
    app = make_app(tmp_path / "t.db", login_failures=100, address_failures=4)
    member(app, "target", "observer")
    client = TestClient(app)
    for k in range(4):
        assert _login(client, f"nobody{k}", "wrong password!") == 401
    assert _login(client, "target", PASSWORD) == 429
    app.state.db.dispose()


def test_logout_ends_the_session(app: FastAPI) -> None:
    someone = member(app, "someone", "observer")
    assert someone.get("/api/auth/me").status_code == 200
    assert someone.client.post("/api/auth/logout").status_code == 403, "logout needs the CSRF token"
    assert someone.post("/api/auth/logout").status_code == 204
    assert someone.get("/api/auth/me").status_code == 401
