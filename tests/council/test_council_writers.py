"""How writers queue and what a request costs: the SQLite writers' file lock across
processes, one session class per database, dependencies that need no thread, and
``planlab serve --workers``."""

from __future__ import annotations

import fcntl
import inspect
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _server import Seat, Server, open_ballots, seed, vote_count
from sqlalchemy import event, text

from planlab.council import deps
from planlab.council.db import Database, upgrade


def _locked(path: Path) -> bool:
    """Whether another open file holds an exclusive flock on ``path``."""
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def _children(pid: int) -> list[int]:
    """The worker processes ``pid`` started through multiprocessing (not its helpers)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if b"--multiprocessing-fork" in command and b"resource_tracker" not in b" ".join(
                command
            ):
                found.append(int(child))
    return found


def test_sqlite_writers_hold_a_file_lock_that_other_processes_wait_on(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'council.db'}"
    upgrade(url)
    db = Database.connect(url)
    lockfile = tmp_path / "council.db.writer-lock"
    try:
        with db.write():
            assert _locked(lockfile)
        assert not _locked(lockfile)
        with db.read():
            assert not _locked(lockfile)
    finally:
        db.dispose()


def test_sessions_of_one_database_share_one_class(tmp_path: Path) -> None:
    """A sessionmaker per request made a Session subclass per request (and its events)."""
    db = Database.connect(f"sqlite:///{tmp_path / 'council.db'}")
    try:
        with db.read() as first, db.read() as second:
            assert type(first) is type(second)
        with db.write() as first:
            pass
        with db.write() as second:
            assert type(first) is type(second)
    finally:
        db.dispose()


def test_dependencies_without_io_run_on_the_event_loop() -> None:
    """A plain ``def`` dependency costs a hop to the thread pool on every request."""
    assert inspect.iscoroutinefunction(deps.database)
    assert inspect.iscoroutinefunction(deps.settings)


def test_two_server_processes_share_one_database(tmp_path: Path) -> None:
    server = Server(tmp_path / "two.db", tmp_path / "server.log", workers="2")
    people = [("boss", "commission", None), ("dele", "delegate", "coal")]
    people += [(f"voter{k}", "workers", None) for k in range(4)]
    seats = seed(server.url, people)
    voters: list[Seat] = [seats[f"voter{k}"] for k in range(4)]
    with server:
        assert server.process is not None
        assert len(_children(server.process.pid)) == 2
        ballots = open_ballots(server.base, seats["boss"], seats["dele"], 3)
        for seat in voters:
            with seat.client(server.base) as client:
                for ballot in ballots:
                    answer = client.post(f"/api/ballots/{ballot}/votes", json={"choice": ["1"]})
                    assert answer.status_code == 201, answer.text
        with seats["boss"].client(server.base) as boss:
            assert boss.get("/api/audit/verify").json()["valid"]
    counted = vote_count(server.url)
    assert [counted.get(s.id) for s in voters] == [3, 3, 3, 3]


def test_a_busy_process_reuses_its_connections(tmp_path: Path) -> None:
    """With SQLAlchemy's default pool of 5, connections beyond the fifth were closed when
    returned and opened again (with SQLite's pragmas) by the next request."""
    url = f"sqlite:///{tmp_path / 'council.db'}"
    upgrade(url)
    db = Database.connect(url)
    threads, reads = 20, 20
    opened: list[object] = []
    event.listen(db.reader, "connect", lambda conn, _record: opened.append(conn))
    start = threading.Barrier(threads)

    def reader(_k: int) -> None:
        start.wait()
        for _ in range(reads):
            with db.read() as session:
                session.execute(text("SELECT 1"))
                time.sleep(0.001)  # hold the connection as a request would
            time.sleep(0.002)  # and then do other work (parse, render, answer)

    try:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(reader, range(threads)))
    finally:
        db.dispose()
    assert len(opened) <= threads
