"""Group commit: the writes of many requests applied in one transaction.

Every write appends to the one audit chain, so writes run one at a time under the
writers' lock (see ``db``). Taken once per request, that lock was the service's queue:
its hand-over, BEGIN, COMMIT, SQLite's fsync and a read of the chain's head were paid by
every vote. An ``Appender`` takes the writes that request threads hand to it and applies
all those that gathered while its last batch ran in one transaction of its own thread:
one lock, one commit (one fsync), one read of the chain's head per batch.

- Each write still appends its own events, chained and hashed one by one, in the
  order of the batch.
- Each write runs in a savepoint: its own failure (a double vote, a closed ballot, a bad
  input) rolls back that write alone and is raised to its caller as before, while the
  rest of the batch goes on. A write is checked inside the batch, against everything
  committed and everything applied before it in the batch.
- Each caller is answered only when its batch has committed, so an acknowledged write is
  as durable as before; if the commit fails, every caller of the batch gets the error.
- A caller on an event loop (``submit_async``) waits without a thread: the batch's
  outcome reaches each event loop with one wake-up per batch, and no request thread
  competes with the appender for the interpreter lock while it waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import threading
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

__all__ = ["BATCH_LIMIT", "Appender", "Write"]

BATCH_LIMIT = 64
"""Most writes in one transaction. An assumption: a write's work is about 1-2 ms of CPU,
so a full batch holds the writers' lock for a fraction of the 300 ms goal; with 50
clients a batch rarely reaches it."""

T = TypeVar("T")


@dataclass(frozen=True)
class Write(Generic[T]):
    """A write to hand to the appender: ``work``, or its two halves ``prepare`` and
    ``many``, and the rows ``reads`` that ``prepare`` starts from (``Appender.submit``)."""

    work: Callable[[Session], T]
    prepare: Callable[[Session], Any] | None = None
    many: Callable[[Session, list[Any]], list[T]] | None = None
    reads: Sequence[tuple[type[Any], int]] = ()


@dataclass
class _Job(Generic[T]):
    """One caller's write: what to run, and its result or error once the batch is over."""

    work: Callable[[Session], T]
    prepare: Callable[[Session], Any] | None = None
    many: Callable[[Session, list[Any]], list[T]] | None = None
    reads: Sequence[tuple[type[Any], int]] = ()
    done: threading.Event = field(default_factory=threading.Event)
    result: T | None = None
    error: BaseException | None = None
    committed: bool = False
    future: asyncio.Future[None] | None = None
    """Set for a caller on an event loop (``submit_async``): the outcome is handed to it."""

    def outcome(self) -> T:
        """The result, or the error raised, once the batch is over."""
        if self.error is not None:
            raise self.error
        if not self.committed:
            raise RuntimeError("the write was not applied: the batch ended abnormally")
        return self.result  # type: ignore[return-value]


class Appender:
    """Applies writes in batches, one transaction (``transaction()``) per batch.

    The thread starts with the first write (again in a forked child, which inherits
    no threads) and ends with ``stop``.
    """

    def __init__(
        self,
        transaction: Callable[[], AbstractContextManager[Session]],
        limit: int = BATCH_LIMIT,
    ) -> None:
        self._transaction = transaction
        self._limit = limit
        self._jobs: queue.SimpleQueue[_Job[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._starting = threading.Lock()
        self.batches = 0
        """Transactions committed or tried so far (for tests and measurements)."""

    def submit(
        self,
        work: Callable[[Session], T],
        *,
        prepare: Callable[[Session], Any] | None = None,
        many: Callable[[Session, list[Any]], list[T]] | None = None,
        reads: Sequence[tuple[type[Any], int]] = (),
    ) -> T:
        """Run ``work`` in the next batch; its result once the batch has committed.

        ``work`` gets the batch's session and must make its changes there and nowhere
        else; whatever it raises is raised here, and its changes are rolled back.

        A write may also come in two halves, so that the writes of a batch are stored
        together in a few statements: ``prepare`` checks the request and builds what to
        store without changing the database (what it raises is the caller's answer), and
        ``many`` stores what consecutive writes with the same ``many`` prepared, in one
        go, returning each one's result. Should ``many`` fail (a unique constraint
        between two writes of the group), its changes are rolled back and each write of
        the group runs alone through ``work``, so that only the offending one fails.
        ``reads`` names the rows (mapped class, primary key) that ``prepare`` reads:
        those of a group are loaded with one query per class before it is prepared.
        """
        job: _Job[T] = _Job(work, prepare, many, reads)
        self._running()
        self._jobs.put(job)
        job.done.wait()
        return job.outcome()

    async def submit_async(self, write: Write[T]) -> T:
        """``submit`` for a caller on an event loop: the loop serves other requests while
        the write waits for its batch, and no thread is held meanwhile."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        job: _Job[T] = _Job(write.work, write.prepare, write.many, write.reads, future=future)
        self._running()
        self._jobs.put(job)
        await asyncio.shield(future)
        return job.outcome()

    @property
    def pending(self) -> int:
        """Writes handed in and not yet taken into a batch."""
        return self._jobs.qsize()

    def stop(self) -> None:
        """Apply what was handed in, then end the thread."""
        thread = self._thread
        if thread is not None and self._pid == os.getpid() and thread.is_alive():
            self._jobs.put(None)
            thread.join()
        self._thread = None

    def _running(self) -> None:
        if self._thread is not None and self._pid == os.getpid():
            return
        with self._starting:
            if self._thread is None or self._pid != os.getpid():
                self._jobs = queue.SimpleQueue()
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._loop, name="planlab-appender", daemon=True
                )
                self._thread.start()

    def _loop(self) -> None:
        last = False
        while not last:
            first = self._jobs.get()
            if first is None:
                return
            batch: list[_Job[Any]] = [first]
            while len(batch) < self._limit:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    last = True
                    break
                batch.append(job)
            try:
                self._apply(batch)
            finally:
                _settle(batch)

    def _apply(self, batch: list[_Job[Any]]) -> None:
        self.batches += 1
        try:
            try:
                self._transact(batch, careful=False)
            except _UnguardedStoreError:
                # A group's store failed with no savepoint to fall back to: the whole
                # transaction was rolled back, and the batch runs again with savepoints.
                for job in batch:
                    job.error, job.result = None, None
                self._transact(batch, careful=True)
        except Exception as exc:  # the transaction failed: nothing of the batch was stored
            for job in batch:
                if job.error is None:
                    job.error, job.result = exc, None
        else:
            for job in batch:
                job.committed = job.error is None

    def _transact(self, batch: list[_Job[Any]], *, careful: bool) -> None:
        with self._transaction() as session:
            _keep_loaded(session)
            if len(batch) == 1 and batch[0].many is None:
                # Alone in its batch, a write's failure may roll back the transaction.
                batch[0].result = batch[0].work(session)
            else:
                _each(session, batch, careful)


class _UnguardedStoreError(Exception):
    """A group's ``many`` failed outside a savepoint: the batch must run again, carefully."""


def _settle(batch: list[_Job[Any]]) -> None:
    """Wake the batch's callers: threads by their events, each event loop once."""
    loops: dict[asyncio.AbstractEventLoop, list[asyncio.Future[Any]]] = {}
    for job in batch:
        job.done.set()
        if job.future is not None:
            loops.setdefault(job.future.get_loop(), []).append(job.future)
    for loop, futures in loops.items():
        with contextlib.suppress(RuntimeError):  # a loop that closed meanwhile
            loop.call_soon_threadsafe(_resolve, futures)


def _resolve(futures: list[asyncio.Future[Any]]) -> None:
    for future in futures:
        if not future.done():
            future.set_result(None)


def _keep_loaded(session: Session) -> None:
    """Hold the rows the batch loads until it ends: the session's identity map holds them
    weakly, and the writes of a batch read the same round or proposal again and again."""
    kept: list[object] = []
    event.listen(session, "loaded_as_persistent", lambda _s, row: kept.append(row))


def _each(session: Session, batch: list[_Job[Any]], careful: bool) -> None:
    """Apply a batch in order: plain writes one by one, runs of two-half writes together."""
    group: list[_Job[Any]] = []
    for job in batch:
        if job.many is not None and (not group or group[0].many is job.many):
            group.append(job)
            continue
        _together(session, group, careful)
        group = [job] if job.many is not None else []
        if job.many is None:
            _one(session, job)
    _together(session, group, careful)


def _together(session: Session, group: list[_Job[Any]], careful: bool) -> None:
    """Prepare each write of the group, then store them all with one call of ``many``.

    At first (not ``careful``) the store runs without a savepoint, two statements fewer
    per group: should it fail, ``_UnguardedStoreError`` rolls the whole batch back. Run again
    ``careful``ly, a group of one runs alone in a savepoint, and a larger group's store
    in a savepoint, its writes one by one if it fails, so that only the offending fails.
    """
    if not group or (careful and len(group) < 2):
        for job in group:
            _one(session, job)
        return
    _load(session, [key for job in group for key in job.reads])
    ready, items = [], []
    for job in group:
        assert job.prepare is not None and job.many is not None
        try:
            items.append(job.prepare(session))
        except Exception as exc:
            job.error = exc
        else:
            ready.append(job)
    if not ready:
        return
    if not careful:
        try:
            results = ready[0].many(session, items)  # type: ignore[misc]
        except Exception as exc:
            raise _UnguardedStoreError from exc
    else:
        info = dict(session.info)
        try:
            with session.begin_nested():
                results = ready[0].many(session, items)  # type: ignore[misc]
        except Exception:
            session.info.clear()
            session.info.update(info)
            for job in ready:
                _one(session, job)
            return
    for job, result in zip(ready, results, strict=True):
        job.result = result


def _load(session: Session, keys: list[tuple[type[Any], int]]) -> None:
    """Load the rows named by ``keys`` into the session, one query per mapped class."""
    wanted: dict[type[Any], set[int]] = {}
    for model, key in keys:
        wanted.setdefault(model, set()).add(key)
    for model, ids in wanted.items():
        column = sa_inspect(model).primary_key[0]
        session.scalars(select(model).where(column.in_(sorted(ids)))).all()


def _one(session: Session, job: _Job[Any]) -> None:
    """Run one write of a batch in a savepoint; on failure restore what it changed."""
    info = dict(session.info)
    try:
        with session.begin_nested():
            job.result = job.work(session)
    except Exception as exc:
        session.info.clear()
        session.info.update(info)
        job.error = exc
