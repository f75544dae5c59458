"""The audit chain: read it, and verify it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from planlab.council import audit as chain
from planlab.council.db import Database
from planlab.council.deps import Viewer, database, permit
from planlab.council.models import AuditEvent
from planlab.council.permissions import allowed
from planlab.council.schemas import MAX_ID

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("")
def list_events(
    who: Annotated[Viewer, Depends(permit("audit.read"))],
    db: Annotated[Database, Depends(database)],
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[dict[str, Any]]:
    """Events after ``after``, oldest first, with their hashes.

    Events about accounts and roles show who, whom and what only to those who
    may list participants; a vote shows who voted and its commitment, never how.
    """
    accounts = allowed(who.user.role, "user.list")
    with db.read() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(limit)
        )
        return [chain.shown(r, accounts) for r in rows]


@router.get("/verify")
def verify(
    _who: Annotated[Viewer, Depends(permit("audit.read"))],
    db: Annotated[Database, Depends(database)],
) -> dict[str, Any]:
    """Whether every link of the chain holds; the first broken one if not."""
    with db.read() as session:
        broken = chain.verify(session)
    return {"valid": broken is None, "broken": None if broken is None else str(broken)}
