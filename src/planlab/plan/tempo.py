"""The tempo check: can each branch grow at the rate set for it, and if not, why not.

A tempo asks sector j to reach x0_j (1 + g_j)^t in every plan year t. The check
solves four questions on the plan LP:

1. the largest uniform fraction theta of the asked increments that a balanced
   plan allows (x_jt >= x0_j + theta * x0_j ((1 + g_j)^t - 1));
2. each branch's attainable growth: how far it can get by the final year, as a
   lexicographic maximin of per-branch fractions of the final-year increment
   (capped at the asked tempo), turned back into an average yearly rate;
3. the binding constraints at the largest theta, ranked by shadow price;
4. the disproportions at the full tempo: an elastic plan in which shortages may
   relax balances, capacity, labour and foreign exchange at a cost (a missing
   factor costs a little less than the goods it could stand for, so the factor is
   named), with each shortage of a good shared among the branches that use it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from planlab.cores import usable_cores
from planlab.economy import Economy
from planlab.errors import InputError, Problem
from planlab.plan.build import FIX_TOLERANCE, maximin
from planlab.plan.formulation import (
    PlanModel,
    PlanSettings,
    build_model,
    construction_work,
    sector_scale,
)
from planlab.plan.lp import (
    FIRST_ORDER,
    FIRST_ORDER_TOLERANCE,
    TIGHTENING_MARGIN,
    Solution,
    Status,
    check_method,
)
from planlab.plan.race import racers_cpu
from planlab.plan.result import conflicts_table, constraint_label, shadow_price_table

__all__ = ["MAX_FRACTION", "TempoReport", "check_tempo"]

FloatArray = NDArray[np.float64]
MAX_TEMPO = 10.0
"""The highest yearly growth a tempo may ask (+1,000 % a year): an assumption far above any
recorded plan, which keeps the targets of a long plan finite."""
MAX_FRACTION = 10.0
"""The fraction is searched up to this multiple of the asked increments."""
FRACTION_WEIGHT = 1e3
"""θ's weight in the fraction LP's objective when a first-order method solves it.

The weight changes no answer (θ and every price are divided by it again,
``_unweighted``) but what the relative gap measures: |primal − dual| over
1 + |objective|, which for an objective of θ alone (0.1 or less in a strained tempo)
is an absolute test on θ, so that a fraction of 0.003 could be off by a few percent of
itself at the tolerance 1e-4. With θ weighted by 1,000 the test is relative to θ for
every fraction above 1/1,000 (assumption: a smaller fraction of the tempo is no tempo
worth telling apart from none). Measured in docs/performance.md, "Fourth round"."""
DISPROPORTIONS_MARGIN = TIGHTENING_MARGIN
"""HiGHS's PDLP is asked for half the tolerance on the disproportions LP (accepted at the
tolerance itself, ``LinearProgram.solve``'s ``margin``). Its own measure, on its presolved
and rescaled LP, accepted an answer that planlab's primal measure put at 1.28 times the
tolerance (10^4 products, seed 2), and OR-Tools' finish from that answer cost 1.8 times
HiGHS's whole run; asked for half, HiGHS needed 1.6 times the iterations and planlab
accepted its answer (docs/performance.md, "Fourth round"). The factor is that of a
repetition after a miss (``lp.TIGHTENING_MARGIN``)."""
_TOL = 1e-7
_FACTOR_DISCOUNT = 0.99


@dataclass
class TempoReport:
    """What a tempo check found; ``to_dict`` gives the JSON form of ``planlab tempo --json``."""

    economy: str
    years: int
    growth: dict[str, float]
    feasible: bool
    max_fraction: float
    attainable_growth: dict[str, float]
    bottlenecks: pd.DataFrame
    disproportions: pd.DataFrame
    status: Status
    message: str
    seconds: float = field(compare=False)
    """Wall-clock time of the check: metadata of this computation, not part of the result."""
    cpu_seconds: dict[str, float] = field(default_factory=dict, compare=False)
    """CPU seconds per step (``fraction`` with its bottlenecks, ``disproportions``,
    ``attainable``): metadata, as ``seconds``. Of this process when the steps run one after
    the other; of each step's own thread when the disproportions run beside the fraction;
    with the solver processes the step raced (``planlab.plan.race``) either way."""
    side_by_side: bool = field(default=False, compare=False)
    """Whether the disproportions were solved in a second thread beside the fraction."""
    conflicts: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: feasible, max_fraction, attainable_growth, bottlenecks, disproportions."""
        return {
            "economy": self.economy,
            "years": self.years,
            "growth": self.growth,
            "feasible": self.feasible,
            "max_fraction": _finite(self.max_fraction),
            "attainable_growth": {k: _finite(v) for k, v in self.attainable_growth.items()},
            "basis": {
                "max_fraction": "the asked increments in every plan year, in [0, 1]",
                "attainable_growth": "each branch's own level in the final plan year",
            },
            "bottlenecks": _records(self.bottlenecks),
            "disproportions": _records(self.disproportions),
            "status": self.status.value,
            "message": self.message,
            "conflicts": _records(self.conflicts),
        }


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in frame.to_dict(orient="records"):
        out.append({str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()})
    return out


def _check_growth(economy: Economy, growth: Mapping[str, float]) -> dict[str, float]:
    problems = []
    known = set(economy.names)
    clean: dict[str, float] = {}
    for sector, rate in growth.items():
        if sector not in known:
            problems.append(Problem("<growth>", "growth", "known sector names", "unknown", sector))
            continue
        try:
            value = float(rate)
        except (TypeError, ValueError):
            problems.append(Problem("<growth>", "growth", "a number", repr(rate), sector))
            continue
        if not (np.isfinite(value) and -1 < value <= MAX_TEMPO):
            rule = f"a yearly rate above -1 and at most {MAX_TEMPO:g}"
            problems.append(Problem("<growth>", "growth", rule, repr(rate), sector))
            continue
        clean[sector] = value
    if not growth:
        problems.append(Problem("<growth>", "growth", "at least one sector", "none given"))
    if problems:
        raise InputError(problems)
    return clean


def growth_targets(
    economy: Economy, growth: Mapping[str, float], years: int
) -> dict[tuple[str, int], float]:
    """Targets for every plan year: each named branch's base-year output grown at its rate.

    >>> from planlab.economy import load_builtin
    >>> targets = growth_targets(load_builtin("textbook-3"), {"industry_1": 0.1}, 2)
    >>> [round(v, 4) for v in targets.values()]
    [27.3281, 30.0609]
    """
    rates = _check_growth(economy, growth)
    x0 = economy.gross_output
    with np.errstate(over="ignore"):
        targets = {
            (sector, year): float(x0[economy.index(sector)] * np.float64(1.0 + rate) ** year)
            for sector, rate in rates.items()
            for year in range(1, years + 1)
        }
    huge = sorted({sector for (sector, _), level in targets.items() if not np.isfinite(level)})
    if huge:
        raise InputError(
            Problem("<growth>", "growth", "a rate whose targets stay finite", "overflows", s)
            for s in huge
        )
    return targets


def _tempo_rows(
    model: PlanModel, growth: Mapping[str, float], final_only: bool = False
) -> tuple[sp.csr_array, FloatArray, FloatArray, NDArray[np.int64], FloatArray]:
    """Selection of x[j, t], the base levels, the asked increments, each row's branch, and
    each row's scale."""
    e, T = model.economy, model.settings.years
    position = {name: i for i, name in enumerate(e.names)}
    branches = np.array([position[s] for s in growth], dtype=np.int64)
    rates = np.array(list(growth.values()))
    t = np.arange(T, T + 1) if final_only else np.arange(1, T + 1)
    x0 = e.gross_output[branches]
    increments = (x0[:, None] * ((1.0 + rates[:, None]) ** t[None, :] - 1.0)).ravel()
    base = np.repeat(x0, t.size)
    columns = (branches[:, None] * T + (t - 1)[None, :]).ravel()
    select = sp.csr_array(
        (np.ones(columns.size), (np.arange(columns.size), columns)), shape=(columns.size, e.n * T)
    )
    owner = np.repeat(np.arange(branches.size), t.size)
    return select, base, increments, owner, np.repeat(sector_scale(e)[branches], t.size)


def _fraction_model(
    economy: Economy, settings: PlanSettings, growth: Mapping[str, float], method: str = "auto"
) -> tuple[PlanModel, float]:
    """The fraction LP and the weight of θ in its objective (``FRACTION_WEIGHT`` for a
    first-order method, 1 for an exact one)."""
    model = build_model(economy, settings)
    select, base, increments, _, scale = _tempo_rows(model, growth)
    theta = model.lp.add_variables("fraction", None, 0.0, 1.0)
    model.variables["fraction"] = theta
    model.constraints["tempo"] = model.lp.add_constraints(
        "tempo",
        {"row": tuple(range(base.size))},
        [(model.variables["gross_output"], select), (theta, -increments[:, None])],
        ">=",
        base,
        scale=scale,
    )
    weight = FRACTION_WEIGHT if model.lp.choose(method) in FIRST_ORDER else 1.0
    model.lp.set_objective({"fraction": weight}, sense="max")
    return model, weight


def _unweighted(solution: Solution, weight: float) -> Solution:
    """A solution of the weighted fraction LP in θ's own terms: objective and prices over
    the weight (values and measures are unchanged)."""
    if weight == 1.0:
        return solution
    return replace(
        solution,
        objective=solution.objective / weight,
        dual_objective=solution.dual_objective / weight,
        shadow_prices=solution.shadow_prices / weight,
        reduced_costs=solution.reduced_costs / weight,
    )


def _branch_model(
    economy: Economy,
    settings: PlanSettings,
    growth: Mapping[str, float],
    fixed: Mapping[int, float],
) -> PlanModel:
    model = build_model(economy, settings)
    select, base, increments, owner, scale = _tempo_rows(model, growth, final_only=True)
    count = len(growth)
    lower = np.full(count, -MAX_FRACTION)
    for k, level in fixed.items():
        lower[k] = level - FIX_TOLERANCE * max(1.0, abs(level))
    share = model.lp.add_variables("fraction", {"target": tuple(range(count))}, lower, 1.0)
    model.variables["fraction"] = share
    spread = sp.csr_array((-increments, (np.arange(base.size), owner)), shape=(base.size, count))
    model.constraints["tempo"] = model.lp.add_constraints(
        "tempo",
        {"row": tuple(range(base.size))},
        [(model.variables["gross_output"], select), (share, spread)],
        ">=",
        base,
        scale=scale,
    )
    free = np.array([k for k in range(count) if k not in fixed], dtype=np.int64)
    z = model.lp.add_variables("least_fulfilment", None, -MAX_FRACTION, 1.0)
    pick = sp.csr_array(
        (np.ones(free.size), (np.arange(free.size), free)), shape=(free.size, count)
    )
    model.constraints["harmony"] = model.lp.add_constraints(
        "harmony",
        {"target": tuple(int(k) for k in free)},
        [(share, pick), (z, -np.ones((free.size, 1)))],
        ">=",
        0.0,
    )
    model.lp.set_objective({"least_fulfilment": 1.0}, sense="max")
    return model


def _attainable(
    economy: Economy,
    settings: PlanSettings,
    growth: Mapping[str, float],
    method: str,
    tolerance: float,
) -> dict[str, float]:
    names = list(growth)
    model, solution, _, _, _ = maximin(
        lambda fixed: _branch_model(economy, settings, growth, fixed), method, tolerance
    )
    if solution.status is not Status.OPTIMAL:
        return {name: float("nan") for name in names}
    shares = model.lp.value(solution, model.variables["fraction"])
    T = settings.years
    out = {}
    for name, share in zip(names, shares, strict=True):
        factor = 1.0 + float(share) * ((1.0 + growth[name]) ** T - 1.0)
        out[name] = float(np.sign(factor) * abs(factor) ** (1.0 / T) - 1.0) if factor > 0 else -1.0
    return out


def _disproportions(
    model: PlanModel, method: str, tolerance: float, start: Solution | None = None
) -> pd.DataFrame:
    """Shortages of an elastic plan held to the full tempo, shared out among their users.

    The fraction LP itself, with the tempo as a parameter: the fraction is fixed at
    the whole tempo and the shortages are let loose, so the matrix is the one already
    assembled, and OR-Tools' PDLP starts from the fraction's answer (``start``).
    """
    lp, v, e, T = model.lp, model.variables, model.economy, model.settings.years
    lp.set_bounds(v["fraction"], 1.0, 1.0)
    for name in ("short_goods", "short_capacity", "short_labour", "short_fx"):
        lp.set_bounds(v[name], upper=np.inf)
    # A shortage of a primary factor (capacity, labour, currency) is priced just below
    # the cheapest shortage of goods it could stand for, so the table names the factor
    # that is missing rather than the good it would have made.
    labour, prices = e.labour, e.vector("import_price")
    per_worker = 1.0 / float(labour.max()) if np.any(labour > 0) else 1.0
    per_currency = 1.0 / float(prices.max()) if np.any(prices > 0) else 1.0
    lp.set_objective(
        {
            "short_goods": 1.0,
            "short_capacity": _FACTOR_DISCOUNT,
            "short_labour": _FACTOR_DISCOUNT * per_worker,
            "short_fx": _FACTOR_DISCOUNT * per_currency,
        },
        sense="min",
    )
    solution = lp.solve(
        find_iis=False,
        method=method,
        tolerance=tolerance,
        start=start,
        margin=DISPROPORTIONS_MARGIN,
    )
    columns = ["branch", "input", "year", "shortfall", "shortfall_pct"]
    if solution.status is not Status.OPTIMAL:
        return pd.DataFrame(columns=columns)
    value = {name: lp.value(solution, block) for name, block in v.items()}
    x = value["gross_output"]
    # Construction materials are spent over the projects' lag (the LP's balance), not all
    # in the year of the start.
    inv = np.asarray(construction_work(e, T) @ value["new_capacity"].ravel(), dtype=float).reshape(
        e.n, T
    )
    names = np.array(e.names, dtype=object)
    years = np.arange(1, T + 1)
    tiny = 1e-7 * max(1.0, float(e.gross_output.max()))
    frames = []
    goods = value["short_goods"]
    A, B = e.A.tocoo(), e.B.tocoo()
    for matrix, activity in ((A, x), (B, inv)):
        if matrix.nnz == 0:
            continue
        use = matrix.data[:, None] * activity[matrix.col, :]
        total_use = ((e.A @ x) + (e.B @ inv) + value["consumption"] + value["exports"])[
            matrix.row, :
        ]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(total_use > 0, use / total_use, 0.0)
        short = goods[matrix.row, :] * share
        rows, cols = np.nonzero(short > tiny)
        frames.append(
            pd.DataFrame(
                {
                    "branch": names[matrix.col[rows]],
                    "input": names[matrix.row[rows]],
                    "year": years[cols],
                    "shortfall": short[rows, cols],
                    "shortfall_pct": 100.0 * short[rows, cols] / use[rows, cols],
                }
            )
        )
    capacity = value["short_capacity"]
    rows, cols = np.nonzero(capacity > tiny)
    frames.append(
        pd.DataFrame(
            {
                "branch": names[rows],
                "input": "capacity",
                "year": years[cols],
                "shortfall": capacity[rows, cols],
                # A share of the need: the capacity there is and the capacity missing.
                "shortfall_pct": 100.0
                * capacity[rows, cols]
                / np.maximum(value["capacity"][rows, cols] + capacity[rows, cols], tiny),
            }
        )
    )
    labour_use = e.labour[:, None] * x
    for kind, short_total, weight in (
        ("labour", value["short_labour"], labour_use),
        ("foreign_exchange", value["short_fx"], prices[:, None] * value["imports"]),
    ):
        totals = weight.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            part = np.where(totals > 0, weight / totals, 0.0) * short_total[None, :]
            pct = np.where(weight > 0, 100.0 * part / weight, np.nan)
        rows, cols = np.nonzero(part > tiny)
        frames.append(
            pd.DataFrame(
                {
                    "branch": names[rows],
                    "input": kind,
                    "year": years[cols],
                    "shortfall": part[rows, cols],
                    "shortfall_pct": pct[rows, cols],
                }
            )
        )
    table = (
        pd.concat([f for f in frames if not f.empty], ignore_index=True)
        if any(not f.empty for f in frames)
        else pd.DataFrame(columns=columns)
    )
    return table.sort_values(["year", "shortfall"], ascending=[True, False]).reset_index(drop=True)[
        columns
    ]


def _disproportions_apart(
    economy: Economy,
    settings: PlanSettings,
    growth: Mapping[str, float],
    method: str,
    tolerance: float,
) -> tuple[pd.DataFrame, float]:
    """The disproportions on a model of their own, with the CPU seconds of the thread that
    built and solved it: they need nothing of the fraction's answer (HiGHS's PDLP takes no
    start), so they can be solved beside it."""
    cpu = _thread_cpu()
    model, _ = _fraction_model(economy, settings, growth, method)
    return _disproportions(model, method, tolerance), _thread_cpu() - cpu


def _thread_cpu() -> float:
    """CPU seconds of this thread and of the solver processes it has raced."""
    return time.thread_time() + racers_cpu()


def _process_cpu() -> float:
    """CPU seconds of this process and of the solver processes its thread has raced."""
    return time.process_time() + racers_cpu()


def _side_by_side(parallel: bool | None, model: PlanModel, method: str) -> bool:
    """Whether the disproportions are solved beside the fraction: as asked, or by default
    when a first-order method solves both (the national-scale case, where each solve takes
    seconds to minutes) and this process may use a second core."""
    if parallel is not None:
        return parallel
    return model.lp.choose(method) in FIRST_ORDER and usable_cores() >= 2


def _conflict_message(conflicts: pd.DataFrame, shown: int = 10) -> str:
    """The constraints (not bounds) that keep even the base levels out of reach."""
    rows = conflicts[conflicts["kind"] == "constraint"]
    labels = [
        constraint_label(str(name), sector, year)
        for name, sector, year in rows[["name", "sector", "year"]].itertuples(index=False)
    ]
    more = f" and {len(labels) - shown} more" if len(labels) > shown else ""
    return (
        "even the base-year levels cannot be held; these conflict: "
        + "; ".join(labels[:shown])
        + more
    )


def check_tempo(
    economy: Economy,
    growth: Mapping[str, float],
    years: int = 5,
    *,
    settings: PlanSettings | None = None,
    method: str = "auto",
    tolerance: float = FIRST_ORDER_TOLERANCE,
    attainable: bool = True,
    parallel: bool | None = None,
) -> TempoReport:
    """Check a tempo: growth rates per branch, every plan year, against the proportions.

    >>> from planlab.economy import load_builtin
    >>> report = check_tempo(load_builtin("ussr-1928"), {"coal": 0.2}, years=5)
    >>> isinstance(report.feasible, bool) and 0 <= report.max_fraction
    True

    ``method`` and ``tolerance`` are how each LP is solved, as in ``planlab.plan.build``. The
    attainable growth is a lexicographic maximin, one solve per round; with
    ``attainable=False`` it is skipped (NaN per branch), which leaves the check, its
    bottlenecks and disproportions at one or two solves for national-scale economies.
    ``parallel``: solve the disproportions in a second thread, beside the fraction, on a
    model of their own (None: when a first-order method solves them and a second core is
    there). Wall time falls to about the longer of the two solves; when the tempo proves
    feasible their work is discarded.
    """
    start = time.perf_counter()
    check_method(method)
    rates = _check_growth(economy, growth)
    settings = settings or PlanSettings(years=years)
    if settings.years != years:
        settings = PlanSettings(**{**settings.__dict__, "years": years})
    model, weight = _fraction_model(economy, settings, rates, method)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="planlab-tempo") as pool:
        apart = (
            pool.submit(_disproportions_apart, economy, settings, rates, method, tolerance)
            if _side_by_side(parallel, model, method)
            else None
        )
        return _checked(
            economy, settings, rates, model, weight, method, tolerance, attainable, apart, start
        )


def _checked(
    economy: Economy,
    settings: PlanSettings,
    rates: dict[str, float],
    model: PlanModel,
    weight: float,
    method: str,
    tolerance: float,
    attainable: bool,
    apart: Future[tuple[pd.DataFrame, float]] | None,
    began: float,
) -> TempoReport:
    """The check's steps from the fraction LP on, the disproportions taken from ``apart``
    when they are solved beside it."""
    years = settings.years
    clock: Callable[[], float] = _process_cpu if apart is None else _thread_cpu
    cpu = clock()
    steps: dict[str, float] = {}

    def shortages(start: Solution | None = None) -> pd.DataFrame:
        if apart is None:
            return _disproportions(model, method, tolerance, start=start)
        table, steps["disproportions"] = apart.result()
        return table

    solution = _unweighted(model.lp.solve(method=method, tolerance=tolerance), weight)
    empty_bottlenecks = pd.DataFrame(columns=["constraint", "sector", "year", "shadow_price"])
    if solution.status is not Status.OPTIMAL:
        conflicts = conflicts_table(model, solution)
        return TempoReport(
            economy=economy.name,
            years=years,
            growth=rates,
            feasible=False,
            # Infeasible even at none of the tempo: 0; a solver that stopped: unknown.
            max_fraction=0.0 if solution.status is Status.INFEASIBLE else float("nan"),
            attainable_growth={s: float("nan") for s in rates},
            bottlenecks=empty_bottlenecks,
            disproportions=shortages(),
            status=solution.status,
            message=(
                _conflict_message(conflicts)
                if solution.status is Status.INFEASIBLE
                else f"the solver stopped without an answer ({solution.status.value}, "
                f"{solution.method} after {solution.runs} run(s)): the tempo is not decided"
            ),
            seconds=time.perf_counter() - began,
            conflicts=conflicts,
        )
    fraction = float(solution.objective)
    fraction = 0.0 if abs(fraction) < 1e-9 else fraction
    feasible = fraction >= 1.0 - _TOL
    table = shadow_price_table(model, solution)
    bottlenecks = (
        table[table["shadow_price"] > 1e-9]
        .sort_values("shadow_price", ascending=False)[
            ["constraint", "sector", "year", "shadow_price"]
        ]
        .reset_index(drop=True)
    )
    steps["fraction"] = clock() - cpu
    mark = clock()
    # Solved beside the fraction, they are waited for even when the tempo proves feasible.
    found = shortages(start=solution) if not feasible or apart is not None else None
    if apart is None:
        steps["disproportions"] = clock() - mark
    disproportions = (
        found
        if found is not None and not feasible
        else pd.DataFrame(columns=["branch", "input", "year", "shortfall", "shortfall_pct"])
    )
    mark = clock()
    reach = (
        _attainable(economy, settings, rates, method, tolerance)
        if attainable
        else {s: float("nan") for s in rates}
    )
    steps["attainable"] = clock() - mark
    if feasible:
        message = "the tempo is feasible in every plan year"
    else:
        first = bottlenecks.iloc[0] if not bottlenecks.empty else None
        what = (
            f"; the dearest constraint is {first['constraint']}"
            + (
                f"[{first['sector']}, year {first['year']}]"
                if first["sector"]
                else f"[year {first['year']}]"
            )
            if first is not None
            else ""
        )
        message = (
            f"the tempo breaks the proportions: only {fraction + 0.0:.3g} of it is feasible in "
            f"every plan year{what} (attainable growth is each branch's level in the final "
            "year, where lags have passed)"
        )
    return TempoReport(
        economy=economy.name,
        years=years,
        growth=rates,
        feasible=feasible,
        max_fraction=fraction,
        attainable_growth=reach,
        bottlenecks=bottlenecks,
        disproportions=disproportions,
        status=solution.status,
        message=message,
        seconds=time.perf_counter() - began,
        cpu_seconds=steps,
        side_by_side=apart is not None,
    )
