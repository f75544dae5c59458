"""Accounts and sessions: register (as an observer), log in, log out, who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from planlab.council import service
from planlab.council.db import Database
from planlab.council.deps import (
    Viewer,
    admit_registration,
    client_address,
    database,
    log_in,
    permit,
    set_session_cookie,
    settings,
)
from planlab.council.schemas import Credentials, LoginPublic, UserPublic
from planlab.council.security import COOKIE, end_session, session_user
from planlab.council.settings import Settings

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register(
    body: Credentials,
    request: Request,
    db: Annotated[Database, Depends(database)],
    config: Annotated[Settings, Depends(settings)],
) -> UserPublic:
    """Create an account; it is an observer until the commission grants a role."""
    admit_registration(db, config, client_address(request))
    return UserPublic.model_validate(service.register(db, body.name, body.password))


@router.post("/login")
def login(
    body: Credentials,
    request: Request,
    response: Response,
    db: Annotated[Database, Depends(database)],
    config: Annotated[Settings, Depends(settings)],
) -> LoginPublic:
    """Start a session (cookie); the answer holds the CSRF token for writes."""
    started = log_in(db, config, body.name, body.password, client_address(request))
    set_session_cookie(response, started.token, config)
    with db.read() as session:
        found = session_user(session, started.token)
    assert found is not None
    return LoginPublic(user=UserPublic.model_validate(found[0]), csrf_token=started.csrf)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(
    request: Request,
    response: Response,
    _who: Annotated[Viewer, Depends(permit("read"))],
    db: Annotated[Database, Depends(database)],
) -> None:
    """End the session."""
    with db.write() as session:
        end_session(session, request.cookies.get(COOKIE))
    response.delete_cookie(COOKIE, path="/")


@router.get("/me")
def me(who: Annotated[Viewer, Depends(permit("read"))]) -> LoginPublic:
    """The logged-in participant and the session's CSRF token."""
    return LoginPublic(user=UserPublic.model_validate(who.user), csrf_token=who.session.csrf)
