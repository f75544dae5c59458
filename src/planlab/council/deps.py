"""FastAPI dependencies: the database, the logged-in participant, permission and CSRF checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import HTTPException, Request, Response, status
from sqlalchemy import delete, select

from planlab.council.db import Database
from planlab.council.models import LoginFailure, SessionRow, User
from planlab.council.permissions import TABLE
from planlab.council.security import (
    COOKIE,
    CSRF_HEADER,
    Login,
    check_password,
    csrf_matches,
    login_allowed,
    record_failure,
    session_user,
    start_session,
)
from planlab.council.settings import Settings

__all__ = [
    "Viewer",
    "client_address",
    "database",
    "log_in",
    "permit",
    "set_session_cookie",
    "settings",
    "viewer",
]

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def database(request: Request) -> Database:
    """The application's database."""
    db: Database = request.app.state.db
    return db


def settings(request: Request) -> Settings:
    """The application's settings."""
    found: Settings = request.app.state.settings
    return found


@dataclass(frozen=True)
class Viewer:
    """Who is asking: the participant and their session."""

    user: User
    session: SessionRow


def viewer(request: Request) -> Viewer | None:
    """The logged-in participant behind the request's cookie, if any."""
    with database(request).read() as session:
        found = session_user(session, request.cookies.get(COOKIE))
    return None if found is None else Viewer(*found)


def permit(*actions: str) -> Callable[[Request], Viewer]:
    """A dependency: the participant, if their role may take one of ``actions``.

    Anonymous requests get 401, other roles 403; a write (any method but GET,
    HEAD, OPTIONS) also needs the session's CSRF token in ``X-CSRF-Token``.
    """

    def check(request: Request) -> Viewer:
        who = viewer(request)
        if who is None:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "log in first")
        if not any(who.user.role in TABLE[action] for action in actions):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"role {who.user.role!r} may not {' or '.join(actions)}"
            )
        if request.method not in SAFE and not csrf_matches(
            who.session.csrf, request.headers.get(CSRF_HEADER)
        ):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing or wrong {CSRF_HEADER}")
        return who

    return check


def set_session_cookie(response: Response, token: str, config: Settings) -> None:
    """The session cookie: HttpOnly, SameSite=Lax, Secure when configured."""
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(config.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=config.secure_cookies,
        path="/",
    )


def client_address(request: Request) -> str:
    """The client's address, as the throttle counts it."""
    return request.client.host if request.client else "unknown"


def log_in(db: Database, config: Settings, name: str, password: str, address: str) -> Login:
    """Check a password under the throttle; a session, or HTTP 401/429."""
    with db.write() as session:
        if not login_allowed(session, name, address, config):
            raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many failed logins")
        user = session.scalar(select(User).where(User.name == name))
        if not check_password(user.password_hash if user else None, password) or user is None:
            record_failure(session, name, address)
            failed = True
        else:
            session.execute(delete(LoginFailure).where(LoginFailure.account == name))
            login = start_session(session, user, config)
            failed = False
    if failed:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong name or password")
    return login
