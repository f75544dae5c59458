"""The JSON API's shapes: a Base, a Create and a Public schema per resource."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = [
    "MAX_ID",
    "MAX_RANK",
    "BallotCreate",
    "BallotPublic",
    "CommentCreate",
    "CommentPublic",
    "Credentials",
    "Id",
    "Line",
    "LoginPublic",
    "ProposalCreate",
    "ProposalPublic",
    "RoleGrant",
    "RoundCreate",
    "RoundPublic",
    "Text",
    "UserPublic",
    "VariantCreate",
    "VariantPublic",
    "VoteCreate",
    "VotePublic",
    "VoteRanks",
]

MAX_ID = 2**63 - 1
"""The largest row id every backend stores (a signed 64-bit integer)."""
MAX_RANK = 1000
"""The largest rank a ranked vote may give (far more than a ballot's candidates)."""
MAX_ITERATIONS = 20
"""The most iterations a round may run."""
MAX_LIST = 1000
"""The most ids one request may name (candidates, proposals of a variant, a vote's choice)."""


def _unicode(value: str) -> str:
    """Refuse text that cannot be stored: a lone surrogate is not valid Unicode."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text that is valid Unicode (no lone surrogates)") from None
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row id: from 1 to 2^63 - 1, checked at the API's edge."""
Text = Annotated[str, AfterValidator(_unicode)]
"""Any text a participant sends: valid Unicode only."""
Line = Annotated[str, Field(max_length=200), AfterValidator(_unicode)]
"""A title or name: one line of at most 200 characters."""


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Credentials(BaseModel):
    """A name and a password (to register or to log in)."""

    name: Text = Field(max_length=40)
    password: Text = Field(max_length=200)


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

    role: Text = Field(max_length=20)
    branch: Text | None = Field(None, max_length=60)


class RoundBase(BaseModel):
    """A planning round's definition."""

    title: Line
    source: Text = Field(
        "ussr-1928", max_length=200, description="A built-in economy or scenario:NAME."
    )
    years: int = 5
    growth: float = Field(0.0, description="Yearly tempo of every branch's base target.")
    consumption_growth: float = 0.0
    max_iterations: int = Field(
        1, ge=1, le=MAX_ITERATIONS, description="Iterations before the round closes (1: none)."
    )


class RoundCreate(RoundBase):
    """A round to create."""


class RoundPublic(RoundBase, _Public):
    """A round with its status and base plan."""

    id: int
    status: str
    base: dict[str, Any]
    iteration: int
    iterations: list[dict[str, Any]]
    created_at: dt.datetime


class ProposalBase(BaseModel):
    """A proposal: target, priority, floor or objection."""

    kind: Literal["target", "priority", "floor", "objection"]
    branch: Text | None = Field(None, max_length=60)
    value: float | None = Field(
        None,
        allow_inf_nan=False,
        description=(
            "target: yearly growth (mode growth) or last-year level (mode level); "
            "priority: weight; floor: yearly growth of consumption floors"
        ),
    )
    mode: Literal["growth", "level"] | None = "growth"
    objects_to: Id | None = None
    reasons: Text = Field("", max_length=5000)


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

    text: Text = Field(max_length=5000)


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

    name: Line
    proposal_ids: list[Id] = Field(max_length=MAX_LIST)


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
    title: Line = ""
    budget: float | None = Field(None, allow_inf_nan=False)


class BallotCreate(BallotBase):
    """A ballot to open: candidate variant ids (ranked) or proposal ids (approval)."""

    candidates: list[Id] = Field(max_length=MAX_LIST)
    costs: dict[Id, Annotated[float, Field(allow_inf_nan=False)]] | None = None


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

    choice: list[Annotated[Text, Field(max_length=20)]] = Field(max_length=MAX_LIST)


class VoteRanks(BaseModel):
    """A ranked vote as the form sends it: a whole-number rank per candidate key, 1 the best."""

    ranks: dict[Annotated[Text, Field(max_length=20)], Annotated[int, Field(ge=1, le=MAX_RANK)]]

    def choice(self) -> list[str]:
        """The candidates best first (equal ranks in the order given)."""
        return [key for key, _ in sorted(self.ranks.items(), key=lambda item: item[1])]


class VotePublic(_Public):
    """A counted vote, as its voter alone sees it: the choice and the receipt to check it by."""

    ballot_id: int
    choice: list[str]
    commitment: str
    salt: str = Field(description="Keep it: with the choice it recomputes the commitment.")
