"""Fuzzing scenario files and the run's arguments: a planlab error, or a scenario that runs.

Hypothesis mutates a scenario document (structure, types, values, dates, text) and
calls ``run`` with bad arguments. Each case must end in an ``InputError`` with one line
per problem, or in a scenario that runs 12 months with finite stocks, capacity, output,
money and prices everywhere they are defined. ``PLANLAB_FUZZ_EXAMPLES`` raises the number
of cases (``make fuzz``).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from planlab.economy import load_builtin
from planlab.errors import InputError, PlanlabError
from planlab.scenarios import load_scenario
from planlab.simulate import EXOGENOUS, INITIAL, PARAMETERS, POLICIES, Scenario, run

EXAMPLES = int(os.environ.get("PLANLAB_FUZZ_EXAMPLES", "1000"))
CASE_SECONDS = 20
"""Per-case time guard: a case that takes longer is a hang, and fails."""
FINITE = ("output", "capacity", "stocks", "currency", "reserves", "debt", "usable", "imports")

BASE: dict[str, Any] = {
    "format": "planlab-scenario/1",
    "name": "fuzz",
    "title": "A scenario to mutate",
    "economy": "textbook-3",
    "start": "1928-10-01",
    "months": 24,
    "seed": 1,
    "default_growth": {"value": 0.05, "source": "assumption: test"},
    "growth": {"industry_1": {"value": 0.1, "source": "assumption: test"}},
    "priority": {"industry_1": 2},
    "policies": {
        "pressure": {"value": 0.1, "source": "assumption: test"},
        "emission_cap": {
            "value": 1000.0,
            "source": "assumption: test",
            "changes": [{"date": "1929-04-01", "value": 10.0}],
        },
    },
    "parameters": {"velocity": {"value": 0.4, "source": "assumption: test"}},
    "exogenous": {"harvest": {"value": 1.0, "source": "assumption: test"}},
    "initial": {
        "currency": {"value": 10.0, "source": "assumption: test"},
        "wage": {"value": 1.0, "source": "assumption: test"},
    },
}

NAMES = {
    "policies": sorted(POLICIES),
    "parameters": sorted(PARAMETERS),
    "exogenous": sorted(EXOGENOUS),
    "initial": sorted(INITIAL),
}

plausible = st.one_of(st.floats(0.0, 1.0), st.floats(0.0, 3.0), st.integers(0, 5))
wild = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-2.0, 2.0),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, -1, 0.5, 1e300, -1e300, 1e-300]),
)
numbers = st.one_of(plausible, plausible, wild)
junk = st.one_of(
    numbers,
    st.text(max_size=12),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
in_run = st.dates(dt.date(1928, 10, 1), dt.date(1930, 9, 1)).map(
    lambda d: d.replace(day=1).isoformat()
)
dates = st.one_of(
    in_run,
    in_run,
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 28)).map(lambda d: d.isoformat()),
    st.text(max_size=10),
)


@st.composite
def setting(draw: st.DrawFn) -> Any:
    """A setting entry, often well-formed, sometimes not."""
    if draw(st.integers(0, 9)) == 0:
        return draw(junk)
    entry: dict[str, Any] = {
        "value": draw(numbers),
        "source": draw(st.sampled_from(["assumption: fuzz"] * 4 + ["x", ""])),
    }
    if draw(st.booleans()):
        entry["changes"] = draw(
            st.lists(
                st.fixed_dictionaries({"date": dates, "value": numbers}), min_size=1, max_size=2
            )
        )
    return entry


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, Any]:
    """One change to the document: a path and what goes there (``None`` deletes)."""
    kind = draw(st.integers(0, 9))
    if kind <= 5:
        group = draw(st.sampled_from(sorted(NAMES)))
        name = draw(
            st.one_of(
                st.sampled_from(NAMES[group]),
                st.sampled_from(NAMES[group]),
                st.text(min_size=1, max_size=8),
            )
        )
        return f"{group}.{name}", draw(setting())
    if kind == 6:
        field = draw(st.sampled_from(["months", "seed", "start", "economy", "name", "format"]))
        return field, draw(st.one_of(junk, dates))
    if kind == 7:
        field = draw(st.sampled_from(["growth", "priority", "revised_growth"]))
        sector = draw(st.one_of(st.sampled_from(["industry_1", "industry_3"]), st.text(max_size=6)))
        value = draw(numbers) if field == "priority" else draw(setting())
        return f"{field}.{sector}", value
    if kind == 8:
        return draw(st.sampled_from(["default_growth", "agriculture", "machinery", "grain"])), draw(
            st.one_of(setting(), junk, st.just(["industry_2"]))
        )
    return draw(st.text(min_size=1, max_size=8)), draw(junk)


def apply(document: dict[str, Any], path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if not rest:
        document[head] = value
        return
    inner = document.setdefault(head, {})
    if isinstance(inner, dict):
        inner[rest] = value
    else:
        document[head] = {rest: value}


@contextmanager
def time_guard(seconds: int) -> Iterator[None]:
    """Fail a case that runs longer than ``seconds`` (a hang), by SIGALRM."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"a fuzz case ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_run(scenario: Scenario) -> None:
    result = run(scenario, months=min(12, scenario.months))
    for name in FINITE:
        values = np.asarray(result.history[name])
        assert np.all(np.isfinite(values)), f"{name} not finite"
    series = result.series
    assert series["value"].notna().sum() > 0
    assert not np.isinf(series["value"].to_numpy(dtype=float)).any()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(changes=st.lists(mutation(), min_size=1, max_size=3))
def test_mutated_scenarios_give_a_planlab_error_or_run(
    tmp_path_factory: pytest.TempPathFactory, changes: list[tuple[str, Any]]
) -> None:
    document = copy.deepcopy(BASE)
    for path, value in changes:
        apply(document, path, value)
    try:
        text = yaml.safe_dump(document, allow_unicode=True)
    except yaml.YAMLError:
        return
    folder = tmp_path_factory.mktemp("scenario")
    (folder / "scenario.yaml").write_text(text, encoding="utf-8")
    with time_guard(CASE_SECONDS):
        try:
            scenario = load_scenario(folder / "scenario.yaml")
        except InputError as error:
            assert error.lines()
            assert all("\n" not in line for line in error.lines())
            event("refused")
            return
        event("accepted")
        check_run(scenario)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True)
@given(
    months=st.one_of(junk, st.integers(-5, 40), st.just(1201)),
    seed=st.one_of(junk, st.integers(-5, 2**40)),
)
def test_run_arguments_give_a_planlab_error_or_run(months: Any, seed: Any) -> None:
    scenario = FUZZ_SCENARIO
    with time_guard(CASE_SECONDS):
        try:
            result = run(scenario, months=months, seed=seed)
        except PlanlabError as error:
            assert str(error) and "\n" not in str(error).strip()
            return
    expected = scenario.months if months is None else months
    assert isinstance(expected, int) and not isinstance(expected, bool)
    assert 1 <= expected <= 1200
    assert len(result.dates) == expected + 1
    assert math.isfinite(float(result.history["currency"][-1]))


def _fuzz_scenario() -> Scenario:
    return Scenario(
        name="arguments",
        economy=load_builtin("textbook-3"),
        start=dt.date(2000, 1, 1),
        months=3,
        policies={},
        parameters={},
        exogenous={},
        initial={},
    )


FUZZ_SCENARIO = _fuzz_scenario()
