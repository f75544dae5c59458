"""Proposals checked against the balances: feasibility, what gives way, prices, costs.

A round fixes an economy (or a scenario's economy and tempos), a horizon and a
base plan: the harmony plan whose targets are every branch's base-year output
grown at the round's tempo. A proposal changes that plan:

- ``target``: the branch must reach a level in the last year (a hard row);
- ``priority``: the branch's target is weighted (asked ``weight`` times as much);
- ``floor``: the consumption floors rise at the proposed yearly rate.

The plan is solved again with the change, and the check reports whether a
plan exists (with the conflicting constraints if not), each other branch's
fulfilment before and after and how far it falls, the shadow prices that bind,
and the labour, foreign exchange and investment the change costs, each as the
difference from the base plan. Results are cached per round and change.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from planlab.economy import Economy, builtin_names, load_builtin
from planlab.errors import InputError, PlanlabError
from planlab.plan import PlanResult, PlanSettings, build
from planlab.scenarios import builtin_scenarios, load_scenario

__all__ = [
    "KINDS",
    "BusyError",
    "Change",
    "RoundSpec",
    "base_summary",
    "change_for",
    "check",
    "combine",
    "forget_tradeoffs",
    "frontier",
    "solve",
    "sources",
    "summarise",
    "units",
]

KINDS = ("target", "priority", "floor", "objection")
FALL = 1e-6
"""Relative change below which a branch is said to keep its fulfilment (solver tolerance)."""
TOP = 8
"""How many binding constraints a check lists."""
TRADEOFF_PAIRS = 2048
"""Trade-off frontiers kept: every pair of branches of several 17-branch rounds."""
_TRADEOFF = threading.Lock()
"""One trade-off frontier is traced at a time, whoever asks: the other core stays free."""


_frontier_cache: dict[tuple[RoundSpec | str | int, ...], tuple[tuple[float, float], ...]] = {}
"""Frontiers already traced (state, bounded in size; not a table)."""
"""Traced frontiers by (round, a, b, steps), oldest first; written only under ``_TRADEOFF``."""


class BusyError(PlanlabError):
    """A trade-off is being traced for someone else; ask again shortly (HTTP 429)."""


def sources() -> list[str]:
    """What a round can be built on: built-in economies and ``scenario:NAME``."""
    return [*builtin_names(), *(f"scenario:{name}" for name in builtin_scenarios())]


@dataclass(frozen=True)
class RoundSpec:
    """What a round's plans are built from."""

    source: str
    years: int = 5
    growth: float = 0.0
    """Yearly tempo of every branch's base target (a scenario's own tempos take its place)."""
    consumption_growth: float = 0.0

    def problems(self) -> list[str]:
        """What is wrong with the specification, one line each."""
        found = []
        if self.source not in sources():
            found.append(f"source: one of {', '.join(sources())}, got {self.source!r}")
        if not 1 <= self.years <= 15:
            found.append(f"years: a whole number from 1 to 15, got {self.years}")
        for name in ("growth", "consumption_growth"):
            value = getattr(self, name)
            if not (math.isfinite(value) and -0.5 < value < 1.0):
                found.append(f"{name}: a yearly rate between -0.5 and 1, got {value}")
        return found


@dataclass(frozen=True)
class Change:
    """A change to the base plan: required final-year levels, target weights, floor growth."""

    required: tuple[tuple[str, float], ...] = ()
    weights: tuple[tuple[str, float], ...] = ()
    consumption_growth: float | None = None


@dataclass(frozen=True)
class _Round:
    economy: Economy = field(compare=False)
    levels: dict[str, float] = field(compare=False)
    """Each branch's base target in the last year."""


@lru_cache(maxsize=32)
def _round(spec: RoundSpec) -> _Round:
    problems = spec.problems()
    if problems:
        raise InputError.single("<round>", "round", "a valid round", "; ".join(problems))
    if spec.source.startswith("scenario:"):
        scenario = load_scenario(spec.source.removeprefix("scenario:"))
        economy = scenario.economy
        tempo = {n: scenario.targets.get(n, scenario.default_growth) for n in economy.names}
    else:
        economy = load_builtin(spec.source)
        tempo = dict.fromkeys(economy.names, spec.growth)
    levels = {
        name: float(x) * (1.0 + tempo[name]) ** spec.years
        for name, x in zip(economy.names, economy.gross_output, strict=True)
    }
    return _Round(economy, levels)


def units(spec: RoundSpec) -> dict[str, str]:
    """The units of the round's economy: output, labour and foreign exchange."""
    economy = _round(spec).economy
    return {
        "output": economy.value_unit,
        "labour": economy.labour_unit,
        "currency": economy.currency_unit,
    }


def branches(spec: RoundSpec) -> list[str]:
    """The branches of a round's economy."""
    return list(_round(spec).economy.names)


def base_output(spec: RoundSpec, branch: str) -> float:
    """A branch's base-year gross output."""
    economy = _round(spec).economy
    return float(economy.gross_output[economy.index(branch)])


def _conflicts(result: PlanResult) -> list[str]:
    table = result.conflicts
    labels = []
    for kind in ("constraint", "bound"):
        for name, sector, year in table[table["kind"] == kind][["name", "sector", "year"]].values:
            if name in ("target", "fulfilment"):
                labels.append("the required target level")
                continue
            where = ", ".join(p for p in (str(sector), f"year {year}" if year else "") if p)
            labels.append(f"{name}[{where}]" if where else str(name))
    return list(dict.fromkeys(labels))


def solve(spec: RoundSpec, change: Change) -> PlanResult:
    """The round's harmony plan with a change (e.g. an adopted variant's), solved."""
    r = _round(spec)
    weights = dict(change.weights)
    targets = {name: level * weights.get(name, 1.0) for name, level in r.levels.items()}
    growth = spec.consumption_growth
    if change.consumption_growth is not None:
        growth = change.consumption_growth
    settings = PlanSettings(years=spec.years, consumption_growth=growth)
    return build(
        r.economy,
        spec.years,
        targets,
        "harmony",
        settings=settings,
        required=dict(change.required),
    )


def summarise(spec: RoundSpec, result: PlanResult) -> dict[str, Any]:
    """A plan as JSON: feasibility, output and fulfilment by branch, totals, prices, conflicts."""
    summary: dict[str, Any] = {"feasible": result.feasible, "message": result.message}
    if not result.feasible:
        summary["conflicts"] = _conflicts(result)
        return summary
    levels = _round(spec).levels
    paths = result.sectors.pivot(index="year", columns="sector", values="gross_output")
    last = result.sectors[result.sectors["year"] == spec.years]
    output = dict(zip(last["sector"], last["gross_output"].astype(float), strict=True))
    achieved = {name: float(output[name]) for name in levels}
    years = result.years_table
    summary.update(
        achieved=achieved,
        fulfilment={name: achieved[name] / levels[name] for name in levels},
        labour=float(years["labour_used"].sum()),
        fx=float((years["import_bill"] - years["export_earnings"]).sum()),
        investment=float(years["investment"].sum()),
        years_of_plan=[int(y) for y in paths.index],
        paths={name: [float(v) for v in paths[name]] for name in levels},
        units=units(spec),
        binding=[
            {
                "constraint": f"{c}[{', '.join(p for p in (s, f'year {y}' if y else '') if p)}]",
                "name": str(c),
                "sector": str(s),
                "year": int(y),
                "shadow_price": float(price),
            }
            for c, s, y, price in result.binding()[["constraint", "sector", "year", "shadow_price"]]
            .head(TOP)
            .values
        ],
    )
    return summary


@lru_cache(maxsize=1024)
def _summary(spec: RoundSpec, change: Change) -> dict[str, Any]:
    return summarise(spec, solve(spec, change))


def base_summary(spec: RoundSpec) -> dict[str, Any]:
    """The round's base plan, summarised."""
    return dict(_summary(spec, Change()))


def change_for(spec: RoundSpec, kind: str, branch: str | None, value: float, mode: str) -> Change:
    """The change a proposal asks for; an InputError names the field that is wrong."""
    names = branches(spec)
    if kind in ("target", "priority") and branch not in names:
        raise InputError.single("<proposal>", "branch", "a branch of the round", repr(branch))
    if not math.isfinite(value):
        raise InputError.single("<proposal>", "value", "a finite number", repr(value))
    if kind == "target":
        assert branch is not None
        if mode == "growth":
            if not -0.5 < value < 2.0:
                raise InputError.single(
                    "<proposal>", "value", "a yearly growth between -0.5 and 2", repr(value)
                )
            level = base_output(spec, branch) * (1.0 + value) ** spec.years
        elif mode == "level":
            if value <= 0:
                raise InputError.single("<proposal>", "value", "a level above 0", repr(value))
            level = value
        else:
            raise InputError.single("<proposal>", "mode", "growth or level", repr(mode))
        return Change(required=((branch, level),))
    if kind == "priority":
        assert branch is not None
        if not 0.1 <= value <= 10:
            raise InputError.single("<proposal>", "value", "a weight from 0.1 to 10", repr(value))
        return Change(weights=((branch, value),))
    if kind == "floor":
        if not -0.5 < value < 1.0:
            raise InputError.single(
                "<proposal>", "value", "a yearly growth between -0.5 and 1", repr(value)
            )
        return Change(consumption_growth=value)
    raise InputError.single("<proposal>", "kind", "target, priority or floor", repr(kind))


def check(spec: RoundSpec, change: Change, own: str | None = None) -> dict[str, Any]:
    """The consequences of a change against the round's base plan, as JSON.

    ``gives_way`` lists every branch (other than ``own``) whose output in the
    last year falls, with its fulfilment of the base target before and after and
    the relative fall, the largest fall first.
    """
    before = base_summary(spec)
    after = dict(_summary(spec, change))
    result: dict[str, Any] = {"feasible": after["feasible"], "message": after["message"]}
    if not after["feasible"]:
        result["conflicts"] = after["conflicts"]
        return result
    if not before["feasible"]:
        result["note"] = "the round's base plan is infeasible: nothing to compare with"
        result["fulfilment"] = after["fulfilment"]
        return result
    rows = []
    for name, was in before["fulfilment"].items():
        now = after["fulfilment"][name]
        rows.append(
            {"branch": name, "before": was, "after": now, "change": now / was - 1.0 if was else 0.0}
        )
    result.update(
        fulfilment=rows,
        gives_way=sorted(
            (r for r in rows if r["branch"] != own and r["change"] < -FALL),
            key=lambda r: r["change"],
        ),
        binding=after["binding"],
        labour_cost=after["labour"] - before["labour"],
        fx_cost=after["fx"] - before["fx"],
        investment_cost=after["investment"] - before["investment"],
    )
    if own is not None:
        result["own"] = next(r for r in rows if r["branch"] == own)
    return result


def combine(spec: RoundSpec, changes: Iterable[Change]) -> Change:
    """Several changes at once: the later target or weight of a branch wins; the highest floor."""
    required: dict[str, float] = {}
    weights: dict[str, float] = {}
    floor: float | None = None
    for change in changes:
        required.update(change.required)
        weights.update(change.weights)
        if change.consumption_growth is not None:
            floor = max(floor if floor is not None else -1.0, change.consumption_growth)
    return Change(tuple(sorted(required.items())), tuple(sorted(weights.items())), floor)


def plan_summary(spec: RoundSpec, change: Change) -> dict[str, Any]:
    """A changed plan (e.g. a variant combining proposals), summarised."""
    return dict(_summary(spec, change))


def frontier(
    spec: RoundSpec, a: str, b: str, steps: int = 7, wait: float = 0.0
) -> tuple[tuple[float, float], ...]:
    """Outputs of ``a`` and ``b`` in the last year that can be had together, the rest held.

    Every other branch is held at its output in the base plan; along ``steps``
    directions from the base point, the first harmony level gives how far the
    pair can go together, which traces the frontier between them. One frontier
    is traced at a time: a caller that finds the tracer busy for ``wait``
    seconds gets a ``BusyError``; a pair and its reverse share one tracing.
    """
    names = branches(spec)
    if a not in names or b not in names or a == b:
        raise InputError.single("<tradeoff>", "branches", "two different branches", "unknown")
    if b < a:
        return tuple((pa, pb) for pb, pa in reversed(frontier(spec, b, a, steps, wait)))
    key = (spec, a, b, steps)
    found = _frontier_cache.get(key)
    if found is not None:
        return found
    acquired = _TRADEOFF.acquire(timeout=wait) if wait > 0 else _TRADEOFF.acquire(blocking=False)
    if not acquired:
        raise BusyError("a trade-off is being traced for someone else: ask again shortly")
    try:
        found = _frontier_cache.get(key)
        if found is None:
            found = _frontier_cache[key] = _frontier(spec, a, b, steps)
            while len(_frontier_cache) > TRADEOFF_PAIRS:
                _frontier_cache.pop(next(iter(_frontier_cache)))
        return found
    finally:
        _TRADEOFF.release()


def forget_tradeoffs() -> None:
    """Empty the cache of traced frontiers."""
    with _TRADEOFF:
        _frontier_cache.clear()


def _frontier(spec: RoundSpec, a: str, b: str, steps: int) -> tuple[tuple[float, float], ...]:
    names = branches(spec)
    base = base_summary(spec)
    if not base["feasible"]:
        return ()
    r = _round(spec)
    achieved: Mapping[str, float] = base["achieved"]
    held = {n: achieved[n] * (1.0 - FALL) for n in names if n not in (a, b)}
    points = []
    for k in range(steps):
        angle = math.radians(10.0 + 70.0 * k / (steps - 1))
        targets = {
            a: achieved[a] * math.cos(angle) / math.cos(math.pi / 4),
            b: achieved[b] * math.sin(angle) / math.sin(math.pi / 4),
        }
        result = build(
            r.economy,
            spec.years,
            targets,
            "harmony",
            settings=PlanSettings(years=spec.years, consumption_growth=spec.consumption_growth),
            required=held,
        )
        if result.feasible and result.levels:
            level = result.levels[0]
            points.append((targets[a] * level, targets[b] * level))
    return tuple(points)
