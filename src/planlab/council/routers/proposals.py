"""Proposals: made by delegates (their own branch) and organisations, checked at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from planlab.council import service
from planlab.council.db import Database
from planlab.council.deps import RowId, Viewer, database, kept_json, kept_row, permit
from planlab.council.models import Proposal, Round
from planlab.council.schemas import ProposalCreate, ProposalPublic

router = APIRouter(tags=["proposals"])
PROPOSE = ("proposal.target", "proposal.priority", "proposal.floor", "proposal.objection")


LIST = TypeAdapter(list[ProposalPublic])


@router.get("/api/rounds/{round_id}/proposals", response_model=list[ProposalPublic])
async def list_proposals(round_id: RowId, request: Request) -> Response:
    """A round's proposals with their checks, in the order they were made."""

    def build(session: Session) -> bytes:
        service.get(session, Round, round_id, "round")
        rows = session.scalars(
            select(Proposal).where(Proposal.round_id == round_id).order_by(Proposal.id)
        )
        return LIST.dump_json([ProposalPublic.model_validate(p) for p in rows])

    return await kept_json(request, ("proposals", round_id), build)


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


@router.get("/api/proposals/{proposal_id}", response_model=ProposalPublic)
async def get_proposal(proposal_id: RowId, request: Request) -> Response:
    """One proposal with its check."""
    return await kept_row(request, Proposal, proposal_id, "proposal", ProposalPublic)
