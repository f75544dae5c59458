"""A bounded load test on loopback: 50 clients for 20 s, mixed reads and votes.

It prints throughput and the 99th percentile of latency, and checks that no
request failed and every acknowledged vote is in the database exactly once.
The latency bound is a generous sanity check, not a target.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import pytest
from _server import Seat, Server, open_ballots, seed, vote_count

CLIENTS = 50
SECONDS = 20.0
BALLOTS = 150
VOTE_SHARE = 0.3
P99_SANITY = 5.0


@dataclass
class Record:
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    votes: int = 0


@pytest.mark.slow
def test_fifty_clients_for_twenty_seconds(tmp_path: Path) -> None:
    server = Server(tmp_path / "load.db", tmp_path / "server.log")
    people = [("boss", "commission", None), ("dele", "delegate", "coal")]
    people += [(f"client{k}", "consumers", None) for k in range(CLIENTS)]
    seats = seed(server.url, people)
    with server:
        ballots = open_ballots(server.base, seats["boss"], seats["dele"], BALLOTS)
        reads = ["/api/rounds/1", "/api/rounds/1/proposals", f"/api/ballots/{ballots[0]}"]
        reads += [f"/ballots/{ballots[-1]}", "/api/rounds/1/variants"]
        records = [Record() for _ in range(CLIENTS)]
        start = threading.Barrier(CLIENTS + 1)

        def run(seat: Seat, record: Record, seed_: int) -> None:
            rng = random.Random(seed_)
            todo = list(ballots)
            with seat.client(server.base) as client:
                start.wait()
                deadline = time.monotonic() + SECONDS
                while time.monotonic() < deadline:
                    vote = todo and rng.random() < VOTE_SHARE
                    began = time.perf_counter()
                    try:
                        if vote:
                            ballot = todo.pop()
                            answer = client.post(
                                f"/api/ballots/{ballot}/votes", json={"choice": ["2", "1"]}
                            )
                        else:
                            answer = client.get(rng.choice(reads))
                    except httpx.HTTPError as exc:
                        record.failures.append(repr(exc))
                        continue
                    record.latencies.append(time.perf_counter() - began)
                    if answer.status_code not in (200, 201):
                        record.failures.append(f"{answer.status_code} {answer.text[:200]}")
                    elif vote:
                        record.votes += 1

        threads = [
            threading.Thread(target=run, args=(seats[f"client{k}"], records[k], k))
            for k in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        with seats["boss"].client(server.base) as boss:
            chain = boss.get("/api/audit/verify").json()
    latencies = np.array([x for r in records for x in r.latencies])
    acknowledged = sum(r.votes for r in records)
    p50, p99 = np.percentile(latencies, [50, 99])
    print(
        f"\nload: {CLIENTS} clients, {elapsed:.1f} s, {latencies.size} requests, "
        f"{latencies.size / elapsed:.0f} requests/s, {acknowledged} votes, "
        f"p50 {1000 * p50:.0f} ms, p99 {1000 * p99:.0f} ms"
    )
    failures = [f for r in records for f in r.failures]
    assert not failures, failures[:5]
    counted = vote_count(server.url)
    for k, record in enumerate(records):
        assert counted.get(seats[f"client{k}"].id, 0) == record.votes
    assert sum(counted.values()) == acknowledged
    assert chain["valid"], chain
    assert p99 < P99_SANITY
