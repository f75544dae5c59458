"""Closed-loop load on a real ``planlab serve``: clients that send the next request as soon as
the last one is answered, with a fixed mix of reads and writes.

Used by the short load test in the suite and by ``benchmarks/council_load.py``.
Each client is a participant with their own session; per request it draws:

- a vote (``POST /api/ballots/{id}/votes``, each client votes once per ballot) with
  probability ``VOTE_SHARE``,
- a comment (``POST /api/proposals/{id}/comments``) with probability ``COMMENT_SHARE``,
- else one of the reads in ``READS``, equally likely (JSON of a round, its proposals, its
  variants, a ballot, and a ballot's HTML page).

The clients speak HTTP/1.1 with keep-alive through the standard library's ``http.client``,
which costs a sixth of httpx's CPU per request: with 50 clients in one process the
generator, not the server, would otherwise set the latency (see the floor of the
benchmark). The server's CPU time over the run is read from ``/proc`` (Linux), so that a result
says how much of the machine the server had.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from _server import Seat, Server, open_ballots, seed

from planlab.council.security import COOKIE, CSRF_HEADER

VOTE_SHARE = 0.25
COMMENT_SHARE = 0.05
BALLOTS = 150
READS = (
    "/api/rounds/{round}",
    "/api/rounds/{round}/proposals",
    "/api/rounds/{round}/variants",
    "/api/ballots/{first}",
    "/ballots/{last}",
)
FLOOR = "/api/no-such-route"
"""The floor of the stack: a 404 through the whole middleware chain, with no database."""
PERCENTILES = (50, 95, 99)


@dataclass
class Record:
    """One client's answers: latency and kind of each, failures, acknowledged votes."""

    latencies: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    votes: list[int] = field(default_factory=list)


@dataclass
class Result:
    """A run: every client's record, its length, and the server's CPU seconds."""

    records: list[Record]
    seconds: float
    server_cpu: float

    def latencies(self, kind: str | None = None) -> np.ndarray:
        return np.array(
            [
                x
                for r in self.records
                for x, k in zip(r.latencies, r.kinds, strict=True)
                if kind is None or k == kind
            ]
        )

    def percentiles(self, kind: str | None = None) -> tuple[float, ...]:
        """p50, p95, p99 of the latency in ms (of one kind of request, or all)."""
        found = self.latencies(kind)
        return tuple(float(v) for v in 1000 * np.percentile(found, PERCENTILES))

    @property
    def failures(self) -> list[str]:
        return [f for r in self.records for f in r.failures]

    def line(self, label: str) -> str:
        """One line: throughput, percentiles overall and of the writes, server CPU share."""
        n = self.latencies().size
        p50, p95, p99 = self.percentiles()
        writes = [k for k in ("vote", "comment") if self.latencies(k).size]
        tail = ", ".join(f"{k} p99 {self.percentiles(k)[2]:.0f}" for k in writes)
        return (
            f"{label}: {n} requests in {self.seconds:.1f} s ({n / self.seconds:.0f}/s), "
            f"p50 {p50:.0f} p95 {p95:.0f} p99 {p99:.0f} ms"
            + (f" ({tail})" if tail else "")
            + f", server CPU {self.server_cpu / self.seconds:.2f} cores"
        )


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it (the workers of ``planlab serve --workers``)."""
    found, todo = [], [pid]
    while todo:
        here = todo.pop()
        found.append(here)
        for task in Path(f"/proc/{here}/task").glob("*/children"):
            with contextlib.suppress(OSError):  # a thread or process that just ended
                todo += [int(child) for child in task.read_text().split()]
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds so far of a process and those below it (0 without /proc)."""
    total = 0.0
    for each in _tree(pid):
        with contextlib.suppress(OSError):  # a process that just ended
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


class Client:
    """One participant's keep-alive connection: their cookie and CSRF token on every request."""

    def __init__(self, base: str, seat: Seat, timeout: float = 30.0) -> None:
        where = urlsplit(base)
        self.connection = http.client.HTTPConnection(
            where.hostname or "127.0.0.1", where.port, timeout=timeout
        )
        self.headers = {"Cookie": f"{COOKIE}={seat.token}", CSRF_HEADER: seat.csrf}

    def send(self, method: str, url: str, body: object = None) -> tuple[int, bytes]:
        """The status and body of one request (the connection is reopened after an error)."""
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, url, body=data, headers=headers)
            answer = self.connection.getresponse()
            return answer.status, answer.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise

    def close(self) -> None:
        self.connection.close()


@dataclass
class Stage:
    """A served round ready for load: the seats of the clients, ballots, a proposal."""

    server: Server
    clients: list[Seat]
    boss: Seat
    round_id: int
    ballots: list[int]
    proposal: int


def stage(server: Server, clients: int, ballots: int = BALLOTS) -> Stage:
    """Seed ``clients`` participants, start the server, open a round with ``ballots``."""
    people = [("boss", "commission", None), ("dele", "delegate", "coal")]
    people += [(f"client{k}", "consumers", None) for k in range(clients)]
    seats = seed(server.url, people)
    server.start()
    opened = open_ballots(server.base, seats["boss"], seats["dele"], ballots)
    with seats["boss"].client(server.base) as boss:
        round_id = int(boss.get(f"/api/ballots/{opened[0]}").json()["round_id"])
        proposal = int(boss.get(f"/api/rounds/{round_id}/proposals").json()[0]["id"])
    people_seats = [seats[f"client{k}"] for k in range(clients)]
    return Stage(server, people_seats, seats["boss"], round_id, opened, proposal)


def run(
    where: Stage, seconds: float, *, mix: bool = True, seed_: int = 0, votes: Sequence[int] = ()
) -> Result:
    """All clients at once for ``seconds``: the mix of module docstring, or only ``FLOOR``.

    ``votes`` are the ballots still open to every client (each votes at most once in each).
    """
    base = where.server.base
    reads = [
        r.format(round=where.round_id, first=where.ballots[0], last=where.ballots[-1])
        for r in READS
    ]
    records = [Record() for _ in where.clients]
    start = threading.Barrier(len(where.clients) + 1)

    def client(seat: Seat, record: Record, k: int) -> None:
        rng = random.Random(seed_ * 1000 + k)
        todo = list(votes)
        rng.shuffle(todo)
        conn = Client(base, seat)
        try:
            start.wait()
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                draw = rng.random()
                ballot, body = 0, None
                if not mix:
                    kind, url = "floor", FLOOR
                elif draw < VOTE_SHARE and todo:
                    ballot = todo.pop()
                    kind, url = "vote", f"/api/ballots/{ballot}/votes"
                    body = {"choice": ["2", "1"]}
                elif draw < VOTE_SHARE + COMMENT_SHARE:
                    kind, url = "comment", f"/api/proposals/{where.proposal}/comments"
                    body = {"text": f"client {k} at {time.time():.3f}"}
                else:
                    kind, url = "read", rng.choice(reads)
                began = time.perf_counter()
                try:
                    code, text = conn.send("GET" if body is None else "POST", url, body)
                except (OSError, http.client.HTTPException) as exc:
                    record.failures.append(f"{kind}: {exc!r}")
                    continue
                record.latencies.append(time.perf_counter() - began)
                record.kinds.append(kind)
                expected = 404 if kind == "floor" else (201 if kind != "read" else 200)
                if code != expected:
                    record.failures.append(f"{kind} {code} {text[:200]!r}")
                elif kind == "vote":
                    record.votes.append(ballot)
        finally:
            conn.close()

    threads = [
        threading.Thread(target=client, args=(seat, record, k))
        for k, (seat, record) in enumerate(zip(where.clients, records, strict=True))
    ]
    for thread in threads:
        thread.start()
    pid = where.server.process.pid if where.server.process else 0
    start.wait()
    cpu, began = cpu_seconds(pid), time.perf_counter()
    for thread in threads:
        thread.join()
    return Result(records, time.perf_counter() - began, cpu_seconds(pid) - cpu)
