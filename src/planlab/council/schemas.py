"""The JSON API's shapes: a Base, a Create and a Public schema per resource."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BallotCreate",
    "BallotPublic",
    "CommentCreate",
    "CommentPublic",
    "Credentials",
    "LoginPublic",
    "ProposalCreate",
    "ProposalPublic",
    "RoleGrant",
    "RoundCreate",
    "RoundPublic",
    "UserPublic",
    "VariantCreate",
    "VariantPublic",
    "VoteCreate",
    "VotePublic",
]


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Credentials(BaseModel):
    """A name and a password (to register or to log in)."""

    name: str = Field(max_length=40)
    password: str = Field(max_length=200)


class UserBase(BaseModel):
    """What everyone may know of a participant."""

    name: str
    role: str
    branch: str | None = None


class UserPublic(UserBase, _Public):
    """A participant as the API shows it (never the password hash)."""

    id: int


class LoginPublic(BaseModel):
    """A started session: who, and the CSRF token to send with every write."""

    user: UserPublic
    csrf_token: str


class RoleGrant(BaseModel):
    """A role given by the commission; a branch for a delegate."""

    role: str
    branch: str | None = None


class RoundBase(BaseModel):
    """A planning round's definition."""

    title: str = Field(max_length=200)
    source: str = Field("ussr-1928", description="A built-in economy or scenario:NAME.")
    years: int = 5
    growth: float = Field(0.0, description="Yearly tempo of every branch's base target.")
    consumption_growth: float = 0.0


class RoundCreate(RoundBase):
    """A round to create."""


class RoundPublic(RoundBase, _Public):
    """A round with its status and base plan."""

    id: int
    status: str
    base: dict[str, Any]
    created_at: dt.datetime


class ProposalBase(BaseModel):
    """A proposal: target, priority, floor or objection."""

    kind: Literal["target", "priority", "floor", "objection"]
    branch: str | None = None
    value: float | None = Field(
        None,
        description=(
            "target: yearly growth (mode growth) or last-year level (mode level); "
            "priority: weight; floor: yearly growth of consumption floors"
        ),
    )
    mode: str | None = "growth"
    objects_to: int | None = None
    reasons: str = Field("", max_length=5000)


class ProposalCreate(ProposalBase):
    """A proposal to make; it is checked against the balances at once."""


class ProposalPublic(ProposalBase, _Public):
    """A proposal with its check: feasibility, what gives way, prices, costs."""

    id: int
    round_id: int
    author_id: int
    feasible: bool | None
    check: dict[str, Any]
    created_at: dt.datetime


class CommentBase(BaseModel):
    """A comment's text."""

    text: str = Field(max_length=5000)


class CommentCreate(CommentBase):
    """A comment to add."""


class CommentPublic(CommentBase, _Public):
    """A comment as shown."""

    id: int
    proposal_id: int
    author_id: int
    created_at: dt.datetime


class VariantBase(BaseModel):
    """A plan variant: proposals combined."""

    name: str = Field(max_length=200)
    proposal_ids: list[int]


class VariantCreate(VariantBase):
    """A variant to solve and store."""


class VariantPublic(VariantBase, _Public):
    """A solved variant."""

    id: int
    round_id: int
    feasible: bool
    adopted: bool
    summary: dict[str, Any]


class BallotBase(BaseModel):
    """A ballot: ranked over variants, or approval over proposals with a fund."""

    kind: Literal["ranked", "approval"]
    title: str = Field("", max_length=200)
    budget: float | None = None


class BallotCreate(BallotBase):
    """A ballot to open: candidate variant ids (ranked) or proposal ids (approval)."""

    candidates: list[int]
    costs: dict[int, float] | None = None


class BallotPublic(BallotBase, _Public):
    """A ballot, its candidates, and its result once closed."""

    id: int
    round_id: int
    status: str
    candidates: list[str]
    costs: dict[str, float]
    result: dict[str, Any] | None


class VoteCreate(BaseModel):
    """Ranked: variant ids best first; approval: the proposal ids approved."""

    choice: list[str]


class VotePublic(_Public):
    """A counted vote."""

    id: int
    ballot_id: int
    participant_id: int
    choice: list[str]
