"""Benchmarks of the economy layer, as ratios to a baseline measured in the same run.

The baseline is a dense solve of a 1,000-sector system with numpy: a yardstick of
this machine's speed at the moment of the run, so that ratios stay comparable on a
shared, noisy machine. Run with ``make bench``.
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from planlab.economy import Economy, LeontiefSystem, analyse, load, save
from planlab.plan import PlanSettings, build, build_model
from planlab.scenarios import load_scenario
from planlab.simulate import run

COLUMN_SUM = 0.6
"""Upper bound of each column sum of A (assumption: a productive economy with margin)."""
CAPITAL_OUTPUT = 1.0
"""Mean capital per unit of new capacity (assumption: a capital-output ratio near 1)."""
RESERVE_CAPACITY = 1.3
"""Capacity as a multiple of base-year output (assumption: 30 % reserve)."""
RESERVE_LABOUR = 1.2
"""Labour force as a multiple of base-year labour use (assumption: 20 % reserve)."""
DEPRECIATION = 0.05
"""Yearly wear of capacity (assumption)."""

SOURCES = {
    "A": "assumption: random benchmark table",
    "gross_output": "assumption: random benchmark table",
    "labour": "assumption: random benchmark table",
    "consumption": "assumption: random benchmark table",
    "scalars.labour_force": "assumption: random benchmark table",
}


def best_of(func: Callable[[], object], repeat: int = 5) -> float:
    """Best wall time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def random_economy(
    n: int, per_column: int | tuple[int, int], seed: int, *, tail: float | None = None
) -> Economy:
    """A productive sparse economy: ``per_column`` inputs per sector, column sums below 0.6.

    ``per_column`` is a count or an inclusive range drawn per sector. With ``tail``,
    final demand follows a Pareto law of that shape (output sizes span orders of
    magnitude, as real product lists do); otherwise it is uniform on [1, 10].
    """
    rng = np.random.default_rng(seed)
    counts = (
        np.full(n, per_column)
        if isinstance(per_column, int)
        else rng.integers(per_column[0], per_column[1] + 1, size=n)
    )
    cols = np.repeat(np.arange(n), counts)
    rows = rng.integers(0, n, size=cols.size)
    values = rng.uniform(0.0, COLUMN_SUM / counts[cols])
    A = sp.csr_array((values, (rows, cols)), shape=(n, n))
    y = (1.0 + rng.pareto(tail, size=n)) if tail is not None else rng.uniform(1.0, 10.0, size=n)
    x = LeontiefSystem(A).solve(y)
    return Economy.build(
        name=f"random-{n}",
        sectors=[f"s{i}" for i in range(n)],
        A=A,
        vectors={"gross_output": x, "labour": rng.uniform(0.1, 1.0, n), "consumption": y},
        scalars={"labour_force": float(x.sum())},
    )


def main() -> None:
    """Print one line per case: seconds and ratio to the baseline."""
    rng = np.random.default_rng(0)
    dense = rng.uniform(0, 1.0 / 1000, size=(1000, 1000))
    rhs = rng.uniform(size=1000)
    eye = np.eye(1000)
    baseline = best_of(lambda: np.linalg.solve(eye - dense, rhs))
    print(f"baseline: dense numpy solve, n=1000: {baseline * 1e3:.2f} ms (ratio 1.00)")
    small = random_economy(2000, 8, 1)
    dense_A = small.A.toarray()
    inverse = best_of(lambda: np.linalg.inv(np.eye(2000) - dense_A) @ small.final_demand, 3)
    sparse_solve = best_of(lambda: LeontiefSystem(small.A).solve(small.final_demand))
    print(
        f"n=2000: dense inverse {inverse * 1e3:.1f} ms (x{inverse / baseline:.1f}), "
        f"LeontiefSystem solve {sparse_solve * 1e3:.1f} ms (x{sparse_solve / baseline:.2f}); "
        f"{inverse / sparse_solve:.0f} times faster than the dense inverse"
    )
    for n in (10_000, 50_000):
        economy = random_economy(n, 8, 2)
        solve = best_of(lambda e=economy: LeontiefSystem(e.A).solve(e.final_demand), 3)
        full = best_of(lambda e=economy: analyse(e), 3)
        build = best_of(lambda e=economy: e.replace(), 3)
        print(
            f"n={n}: solve {solve * 1e3:.1f} ms (x{solve / baseline:.2f}), "
            f"full analysis {full * 1e3:.1f} ms (x{full / baseline:.2f}), "
            f"build and validate {build * 1e3:.1f} ms (x{build / baseline:.2f})"
        )
    economy = random_economy(5000, 8, 3).replace(sources=SOURCES)
    with tempfile.TemporaryDirectory() as tmp:
        written = best_of(lambda: save(economy, Path(tmp) / "e"), 3)
        read = best_of(lambda: load(Path(tmp) / "e"), 3)
    print(
        f"n=5000 on disk (long layout): save {written * 1e3:.0f} ms (x{written / baseline:.1f}), "
        f"load {read * 1e3:.0f} ms (x{read / baseline:.1f})"
    )
    plans(baseline)
    simulations(baseline)


def plannable(
    n: int,
    seed: int,
    *,
    inputs: int | tuple[int, int] = 8,
    tail: float | None = None,
    capital_inputs: int = 0,
    lags: tuple[int, int] = (1, 1),
) -> Economy:
    """A random economy with reserve capacity and labour, wear and construction lags.

    ``capital_inputs`` capital goods per branch, drawn at random, each needing up to
    ``CAPITAL_OUTPUT / capital_inputs`` per unit of new capacity; lags are drawn per
    branch from the inclusive range ``lags``.
    """
    economy = random_economy(n, inputs, seed, tail=tail)
    rng = np.random.default_rng([seed, 1])
    B = sp.csr_array((n, n))
    if capital_inputs > 0:
        cols = np.repeat(np.arange(n), capital_inputs)
        rows = rng.integers(0, n, size=cols.size)
        values = rng.uniform(0.0, 2.0 * CAPITAL_OUTPUT / capital_inputs, size=cols.size)
        B = sp.csr_array((values, (rows, cols)), shape=(n, n))
    return economy.replace(
        B=B,
        vectors={
            "capacity": economy.gross_output * RESERVE_CAPACITY,
            "depreciation": np.full(n, DEPRECIATION),
            "construction_lag": rng.integers(lags[0], lags[1] + 1, size=n).astype(float),
        },
        scalars={"labour_force": float(economy.labour @ economy.gross_output) * RESERVE_LABOUR},
    )


def plans(baseline: float) -> None:
    """Plan LPs: assembling the model, and solving a five-year weighted plan."""
    for n in (100, 300, 1000):
        economy = plannable(n, 4)
        assemble = best_of(lambda e=economy: build_model(e, PlanSettings(years=5)), 3)
        targets = {
            s: float(x) * 1.2 for s, x in zip(economy.names, economy.gross_output, strict=True)
        }
        solve = best_of(lambda e=economy, t=targets: build(e, 5, t, "weighted"), 1)
        print(
            f"plan n={n}, 5 years: assemble {assemble * 1e3:.1f} ms (x{assemble / baseline:.2f}), "
            f"weighted plan {solve:.2f} s (x{solve / baseline:.0f})"
        )


def simulations(baseline: float) -> None:
    """The monthly simulator: the built-in scenario, and large random economies."""
    scenario = load_scenario("ussr-1928")
    months = 120
    seconds = best_of(lambda: run(scenario, months=months), 3)
    print(
        f"simulate ussr-1928 (17 branches), {months} months: {seconds * 1e3:.0f} ms "
        f"(x{seconds / baseline:.1f}), {months / seconds:,.0f} months/s"
    )
    for n in (300, 1000):
        economy = plannable(n, 5)
        big = dataclasses.replace(
            scenario,
            name=f"random-{n}",
            economy=economy,
            targets={},
            default_growth=0.1,
            priority={},
            machinery=(),
            agriculture=(),
            grain=None,
        )
        seconds = best_of(lambda s=big: run(s, months=60), 1)
        print(
            f"simulate n={n}, 60 months: {seconds:.2f} s (x{seconds / baseline:.0f}), "
            f"{60 / seconds:,.1f} months/s"
        )


if __name__ == "__main__":
    main()
