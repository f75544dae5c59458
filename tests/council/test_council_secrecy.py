"""Secret ballots: the chain and the pages show that someone voted, never how; the
published tally can be checked against the recorded commitments (F7)."""

from __future__ import annotations

from typing import Any

from _council import Member, member
from fastapi import FastAPI

from planlab.council import secrecy, service
from planlab.council.models import Ballot, Vote


def _ballot(app: FastAPI) -> dict[str, Any]:
    boss = member(app, "boss", "commission")
    voters = {name: member(app, name, "workers") for name in ("ann", "bob", "cid")}
    observer = member(app, "obs", "observer")
    r = boss.post("/api/rounds", {"title": "r", "source": "textbook-3", "years": 2}).json()["id"]
    variants = [
        boss.post(f"/api/rounds/{r}/variants", {"name": n, "proposal_ids": []}).json()["id"]
        for n in ("first", "second")
    ]
    ballot = boss.post(
        f"/api/rounds/{r}/ballots", {"kind": "ranked", "candidates": variants}
    ).json()["id"]
    return {"boss": boss, "voters": voters, "observer": observer, "ballot": ballot, "v": variants}


def _vote(w: dict[str, Any]) -> dict[str, dict[str, Any]]:
    first, second = (str(v) for v in w["v"])
    choices = {"ann": [second, first], "bob": [first, second], "cid": [second]}
    receipts = {}
    for name, choice in choices.items():
        answer = w["voters"][name].post(f"/api/ballots/{w['ballot']}/votes", {"choice": choice})
        assert answer.status_code == 201
        receipts[name] = answer.json()
    return receipts


def test_audit_shows_who_voted_but_not_how(app: FastAPI) -> None:
    w = _ballot(app)
    _vote(w)
    for reader in (w["observer"], w["voters"]["ann"], w["boss"]):
        events = reader.get("/api/audit?limit=1000").json()
        votes = [e for e in events if e["action"] == "vote.cast"]
        assert sorted(e["actor"] for e in votes) == ["ann", "bob", "cid"], "who voted is public"
        for event in votes:
            assert set(event["payload"]) == {"vote", "ballot", "commitment"}, "no choice"
    page = w["observer"].get("/audit").text
    assert "ann" in page


def test_observers_see_no_accounts_or_role_grants_in_the_audit(app: FastAPI) -> None:
    """F7: /api/users is refused to observers, and so is the same list through the chain."""
    w = _ballot(app)
    service.create_user(app.state.db, "secretive", "a long enough password", "workers", None)
    observer: Member = w["observer"]
    assert observer.get("/api/users").status_code == 403
    events = observer.get("/api/audit?limit=1000").json()
    accounts = [e for e in events if e["action"].startswith("user.")]
    assert accounts, "the events are there (the chain has no gaps)"
    assert all(e["hidden"] and e["payload"] == {} for e in accounts)
    assert "secretive" not in observer.get("/api/audit?limit=1000").text
    assert "secretive" not in observer.get("/audit").text
    boss = w["boss"].get("/api/audit?limit=1000").text
    assert "secretive" in boss, "the commission, who may list participants, sees them"


def test_published_tally_matches_the_recorded_commitments(app: FastAPI) -> None:
    w = _ballot(app)
    receipts = _vote(w)
    closed = w["boss"].post(f"/api/ballots/{w['ballot']}/close").json()["result"]
    recorded = sorted(
        e["payload"]["commitment"]
        for e in w["observer"].get("/api/audit?limit=1000").json()
        if e["action"] == "vote.cast" and e["subject"] == f"ballot:{w['ballot']}"
    )
    assert closed["commitments"] == recorded, "the counted ballots are exactly the recorded ones"
    for receipt in receipts.values():
        mine = secrecy.commitment(w["ballot"], receipt["salt"], receipt["choice"])
        assert mine == receipt["commitment"] and mine in closed["commitments"]
    with app.state.db.read() as session:
        ballot = session.get(Ballot, w["ballot"])
        assert ballot is not None
        votes = [Vote(choice=c) for c in closed["ballots"]]
        recount = service.tally(ballot, votes, {})
    assert recount["winners"] == closed["winners"], "anyone can count the published choices"


def test_a_receipt_is_shown_to_its_voter_only_once(app: FastAPI) -> None:
    """Without the salt a commitment cannot be opened: no page ever shows one again."""
    w = _ballot(app)
    receipts = _vote(w)
    w["boss"].post(f"/api/ballots/{w['ballot']}/close")
    for reader in (w["observer"], w["voters"]["bob"], w["boss"]):
        for page in (f"/ballots/{w['ballot']}", "/audit"):
            text = reader.get(page).text
            for receipt in receipts.values():
                assert receipt["salt"] not in text
