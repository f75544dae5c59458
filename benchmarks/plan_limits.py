"""Where the national-scale goals stop: HiGHS's presolve memory, and its PDLPs without it.

HiGHS's PDLPs are fast on the plan LP after HiGHS's presolve, and the presolve's
memory grows with the LP's nonzeros. This measures both on the benchmark's plan
(``plan_scaling.py``'s economy and targets), in the same run:

- ``presolve``: HiGHS's presolve alone: its seconds, its peak memory above what was
  resident once HiGHS held the LP (``presolve_bytes_per_nonzero``), and that rate
  carried to 10^6 products (``presolve_gb_at_1e6``, nonzeros growing with the
  products as they do in the generator);
- ``on``, ``off``, ``reduced``: each of HiGHS's PDLP codes (``--codes``, as
  ``LinearProgram.solve`` asks them) with HiGHS's presolve, without it, and without
  it on the LP a hand-written presolve of the plan's structure leaves
  (``planlab.plan.reduction``): iterations, seconds, how the run ended and whether planlab's
  measures accept its answer at the tolerance, with the iterations against those
  with presolve (``*_to_on_iterations``; a run stopped at ``--limit`` makes the ratio
  a lower bound).

Prints one JSON object.

    .venv/bin/python benchmarks/plan_limits.py --n 10000 --seed 1 --json
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from plan_scaling import economy_for, instance_arguments, load, plan_model, print_record

from planlab.plan.highs import new_highs, pass_model, run_highs
from planlab.plan.lp import (
    HIGHS_FALLBACK,
    HIGHS_FIRST_ORDER,
    HIGHS_LARGE,
    PDLP_ITERATIONS,
    _ended_as,
    _highs_options,
)
from planlab.plan.reduction import Reduction, reduce_lp
from planlab.plan.verify import Arrays, measure

ARMS = ("presolve", "on", "off", "reduced")
CODES = (HIGHS_FIRST_ORDER, HIGHS_LARGE, HIGHS_FALLBACK)
NATIONAL = 1_000_000
"""The products of the largest goal (issue 16: 10^6 x 5 in 16 GB)."""
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")
_RESET_PEAK = "5"
"""Written to ``/proc/self/clear_refs``, resets the process's peak resident memory (Linux
4.0 and later, ``proc(5)``), so that a step's own peak can be read."""


def _status_kb(field: str) -> float | None:
    """A memory figure of this process from ``/proc/self/status``, in kB (Linux only)."""
    if not _STATUS.exists():
        return None
    for line in _STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1])
    return None


def presolve_arm(arrays: Arrays, n: int) -> dict[str, Any]:
    """HiGHS's presolve of ``arrays`` alone: seconds, memory above the resident, sizes."""
    highs = new_highs()
    pass_model(highs, arrays)
    resettable = _CLEAR_REFS.exists()
    if resettable:
        _CLEAR_REFS.write_text(_RESET_PEAK)
    before = _status_kb("VmRSS")
    start = time.perf_counter()
    highs.presolve()
    seconds = time.perf_counter() - start
    peak = _status_kb("VmHWM") if resettable else None
    presolved = highs.getPresolvedLp()
    record: dict[str, Any] = {
        "presolve_s": round(seconds, 3),
        "presolved_rows": presolved.num_row_,
        "presolved_columns": presolved.num_col_,
        "presolved_nonzeros": int(presolved.a_matrix_.start_[-1]) if presolved.num_col_ else 0,
    }
    if peak is not None and before is not None:
        above = (peak - before) * 1024.0
        per_nonzero = above / max(arrays.matrix.nnz, 1)
        record["presolve_peak_mb_above"] = round(above / 2**20, 1)
        record["presolve_bytes_per_nonzero"] = round(per_nonzero, 1)
        record["presolve_gb_at_1e6"] = round(
            per_nonzero * arrays.matrix.nnz * NATIONAL / n / 1e9, 1
        )
    return record


def solve_arm(
    whole: Arrays,
    reduction: Reduction | None,
    code: str,
    presolve: bool,
    limit: int,
    tolerance: float,
) -> dict[str, Any]:
    """One PDLP code as ``LinearProgram.solve`` asks it, with or without HiGHS's presolve,
    on ``whole`` or on what ``reduction`` left of it; the answer measured on ``whole``."""
    options = _highs_options("pdlp", tolerance, None, code)
    options["pdlp_iteration_limit"] = limit
    if not presolve:
        options["presolve"] = "off"
    start = time.perf_counter()
    highs, run = run_highs(whole if reduction is None else reduction.arrays, options)
    seconds = time.perf_counter() - start
    record: dict[str, Any] = {
        "iterations": int(highs.getInfo().pdlp_iteration_count),
        "s": round(seconds, 3),
        "ended": _ended_as(run.status),
        "accepted": False,
    }
    if run.values is not None and run.duals is not None:
        values, duals = run.values, run.duals
        if reduction is not None:
            values, duals = reduction.expand(values, duals)
        quality = measure(whole, values, duals)
        record["accepted"] = quality.within(tolerance)
        record["worst"] = quality.worst
    return record


def measure_limits(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON record of the arms asked for."""
    economy = economy_for(args.n, args.seed)
    whole = plan_model(economy, args.years, args.target_factor).lp.arrays(True)
    record: dict[str, Any] = {
        "n": args.n,
        "years": args.years,
        "seed": args.seed,
        "rows": whole.matrix.shape[0],
        "columns": whole.matrix.shape[1],
        "nonzeros": int(whole.matrix.nnz),
        "tolerance": args.tolerance,
        "limit": args.limit,
        "load_before": load(),
    }
    if "presolve" in args.arms:
        record |= presolve_arm(whole, args.n)
    reduction = None
    if "reduced" in args.arms:
        start = time.perf_counter()
        reduction = reduce_lp(whole)
        record["reduce_s"] = round(time.perf_counter() - start, 3)
        record["reduced_rows"], record["reduced_columns"] = reduction.arrays.matrix.shape
        record["reduced_nonzeros"] = int(reduction.arrays.matrix.nnz)
    for code in args.codes:
        on = None
        for arm, reduced, presolve in (
            ("on", None, True),
            ("off", None, False),
            ("reduced", reduction, False),
        ):
            if arm not in args.arms:
                continue
            found = solve_arm(whole, reduced, code, presolve, args.limit, args.tolerance)
            record |= {f"{code}_{arm}_{key}": value for key, value in found.items()}
            if arm == "on":
                on = found["iterations"]
            elif on:
                record[f"{code}_{arm}_to_on_iterations"] = round(found["iterations"] / on, 2)
    record["load_after"] = load()
    return record


def main() -> None:
    """Parse the options, run the arms, print the JSON record (or a short line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    instance_arguments(parser)
    parser.add_argument(
        "--limit", type=int, default=PDLP_ITERATIONS, help="iterations a run may take"
    )
    parser.add_argument("--arms", nargs="+", choices=ARMS, default=list(ARMS))
    parser.add_argument(
        "--codes", nargs="+", choices=CODES, default=[HIGHS_FIRST_ORDER, HIGHS_FALLBACK]
    )
    args = parser.parse_args()
    if args.n < 1 or args.years < 1 or args.limit < 1:
        parser.error("--n, --years and --limit are at least 1")
    record = measure_limits(args)
    print_record(record, args.json)


if __name__ == "__main__":
    main()
