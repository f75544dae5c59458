"""Accounts and logins: Argon2 password hashes, server-side sessions, CSRF tokens, throttling.

The session cookie holds a random token; the database keeps only its SHA-256,
so a copy of the database cannot be replayed as a login. Each session has its
own CSRF token, asked for in every form post (field ``csrf_token``) and every
JSON write (header ``X-CSRF-Token``). Failed logins are stored, so the throttle
holds across restarts. It counts per account and client address together, and
per address alone: past the free failures each further guess must wait twice
as long as the one before (exponential back-off). A guesser slows only their
own address, never the account's owner logging in from elsewhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Row, Select, bindparam, delete, func, select
from sqlalchemy.orm import Session

from planlab.council.models import LoginFailure, Registration, SessionRow, User, now
from planlab.council.settings import Settings

__all__ = [
    "COOKIE",
    "CSRF_HEADER",
    "LOGIN",
    "LOGIN_COLUMNS",
    "NAME_PATTERN",
    "Login",
    "backoff",
    "check_password",
    "csrf_matches",
    "end_session",
    "hash_password",
    "login_of",
    "login_params",
    "login_query",
    "login_wait",
    "password_problem",
    "record_failure",
    "record_registration",
    "registration_wait",
    "retry_after",
    "session_user",
    "start_session",
]

COOKIE = "planlab_session"
CSRF_HEADER = "X-CSRF-Token"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,40}$")
MIN_PASSWORD = 10
MAX_DOUBLINGS = 30
"""Back-off stops doubling here (2^30 x the first wait is beyond any window)."""
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    """The Argon2id hash (with its own salt and parameters) of a password."""
    return _hasher.hash(password)


def check_password(stored: str | None, password: str) -> bool:
    """Whether the password matches; as slow for unknown accounts as for known ones."""
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(name: str, password: str) -> str | None:
    """What is wrong with a new account's name or password, or None."""
    if not NAME_PATTERN.match(name):
        return "name: 3 to 40 letters, digits, '.', '_' or '-'"
    if len(password) < MIN_PASSWORD:
        return f"password: at least {MIN_PASSWORD} characters"
    return None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Login:
    """A started session: the cookie's token and the session's CSRF token."""

    token: str
    csrf: str


def start_session(session: Session, user: User, settings: Settings) -> Login:
    """A new session for ``user``; expired sessions are removed on the way."""
    session.execute(delete(SessionRow).where(SessionRow.expires_at < now()))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        SessionRow(
            id=_digest(token),
            user_id=user.id,
            csrf=csrf,
            expires_at=now() + dt.timedelta(hours=settings.session_hours),
        )
    )
    return Login(token, csrf)


LOGIN_COLUMNS = (
    User.id,
    User.name,
    User.role,
    User.branch,
    SessionRow.id,
    SessionRow.csrf,
    SessionRow.created_at,
    SessionRow.expires_at,
)
"""What a request's login needs, read as plain columns: loading ORM rows for them cost
half of a kept read's time."""


def login_query(*more: ColumnElement[Any]) -> Select[Any]:
    """One statement: ``LOGIN_COLUMNS`` of the session behind a cookie's token, if it is
    known and not expired, then the columns ``more`` (read in the same statement). Its
    parameters are ``login_params``; build it once and run it many times, as SQLAlchemy
    spends more time building and keying a statement than SQLite takes to run this one."""
    return (
        select(*LOGIN_COLUMNS, *more)
        .join(SessionRow, SessionRow.user_id == User.id)
        .where(SessionRow.id == bindparam("digest"), SessionRow.expires_at >= bindparam("now"))
    )


def login_params(token: str) -> dict[str, Any]:
    """The parameters of ``login_query`` for a cookie's token, now."""
    return {"digest": _digest(token), "now": now()}


LOGIN = login_query()


def login_of(row: Row[Any]) -> tuple[User, SessionRow]:
    """The participant and session of a ``login_query`` row, as detached rows: the
    password hash is not read."""
    user_id, name, role, branch, key, csrf, created, expires = row[: len(LOGIN_COLUMNS)]
    user = User(id=user_id, name=name, role=role, branch=branch)
    found = SessionRow(id=key, user_id=user_id, csrf=csrf, created_at=created, expires_at=expires)
    return user, found


def session_user(session: Session, token: str | None) -> tuple[User, SessionRow] | None:
    """The user and session behind a cookie's token, if it is known and not expired (one
    statement: it runs before every request that needs a login)."""
    if not token:
        return None
    found = session.execute(LOGIN, login_params(token)).first()
    return None if found is None else login_of(found)


def end_session(session: Session, token: str | None) -> None:
    """Forget a session (logout)."""
    if token:
        session.execute(delete(SessionRow).where(SessionRow.id == _digest(token)))


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token."""
    return given is not None and hmac.compare_digest(expected, given)


def backoff(failures: int, free: int, first: float, cap: float) -> float:
    """Seconds to wait after the last of ``failures``: none for the first ``free``, then
    ``first``, doubling with each further failure, never above ``cap``.

    >>> [backoff(n, 3, 30.0, 900.0) for n in (2, 3, 4, 5, 9)]
    [0.0, 30.0, 60.0, 120.0, 900.0]
    """
    if failures < free:
        return 0.0
    return min(first * 2.0 ** min(failures - free, MAX_DOUBLINGS), cap)


def _remaining(session: Session, settings: Settings, free: int, *where: Any) -> float:
    since = now() - dt.timedelta(seconds=settings.login_window_seconds)
    failures, last = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(LoginFailure.at >= since, *where)
    ).one()
    if last is None:
        return 0.0
    delay = backoff(
        int(failures), free, settings.login_backoff_seconds, settings.login_window_seconds
    )
    return max(0.0, (last + dt.timedelta(seconds=delay) - now()).total_seconds())


def login_wait(session: Session, account: str, address: str, settings: Settings) -> float:
    """Seconds before ``address`` may guess ``account``'s password again (0: now)."""
    return max(
        _remaining(
            session,
            settings,
            settings.login_failures,
            LoginFailure.account == account[:40],
            LoginFailure.address == address[:64],
        ),
        _remaining(session, settings, settings.address_failures, LoginFailure.address == address),
    )


def record_failure(session: Session, account: str, address: str) -> None:
    """Remember a failed (or not yet checked) login."""
    session.add(LoginFailure(account=account[:40], address=address[:64]))


def registration_wait(session: Session, address: str, settings: Settings) -> float:
    """Seconds before ``address`` may register another account (0: now)."""
    since = now() - dt.timedelta(seconds=settings.registration_window_seconds)
    rows = session.scalars(
        select(Registration.at)
        .where(Registration.address == address[:64], Registration.at >= since)
        .order_by(Registration.at)
    ).all()
    if len(rows) < settings.registrations_per_window:
        return 0.0
    oldest = rows[len(rows) - settings.registrations_per_window]
    ends = oldest + dt.timedelta(seconds=settings.registration_window_seconds)
    return max(0.0, (ends - now()).total_seconds())


def record_registration(session: Session, address: str) -> None:
    """Remember an attempt to register, for the registration throttle."""
    session.add(Registration(address=address[:64]))


def retry_after(seconds: float) -> str:
    """The Retry-After header's value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
