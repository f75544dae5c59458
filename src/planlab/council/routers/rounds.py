"""Planning rounds: created and closed by the commission, read by everyone logged in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from sqlalchemy import select

from planlab.council import checks, service
from planlab.council.db import Database
from planlab.council.deps import RowId, Viewer, database, kept_row, permit
from planlab.council.models import Round
from planlab.council.schemas import RoundCreate, RoundPublic

router = APIRouter(prefix="/api/rounds", tags=["rounds"])


@router.get("")
def list_rounds(
    _who: Annotated[Viewer, Depends(permit("read"))],
    db: Annotated[Database, Depends(database)],
) -> list[RoundPublic]:
    """Every round, the newest first."""
    with db.read() as session:
        rows = session.scalars(select(Round).order_by(Round.id.desc()))
        return [RoundPublic.model_validate(r) for r in rows]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_round(
    body: RoundCreate,
    who: Annotated[Viewer, Depends(permit("round.create"))],
    db: Annotated[Database, Depends(database)],
) -> RoundPublic:
    """Open a round on an economy or scenario; its base plan is solved at once."""
    spec = checks.RoundSpec(body.source, body.years, body.growth, body.consumption_growth)
    row = service.create_round(db, who.user, body.title, spec, body.max_iterations)
    return RoundPublic.model_validate(row)


@router.get("/{round_id}", response_model=RoundPublic)
async def get_round(round_id: RowId, request: Request) -> Response:
    """One round with its base plan."""
    return await kept_row(request, Round, round_id, "round", RoundPublic)


@router.post("/{round_id}/close")
def close_round(
    round_id: RowId,
    who: Annotated[Viewer, Depends(permit("round.close"))],
    db: Annotated[Database, Depends(database)],
) -> RoundPublic:
    """Take no more proposals."""
    return RoundPublic.model_validate(service.close_round(db, who.user, round_id))


@router.post("/{round_id}/iterate")
def iterate(
    round_id: RowId,
    who: Annotated[Viewer, Depends(permit("round.iterate"))],
    db: Annotated[Database, Depends(database)],
) -> RoundPublic:
    """End the current iteration: the round closes if its plan balances or at the limit."""
    return RoundPublic.model_validate(service.iterate(db, who.user, round_id))


@router.get("/{round_id}/tradeoff")
def tradeoff(
    round_id: RowId,
    a: Annotated[str, Query(max_length=60)],
    b: Annotated[str, Query(max_length=60)],
    _who: Annotated[Viewer, Depends(permit("read"))],
    db: Annotated[Database, Depends(database)],
) -> dict[str, Any]:
    """The last-year outputs of branches ``a`` and ``b`` that can be had together."""
    with db.read() as session:
        spec = service.spec_of(service.get(session, Round, round_id, "round"))
    points = checks.frontier(spec, a, b)
    return {"a": a, "b": b, "points": [{"a": pa, "b": pb} for pa, pb in points]}
