"""A small linear-programming layer over HiGHS: labelled blocks in, labelled duals out.

Variables and constraints are added in blocks (a family name plus coordinates,
such as sector x year), each constraint block from a sparse matrix per variable
block, in the manner of linopy. The whole model is assembled into one
column-wise sparse matrix and handed to HiGHS in one call; nothing loops over
sectors in Python. The solution carries primal values, row shadow prices,
reduced costs, the primal-dual gap and, for an infeasible model, HiGHS's
irreducible infeasible subsystem.

Shadow prices are reported in the economist's sense: the gain of the (maximised)
objective per unit by which a constraint is relaxed, so binding inequalities
have positive prices and slack ones zero.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp
from highspy._core import _Highs
from numpy.typing import ArrayLike, NDArray

from planlab.cores import available_memory, usable_cores
from planlab.errors import InputError, PlanlabError
from planlab.plan.first_order import solve_ortools
from planlab.plan.highs import REDUCED, HighsRun, Option, new_highs, pass_model, run_highs
from planlab.plan.race import racing
from planlab.plan.verify import Arrays, Quality, measure

__all__ = [
    "EXACT_UP_TO",
    "FIRST_ORDER_TOLERANCE",
    "METHODS",
    "ConstraintBlock",
    "LinearProgram",
    "MemoryShortError",
    "Solution",
    "Status",
    "VariableBlock",
    "check_method",
]

FloatArray = NDArray[np.float64]
Coords = Mapping[str, Sequence[Any]]
_Point = tuple[FloatArray, FloatArray]
"""Primal values and row duals of the scaled, minimised arrays: where a first-order run starts."""
_Answer = tuple[FloatArray, FloatArray, Quality]
"""Primal values and row duals of the solved (scaled, minimised) arrays, with their measures."""
INF = np.inf
_INT32_MAX = int(np.iinfo(np.int32).max)
"""Row and column positions are stored in 32 bits up to this size."""
_DUAL_TOL = 1e-9
"""Duals of an exact solve below this are rounding, reported as zero."""
TIGHTENINGS = 2
"""How many times OR-Tools' PDLP is repeated, from its last answer, with a tighter
tolerance when planlab's own measures miss the tolerance asked for."""
TIGHTENING_FACTOR = 10.0
"""A repetition asks the solver for at most this many times the accuracy of the last run."""
TIGHTENING_MARGIN = 2.0
"""A repetition asks for this many times the factor by which the last run missed
(assumption: a margin against a miss that PDLP's restarts make uneven), and at least
this factor: tighter than needed costs iterations."""
METHODS = ("auto", "simplex", "ipm", "pdlp", "pdlp-ortools")
"""How an LP is solved: ``auto`` picks by size; the others force HiGHS's dual simplex,
its interior-point method (with crossover, so duals are exact), its first-order
primal-dual hybrid gradient (PDLP), or OR-Tools' PDLP."""
HIGHS_FIRST_ORDER = "hipdlp"
"""HiGHS's solver behind ``method="pdlp"`` up to ``LARGE_ABOVE`` columns: its own
PDLP (``hipdlp``), not the bundled cuPDLP-C (``pdlp``). Measured on the benchmark's 10^4
x 5 plan at 1e-4 (docs/performance.md): 2,600 iterations and 12.5 s of CPU against 3,280
and 18.7 s, both accepted by planlab's measures in one run. It ignores a start. An answer
it calls optimal that planlab's measures do not accept (its own measure is taken on its
presolved, rescaled LP) goes on in OR-Tools' PDLP, which starts from it."""
HIGHS_FALLBACK = "pdlp"
"""HiGHS's solver for an LP on which ``HIGHS_FIRST_ORDER`` (or above ``LARGE_ABOVE``
columns ``HIGHS_LARGE``) did not converge within ``PDLP_ITERATIONS``: the bundled
cuPDLP-C, from scratch (HiGHS returns no point when it stops at a limit); from
``RACE_FROM`` columns up to ``LARGE_ABOVE``, raced beside ``HIGHS_FIRST_ORDER``. On a
tempo check's disproportions LP at 10^4 (seed 3), where ``hipdlp``'s primal weight swung
between 1e-6 and 200 for 40,000 iterations without converging, cuPDLP-C's answer was
accepted after 5,080 iterations (31 s of CPU) and OR-Tools' PDLP took 91.5 s; where both
HiGHS codes converge, cuPDLP-C took 1.5-2.8 times ``hipdlp``'s CPU (docs/performance.md,
"Sixth round")."""
HIGHS_LARGE = "hipdlp-l2"
"""HiGHS's PDLP code tried first above ``LARGE_ABOVE`` columns: ``hipdlp`` with Ruiz and
L2 scaling and without Pock-Chambolle's (HiGHS's ``pdlp_scaling_mode`` ``RUIZ_L2``), then
cuPDLP-C (``HIGHS_FALLBACK``). Measured on the benchmark's 10^5 x 5 plans
(docs/performance.md, "Seventh round"): on seed 1 its answer was accepted after 3,880
iterations and 254 s of CPU, cuPDLP-C's after 4,680 and 369 s, ``hipdlp``'s with its
default scaling after 24,040 and 1,295-1,355 s (its primal weight swinging). At 10^4 it
is no better than the default on the tempo check's LPs (slower on five of eight, no
convergence on one), so it is not used there."""
RUIZ_L2 = 3
"""HiGHS's ``pdlp_scaling_mode`` for Ruiz (1) and L2 (2) scaling, without
Pock-Chambolle's (4); HiGHS's default is 5."""
LARGE_ABOVE = 1_000_000
"""Above this many columns HiGHS's PDLPs are tried as ``HIGHS_LARGE`` then cuPDLP-C,
not ``hipdlp`` then cuPDLP-C. Measured on the benchmark's plan (docs/performance.md,
"Sixth round" and "Seventh round"): at 4.1 million columns (10^5 products x 5 years)
``hipdlp`` with its default scaling took 24,040 iterations, cuPDLP-C 4,680 and
``HIGHS_LARGE`` 3,880; at 0.41 million (10^4 x 5) ``hipdlp`` took 1.5 to 2.8 times less
CPU than cuPDLP-C on three of four economies. Where between the two sizes the order
should turn was not measured: one million is an assumption."""
HIGHS_REDUCED = "pdlp-reduced"
"""HiGHS's PDLP code where HiGHS's presolve would not fit in the memory available
(``PRESOLVE_BYTES_PER_NONZERO``): cuPDLP-C on planlab's own reduction of the LP
(``planlab.plan.reduction``) with HiGHS's presolve off, then OR-Tools' PDLP if it stalls.
Measured on the benchmark's plans (docs/performance.md, "Eighth round"): at 10^4 x 5 its
answer was accepted on all four economies after 2,640-4,360 iterations (11.0-18.8 s),
against 3,280 iterations and 18.2 s for cuPDLP-C after HiGHS's presolve (seed 1); on the
same reduced LP ``hipdlp`` did not converge in 40,000 iterations (seed 1), and
``hipdlp-l2``, faster on three economies, missed planlab's measures on the fourth and
had not finished the 10^5 plan after 13 minutes. At 10^5 x 5 it took 5,840 iterations and
347 s (peak 2.7 GB), against 254 s for ``HIGHS_LARGE`` after HiGHS's presolve, which is
why it is kept for where that presolve cannot run."""
_CODES: Mapping[str, Mapping[str, Option]] = MappingProxyType(
    {
        HIGHS_FIRST_ORDER: MappingProxyType({"solver": "hipdlp"}),
        HIGHS_LARGE: MappingProxyType({"solver": "hipdlp", "pdlp_scaling_mode": RUIZ_L2}),
        HIGHS_FALLBACK: MappingProxyType({"solver": "pdlp"}),
        HIGHS_REDUCED: MappingProxyType({"solver": "pdlp", REDUCED: True}),
    }
)
"""HiGHS's PDLP codes by the name a solution gives them: HiGHS's solver and options."""
PRESOLVE_BYTES_PER_NONZERO = 110.0
"""Memory HiGHS's presolve takes per nonzero of the LP, beyond what is resident before it
(bytes). Measured by ``benchmarks/plan_limits.py`` on the benchmark's plans: 97-104 at
300 and 3,000 products, 90.1 at 10^4 and 107.9 at 10^5 (docs/performance.md, "Eighth
round"), whichever of its rules are switched off; rounded up. At 10^6 products (195
million nonzeros) that is about 21 GB, so HiGHS's presolve ran out of memory there."""
REDUCED_BYTES_PER_NONZERO = 80.0
"""Memory HiGHS and cuPDLP-C take, handed planlab's reduction (``HIGHS_REDUCED``), per
nonzero of the whole LP beyond what is resident (bytes). Measured on the benchmark's plans
(docs/performance.md, "Eighth round"): 72 at 10^5 (the process's peak), and at least 79
at 10^6 (24.3 GB resident before the first iteration, when the run was stopped). Below
it a solve is refused (``MemoryShortError``)."""
PDLP_ITERATIONS = 40_000
"""Iterations each of HiGHS's PDLPs may take before planlab goes on to the next solver
(``HIGHS_FALLBACK``, then OR-Tools' PDLP afresh). Assumption, from the benchmarks
(docs/performance.md, "Sixth round"): the most an accepted ``hipdlp`` solve took was
24,040 iterations (the 10^5 x 5 plan), 1.7 times fewer."""
RACE_FROM = 100_000
"""From this many columns up to ``LARGE_ABOVE``, HiGHS's two PDLPs race in two
processes where two cores are usable (``LinearProgram.solve``'s ``race``). Measured on
the benchmark's plans (docs/performance.md, "Seventh round"): at 0.41 million columns
(10^4 products x 5 years) ``hipdlp`` solved three economies of four in 11-13 s and did not
converge on the fourth (157 s before cuPDLP-C answered in turn; 22.6 s raced), and where
``hipdlp`` wins a race takes 1.03-1.24 times its solve in turn (the interpreters' start
and cuPDLP-C beside it on the memory bus); at 123,020 columns (3,000 products) it cost 0.6-0.8
s on solves of 2.0-3.4 s, and a stall there would waste 40,000 iterations of about 1 ms.
Below, a solve takes a second or so and starting two interpreters would cost most of it:
the threshold itself is an assumption between the two sizes."""
FIRST_ORDER = ("pdlp", "pdlp-ortools")
"""The first-order methods: approximate answers, solved in the blocks' units."""
EXACT_UP_TO = 6_000
"""``auto`` solves models with at most this many columns exactly (simplex), and
larger ones with PDLP. Measured on the benchmark's plan LPs (10-30 inputs per
product, 2.0x targets; docs/performance.md): the simplex took 0.1 s at 4,120
columns (100 products x 5 years), 1.4 s at 6,580 and 26 s at 12,320, where PDLP
took 0.2-0.3 s. Below the threshold exact duals and conflicts (IIS) come cheap."""
FIRST_ORDER_TOLERANCE = 1e-4
"""Relative primal infeasibility, dual infeasibility and gap to which PDLP solves
(HiGHS's ``kkt_tolerance``) and against which planlab checks its answer: the
tolerance of the published large planning computations and of the benchmarks."""
_GAVE_UP = (highspy.HighsModelStatus.kIterationLimit, highspy.HighsModelStatus.kSolveError)
"""HiGHS's statuses of a run that leaves the LP to the next solver: its iteration limit
(it did not converge), or a failure (in a racer: a process that died without an answer)."""
_IIS_STRATEGY = (
    2 | 4 if hasattr(getattr(highspy, "IisStrategy", None), "kIisStrategyIrreducible") else 2
)
"""HiGHS's IIS strategy. Since HiGHS made it a bit mask, 2 alone only solves the
elastic LP, whose subsystem may keep rows that take no part in the conflict; 4
reduces that subsystem to an irreducible one. Older HiGHS, without the bit mask,
keeps 2 (its strategy "from the LP")."""


class MemoryShortError(PlanlabError):
    """An LP too large for the memory available to any of planlab's solvers."""


class Status(Enum):
    """Outcome of a solve."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    OTHER = "other"


@dataclass(frozen=True)
class VariableBlock:
    """A family of variables laid out over coordinates (e.g. sector x year)."""

    name: str
    coords: dict[str, tuple[Any, ...]]
    offset: int

    @property
    def shape(self) -> tuple[int, ...]:
        """Sizes of the coordinates, in order."""
        return tuple(len(v) for v in self.coords.values())

    @property
    def size(self) -> int:
        """Number of variables in the block."""
        return int(np.prod(self.shape, dtype=np.int64)) if self.coords else 1

    def index(self) -> pd.MultiIndex | pd.Index:
        """Labels of the block's variables, in storage order."""
        return _labels(self.coords)


@dataclass(frozen=True)
class ConstraintBlock:
    """A family of rows laid out over coordinates."""

    name: str
    coords: dict[str, tuple[Any, ...]]
    offset: int
    size: int
    sense: str

    def index(self) -> pd.MultiIndex | pd.Index:
        """Labels of the block's rows, in storage order."""
        return _labels(self.coords)


def _labels(coords: Mapping[str, Sequence[Any]]) -> pd.MultiIndex | pd.Index:
    if not coords:
        return pd.Index([0], name="_")
    if len(coords) == 1:
        ((name, values),) = coords.items()
        single: pd.Index = pd.Index(list(values), name=name)
        return single
    index: pd.MultiIndex = pd.MultiIndex.from_product(
        [list(v) for v in coords.values()], names=list(coords)
    )
    return index


@dataclass
class Solution:
    """Primal and dual values of a solved LP, with status and timing."""

    status: Status
    objective: float
    values: FloatArray
    row_activity: FloatArray
    shadow_prices: FloatArray
    reduced_costs: FloatArray
    dual_objective: float
    seconds: float
    iis_rows: list[int] = field(default_factory=list)
    iis_columns: list[int] = field(default_factory=list)
    method: str = ""
    """The method that solved it: ``simplex``, ``ipm`` or ``pdlp``."""
    primal_infeasibility: float = float("nan")
    """Relative, computed by planlab from the model and the answer (``plan.verify``)."""
    dual_infeasibility: float = float("nan")
    """Relative, computed by planlab from the model and the answer (``plan.verify``)."""
    gap: float = float("nan")
    """Relative primal-dual gap, computed by planlab; NaN without an optimum."""
    largest_violation: float = float("nan")
    """The largest single bound violation in the blocks' units (``Quality``), for reporting."""
    tolerance: float = 0.0
    """The relative accuracy the method was asked for (0 for the exact methods)."""
    solvers: tuple[tuple[str, str], ...] = ()
    """Each solver run in the order it ended, with how it ended: HiGHS's ``simplex``,
    ``ipm``, ``hipdlp`` or ``pdlp`` (cuPDLP-C), or ``ortools``; ``optimal``, ``iteration
    limit``, ``time limit``, ``infeasible``..., or ``stopped`` for a racer stopped when
    another won (``planlab.plan.race``). The answer is that of the last one not stopped."""

    @property
    def runs(self) -> int:
        """How many times a solver ran (a first-order solve repeated tighter counts each
        run, a racer stopped too)."""
        return len(self.solvers)


class LinearProgram:
    """Build and solve an LP from labelled blocks; maximise or minimise a linear objective."""

    def __init__(self, sense: str = "max") -> None:
        if sense not in ("max", "min"):
            raise ValueError("sense is 'max' or 'min'")
        self.sense = sense
        self.variables: dict[str, VariableBlock] = {}
        self.constraints: dict[str, ConstraintBlock] = {}
        self._lower: list[FloatArray] = []
        self._upper: list[FloatArray] = []
        self._cost: dict[str, FloatArray] = {}
        self._rows: list[NDArray[np.signedinteger[Any]]] = []
        self._cols: list[NDArray[np.signedinteger[Any]]] = []
        self._vals: list[FloatArray] = []
        self._row_lower: list[FloatArray] = []
        self._row_upper: list[FloatArray] = []
        self._col_scale: list[FloatArray] = []
        self._row_scale: list[FloatArray] = []
        self.num_columns = 0
        self.num_rows = 0
        self._arrays: Arrays | None = None
        self._scaled = False
        self._matrix: sp.csc_array | None = None
        """The assembled matrix of ``arrays`` (scaled or not as ``_scaled``): bounds and
        costs change without assembling it again."""

    # --- building -------------------------------------------------------

    def add_variables(
        self,
        name: str,
        coords: Coords | None = None,
        lower: ArrayLike = 0.0,
        upper: ArrayLike = INF,
        scale: ArrayLike = 1.0,
    ) -> VariableBlock:
        """A block of variables with bounds broadcast over its coordinates.

        ``scale`` is each variable's typical size (its unit for a first-order solve,
        which works on ``value / scale``); it changes how the LP is solved, not its answer.
        """
        self._arrays = self._matrix = None
        if name in self.variables:
            raise ValueError(f"variable block {name!r} exists")
        block = VariableBlock(
            name, {k: tuple(v) for k, v in (coords or {}).items()}, self.num_columns
        )
        shape = block.shape or (1,)
        self._lower.append(np.broadcast_to(np.asarray(lower, dtype=float), shape).ravel().copy())
        self._upper.append(np.broadcast_to(np.asarray(upper, dtype=float), shape).ravel().copy())
        self._col_scale.append(_scale(name, scale, shape))
        self.variables[name] = block
        self.num_columns += block.size
        return block

    def set_bounds(
        self, block: VariableBlock, lower: ArrayLike | None = None, upper: ArrayLike | None = None
    ) -> None:
        """Change a block's bounds (broadcast over its coordinates)."""
        self._arrays = None
        position = list(self.variables).index(block.name)
        shape = block.shape or (1,)
        if lower is not None:
            self._lower[position] = np.broadcast_to(np.asarray(lower, float), shape).ravel().copy()
        if upper is not None:
            self._upper[position] = np.broadcast_to(np.asarray(upper, float), shape).ravel().copy()

    def add_constraints(
        self,
        name: str,
        coords: Coords | None,
        terms: Sequence[tuple[VariableBlock, sp.sparray | sp.spmatrix | ArrayLike]],
        sense: str,
        rhs: ArrayLike,
        scale: ArrayLike = 1.0,
    ) -> ConstraintBlock:
        """Rows ``sum_k M_k @ var_k (sense) rhs``; each M_k is rows x block size.

        ``scale`` is each row's typical size: a first-order solve divides the row by it.
        """
        self._arrays = self._matrix = None
        if name in self.constraints:
            raise ValueError(f"constraint block {name!r} exists")
        if sense not in ("<=", ">=", "=="):
            raise ValueError("sense is '<=', '>=' or '=='")
        coords_t = {k: tuple(v) for k, v in (coords or {}).items()}
        size = int(np.prod([len(v) for v in coords_t.values()], dtype=np.int64)) if coords_t else 1
        for block, matrix in terms:
            coo = sp.coo_array(matrix if sp.issparse(matrix) else np.asarray(matrix, dtype=float))
            if coo.shape != (size, block.size):
                raise ValueError(
                    f"{name}: term for {block.name} has shape {coo.shape}, "
                    f"expected {(size, block.size)}"
                )
            # 32-bit positions while they fit: a third less memory at national scale.
            fits = max(self.num_rows + size, self.num_columns) <= _INT32_MAX
            index = np.dtype(np.int32 if fits else np.int64)
            rows = coo.row.astype(index)
            rows += self.num_rows
            cols = coo.col.astype(index)
            cols += block.offset
            self._rows.append(rows)
            self._cols.append(cols)
            self._vals.append(coo.data.astype(float, copy=False))
        bound = np.broadcast_to(np.asarray(rhs, dtype=float), (size,)).copy()
        lower = bound if sense in (">=", "==") else np.full(size, -INF)
        upper = bound if sense in ("<=", "==") else np.full(size, INF)
        self._row_lower.append(lower)
        self._row_upper.append(upper)
        self._row_scale.append(_scale(name, scale, (size,)))
        block_c = ConstraintBlock(name, coords_t, self.num_rows, size, sense)
        self.constraints[name] = block_c
        self.num_rows += size
        return block_c

    def set_objective(self, terms: Mapping[str, ArrayLike], sense: str | None = None) -> None:
        """Objective coefficients per variable block (other blocks cost nothing)."""
        self._arrays = None
        if sense is not None:
            if sense not in ("max", "min"):
                raise ValueError("sense is 'max' or 'min'")
            self.sense = sense
        self._cost = {}
        for name, coefficients in terms.items():
            block = self.variables[name]
            self._cost[name] = np.broadcast_to(
                np.asarray(coefficients, dtype=float), (block.size,)
            ).copy()

    # --- assembled arrays ---------------------------------------------

    def matrix(self) -> sp.csc_array:
        """The constraint matrix, rows x columns."""
        rows = np.concatenate(self._rows) if self._rows else np.zeros(0, np.int64)
        cols = np.concatenate(self._cols) if self._cols else np.zeros(0, np.int64)
        vals = np.concatenate(self._vals) if self._vals else np.zeros(0)
        return sp.csc_array((vals, (rows, cols)), shape=(self.num_rows, self.num_columns))

    def bounds(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Column lower, column upper, row lower and row upper bounds."""
        return (
            np.concatenate(self._lower) if self._lower else np.zeros(0),
            np.concatenate(self._upper) if self._upper else np.zeros(0),
            np.concatenate(self._row_lower) if self._row_lower else np.zeros(0),
            np.concatenate(self._row_upper) if self._row_upper else np.zeros(0),
        )

    def scales(self) -> tuple[FloatArray, FloatArray]:
        """Each column's and each row's typical size, as declared with its block."""
        return (
            np.concatenate(self._col_scale) if self._col_scale else np.zeros(0),
            np.concatenate(self._row_scale) if self._row_scale else np.zeros(0),
        )

    def arrays(self, scaled: bool = False) -> Arrays:
        """The model as arrays in minimising form (a maximised cost is negated).

        ``scaled``: in the units of the blocks' scales (column j divided by its
        scale, row i by its own), the form a first-order method solves and is
        measured in, so that its relative accuracy holds for small branches as for
        large ones. Assembled once, straight from the blocks' coordinate triplets,
        and kept until the model changes, so that assembly can be timed apart from
        the solve and a re-solve does not assemble again.
        """
        if self._matrix is None or self._scaled != scaled:
            self._arrays = self._matrix = None  # the other form goes before this one is built
            rows = np.concatenate(self._rows) if self._rows else np.zeros(0, np.int64)
            cols = np.concatenate(self._cols) if self._cols else np.zeros(0, np.int64)
            vals = np.concatenate(self._vals) if self._vals else np.zeros(0)
            if scaled:
                col_scale, row_scale = self.scales()
                vals *= col_scale[cols]
                vals /= row_scale[rows]
            shape = (self.num_rows, self.num_columns)
            self._matrix = sp.csc_array((vals, (rows, cols)), shape=shape)
            self._scaled = scaled
        if self._arrays is None:
            sign = -1.0 if self.sense == "max" else 1.0
            col_lower, col_upper, row_lower, row_upper = self.bounds()
            cost = sign * self.cost()
            if scaled:
                col_scale, row_scale = self.scales()
                cost *= col_scale
                col_lower, col_upper = col_lower / col_scale, col_upper / col_scale
                row_lower, row_upper = row_lower / row_scale, row_upper / row_scale
            self._arrays = Arrays(self._matrix, cost, col_lower, col_upper, row_lower, row_upper)
        return self._arrays

    def cost(self) -> FloatArray:
        """Objective coefficients of every column, in the model's own sense."""
        c = np.zeros(self.num_columns)
        for name, coefficients in self._cost.items():
            block = self.variables[name]
            c[block.offset : block.offset + block.size] = coefficients
        return c

    # --- solving ----------------------------------------------------------

    def choose(self, method: str = "auto") -> str:
        """The method a solve uses: ``method`` itself, or for ``auto`` one chosen by size."""
        check_method(method)
        if method != "auto":
            return method
        return "simplex" if self.num_columns <= EXACT_UP_TO else "pdlp"

    def solve(
        self,
        *,
        time_limit: float | None = None,
        find_iis: bool = True,
        method: str = "auto",
        tolerance: float = FIRST_ORDER_TOLERANCE,
        start: Solution | None = None,
        margin: float = 1.0,
        race: bool | None = None,
    ) -> Solution:
        """Solve; an infeasible model returns its IIS instead of raising.

        ``method`` is one of ``METHODS``; ``tolerance`` is the relative accuracy a
        first-order solve is asked for and checked against. Every optimal answer
        carries its primal and dual infeasibility and gap, measured by planlab.
        ``start``, an earlier solution of a model of the same shape, is where OR-Tools'
        PDLP begins (HiGHS's methods start afresh). With ``pdlp`` an answer that HiGHS
        calls optimal and planlab's measures do not accept is taken on by OR-Tools' PDLP
        from that answer (``Solution.solvers`` lists every solver's runs); an LP on which
        HiGHS's PDLP spends ``PDLP_ITERATIONS`` without converging goes to cuPDLP-C
        (``HIGHS_FALLBACK``) and then to OR-Tools' PDLP, each from scratch, within what is
        left of ``time_limit``. ``margin``: HiGHS's
        PDLP is asked for ``tolerance / margin`` by its own measure (taken on its presolved,
        rescaled LP), and its answer is still accepted at ``tolerance`` by planlab's.
        ``race``: run HiGHS's two PDLPs at once, each in a process of its own, and keep the
        first to converge; by default where the process may use two cores and the LP has
        between ``RACE_FROM`` and ``LARGE_ABOVE`` columns. Where HiGHS's presolve would not
        fit in the memory available (``PRESOLVE_BYTES_PER_NONZERO``), ``pdlp`` hands
        cuPDLP-C planlab's own reduction of the LP instead (``HIGHS_REDUCED``).
        """
        if not margin >= 1.0:
            raise ValueError("margin is at least 1")
        began = time.perf_counter()
        chosen = self.choose(method)
        sign = -1.0 if self.sense == "max" else 1.0
        # A first-order method works in the blocks' units; exact methods on the model as given.
        scaled = chosen in FIRST_ORDER
        arrays = self.arrays(scaled)
        accuracy = float(tolerance) if scaled else 0.0
        point = None if start is None or chosen != "pdlp-ortools" else self._scaled_point(start)
        highs: _Highs | None = None
        tried: list[tuple[str, str]] = []
        if chosen == "pdlp-ortools":
            status, answer = self._run_ortools(arrays, accuracy, time_limit, point, tried)
        else:
            asked = accuracy / margin
            solvers = (
                _highs_pdlps(arrays.matrix.shape[1], arrays.matrix.nnz)
                if chosen == "pdlp"
                else (chosen,)
            )
            if chosen == "pdlp" and len(solvers) > 1 and _races(race, arrays.matrix.shape[1]):
                # HiGHS's two PDLPs at once, each in a process of its own; the first to
                # converge wins and the other is stopped.
                deadline = None if time_limit is None else began + time_limit
                status, answer, stalled = self._race_highs(arrays, asked, deadline, solvers, tried)
            else:
                # HiGHS's two PDLPs in turn, the second only if the first did not converge.
                stalled = True
                for solver in solvers:
                    highs, ended, status, answer = self._run_highs(
                        arrays, chosen, asked, _left(time_limit, began), solver
                    )
                    tried.append((solver, _ended_as(ended)))
                    stalled = ended in _GAVE_UP
                    if not stalled:
                        break
            if chosen == "pdlp" and stalled:
                # Neither converged within its budget: OR-Tools' PDLP solves afresh.
                highs = None
                status, answer = self._run_ortools(
                    arrays, accuracy, _left(time_limit, began), None, tried
                )
            elif chosen == "pdlp" and status is Status.OPTIMAL and answer is not None:
                if not answer[2].within(accuracy):
                    # HiGHS judges its answer by its own measures; planlab's decide. OR-Tools'
                    # PDLP (planlab's criterion) goes on from HiGHS's answer.
                    highs = None
                    status, answer = self._run_ortools(
                        arrays, accuracy, time_limit, (answer[0], answer[1]), tried
                    )
            elif status is Status.OTHER and answer is not None and answer[2].within(accuracy):
                status = Status.OPTIMAL
        if status is not Status.OPTIMAL or answer is None:
            return self._without_answer(
                status,
                highs,
                arrays,
                find_iis,
                chosen,
                accuracy,
                tuple(tried),
                time.perf_counter() - began,
            )
        values, row_dual, quality = answer
        activity = np.asarray(arrays.matrix @ values, dtype=float)
        col_dual = arrays.cost - arrays.matrix.T @ row_dual
        if scaled:  # back to the model's own units
            col_scale, row_scale = self.scales()
            values, col_dual = values * col_scale, col_dual / col_scale
            activity, row_dual = activity * row_scale, row_dual / row_scale
        zero = _DUAL_TOL if not scaled else 0.0
        row_dual = np.where(np.abs(row_dual) <= zero, 0.0, row_dual)
        col_dual = np.where(np.abs(col_dual) <= zero, 0.0, col_dual)
        # The solvers minimise sign*c with d(min)/d(active bound) = dual. The improvement of
        # the objective per unit of relaxation is then +dual for a >= row and -dual for
        # a <= row, in either sense; for an equality, per unit increase of its right side.
        shadow = np.where(self._row_is_lower_bounded(), row_dual, -row_dual)
        return Solution(
            status=status,
            objective=sign * quality.primal_objective,
            values=values,
            row_activity=activity,
            shadow_prices=shadow + 0.0,
            reduced_costs=-col_dual + 0.0,
            dual_objective=sign * quality.dual_objective,
            seconds=time.perf_counter() - began,
            method=chosen,
            primal_infeasibility=quality.primal_infeasibility,
            dual_infeasibility=quality.dual_infeasibility,
            gap=quality.gap,
            largest_violation=quality.largest_violation,
            tolerance=accuracy,
            solvers=tuple(tried),
        )

    def _run_highs(
        self,
        arrays: Arrays,
        chosen: str,
        accuracy: float,
        time_limit: float | None,
        solver: str,
    ) -> tuple[_Highs | None, highspy.HighsModelStatus, Status, _Answer | None]:
        """One HiGHS solve for the method ``chosen`` by HiGHS's ``solver``; for ``pdlp`` a
        PDLP from scratch, asked for ``accuracy`` by its own criterion. Returns HiGHS's
        instance (None if it solved planlab's reduction) and how the run ended, with the
        outcome."""
        highs, run = run_highs(arrays, _highs_options(chosen, accuracy, time_limit, solver))
        status, answer = self._outcome(run, chosen, arrays, self._units(chosen))
        return highs, run.status, status, answer

    def _race_highs(
        self,
        arrays: Arrays,
        accuracy: float,
        deadline: float | None,
        solvers: Sequence[str],
        tried: list[tuple[str, str]],
    ) -> tuple[Status, _Answer | None, bool]:
        """HiGHS's PDLPs ``solvers`` raced, each given what is left until ``deadline`` (a
        ``time.perf_counter`` reading) when it starts: the first run that does not give up
        (``_GAVE_UP``) decides, as the first to do so would in turn. Also returns whether
        every one gave up; ``tried`` gets each run and each racer stopped."""
        options = [(s, _highs_options("pdlp", accuracy, None, s)) for s in solvers]
        status, answer, stalled = Status.OTHER, None, True
        with racing(arrays, options, deadline) as race:
            for solver, run in race:
                tried.append((solver, _ended_as(run.status)))
                if run.status not in _GAVE_UP:
                    status, answer = self._outcome(run, "pdlp", arrays, None)
                    stalled = False
                    break
        tried.extend((solver, "stopped") for solver in race.stopped)
        return status, answer, stalled

    def _run_ortools(
        self,
        arrays: Arrays,
        accuracy: float,
        time_limit: float | None,
        point: _Point | None,
        tried: list[tuple[str, str]],
    ) -> tuple[Status, _Answer | None]:
        """OR-Tools' PDLP from ``point``; repeated tighter, from its own answer, if planlab's
        measures miss (its criterion is planlab's, so this is rare). ``tried`` gets each run."""
        asked = accuracy
        runs = 0
        while True:
            runs += 1
            found = solve_ortools(arrays, asked, time_limit, point)
            tried.append(("ortools", found.verdict.replace("_", " ")))
            status = {
                "optimal": Status.OPTIMAL,
                "infeasible": Status.INFEASIBLE,
                "unbounded": Status.UNBOUNDED,
            }.get(found.verdict, Status.OTHER)
            if found.verdict == "infeasible_or_unbounded":
                status = self._unbounded_or_infeasible("pdlp-ortools")
            if found.values is None or found.row_duals is None:
                return status, None
            quality = measure(arrays, found.values, found.row_duals)
            answer = (found.values, found.row_duals, quality)
            if status in (Status.OPTIMAL, Status.OTHER) and answer[2].within(accuracy):
                return Status.OPTIMAL, answer
            if status is not Status.OPTIMAL or runs > TIGHTENINGS:
                return (Status.OTHER if status is Status.OPTIMAL else status), None
            point = (found.values, found.row_duals)
            asked /= _tightening(quality, accuracy)

    def _scaled_point(self, solution: Solution) -> _Point:
        """An earlier solution as a primal-dual point of the scaled, minimised model."""
        col_scale, row_scale = self.scales()
        if solution.values.size != col_scale.size or solution.shadow_prices.size != row_scale.size:
            raise ValueError("a start is a solution of a model of the same shape")
        row_dual = np.where(
            self._row_is_lower_bounded(), solution.shadow_prices, -solution.shadow_prices
        )
        values = np.nan_to_num(solution.values / col_scale)
        return values, np.nan_to_num(row_dual * row_scale)

    def _without_answer(
        self,
        status: Status,
        highs: _Highs | None,
        arrays: Arrays,
        find_iis: bool,
        chosen: str,
        accuracy: float,
        solvers: tuple[tuple[str, str], ...],
        seconds: float,
    ) -> Solution:
        """The solution of a model with no optimum: NaN values, the IIS if infeasible."""
        iis_rows: list[int] = []
        iis_cols: list[int] = []
        if status is Status.INFEASIBLE and find_iis:
            if highs is None:
                highs = new_highs()
                pass_model(highs, arrays)
            highs.setOptionValue("iis_strategy", _IIS_STRATEGY)
            found, iis = highs.getIis()
            if found != highspy.HighsStatus.kError and iis.valid_:
                iis_rows = [int(i) for i in iis.row_index_]
                iis_cols = [int(j) for j in iis.col_index_]
        n, m = self.num_columns, self.num_rows
        nan_n, nan_m = np.full(n, np.nan), np.full(m, np.nan)
        return Solution(
            status,
            float("nan"),
            nan_n,
            nan_m,
            nan_m,
            nan_n,
            float("nan"),
            seconds,
            iis_rows,
            iis_cols,
            method=chosen,
            tolerance=accuracy,
            solvers=solvers,
        )

    def _units(self, method: str) -> tuple[FloatArray, FloatArray] | None:
        """The scales that take an exact answer (in the model's own units) to the blocks'
        units, where every answer is measured; a first-order answer is in them already."""
        return None if method in FIRST_ORDER else self.scales()

    def _outcome(
        self,
        run: HighsRun,
        method: str,
        arrays: Arrays,
        units: tuple[FloatArray, FloatArray] | None,
    ) -> tuple[Status, _Answer | None]:
        """HiGHS's status, and any answer that has values and duals with planlab's measures."""
        status = {
            highspy.HighsModelStatus.kOptimal: Status.OPTIMAL,
            highspy.HighsModelStatus.kInfeasible: Status.INFEASIBLE,
            highspy.HighsModelStatus.kUnbounded: Status.UNBOUNDED,
        }.get(run.status, Status.OTHER)
        if run.status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
            status = self._unbounded_or_infeasible(method)
        if status not in (Status.OPTIMAL, Status.OTHER) or run.values is None or run.duals is None:
            return status, None
        return status, (run.values, run.duals, measure(arrays, run.values, run.duals, units))

    def _row_is_lower_bounded(self) -> NDArray[np.bool_]:
        """Per row: whether its family's sense is ``>=``."""
        if not self.constraints:
            return np.zeros(0, dtype=bool)
        return np.repeat(
            [b.sense == ">=" for b in self.constraints.values()],
            [b.size for b in self.constraints.values()],
        )

    def _unbounded_or_infeasible(self, method: str) -> Status:
        """Tell unbounded from infeasible by solving with a zero objective."""
        saved, assembled, scaled = self._cost, self._arrays, self._scaled
        self._cost, self._arrays = {}, None
        try:
            probe = self.solve(find_iis=False, method=method)
        finally:
            self._cost, self._arrays, self._scaled = saved, assembled, scaled
        return Status.UNBOUNDED if probe.status is Status.OPTIMAL else Status.INFEASIBLE

    # --- reading a solution -------------------------------------------

    def value(self, solution: Solution, block: VariableBlock) -> FloatArray:
        """A block's values, shaped by its coordinates."""
        part = solution.values[block.offset : block.offset + block.size]
        return part.reshape(block.shape) if block.shape else part

    def shadow(self, solution: Solution, block: ConstraintBlock) -> FloatArray:
        """A constraint block's shadow prices, shaped by its coordinates."""
        part = solution.shadow_prices[block.offset : block.offset + block.size]
        shape = tuple(len(v) for v in block.coords.values())
        return part.reshape(shape) if shape else part

    def slack(self, solution: Solution, block: ConstraintBlock) -> FloatArray:
        """Distance of each row from its bound (0 where binding)."""
        sl = slice(block.offset, block.offset + block.size)
        position = list(self.constraints).index(block.name)
        lower, upper = self._row_lower[position], self._row_upper[position]
        activity = solution.row_activity[sl]
        if block.sense == ">=":
            result = activity - lower
        elif block.sense == "<=":
            result = upper - activity
        else:
            result = np.zeros(block.size)
        shape = tuple(len(v) for v in block.coords.values())
        return result.reshape(shape) if shape else result

    def row_label(self, row: int) -> tuple[str, dict[str, Any]]:
        """The family and coordinates of a row number."""
        for block in self.constraints.values():
            if block.offset <= row < block.offset + block.size:
                return block.name, _position(block.coords, row - block.offset)
        raise IndexError(row)

    def column_label(self, column: int) -> tuple[str, dict[str, Any]]:
        """The family and coordinates of a column number."""
        for block in self.variables.values():
            if block.offset <= column < block.offset + block.size:
                return block.name, _position(block.coords, column - block.offset)
        raise IndexError(column)


def _tightening(quality: Quality, accuracy: float) -> float:
    """How many times tighter the next run asks: the margin times the factor missed by."""
    missed = quality.worst / accuracy if accuracy > 0 else TIGHTENING_FACTOR
    return float(min(TIGHTENING_FACTOR, max(TIGHTENING_MARGIN, TIGHTENING_MARGIN * missed)))


def _scale(name: str, scale: ArrayLike, shape: tuple[int, ...]) -> FloatArray:
    """A block's scales broadcast to its shape; each must be positive and finite."""
    values = np.broadcast_to(np.asarray(scale, dtype=float), shape).ravel().copy()
    if not np.all(np.isfinite(values) & (values > 0)):
        raise ValueError(f"{name}: scales are positive and finite")
    return values


def _highs_pdlps(columns: int, nonzeros: int) -> tuple[str, ...]:
    """HiGHS's PDLP codes (``_CODES``) in the order they are tried on an LP of this many
    columns and nonzeros: ``HIGHS_REDUCED`` alone where HiGHS's presolve would not fit in
    the memory this process may still take (``PRESOLVE_BYTES_PER_NONZERO``); refused in
    one line (``MemoryShortError``) where that would not fit either, rather than the system
    killing the process, and any other it picks, minutes into the solve. Where the system
    does not say how much memory is left, the presolve is taken to fit."""
    available = available_memory()
    if available is not None and PRESOLVE_BYTES_PER_NONZERO * nonzeros > available:
        needed = REDUCED_BYTES_PER_NONZERO * nonzeros
        if needed > available:
            raise MemoryShortError(
                f"<plan>: field 'method': a first-order solve of this LP ({nonzeros:,} "
                f"nonzeros) needs about {needed / 1e9:.1f} GB and {available / 1e9:.1f} GB "
                f"are available (rule: about {REDUCED_BYTES_PER_NONZERO:.0f} bytes per "
                f"nonzero on planlab's reduction, {PRESOLVE_BYTES_PER_NONZERO:.0f} with "
                "HiGHS's presolve)"
            )
        return (HIGHS_REDUCED,)
    if columns > LARGE_ABOVE:
        return HIGHS_LARGE, HIGHS_FALLBACK
    return HIGHS_FIRST_ORDER, HIGHS_FALLBACK


def _races(race: bool | None, columns: int) -> bool:
    """Whether HiGHS's two PDLPs race on an LP of this many columns: as asked, or by default
    where two cores are free to run them and the size is one where either may be the faster."""
    if race is not None:
        return race
    return hasattr(os, "wait4") and usable_cores() >= 2 and RACE_FROM <= columns <= LARGE_ABOVE


def _highs_options(
    chosen: str, accuracy: float, time_limit: float | None, solver: str
) -> dict[str, Option]:
    """HiGHS's options for one solve by ``solver`` of the method ``chosen``."""
    options: dict[str, Option] = dict(_CODES.get(solver, {"solver": solver}))
    if chosen == "pdlp":
        options["kkt_tolerance"] = accuracy
        options["pdlp_iteration_limit"] = PDLP_ITERATIONS
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    return options


def _ended_as(status: highspy.HighsModelStatus) -> str:
    """HiGHS's model status in words: ``kIterationLimit`` as ``iteration limit``."""
    name = status.name.removeprefix("k")
    return re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def _left(time_limit: float | None, began: float) -> float | None:
    """What is left of a solve's time limit (None: no limit)."""
    return None if time_limit is None else max(0.0, time_limit - (time.perf_counter() - began))


def check_method(method: str) -> None:
    """Refuse a method that is not one of ``METHODS``, naming the rule."""
    if method not in METHODS:
        raise InputError.single("<plan>", "method", f"one of {', '.join(METHODS)}", repr(method))


def _position(coords: Mapping[str, Sequence[Any]], flat: int) -> dict[str, Any]:
    if not coords:
        return {}
    shape = tuple(len(v) for v in coords.values())
    where = np.unravel_index(flat, shape)
    return {k: v[int(i)] for (k, v), i in zip(coords.items(), where, strict=True)}
