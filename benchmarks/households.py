"""Benchmark of the peasant households model: speed, memory, and a toy rule against Mesa.

Run as ``python benchmarks/households.py --households N --months M [--json]``, or
``python benchmarks/households.py --course historical --full [--json]`` for a whole course.

- ``household_steps_per_s``: the real model. ``initial_households`` builds the
  countryside at one row per ``sample`` households, ``sample`` chosen so that it
  has about N rows; ``step`` then runs M months under moderate pressure. The
  rate is rows x months / seconds of stepping (building the countryside and
  compiling the month are set-up, reported apart).
- ``peak_mb``: peak resident memory of the whole process (``ru_maxrss``).
- ``mesa_steps_per_s``: a toy decision rule written twice, as a Mesa model
  (one ``Agent.step`` per household, ``model.agents.shuffle_do("step")``) and
  vectorised with numpy, both at the same size (10^5 agents by default) in the
  same run. The toy: each month an individual household joins the collective
  with a logistic probability rising with its region's pressure and falling
  with its wealth relative to the mean; the wealth of those who stay
  individual drifts multiplicatively while the market is open. Both versions
  must end with the same collectivised share within sampling error, or the
  benchmark fails.
- ``ratio_vs_mesa``: ``household_steps_per_s / mesa_steps_per_s``.
- ``bandwidth_gb_per_s`` and ``bandwidth_bound_steps_per_s``: what memory allows. A
  large numpy copy measures the bytes a second this machine moves; a household-month
  reads every column of its row and writes back the ones the month changes, so the
  bytes of a row bound the rate any implementation of the month can reach here.
  ``mesa_goal_steps_per_s`` is 500 times the Mesa rate, for comparison.
- ``mesa_frames_steps_per_s``: the same toy rule written for mesa-frames (Mesa's vectorised
  extension: the households as one polars frame, a month as one ``with_columns``), at 10^6
  agents by default, in the same run; its collectivised share must agree with the numpy
  toy's too. ``ratio_vs_mesa_frames`` is the model's rate (the course's end-to-end rate
  with ``--course``) over it.
- ``--course NAME`` runs the whole course of ``ussr-1928`` (every month of the scenario)
  through the engine with household agents, one row per ``--sample`` households (``--full``:
  one row per household, 25.7 million rows), and reports from that run
  ``end_to_end_household_steps_per_s`` (rows x months / wall seconds of the whole run,
  drawing the households and every stage of the engine included; compiling excluded),
  ``course_seconds``, ``course_cpu_seconds`` (the process's CPU time over the same span:
  on a shared machine it moves less with the others' load than the wall time does),
  ``peak_mb`` (``ru_maxrss``), ``memory_bound_steps_per_s``
  (the measured bandwidth over ``course_row_bytes``, the bytes of a household's columns
  the month reads once and writes back once) and ``memory_bound_share``, their ratio.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mesa
import numba
import numpy as np
import polars as pl
from mesa_frames import AgentSetPolars, ModelDF
from numpy.typing import NDArray

from planlab.scenarios import load_scenario, run_scenario
from planlab.simulate import run as simulate
from planlab.simulate.household_farms import HouseholdFarms
from planlab.simulate.households import (
    CENSUS_1927,
    HouseholdRules,
    Households,
    MonthPolicy,
    initial_households,
    step,
)
from planlab.simulate.seeds import streams

GOALS = {"household_steps_per_s": 25e6, "peak_mb_full_countryside": 6000.0, "ratio_vs_mesa": 500.0}
"""Targets: household-steps per second, peak MB with all 25.7 million households, and the
speed-up over the Mesa toy."""

COURSE_GOALS = {"course_seconds": 180.0, "memory_bound_share": 0.4, "peak_mb": 6000.0}
"""Targets of a whole course with every household: wall seconds, the end-to-end rate's share
of the memory bound, and peak MB."""

SCENARIO = "ussr-1928"


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kilobytes)."""
    kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kilobytes / 1024.0 if sys.platform != "darwin" else kilobytes / 2**20


# --- the real model ---------------------------------------------------------------------


def memory_bandwidth(megabytes: int = 256, repeats: int = 3) -> float:
    """Bytes a second a large array copy moves (read plus write), best of ``repeats``."""
    source = np.ones(megabytes * 2**20 // 8)
    target = np.empty_like(source)
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        np.copyto(target, source)
        best = min(best, time.perf_counter() - start)
    return 2.0 * source.nbytes / best


STEP_WRITTEN = (
    "weight",
    "horses",
    "cattle",
    "pigs",
    "sheep_goats",
    "land",
    "implements",
    "grain",
    "wealth",
    "contributed",
    "status",
)
"""The columns ``households.step`` changes (the others are only read)."""


def row_bytes(h: Households, written: tuple[str, ...], also_read: int = 0) -> int:
    """Bytes a household-month must move at least: every per-household column but the id
    read once (and ``also_read`` bytes more), the ``written`` ones written back once."""
    rows = len(h)
    columns = {
        name: value
        for name, value in vars(h).items()
        if isinstance(value, np.ndarray) and value.shape == (rows,) and name != "id"
    }
    read = sum(int(a.itemsize) for a in columns.values()) + also_read
    return read + sum(int(columns[name].itemsize) for name in written)


def benchmark_policy() -> MonthPolicy:
    """Moderate pressure everywhere, half-sure compensation, a small kulak quota."""
    return MonthPolicy(pressure=np.full(6, 0.3), compensation=0.5, kulak_quota=20_000.0)


def sample_for(households: int) -> int:
    """The one-in-``sample`` that gives about ``households`` rows of the 25.7 million."""
    total = CENSUS_1927["households_million"].value * 1e6
    return max(1, round(total / households))


def run_households(households: int, months: int, seed: int = 1) -> dict[str, Any]:
    """Step the real model ``months`` times over about ``households`` rows; time and count."""
    rules, policy = HouseholdRules(), benchmark_policy()
    start = time.perf_counter()
    # the first month compiles (or loads the compiled month from the cache): set-up
    parts = streams(seed)
    warm = initial_households(np.random.default_rng(parts.initial), sample=200_000)
    step(warm, policy, rules, np.random.default_rng(parts.households))
    compile_seconds = time.perf_counter() - start
    start = time.perf_counter()
    sample = sample_for(households)
    h = initial_households(np.random.default_rng(parts.initial), sample=sample)
    setup_seconds = time.perf_counter() - start
    rng = np.random.default_rng(parts.households)
    start = time.perf_counter()
    for _ in range(months):
        step(h, policy, rules, rng)
    seconds = time.perf_counter() - start
    rows = len(h)
    return {
        "households": rows,
        "requested_households": households,
        "sample": sample,
        "months": months,
        "seconds": seconds,
        "household_steps_per_s": rows * months / seconds,
        "setup_seconds": setup_seconds,
        "compile_seconds": compile_seconds,
        "collectivised_share": h.count(h.members) / h.count(h.present),
        "row_bytes": row_bytes(h, STEP_WRITTEN),
    }


# --- the toy rule, twice ----------------------------------------------------------------


@dataclass(frozen=True)
class Toy:
    """The toy rule's parameters (shared by both versions)."""

    base: float = -4.0
    pressure_effect: float = 4.0
    wealth_effect: float = 1.5
    pressure: tuple[float, ...] = (0.6, 0.4, 0.4, 0.3, 0.3, 0.2)
    market_open: bool = True
    drift_mu: float = 0.0
    drift_sigma: float = 0.05


def toy_start(agents: int, seed: int) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Initial wealth (log-normal) and region of each household, shared by both versions."""
    rng = np.random.default_rng(seed)
    return rng.lognormal(5.0, 0.8, agents), rng.integers(0, 6, agents)


def toy_numpy_step(
    toy: Toy,
    pressure: NDArray[np.float64],
    wealth: NDArray[np.float64],
    region: NDArray[np.int64],
    member: NDArray[np.bool_],
    rng: np.random.Generator,
) -> None:
    """One month of the toy over arrays, in place."""
    mean = float(wealth.mean())
    odds = (
        toy.base
        + toy.pressure_effect * pressure[region]
        - toy.wealth_effect * (wealth / mean - 1.0)
    )
    member |= ~member & (rng.random(wealth.size) < 1.0 / (1.0 + np.exp(-odds)))
    if toy.market_open:
        individual = np.flatnonzero(~member)
        wealth[individual] *= np.exp(rng.normal(toy.drift_mu, toy.drift_sigma, individual.size))


class ToyHousehold(mesa.Agent):  # type: ignore[misc]
    """The toy rule for one household, as a Mesa agent."""

    def __init__(self, model: ToyModel, wealth: float, region: int) -> None:
        super().__init__(model)
        self.wealth = wealth
        self.region = region
        self.member = False

    def step(self) -> None:
        model: ToyModel = self.model
        if self.member:
            return
        toy = model.toy
        odds = (
            toy.base
            + toy.pressure_effect * toy.pressure[self.region]
            - toy.wealth_effect * (self.wealth / model.mean_wealth - 1.0)
        )
        if self.random.random() < 1.0 / (1.0 + math.exp(-odds)):
            self.member = True
        elif toy.market_open:
            self.wealth *= math.exp(self.random.gauss(toy.drift_mu, toy.drift_sigma))


class ToyModel(mesa.Model):  # type: ignore[misc]
    """The toy rule as a Mesa 3 model: every household steps once a month, in random order."""

    def __init__(
        self, toy: Toy, wealth: NDArray[np.float64], region: NDArray[np.int64], seed: int
    ) -> None:
        super().__init__(seed=seed)
        self.toy = toy
        self.mean_wealth = 1.0
        ToyHousehold.create_agents(
            self, wealth.size, wealth=wealth.tolist(), region=region.tolist()
        )

    def step(self) -> None:
        self.mean_wealth = float(self.agents.agg("wealth", np.mean))
        self.agents.shuffle_do("step")

    def collectivised_share(self) -> float:
        return float(np.mean(self.agents.get("member")))


class ToyFrame(AgentSetPolars):  # type: ignore[misc]
    """The toy rule as a mesa-frames agent set: the households are one polars frame, and a
    month is one vectorised update of it."""

    def __init__(
        self, model: ToyFrameModel, wealth: NDArray[np.float64], region: NDArray[np.int64]
    ) -> None:
        super().__init__(model)
        self += pl.DataFrame(
            {
                "unique_id": np.arange(wealth.size, dtype=np.int64),
                "wealth": wealth,
                "region": region,
                "member": np.zeros(wealth.size, dtype=np.bool_),
            }
        )

    def step(self) -> None:
        model: ToyFrameModel = self.model
        toy, agents = model.toy, self.agents
        size = len(agents)
        mean = agents["wealth"].mean()
        uniform = pl.Series(model.random.random(size))
        shock = pl.Series(model.random.normal(toy.drift_mu, toy.drift_sigma, size))
        pressure = pl.col("region").replace_strict(list(range(len(toy.pressure))), toy.pressure)
        odds = (
            toy.base
            + toy.pressure_effect * pressure
            - toy.wealth_effect * (pl.col("wealth") / mean - 1.0)
        )
        joins = ~pl.col("member") & (pl.lit(uniform) < 1.0 / (1.0 + (-odds).exp()))
        drifting = ~pl.col("member") & ~joins & toy.market_open
        self.agents = agents.with_columns(
            member=pl.col("member") | joins,
            wealth=pl.when(drifting)
            .then(pl.col("wealth") * pl.lit(shock).exp())
            .otherwise(pl.col("wealth")),
        )


class ToyFrameModel(ModelDF):  # type: ignore[misc]
    """The toy rule as a mesa-frames model: one agent set stepped once a month."""

    def __init__(
        self, toy: Toy, wealth: NDArray[np.float64], region: NDArray[np.int64], seed: int
    ) -> None:
        super().__init__(seed=seed)
        self.toy = toy
        self.agents += ToyFrame(self, wealth, region)

    def step(self) -> None:
        self.agents.do("step")

    def collectivised_share(self) -> float:
        frame = self.get_agents_of_type(ToyFrame)
        return float(frame.agents["member"].mean())


def run_toy_frames(agents: int = 1_000_000, steps: int = 3, seed: int = 7) -> dict[str, Any]:
    """Time the toy as a mesa-frames model at ``agents`` households; the numpy toy at the
    same size must end with the same collectivised share within sampling error."""
    toy = Toy()
    wealth, region = toy_start(agents, seed)
    model = ToyFrameModel(toy, wealth, region, seed)
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    seconds = time.perf_counter() - start
    frames_share = model.collectivised_share()
    del model
    member = np.zeros(agents, dtype=np.bool_)
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    w = wealth.copy()
    for _ in range(steps):
        toy_numpy_step(toy, np.array(toy.pressure), w, region, member, rng)
    numpy_share = float(member.mean())
    share = (frames_share + numpy_share) / 2.0
    tolerance = max(0.01, 4.0 * math.sqrt(share * (1.0 - share) * 2.0 / agents))
    return {
        "mesa_frames_agents": agents,
        "mesa_frames_steps": steps,
        "mesa_frames_seconds": seconds,
        "mesa_frames_steps_per_s": agents * steps / seconds,
        "toy_share_mesa_frames": frames_share,
        "toy_share_numpy_frames_size": numpy_share,
        "toy_frames_agree": abs(frames_share - numpy_share) <= tolerance,
    }


def run_toy(agents: int = 100_000, steps: int = 3, seed: int = 7) -> dict[str, Any]:
    """Time the toy as Mesa and as numpy at ``agents`` households; check they agree."""
    toy = Toy()
    wealth, region = toy_start(agents, seed)
    start = time.perf_counter()
    model = ToyModel(toy, wealth, region, seed)
    mesa_setup = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    mesa_seconds = time.perf_counter() - start
    mesa_share = model.collectivised_share()
    del model
    pressure = np.array(toy.pressure)
    best = math.inf
    repeats = max(3, min(50, 2_000_000 // max(agents * steps, 1)))
    repeat_seeds = np.random.SeedSequence(seed).spawn(repeats + 1)[1:]
    for r in range(repeats):  # best of several: the numpy toy takes milliseconds
        w, member = wealth.copy(), np.zeros(agents, dtype=np.bool_)
        rng = np.random.default_rng(repeat_seeds[r])
        start = time.perf_counter()
        for _ in range(steps):
            toy_numpy_step(toy, pressure, w, region, member, rng)
        best = min(best, time.perf_counter() - start)
        numpy_share = float(member.mean())
    share = (mesa_share + numpy_share) / 2.0
    tolerance = max(0.01, 4.0 * math.sqrt(share * (1.0 - share) * 2.0 / agents))
    return {
        "mesa_agents": agents,
        "mesa_steps": steps,
        "mesa_seconds": mesa_seconds,
        "mesa_setup_seconds": mesa_setup,
        "mesa_steps_per_s": agents * steps / mesa_seconds,
        "toy_numpy_steps_per_s": agents * steps / best,
        "toy_share_mesa": mesa_share,
        "toy_share_numpy": numpy_share,
        "toy_share_tolerance": tolerance,
        "toy_shares_agree": abs(mesa_share - numpy_share) <= tolerance,
    }


# --- a whole course through the engine --------------------------------------------------


COURSE_WRITTEN = (*STEP_WRITTEN, "family", "workers", "income")
"""The columns a course's month changes (the others are only read)."""


def report(start: float) -> Callable[[int, int], None]:
    """A progress callback that prints each month's seconds and the load to stderr."""

    def progress(done: int, total: int) -> None:
        load = os.getloadavg()[0]
        elapsed = time.perf_counter() - start
        print(f"month {done}/{total}: {elapsed:.1f} s, load {load:.1f}", file=sys.stderr)

    return progress


def run_course(
    course: str, sample: int, months: int | None = None, seed: int = 1
) -> dict[str, Any]:
    """Run a course of ``ussr-1928`` with household agents at one row per ``sample`` (all its
    months unless ``months``) and time it end to end."""
    scenario = load_scenario(SCENARIO, course)
    start = time.perf_counter()
    # compile (or load from the cache) every kernel on a small countryside first: set-up
    run_scenario(scenario, months=2, seed=seed, households=200_000)
    compile_seconds = time.perf_counter() - start
    start, cpu_start = time.perf_counter(), time.process_time()
    farms = HouseholdFarms.from_scenario(scenario, sample=sample, seed=seed)
    rows = len(farms.households)
    result = simulate(scenario, months=months, seed=seed, farms=farms, progress=report(start))
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    # after the run: some columns start empty; the course also reads the share of land sown
    row_bytes_ = row_bytes(farms.households, COURSE_WRITTEN, int(farms.sown.itemsize))
    steps = len(result.dates) - 1
    return {
        "course": course,
        "sample": sample,
        "course_rows": rows,
        "course_months": steps,
        "course_seconds": seconds,
        "course_cpu_seconds": cpu_seconds,
        "compile_seconds": compile_seconds,
        "end_to_end_household_steps_per_s": rows * steps / seconds,
        "course_row_bytes": row_bytes_,
    }


# --- the whole run ----------------------------------------------------------------------


def run(
    households: int = 1_000_000,
    months: int = 12,
    mesa_agents: int = 100_000,
    mesa_steps: int = 3,
    seed: int = 1,
    mesa_frames_agents: int = 1_000_000,
) -> dict[str, Any]:
    """The benchmark's JSON object: the toy comparison first, then the real model."""
    toy = run_toy(mesa_agents, mesa_steps, seed + 6)
    frames = run_toy_frames(mesa_frames_agents, mesa_steps, seed + 6)
    result = run_households(households, months, seed)
    result["peak_mb"] = peak_mb()
    result.update(toy)
    result.update(frames)
    result["ratio_vs_mesa_frames"] = (
        result["household_steps_per_s"] / result["mesa_frames_steps_per_s"]
    )
    result["ratio_vs_mesa"] = result["household_steps_per_s"] / result["mesa_steps_per_s"]
    result["toy_ratio_vs_mesa"] = result["toy_numpy_steps_per_s"] / result["mesa_steps_per_s"]
    result["threads"] = numba.get_num_threads()
    result["bandwidth_gb_per_s"] = memory_bandwidth() / 1e9
    result["bandwidth_bound_steps_per_s"] = result["bandwidth_gb_per_s"] * 1e9 / result["row_bytes"]
    result["mesa_goal_steps_per_s"] = GOALS["ratio_vs_mesa"] * result["mesa_steps_per_s"]
    result["goals"] = {
        "household_steps_per_s": {
            "target": GOALS["household_steps_per_s"],
            "met": result["household_steps_per_s"] >= GOALS["household_steps_per_s"],
        },
        "ratio_vs_mesa": {
            "target": GOALS["ratio_vs_mesa"],
            "met": result["ratio_vs_mesa"] >= GOALS["ratio_vs_mesa"],
        },
        "peak_mb_full_countryside": {
            "target": GOALS["peak_mb_full_countryside"],
            # only a run with every household (sample 1) measures this goal
            "met": result["peak_mb"] <= GOALS["peak_mb_full_countryside"]
            if result["sample"] == 1
            else None,
        },
    }
    return result


def run_full_course(
    course: str,
    sample: int = 1,
    months: int | None = None,
    mesa_agents: int = 100_000,
    mesa_steps: int = 3,
    mesa_frames_agents: int = 1_000_000,
    seed: int = 1,
) -> dict[str, Any]:
    """The benchmark's JSON object for a whole course: the course first (so that its peak
    memory is the process's), then the toys and the machine's memory bandwidth."""
    result = run_course(course, sample, months, seed)
    result["peak_mb"] = peak_mb()
    result.update(run_toy(mesa_agents, mesa_steps, seed + 6))
    result.update(run_toy_frames(mesa_frames_agents, mesa_steps, seed + 6))
    rate = result["end_to_end_household_steps_per_s"]
    result["ratio_vs_mesa"] = rate / result["mesa_steps_per_s"]
    result["ratio_vs_mesa_frames"] = rate / result["mesa_frames_steps_per_s"]
    result["threads"] = numba.get_num_threads()
    result["bandwidth_gb_per_s"] = memory_bandwidth() / 1e9
    result["memory_bound_steps_per_s"] = (
        result["bandwidth_gb_per_s"] * 1e9 / result["course_row_bytes"]
    )
    result["memory_bound_share"] = rate / result["memory_bound_steps_per_s"]
    full = sample == 1 and months is None
    result["goals"] = {
        "course_seconds": {
            "target": COURSE_GOALS["course_seconds"],
            "met": result["course_seconds"] <= COURSE_GOALS["course_seconds"] if full else None,
        },
        "memory_bound_share": {
            "target": COURSE_GOALS["memory_bound_share"],
            "met": result["memory_bound_share"] >= COURSE_GOALS["memory_bound_share"],
        },
        "peak_mb": {
            "target": COURSE_GOALS["peak_mb"],
            "met": result["peak_mb"] <= COURSE_GOALS["peak_mb"] if full else None,
        },
    }
    return result


def course_table(result: dict[str, Any]) -> str:
    """A course's result as a readable table."""
    rows = [
        ("course", f"{SCENARIO} {result['course']}, {result['course_months']} months"),
        ("households (rows)", f"{result['course_rows']:,} (1 in {result['sample']})"),
        (
            "wall seconds",
            f"{result['course_seconds']:.1f} (+ {result['compile_seconds']:.1f} compile)",
        ),
        ("CPU seconds", f"{result['course_cpu_seconds']:.1f}"),
        (
            "end to end",
            f"{result['end_to_end_household_steps_per_s'] / 1e6:.2f} million household-steps/s",
        ),
        (
            "memory bound",
            f"{result['bandwidth_gb_per_s']:.1f} GB/s / {result['course_row_bytes']}"
            f" bytes = {result['memory_bound_steps_per_s'] / 1e6:.0f} million steps/s",
        ),
        ("share of the bound", f"{result['memory_bound_share']:.1%}"),
        ("peak memory", f"{result['peak_mb']:,.0f} MB"),
        ("threads", f"{result['threads']}"),
        ("Mesa toy", f"{result['mesa_steps_per_s']:,.0f} agent-steps/s"),
        (
            "mesa-frames toy",
            f"{result['mesa_frames_steps_per_s'] / 1e6:.2f} million agent-steps/s "
            f"({result['mesa_frames_agents']:,} agents)",
        ),
        ("model vs Mesa", f"{result['ratio_vs_mesa']:,.0f}x"),
        ("model vs mesa-frames", f"{result['ratio_vs_mesa_frames']:,.1f}x"),
    ]
    for name, goal in result["goals"].items():
        met = {True: "met", False: "MISSED", None: "not measured (needs --full)"}[goal["met"]]
        rows.append((f"goal {name}", f"{goal['target']:,} : {met}"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def table(result: dict[str, Any]) -> str:
    """The result as a readable table."""
    rows = [
        ("households (rows)", f"{result['households']:,} (1 in {result['sample']})"),
        ("months", f"{result['months']}"),
        ("stepping seconds", f"{result['seconds']:.3f}"),
        ("household-steps/s", f"{result['household_steps_per_s'] / 1e6:.2f} million"),
        (
            "set-up seconds",
            f"{result['setup_seconds']:.2f} (+ {result['compile_seconds']:.2f} compile)",
        ),
        ("peak memory", f"{result['peak_mb']:,.0f} MB"),
        ("threads", f"{result['threads']}"),
        (
            "Mesa toy",
            f"{result['mesa_steps_per_s']:,.0f} agent-steps/s "
            f"({result['mesa_agents']:,} agents x {result['mesa_steps']} steps)",
        ),
        ("numpy toy", f"{result['toy_numpy_steps_per_s'] / 1e6:.1f} million agent-steps/s"),
        (
            "toy shares",
            f"Mesa {result['toy_share_mesa']:.4f}, numpy {result['toy_share_numpy']:.4f} "
            f"(agree within {result['toy_share_tolerance']:.4f}: {result['toy_shares_agree']})",
        ),
        ("model vs Mesa toy", f"{result['ratio_vs_mesa']:,.0f}x"),
        (
            "memory bound",
            f"{result['bandwidth_gb_per_s']:.1f} GB/s / {result['row_bytes']} bytes a row = "
            f"{result['bandwidth_bound_steps_per_s'] / 1e6:.0f} million steps/s "
            f"(500x Mesa needs {result['mesa_goal_steps_per_s'] / 1e6:.0f} million)",
        ),
        ("numpy toy vs Mesa toy", f"{result['toy_ratio_vs_mesa']:,.0f}x"),
        (
            "mesa-frames toy",
            f"{result['mesa_frames_steps_per_s'] / 1e6:.2f} million agent-steps/s "
            f"({result['mesa_frames_agents']:,} agents); "
            f"model {result['ratio_vs_mesa_frames']:,.1f}x",
        ),
    ]
    for name, goal in result["goals"].items():
        met = {True: "met", False: "MISSED", None: "not measured (needs sample 1)"}[goal["met"]]
        rows.append((f"goal {name}", f"{goal['target']:,.0f}: {met}"))
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=float, default=1_000_000)
    parser.add_argument("--months", type=int, default=None, help="12 unless --course: all")
    parser.add_argument("--mesa-agents", type=int, default=100_000)
    parser.add_argument("--mesa-steps", type=int, default=3)
    parser.add_argument("--mesa-frames-agents", type=float, default=1_000_000)
    parser.add_argument("--course", help="run this course of ussr-1928 end to end")
    parser.add_argument("--sample", type=int, default=100, help="with --course: 1 row per N")
    parser.add_argument("--full", action="store_true", help="with --course: every household")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    frames_agents = int(args.mesa_frames_agents)
    if args.course:
        sample = 1 if args.full else args.sample
        result = run_full_course(
            args.course,
            sample,
            args.months,
            args.mesa_agents,
            args.mesa_steps,
            frames_agents,
            args.seed,
        )
        print(json.dumps(result) if args.json else course_table(result))
    else:
        months = 12 if args.months is None else args.months
        result = run(
            int(args.households), months, args.mesa_agents, args.mesa_steps, args.seed,
            frames_agents,
        )  # fmt: skip
        print(json.dumps(result) if args.json else table(result))
    if not result["toy_shares_agree"] or not result["toy_frames_agree"]:
        print("the toys disagree on the collectivised share", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
