"""Participants: the commission lists them and grants roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from planlab.council import service
from planlab.council.db import Database
from planlab.council.deps import RowId, Viewer, database, permit
from planlab.council.models import User
from planlab.council.schemas import RoleGrant, UserPublic

router = APIRouter(prefix="/api/users", tags=["users"])


@router.get("")
def list_users(
    _who: Annotated[Viewer, Depends(permit("user.list"))],
    db: Annotated[Database, Depends(database)],
) -> list[UserPublic]:
    """Every participant with role and branch."""
    with db.read() as session:
        return [
            UserPublic.model_validate(u) for u in session.scalars(select(User).order_by(User.id))
        ]


@router.post("/{user_id}/role")
def grant_role(
    user_id: RowId,
    body: RoleGrant,
    who: Annotated[Viewer, Depends(permit("user.grant"))],
    db: Annotated[Database, Depends(database)],
) -> UserPublic:
    """Give a participant a role (and a delegate the branch they speak for)."""
    return UserPublic.model_validate(service.grant(db, who.user, user_id, body.role, body.branch))
