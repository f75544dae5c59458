"""The council's tables as typed SQLAlchemy 2 models."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AuditEvent",
    "Ballot",
    "Base",
    "Comment",
    "LoginFailure",
    "PlanVersion",
    "Proposal",
    "Registration",
    "Round",
    "SessionRow",
    "User",
    "Vote",
    "now",
]


def now() -> dt.datetime:
    """The current time in UTC, without tzinfo (as every backend stores it)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class User(Base):
    """A participant: an account with a role, and a branch for delegates."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    branch: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class SessionRow(Base):
    """A login: the hash of the cookie's token, its CSRF token and when it ends."""

    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class LoginFailure(Base):
    """A failed login, kept for the throttle (per account and per client address)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_account_at", "account", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class Registration(Base):
    """An attempt to register an account, kept for the per-address registration throttle."""

    __tablename__ = "registrations"
    __table_args__ = (Index("ix_registrations_address_at", "address", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class Round(Base):
    """A planning round on an economy or scenario: open, closed, then adopted."""

    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(200))
    years: Mapped[int] = mapped_column(Integer)
    growth: Mapped[float] = mapped_column(Float)
    consumption_growth: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="open")
    base: Mapped[dict[str, Any]] = mapped_column(JSON)
    iteration: Mapped[int] = mapped_column(Integer, default=1)
    """The iteration proposals are made in (1 for a round that does not iterate)."""
    max_iterations: Mapped[int] = mapped_column(Integer, default=1)
    iterations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Each ended iteration: its proposals, whether they balance, prices, conflicts."""
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class Proposal(Base):
    """A target, priority, consumption floor or objection, with its check against the plan."""

    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    branch: Mapped[str | None] = mapped_column(String(60))
    value: Mapped[float | None] = mapped_column(Float)
    mode: Mapped[str | None] = mapped_column(String(20))
    objects_to: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    reasons: Mapped[str] = mapped_column(Text, default="")
    feasible: Mapped[bool | None] = mapped_column(Boolean)
    check: Mapped[dict[str, Any]] = mapped_column(JSON)
    iteration: Mapped[int] = mapped_column(Integer, default=1)
    event_hash: Mapped[str | None] = mapped_column(String(64))
    """Hash of the audit event that holds this row's content."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class Comment(Base):
    """A contribution to the debate on a proposal."""

    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    event_hash: Mapped[str | None] = mapped_column(String(64))
    """Hash of the audit event that holds this comment and its text."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class PlanVersion(Base):
    """A plan variant: proposals combined and solved together; one per round is adopted."""

    __tablename__ = "plan_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    proposal_ids: Mapped[list[Any]] = mapped_column(JSON)
    feasible: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    adopted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class Ballot(Base):
    """A ranked ballot over plan variants or an approval ballot over proposals with costs."""

    __tablename__ = "ballots"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")
    candidates: Mapped[list[Any]] = mapped_column(JSON)
    costs: Mapped[dict[str, Any]] = mapped_column(JSON)
    budget: Mapped[float | None] = mapped_column(Float)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class Vote(Base):
    """One participant's vote in one ballot; the unique constraint forbids a second."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("ballot_id", "participant_id", name="uq_votes_ballot"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    choice: Mapped[list[Any]] = mapped_column(JSON)
    commitment: Mapped[str | None] = mapped_column(String(64))
    """sha256 of the ballot, the voter's salt and the choice (see ``secrecy``)."""
    salt: Mapped[str | None] = mapped_column(String(64))
    """The commitment's salt: read only by ``verify-audit``, never published."""
    event_hash: Mapped[str | None] = mapped_column(String(64))
    """Hash of the audit event that recorded the vote."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class AuditEvent(Base):
    """One link of the audit chain: hash = sha256(prev_hash + canonical JSON of the event)."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(80))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
