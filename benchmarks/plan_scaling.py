"""National-scale plans: assembly and solve of the plan LP on a synthetic economy.

Prints one JSON object: the size, the seconds to assemble the LP (``build_s``,
targets, families and the sparse matrix, apart from the solve) and to solve it
(``solve_s``), the peak memory of the process, and the answer's relative gap,
primal infeasibility and objective as planlab measures them, with the method
that ``auto`` (or ``--method``) chose. ``--highs`` adds HiGHS's exact solve
(interior point with crossover) of the same LP as the baseline: ``highs_s``,
``highs_objective`` and the ratio. ``--tempo K`` adds a tempo check (15 % a year
for the K largest branches, without the attainable growth) and its time against
the plan's solve, with the CPU seconds of its steps (``tempo_fraction_cpu_s``: the
fraction LP and its bottleneck report; ``tempo_disproportions_cpu_s``, each of its own
thread when the disproportions are solved beside the fraction, the default with two
cores; ``--tempo-sequential`` solves them one after the other). The plan is
the weighted one: every branch asked for ``--target-factor`` times its base-year
output in the final year. On a shared machine wall times follow the load: each timed
step also gives the CPU seconds of this process and of its ended child processes, the
racers of ``planlab.plan.race`` (``*_cpu_s``), and the record the load average before and
after; ``racer_peak_mb`` is the peak memory of the largest racer, ``solvers`` each run
and how it ended. ``--no-race`` solves the plan with HiGHS's two PDLPs in turn instead
of at once.

    .venv/bin/python benchmarks/plan_scaling.py --n 10000 --years 5 --seed 1 --json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np
from run import plannable

from planlab.economy import Economy, save
from planlab.plan import PlanSettings, Targets, check_tempo
from planlab.plan.build import _with_targets
from planlab.plan.formulation import PlanModel
from planlab.plan.lp import FIRST_ORDER, FIRST_ORDER_TOLERANCE, METHODS

INPUTS = (10, 30)
"""Inputs per product (inclusive range), as in large product-level tables (issue 16)."""
TAIL = 1.5
"""Pareto shape of final demand: output sizes spread over orders of magnitude (assumption)."""
CAPITAL_INPUTS = 3
"""Capital goods per branch (assumption)."""
LAGS = (1, 2)
"""Construction lags in years, drawn per branch (assumption)."""
TEMPO_GROWTH = 0.15
"""Yearly growth asked of the largest branches by ``--tempo`` (assumption: a forced tempo)."""
SOURCE = "assumption: synthetic benchmark economy (benchmarks/plan_scaling.py)"


def economy_for(n: int, seed: int) -> Economy:
    """The synthetic economy of the benchmark, with a source for every field it sets."""
    economy = plannable(n, seed, inputs=INPUTS, tail=TAIL, capital_inputs=CAPITAL_INPUTS, lags=LAGS)
    fields = ("A", "B", "gross_output", "labour", "consumption", "capacity", "depreciation")
    sources = {name: SOURCE for name in (*fields, "construction_lag", "scalars.labour_force")}
    return economy.replace(sources=sources, name=f"synthetic-{n}")


def plan_model(economy: Economy, years: int, target_factor: float) -> PlanModel:
    """The benchmark's plan LP: every branch asked for ``target_factor`` times its base-year
    output in the final year, fulfilment weighted alike and capped at the target."""
    targets = Targets(
        sectors=economy.names,
        years=(years,) * economy.n,
        levels=tuple(target_factor * economy.gross_output),
        weights=(1.0,) * economy.n,
    )
    return _with_targets(economy, PlanSettings(years=years), targets, "weighted", {}, cap=1.0)


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory so far, in MB (Linux reports kB): of this process, or with
    ``RUSAGE_CHILDREN`` of the largest of its ended child processes (the racers)."""
    return resource.getrusage(who).ru_maxrss / 1024.0


def cpu_time() -> float:
    """CPU seconds of this process and of its ended child processes (the racers, each of
    HiGHS's PDLPs in a process of its own, ``planlab.plan.race``)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def load() -> float:
    """The machine's load average over the last minute."""
    return round(os.getloadavg()[0], 2)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Build and solve one instance; the JSON record."""
    load_before = load()
    start = time.perf_counter()
    economy = economy_for(args.n, args.seed)
    generate_s = time.perf_counter() - start
    if args.write_economy:
        save(economy, Path(args.write_economy))
    start, cpu = time.perf_counter(), cpu_time()
    model = plan_model(economy, args.years, args.target_factor)
    # The form the solve uses: first-order methods work in the blocks' units.
    arrays = model.lp.arrays(model.lp.choose(args.method) in FIRST_ORDER)
    build_s, build_cpu_s = time.perf_counter() - start, cpu_time() - cpu
    record: dict[str, Any] = {
        "n": args.n,
        "years": args.years,
        "seed": args.seed,
        "target_factor": args.target_factor,
        "rows": arrays.matrix.shape[0],
        "columns": arrays.matrix.shape[1],
        "nonzeros": int(arrays.matrix.nnz),
        "generate_s": round(generate_s, 3),
        "build_s": round(build_s, 3),
        "build_cpu_s": round(build_cpu_s, 3),
        "load_before": load_before,
    }
    if args.build_only:
        record |= {"peak_mb": round(peak_mb(), 1), "load_after": load()}
        return record
    cpu = cpu_time()
    solution = model.lp.solve(
        method=args.method, tolerance=args.tolerance, race=False if args.no_race else None
    )
    solve_cpu_s = cpu_time() - cpu
    record |= {
        "solve_s": round(solution.seconds, 3),
        "solve_cpu_s": round(solve_cpu_s, 3),
        "status": solution.status.value,
        "method": solution.method,
        "runs": solution.runs,
        "solvers": [list(run) for run in solution.solvers],
        "tolerance": args.tolerance,
        "objective": solution.objective,
        "gap": solution.gap,
        "primal_infeasibility": solution.primal_infeasibility,
        "dual_infeasibility": solution.dual_infeasibility,
        "largest_violation": solution.largest_violation,
    }
    if args.highs:
        cpu = cpu_time()
        exact = model.lp.solve(method="ipm", time_limit=args.highs_limit)
        record["highs_s"] = round(exact.seconds, 3)
        record["highs_cpu_s"] = round(cpu_time() - cpu, 3)
        record["highs_status"] = exact.status.value
        record["highs_objective"] = exact.objective
        record["ratio_to_highs"] = round(exact.seconds / max(solution.seconds, 1e-9), 2)
    if args.tempo:
        largest = np.argsort(economy.gross_output)[::-1][: args.tempo]
        growth = {economy.names[i]: TEMPO_GROWTH for i in largest}
        cpu = cpu_time()
        report = check_tempo(
            economy,
            growth,
            args.years,
            method=args.method,
            attainable=False,
            parallel=False if args.tempo_sequential else None,
        )
        tempo_cpu_s = cpu_time() - cpu
        record["tempo_s"] = round(report.seconds, 3)
        record["tempo_cpu_s"] = round(tempo_cpu_s, 3)
        for step, seconds in report.cpu_seconds.items():
            record[f"tempo_{step}_cpu_s"] = round(seconds, 3)
        # The fraction and its bottleneck report alone (issue 16's "tempo check and its
        # bottleneck report"), and the whole check with the disproportions.
        record["tempo_fraction_to_solve_cpu"] = round(
            report.cpu_seconds.get("fraction", float("nan")) / max(solve_cpu_s, 1e-9), 2
        )
        record["tempo_side_by_side"] = report.side_by_side
        record["tempo_feasible"] = report.feasible
        record["tempo_max_fraction"] = report.max_fraction
        record["tempo_bottlenecks"] = len(report.bottlenecks)
        record["tempo_disproportions"] = len(report.disproportions)
        record["tempo_to_solve"] = round(report.seconds / max(solution.seconds, 1e-9), 2)
        record["tempo_to_solve_cpu"] = round(tempo_cpu_s / max(solve_cpu_s, 1e-9), 2)
    record["peak_mb"] = round(peak_mb(), 1)
    record["racer_peak_mb"] = round(peak_mb(resource.RUSAGE_CHILDREN), 1)
    record["load_after"] = load()
    return record


def instance_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that name an instance and its accuracy, shared with ``plan_limits.py``."""
    parser.add_argument("--n", type=int, required=True, help="products (branches)")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target-factor", type=float, default=2.0)
    parser.add_argument("--tolerance", type=float, default=FIRST_ORDER_TOLERANCE)
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def print_record(record: dict[str, Any], as_json: bool) -> None:
    """Print a benchmark's record: one JSON object, or ``key=value`` pairs on one line."""
    if as_json:
        print(json.dumps(record))
    else:
        print(", ".join(f"{k}={v}" for k, v in record.items()))


def main() -> None:
    """Parse the options, run one instance, print its JSON record (or a short line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    instance_arguments(parser)
    parser.add_argument("--highs", action="store_true", help="also solve exactly with HiGHS")
    parser.add_argument("--highs-limit", type=float, default=None, help="seconds for --highs")
    parser.add_argument("--method", choices=METHODS, default="auto")
    parser.add_argument("--write-economy", metavar="DIR", help="save the economy here")
    parser.add_argument("--build-only", action="store_true", help="assemble, do not solve")
    parser.add_argument(
        "--tempo", type=int, default=0, metavar="K", help="also check a tempo for K branches"
    )
    parser.add_argument(
        "--tempo-sequential",
        action="store_true",
        help="solve the tempo's disproportions after its fraction, not beside it",
    )
    parser.add_argument(
        "--no-race",
        action="store_true",
        help="the plan's solve tries HiGHS's two PDLPs in turn, not at once in two processes",
    )
    args = parser.parse_args()
    record = measure(args)
    print_record(record, args.json)


if __name__ == "__main__":
    main()
