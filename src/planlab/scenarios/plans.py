"""Plans as folders, executed by the simulator and compared with what it made of them.

``planlab plan --out DIR`` writes a plan folder (``plan_folder``): the plan per
sector and year, its year totals, fulfilment, shadow prices and ``plan.json`` with
the settings it was computed on. ``read_plan`` reads one back as the decisions the
simulator executes; ``execution_scenario`` is the scenario a plan meets (the
economy's own scenario, or its neutral defaults, with or without shocks); and
``compare_plan`` sets the executed output beside the planned one, per branch and
plan year, and names the stage and branch where a shortfall starts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from planlab.economy import Economy, resolve
from planlab.errors import InputError
from planlab.plan import PlanResult, PlanSettings
from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.scenarios.storage import YAML_NAME, builtin_scenarios, load_scenario
from planlab.simulate import Scenario, Setting
from planlab.simulate.params import PlanDecisions

__all__ = [
    "PLAN_FORMAT",
    "PlanComparison",
    "compare_plan",
    "execution_scenario",
    "plan_base",
    "plan_economy",
    "plan_folder",
    "read_plan",
]

PLAN_FORMAT = "planlab-plan/1"
FloatArray = NDArray[np.float64]

DEVIATION_TOLERANCE = 1e-3
"""Relative shortfall of a month's output below its target from which a shortfall is named."""
DEFAULT_START = dt.date(2000, 1, 1)
"""The first month of a plan run on an economy without a scenario: an assumption, since the
plan's years are counted from its start and carry no calendar of their own."""


def _settings_json(settings: PlanSettings) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in fields(settings):
        value = getattr(settings, item.name)
        out[item.name] = None if isinstance(value, float) and math.isinf(value) else value
    return out


def plan_folder(result: PlanResult) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """The tables and text files of a plan folder (the caller writes them, all or nothing)."""
    meta = {
        "format": PLAN_FORMAT,
        "economy": result.economy,
        "objective": result.objective,
        "status": result.status.value,
        "feasible": result.feasible,
        "objective_value": result.objective_value if result.feasible else None,
        "levels": result.levels,
        "gap": result.gap if result.feasible else None,
        "method": result.method,
        "solvers": [{"solver": solver, "ended": ended} for solver, ended in result.solvers],
        "message": result.message,
        "settings": _settings_json(result.settings),
    }
    tables = {
        "sectors": result.sectors,
        "fulfilment": result.fulfilment,
        "shadow_prices": result.shadow_prices,
        "years": result.years_table,
        "conflicts": result.conflicts,
    }
    return tables, {"plan.json": json.dumps(meta, indent=2) + "\n"}


def _settings_from(meta: dict[str, Any], file: str) -> PlanSettings:
    given = meta.get("settings")
    if not isinstance(given, dict):
        raise InputError.single(
            file, "settings", "a plan folder written by planlab plan", "missing"
        )
    known = {item.name for item in fields(PlanSettings)}
    unknown = sorted(set(given) - known)
    if unknown:
        raise InputError.single(
            file, "settings", f"known: {', '.join(sorted(known))}", ", ".join(unknown)
        )
    values: dict[str, Any] = {
        k: (math.inf if k == "credit_term" and v is None else v) for k, v in given.items()
    }
    for name, value in values.items():
        if name != "years" and value is not None and not isinstance(value, int | float):
            raise InputError.single(file, f"settings.{name}", "a number", repr(value))
    settings = PlanSettings(**values)
    problems = settings.problems()
    if problems:
        raise InputError(problems)
    return settings


def _meta(folder: Path) -> dict[str, Any]:
    """A plan folder's plan.json, as a JSON object."""
    meta_file = folder / "plan.json"
    if not meta_file.is_file():
        raise InputError.single(
            str(folder), "plan.json", "a plan folder written by planlab plan", "not found"
        )
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.single(str(meta_file), "-", "JSON", str(exc).splitlines()[0]) from None
    if not isinstance(meta, dict):
        raise InputError.single(str(meta_file), "-", "a JSON object", type(meta).__name__)
    return meta


def plan_economy(folder: Path) -> Economy:
    """The economy a plan folder was computed on (built in, or a path), as plan.json names it."""
    name = _meta(folder).get("economy")
    if not isinstance(name, str):
        raise InputError.single(
            str(folder / "plan.json"), "economy", "the plan's economy", repr(name)
        )
    return resolve(name)


def read_plan(folder: Path, economy: Economy) -> PlanDecisions:
    """The decisions of a plan folder, checked against the economy that will execute them."""
    meta_file = folder / "plan.json"
    meta = _meta(folder)
    if meta.get("feasible") is not True:
        raise InputError.single(
            str(meta_file), "feasible", "a feasible plan", repr(meta.get("feasible"))
        )
    if meta.get("economy") != economy.name:
        raise InputError.single(
            str(meta_file),
            "economy",
            f"the economy it runs on ({economy.name})",
            repr(meta.get("economy")),
        )
    settings = _settings_from(meta, str(meta_file))
    tables = {}
    for name in ("sectors", "years"):
        path = folder / f"{name}.csv"
        if not path.is_file():
            raise InputError.single(
                str(folder), f"{name}.csv", "a plan folder's tables", "not found"
            )
        try:
            tables[name] = pd.read_csv(path)
        except (
            OSError,
            UnicodeDecodeError,
            pd.errors.ParserError,
            pd.errors.EmptyDataError,
        ) as exc:
            raise InputError.single(str(path), "-", "CSV", str(exc).splitlines()[0]) from None
    return PlanDecisions.from_tables(
        economy, tables["sectors"], tables["years"], settings, str(folder / "sectors.csv")
    )


def plan_base(name_or_path: str) -> Scenario | Economy:
    """What a plan runs on: a scenario (built-in, or a path to scenario.yaml or its folder),
    otherwise an economy (built-in or a path)."""
    path = Path(name_or_path)
    is_scenario = (
        name_or_path in builtin_scenarios()
        if not path.exists()
        else (path.is_file() and path.name == YAML_NAME)
        or (path.is_dir() and (path / YAML_NAME).is_file())
    )
    return load_scenario(name_or_path) if is_scenario else resolve(name_or_path)


def execution_scenario(
    base: Scenario | Economy, plan: PlanDecisions, *, shocks: bool = True
) -> Scenario:
    """The scenario a plan meets, running for its years.

    From an economy: its neutral defaults (no pressure, base-year world prices, normal
    weather). From a scenario: its branches, initial values and behaviour, with its
    policies and world as given (``shocks``) or reset to the neutral defaults.
    """
    months = plan.years * MONTHS_PER_YEAR
    if isinstance(base, Economy):
        return Scenario(
            name=base.name,
            title=f"{base.name} executing a plan",
            economy=base,
            start=DEFAULT_START,
            months=months,
            policies={},
            parameters={},
            exogenous={},
            initial={},
        )
    if shocks:
        return dataclasses.replace(base, months=months)
    return dataclasses.replace(
        base,
        months=months,
        policies={},
        exogenous={},
        parameters={**base.parameters, "harvest_noise": Setting(0.0)},
        title=f"{base.title} (no shocks)",
    )


@dataclass(frozen=True)
class PlanComparison:
    """Executed against planned gross output, per branch and plan year, and where it parts."""

    table: pd.DataFrame
    """sector, year, planned, executed, log_deviation."""
    max_abs_log_deviation: float
    first_shortfall: dict[str, Any] | None
    """Where the first month's output fell short of its target: date, branch, stage, cause."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the summary, the per-branch table and the first shortfall."""
        per_branch: dict[str, dict[str, dict[str, float]]] = {}
        for sector, year, planned, executed, deviation in zip(
            self.table["sector"],
            self.table["year"],
            self.table["planned"].to_numpy(dtype=float),
            self.table["executed"].to_numpy(dtype=float),
            self.table["log_deviation"].to_numpy(dtype=float),
            strict=True,
        ):
            per_branch.setdefault(str(sector), {})[str(year)] = {
                "planned": float(planned),
                "executed": float(executed),
                "log_deviation": float(deviation),
            }
        return {
            "max_abs_log_deviation": self.max_abs_log_deviation,
            "branches": per_branch,
            "first_shortfall": self.first_shortfall,
        }


def compare_plan(series: pd.DataFrame, plan: PlanDecisions, economy: Economy) -> PlanComparison:
    """The executed plan beside the planned one; the stage and branch where it falls short.

    ``series`` is a run's tidy series (date, variable, value), as ``Run.series`` or
    ``read_series`` give it.
    """
    wide = series.pivot(index="date", columns="variable", values="value").sort_index()

    def columns(prefix: str) -> FloatArray:
        names = [f"{prefix}_{name}" for name in economy.names]
        missing = [name for name in names if name not in wide.columns]
        if missing:
            raise InputError.single(
                "<run>", missing[0], "a run of the plan's economy", "missing from the series"
            )
        values: FloatArray = wide[names].to_numpy(dtype=float)
        return values

    output = columns("output")
    months = int(np.sum(np.isfinite(output).all(axis=1)))
    years = min(plan.years, months // MONTHS_PER_YEAR)
    if years < 1:
        raise InputError.single("<run>", "months", "at least one whole plan year", str(months))
    span = years * MONTHS_PER_YEAR
    executed = output[:span].reshape(years, MONTHS_PER_YEAR, -1).sum(axis=1)
    planned = plan.gross_output[:years]
    with np.errstate(divide="ignore", invalid="ignore"):
        deviation = np.where(
            (planned > 0) & (executed > 0),
            np.log(executed / np.where(planned > 0, planned, 1.0)),
            np.where(planned == executed, 0.0, np.where(executed > planned, np.inf, -np.inf)),
        )
    table = pd.DataFrame(
        {
            "sector": np.repeat(economy.names, years),
            "year": np.tile(np.arange(1, years + 1), economy.n),
            "planned": planned.T.ravel(),
            "executed": executed.T.ravel(),
            "log_deviation": deviation.T.ravel(),
        }
    )
    first = _first_shortfall(
        economy,
        wide.index[:span],
        output[:span],
        columns("target")[:span],
        columns("planned_output")[:span],
        columns("capacity")[:span] / MONTHS_PER_YEAR,
        columns("supply_ratio")[:span],
        wide["labour_scale"].to_numpy(dtype=float)[:span],
    )
    return PlanComparison(table, float(np.max(np.abs(deviation))), first)


def _first_shortfall(
    economy: Economy,
    dates: pd.Index,
    output: FloatArray,
    target: FloatArray,
    planned: FloatArray,
    capacity: FloatArray,
    supply_ratio: FloatArray,
    labour_scale: FloatArray,
) -> dict[str, Any] | None:
    """The first month and branch whose output fell short of its target, and why: the stage
    whose limit bound (labour or capacity in production, capacity built late in construction,
    the farms in agriculture, a scarce input in production)."""
    low = 1.0 - DEVIATION_TOLERANCE
    short = output < target * low
    if not short.any():
        return None
    month = int(np.flatnonzero(short.any(axis=1))[0])
    gaps = np.where(short[month], 1.0 - output[month] / target[month], 0.0)
    branch = int(np.argmax(gaps))
    if planned[month, branch] < target[month, branch] * low:
        if labour_scale[month] < low:
            stage, cause = "production", "labour: the towns' labour force is short"
        elif capacity[month, branch] < target[month, branch] * low:
            stage, cause = "construction", "capacity: projects finished late or too few"
        else:
            stage, cause = "agriculture", "the farms' land, animals and weather"
    else:
        column = sp.csc_array(economy.A)[:, [branch]]
        uses = column.indices[column.data > 0]
        ratio = supply_ratio[month]
        scarce = int(uses[np.argmin(ratio[uses])]) if uses.size else branch
        stage = "production"
        cause = f"inputs: {economy.names[scarce]} short (supply ratio {ratio[scarce]:.3f})"
    return {
        "date": pd.Timestamp(dates[month]).strftime("%Y-%m-%d"),
        "month": month,
        "branch": economy.names[branch],
        "stage": stage,
        "cause": cause,
        "shortfall": float(gaps[branch]),
    }
