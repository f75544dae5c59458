"""The outcome of a plan or a tempo check: tidy tables, status, and an explanation."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planlab.plan.formulation import (
    PlanModel,
    PlanSettings,
    construction_work,
    family_frame,
    labour_force,
)
from planlab.plan.lp import Solution, Status

__all__ = [
    "PlanResult",
    "conflicts_table",
    "constraint_label",
    "shadow_price_table",
    "solution_tables",
]

SECTOR_VARIABLES = (
    "gross_output",
    "consumption",
    "capacity",
    "new_capacity",
    "imports",
    "exports",
)
FAMILIES = (
    "balance",
    "capacity",
    "capacity_flow",
    "labour",
    "fx",
    "debt_flow",
    "reserves",
    "export_limit",
    "floor",
)


@dataclass
class PlanResult:
    """A solved (or explained infeasible) plan, labelled by sector and year.

    ``sectors`` holds the plan per sector and year; ``fulfilment`` each target's
    achievement; ``shadow_prices`` the value of relaxing every balance, capacity,
    labour and foreign-exchange constraint by one unit (of the first harmony
    level, which decides the least fulfilled targets); ``conflicts`` the
    constraints that cannot hold together when the plan is infeasible. ``gap``,
    ``primal_infeasibility`` and ``dual_infeasibility`` are relative measures that
    planlab computes from the model and the answer (``planlab.plan.verify``);
    ``gap`` is the largest over the solves of a harmony plan.
    """

    economy: str
    objective: str
    status: Status
    years: tuple[int, ...]
    objective_value: float
    gap: float
    seconds: float = field(compare=False)
    """Wall-clock time of the solve: metadata of this computation, not part of the result."""
    sectors: pd.DataFrame
    fulfilment: pd.DataFrame
    shadow_prices: pd.DataFrame
    years_table: pd.DataFrame
    conflicts: pd.DataFrame
    levels: list[float] = field(default_factory=list)
    message: str = ""
    settings: PlanSettings = field(default_factory=PlanSettings)
    """Horizon and policy settings the plan was computed with (its credit terms among them)."""
    method: str = ""
    """How the LPs were solved: ``simplex``, ``ipm`` or ``pdlp``."""
    primal_infeasibility: float = float("nan")
    """Relative primal infeasibility of the returned plan, measured by planlab."""
    dual_infeasibility: float = float("nan")
    """Relative dual infeasibility of the reported shadow prices, measured by planlab."""
    solvers: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """The last solve's solver runs and how each ended (``Solution.solvers``): which of
    HiGHS's codes answered, and which lost a race. Metadata, as ``seconds``."""

    @property
    def feasible(self) -> bool:
        """Whether a plan meeting every constraint exists."""
        return self.status is Status.OPTIMAL

    def binding(self, tolerance: float = 1e-9) -> pd.DataFrame:
        """Constraints with a positive shadow price, the dearest first."""
        table = self.shadow_prices
        return table[table["shadow_price"].abs() > tolerance].sort_values(
            "shadow_price", ascending=False, key=np.abs
        )


def constraint_label(name: str, sector: object = "", year: object = 0) -> str:
    """A constraint's name with its sector and year, e.g. ``balance[coal, year 2]``."""
    where = [str(part) for part in (sector, f"year {year}" if year else "") if part]
    return f"{name}[{', '.join(where)}]" if where else name


def solution_tables(model: PlanModel, solution: Solution) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The plan per sector and year, and the per-year totals of labour and foreign exchange."""
    lp, e = model.lp, model.economy
    values = {name: lp.value(solution, model.variables[name]) for name in SECTOR_VARIABLES}
    sectors = family_frame(model, values, SECTOR_VARIABLES)
    with np.errstate(divide="ignore", invalid="ignore"):
        sectors["utilisation"] = np.where(
            sectors["capacity"] > 0, sectors["gross_output"] / sectors["capacity"], np.nan
        )
    x = values["gross_output"]
    T = model.settings.years
    force = labour_force(e, T)
    credit = lp.value(solution, model.variables["credit"])
    if "debt" in model.variables:
        debt = lp.value(solution, model.variables["debt"])
    else:  # not serviced within the plan: the debt at the start plus the credit drawn before
        debt = model.settings.foreign_debt + np.r_[0.0, np.cumsum(credit)[:-1]]
    years = pd.DataFrame(
        {
            "year": model.years,
            "labour_used": e.labour @ x,
            "labour_force": force,
            "import_bill": e.vector("import_price") @ values["imports"],
            "export_earnings": e.vector("export_price") @ values["exports"],
            "credit": credit,
            "reserve_draw": lp.value(solution, model.variables["reserve_draw"]),
            "debt": debt,
            "debt_service": model.settings.debt_service_rate * (debt + credit),
            "consumption": values["consumption"].sum(axis=0),
            "investment": np.asarray(
                construction_work(e, T) @ values["new_capacity"].ravel(), dtype=float
            )
            .reshape(e.n, T)
            .sum(axis=0),
        }
    )
    return sectors, years


def shadow_price_table(model: PlanModel, solution: Solution) -> pd.DataFrame:
    """Shadow price and slack of every row of the constraint families."""
    frames = []
    for name in FAMILIES:
        block = model.constraints.get(name)
        if block is None or block.size == 0:
            continue
        index = block.index().to_frame(index=False)
        frame = pd.DataFrame(
            {
                "constraint": name,
                "sector": index.get("sector", ""),
                "year": index.get("year", 0),
                "shadow_price": model.lp.shadow(solution, block).ravel(),
                "slack": model.lp.slack(solution, block).ravel(),
            }
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def conflicts_table(model: PlanModel, solution: Solution) -> pd.DataFrame:
    """The rows and bounds of HiGHS's irreducible infeasible subsystem, labelled."""
    rows = []
    for kind, indices, label in (
        ("constraint", solution.iis_rows, model.lp.row_label),
        ("bound", solution.iis_columns, model.lp.column_label),
    ):
        for index in indices:
            family, where = label(index)
            rows.append(
                {
                    "kind": kind,
                    "name": family,
                    "sector": where.get("sector", ""),
                    "year": where.get("year", 0),
                }
            )
    return pd.DataFrame(rows, columns=["kind", "name", "sector", "year"])
