"""The append-only audit chain: each event's hash covers the previous hash and the event.

``hash = sha256(prev_hash + canonical JSON of {id, at, actor, action, subject,
payload})``, the first ``prev_hash`` being 64 zeros. Changing, removing or
reordering any row breaks every later link, and ``verify`` names the first
broken one. Triggers in the database refuse UPDATE and DELETE on the table; an
event is appended in the same transaction as the change it records.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from planlab.council.db import HOLDS_WRITE_LOCK, WRITE_LOCK
from planlab.council.models import AuditEvent, Comment, Proposal, Vote

__all__ = [
    "ACCOUNT_ACTIONS",
    "GENESIS",
    "Broken",
    "append",
    "bound",
    "canonical",
    "head",
    "link_hash",
    "shown",
    "verify",
]

GENESIS = "0" * 64
ADVISORY_LOCK = WRITE_LOCK
"""PostgreSQL advisory lock that orders appends: the writers' lock, already held in ``write``."""


def canonical(event: Mapping[str, Any]) -> str:
    """The event as JSON with sorted keys and no spaces: one text per event.

    >>> canonical({"b": 1, "a": [1, 2]})
    '{"a":[1,2],"b":1}'
    """
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    """The hash of one link of the chain."""
    return hashlib.sha256((prev_hash + canonical(event)).encode("utf-8")).hexdigest()


def _event(row: AuditEvent) -> dict[str, Any]:
    return {
        "id": row.id,
        "at": row.at,
        "actor": row.actor,
        "action": row.action,
        "subject": row.subject,
        "payload": json.loads(row.payload),
    }


def append(
    session: Session, actor: str, action: str, subject: str, payload: Mapping[str, Any]
) -> AuditEvent:
    """Add one event after the last one, inside the caller's transaction.

    On PostgreSQL the appends queue on ``ADVISORY_LOCK``; a session of
    ``Database.write`` holds it already, and is spared the round trip.
    """
    if not session.info.get(HOLDS_WRITE_LOCK) and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    count, prev = head(session)
    number = count + 1
    row = AuditEvent(
        id=number,
        at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        subject=subject,
        payload=canonical(payload),
        prev_hash=prev,
        hash="",
    )
    row.hash = link_hash(prev, _event(row))
    session.add(row)
    session.flush()
    return row


ACCOUNT_ACTIONS = frozenset({"user.register", "user.grant"})
"""Events about accounts and roles: only those who may list participants read them."""
HIDDEN = "(hidden)"


def shown(row: AuditEvent, accounts: bool) -> dict[str, Any]:
    """An event as a reader sees it: account events without who, whom and what unless
    ``accounts`` (the reader may list participants). The hashes are always shown, so
    the links of the chain can be followed by everyone."""
    hide = not accounts and row.action in ACCOUNT_ACTIONS
    return {
        "id": row.id,
        "at": row.at,
        "actor": HIDDEN if hide else row.actor,
        "action": row.action,
        "subject": HIDDEN if hide else row.subject,
        "payload": {} if hide else json.loads(row.payload),
        "prev_hash": row.prev_hash,
        "hash": row.hash,
        "hidden": hide,
    }


def bound(row: Proposal | Comment | Vote) -> dict[str, Any]:
    """The content of a counted row that its audit event holds.

    >>> bound(Comment(id=3, proposal_id=1, author_id=2, text="yes"))
    {'comment': 3, 'proposal': 1, 'author': 2, 'text': 'yes'}
    """
    if isinstance(row, Proposal):
        return {
            "proposal": row.id,
            "round": row.round_id,
            "author": row.author_id,
            "kind": row.kind,
            "branch": row.branch,
            "value": row.value,
            "mode": row.mode,
            "objects_to": row.objects_to,
            "reasons": row.reasons,
            "feasible": row.feasible,
        }
    if isinstance(row, Comment):
        return {
            "comment": row.id,
            "proposal": row.proposal_id,
            "author": row.author_id,
            "text": row.text,
        }
    return {"vote": row.id, "ballot": row.ballot_id, "commitment": row.commitment}


def head(session: Session) -> tuple[int, str]:
    """The number and hash of the last event (0 and the genesis hash on an empty chain)."""
    last = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    return (0, GENESIS) if last is None else (int(last[0]), str(last[1]))


@dataclass(frozen=True)
class Broken:
    """The first link of the chain that does not hold, and why."""

    id: int
    reason: str

    def __str__(self) -> str:
        return f"audit_events row {self.id}: {self.reason}"


def verify(session: Session) -> Broken | None:
    """Walk the chain in order; the first broken link, or None when every link holds."""
    prev, expected = GENESIS, 1
    for row in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        if row.id != expected:
            return Broken(row.id, f"expected row {expected} here (a row is missing)")
        if row.prev_hash != prev:
            return Broken(row.id, "prev_hash is not the hash of the row before")
        try:
            event = _event(row)
        except json.JSONDecodeError:
            return Broken(row.id, "payload is not JSON")
        if link_hash(prev, event) != row.hash:
            return Broken(row.id, "hash does not match the event (the row was changed)")
        prev, expected = row.hash, expected + 1
    return None
