"""Engines and sessions: SQLite in WAL mode with foreign keys and a busy timeout, or PostgreSQL.

Writes on SQLite take the write lock when they begin (``BEGIN IMMEDIATE``), so
that two writers queue instead of failing when one of them has read a stale
snapshot; reads begin as usual and never wait for writers. The writers also
queue on a lock of their own, which wakes the next one as soon as the last
commits, where SQLite's busy handler would poll with sleeps: a thread lock within
the process, then an exclusive ``flock`` on a file beside the database
(``<database>.writer-lock``) across the processes of ``planlab serve --workers``.

On PostgreSQL a write takes a transaction-level advisory lock (``WRITE_LOCK``)
as its first statement, so writers queue the same way across processes: under
READ COMMITTED each later statement sees every write committed before it, and
a check and the change it guards (a login throttle's count and the failure it
adds, a ballot's status and a vote) cannot interleave with another writer.

The frequent writes (votes, comments, proposals, registrations) do not take that lock
one by one: ``Database.batched`` hands them to the database's ``Appender``
(``groupcommit``), which applies those that gathered in one write transaction.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Executable, Row, create_engine, event, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from planlab.council.groupcommit import Appender, Write
from planlab.council.readcache import ReadCache

__all__ = [
    "HOLDS_WRITE_LOCK",
    "OUTSIDE_TRANSACTION",
    "WRITE_LOCK",
    "Database",
    "alembic_config",
    "driver_url",
    "upgrade",
]

BUSY_TIMEOUT_MS = 30_000
WRITE_LOCK = 720_007
"""Key of the PostgreSQL advisory lock that writers hold until they commit."""
HOLDS_WRITE_LOCK = "planlab.write_lock"
"""Key in ``Session.info`` set by ``Database.write`` once the session holds ``WRITE_LOCK``."""
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
POOL_SIZE = 40
"""Connections an engine keeps open: one per request thread of a server process (anyio's
default thread limiter runs 40). With SQLAlchemy's default of 5, a busy process closed
the connections beyond the fifth as they were returned and opened new ones (on SQLite
with its pragmas) for the next requests: under 50 clients, about a tenth of its time."""
POOL_OVERFLOW = 5
"""Connections an engine may open beyond ``POOL_SIZE`` for a moment (the appender's thread
and writers of the command line); with two PostgreSQL worker processes, 90 in all stay
within PostgreSQL's default ``max_connections`` of 100."""
OUTSIDE_TRANSACTION = "planlab_outside_transaction"
"""Execution option of SQLite connections that run each statement on its own, without
BEGIN and ROLLBACK around it (``Database.glance``)."""
T = TypeVar("T")


def driver_url(url: str) -> str:
    """The URL with a driver named: ``postgresql://`` means psycopg 3 (the ``postgres`` extra).

    >>> driver_url("postgresql://planner@db/council")
    'postgresql+psycopg://planner@db/council'
    """
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _engine(url: str, *, immediate: bool) -> Engine:
    if not url.startswith("sqlite"):
        # No ``pool_pre_ping``: the pool is kept warm (``POOL_SIZE``), and a ping per checkout
        # was a round trip per request; a connection the server dropped fails its statement
        # once, and SQLAlchemy then invalidates the pool's connections.
        return create_engine(
            driver_url(url),
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
        )
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=POOL_SIZE,
        max_overflow=POOL_OVERFLOW,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        if connection.get_execution_options().get(OUTSIDE_TRANSACTION):
            return
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@dataclass
class Database:
    """One database: a session factory for reads and one for writes, the group commit's
    appender, and the answers of reads kept between writes (``readcache``)."""

    url: str
    reader: Engine
    writer: Engine
    queue: threading.Lock | None = field(default=None, repr=False)
    lockfile: Path | None = field(default=None, repr=False)
    glancer: Engine = field(init=False, repr=False)
    reading: sessionmaker[Session] = field(init=False, repr=False)
    writing: sessionmaker[Session] = field(init=False, repr=False)
    appender: Appender = field(init=False, repr=False)
    cache: ReadCache = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # One factory per engine for the life of the database: each ``sessionmaker`` makes a
        # Session subclass, and SQLAlchemy sets up event dispatch for every new class.
        self.glancer = self.reader.execution_options(**{OUTSIDE_TRANSACTION: True})
        self.reading = sessionmaker(self.reader, expire_on_commit=False)
        self.writing = sessionmaker(self.writer, expire_on_commit=False)
        self.appender = Appender(self.write)
        self.cache = ReadCache()

    @classmethod
    def connect(cls, url: str) -> Database:
        """Engines for ``url``; the schema is not touched (see ``upgrade``)."""
        reader = _engine(url, immediate=False)
        if url.startswith("sqlite"):
            file = make_url(url).database
            lockfile = Path(f"{file}.writer-lock") if file and file != ":memory:" else None
            return cls(url, reader, _engine(url, immediate=True), threading.Lock(), lockfile)
        # Reads run in autocommit: under READ COMMITTED each statement sees its own snapshot
        # anyway, and a read transaction cost two more round trips (BEGIN, ROLLBACK) per
        # request. The option is set on the connection by the driver, without a round trip.
        return cls(url, reader.execution_options(isolation_level="AUTOCOMMIT"), reader)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; whatever it holds is rolled back at the end."""
        with self.reading() as session:
            yield session

    def glance(self, statement: Executable, params: Mapping[str, Any]) -> Row[Any] | None:
        """The first row of one read statement, run on its own: no transaction around it
        (autocommit), so it is one trip to the database, where a session's read is three
        (BEGIN, the statement, ROLLBACK). One statement still reads one snapshot."""
        with self.glancer.connect() as connection:
            return connection.execute(statement, params).first()

    async def glance_async(
        self, statement: Executable, params: Mapping[str, Any]
    ) -> Row[Any] | None:
        """``glance`` for a caller on the event loop. On SQLite it runs on the loop: the
        statement reads a local file and waits for no lock (WAL), in less time than a
        thread of the pool costs. On PostgreSQL it is a round trip to a server process,
        which the loop would wait for idle: it runs in the thread pool."""
        if self.url.startswith("sqlite"):
            return self.glance(statement, params)
        return await anyio.to_thread.run_sync(self.glance, statement, params)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose changes are committed together at the end, or not at all."""
        if self.queue is None:
            with self.writing() as session, session.begin():
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})
                session.info[HOLDS_WRITE_LOCK] = True
                yield session
            return
        with self.queue, self._across_processes(), self.writing() as session, session.begin():
            yield session

    def batched(
        self,
        work: Callable[[Session], T],
        *,
        prepare: Callable[[Session], Any] | None = None,
        many: Callable[[Session, list[Any]], list[T]] | None = None,
        reads: Sequence[tuple[type[Any], int]] = (),
    ) -> T:
        """Run ``work`` in the next group commit (see ``groupcommit``, which also says
        what ``prepare``, ``many`` and ``reads`` do): in one write transaction with the writes that
        gathered meanwhile; its result once that transaction has committed, or what it
        raised."""
        return self.appender.submit(work, prepare=prepare, many=many, reads=reads)

    async def batched_async(self, write: Write[T]) -> T:
        """``batched`` for a caller on the event loop, which waits without a thread."""
        return await self.appender.submit_async(write)

    @contextmanager
    def _across_processes(self) -> Iterator[None]:
        """Hold the SQLite writers' file lock (the caller holds ``queue``)."""
        if self.lockfile is None:
            yield
            return
        with self.lockfile.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def dispose(self) -> None:
        """End the appender's thread and close every pooled connection."""
        self.appender.stop()
        self.reader.dispose()
        self.writer.dispose()


def alembic_config(url: str) -> Config:
    """Alembic's configuration for the migrations shipped with the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", driver_url(url).replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the schema at ``url`` to the newest migration (creates it on an empty database)."""
    command.upgrade(alembic_config(url), "head")
