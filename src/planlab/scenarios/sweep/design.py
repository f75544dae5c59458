"""A sweep's design: which runs, with which seeds and parameter values, drawn before any runs.

Every random number of a sweep comes from one ``numpy.random.SeedSequence`` built on the
sweep's seed:

- each sample ``s`` gets a run seed, the s-th word of the sequence's ``weather`` child; the
  run seed feeds the simulator's own streams (the weather, the households' draws);
- each varied parameter draws its ``samples`` values from its own child, keyed by the
  parameter's name, so that varying one more parameter shifts no other's draws.

Sample ``s`` keeps its seed and parameter values in every course and at every grid point
(common random numbers): two courses differ in a sample only by their levers.

By default a sweep varies the parameters of the scenario's ``calibration.yaml``, each
uniformly over its calibrated range: the ``range: [low, high]`` of the parameter's entry
when the calibration gives one; otherwise, since today's calibration gives an estimate
only, the interval of ``DEFAULT_SPREAD`` times the calibration's search interval
(``planlab.scenarios.calibrate.KNOBS``, or the parameter's ``Spec`` bounds) on each side of
the estimate, cut to that search interval. ``--vary`` replaces any of them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from planlab.documents import YAML_SIZE_LIMIT, load_yaml_text, read_text_file
from planlab.errors import InputError
from planlab.scenarios.calibrate import KNOBS
from planlab.scenarios.storage import (
    CALIBRATION_NAME,
    _scenario_file,
    calibration_document,
    load_scenario,
)
from planlab.scenarios.sweep.distributions import Distribution
from planlab.simulate import Scenario, Setting
from planlab.simulate.scenario import PARAMETERS, POLICIES, Spec

__all__ = [
    "DEFAULT_SPREAD",
    "DEFAULT_WEATHER_NOISE",
    "SWEEP_SAMPLE",
    "Design",
    "SweepSettings",
    "calibrated_ranges",
    "design",
    "lever_spec",
    "with_values",
]

DEFAULT_SPREAD = 0.1
"""Half-width of a calibrated parameter's default range, as a share of the calibration's
search interval. Assumption, until ``planlab calibrate`` writes a range that fits the record
about as well as the estimate (issue 14, item 2): a tenth of the interval each side."""

DEFAULT_WEATHER_NOISE = 0.12
"""Standard deviation of log grain yield a sweep draws the weather with when the scenario
sets no ``harvest_noise``. Assumption: year-to-year variation of grain yields in Russia and
the USSR of the order of 10-15 %, the order of magnitude given for 1883-1915 and the 1920s
in the literature on Soviet harvests (Wheatcroft and Davies); to be fitted with the rest."""

SWEEP_SAMPLE = 1000
"""One household row per this many households in a sweep's runs by default: ten times
coarser than a single course run (``DEFAULT_SAMPLE``), 25,700 rows, so that an ensemble of a
hundred members runs in minutes rather than hours; ``--households`` chooses another."""

WEATHER_STREAM = 0
PARAMETER_STREAM = 1
"""The sweep seed sequence's children: run seeds, and one per varied parameter."""

WEATHER = "harvest_noise"


@dataclass(frozen=True)
class SweepSettings:
    """What a sweep runs: a scenario's courses, ``samples`` draws per course and grid point.

    ``courses`` holds course names, or ``None`` for the scenario without a course; ``vary``
    holds the distributions given explicitly (the calibrated ranges are added by
    :func:`design`); ``grid`` each lever's values, every combination run.
    """

    scenario: str
    courses: tuple[str | None, ...]
    samples: int
    seed: int
    vary: Mapping[str, Distribution] = field(default_factory=dict)
    grid: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    months: int | None = None
    households: int | None = None

    def document(self) -> dict[str, Any]:
        """The settings as JSON-ready data (the sweep's manifest holds them)."""
        return {
            "scenario": self.scenario,
            "courses": list(self.courses),
            "samples": self.samples,
            "seed": self.seed,
            "vary": {name: d.text() for name, d in self.vary.items()},
            "grid": {name: list(values) for name, values in self.grid.items()},
            "months": self.months,
            "households": self.households,
        }


@dataclass(frozen=True)
class Design:
    """The runs of a sweep, one row each: ``run``, ``course``, ``sample``, ``seed``, then one
    column per grid lever and per varied parameter. ``sources`` says where each varied
    parameter's distribution comes from; ``fixed`` holds values set for every run."""

    settings: SweepSettings
    runs: pd.DataFrame
    distributions: Mapping[str, Distribution]
    sources: Mapping[str, str]
    fixed: Mapping[str, float]

    def course_of(self, label: str) -> str | None:
        """The course a ``course`` label of ``runs`` stands for (None: the bare scenario)."""
        return None if label not in self.settings.courses else label

    @property
    def levers(self) -> list[str]:
        """The columns of ``runs`` that set a policy or parameter."""
        return [*self.settings.grid, *self.distributions]

    def digest(self) -> str:
        """A fingerprint of every run's settings: a sweep resumes only into the same design."""
        text = json.dumps(
            {"settings": self.settings.document(), "fixed": dict(self.fixed)}, sort_keys=True
        )
        table = self.runs.to_csv(index=False, float_format="%.17g")
        return hashlib.sha256((text + table).encode("utf-8")).hexdigest()


def lever_spec(name: str, option: str) -> tuple[str, Spec]:
    """The group (``policies`` or ``parameters``) and ``Spec`` of a lever or parameter."""
    for group, table in (("parameters", PARAMETERS), ("policies", POLICIES)):
        if name in table:
            return group, table[name]
    raise InputError.single(
        option, name, "a policy or behavioural parameter of the simulator", "unknown"
    )


def with_values(scenario: Scenario, values: Mapping[str, float], why: str) -> Scenario:
    """The scenario with each named policy or parameter held at a value for the whole run."""
    groups: dict[str, dict[str, Setting]] = {
        "parameters": dict(scenario.parameters),
        "policies": dict(scenario.policies),
    }
    for name, value in values.items():
        group, _ = lever_spec(name, "values")
        groups[group][name] = Setting(float(value), (), why)
    return dataclasses.replace(
        scenario, parameters=groups["parameters"], policies=groups["policies"]
    )


def _declared_ranges(scenario: str | os.PathLike[str]) -> dict[str, tuple[float, float]]:
    """``range: [low, high]`` of each parameter in calibration.yaml, where one is given."""
    file = _scenario_file(scenario).parent / CALIBRATION_NAME
    if not file.is_file():
        return {}
    raw = load_yaml_text(read_text_file(file, str(file), limit=YAML_SIZE_LIMIT), str(file))
    found: dict[str, tuple[float, float]] = {}
    entries = raw.get("parameters") if isinstance(raw, dict) else None
    for name, entry in (entries if isinstance(entries, dict) else {}).items():
        span = entry.get("range") if isinstance(entry, dict) else None
        if isinstance(span, list) and len(span) == 2:
            found[str(name)] = (float(span[0]), float(span[1]))
    return found


def calibrated_ranges(
    scenario: str | os.PathLike[str],
) -> dict[str, tuple[float, float, str]]:
    """Each calibrated parameter's range ``(low, high, where it comes from)``; see the
    module's docstring."""
    document = calibration_document(scenario)
    if document is None:
        return {}
    declared = _declared_ranges(scenario)
    search = {knob.name: (knob.low, knob.high) for knob in KNOBS}
    ranges = {}
    for name, entry in document.parameters.items():
        if name in declared:
            low, high = declared[name]
            ranges[name] = (low, high, "the calibrated range of calibration.yaml")
            continue
        spec = PARAMETERS[name]
        low, high = search.get(name, (spec.low, spec.high))
        if not (np.isfinite(low) and np.isfinite(high)):
            continue
        half = DEFAULT_SPREAD * (high - low)
        ranges[name] = (
            max(low, entry.value - half),
            min(high, entry.value + half),
            f"calibrated value {entry.value:g} ± {DEFAULT_SPREAD:g} of the search interval "
            f"[{low:g}, {high:g}] (calibration.yaml gives no range)",
        )
    return ranges


def _draws(seed: int, name: str, distribution: Distribution, samples: int) -> np.ndarray:
    key = (PARAMETER_STREAM, zlib.crc32(name.encode("utf-8")))
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
    spec = PARAMETERS.get(name) or POLICIES[name]
    return distribution.draw(rng, samples, spec.low, spec.high)


def run_seeds(seed: int, samples: int) -> np.ndarray:
    """The run seed of each sample (whole numbers below 2^32)."""
    sequence = np.random.SeedSequence(seed, spawn_key=(WEATHER_STREAM,))
    return sequence.generate_state(samples, dtype=np.uint32).astype(np.int64)


def design(settings: SweepSettings) -> Design:
    """Every run of the sweep with its seed and values, checked against the scenario.

    >>> plan = design(SweepSettings("ussr-1928", ("historical",), samples=2, seed=7))
    >>> list(plan.runs.columns[:4]), len(plan.runs)
    (['run', 'course', 'sample', 'seed'], 2)
    """
    if settings.samples < 1:
        raise InputError.single("--samples", "samples", "at least 1", str(settings.samples))
    distributions: dict[str, Distribution] = {}
    sources: dict[str, str] = {}
    for name, (low, high, source) in calibrated_ranges(settings.scenario).items():
        if name not in settings.grid:
            distributions[name] = Distribution("uniform", (low, high))
            sources[name] = source
    for name, distribution in settings.vary.items():
        distributions[name] = distribution
        sources[name] = "--vary"
    loaded = [load_scenario(settings.scenario, course=course) for course in settings.courses]
    fixed: dict[str, float] = {}
    chosen = WEATHER in distributions or WEATHER in settings.grid
    if not chosen and all(s.value("parameters", WEATHER) == 0.0 for s in loaded):
        fixed[WEATHER] = DEFAULT_WEATHER_NOISE
    seeds = run_seeds(settings.seed, settings.samples)
    draws = {
        name: _draws(settings.seed, name, d, settings.samples)
        for name, d in sorted(distributions.items())
    }
    points = list(itertools.product(*settings.grid.values())) or [()]
    frames = []
    for course, scenario in zip(settings.courses, loaded, strict=True):
        for point in points:
            frame = pd.DataFrame(
                {
                    "course": course or scenario.name,
                    "sample": np.arange(settings.samples),
                    "seed": seeds,
                    **dict(zip(settings.grid, point, strict=True)),
                    **{name: draws[name] for name in distributions},
                }
            )
            frames.append(frame)
    runs = pd.concat(frames, ignore_index=True)
    runs.insert(0, "run", np.arange(len(runs), dtype=np.int64))
    return Design(settings, runs, distributions, sources, fixed)
