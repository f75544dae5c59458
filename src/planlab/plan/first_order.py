"""OR-Tools' PDLP behind the plan LP: a first-order solve measured as planlab measures it.

OR-Tools states its relative optimality criterion in the Euclidean norm
(``OPTIMALITY_NORM_L2``), relative to the norms of the bounds and costs, which is
how ``planlab.plan.verify`` measures an answer (and how HiGHS's PDLP states its own).
It also starts from a given primal-dual point (a warm start), which the tempo check
uses between its LPs. Both run on the model in its blocks' units
(``LinearProgram.arrays(scaled=True)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray
from ortools.pdlp import solve_log_pb2, solvers_pb2
from ortools.pdlp.python import pdlp

from planlab.cores import usable_cores
from planlab.plan.verify import Arrays

__all__ = ["FirstOrderAnswer", "solve_ortools"]

FloatArray = NDArray[np.float64]

THREADS = min(2, usable_cores())
"""Threads for OR-Tools' PDLP: the project's machines have two cores."""

_REASONS = MappingProxyType(
    {
        solve_log_pb2.TERMINATION_REASON_OPTIMAL: "optimal",
        solve_log_pb2.TERMINATION_REASON_PRIMAL_INFEASIBLE: "infeasible",
        solve_log_pb2.TERMINATION_REASON_DUAL_INFEASIBLE: "unbounded",
        solve_log_pb2.TERMINATION_REASON_PRIMAL_OR_DUAL_INFEASIBLE: "infeasible_or_unbounded",
    }
)
"""OR-Tools' termination reasons as the plan's statuses name them."""


@dataclass(frozen=True)
class FirstOrderAnswer:
    """What the solver returned: its verdict and, if it has one, a primal-dual point."""

    verdict: str
    """``optimal``, ``infeasible``, ``unbounded``, ``infeasible_or_unbounded`` or ``other``
    (a limit or a failure)."""
    values: FloatArray | None
    row_duals: FloatArray | None
    iterations: int


def solve_ortools(
    arrays: Arrays,
    tolerance: float,
    time_limit: float | None = None,
    start: tuple[FloatArray, FloatArray] | None = None,
) -> FirstOrderAnswer:
    """Solve ``arrays`` (minimised) to the relative Euclidean ``tolerance``, from ``start``."""
    qp = pdlp.QuadraticProgram()
    qp.objective_vector = arrays.cost
    qp.constraint_matrix = arrays.matrix
    qp.constraint_lower_bounds = arrays.row_lower
    qp.constraint_upper_bounds = arrays.row_upper
    qp.variable_lower_bounds = arrays.col_lower
    qp.variable_upper_bounds = arrays.col_upper
    params = solvers_pb2.PrimalDualHybridGradientParams()
    params.num_threads = THREADS
    # Every reduced cost prices its bound in the dual objective, as planlab.plan.verify
    # prices it; OR-Tools' default counts some as residuals instead, and then calls
    # optimal a point whose gap planlab measures above the tolerance.
    params.handle_some_primal_gradients_on_finite_bounds_as_residuals = False
    criteria = params.termination_criteria
    criteria.optimality_norm = solvers_pb2.OPTIMALITY_NORM_L2
    criteria.simple_optimality_criteria.eps_optimal_relative = tolerance
    criteria.simple_optimality_criteria.eps_optimal_absolute = tolerance
    if time_limit is not None:
        criteria.time_sec_limit = float(time_limit)
    initial = None
    if start is not None:
        initial = pdlp.PrimalAndDualSolution()
        initial.primal_solution, initial.dual_solution = start
    result = pdlp.primal_dual_hybrid_gradient(qp, params, initial_solution=initial)
    log = result.solve_log
    verdict = _REASONS.get(log.termination_reason, "other")
    values = np.asarray(result.primal_solution, dtype=float)
    duals = np.asarray(result.dual_solution, dtype=float)
    usable = values.size == arrays.cost.size and np.all(np.isfinite(values))
    return FirstOrderAnswer(
        verdict,
        values if usable else None,
        duals if usable else None,
        int(log.iteration_count),
    )
