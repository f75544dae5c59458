"""Ballots: opened and closed by the commission; one vote per participant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy import select

from planlab.council import service
from planlab.council.db import Database
from planlab.council.deps import RowId, Viewer, database, kept_row, permit
from planlab.council.models import Ballot, Round
from planlab.council.schemas import BallotCreate, BallotPublic, VoteCreate, VotePublic

router = APIRouter(tags=["ballots"])


@router.get("/api/rounds/{round_id}/ballots")
def list_ballots(
    round_id: RowId,
    _who: Annotated[Viewer, Depends(permit("read"))],
    db: Annotated[Database, Depends(database)],
) -> list[BallotPublic]:
    """A round's ballots."""
    with db.read() as session:
        service.get(session, Round, round_id, "round")
        rows = session.scalars(
            select(Ballot).where(Ballot.round_id == round_id).order_by(Ballot.id)
        )
        return [BallotPublic.model_validate(b) for b in rows]


@router.post("/api/rounds/{round_id}/ballots", status_code=status.HTTP_201_CREATED)
def create_ballot(
    round_id: RowId,
    body: BallotCreate,
    who: Annotated[Viewer, Depends(permit("ballot.create"))],
    db: Annotated[Database, Depends(database)],
) -> BallotPublic:
    """Open a ranked ballot over variants or an approval ballot over proposals."""
    row = service.create_ballot(
        db, who.user, round_id, body.kind, body.title, body.candidates, body.budget, body.costs
    )
    return BallotPublic.model_validate(row)


@router.get("/api/ballots/{ballot_id}", response_model=BallotPublic)
async def get_ballot(ballot_id: RowId, request: Request) -> Response:
    """One ballot, with its result once closed."""
    return await kept_row(request, Ballot, ballot_id, "ballot", BallotPublic)


@router.post("/api/ballots/{ballot_id}/votes", status_code=status.HTTP_201_CREATED)
async def vote(
    ballot_id: RowId,
    body: VoteCreate,
    who: Annotated[Viewer, Depends(permit("vote.cast"))],
    db: Annotated[Database, Depends(database)],
) -> VotePublic:
    """Cast a vote; a second one answers 409. The answer is the voter's receipt. It waits
    for its group commit on the event loop, holding no thread."""
    pending, salt = service.vote_of(who.user, ballot_id, body.choice)
    vote = await pending.store_async(db)
    return VotePublic(
        ballot_id=vote.ballot_id, choice=vote.choice, commitment=vote.commitment or "", salt=salt
    )


@router.post("/api/ballots/{ballot_id}/close")
def close(
    ballot_id: RowId,
    who: Annotated[Viewer, Depends(permit("ballot.close"))],
    db: Annotated[Database, Depends(database)],
) -> BallotPublic:
    """Count the votes and publish the result with its explanation."""
    return BallotPublic.model_validate(service.close_ballot(db, who.user, ballot_id))
