"""Plan variants: proposals combined and solved together; the commission adopts one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from planlab.council import service
from planlab.council.db import Database
from planlab.council.deps import RowId, Viewer, database, kept_json, permit
from planlab.council.models import PlanVersion, Round
from planlab.council.schemas import VariantCreate, VariantPublic

router = APIRouter(tags=["variants"])


LIST = TypeAdapter(list[VariantPublic])


@router.get("/api/rounds/{round_id}/variants", response_model=list[VariantPublic])
async def list_variants(round_id: RowId, request: Request) -> Response:
    """A round's plan variants."""

    def build(session: Session) -> bytes:
        service.get(session, Round, round_id, "round")
        rows = session.scalars(
            select(PlanVersion).where(PlanVersion.round_id == round_id).order_by(PlanVersion.id)
        )
        return LIST.dump_json([VariantPublic.model_validate(v) for v in rows])

    return await kept_json(request, ("variants", round_id), build)


@router.post("/api/rounds/{round_id}/variants", status_code=status.HTTP_201_CREATED)
def create_variant(
    round_id: RowId,
    body: VariantCreate,
    who: Annotated[Viewer, Depends(permit("variant.create"))],
    db: Annotated[Database, Depends(database)],
) -> VariantPublic:
    """Combine feasible proposals into a plan variant and solve it."""
    return VariantPublic.model_validate(
        service.create_variant(db, who.user, round_id, body.name, body.proposal_ids)
    )


@router.get("/api/variants/{variant_id}")
def get_variant(
    variant_id: RowId,
    _who: Annotated[Viewer, Depends(permit("read"))],
    db: Annotated[Database, Depends(database)],
) -> VariantPublic:
    """One plan variant with its summary."""
    with db.read() as session:
        return VariantPublic.model_validate(
            service.get(session, PlanVersion, variant_id, "variant")
        )


@router.post("/api/variants/{variant_id}/adopt")
def adopt(
    variant_id: RowId,
    who: Annotated[Viewer, Depends(permit("plan.adopt"))],
    db: Annotated[Database, Depends(database)],
) -> VariantPublic:
    """Adopt a variant of a closed round."""
    return VariantPublic.model_validate(service.adopt(db, who.user, variant_id))
