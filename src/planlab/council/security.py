"""Accounts and logins: Argon2 password hashes, server-side sessions, CSRF tokens, throttling.

The session cookie holds a random token; the database keeps only its SHA-256,
so a copy of the database cannot be replayed as a login. Each session has its
own CSRF token, asked for in every form post (field ``csrf_token``) and every
JSON write (header ``X-CSRF-Token``). Failed logins are stored, so the throttle
(per account and per client address) holds across restarts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from planlab.council.models import LoginFailure, SessionRow, User, now
from planlab.council.settings import Settings

__all__ = [
    "COOKIE",
    "CSRF_HEADER",
    "NAME_PATTERN",
    "Login",
    "check_password",
    "csrf_matches",
    "end_session",
    "hash_password",
    "login_allowed",
    "password_problem",
    "record_failure",
    "session_user",
    "start_session",
]

COOKIE = "planlab_session"
CSRF_HEADER = "X-CSRF-Token"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,40}$")
MIN_PASSWORD = 10
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


def session_user(session: Session, token: str | None) -> tuple[User, SessionRow] | None:
    """The user and session behind a cookie's token, if it is known and not expired."""
    if not token:
        return None
    row = session.get(SessionRow, _digest(token))
    if row is None or row.expires_at < now():
        return None
    user = session.get(User, row.user_id)
    return None if user is None else (user, row)


def end_session(session: Session, token: str | None) -> None:
    """Forget a session (logout)."""
    if token:
        session.execute(delete(SessionRow).where(SessionRow.id == _digest(token)))


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token."""
    return given is not None and hmac.compare_digest(expected, given)


def login_allowed(session: Session, account: str, address: str, settings: Settings) -> bool:
    """False when the account or the address has too many recent failed logins."""
    since = now() - dt.timedelta(seconds=settings.login_window_seconds)
    by_account = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.account == account, LoginFailure.at >= since)
    )
    if (by_account or 0) >= settings.login_failures:
        return False
    by_address = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.address == address, LoginFailure.at >= since)
    )
    return (by_address or 0) < settings.address_failures


def record_failure(session: Session, account: str, address: str) -> None:
    """Remember a failed login."""
    session.add(LoginFailure(account=account[:40], address=address[:64]))
