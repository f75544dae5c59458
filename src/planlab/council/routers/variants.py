"""Plan variants: proposals combined and solved together; the commission adopts one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import select

from planlab.council import service
from planlab.council.db import Database
from planlab.council.deps import RowId, Viewer, database, permit
from planlab.council.models import PlanVersion, Round
from planlab.council.schemas import VariantCreate, VariantPublic

router = APIRouter(tags=["variants"])


@router.get("/api/rounds/{round_id}/variants")
def list_variants(
    round_id: RowId,
    _who: Annotated[Viewer, Depends(permit("read"))],
    db: Annotated[Database, Depends(database)],
) -> list[VariantPublic]:
    """A round's plan variants."""
    with db.read() as session:
        service.get(session, Round, round_id, "round")
        rows = session.scalars(
            select(PlanVersion).where(PlanVersion.round_id == round_id).order_by(PlanVersion.id)
        )
        return [VariantPublic.model_validate(v) for v in rows]


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
