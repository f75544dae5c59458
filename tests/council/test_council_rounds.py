"""A round through the JSON API: proposals, variants, both ballot kinds, closing and adoption."""

from __future__ import annotations

from typing import Any

import pytest
from _council import BACKENDS, Member, member
from fastapi import FastAPI


@pytest.fixture
def seats(app: FastAPI) -> dict[str, Member]:
    return {
        "boss": member(app, "boss", "commission"),
        "chem": member(app, "chem", "delegate", "chemicals"),
        "tex": member(app, "tex", "delegate", "textiles_light"),
        "wrk": member(app, "wrk", "workers"),
        "con": member(app, "con", "consumers"),
    }


def _round(boss: Member) -> int:
    answer = boss.post("/api/rounds", {"title": "r", "source": "ussr-1928"})
    assert answer.status_code == 201
    return int(answer.json()["id"])


def _propose(who: Member, round_id: int, **body: Any) -> dict[str, Any]:
    answer = who.post(f"/api/rounds/{round_id}/proposals", body)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result


@BACKENDS
def test_approval_ballot_divides_the_fund_and_makes_a_variant(seats: dict[str, Member]) -> None:
    boss = seats["boss"]
    r = _round(boss)
    chem = _propose(seats["chem"], r, kind="target", branch="chemicals", value=0.2)
    tex = _propose(seats["tex"], r, kind="priority", branch="textiles_light", value=1.3)
    costs = {p["id"]: p["check"]["investment_cost"] for p in (chem, tex)}
    assert all(c > 0 for c in costs.values()), "both proposals need extra investment"
    fund = max(costs.values()) * 1.01
    ballot = boss.post(
        f"/api/rounds/{r}/ballots",
        {"kind": "approval", "candidates": list(costs), "budget": fund, "title": "fund"},
    ).json()
    assert ballot["costs"] == {str(k): pytest.approx(v) for k, v in costs.items()}
    for name, approve in (("chem", [chem]), ("tex", [tex]), ("wrk", [chem, tex]), ("con", [chem])):
        choice = [str(p["id"]) for p in approve]
        assert (
            seats[name].post(f"/api/ballots/{ballot['id']}/votes", {"choice": choice}).status_code
            == 201
        )
    closed = boss.post(f"/api/ballots/{ballot['id']}/close").json()
    result = closed["result"]
    assert result["rule"] == "Method of Equal Shares"
    assert sum(costs[int(k)] for k in result["winners"]) <= fund
    assert str(chem["id"]) in result["winners"], "three of four voters approve chemicals"
    assert result["explain"]
    variant = boss.get(f"/api/variants/{result['variant']}").json()
    assert sorted(variant["proposal_ids"]) == sorted(int(k) for k in result["winners"])


@BACKENDS
def test_ranked_ballot_closing_and_adoption(seats: dict[str, Member]) -> None:
    boss = seats["boss"]
    r = _round(boss)
    chem = _propose(seats["chem"], r, kind="target", branch="chemicals", value=0.1)
    floor = _propose(seats["wrk"], r, kind="floor", value=0.005)
    assert floor["feasible"] is True and floor["branch"] is None
    v1 = boss.post(
        f"/api/rounds/{r}/variants", {"name": "chem", "proposal_ids": [chem["id"]]}
    ).json()
    v2 = boss.post(
        f"/api/rounds/{r}/variants", {"name": "floor", "proposal_ids": [floor["id"]]}
    ).json()
    b = boss.post(
        f"/api/rounds/{r}/ballots", {"kind": "ranked", "candidates": [v1["id"], v2["id"]]}
    ).json()
    first, second = str(v1["id"]), str(v2["id"])
    assert (
        seats["wrk"].post(f"/api/ballots/{b['id']}/votes", {"choice": [second, first]}).status_code
        == 201
    )
    assert (
        seats["chem"].post(f"/api/ballots/{b['id']}/votes", {"choice": [first]}).status_code == 201
    )
    assert (
        seats["con"].post(f"/api/ballots/{b['id']}/votes", {"choice": [second]}).status_code == 201
    )
    bad = seats["tex"].post(f"/api/ballots/{b['id']}/votes", {"choice": [first, first]})
    assert bad.status_code == 422
    unknown = seats["tex"].post(f"/api/ballots/{b['id']}/votes", {"choice": ["999"]})
    assert unknown.status_code == 422
    result = boss.post(f"/api/ballots/{b['id']}/close").json()["result"]
    assert result["winners"] == [second]
    assert any("floor" in line for line in result["explain"])
    late = seats["tex"].post(f"/api/ballots/{b['id']}/votes", {"choice": [first]})
    assert late.status_code == 409
    assert boss.post(f"/api/variants/{v2['id']}/adopt").status_code == 409, "the round is open"
    assert boss.post(f"/api/rounds/{r}/close").status_code == 200
    again = _propose_status(seats["chem"], r, kind="target", branch="chemicals", value=0.1)
    assert again == 409, "a closed round takes no proposals"
    adopted = boss.post(f"/api/variants/{v2['id']}/adopt").json()
    assert adopted["adopted"] is True
    assert boss.get(f"/api/rounds/{r}").json()["status"] == "adopted"
    actions = [e["action"] for e in boss.get("/api/audit?limit=1000").json()]
    for action in ("round.create", "proposal.create", "variant.create", "ballot.create"):
        assert action in actions
    assert actions.count("vote.cast") == 3
    assert actions[-3:] == ["ballot.close", "round.close", "plan.adopt"]
    assert boss.get("/api/audit/verify").json() == {"valid": True, "broken": None}


def _propose_status(who: Member, round_id: int, **body: Any) -> int:
    return int(who.post(f"/api/rounds/{round_id}/proposals", body).status_code)


def test_an_infeasible_proposal_is_stored_and_cannot_enter_a_variant(
    seats: dict[str, Member],
) -> None:
    boss = seats["boss"]
    r = _round(boss)
    bad = _propose(seats["chem"], r, kind="target", branch="chemicals", value=0.9)
    assert bad["feasible"] is False
    assert bad["check"]["conflicts"]
    answer = boss.post(f"/api/rounds/{r}/variants", {"name": "x", "proposal_ids": [bad["id"]]})
    assert answer.status_code == 422


def test_objections_need_a_proposal_and_reasons(seats: dict[str, Member]) -> None:
    r = _round(seats["boss"])
    chem = _propose(seats["chem"], r, kind="target", branch="chemicals", value=0.1)
    wrk = seats["wrk"]
    assert _propose_status(wrk, r, kind="objection", reasons="why") == 422
    assert _propose_status(wrk, r, kind="objection", objects_to=chem["id"]) == 422
    made = _propose(wrk, r, kind="objection", objects_to=chem["id"], reasons="fields first")
    assert made["feasible"] is None
    assert _propose_status(wrk, r, kind="objection", objects_to=9999, reasons="x") == 404


def test_pages_of_a_round_render_its_consequences(seats: dict[str, Member]) -> None:
    boss = seats["boss"]
    r = _round(boss)
    chem = _propose(seats["chem"], r, kind="target", branch="chemicals", value=0.2)
    _propose(seats["tex"], r, kind="target", branch="textiles_light", value=0.05)
    variant = boss.post(f"/api/rounds/{r}/variants", {"name": "v", "proposal_ids": [chem["id"]]})
    page = boss.get(f"/variants/{variant.json()['id']}").text
    assert "Feasible" in page and "<svg" in page and "chemicals" in page
    round_page = boss.get(f"/rounds/{r}").text
    assert 'aria-label="trade-off between chemicals and textiles_light"' in round_page
    proposal_page = seats["wrk"].get(f"/proposals/{chem['id']}").text
    assert "What gives way" in proposal_page and "<svg" in proposal_page
