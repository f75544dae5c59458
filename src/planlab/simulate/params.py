"""Params: everything a run reads, resolved from a scenario and validated once.

A scenario holds policies, parameters, exogenous paths and initial values by
name, with dated changes; ``resolve`` checks every name and value against the
tables in ``planlab.simulate.scenario`` (the same one-line problems the YAML
loader gives, for a scenario built in Python too), turns each into its monthly
path and freezes the result. The stages then read typed fields and read-only
arrays; nothing is looked up by string inside the monthly loop.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from planlab.economy import Economy
from planlab.errors import InputError, Problem
from planlab.plan import PlanResult, PlanSettings
from planlab.plan.calendar import MONTHS_PER_YEAR, construction_months, inherited_arrivals
from planlab.plan.formulation import construction_work
from planlab.simulate.agriculture import split_inputs
from planlab.simulate.households import REGIONS
from planlab.simulate.scenario import (
    EXOGENOUS,
    INITIAL,
    PARAMETERS,
    POLICIES,
    Scenario,
    Setting,
    Spec,
    month_starts,
)

__all__ = [
    "GROUPS",
    "MAX_MONTHS",
    "MAX_SEED",
    "Params",
    "PlanDecisions",
    "check_seed",
    "resolve",
    "scenario_problems",
    "setting_problems",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

MAX_MONTHS = 1200
"""Longest run, in months (a century): an assumption that bounds memory and time."""
SOLVER_ROUNDING = 1e-9
"""How far below zero a plan's quantities may lie from the LP solver's rounding (its
feasibility tolerance is 1e-7 relative); they are read as zero."""
MAX_SEED = 2**32 - 1
"""Seeds are whole numbers from 0 to 2^32 - 1: the range every numpy generator (also the
legacy RandomState) accepts, and one that a run's record stores as it is."""
GROWTH_RANGE = (-0.5, 2.0)
"""Yearly growth a branch's tempo may take: an assumption wide enough for any recorded plan
(the first five-year plan's boldest variant asked +45 % a year) and short of collapse."""

EXPORT_PLAN = Spec(
    "export_plan",
    "multiple of the base year's exports",
    1.0,
    0.0,
    100.0,
    "Exports of a good ordered by the course, drawn from procurement and stocks and sold at "
    "what the world market pays.",
)
"""The rule of each good's entry in a scenario's ``export_plan``."""

GROUPS: Mapping[str, Mapping[str, Spec]] = MappingProxyType(
    {"policies": POLICIES, "parameters": PARAMETERS, "exogenous": EXOGENOUS, "initial": INITIAL}
)
"""The four tables of named inputs, by the scenario field that holds them."""


def _frozen(array: np.ndarray) -> np.ndarray:
    out = np.array(array, copy=True)
    out.flags.writeable = False
    return out


def setting_problems(
    file: str,
    group: str,
    name: str,
    setting: Setting,
    table: Mapping[str, Spec],
    window: tuple[dt.date, dt.date] | None = None,
) -> list[Problem]:
    """What is wrong with one named setting: an unknown name, a value outside its bounds,
    two changes on one date, or (given the scenario's ``window``) a change outside it."""
    spec = table.get(name)
    if spec is None:
        return [Problem(file, f"{group}.{name}", f"known {group}: {', '.join(table)}", "unknown")]
    found = []
    values = [("value", setting.value)] + [
        (f"changes.{k}.value", value) for k, (_, value) in enumerate(setting.changes)
    ]
    for where, value in values:
        if not isinstance(value, int | float) or isinstance(value, bool):
            found.append(Problem(file, f"{group}.{name}.{where}", "a number", repr(value)))
        elif math.isnan(value) and math.isnan(spec.default):
            continue  # NaN is this setting's 'not set' (as its default)
        elif math.isnan(value) or not spec.low <= value <= spec.high:
            found.append(
                Problem(
                    file,
                    f"{group}.{name}.{where}",
                    f"{name} lies in [{spec.low:g}, {spec.high:g}] ({spec.unit})",
                    f"value {value!r}",
                )
            )
    dates = [when for when, _ in setting.changes]
    if len(set(dates)) < len(dates):
        found.append(
            Problem(file, f"{group}.{name}.changes", "one change per date", "a date repeats")
        )
    if window is not None:
        first, last = window
        rule = f"dates within the scenario, {first} to {last}"
        found += [
            Problem(file, f"{group}.{name}.changes", rule, str(when))
            for when in dates
            if not first <= when <= last
        ]
    return found


def check_seed(seed: object, file: str = "<run>") -> int:
    """The seed as an int, or an error naming the rule."""
    if (
        isinstance(seed, bool)
        or not isinstance(seed, int | np.integer)
        or not 0 <= int(seed) <= MAX_SEED
    ):
        raise InputError.single(file, "seed", f"a whole number from 0 to {MAX_SEED}", repr(seed))
    return int(seed)


@dataclass(frozen=True)
class PlanDecisions:
    """What a plan decides for each branch and plan year, in yearly rates (years, n).

    The executed plan's targets, construction starts, imports and exports; the
    engine follows them instead of its own rules (see ``planlab.simulate.engine``).
    """

    gross_output: FloatArray
    new_capacity: FloatArray
    imports: FloatArray
    exports: FloatArray
    credit: FloatArray
    """Foreign credit drawn in each plan year (years,)."""
    terms: PlanSettings
    """The plan's settings, with the credit terms it was computed on."""

    @property
    def years(self) -> int:
        """Plan years."""
        return int(self.gross_output.shape[0])

    @classmethod
    def from_result(cls, economy: Economy, result: PlanResult) -> PlanDecisions:
        """What a computed plan decides."""
        if not result.feasible:
            raise InputError.single(
                "<plan>", "status", "a feasible plan", f"the plan is {result.status.value}"
            )
        return cls.from_tables(
            economy, result.sectors, result.years_table, result.settings, "<plan>"
        )

    @classmethod
    def from_tables(
        cls,
        economy: Economy,
        table: pd.DataFrame,
        years_table: pd.DataFrame,
        terms: PlanSettings,
        file: str,
    ) -> PlanDecisions:
        """From a plan's sector table (sector, year, gross_output, new_capacity, imports,
        exports) and its year table (year, credit)."""
        needed = ("sector", "year", "gross_output", "new_capacity", "imports", "exports")
        missing = [c for c in needed if c not in table.columns]
        if missing:
            raise InputError.single(file, ", ".join(missing), "a plan's sector table", "missing")
        unknown = sorted(set(map(str, table["sector"])) - set(economy.names))
        if unknown:
            raise InputError.single(
                file, "sector", "the economy's sectors", "unknown", ", ".join(unknown)
            )
        years = np.asarray(table["year"], dtype=float)
        if years.size == 0 or not np.all(np.isfinite(years)) or np.any(years < 1):
            raise InputError.single(file, "year", "plan years counted from 1", "missing or < 1")
        T = int(years.max())
        frame = table.set_index(["sector", "year"])
        if frame.index.duplicated().any():
            raise InputError.single(file, "sector, year", "one row per sector and year", "repeat")
        full = pd.MultiIndex.from_product([economy.names, range(1, T + 1)])
        if len(frame.reindex(full).dropna()) != len(full):
            raise InputError.single(
                file, "sector, year", "a row for every sector and plan year", "rows missing"
            )
        out = {}
        for column in needed[2:]:
            values = frame[column].reindex(full).to_numpy(dtype=float).reshape(economy.n, T).T
            if not (np.all(np.isfinite(values)) and np.all(values >= -SOLVER_ROUNDING)):
                raise InputError.single(file, column, "finite values >= 0", "negative or NaN")
            out[column] = _frozen(np.maximum(values, 0.0))
        if "credit" not in years_table.columns or "year" not in years_table.columns:
            raise InputError.single(file, "credit", "a plan's year table", "missing")
        credit = years_table.set_index("year")["credit"].reindex(range(1, T + 1))
        drawn = credit.to_numpy(dtype=float)
        if not (np.all(np.isfinite(drawn)) and np.all(drawn >= -SOLVER_ROUNDING)):
            raise InputError.single(file, "credit", "a value >= 0 for every plan year", "missing")
        return cls(**out, credit=_frozen(np.maximum(drawn, 0.0)), terms=terms)


@dataclass(frozen=True)
class Params:
    """A run's inputs, resolved and validated: monthly paths, scalars, branch structure."""

    name: str
    economy: Economy
    months: int
    dates: tuple[dt.date, ...]
    policy: Mapping[str, FloatArray]
    """Each policy's value in each month (``months + 1`` entries)."""
    exogenous: Mapping[str, FloatArray]
    parameter: Mapping[str, float]
    initial: Mapping[str, float]
    farm: BoolArray
    """Branches run by the peasant economy."""
    machinery: BoolArray
    consumer: BoolArray
    """Non-farm branches whose goods households buy."""
    basket: FloatArray
    """Shares of the state shops' consumer basket."""
    base_exports: FloatArray
    """The base year's exports, a month's worth per good."""
    base_imports: FloatArray
    """The base year's imports, a month's worth per good."""
    importable: BoolArray
    export_price: FloatArray
    import_price: FloatArray
    state_demand: FloatArray
    """The state's own use of each good, a month's worth."""
    input_base: FloatArray
    """The base year's intermediate use of each good (a yearly rate), the scale of imports."""
    A_stock: sp.csc_array
    A_farm: sp.csr_array
    depreciation: FloatArray
    duration: FloatArray
    """Months a project of each branch takes."""
    inherited: FloatArray
    """Capacity the replacement programme under way at the start adds each month (n, months)."""
    priority: FloatArray
    cancel_order: NDArray[np.int64]
    growth: FloatArray
    revised_growth: FloatArray
    target_path: FloatArray | None
    plan: PlanDecisions | None
    export_plan: FloatArray
    """Exports ordered per good and month as a multiple of the base year's (months + 1, n);
    NaN where the course orders none."""
    plan_procurement: FloatArray | None
    """Under an executed plan, what the plan needs from the farms' output each plan year
    (years, n; a yearly rate): inputs to stocks, construction materials, exports and the
    state's use of farm goods."""
    plan_year: NDArray[np.int64]
    """Plan year (from 0) whose decisions hold in each month: the last plan year's after the
    plan's end (with no plan, the year counted from the start)."""
    budget_year: NDArray[np.int64]
    """Index of the economic year (starting in the start's month) of each month."""

    @property
    def n(self) -> int:
        """Branches."""
        return self.economy.n


def _months_problem(months: object) -> Problem | None:
    rule = f"a whole number of months from 1 to {MAX_MONTHS}"
    if isinstance(months, bool) or not isinstance(months, int | np.integer):
        return Problem("<run>", "months", rule, repr(months))
    if not 1 <= int(months) <= MAX_MONTHS:
        return Problem("<run>", "months", rule, repr(months))
    return None


def scenario_problems(sc: Scenario, file: str | None = None) -> list[Problem]:
    """What is wrong with a scenario, built from a file or in Python: every named setting
    against its table, dated changes within the scenario's months and one per date, tempos
    and priorities of known branches within bounds, the branches and regions it names."""
    file = f"scenario {sc.name!r}" if file is None else file
    months = _months_problem(sc.months)
    if months is not None:
        return [dataclasses.replace(months, file=file)]
    dates = month_starts(sc.start, int(sc.months))
    window = (dates[0], dates[-1])
    problems: list[Problem] = []
    for group, table in GROUPS.items():
        given: Mapping[str, Setting] = getattr(sc, group)
        for name, setting in given.items():
            problems += setting_problems(file, group, name, setting, table, window)
            if group == "initial" and setting.changes:
                problems.append(
                    Problem(file, f"initial.{name}.changes", "no dated changes", "given")
                )
    known = set(sc.economy.names)
    low, high = GROWTH_RANGE
    rates = {"growth": sc.targets, "revised_growth": sc.revised_targets}
    for field, mapping in rates.items():
        for sector, rate in mapping.items():
            if sector not in known:
                problems.append(Problem(file, field, "known sector names", "unknown", sector))
            elif not (math.isfinite(rate) and low <= rate <= high):
                rule = f"a yearly rate in [{low:g}, {high:g}]"
                problems.append(Problem(file, f"{field}.{sector}", rule, repr(rate), sector))
    if not (math.isfinite(sc.default_growth) and low <= sc.default_growth <= high):
        rule = f"a yearly rate in [{low:g}, {high:g}]"
        problems.append(Problem(file, "default_growth", rule, repr(sc.default_growth)))
    exported = sc.economy.vector("exports") > 0
    for sector, setting in sc.export_plan.items():
        if sector not in known:
            problems.append(Problem(file, "export_plan", "known sector names", "unknown", sector))
            continue
        table = {sector: dataclasses.replace(EXPORT_PLAN, name=sector)}
        problems += setting_problems(file, "export_plan", sector, setting, table, window)
        if not exported[sc.economy.index(sector)]:
            problems.append(
                Problem(
                    file,
                    f"export_plan.{sector}",
                    "a good exported in the base year",
                    "none",
                    sector,
                )
            )
    for sector, rank in sc.priority.items():
        if sector not in known:
            problems.append(Problem(file, "priority", "known sector names", "unknown", sector))
        elif not math.isfinite(rank):
            problems.append(Problem(file, "priority", "a finite rank", repr(rank), sector))
    for field in ("machinery", "agriculture"):
        for sector in getattr(sc, field):
            if sector not in known:
                problems.append(Problem(file, field, "known sector names", "unknown", sector))
    if sc.grain is not None and sc.grain not in known:
        problems.append(Problem(file, "grain", "known sector names", "unknown", sc.grain))
    for region, factor in sc.region_pressure.items():
        if region not in REGIONS:
            rule = f"one of {', '.join(REGIONS)}"
            problems.append(Problem(file, f"region_pressure.{region}", rule, "unknown"))
        elif not (math.isfinite(factor) and factor >= 0):
            problems.append(
                Problem(file, f"region_pressure.{region}", "a multiplier >= 0", repr(factor))
            )
    return problems


def resolve(scenario: Scenario, months: object = None, plan: PlanDecisions | None = None) -> Params:
    """The run's Params, or an ``InputError`` with every problem found, one line each."""
    sc = scenario
    found = [_months_problem(sc.months), None if months is None else _months_problem(months)]
    problems = [problem for problem in found if problem is not None]
    if problems:
        raise InputError(problems)
    T = int(sc.months if months is None else months)  # type: ignore[call-overload]
    dates = month_starts(sc.start, T)
    problems = scenario_problems(sc)
    if plan is not None and plan.gross_output.shape[1] != sc.economy.n:
        problems.append(Problem("<plan>", "sectors", "the scenario's economy", "another economy"))
    if problems:
        raise InputError(problems)
    e = sc.economy
    paths = {
        group: MappingProxyType(
            {name: _frozen(sc.path(group, name, dates)) for name in GROUPS[group]}
        )
        for group in ("policies", "exogenous")
    }
    farm = np.array([name in sc.agriculture for name in e.names])
    A_stock, A_farm = split_inputs(e, farm)
    for matrix in (A_stock, A_farm):
        for part in (matrix.data, matrix.indices, matrix.indptr):
            part.flags.writeable = False
    consumption = e.vector("consumption")
    basket = consumption * ~farm
    basket = basket / basket.sum() if basket.sum() > 0 else basket
    priority = np.array([sc.priority.get(name, 0.0) for name in e.names])
    growth = np.array([sc.targets.get(name, sc.default_growth) for name in e.names])
    revised = np.array(
        [sc.revised_targets.get(name, g) for name, g in zip(e.names, growth, strict=True)]
    )
    month = np.arange(T + 1)
    start_month = sc.start.month
    calendar_month = (start_month - 1 + month) % MONTHS_PER_YEAR
    budget_year = np.cumsum(np.r_[0, (calendar_month[1:] == start_month - 1)]).astype(np.int64)
    return Params(
        name=sc.name,
        economy=e,
        months=T,
        dates=dates,
        policy=paths["policies"],
        exogenous=paths["exogenous"],
        parameter=MappingProxyType({k: sc.value("parameters", k) for k in PARAMETERS}),
        initial=MappingProxyType({k: sc.value("initial", k) for k in INITIAL}),
        farm=_frozen(farm),
        machinery=_frozen(np.array([name in sc.machinery for name in e.names])),
        consumer=_frozen((consumption > 0) & ~farm),
        basket=_frozen(basket),
        base_exports=_frozen(e.vector("exports") / MONTHS_PER_YEAR),
        base_imports=_frozen(e.vector("imports") / MONTHS_PER_YEAR),
        importable=_frozen(e.vector("importable") > 0),
        export_price=_frozen(e.vector("export_price")),
        import_price=_frozen(e.vector("import_price")),
        state_demand=_frozen(e.vector("state") / MONTHS_PER_YEAR),
        input_base=_frozen(np.asarray(e.A @ e.gross_output, dtype=float)),
        A_stock=A_stock,
        A_farm=A_farm,
        depreciation=_frozen(e.vector("depreciation")),
        duration=_frozen(construction_months(e)),
        inherited=_frozen(inherited_arrivals(e, T)),
        priority=_frozen(priority),
        cancel_order=_frozen(np.argsort(priority, kind="stable").astype(np.int64)),
        growth=_frozen(growth),
        revised_growth=_frozen(revised),
        target_path=None if sc.target_path is None else _frozen(sc.target_path),
        export_plan=_frozen(_export_plan(sc, dates)),
        plan=plan,
        plan_procurement=None
        if plan is None
        else _frozen(_plan_procurement(e, farm, A_stock, plan)),
        plan_year=_frozen(
            month // MONTHS_PER_YEAR
            if plan is None
            else np.minimum(month // MONTHS_PER_YEAR, plan.years - 1)
        ),
        budget_year=_frozen(budget_year),
    )


def _plan_procurement(
    e: Economy, farm: BoolArray, A_stock: sp.csc_array, plan: PlanDecisions
) -> FloatArray:
    """The farm goods an executed plan takes into the state's stocks, per plan year (years, n)."""
    T = plan.years
    work = np.asarray(construction_work(e, T) @ plan.new_capacity.T.ravel(), dtype=float)
    materials = np.asarray(e.B @ work.reshape(e.n, T), dtype=float).T
    inputs = np.asarray(A_stock @ plan.gross_output.T, dtype=float).T
    need = inputs + materials + plan.exports + e.vector("state")[None, :]
    out: FloatArray = np.where(farm[None, :], need, 0.0)
    return out


def _export_plan(sc: Scenario, dates: tuple[dt.date, ...]) -> FloatArray:
    """The export plan per month and good; NaN where none is ordered."""
    out = np.full((len(dates), sc.economy.n), np.nan)
    for sector, setting in sc.export_plan.items():
        out[:, sc.economy.index(sector)] = setting.path(dates)
    return out
