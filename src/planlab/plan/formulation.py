"""The multi-year plan as a dynamic Leontief LP, one function per constraint family.

For sectors i, plan years t = 1..T (x gross output, c consumption, v capacity
started, k capacity, m imports, e exports):

    balance        x + m - A x - B w - c - e >= g                  (material balances)
                   w(t) = sum_{tau=0..lag} v(t - tau) / (lag + 1)   (work on projects)
    capacity       x <= s k   (s = 1 in the years the inherited programme renews k0)
    capacity_flow  k(1) = k0;  k(t) = r k(t-1) + v(t-1-lag) + pipeline(t) + under_way(t)
    labour         l . x <= L0 (1 + growth)^(t-1)
    fx             p_m . m - p_e . e - credit(t) - draw(t) <= 0     (foreign exchange)
    reserves       sum_t draw(t) <= R0
    export_limit   e <= D (1 + export_demand_growth)^t
    floor          c >= c0 (1 + consumption_growth)^t                (living standards)
    target         x[s_k, t_k] - level_k f_k >= 0                    (fulfilment f_k)

The timing follows ``planlab.plan.calendar``, shared with the monthly simulator:
projects spend their materials evenly over their ``lag + 1`` years (``w``); the
replacement programme under way at the start (``pipeline``, its materials delivered
before the plan) keeps the base capacity whole through years 1 .. lag + 1, as in a
stationary base year (a stated modelling assumption); the base year's expansion
programme under way (``under_way``) adds capacity as its cohorts finish and needs its
remaining materials in the balances; capacity wears monthly
(``r`` a year, ``s`` from a year's first month to its last), and each year's output
fits the least capacity of its months and its labour the force at the year's start.
Every family is built as sparse blocks (Kronecker products over years), never by
looping over sectors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from planlab.economy import Economy
from planlab.errors import InputError, Problem
from planlab.plan.calendar import (
    MONTHS_PER_YEAR,
    expansion_arrivals,
    expansion_materials,
    year_end_survival,
)
from planlab.plan.lp import ConstraintBlock, LinearProgram, VariableBlock

__all__ = [
    "PlanModel",
    "PlanSettings",
    "Targets",
    "build_model",
    "construction_work",
    "labour_force",
    "make_targets",
    "money_scale",
    "sector_scale",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class PlanSettings:
    """Horizon and policy parameters of a plan (defaults hold the base year's levels)."""

    years: int = 5
    consumption_growth: float = 0.0
    """Yearly rise of the consumption floors (the conditions of the working class)."""
    state_growth: float = 0.0
    """Yearly growth of state consumption, a fixed demand on every balance."""
    export_demand_growth: float | None = None
    """Yearly change of foreign demand; None takes the economy's own figure."""
    credit_limit: float | None = None
    """Foreign credit per year; None takes the economy's own figure."""
    credit_interest: float = 0.0
    """Yearly interest on foreign debt (0: credit costs nothing within the plan)."""
    credit_term: float = float("inf")
    """Years over which debt is repaid, a 1 / term share a year (inf: not within the plan)."""
    foreign_debt: float = 0.0
    """Foreign debt at the start, serviced on the same terms."""

    @property
    def debt_service_rate(self) -> float:
        """Share of the debt paid each year, interest and repayment."""
        return self.credit_interest + 1.0 / self.credit_term

    def problems(self) -> list[Problem]:
        """What is wrong with these settings, one problem per field."""
        found = []
        if not (isinstance(self.years, int) and 1 <= self.years <= 100):
            found.append(
                Problem("<plan>", "years", "a whole number from 1 to 100", repr(self.years))
            )
        for name in ("consumption_growth", "state_growth", "export_demand_growth"):
            value = getattr(self, name)
            if value is not None and not (np.isfinite(value) and value > -1):
                found.append(Problem("<plan>", name, "a finite rate above -1", repr(value)))
        if self.credit_limit is not None and not (
            np.isfinite(self.credit_limit) and self.credit_limit >= 0
        ):
            found.append(Problem("<plan>", "credit_limit", ">= 0", repr(self.credit_limit)))
        if not (np.isfinite(self.credit_interest) and 0 <= self.credit_interest <= 1):
            found.append(
                Problem(
                    "<plan>",
                    "credit_interest",
                    "a yearly rate in [0, 1]",
                    repr(self.credit_interest),
                )
            )
        if not (self.credit_term >= 0.25):
            found.append(
                Problem(
                    "<plan>",
                    "credit_term",
                    "years >= 0.25 (inf: not repaid)",
                    repr(self.credit_term),
                )
            )
        if not (np.isfinite(self.foreign_debt) and self.foreign_debt >= 0):
            found.append(Problem("<plan>", "foreign_debt", ">= 0", repr(self.foreign_debt)))
        return found


@dataclass(frozen=True)
class Targets:
    """Output targets: one row per (sector, year, level); year counts from 1."""

    sectors: tuple[str, ...]
    years: tuple[int, ...]
    levels: tuple[float, ...]
    weights: tuple[float, ...]

    @property
    def size(self) -> int:
        """Number of targets."""
        return len(self.sectors)

    def frame(self) -> pd.DataFrame:
        """The targets as a table."""
        return pd.DataFrame(
            {
                "sector": self.sectors,
                "year": self.years,
                "target": self.levels,
                "weight": self.weights,
            }
        )


def make_targets(
    economy: Economy,
    years: int,
    targets: Mapping[str, float] | Mapping[tuple[str, int], float] | Targets | None = None,
    weights: Mapping[str, float] | None = None,
) -> Targets:
    """Targets from ``{sector: level}`` (final year) or ``{(sector, year): level}``.

    With no targets, each sector's base-year output in the final year is the
    target, so that fulfilment reads as the growth factor of the whole plan.
    """
    if isinstance(targets, Targets):
        return targets
    raw: dict[tuple[str, int], float] = {}
    if targets is None:
        raw = {
            (s, years): float(x) for s, x in zip(economy.names, economy.gross_output, strict=True)
        }
    else:
        for key, level in targets.items():
            sector, year = (key, years) if isinstance(key, str) else key
            raw[(str(sector), int(year))] = float(level)
    problems = []
    known = set(economy.names)
    for (sector, year), level in raw.items():
        if sector not in known:
            problems.append(
                Problem("<targets>", "targets", "known sector names", "unknown", sector)
            )
        if not 1 <= year <= years:
            problems.append(
                Problem("<targets>", "targets", f"years from 1 to {years}", f"year {year}", sector)
            )
        if not (np.isfinite(level) and level > 0):
            problems.append(Problem("<targets>", "targets", "a level > 0", repr(level), sector))
    weights = dict(weights or {})
    for sector, weight in weights.items():
        if sector not in known:
            problems.append(
                Problem("<targets>", "weights", "known sector names", "unknown", sector)
            )
        elif not (np.isfinite(weight) and weight >= 0):
            problems.append(Problem("<targets>", "weights", ">= 0", repr(weight), sector))
    if problems:
        raise InputError(problems)
    position = {name: i for i, name in enumerate(economy.names)}
    keys = sorted(raw, key=lambda k: (position[k[0]], k[1]))
    return Targets(
        sectors=tuple(k[0] for k in keys),
        years=tuple(k[1] for k in keys),
        levels=tuple(raw[k] for k in keys),
        weights=tuple(float(weights.get(k[0], 1.0)) for k in keys),
    )


@dataclass
class PlanModel:
    """An assembled plan LP with its blocks, ready for an objective and a solve."""

    economy: Economy
    settings: PlanSettings
    lp: LinearProgram
    elastic: bool = False
    """Whether shortage variables may relax balances, capacity, labour and foreign exchange."""
    variables: dict[str, VariableBlock] = field(default_factory=dict)
    constraints: dict[str, ConstraintBlock] = field(default_factory=dict)

    @property
    def years(self) -> tuple[int, ...]:
        """Plan years, counted from 1."""
        return tuple(range(1, self.settings.years + 1))


def _growth(base: FloatArray, rate: float, years: int) -> FloatArray:
    """base[i] * (1 + rate)^t for t = 1..years, shaped (n, years)."""
    return np.outer(base, (1.0 + rate) ** np.arange(1, years + 1))


UNIT_SCALE = 1.0
"""The scale of a quantity with no size of its own in the base year (one unit of it)."""


def _positive(values: FloatArray) -> FloatArray:
    """Sizes with the unit where a size is zero."""
    return np.where(np.isfinite(values) & (values > 0), values, UNIT_SCALE)


def sector_scale(e: Economy) -> FloatArray:
    """Each branch's typical quantity: its base-year gross output, else its capacity.

    The unit in which a first-order solve measures the branch's outputs, stocks and
    balances, so that its relative accuracy holds for small branches as for large ones.
    """
    return _positive(np.where(e.gross_output > 0, e.gross_output, e.capacity))


def money_scale(e: Economy) -> float:
    """The typical size of a year's foreign-exchange account: the base-year output of the
    importable goods at import prices plus export demand at export prices, else reserves."""
    importable = e.vector("importable") > 0
    trade = float(
        e.vector("import_price") @ np.where(importable, e.gross_output, 0.0)
        + e.vector("export_price") @ e.vector("export_demand")
    )
    return float(_positive(np.array([trade if trade > 0 else e.scalars["fx_reserves"]]))[0])


def define_variables(model: PlanModel) -> None:
    """x, c, v, k, m, e per sector and year; credit and reserve draws per year."""
    e, T, lp = model.economy, model.settings.years, model.lp
    coords = {"sector": e.names, "year": model.years}
    importable = e.vector("importable") > 0
    exportable = e.vector("export_demand") > 0
    size = sector_scale(e)[:, None]
    money = money_scale(e)
    for name, upper in (
        ("gross_output", np.inf),
        ("consumption", np.inf),
        ("new_capacity", np.inf),
        ("capacity", np.inf),
        ("imports", np.where(importable, np.inf, 0.0)[:, None]),
        ("exports", np.where(exportable, np.inf, 0.0)[:, None]),
    ):
        model.variables[name] = lp.add_variables(name, coords, 0.0, upper, scale=size)
    credit = (
        e.scalars["credit_limit"]
        if model.settings.credit_limit is None
        else model.settings.credit_limit
    )
    years = {"year": model.years}
    model.variables["credit"] = lp.add_variables("credit", years, 0.0, credit, scale=money)
    model.variables["reserve_draw"] = lp.add_variables("reserve_draw", years, scale=money)
    if model.settings.debt_service_rate > 0:
        model.variables["debt"] = lp.add_variables("debt", years, scale=money)
    room = np.inf if model.elastic else 0.0
    for name, shape, scale in (
        ("short_goods", coords, size),
        ("short_capacity", coords, size),
        ("short_labour", years, labour_force(e, T)),
        ("short_fx", years, money),
    ):
        model.variables[name] = lp.add_variables(name, shape, 0.0, room, scale=scale)


def define_balances(model: PlanModel) -> None:
    """Supply covers current use, investment, consumption, exports and state demand."""
    e, T = model.economy, model.settings.years
    v = model.variables
    eye = sp.identity(e.n * T, format="csr")
    over_years = sp.identity(T, format="csr")
    A_t = sp.kron(e.A, over_years, format="csr")
    B_t = construction_work(e, T)
    state = _growth(e.vector("state"), model.settings.state_growth, T)
    under_way = _yearly(expansion_materials(e, T * MONTHS_PER_YEAR), T)
    model.constraints["balance"] = model.lp.add_constraints(
        "balance",
        {"sector": e.names, "year": model.years},
        [
            (v["gross_output"], eye - A_t),
            (v["imports"], eye),
            (v["new_capacity"], -B_t),
            (v["consumption"], -eye),
            (v["exports"], -eye),
            (v["short_goods"], eye),
        ],
        ">=",
        (state + under_way).ravel(),
        scale=_per_sector_year(e, T),
    )


def _yearly(monthly: FloatArray, T: int) -> FloatArray:
    """Monthly amounts (n, 12 T) summed over each plan year (n, T)."""
    yearly: FloatArray = monthly.reshape(monthly.shape[0], T, MONTHS_PER_YEAR).sum(axis=2)
    return yearly


def _per_sector_year(e: Economy, T: int) -> FloatArray:
    """The branches' scales laid out over (sector, year)."""
    return np.repeat(sector_scale(e), T)


def construction_work(e: Economy, T: int) -> sp.csr_array:
    """Materials of the projects started, per (good, year) from v (sector, year): a project
    started in year t spends B v / (lag + 1) in each of the years t .. t + lag."""
    lag = e.vector("construction_lag").astype(np.int64)
    blocks = []
    for tau in range(min(int(lag.max()), T - 1) + 1):
        share = np.where(tau <= lag, 1.0 / (lag + 1.0), 0.0)
        shift = sp.eye_array(T, T, k=-tau, format="csr")
        blocks.append(sp.kron(e.B @ sp.diags_array(share), shift, format="csr"))
    return sp.csr_array(sum(blocks[1:], blocks[0]))


def define_capacity(model: PlanModel) -> None:
    """Output within capacity; capacity wears and grows by construction after its lag."""
    e, T = model.economy, model.settings.years
    v = model.variables
    n = e.n
    eye = sp.identity(n * T, format="csr")
    lag = e.vector("construction_lag").astype(np.int64)
    sector = np.repeat(np.arange(n), T)
    year = np.tile(np.arange(T), n)
    row = sector * T + year
    # Until the first project of the plan arrives (year lag + 2) the inherited programme
    # keeps capacity whole in every month; afterwards it wears through the year.
    renewed = year <= lag[sector]
    least = np.where(renewed, 1.0, year_end_survival(e)[sector])
    model.constraints["capacity"] = model.lp.add_constraints(
        "capacity",
        {"sector": e.names, "year": model.years},
        [
            (v["gross_output"], eye),
            (v["capacity"], -sp.diags_array(least)),
            (v["short_capacity"], -eye),
        ],
        "<=",
        0.0,
        scale=_per_sector_year(e, T),
    )
    survival = (1.0 - e.vector("depreciation") / MONTHS_PER_YEAR) ** MONTHS_PER_YEAR
    has_previous = year >= 1
    wear = sp.csr_array(
        (-survival[sector[has_previous]], (row[has_previous], row[has_previous] - 1)),
        shape=(n * T, n * T),
    )
    start = year - 1 - lag[sector]
    built = start >= 0
    arrivals = sp.csr_array(
        (-np.ones(int(built.sum())), (row[built], sector[built] * T + start[built])),
        shape=(n * T, n * T),
    )
    k0 = e.capacity
    inherited = has_previous & (year <= lag[sector] + 1)
    pipeline = np.where(inherited, (1.0 - survival[sector]) * k0[sector], 0.0)
    # The expansion under way: what arrived during the previous year counts from this one.
    arrived = _yearly(expansion_arrivals(e, T * MONTHS_PER_YEAR), T)
    pipeline += np.where(has_previous, np.roll(arrived, 1, axis=1).ravel(), 0.0)
    rhs = np.where(year == 0, k0[sector], pipeline)
    model.constraints["capacity_flow"] = model.lp.add_constraints(
        "capacity_flow",
        {"sector": e.names, "year": model.years},
        [(v["capacity"], eye + wear), (v["new_capacity"], arrivals)],
        "==",
        rhs,
        scale=_per_sector_year(e, T),
    )


def labour_force(e: Economy, T: int) -> FloatArray:
    """The labour force at the start of each plan year: L0 (1 + growth)^(t - 1)."""
    growth = (1.0 + e.scalars["labour_force_growth"]) ** np.arange(T, dtype=float)
    force: FloatArray = e.scalars["labour_force"] * growth
    return force


def define_labour(model: PlanModel) -> None:
    """Labour used within a labour force that grows each year."""
    e, T = model.economy, model.settings.years
    use = sp.kron(sp.csr_array(e.labour[None, :]), sp.identity(T), format="csr")
    force = labour_force(e, T)
    model.constraints["labour"] = model.lp.add_constraints(
        "labour",
        {"year": model.years},
        [
            (model.variables["gross_output"], use),
            (model.variables["short_labour"], -sp.identity(T, format="csr")),
        ],
        "<=",
        force,
        scale=force,
    )


def define_foreign_exchange(model: PlanModel) -> None:
    """Imports and debt service paid by exports at world prices, credit and reserves; exports
    within demand; debt at a year's start grows by the credit drawn and falls by repayment.

    Service is charged on the year's debt and its whole credit, as if drawn at the year's
    start: an upper bound on what monthly service costs, so the plan never counts on
    foreign exchange that the simulator's trade lacks.
    """
    e, T, s = model.economy, model.settings.years, model.settings
    v = model.variables
    over_years = sp.identity(T, format="csr")
    pay = sp.kron(sp.csr_array(e.vector("import_price")[None, :]), over_years, format="csr")
    earn = sp.kron(sp.csr_array(e.vector("export_price")[None, :]), over_years, format="csr")
    rate = s.debt_service_rate
    # Debt is a family of its own only when it costs something within the plan.
    serviced = "debt" in v
    terms: Sequence[tuple[VariableBlock, Any]] = [
        (v["imports"], pay),
        (v["exports"], -earn),
        (v["credit"], (rate - 1.0) * over_years),
        *([(v["debt"], rate * over_years)] if serviced else []),
        (v["reserve_draw"], -over_years),
        (v["short_fx"], -over_years),
    ]
    money = money_scale(e)
    model.constraints["fx"] = model.lp.add_constraints(
        "fx", {"year": model.years}, terms, "<=", 0.0, scale=money
    )
    if serviced:
        repaid = 1.0 / s.credit_term
        model.constraints["debt_flow"] = model.lp.add_constraints(
            "debt_flow",
            {"year": model.years},
            [
                (v["debt"], over_years - (1.0 - repaid) * sp.eye_array(T, T, k=-1, format="csr")),
                (v["credit"], -sp.eye_array(T, T, k=-1, format="csr")),
            ],
            "==",
            np.r_[s.foreign_debt, np.zeros(T - 1)],
            scale=money,
        )
    model.constraints["reserves"] = model.lp.add_constraints(
        "reserves",
        None,
        [(v["reserve_draw"], np.ones((1, T)))],
        "<=",
        e.scalars["fx_reserves"],
        scale=money,
    )
    demand = e.vector("export_demand")
    exportable = np.flatnonzero(demand > 0)
    growth = (
        e.scalars["export_demand_growth"]
        if s.export_demand_growth is None
        else s.export_demand_growth
    )
    limit = _growth(demand[exportable], growth, T)
    columns = (exportable[:, None] * T + np.arange(T)[None, :]).ravel()
    select = sp.csr_array(
        (np.ones(columns.size), (np.arange(columns.size), columns)), shape=(columns.size, e.n * T)
    )
    model.constraints["export_limit"] = model.lp.add_constraints(
        "export_limit",
        {"sector": tuple(e.names[i] for i in exportable), "year": model.years},
        [(v["exports"], select)],
        "<=",
        limit.ravel(),
        scale=np.repeat(sector_scale(e)[exportable], T),
    )


def define_consumption_floors(model: PlanModel) -> None:
    """Consumption never below a floor that the plan raises year by year."""
    e, T = model.economy, model.settings.years
    floor = _growth(e.vector("consumption"), model.settings.consumption_growth, T)
    model.constraints["floor"] = model.lp.add_constraints(
        "floor",
        {"sector": e.names, "year": model.years},
        [(model.variables["consumption"], sp.identity(e.n * T, format="csr"))],
        ">=",
        floor.ravel(),
        scale=_per_sector_year(e, T),
    )


def target_selection(model: PlanModel, targets: Targets) -> sp.csr_array:
    """Rows picking x[sector, year] for each target."""
    T = model.settings.years
    index = {s: i for i, s in enumerate(model.economy.names)}
    columns = np.array(
        [index[s] * T + (y - 1) for s, y in zip(targets.sectors, targets.years, strict=True)]
    )
    return sp.csr_array(
        (np.ones(columns.size), (np.arange(columns.size), columns)),
        shape=(columns.size, model.economy.n * T),
    )


def build_model(economy: Economy, settings: PlanSettings, *, elastic: bool = False) -> PlanModel:
    """The plan LP without targets or objective: create, then add families one by one.

    With ``elastic``, shortage variables may relax the balances, capacities,
    labour and foreign exchange, so that an over-ambitious plan shows where and
    by how much it falls short instead of being merely infeasible.
    """
    problems = settings.problems()
    if problems:
        raise InputError(problems)
    model = PlanModel(economy, settings, LinearProgram("max"), elastic=elastic)
    define_variables(model)
    define_balances(model)
    define_capacity(model)
    define_labour(model)
    define_foreign_exchange(model)
    define_consumption_floors(model)
    return model


def family_frame(
    model: PlanModel, values: Mapping[str, FloatArray], names: Sequence[str]
) -> pd.DataFrame:
    """Per-sector-and-year arrays as one tidy table (sector, year, columns...)."""
    index = pd.MultiIndex.from_product([model.economy.names, model.years], names=["sector", "year"])
    return pd.DataFrame(
        {name: np.asarray(values[name]).ravel() for name in names}, index=index
    ).reset_index()
