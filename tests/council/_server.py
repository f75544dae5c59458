"""A real ``planlab serve`` in a subprocess on loopback, and participants seeded into its DB."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import httpx
from _council import add_user, db_url_of
from sqlalchemy import func, select

from planlab.council.db import Database, upgrade
from planlab.council.models import AuditEvent, Vote
from planlab.council.security import COOKIE, CSRF_HEADER, start_session
from planlab.council.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Seat:
    """A seeded participant: their id, cookie token and CSRF token."""

    id: int
    name: str
    token: str
    csrf: str

    def client(self, base: str, timeout: float = 30.0) -> httpx.Client:
        return httpx.Client(
            base_url=base,
            cookies={COOKIE: self.token},
            headers={CSRF_HEADER: self.csrf},
            timeout=timeout,
        )


def seed(url: str, people: list[tuple[str, str, str | None]]) -> dict[str, Seat]:
    """Accounts with roles and open sessions, written straight into the database."""
    upgrade(url)
    db = Database.connect(url)
    seats = {}
    with db.write() as session:
        for name, role, branch in people:
            user = add_user(session, name, role, branch)
            login = start_session(session, user, Settings(db_url=url))
            seats[name] = Seat(user.id, name, login.token, login.csrf)
    db.dispose()
    return seats


def vote_pairs(url: str) -> tuple[set[tuple[int, int]], int]:
    """(participant, ballot) of every vote, and the number of vote events in the audit chain."""
    db = Database.connect(url)
    with db.read() as session:
        pairs = {
            (int(p), int(b))
            for p, b in session.execute(select(Vote.participant_id, Vote.ballot_id))
        }
        events = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "vote.cast")
        )
    db.dispose()
    return pairs, int(events or 0)


def vote_count(url: str) -> dict[int, int]:
    """Votes per participant in the database."""
    db = Database.connect(url)
    with db.read() as session:
        rows = session.execute(
            select(Vote.participant_id, func.count()).group_by(Vote.participant_id)
        ).all()
    db.dispose()
    return {int(p): int(n) for p, n in rows}


class Server:
    """``python -m planlab serve`` on a free loopback port; ``kill()`` sends SIGKILL."""

    def __init__(self, db: Path | str, log: Path, **settings: str) -> None:
        self.url = db_url_of(db)
        # one process unless a test asks for more (the service's default is one per core)
        self.settings = {f"PLANLAB_{k.upper()}": v for k, v in {"workers": "1", **settings}.items()}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        env = {**os.environ, **self.settings, "PLANLAB_DB_URL": self.url}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "planlab", "serve", "--port", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/openapi.json", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 60 s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()


def open_ballots(base: str, boss: Seat, delegate: Seat, count: int) -> list[int]:
    """A round on ussr-1928 with two variants and ``count`` ranked ballots over them."""
    with boss.client(base) as c, delegate.client(base) as d:
        round_id = c.post("/api/rounds", json={"title": "load", "source": "ussr-1928"}).json()["id"]
        branch = delegate_branch(d)
        made = d.post(
            f"/api/rounds/{round_id}/proposals",
            json={"kind": "target", "branch": branch, "value": 0.02},
        )
        made.raise_for_status()
        variants = [
            c.post(
                f"/api/rounds/{round_id}/variants",
                json={"name": name, "proposal_ids": ids},
            ).json()["id"]
            for name, ids in (("as proposed", [made.json()["id"]]), ("empty", []))
        ]
        ballots = []
        for k in range(count):
            answer = c.post(
                f"/api/rounds/{round_id}/ballots",
                json={"kind": "ranked", "title": f"b{k}", "candidates": variants},
            )
            answer.raise_for_status()
            ballots.append(int(answer.json()["id"]))
    return ballots


def delegate_branch(client: httpx.Client) -> str:
    branch = client.get("/api/auth/me").json()["user"]["branch"]
    assert isinstance(branch, str)
    return branch
