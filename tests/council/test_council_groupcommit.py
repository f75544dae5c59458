"""Group commit: writes handed in together are applied in one transaction, each still
chained one by one, each one's failure answered to its caller alone, and nobody answered
before the batch has committed."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from _council import BACKENDS, Member, member
from fastapi import FastAPI
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from planlab.council import audit, service
from planlab.council.db import Database
from planlab.council.groupcommit import Appender
from planlab.council.models import AuditEvent, Comment, User, Vote
from planlab.errors import InputError

WAIT_S = 30.0
"""Longest wait for the writes to gather behind the first one (a loaded machine)."""


def _in_one_batch(appender: Appender, works: list[Callable[[], Any]]) -> list[Any]:
    """Run ``works`` (each hands a write to ``appender``) while a first write holds the
    appender, so that they gather into the next batch; each one's result or exception."""
    running, release = threading.Event(), threading.Event()

    def hold(_session: Session) -> None:
        running.set()
        release.wait(WAIT_S)

    def outcome(work: Callable[[], Any]) -> Any:
        try:
            return work()
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(len(works) + 1) as pool:
        first = pool.submit(appender.submit, hold)
        assert running.wait(WAIT_S)
        futures = [pool.submit(outcome, work) for work in works]
        deadline = time.monotonic() + WAIT_S
        while appender.pending < len(works) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert appender.pending == len(works)
        release.set()
        first.result()
        return [f.result() for f in futures]


def _user(db: Database, name: str) -> User:
    with db.read() as session:
        found = session.scalar(select(User).where(User.name == name))
    assert found is not None
    return found


@pytest.fixture
def ballot(app: FastAPI) -> tuple[list[int], int]:
    """A round of ussr-1928 with a proposal and four ranked ballots over two variants."""
    boss = member(app, "boss", "commission")
    chem = member(app, "chem", "delegate", "chemicals")
    round_id = boss.post("/api/rounds", {"title": "r", "source": "ussr-1928"}).json()["id"]
    made = chem.post(
        f"/api/rounds/{round_id}/proposals", {"kind": "target", "branch": "chemicals", "value": 0.1}
    ).json()
    variants = [
        boss.post(f"/api/rounds/{round_id}/variants", {"name": name, "proposal_ids": ids}).json()[
            "id"
        ]
        for name, ids in (("chem", [made["id"]]), ("none", []))
    ]
    ballots = [
        boss.post(
            f"/api/rounds/{round_id}/ballots", {"kind": "ranked", "candidates": variants}
        ).json()["id"]
        for _ in range(4)
    ]
    return ballots, int(made["id"])


@BACKENDS
def test_a_batch_applies_each_write_and_refuses_each_bad_one_alone(
    app: FastAPI, ballot: tuple[list[int], int]
) -> None:
    db: Database = app.state.db
    ballot_id, proposal_id = ballot[0][0], ballot[1]
    voters: list[Member] = [member(app, f"voter{k}", "workers") for k in range(6)]
    users = [_user(db, m.name) for m in voters]
    with db.read() as session:
        events_before = service.count(session, AuditEvent)
    works: list[Callable[[], Any]] = [
        lambda u=u: service.cast_vote(db, u, ballot_id, ["1"])[0] for u in users
    ]
    works += [
        lambda: service.cast_vote(db, users[0], ballot_id, ["1"]),  # a second vote
        lambda: service.cast_vote(db, users[1], 10**9, ["1"]),  # no such ballot
        lambda: service.cast_vote(db, users[2], ballot_id, ["7"]),  # no such candidate
        lambda: service.comment(db, users[3], proposal_id, "in the same batch"),
    ]
    batches = db.appender.batches
    outcomes = _in_one_batch(db.appender, works)
    assert db.appender.batches == batches + 2  # the holding write's batch, then all of these
    assert all(isinstance(v, Vote) for v in outcomes[:6])
    assert isinstance(outcomes[6], service.ConflictError)
    assert isinstance(outcomes[7], service.NotFoundError)
    assert isinstance(outcomes[8], InputError)
    assert isinstance(outcomes[9], Comment)
    with db.read() as session:
        assert audit.verify(session) is None
        events = {e.hash: e for e in session.scalars(select(AuditEvent))}
        assert len(events) == events_before + 7
        stored = list(session.scalars(select(Vote).where(Vote.ballot_id == ballot_id)))
    assert sorted(v.participant_id for v in stored) == sorted(u.id for u in users)
    for vote in stored:
        assert events[vote.event_hash or ""].payload == audit.canonical(audit.bound(vote))


@BACKENDS
def test_a_batch_stores_its_votes_and_comments_in_fewer_statements_than_writes(
    app: FastAPI, ballot: tuple[list[int], int]
) -> None:
    db: Database = app.state.db
    ballots, proposal_id = ballot
    users = [_user(db, member(app, f"voter{k}", "workers").name) for k in range(12)]
    works: list[Callable[[], Any]] = [
        lambda u=u, b=b: service.cast_vote(db, u, b, ["1"])[0] for u in users for b in ballots
    ]
    works += [lambda k=k: service.comment(db, users[k], proposal_id, f"c{k}") for k in range(4)]
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.writer, "before_cursor_execute", seen)
    try:
        outcomes = _in_one_batch(db.appender, works)
    finally:
        event.remove(db.writer, "before_cursor_execute", seen)
    assert [type(o) for o in outcomes] == [Vote] * 48 + [Comment] * 4
    assert len(statements) < len(works) / 2, "\n".join(s[:60] for s in statements)
    assert sum("FROM ballots" in s for s in statements) == 1  # the four ballots, at once
    assert not any("SAVEPOINT" in s for s in statements), "no write failed: no savepoint"
    if db.writer.dialect.name == "sqlite":  # the largest ids and the chain's head at once
        assert sum("max(" in s or "FROM audit_events" in s for s in statements) == 1
    with db.read() as session:
        assert audit.verify(session) is None
        events = {e.hash: e for e in session.scalars(select(AuditEvent))}
        rows = [*session.scalars(select(Vote)), *session.scalars(select(Comment))]
    assert len(rows) == len(works)
    for row in rows:
        assert events[row.event_hash or ""].payload == audit.canonical(audit.bound(row))


@BACKENDS
def test_nobody_is_answered_when_the_batch_does_not_commit(
    app: FastAPI, ballot: tuple[list[int], int]
) -> None:
    db: Database = app.state.db
    proposal_id = ballot[1]
    writer = _user(db, "chem")

    opened = itertools.count()

    @contextmanager
    def failing() -> Iterator[Session]:
        """Transactions that fail to commit, after the first (the holding write's)."""
        with db.write() as session:
            yield session
            if next(opened) > 0:
                raise OSError("disk full")

    appender = Appender(failing)
    with db.read() as session:
        events_before = service.count(session, AuditEvent)

    def comment(text: str) -> Callable[[], Any]:
        return lambda: appender.submit(lambda s: _comment(s, writer, proposal_id, text))

    try:
        outcomes = _in_one_batch(appender, [comment(f"lost {k}") for k in range(3)])
    finally:
        appender.stop()
    assert all(isinstance(o, OSError) for o in outcomes)
    with db.read() as session:
        assert service.count(session, AuditEvent) == events_before
        assert service.count(session, Comment) == 0
        assert audit.verify(session) is None


@BACKENDS
def test_writes_from_an_event_loop_wait_for_their_batch_without_a_thread(
    app: FastAPI, ballot: tuple[list[int], int]
) -> None:
    db: Database = app.state.db
    ballot_id = ballot[0][0]
    users = [_user(db, member(app, f"voter{k}", "workers").name) for k in range(5)]
    running, release = threading.Event(), threading.Event()

    def hold(_session: Session) -> None:
        running.set()
        release.wait(WAIT_S)

    async def cast() -> list[Any]:
        loop = asyncio.get_running_loop()
        first = loop.run_in_executor(None, db.appender.submit, hold)
        await loop.run_in_executor(None, running.wait, WAIT_S)
        tasks = [
            asyncio.ensure_future(service.vote_of(u, ballot_id, ["1"])[0].store_async(db))
            for u in users
        ]
        tasks.append(
            asyncio.ensure_future(service.vote_of(users[0], ballot_id, ["1"])[0].store_async(db))
        )
        while db.appender.pending < len(tasks):
            await asyncio.sleep(0.01)
        threads = threading.active_count()
        release.set()
        await first
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        assert threading.active_count() <= threads, "no thread was started for the waits"
        return outcomes

    batches = db.appender.batches
    outcomes = asyncio.run(cast())
    assert db.appender.batches == batches + 2  # the holding write's batch, then all of these
    assert all(isinstance(o, Vote) for o in outcomes[:5])
    assert isinstance(outcomes[5], service.ConflictError), "the second vote alone is refused"
    with db.read() as session:
        assert audit.verify(session) is None
        stored = session.scalars(select(Vote.participant_id).where(Vote.ballot_id == ballot_id))
        assert sorted(stored) == sorted(u.id for u in users)


def _comment(session: Session, writer: User, proposal_id: int, text: str) -> Comment:
    row = Comment(proposal_id=proposal_id, author_id=writer.id, text=text)
    return audit.store(session, audit.Bound(row, writer.name, "comment.create", "proposal:1"))
