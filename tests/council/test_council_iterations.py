"""Iterative rounds: proposals revised after an iteration that does not balance, until
one does, or the round runs out of iterations."""

from __future__ import annotations

from typing import Any

from _council import Member, member
from fastapi import FastAPI


def _round(app: FastAPI, iterations: int) -> dict[str, Any]:
    boss = member(app, "boss", "commission")
    ind = member(app, "ind", "delegate", "industry_1")
    body = {"title": "r", "source": "textbook-3", "years": 2, "max_iterations": iterations}
    made = boss.post("/api/rounds", body)
    assert made.status_code == 201, made.text
    return {"boss": boss, "ind": ind, "round": made.json()["id"]}


def _target(who: Member, round_id: int, growth: float) -> int:
    body = {"kind": "target", "branch": "industry_1", "value": growth}
    made = who.post(f"/api/rounds/{round_id}/proposals", body)
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def test_a_round_converges_when_the_delegate_revises(app: FastAPI) -> None:
    w = _round(app, iterations=4)
    r, boss, ind = w["round"], w["boss"], w["ind"]
    greedy = _target(ind, r, 0.3)
    first = boss.post(f"/api/rounds/{r}/iterate").json()
    assert first["status"] == "open" and first["iteration"] == 2
    [record] = first["iterations"]
    assert record["proposals"] == [greedy] and record["balanced"] is False
    assert record["conflicts"], "the delegates see what conflicts"
    page = ind.get(f"/rounds/{r}").text
    assert "does not balance" in page and "Iteration 2 of at most 4" in page
    modest = _target(ind, r, -0.02)
    second = boss.post(f"/api/rounds/{r}/iterate").json()
    assert second["status"] == "closed", "the plan balances: the round closes"
    assert [i["balanced"] for i in second["iterations"]] == [False, True]
    assert second["iterations"][1]["proposals"] == [modest], "only this iteration's proposals"
    assert second["iterations"][1]["least_fulfilment"] > 0
    assert "balances" in ind.get(f"/rounds/{r}").text
    assert boss.post(f"/api/rounds/{r}/iterate").status_code == 409, "a closed round"


def test_a_round_closes_after_its_last_iteration(app: FastAPI) -> None:
    w = _round(app, iterations=2)
    r, boss, ind = w["round"], w["boss"], w["ind"]
    for _ in range(2):
        _target(ind, r, 0.3)
        ended = boss.post(f"/api/rounds/{r}/iterate").json()
    assert ended["status"] == "closed"
    assert [i["balanced"] for i in ended["iterations"]] == [False, False]


def test_only_the_commission_ends_an_iteration(app: FastAPI) -> None:
    w = _round(app, iterations=3)
    assert w["ind"].post(f"/api/rounds/{w['round']}/iterate").status_code == 403
