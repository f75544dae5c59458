"""Concurrent double votes against a real server on loopback: none counted twice, no 500s."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from _council import BACKENDS
from _server import Seat, Server, open_ballots, seed, vote_count

VOTERS = 20
ATTEMPTS = 5


@BACKENDS
def test_concurrent_double_votes_count_once(db_url: str, tmp_path: Path) -> None:
    server = Server(db_url, tmp_path / "server.log")
    people = [("boss", "commission", None), ("dele", "delegate", "coal")]
    people += [(f"voter{k}", "workers", None) for k in range(VOTERS)]
    seats = seed(server.url, people)
    with server:
        ballot = open_ballots(server.base, seats["boss"], seats["dele"], 1)[0]
        voters = [seats[f"voter{k}"] for k in range(VOTERS)]
        clients = {v.name: v.client(server.base) for v in voters}

        def attempt(seat: Seat) -> int:
            answer = clients[seat.name].post(f"/api/ballots/{ballot}/votes", json={"choice": ["1"]})
            return answer.status_code

        jobs = [v for v in voters for _ in range(ATTEMPTS)]
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            codes = list(pool.map(attempt, jobs))
        for client in clients.values():
            client.close()
        with httpx.Client(base_url=server.base) as anon:
            assert anon.get("/openapi.json").status_code == 200
    tally = Counter(codes)
    assert tally[201] == VOTERS, tally
    assert tally[409] == VOTERS * (ATTEMPTS - 1), tally
    assert not [c for c in codes if c >= 500]
    counted = vote_count(server.url)
    assert all(counted.get(v.id) == 1 for v in voters)
