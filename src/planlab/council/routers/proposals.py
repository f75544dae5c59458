"""Proposals: made by delegates (their own branch) and organisations, checked at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import select

from planlab.council import service
from planlab.council.db import Database
from planlab.council.deps import RowId, Viewer, database, permit
from planlab.council.models import Proposal, Round
from planlab.council.schemas import ProposalCreate, ProposalPublic

router = APIRouter(tags=["proposals"])
PROPOSE = ("proposal.target", "proposal.priority", "proposal.floor", "proposal.objection")


@router.get("/api/rounds/{round_id}/proposals")
def list_proposals(
    round_id: RowId,
    _who: Annotated[Viewer, Depends(permit("read"))],
    db: Annotated[Database, Depends(database)],
) -> list[ProposalPublic]:
    """A round's proposals with their checks, in the order they were made."""
    with db.read() as session:
        service.get(session, Round, round_id, "round")
        rows = session.scalars(
            select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.id)
        )
        return [ProposalPublic.model_validate(p) for p in rows]


@router.post("/api/rounds/{round_id}/proposals", status_code=status.HTTP_201_CREATED)
def create_proposal(
    round_id: RowId,
    body: ProposalCreate,
    who: Annotated[Viewer, Depends(permit(*PROPOSE))],
    db: Annotated[Database, Depends(database)],
) -> ProposalPublic:
    """Make a proposal; the answer holds its check against the balances."""
    row = service.propose(
        db,
        who.user,
        round_id,
        body.kind,
        branch=body.branch,
        value=body.value,
        mode=body.mode or "growth",
        objects_to=body.objects_to,
        reasons=body.reasons,
    )
    return ProposalPublic.model_validate(row)


@router.get("/api/proposals/{proposal_id}")
def get_proposal(
    proposal_id: RowId,
    _who: Annotated[Viewer, Depends(permit("read"))],
    db: Annotated[Database, Depends(database)],
) -> ProposalPublic:
    """One proposal with its check."""
    with db.read() as session:
        return ProposalPublic.model_validate(
            service.get(session, Proposal, proposal_id, "proposal")
        )
