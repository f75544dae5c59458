"""Crash safety: SIGKILL during voting loses no acknowledged vote and leaves the chain valid,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from _council import BACKENDS
from _server import Seat, Server, open_ballots, seed, vote_pairs

VOTERS = 24
BALLOTS = 30


@BACKENDS
def test_kill_during_voting_keeps_every_acknowledged_vote(db_url: str, tmp_path: Path) -> None:
    server = Server(db_url, tmp_path / "server.log")
    people = [("boss", "commission", None), ("dele", "delegate", "coal")]
    people += [(f"voter{k}", "workers", None) for k in range(VOTERS)]
    seats = seed(server.url, people)
    server.start()
    ballots = open_ballots(server.base, seats["boss"], seats["dele"], BALLOTS)
    acknowledged: dict[int, set[int]] = {seats[f"voter{k}"].id: set() for k in range(VOTERS)}
    lock = threading.Lock()
    enough = threading.Event()

    def vote_all(seat: Seat) -> None:
        with seat.client(server.base, timeout=10) as client:
            for ballot in ballots:
                try:
                    answer = client.post(f"/api/ballots/{ballot}/votes", json={"choice": ["1"]})
                except httpx.HTTPError:
                    return
                if answer.status_code == 201:
                    with lock:
                        acknowledged[seat.id].add(ballot)
                        if sum(map(len, acknowledged.values())) >= 100:
                            enough.set()

    with ThreadPoolExecutor(max_workers=VOTERS) as pool:
        for k in range(VOTERS):
            pool.submit(vote_all, seats[f"voter{k}"])
        assert enough.wait(60), "the server acknowledged too few votes"
        server.kill()
    assert server.process is not None and server.process.returncode == -9
    total = sum(map(len, acknowledged.values()))
    assert total < VOTERS * BALLOTS, "the kill came after all voting ended"
    stored, events = vote_pairs(server.url)
    lost = {(v, b) for v, done in acknowledged.items() for b in done} - stored
    assert not lost, f"acknowledged votes lost: {sorted(lost)[:5]}"
    assert events == len(stored), "every stored vote has its audit event, and no other"
    server.start()
    with seats["voter0"].client(server.base) as client:
        mine = [client.get(f"/api/ballots/{b}").status_code for b in ballots[:3]]
        assert mine == [200, 200, 200]
    server.stop()
    done = subprocess.run(
        [sys.executable, "-m", "planlab", "council", "verify-audit", "--db", server.url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
