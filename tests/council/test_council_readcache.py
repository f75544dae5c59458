"""Reads kept between writes (``council/readcache.py``): never stale after a write, in this
process or another, the permission checked before the cache, and ballots kept secret."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _council import BACKENDS, Member, make_app, member
from fastapi import FastAPI
from fastapi.testclient import TestClient

from planlab.council.db import Database
from planlab.council.readcache import ReadCache, Token

READS = (
    "/api/rounds/{round}",
    "/api/rounds/{round}/proposals",
    "/api/rounds/{round}/variants",
    "/api/ballots/{ballot}",
    "/api/proposals/{proposal}",
)


def _world(app: FastAPI) -> dict[str, Any]:
    boss = member(app, "boss", "commission")
    dele = member(app, "dele", "delegate", "industry_1")
    voters = [member(app, name, "workers") for name in ("ann", "bob")]
    r = boss.post("/api/rounds", {"title": "r", "source": "textbook-3", "years": 2}).json()["id"]
    p = dele.post(
        f"/api/rounds/{r}/proposals", {"kind": "target", "branch": "industry_1", "value": 0.01}
    )
    assert p.status_code == 201, p.text
    v, v2 = (
        boss.post(f"/api/rounds/{r}/variants", {"name": n, "proposal_ids": []}).json()["id"]
        for n in ("first", "second")
    )
    b = boss.post(f"/api/rounds/{r}/ballots", {"kind": "ranked", "candidates": [v, v2]})
    assert b.status_code == 201, b.text
    b = b.json()["id"]
    ids = {"round": r, "proposal": p.json()["id"], "variant": v, "ballot": b}
    return {"boss": boss, "dele": dele, "voters": voters, **ids}


def _reads(who: Member, w: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for path in READS:
        answer = who.get(path.format(**w))
        assert answer.status_code == 200, answer.text
        found[path] = answer.json()
    return found


@pytest.fixture
def second(db_url: str, app: FastAPI) -> Iterator[FastAPI]:
    """A second server process on the same database (as ``--workers 2`` runs), with its own
    cache; ``app`` has created the schema."""
    other = make_app(db_url)
    yield other
    other.state.db.dispose()


@BACKENDS
def test_a_read_after_a_write_is_never_stale(app: FastAPI) -> None:
    w = _world(app)
    reader = w["voters"][0]
    before = _reads(reader, w)
    assert _reads(reader, w) == before  # now answered from the cache
    vote = reader.post(f"/api/ballots/{w['ballot']}/votes", {"choice": [str(w["variant"])]})
    assert vote.status_code == 201
    boss = w["boss"]
    assert boss.post(f"/api/ballots/{w['ballot']}/close").status_code == 200
    after = reader.get(f"/api/ballots/{w['ballot']}").json()
    assert (before[READS[3]]["status"], after["status"]) == ("open", "closed")
    assert after["result"] is not None
    assert "closed" in reader.get(f"/ballots/{w['ballot']}").text
    assert boss.post(f"/api/rounds/{w['round']}/close").status_code == 200
    assert reader.get(f"/api/rounds/{w['round']}").json()["status"] == "closed"
    assert boss.post(f"/api/variants/{w['variant']}/adopt").status_code == 200
    adopted = reader.get(f"/api/rounds/{w['round']}/variants").json()
    assert [v["adopted"] for v in adopted] == [True, False]


@BACKENDS
def test_a_write_of_another_process_is_seen(app: FastAPI, second: FastAPI) -> None:
    """The generation is the audit chain's head in the database, not a counter in memory."""
    w = _world(app)
    reader = w["voters"][0]
    _reads(reader, w)
    boss_there = member(second, "boss2", "commission")
    assert boss_there.post(f"/api/rounds/{w['round']}/close").status_code == 200
    assert reader.get(f"/api/rounds/{w['round']}").json()["status"] == "closed"
    proposals = reader.get(f"/api/rounds/{w['round']}/proposals").json()
    made = w["dele"].post(
        f"/api/rounds/{w['round']}/proposals",
        {"kind": "target", "branch": "industry_1", "value": 0.02},
    )
    assert made.status_code == 409  # the round is closed: no proposal, and none shown
    assert reader.get(f"/api/rounds/{w['round']}/proposals").json() == proposals


def test_votes_and_comments_keep_the_answers_and_a_close_drops_them(app: FastAPI) -> None:
    w = _world(app)
    db: Database = app.state.db
    reader = w["voters"][0]
    _reads(reader, w)
    kept = dict(db.cache.entries)
    assert len(kept) == len(READS)
    assert w["voters"][1].post(f"/api/ballots/{w['ballot']}/votes", {"choice": [str(w["variant"])]})
    comment = reader.post(f"/api/proposals/{w['proposal']}/comments", {"text": "agreed"})
    assert comment.status_code == 201
    _reads(reader, w)
    assert db.cache.entries == kept, "neither a vote nor a comment changes these answers"
    assert w["boss"].post(f"/api/ballots/{w['ballot']}/close").status_code == 200
    reader.get(f"/api/rounds/{w['round']}")
    assert list(db.cache.entries) == [("round", w["round"])], "a close drops every answer"


def test_the_permission_is_checked_before_the_cache(app: FastAPI) -> None:
    w = _world(app)
    _reads(w["voters"][0], w)
    anonymous = TestClient(app)
    for path in READS:
        assert anonymous.get(path.format(**w)).status_code == 401
    page = anonymous.get(f"/ballots/{w['ballot']}", follow_redirects=False)
    assert page.status_code in (302, 303) and "/login" in page.headers["location"]


def test_a_kept_ballot_page_shows_each_reader_only_their_own_vote(app: FastAPI) -> None:
    w = _world(app)
    ann, bob = w["voters"]
    page = f"/ballots/{w['ballot']}"
    assert 'id="vote"' in ann.get(page).text  # the page's shared part is now kept
    assert (
        ann.post(f"/api/ballots/{w['ballot']}/votes", {"choice": [str(w["variant"])]}).status_code
        == 201
    )
    mine, theirs = ann.get(page).text, bob.get(page).text
    assert 'id="voted"' in mine and 'id="vote"' not in mine
    assert 'id="voted"' not in theirs and 'id="vote"' in theirs
    assert "1 vote." in mine and "1 vote." in theirs
    assert "commitment" not in theirs and ann.csrf not in theirs and bob.csrf in theirs


def test_an_answer_from_an_older_snapshot_is_not_kept() -> None:
    """A read whose snapshot predates the newest head seen (or a drop since it asked) may be
    stale: it is answered but not kept."""
    cache = ReadCache(seen=7, epoch=2)
    cache.put("old snapshot", b"x", Token(head=6, epoch=2))
    cache.put("dropped meanwhile", b"x", Token(head=7, epoch=1))
    cache.put("current", b"x", Token(head=7, epoch=2))
    assert list(cache.entries) == ["current"]
