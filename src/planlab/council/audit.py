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
from typing import Any, Generic, TypeVar

from sqlalchemy import func, insert, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from planlab.council.db import HOLDS_WRITE_LOCK, WRITE_LOCK
from planlab.council.models import AuditEvent, Comment, Proposal, Vote, now

__all__ = [
    "ACCOUNT_ACTIONS",
    "GENESIS",
    "Bound",
    "Broken",
    "append",
    "bound",
    "canonical",
    "head",
    "link_hash",
    "shown",
    "store",
    "store_many",
    "verify",
]

GENESIS = "0" * 64
HEAD = "planlab.audit_head"
"""Key in ``Session.info``: the transaction and the chain's head as its appends left it."""
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


def _link(
    session: Session, actor: str, action: str, subject: str, payload: Mapping[str, Any]
) -> AuditEvent:
    """The next event of the chain, hashed; the transaction's head moves on to it."""
    transaction = session.get_transaction()
    cached = session.info.get(HEAD)
    if cached is not None and cached[0] is transaction:
        count, prev = cached[1], cached[2]
    else:
        count, prev = head(session)
    row = AuditEvent(
        id=count + 1,
        at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        subject=subject,
        payload=canonical(payload),
        prev_hash=prev,
        hash="",
    )
    row.hash = link_hash(prev, _event(row))
    session.info[HEAD] = (transaction, row.id, row.hash)
    return row


def append(
    session: Session, actor: str, action: str, subject: str, payload: Mapping[str, Any]
) -> AuditEvent:
    """Add one event after the last one, inside the caller's transaction.

    On PostgreSQL the appends queue on ``ADVISORY_LOCK``; a session of
    ``Database.write`` holds it already, and is spared the round trip. The head is
    read once per transaction: later appends of the same transaction (a batch of
    ``groupcommit``) chain on to the head the last one left in ``session.info``.
    """
    if not session.info.get(HOLDS_WRITE_LOCK) and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    row = _link(session, actor, action, subject, payload)
    session.add(row)
    session.flush()
    return row


Counted = TypeVar("Counted", Vote, Comment)


@dataclass
class Bound(Generic[Counted]):
    """A counted row to store with the event that records it (``bound``); its id is
    drawn when it is stored."""

    row: Counted
    actor: str
    action: str
    subject: str


def store(session: Session, item: Bound[Counted]) -> Counted:
    """One counted row and its event, through the ORM: a write alone."""
    session.add(item.row)
    session.flush()
    event = append(session, item.actor, item.action, item.subject, bound(item.row))
    item.row.event_hash = event.hash
    return item.row


def store_many(session: Session, items: list[Bound[Counted]]) -> list[Counted]:
    """Many counted rows and their events in a few statements (a group commit's).

    The ids of each table are drawn at once (the writers' lock is held); each event is
    then chained and hashed one by one, in the order of ``items``, and each row
    carries its event's hash from the start, so that each table gets one INSERT of
    many rows and no row is updated afterwards.
    """
    if session.get_bind().dialect.name == "postgresql" and not session.info.get(HOLDS_WRITE_LOCK):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
    tables: dict[type[Any], list[Any]] = {}
    for item in items:
        tables.setdefault(type(item.row), []).append(item.row)
    firsts = _first_new_ids(session, {model: len(rows) for model, rows in tables.items()})
    for model, rows in tables.items():
        for k, row in enumerate(rows):
            row.id = firsts[model][k]
    events = []
    for item in items:
        item.row.created_at = item.row.created_at or now()
        event = _link(session, item.actor, item.action, item.subject, bound(item.row))
        item.row.event_hash = event.hash
        events.append(event)
    for model, rows in tables.items():
        session.execute(insert(model).values([_columns(row) for row in rows]))
    session.execute(insert(AuditEvent).values([_columns(event) for event in events]))
    return [item.row for item in items]


def _columns(row: Any) -> dict[str, Any]:
    """A mapped row as its table's column values."""
    return {a.columns[0].name: getattr(row, a.key) for a in sa_inspect(type(row)).column_attrs}


def _first_new_ids(session: Session, counts: dict[type[Any], int]) -> dict[type[Any], list[int]]:
    """``counts[model]`` unused ids of each model's table, in order (under the writers'
    lock). On SQLite the largest ids and the chain's head (unless the transaction has
    read it) are read in one statement, which the head's first ``_link`` then spares."""
    if session.get_bind().dialect.name == "postgresql":
        return {model: _drawn(session, model, n) for model, n in counts.items()}
    transaction = session.get_transaction()
    cached = session.info.get(HEAD)
    fresh = cached is None or cached[0] is not transaction
    last = [select(func.max(model.id)).scalar_subquery() for model in counts]
    if fresh:
        newest = AuditEvent.id.desc()
        last.append(select(AuditEvent.id).order_by(newest).limit(1).scalar_subquery())
        last.append(select(AuditEvent.hash).order_by(newest).limit(1).scalar_subquery())
    found = session.execute(select(*last)).one()
    if fresh:
        key, digest = found[-2], found[-1]
        session.info[HEAD] = (
            (transaction, 0, GENESIS) if key is None else (transaction, int(key), str(digest))
        )
    return {
        model: list(range(int(found[k] or 0) + 1, int(found[k] or 0) + n + 1))
        for k, (model, n) in enumerate(counts.items())
    }


def _drawn(session: Session, model: type[Any], n: int) -> list[int]:
    """``n`` ids drawn from the sequence of ``model``'s table (PostgreSQL)."""
    drawn = session.scalars(
        text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
        {"table": model.__table__.name, "n": n},
    )
    return sorted(int(k) for k in drawn)


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
