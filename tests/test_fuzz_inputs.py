"""Fuzzing the inputs: mutated built-in economies and hostile arguments to the Python API.

Every case must end in a planlab error whose problems are one line each, or in an
accepted object that passes the invariants (validation re-run, productive A, finite
numbers, a finite Leontief solution; for plans, finite fulfilment). Each case runs
under a time guard, so a hang is a failure, not a stuck suite.

The suite's run is some 10^4 cases, drawn the same way every time; ``make fuzz`` (or
``PLANLAB_FUZZ_SCALE=N``) runs N times as many, freshly random each time.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _fuzz import (
    EDGE_NUMBERS,
    EDGE_TEXTS,
    KEYS,
    assert_sane_economy,
    economy_files,
    hostile_values,
    mutated_document,
    outcome,
    write_files,
)
from _guard import time_limit
from planlab.economy import (
    Economy,
    analyse,
    builtin_names,
    gross_output_for,
    load,
    load_builtin,
    resolve,
)
from planlab.plan import PlanResult, build

SCALE = int(os.environ.get("PLANLAB_FUZZ_SCALE", "1"))
"""How many times the suite's number of cases to run (``make fuzz`` sets it)."""

CASE_SECONDS = 10.0
"""Time guard of one case: the slowest legitimate case (a plan of ussr-1928) takes < 1 s."""

ECONOMIES = ("textbook-3", "textbook-3", "ussr-1928")
"""Built-ins to start from; the small one twice as often, as it is five times as quick."""


def fuzz(examples: int) -> settings:
    """Settings of a fuzz test: ``examples`` cases times SCALE, no per-case deadline (the
    time guard is the deadline), reproducible in the suite and random in ``make fuzz``."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        derandomize=SCALE == 1,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


@fuzz(1500)
@given(files=economy_files(ECONOMIES))
def test_mutated_economy_files(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp, time_limit(CASE_SECONDS):
        folder = Path(tmp) / "economy"
        write_files(folder, files)
        result = outcome(lambda: load(folder))
    if isinstance(result, Economy):
        assert_sane_economy(result)


def _arguments(name: str) -> dict[str, Any]:
    """Economy.build's arguments for a built-in, as plain lists and dicts."""
    e = load_builtin(name)
    return {
        "name": e.name,
        "sectors": list(e.names),
        "A": e.A.toarray().tolist(),
        "B": e.B.toarray().tolist(),
        "vectors": {k: e.vectors[k].tolist() for k in e.given if k in e.vectors},
        "scalars": {k: v for k, v in e.scalars.items() if f"scalars.{k}" in e.given},
        "balance_tolerance": e.balance_tolerance,
        "title": e.title,
    }


ARGUMENTS = {name: _arguments(name) for name in builtin_names()}
LOADED = {name: load_builtin(name) for name in builtin_names()}
REQUIRED = ("name", "sectors", "A", "vectors", "scalars")


def _as_given(args: dict[str, Any], form: str) -> dict[str, Any]:
    """The arguments with matrices and vectors as lists, numpy arrays or sparse arrays."""
    out = dict(args)
    for key in ("A", "B"):
        try:
            array = np.array(out[key], dtype=np.float64)
        except (KeyError, TypeError, ValueError, OverflowError):
            continue
        out[key] = {"list": out[key], "dense": array}.get(form)
        if form == "sparse":
            out[key] = sp.csr_array(array) if array.ndim == 2 else array
    return out


@fuzz(5000)
@given(
    drawn=st.one_of(
        *(st.tuples(st.just(n), mutated_document(ARGUMENTS[n])) for n in sorted(set(ECONOMIES)))
    ),
    form=st.sampled_from(["list", "dense", "sparse"]),
)
def test_economy_build_with_hostile_arguments(drawn: tuple[str, Any], form: str) -> None:
    name, args = drawn
    # Python's own rules come first: keywords are texts and the required ones are given.
    args = {k: v for k, v in args.items() if isinstance(k, str)}
    for key in REQUIRED:
        args.setdefault(key, ARGUMENTS[name][key])
    given_args = _as_given(args, form)
    with time_limit(CASE_SECONDS):
        result = outcome(lambda: Economy.build(**given_args))
    if isinstance(result, Economy):
        assert_sane_economy(result)


ECONOMY_CALLS = ("analyse", "gross_output_for", "vector", "index", "builtin", "resolve", "replace")


@fuzz(2000)
@given(
    name=st.sampled_from(ECONOMIES),
    call=st.sampled_from(ECONOMY_CALLS),
    value=hostile_values(),
    key=st.one_of(KEYS, st.sampled_from(sorted(ARGUMENTS["textbook-3"]))),
)
def test_economy_api_with_hostile_arguments(name: str, call: str, value: Any, key: str) -> None:
    economy = LOADED[name]
    calls = {
        "analyse": lambda: analyse(economy, value),
        "gross_output_for": lambda: gross_output_for(economy, value),
        "vector": lambda: economy.vector(value),
        "index": lambda: economy.index(value),
        "builtin": lambda: load_builtin(value),
        "resolve": lambda: resolve(value),
        "replace": lambda: economy.replace(**{key: value}),
    }
    with time_limit(CASE_SECONDS):
        result = outcome(calls[call])
    if isinstance(result, Economy):
        assert_sane_economy(result)
    elif isinstance(result, np.ndarray):
        assert np.isfinite(result).all()


SECTOR_KEYS = st.one_of(
    st.sampled_from(load_builtin("textbook-3").names),
    KEYS,
    st.tuples(st.sampled_from(load_builtin("textbook-3").names), st.sampled_from(EDGE_NUMBERS)),
    st.tuples(st.sampled_from(load_builtin("textbook-3").names), st.integers(-1, 4)),
    hostile_values(0).filter(lambda v: v is None or isinstance(v, int | float)),
)
LEVELS = st.one_of(
    st.floats(1.0, 100.0), st.sampled_from(EDGE_NUMBERS), st.sampled_from(EDGE_TEXTS), st.none()
)
LEVEL_MAPS = st.one_of(
    st.none(),
    st.dictionaries(SECTOR_KEYS, LEVELS, max_size=3),
    hostile_values(),
)


@fuzz(1500)
@given(
    years=st.one_of(st.integers(1, 3), st.sampled_from([0, -1, 101, 2.5, "3", None, True])),
    targets=LEVEL_MAPS,
    objective=st.sampled_from(["harmony", "weighted", "fastest", None]),
    weights=LEVEL_MAPS,
    cap=st.one_of(
        st.none(), st.floats(0.5, 2.0), st.sampled_from(EDGE_NUMBERS), st.text(max_size=3)
    ),
    required=st.one_of(st.none(), st.dictionaries(SECTOR_KEYS, LEVELS, max_size=2)),
)
def test_plan_build_with_hostile_arguments(
    years: Any, targets: Any, objective: Any, weights: Any, cap: Any, required: Any
) -> None:
    economy = LOADED["textbook-3"]
    with time_limit(CASE_SECONDS):
        result = outcome(
            lambda: build(
                economy, years, targets, objective, weights=weights, cap=cap, required=required
            )
        )
    if isinstance(result, PlanResult) and result.feasible:
        fulfilment = result.fulfilment["fulfilment"].to_numpy(dtype=float)
        assert np.isfinite(fulfilment).all() and (fulfilment >= -1e-9).all()
        levels = result.sectors.select_dtypes("number").to_numpy(dtype=float)
        assert np.isfinite(levels).all()
        assert math.isfinite(result.objective_value)
