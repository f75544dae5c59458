"""The debate: comments on proposals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import select

from planlab.council import service
from planlab.council.db import Database
from planlab.council.deps import RowId, Viewer, database, permit
from planlab.council.models import Comment, Proposal
from planlab.council.schemas import CommentCreate, CommentPublic

router = APIRouter(prefix="/api/proposals/{proposal_id}/comments", tags=["comments"])


@router.get("")
def list_comments(
    proposal_id: RowId,
    _who: Annotated[Viewer, Depends(permit("read"))],
    db: Annotated[Database, Depends(database)],
) -> list[CommentPublic]:
    """The comments on a proposal, oldest first."""
    with db.read() as session:
        service.get(session, Proposal, proposal_id, "proposal")
        rows = session.scalars(
            select(Comment).where(Comment.proposal_id == proposal_id).order_by(Comment.id)
        )
        return [CommentPublic.model_validate(c) for c in rows]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_comment(
    proposal_id: RowId,
    body: CommentCreate,
    who: Annotated[Viewer, Depends(permit("comment.create"))],
    db: Annotated[Database, Depends(database)],
) -> CommentPublic:
    """Add a comment (waiting for its group commit on the event loop, as a vote does)."""
    stored = await service.comment_of(who.user, proposal_id, body.text).store_async(db)
    return CommentPublic.model_validate(stored)
