"""Calibration on the record to 1930: behavioural parameters fitted to ``calibration.csv`` only.

The procedure, reproducible from its settings:

1. run a course (by default ``historical``) from its start to the end of the record
   (31 December 1930), household agents sampled one row in ``sample``, once for each of
   ``seeds``: every point sees the same random numbers (common random numbers), so that
   two points differ by their parameters, not their luck;
2. score each run against ``calibration.csv`` by the record's own rules
   (``planlab.scenarios.compare``); the objective is the mean over variables of each
   variable's mean error (a variable with many records weighs no more than one with a
   few), averaged over the seeds;
3. screen every parameter in ``KNOBS`` by Morris's elementary effects (SALib): a
   parameter whose mean absolute effect ``mu_star`` is below ``IDENTIFIED_SHARE`` of the
   largest is one the record does not identify: it keeps its value and its whole range;
4. fit the identified parameters by CMA-ES (the ``cma`` package, for noisy, bounded
   objectives; ``method="de"``: scipy's differential evolution), in the unit cube of
   their bounds, from the scenario's current values, for at most ``evaluations`` points;
5. give each identified parameter the range over the points that fit the record about as
   well as the best (within ``RANGE_TOLERANCE`` of its objective, and at least the
   ``RANGE_POINTS`` best).

Points are run through a ``concurrent.futures`` executor: worker processes when
``workers`` is above 1. Nothing after 1930 enters: later years are prediction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

import cma
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from scipy.optimize import Bounds, differential_evolution

from planlab.errors import InputError, Problem
from planlab.scenarios import history
from planlab.scenarios.compare import compare
from planlab.scenarios.courses import DEFAULT_SAMPLE, run_scenario
from planlab.scenarios.storage import CALIBRATION_FORMAT, load_scenario
from planlab.scenarios.workers import process_pool, threads_limited
from planlab.simulate import Scenario, Setting

__all__ = [
    "IDENTIFIED_SHARE",
    "KNOBS",
    "METHODS",
    "RANGE_TOLERANCE",
    "Calibration",
    "Knob",
    "calibrate",
    "calibration_document",
    "identified_by",
    "knobs_named",
    "objective",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Knob:
    """A parameter calibration may move, within bounds."""

    name: str
    low: float
    high: float
    why: str
    """Which records it answers to."""


KNOBS = (
    # households
    Knob("join_base", -12.0, -3.0, "collectivised share before the campaign (1928-29)"),
    Knob("join_pressure", 0.5, 20.0, "collectivised share in the campaign of 1929-30"),
    Knob("leave_rate", 0.05, 10.0, "the retreat after March 1930"),
    Knob("slaughter_uncertain", 0.01, 1.0, "horses, cattle, pigs, sheep and goats in 1929-30"),
    Knob("delivery_uplift", 0.0, 3.0, "grain procurement in 1929/30"),
    Knob("herd_birth_scale", 0.7, 1.3, "the herds of 1928-29, before the campaign"),
    Knob("pressure_forgetting", 0.05, 0.9, "the length of the retreat after March 1930"),
    Knob("join_eased", 0.0, 15.0, "joining held back after the easing of March 1930"),
    # industry
    Knob("wear_elasticity", 0.0, 10.0, "steel in 1929 and 1930, under forcing"),
    Knob("brak_elasticity", 0.0, 2.0, "steel in 1929 and 1930, under forcing"),
    # money and markets
    Knob("velocity", 0.1, 0.9, "prices and the free market (no record to 1930 after the start)"),
    Knob("free_market_elasticity", 0.0, 3.0, "the free market (no record to 1930)"),
    # foreign trade
    Knob("export_demand_elasticity", 0.5, 10.0, "exports and grain exports 1928-30"),
    Knob("import_priority_machinery", 0.5, 10.0, "imports 1928-30"),
    # migration
    Knob("migration_rate", 0.0002, 0.004, "net migration into towns in 1928"),
    Knob("migration_wage_elasticity", 0.0, 5.0, "net migration into towns 1929-30"),
    Knob("migration_pressure", 0.0, 4.0, "net migration into towns in 1930, the campaign"),
    Knob("migration_demand_elasticity", 0.0, 4.0, "net migration into towns 1929-30"),
)
"""The behavioural parameters fitted, and what in the record identifies each."""

METHODS = ("cma", "de")
"""Search methods: CMA-ES (``cma``) or scipy's differential evolution (``de``)."""

IDENTIFIED_SHARE = 0.1
"""A parameter whose Morris ``mu_star`` is below this share of the largest is not
identified by the record (assumption: a tenth; screening ranks, it does not test)."""

RANGE_TOLERANCE = 0.05
"""Points within this relative distance of the best objective fit the record about as
well (assumption: the objective's spread over seeds is of this order)."""

RANGE_POINTS = 5
"""At least this many of the best points span a range: a short search may find no other
point within ``RANGE_TOLERANCE``, and one point would claim a precision the record does
not give (assumption)."""

CMA_SIGMA = 0.25
"""CMA-ES's first step, in units of each parameter's range (a quarter of it)."""

MORRIS_LEVELS = 4
"""Grid levels of the Morris design (SALib's default)."""

DE_POPULATION = 5
"""Differential evolution's population per parameter (scipy's default is 15: too many
runs at this cost per point)."""

CALIBRATION_END = dt.date(1930, 12, 31)
"""The last day of the record a calibration may see: what came after is the model's to
predict (the project's rule, ``docs/report.md``)."""


@dataclass(frozen=True)
class Calibration:
    """A finished calibration: the parameters, their ranges and sensitivity, the fit."""

    scenario: str
    course: str
    sample: int
    seeds: tuple[int, ...]
    months: int
    method: str
    evaluations: int
    """Points run (each on every seed), screening included."""
    record_sha256: str
    start: dict[str, float]
    values: dict[str, float]
    ranges: dict[str, tuple[float, float]]
    identified: dict[str, bool]
    mu_star: dict[str, float]
    """Morris's mean absolute elementary effect on the objective, per parameter."""
    sigma: dict[str, float]
    """Morris's spread of the elementary effects (interactions, non-linearity)."""
    sobol: dict[str, tuple[float, float]]
    """Sobol's first-order and total indices (S1, ST) of each identified parameter, around
    the fit (empty unless asked for: each costs ``sobol * (k + 2)`` points)."""
    before: dict[str, float]
    """Mean error per variable with the start values."""
    after: dict[str, float]
    objective_before: float
    objective_after: float
    median_before: float
    median_after: float
    """The record scorer's overall median error, before and after."""
    per_variable_median: dict[str, float]
    """Median error per variable after calibration (the scorer's figure)."""
    seconds: float = field(compare=False, default=0.0)


def objective(errors: pd.DataFrame) -> tuple[float, dict[str, float]]:
    """The mean over variables of each variable's mean error, and those means."""
    scored = errors[errors["error"].notna()]
    means = {str(k): float(v) for k, v in scored.groupby("variable")["error"].mean().items()}
    return (float(np.mean(list(means.values()))) if means else math.inf), means


def within_window(record: pd.DataFrame) -> pd.DataFrame:
    """The record's rows that start and end on or before ``CALIBRATION_END``."""
    start = pd.to_datetime(record["start"], errors="coerce")
    end = pd.to_datetime(record["end"], errors="coerce")
    limit = pd.Timestamp(CALIBRATION_END)
    keep = (start <= limit) & (end <= limit)
    return record.loc[keep].reset_index(drop=True)


def _months_to_record_end(scenario: Scenario, record: pd.DataFrame) -> int:
    end = pd.to_datetime(record["end"], errors="coerce").max().date()
    first = dt.date(end.year, end.month, 1)
    return (first.year - scenario.start.year) * 12 + first.month - scenario.start.month + 1


def _with(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    parameters = dict(scenario.parameters)
    for name, value in values.items():
        parameters[name] = Setting(value, (), "calibration trial")
    return dataclasses.replace(scenario, parameters=parameters)


@functools.lru_cache(maxsize=4)
def _base(scenario: str, course: str) -> Scenario:
    """The course as loaded, once per process."""
    return load_scenario(scenario, course=course)


@dataclass(frozen=True)
class _Task:
    """One run of one point on one seed, as a worker process receives it."""

    scenario: str
    course: str
    values: tuple[tuple[str, float], ...]
    months: int
    sample: int
    seed: int
    record: pd.DataFrame


def _score(task: _Task) -> tuple[float, dict[str, float], pd.DataFrame]:
    """Run a point on a seed, on one thread, and score it against the record.

    One thread wherever it runs: in worker processes the workers are the parallelism
    (threads beyond the cores only slow every run down, see ``sweep.execute``), and the
    same thread count here and there gives the same sums, so the same calibration."""
    with threads_limited(1):
        return _score_here(task)


def _score_here(task: _Task) -> tuple[float, dict[str, float], pd.DataFrame]:
    """Run a point on a seed and score it against the record."""
    scenario = _with(_base(task.scenario, task.course), dict(task.values))
    result = run_scenario(scenario, months=task.months, seed=task.seed, households=task.sample)
    table = compare(result.series, task.record).table
    value, means = objective(table)
    return value, means, table


class _Serial(Executor):
    """The executor interface run in this process (one worker)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # handed to the caller through the future
            future.set_exception(error)
        return future


@contextmanager
def _executor(workers: int) -> Iterator[Executor]:
    executor: Executor = _Serial() if workers <= 1 else process_pool(workers, __name__)
    try:
        yield executor
    finally:
        executor.shutdown()


@dataclass
class _Evaluator:
    """The objective at points, averaged over the seeds; each point is run once."""

    scenario: str
    course: str
    months: int
    sample: int
    seeds: tuple[int, ...]
    record: pd.DataFrame
    executor: Executor
    knobs: tuple[Knob, ...]
    fixed: dict[str, float]
    progress: Callable[[int, int, float], None] | None
    total: int
    trials: dict[tuple[float, ...], tuple[float, dict[str, float], pd.DataFrame]] = field(
        default_factory=dict
    )
    best: float = math.inf

    def values(self, point: Sequence[float]) -> dict[str, float]:
        """Parameter values at a point of the knobs' space, with the fixed ones."""
        return {**self.fixed, **{k.name: float(v) for k, v in zip(self.knobs, point, strict=True)}}

    def __call__(self, points: Sequence[Sequence[float]]) -> list[float]:
        """The objective at each point (a batch: all runs go to the executor at once)."""
        keys = [tuple(float(v) for v in point) for point in points]
        fresh = list(dict.fromkeys(key for key in keys if key not in self.trials))
        futures = {
            key: [
                self.executor.submit(
                    _score,
                    _Task(
                        self.scenario,
                        self.course,
                        tuple(sorted(self.values(key).items())),
                        self.months,
                        self.sample,
                        seed,
                        self.record,
                    ),
                )
                for seed in self.seeds
            ]
            for key in fresh
        }
        for key, runs in futures.items():
            scored = [future.result() for future in runs]
            value = float(np.mean([s[0] for s in scored]))
            names = set().union(*(s[1] for s in scored))
            means = {n: float(np.mean([s[1][n] for s in scored if n in s[1]])) for n in names}
            self.trials[key] = (value, means, scored[0][2])
            self.best = min(self.best, value)
            if self.progress is not None:
                self.progress(len(self.trials), self.total, self.best)
        return [self.trials[key][0] for key in keys]


def _screen(
    evaluate: _Evaluator, knobs: tuple[Knob, ...], trajectories: int, seed: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Morris's mu_star and sigma of the objective for each knob."""
    problem = {
        "num_vars": len(knobs),
        "names": [k.name for k in knobs],
        "bounds": [[k.low, k.high] for k in knobs],
    }
    X = morris_sample.sample(problem, N=trajectories, num_levels=MORRIS_LEVELS, seed=seed)
    Y = np.asarray(evaluate(X.tolist()), dtype=float)
    Y = np.where(np.isfinite(Y), Y, np.nanmax(np.where(np.isfinite(Y), Y, np.nan)))
    found = morris_analyze.analyze(problem, X, Y, num_levels=MORRIS_LEVELS, seed=seed)
    mu_star = {k.name: float(v) for k, v in zip(knobs, found["mu_star"], strict=True)}
    sigma = {k.name: float(v) for k, v in zip(knobs, found["sigma"], strict=True)}
    return mu_star, sigma


def _sobol(
    evaluate: _Evaluator, knobs: tuple[Knob, ...], samples: int, seed: int
) -> dict[str, tuple[float, float]]:
    """Sobol's first-order and total indices of the objective over ``knobs`` (Saltelli's
    design, no second order), the other parameters held where ``evaluate`` fixes them."""
    problem = {
        "num_vars": len(knobs),
        "names": [k.name for k in knobs],
        "bounds": [[k.low, k.high] for k in knobs],
    }
    X = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    Y = np.asarray(evaluate(X.tolist()), dtype=float)
    found = sobol_analyze.analyze(problem, Y, calc_second_order=False, seed=seed)
    return {
        k.name: (float(first), float(total))
        for k, first, total in zip(knobs, found["S1"], found["ST"], strict=True)
    }


def identified_by(mu_star: Mapping[str, float]) -> dict[str, bool]:
    """Which parameters the record identifies: Morris ``mu_star`` at least
    ``IDENTIFIED_SHARE`` of the largest (none when nothing moves the objective)."""
    largest = max(mu_star.values(), default=0.0)
    return {n: bool(largest > 0 and v >= IDENTIFIED_SHARE * largest) for n, v in mu_star.items()}


def _search(
    evaluate: _Evaluator,
    start: FloatArray,
    knobs: tuple[Knob, ...],
    method: str,
    evaluations: int,
    seed: int,
) -> None:
    """Move the identified knobs by the method, within ``evaluations`` points."""
    low = np.array([k.low for k in knobs])
    span = np.array([k.high - k.low for k in knobs])

    def scaled(unit: Sequence[Sequence[float]]) -> list[list[float]]:
        return [list(low + span * np.clip(np.asarray(u, dtype=float), 0.0, 1.0)) for u in unit]

    unit0 = np.clip((start - low) / span, 0.0, 1.0)
    if method == "cma":
        options = {
            "bounds": [0.0, 1.0],
            "seed": seed + 1,
            "maxfevals": evaluations,
            "verbose": -9,
        }
        strategy = cma.CMAEvolutionStrategy(unit0.tolist(), CMA_SIGMA, options)
        used = 0
        while not strategy.stop() and used < evaluations:
            asked = strategy.ask()
            asked = asked[: max(evaluations - used, 2)]
            values = evaluate(scaled(asked))
            used += len(asked)
            if len(asked) < strategy.popsize:
                break
            strategy.tell(asked, values)
        return
    population = max(DE_POPULATION, 2)
    generations = max(evaluations // (population * len(knobs)) - 1, 0)

    def batch(unit: FloatArray) -> FloatArray:
        """The objective at a population, one point per column (scipy's vectorised call)."""
        return np.asarray(evaluate(scaled(np.asarray(unit).T.tolist())), dtype=float)

    differential_evolution(
        cast(Any, batch),
        Bounds(np.zeros(len(knobs)), np.ones(len(knobs))),
        maxiter=generations,
        popsize=population,
        seed=seed,
        polish=False,
        init="latinhypercube",
        x0=unit0,
        vectorized=True,
        updating="deferred",
    )


def knobs_named(names: Sequence[str]) -> tuple[Knob, ...]:
    """The knobs of these names, in ``KNOBS``' order; every knob when none are named."""
    known = {k.name for k in KNOBS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(
            [Problem("calibrate", "knob", f"one of {', '.join(sorted(known))}", n) for n in unknown]
        )
    return tuple(k for k in KNOBS if not names or k.name in names)


def _problems(
    method: str, evaluations: int, seeds: Sequence[int], workers: int, trajectories: int, sobol: int
) -> list[Problem]:
    problems = []
    if method not in METHODS:
        problems.append(Problem("calibrate", "method", f"one of {', '.join(METHODS)}", method))
    if evaluations < 1:
        problems.append(Problem("calibrate", "evaluations", "at least 1", str(evaluations)))
    if not seeds:
        problems.append(Problem("calibrate", "seeds", "at least one seed", "none"))
    if workers < 1:
        problems.append(Problem("calibrate", "workers", "at least 1", str(workers)))
    if trajectories < 2:
        problems.append(Problem("calibrate", "trajectories", "at least 2", str(trajectories)))
    if sobol < 0 or (sobol > 0 and sobol & (sobol - 1)):
        problems.append(Problem("calibrate", "sobol", "0 or a power of two", str(sobol)))
    return problems


def calibrate(
    scenario: str | os.PathLike[str] = "ussr-1928",
    course: str = "historical",
    sample: int = DEFAULT_SAMPLE,
    evaluations: int = 60,
    seeds: Sequence[int] = (1, 2),
    knobs: tuple[Knob, ...] = KNOBS,
    method: str = "cma",
    trajectories: int = 4,
    workers: int = 1,
    sobol: int = 0,
    progress: Callable[[int, int, float], None] | None = None,
) -> Calibration:
    """Fit ``knobs`` to the record (see the module's docstring); ``progress(done, total,
    best objective)`` after each point. ``evaluations`` bounds the search's points; the
    screening adds ``trajectories * (len(knobs) + 1)``, and ``sobol`` (a power of two, 0 for
    none) Saltelli's ``sobol * (identified + 2)`` around the fit."""
    problems = _problems(method, evaluations, seeds, workers, trajectories, sobol)
    if problems:
        raise InputError(problems)
    began = time.perf_counter()
    base = load_scenario(scenario, course=course)
    record = within_window(history.calibration())
    months = _months_to_record_end(base, record)
    start = {k.name: float(base.value("parameters", k.name)) for k in knobs}
    seed_list = tuple(int(s) for s in seeds)
    screening = trajectories * (len(knobs) + 1)
    with _executor(workers) as executor:
        evaluate = _Evaluator(
            str(scenario),
            course,
            months,
            sample,
            seed_list,
            record,
            executor,
            knobs,
            {},
            progress,
            screening + evaluations + 1,
        )
        origin = tuple(start[k.name] for k in knobs)
        evaluate([origin])
        mu_star, sigma = _screen(evaluate, knobs, trajectories, seed_list[0])
        identified = identified_by(mu_star)
        fitted = tuple(k for k in knobs if identified[k.name])
        # The search moves the identified knobs only; the others stay at their start.
        search = dataclasses.replace(
            evaluate,
            knobs=fitted,
            fixed={k.name: start[k.name] for k in knobs if not identified[k.name]},
            trials={},
        )
        search([tuple(start[k.name] for k in fitted)])
        if fitted:
            search.best = evaluate.best
            _search(
                search,
                np.array([start[k.name] for k in fitted]),
                fitted,
                method,
                evaluations,
                seed_list[0],
            )
        indices: dict[str, tuple[float, float]] = {}
        if sobol > 0 and fitted:
            best = min(search.trials, key=lambda key: search.trials[key][0])
            around = dataclasses.replace(search, fixed=search.values(best), trials={}, knobs=fitted)
            indices = _sobol(around, fitted, sobol, seed_list[0])
    # Candidates: the start and the search's points (the screening's move every knob).
    candidates = {
        tuple(search.values(key)[k.name] for k in knobs): t for key, t in search.trials.items()
    }
    objective_before, before, table_before = evaluate.trials[origin]
    best_key = min(candidates, key=lambda key: (candidates[key][0], key != origin))
    objective_after, after, table_after = candidates[best_key]
    values = dict(zip((k.name for k in knobs), best_key, strict=True))
    limit = objective_after * (1.0 + RANGE_TOLERANCE)
    ranked = sorted(candidates, key=lambda key: candidates[key][0])
    near = [key for key in ranked if candidates[key][0] <= limit]
    near = near if len(near) >= RANGE_POINTS else ranked[:RANGE_POINTS]
    ranges = {}
    for i, knob in enumerate(knobs):
        if identified[knob.name]:
            points = [key[i] for key in near]
            ranges[knob.name] = (float(min(points)), float(max(points)))
        else:
            ranges[knob.name] = (knob.low, knob.high)
    trials = len(evaluate.trials) + len(search.trials) - 1
    scored = table_after[table_after["error"].notna()]
    return Calibration(
        scenario=base.name,
        course=course,
        sample=sample,
        seeds=seed_list,
        months=months,
        method=method,
        evaluations=trials,
        record_sha256=hashlib.sha256(record.to_csv(index=False).encode("utf-8")).hexdigest(),
        start=start,
        values=values,
        ranges=ranges,
        identified=identified,
        mu_star=mu_star,
        sigma=sigma,
        sobol=indices,
        before=before,
        after=after,
        objective_before=objective_before,
        objective_after=objective_after,
        median_before=float(table_before["error"].dropna().median()),
        median_after=float(scored["error"].median()),
        per_variable_median={
            str(k): float(v) for k, v in scored.groupby("variable")["error"].median().items()
        },
        seconds=time.perf_counter() - began,
    )


def calibration_document(result: Calibration, knobs: tuple[Knob, ...] = KNOBS) -> dict[str, Any]:
    """The calibration as the scenario's ``calibration.yaml``: each parameter with its
    source, range, sensitivity and fit, and the settings that reproduce it."""
    seeds = " ".join(f"--seed {s}" for s in result.seeds)
    command = (
        f"planlab calibrate {result.scenario} --course {result.course} --sample {result.sample}"
        f" --method {result.method} {seeds}"
    )
    fit = ", ".join(
        f"{name} {result.before[name]:.3f} -> {result.after[name]:.3f}"
        for name in sorted(result.after)
    )
    parameters = {}
    for knob in (k for k in knobs if k.name in result.values):
        low, high = result.ranges[knob.name]
        if result.identified[knob.name]:
            how = (
                f"calibrated on calibration.csv (records to 1930) by `{command}`; answers to "
                f"{knob.why}; bounds [{knob.low:g}, {knob.high:g}], start "
                f"{result.start[knob.name]:g}; objective {result.objective_before:.3f} -> "
                f"{result.objective_after:.3f}; points within {RANGE_TOLERANCE:.0%} of the best "
                f"objective span [{low:.4g}, {high:.4g}]."
            )
        else:
            how = (
                f"not identified by calibration.csv (records to 1930): Morris mu_star "
                f"{result.mu_star[knob.name]:.3g} is below {IDENTIFIED_SHARE:.0%} of the "
                f"largest (`{command}`); kept at its assumed value, range its bounds "
                f"[{knob.low:g}, {knob.high:g}]; meant to answer to {knob.why}."
            )
        parameters[knob.name] = {
            "value": round(result.values[knob.name], 6),
            "source": how,
            "range": [round(low, 6), round(high, 6)],
            "identified": result.identified[knob.name],
            "sensitivity": {
                "mu_star": round(result.mu_star[knob.name], 6),
                "sigma": round(result.sigma[knob.name], 6),
                **(
                    {
                        "sobol_first": round(result.sobol[knob.name][0], 6),
                        "sobol_total": round(result.sobol[knob.name][1], 6),
                    }
                    if knob.name in result.sobol
                    else {}
                ),
            },
        }
    return {
        "format": CALIBRATION_FORMAT,
        "scenario": result.scenario,
        "procedure": {
            "course": result.course,
            "households_sample": result.sample,
            "seeds": list(result.seeds),
            "months": result.months,
            "evaluations": result.evaluations,
            "method": {
                "cma": "CMA-ES (cma) on the identified parameters, bounds as the unit cube",
                "de": "differential evolution (scipy) on the identified parameters",
            }[result.method],
            "screening": f"Morris elementary effects (SALib), {MORRIS_LEVELS} levels",
            "identified": f"mu_star at least {IDENTIFIED_SHARE:g} of the largest",
            "ranges": f"points within {RANGE_TOLERANCE:g} (relative) of the best objective, "
            f"at least the {RANGE_POINTS} best",
            "objective": "mean over variables of each variable's mean error (record scorer "
            "rules), averaged over the seeds",
            "record": "calibration.csv",
            "record_sha256": result.record_sha256,
            "command": command,
            "seconds": round(result.seconds, 1),
        },
        "fit": {
            "objective": {
                "before": round(result.objective_before, 6),
                "after": round(result.objective_after, 6),
            },
            "median_error": {
                "before": round(result.median_before, 6),
                "after": round(result.median_after, 6),
            },
            "mean_error_per_variable": {
                name: {
                    "before": round(result.before[name], 6),
                    "after": round(result.after[name], 6),
                }
                for name in sorted(result.after)
            },
            "median_error_per_variable": {
                name: round(value, 6) for name, value in sorted(result.per_variable_median.items())
            },
        },
        "summary": fit,
        "parameters": parameters,
    }
