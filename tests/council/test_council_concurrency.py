"""Concurrent writes against a real server on loopback: double votes, closing, failed logins."""

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


@BACKENDS
def test_a_ballot_closed_amid_votes_counts_every_stored_vote(db_url: str, tmp_path: Path) -> None:
    server = Server(db_url, tmp_path / "server.log")
    people = [("boss", "commission", None), ("dele", "delegate", "coal")]
    people += [(f"voter{k}", "workers", None) for k in range(VOTERS)]
    seats = seed(server.url, people)
    with server, seats["boss"].client(server.base) as boss:
        ballot = open_ballots(server.base, seats["boss"], seats["dele"], 1)[0]
        voters = [seats[f"voter{k}"] for k in range(VOTERS)]
        clients = [v.client(server.base) for v in voters]
        assert clients[0].post(f"/api/ballots/{ballot}/votes", json={"choice": ["1"]}).is_success

        def attempt(client: httpx.Client) -> int:
            return client.post(f"/api/ballots/{ballot}/votes", json={"choice": ["2"]}).status_code

        with ThreadPoolExecutor(max_workers=VOTERS) as pool:
            codes = pool.map(attempt, clients[1:])
            closed = boss.post(f"/api/ballots/{ballot}/close")
            tally = Counter(codes)
        for client in clients:
            client.close()
    assert closed.status_code == 200
    assert not [c for c in tally if c not in (201, 409)], tally
    stored = sum(vote_count(server.url).values())
    assert stored == 1 + tally[201], "every acknowledged vote is stored, and no other"
    assert closed.json()["result"]["votes"] == stored, "no vote is stored after the count"


@BACKENDS
def test_concurrent_failed_logins_stop_at_the_limit(db_url: str, tmp_path: Path) -> None:
    server = Server(db_url, tmp_path / "server.log", login_failures="3")
    seed(server.url, [("target", "workers", None)])
    with server, ThreadPoolExecutor(max_workers=12) as pool:

        def guess(k: int) -> int:
            body = {"name": "target", "password": f"wrong password {k}"}
            return httpx.post(f"{server.base}/api/auth/login", json=body, timeout=30).status_code

        codes = Counter(pool.map(guess, range(12)))
    assert codes == Counter({401: 3, 429: 9}), "each guess sees the failures before it"
