"""Answers of reads kept between the writes that change them, per server process.

A round, its proposals, its variants and a ballot do not change when a vote or a comment
is cast (a ballot's JSON holds no count of its votes, a proposal's none of its comments),
and these reads are most of the council's traffic. Their answers are kept, encoded, in
a ``ReadCache`` per ``Database``, until a write that may change them commits.

What has been written is read from the database, not from this process's memory, so
that the writes of other server processes (``--workers``) and of the command line count
too: every write that changes a row appends an event to the audit chain in the same
transaction, so the chain's head id is a write generation. Each cached read reads the
head and whether an event past the last head seen has an action not in ``NEUTRAL``
(``HEAD`` and ``STALE``: a range of the primary key), in the same statement as its
login (``deps.glance_kept``); such an event drops every kept answer. An action added
later thus invalidates until it is declared neutral.

An answer built from a snapshot older than the newest head already seen is not kept
(on SQLite a read transaction can lag behind one that began later), nor one built while
the cache was dropped; one built from a newer state than its head (the answer is built
in a read of its own, after the statement that read the head; and PostgreSQL's READ
COMMITTED reads each statement afresh) is dropped when a later read sees that event.
The caller checks permissions before it asks the cache: a kept answer is the same for
everyone who may read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import Session

from planlab.council.models import AuditEvent

__all__ = ["HEAD", "NEUTRAL", "STALE", "ReadCache", "Token"]

NEUTRAL = frozenset({"vote.cast", "comment.create", "user.register", "user.grant"})
"""Audit actions that change none of the kept answers: votes and comments (a ballot's and a
proposal's JSON hold neither), accounts and roles (checked per request, before the cache)."""
T = TypeVar("T")
MAX_ENTRIES = 4096
"""Answers kept at most (a stated bound on memory: a round's proposals with their checks
are the largest, tens of kB); past it the cache is emptied and fills again."""

HEAD = select(func.max(AuditEvent.id)).scalar_subquery()
"""A column: the chain's head id, the write generation."""
STALE = exists().where(AuditEvent.id > bindparam("seen"), AuditEvent.action.not_in(NEUTRAL))
"""A column: whether an event past the head seen last (parameter ``seen``, ``params``)
may change a kept answer. Read in one statement with ``HEAD``, both come from one
snapshot; ``moved`` takes them. Both are read in the statement of a request's login."""


@dataclass(frozen=True)
class Token:
    """What a read saw when it asked the cache: the head id and the cache's epoch."""

    head: int
    epoch: int


@dataclass
class ReadCache:
    """Answers (encoded JSON, or what a page shows everyone) by key, valid while no write
    outside ``NEUTRAL`` has committed."""

    seen: int = 0
    epoch: int = 0
    entries: dict[Hashable, object] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def params(self) -> dict[str, int]:
        """The parameter of ``STALE``: the last head seen."""
        return {"seen": self.seen}

    def moved(self, head: int | None, dirty: bool) -> Token:
        """What ``HEAD`` and ``STALE`` read: every answer dropped if ``dirty``; the token
        to keep answers by."""
        with self.lock:
            if dirty:
                self.entries.clear()
                self.epoch += 1
            self.seen = max(self.seen, head or 0)
            return Token(head or 0, self.epoch)

    def advance(self, session: Session) -> Token:
        """Read the chain's head; drop every answer if a write that may change one committed."""
        head, dirty = session.execute(select(HEAD, STALE), self.params()).one()
        return self.moved(head, bool(dirty))

    def get(self, key: Hashable) -> object | None:
        """The kept answer for ``key``, if any."""
        return self.entries.get(key)

    def put(self, key: Hashable, body: object, token: Token) -> None:
        """Keep ``body``, built after ``advance`` gave ``token``, if it cannot be stale."""
        with self.lock:
            if token.epoch != self.epoch or token.head < self.seen:
                return
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()
            self.entries[key] = body

    def answer(self, session: Session, key: Hashable, build: Callable[[], T]) -> T:
        """The kept answer for ``key``, or ``build()`` (kept when it may be). A key names
        one kind of answer, so that what is kept under it is what ``build`` makes."""
        return self.kept(self.advance(session), key, build)

    def kept(self, token: Token, key: Hashable, build: Callable[[], T]) -> T:
        """``answer`` for a request that read the head already (``HEAD``, ``STALE``, ``moved``)."""
        found = self.get(key)
        if found is None:
            made = build()
            self.put(key, made, token)
            return made
        return cast(T, found)
