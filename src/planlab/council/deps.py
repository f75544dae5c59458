"""FastAPI dependencies: the database, the logged-in participant, permission and CSRF checks."""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, cast

from fastapi import HTTPException, Path, Request, Response, status
from pydantic import BaseModel
from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from planlab.council import service
from planlab.council.db import Database
from planlab.council.models import LoginFailure, SessionRow, User
from planlab.council.permissions import TABLE
from planlab.council.readcache import HEAD, STALE, Token
from planlab.council.schemas import MAX_ID
from planlab.council.security import (
    COOKIE,
    CSRF_HEADER,
    LOGIN,
    LOGIN_COLUMNS,
    Login,
    check_password,
    csrf_matches,
    login_of,
    login_params,
    login_query,
    login_wait,
    record_failure,
    record_registration,
    registration_wait,
    retry_after,
    session_user,
    start_session,
)
from planlab.council.settings import Settings

__all__ = [
    "KEPT",
    "Glance",
    "Kept",
    "RowId",
    "Viewer",
    "admit",
    "admit_registration",
    "client_address",
    "database",
    "database_of",
    "glance",
    "glance_kept",
    "kept",
    "kept_json",
    "kept_row",
    "log_in",
    "permit",
    "set_session_cookie",
    "settings",
    "settings_of",
    "viewer",
    "viewer_in",
]

T = TypeVar("T")
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row id in a URL: outside 1..2^63-1 it is a 422, before any query."""


def database_of(request: Request) -> Database:
    """The application's database."""
    db: Database = request.app.state.db
    return db


def settings_of(request: Request) -> Settings:
    """The application's settings."""
    found: Settings = request.app.state.settings
    return found


async def database(request: Request) -> Database:
    """Dependency: the application's database. ``async`` because it does no I/O: FastAPI
    runs a plain ``def`` dependency in the thread pool, a hop that costs more than this."""
    return database_of(request)


async def settings(request: Request) -> Settings:
    """Dependency: the application's settings (``async`` for the reason of ``database``)."""
    return settings_of(request)


@dataclass(frozen=True)
class Viewer:
    """Who is asking: the participant and their session."""

    user: User
    session: SessionRow


def viewer_in(session: Session, request: Request) -> Viewer | None:
    """The logged-in participant behind the request's cookie, if any, read in ``session``."""
    found = session_user(session, request.cookies.get(COOKIE))
    return None if found is None else Viewer(*found)


def viewer(request: Request) -> Viewer | None:
    """The logged-in participant behind the request's cookie, if any (one statement; for
    a caller in a thread of the pool, where ``glance`` is for the event loop)."""
    token = request.cookies.get(COOKIE)
    row = database_of(request).glance(LOGIN, login_params(token)) if token else None
    return None if row is None else Viewer(*login_of(row))


@dataclass(frozen=True)
class Glance:
    """What a request's first statement read: the participant (None without a valid login),
    and the further columns asked for."""

    who: Viewer | None
    more: tuple[Any, ...]


async def glance(
    request: Request, statement: Select[Any] = LOGIN, params: Mapping[str, Any] | None = None
) -> Glance:
    """The participant behind the request's cookie, and the further columns of
    ``statement`` (``login_query``, with ``params`` beside the login's), in one statement
    outside any transaction (``Database.glance_async``); nothing is read without a cookie."""
    token = request.cookies.get(COOKIE)
    if not token:
        return Glance(None, ())
    row = await database_of(request).glance_async(
        statement, {**login_params(token), **(params or {})}
    )
    if row is None:
        return Glance(None, ())
    return Glance(Viewer(*login_of(row)), tuple(row[len(LOGIN_COLUMNS) :]))


@dataclass(frozen=True)
class Kept:
    """A kept read's first statement: the participant, the cache's token for what they
    read, and the further columns asked for."""

    who: Viewer | None
    token: Token
    more: tuple[Any, ...]


KEPT = login_query(HEAD, STALE)
"""A kept read's statement: the login, the chain's head and whether a kept answer went
stale. A page's own columns go after these (``glance_kept``)."""


async def glance_kept(
    request: Request, statement: Select[Any] = KEPT, params: Mapping[str, Any] | None = None
) -> Kept:
    """``glance`` for a read the cache may answer: ``statement`` begins as ``KEPT``, so the
    chain's head and whether a kept answer went stale are read with the login, and the
    cache has taken them when this returns. Without a login, the head is not read."""
    cache = database_of(request).cache
    found = await glance(request, statement, {**cache.params(), **(params or {})})
    if found.who is None:
        return Kept(None, Token(0, -1), ())
    head, stale, *rest = found.more
    return Kept(found.who, cache.moved(head, bool(stale)), tuple(rest))


def admit(request: Request, who: Viewer | None, actions: tuple[str, ...]) -> Viewer:
    """``who``, if their role may take one of ``actions``: else 401 (anonymous) or 403; a
    write (any method but GET, HEAD, OPTIONS) also needs the session's CSRF token in
    ``X-CSRF-Token``."""
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


def permit(*actions: str) -> Callable[[Request], Awaitable[Viewer]]:
    """A dependency: the participant, if their role may take one of ``actions`` (``admit``).
    It runs on the event loop: the login is one indexed statement (``glance``), and a
    thread of the pool would cost more than it."""

    async def check(request: Request) -> Viewer:
        return admit(request, (await glance(request)).who, actions)

    return check


async def kept(request: Request, token: Token, key: Hashable, build: Callable[[Session], T]) -> T:
    """The answer kept for ``key``, or ``build``'s, made in the thread pool in a read
    session of its own (and kept if it may be: ``ReadCache.put``)."""
    db = database_of(request)
    found = db.cache.get(key)
    if found is not None:
        return cast(T, found)

    def fresh() -> T:
        with db.read() as session:
            return build(session)

    return await run_in_threadpool(db.cache.kept, token, key, fresh)


async def kept_json(request: Request, key: Hashable, build: Callable[[Session], bytes]) -> Response:
    """A read's JSON answer: the participant admitted to ``read`` first, then the answer kept
    for ``key`` in the database's ``ReadCache``, or ``build``'s (validated once, encoded by
    pydantic, and kept while no write changes it).

    It runs on the event loop: when the answer is kept, the request is one statement (the
    login and the chain's head together, ``glance_kept``: an indexed read that waits for
    no lock, on SQLite without a transaction, on PostgreSQL in autocommit), and a thread
    of the pool would cost more than it. Only an answer to build goes to the pool."""
    found = await glance_kept(request)
    admit(request, found.who, ("read",))
    return Response(await kept(request, found.token, key, build), media_type="application/json")


async def kept_row(
    request: Request, model: type[Any], key: int, what: str, public: type[BaseModel]
) -> Response:
    """One row as ``public`` by ``kept_json``, under the key ``(what, key)``; 404 without it."""

    def build(session: Session) -> bytes:
        row = service.get(session, model, key, what)
        return public.model_validate(row).model_dump_json().encode()

    return await kept_json(request, (what, key), build)


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


def _trusted(
    address: str, proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
) -> bool:
    try:
        found = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(found in network for network in proxies)


def client_address(request: Request) -> str:
    """The client's address, as the throttles count it.

    The socket's peer, unless it is a trusted proxy (setting ``trusted_proxies``,
    none by default): then the nearest address in ``X-Forwarded-For`` that is
    not itself a trusted proxy. A client's own ``X-Forwarded-For`` is never
    believed, so rotating it gains a guesser nothing.
    """
    peer = request.client.host if request.client else "unknown"
    proxies = settings_of(request).proxies()
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:64]
    return hops[0][:64] if hops else peer


def _too_many(wait: float, what: str) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        f"too many {what}: try again in {retry_after(wait)} s",
        headers={"Retry-After": retry_after(wait)},
    )


def log_in(db: Database, config: Settings, name: str, password: str, address: str) -> Login:
    """Check a password under the throttle; a session, or HTTP 401/429.

    The attempt is stored as a failure before the password is checked, so that
    concurrent guesses each see the ones before them; Argon2 (about a quarter
    second) then runs outside the write lock, and a match removes the failures
    of this account from this address.
    """
    with db.write() as session:
        wait = login_wait(session, name, address, config)
        if wait > 0:
            raise _too_many(wait, "failed logins")
        stored = session.scalar(select(User.password_hash).where(User.name == name))
        record_failure(session, name, address)
    if not check_password(stored, password):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong name or password")
    with db.write() as session:
        user = session.scalar(select(User).where(User.name == name))
        if user is None or user.password_hash != stored:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong name or password")
        session.execute(
            delete(LoginFailure).where(
                LoginFailure.account == name[:40], LoginFailure.address == address[:64]
            )
        )
        return start_session(session, user, config)


def admit_registration(db: Database, config: Settings, address: str) -> None:
    """Count an attempt to register from ``address``; HTTP 429 past the window's allowance."""
    with db.write() as session:
        wait = registration_wait(session, address, config)
        if wait > 0:
            raise _too_many(wait, "registrations from this address")
        record_registration(session, address)
