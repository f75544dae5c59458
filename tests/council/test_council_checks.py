"""Proposals checked against the plan: directions and invariants, not frozen numbers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from planlab.council import checks
from planlab.economy import load_builtin
from planlab.plan import build

SPEC = checks.RoundSpec("ussr-1928", years=5)
TOL = 1e-6


def _fulfilment(result: dict[str, object]) -> dict[str, float]:
    rows = result["fulfilment"]
    assert isinstance(rows, list)
    return {r["branch"]: r["after"] for r in rows}


def test_required_level_is_reached_by_the_plan() -> None:
    economy = load_builtin("ussr-1928")
    level = 2.0 * float(economy.gross_output[economy.index("chemicals")])
    plan = build(economy, 5, required={"chemicals": level})
    assert plan.feasible
    out = plan.sectors[(plan.sectors["sector"] == "chemicals") & (plan.sectors["year"] == 5)]
    assert float(out["gross_output"].iloc[0]) >= level * (1 - 1e-6)


def _inputs_of(branch: str) -> set[str]:
    """Branches that deliver to ``branch``, directly or indirectly, as material or capital."""
    economy = load_builtin("ussr-1928")
    uses = (abs(economy.A.toarray()) + abs(economy.B.toarray())) > 0
    found, todo = set(), [economy.index(branch)]
    while todo:
        j = todo.pop()
        for i in np.flatnonzero(uses[:, j]):
            if economy.names[i] not in found:
                found.add(economy.names[i])
                todo.append(int(i))
    return found


def test_a_higher_target_makes_other_targets_fall_or_stay() -> None:
    low = checks.check(
        SPEC, checks.change_for(SPEC, "target", "chemicals", 0.15, "growth"), "chemicals"
    )
    high = checks.check(
        SPEC, checks.change_for(SPEC, "target", "chemicals", 0.25, "growth"), "chemicals"
    )
    assert low["feasible"] and high["feasible"]
    before = {r["branch"]: r["before"] for r in low["fulfilment"]}
    f_low, f_high = _fulfilment(low), _fulfilment(high)
    assert f_high["chemicals"] > f_low["chemicals"] > before["chemicals"]
    others = [n for n in before if n != "chemicals"]
    # the harmony level of the other targets falls or stays as chemicals asks more
    assert min(f_low[n] for n in others) <= min(before[n] for n in others) * (1 + TOL)
    assert min(f_high[n] for n in others) <= min(f_low[n] for n in others) * (1 + TOL)
    # a branch rises only if it delivers to chemicals (its inputs must grow with it)
    suppliers = _inputs_of("chemicals")
    for name in others:
        if f_high[name] > before[name] * (1 + TOL):
            assert name in suppliers, name
    assert high["gives_way"], "raising chemicals this far must cost some other branch"
    falls = [r["change"] for r in high["gives_way"]]
    assert falls == sorted(falls) and all(f < 0 for f in falls)
    assert all(r["branch"] != "chemicals" for r in high["gives_way"])


def test_an_unreachable_target_is_infeasible_and_names_the_conflict() -> None:
    result = checks.check(
        SPEC, checks.change_for(SPEC, "target", "chemicals", 0.9, "growth"), "chemicals"
    )
    assert result["feasible"] is False
    assert "gives_way" not in result
    assert any("chemicals" in c for c in result["conflicts"])
    assert "the required target level" in result["conflicts"]


def test_a_priority_raises_its_branch_and_only_its_suppliers() -> None:
    result = checks.check(
        SPEC, checks.change_for(SPEC, "priority", "textiles_light", 1.5, ""), "textiles_light"
    )
    assert result["feasible"]
    assert result["own"]["after"] > result["own"]["before"]
    others = [r for r in result["fulfilment"] if r["branch"] != "textiles_light"]
    assert min(r["after"] for r in others) <= min(r["before"] for r in others) * (1 + TOL)
    suppliers = _inputs_of("textiles_light")
    assert all(r["branch"] in suppliers for r in others if r["after"] > r["before"] * (1 + TOL))


def test_higher_consumption_floors_cost_output_or_become_infeasible() -> None:
    results = [
        checks.check(SPEC, checks.change_for(SPEC, "floor", None, g, ""))
        for g in (0.005, 0.01, 0.3)
    ]
    assert results[-1]["feasible"] is False and results[-1]["conflicts"]
    feasible = [r for r in results if r["feasible"]]
    assert feasible
    for earlier, later in itertools.pairwise(feasible):
        for a, b in zip(earlier["fulfilment"], later["fulfilment"], strict=True):
            assert b["after"] <= a["after"] * (1 + TOL)


def test_costs_are_differences_from_the_base_plan() -> None:
    same = checks.check(SPEC, checks.Change())
    assert same["gives_way"] == []
    for key in ("labour_cost", "fx_cost", "investment_cost"):
        assert same[key] == pytest.approx(0.0, abs=1e-6)


def test_frontier_trades_one_branch_against_the_other() -> None:
    points = checks.frontier(SPEC, "chemicals", "textiles_light")
    assert len(points) >= 5
    a, b = zip(*points, strict=True)
    assert all(x > y for x, y in itertools.pairwise(a)), "chemicals falls along the sweep"
    assert all(x < y for x, y in itertools.pairwise(b)), "textiles rise as chemicals fall"
    base = checks.base_summary(SPEC)["achieved"]
    assert not any(
        pa < base["chemicals"] * 0.999 and pb < base["textiles_light"] * 0.999 for pa, pb in points
    )


def test_combine_takes_the_later_target_and_the_highest_floor() -> None:
    first = checks.Change(required=(("coal", 1.0),), consumption_growth=0.02)
    second = checks.Change(required=(("coal", 2.0),), consumption_growth=0.01)
    merged = checks.combine(SPEC, [first, second])
    assert merged.required == (("coal", 2.0),)
    assert merged.consumption_growth == 0.02


@pytest.mark.parametrize(
    ("kind", "branch", "value", "mode"),
    [
        ("target", "unobtainium", 0.1, "growth"),
        ("target", "coal", -0.9, "growth"),
        ("target", "coal", 0.1, "sideways"),
        ("priority", "coal", 0.0, ""),
        ("floor", None, float("nan"), ""),
    ],
)
def test_bad_proposals_are_refused_with_the_field(
    kind: str, branch: str | None, value: float, mode: str
) -> None:
    with pytest.raises(checks.InputError) as info:
        checks.change_for(SPEC, kind, branch, value, mode)
    assert len(info.value.lines()) == 1
