"""The audit chain bound to what is counted: rows against their events, tallies recounted.

Every row that counts (a proposal, a comment with its text, a vote, a
participant's role) is bound to the audit event that created it: the row keeps
the event's hash (``event_hash``) and the event's payload holds the row's
content as ``bound`` gives it. ``problems`` walks the chain and the tables and
reports every row whose content no longer matches its event, every counted row
without one, every vote whose choice no longer opens its commitment, every role
that differs from the grants in the chain, and every closed ballot whose stored
result differs from a recount of the choices its close event published, or whose
commitments differ from those of its ``vote.cast`` events.

An anchor (``anchor``: the number and hash of the last event, kept outside the
database) detects a chain cut short: ``check_anchor`` fails when the anchored
event is missing or has another hash.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planlab.council import secrecy
from planlab.council.audit import bound, head
from planlab.council.models import AuditEvent, Ballot, Comment, Proposal, User, Vote
from planlab.council.service import tally

__all__ = ["anchor", "check_anchor", "problems"]


def _events(session: Session) -> Iterator[tuple[AuditEvent, dict[str, Any]]]:
    for row in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        yield row, json.loads(row.payload)


def _rows(session: Session, events: dict[str, dict[str, Any]]) -> list[str]:
    counted: list[Proposal | Comment | Vote] = [
        *session.scalars(select(Proposal).order_by(Proposal.id)),
        *session.scalars(select(Comment).order_by(Comment.id)),
        *session.scalars(select(Vote).order_by(Vote.id)),
    ]
    found = []
    for row in counted:
        what = type(row).__name__.lower()
        payload = events.get(row.event_hash or "")
        if payload is None:
            found.append(f"{what} {row.id}: no audit event has its event_hash")
        elif payload != bound(row):
            found.append(f"{what} {row.id}: the row differs from its audit event")
        if isinstance(row, Vote) and row.commitment != secrecy.commitment(
            row.ballot_id, row.salt or "", row.choice
        ):
            found.append(f"vote {row.id}: its choice no longer opens its commitment")
    return found


def _recount(kind: str, opened: dict[str, Any], closing: dict[str, Any]) -> list[str]:
    """The winners counted again from the events alone: the ballot as opened, the choices
    and candidate labels as published at the close."""
    ballot = Ballot(
        kind=kind,
        candidates=list(opened["candidates"]),
        costs=dict(opened["costs"]),
        budget=opened["budget"],
    )
    votes = [Vote(choice=list(c)) for c in closing["ballots"]]
    return list(tally(ballot, votes, closing["labels"])["winners"])


def problems(session: Session) -> list[str]:
    """Everything counted that disagrees with the chain, one line each (empty: all agree)."""
    by_hash: dict[str, dict[str, Any]] = {}
    roles: dict[int, tuple[str, str | None]] = {}
    opened: dict[int, dict[str, Any]] = {}
    closed: dict[int, dict[str, Any]] = {}
    cast: dict[int, list[str]] = defaultdict(list)
    for event, payload in _events(session):
        by_hash[event.hash] = payload
        key = event.subject.partition(":")[2]
        if event.action == "user.register":
            roles[int(key)] = ("observer", None)
        elif event.action == "user.grant":
            roles[int(key)] = (payload["role"], payload["branch"])
        elif event.action == "ballot.create":
            opened[int(key)] = payload
        elif event.action == "vote.cast":
            cast[int(key)].append(payload["commitment"])
        elif event.action == "ballot.close":
            closed[int(key)] = payload
    found = _rows(session, by_hash)
    for user in session.scalars(select(User).order_by(User.id)):
        if roles.get(user.id) != (user.role, user.branch):
            found.append(f"user {user.id}: role differs from the grants in the audit chain")
    for ballot in session.scalars(select(Ballot).order_by(Ballot.id)):
        if ballot.id not in opened:
            found.append(f"ballot {ballot.id}: no ballot.create event")
            continue
        if ballot.status != "closed":
            continue
        closing = closed.get(ballot.id)
        if closing is None or ballot.result is None:
            found.append(f"ballot {ballot.id}: closed without a ballot.close event")
            continue
        if sorted(cast[ballot.id]) != closing["commitments"]:
            found.append(f"ballot {ballot.id}: counted commitments differ from the recorded votes")
        stored = sorted(
            v.commitment or ""
            for v in session.scalars(select(Vote).where(Vote.ballot_id == ballot.id))
        )
        if stored != closing["commitments"]:
            found.append(
                f"ballot {ballot.id}: the votes table differs from the counted commitments"
            )
        recount = sorted(_recount(opened[ballot.id]["kind"], opened[ballot.id], closing))
        if recount != sorted(closing["winners"]) or recount != sorted(ballot.result["winners"]):
            found.append(f"ballot {ballot.id}: the stored result differs from a recount")
    return found


def anchor(session: Session) -> dict[str, Any]:
    """The chain's head, to keep outside the database."""
    events, last = head(session)
    return {"events": events, "hash": last}


def check_anchor(session: Session, kept: dict[str, Any]) -> str | None:
    """Why the chain does not reach the anchored head, or None when it does."""
    try:
        number, expected = int(kept["events"]), str(kept["hash"])
    except (KeyError, TypeError, ValueError):
        return "the anchor holds no 'events' and 'hash'"
    if number == 0:
        return None
    row = session.get(AuditEvent, number)
    if row is None:
        return f"the anchored event {number} is missing (the chain was cut short)"
    if row.hash != expected:
        return f"event {number} has another hash than the anchor's (the chain was rewritten)"
    return None
