"""HiGHS's two PDLPs raced in processes of their own (``planlab.plan.race``).

A race returns the first answer and stops the solver still running; a second racer
waits for a free core; a racer that dies leaves the LP to the next solver. Each test
makes one of HiGHS's codes slow by asking it for far more accuracy than the other
(``hipdlp`` asked for 1e-12 takes about 90,000 iterations on this plan, cuPDLP-C asked
for 1e-4 about 7,000), so that which one ends first does not depend on timing.
"""

from __future__ import annotations

import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import highspy
import pytest

from planlab.economy import load_builtin
from planlab.plan import lp as lp_module
from planlab.plan import race as race_module
from planlab.plan.build import _with_targets
from planlab.plan.formulation import PlanModel, PlanSettings, make_targets
from planlab.plan.highs import Option
from planlab.plan.lp import HIGHS_FALLBACK, HIGHS_FIRST_ORDER, Status

SLOW = 1e-12
"""The accuracy asked of the slow racer."""


def _plan(name: str = "ussr-1928") -> PlanModel:
    economy = load_builtin(name)
    targets = make_targets(
        economy, 5, {s: 2.0 * x for s, x in zip(economy.names, economy.gross_output, strict=True)}
    )
    return _with_targets(economy, PlanSettings(years=5), targets, "weighted", {}, cap=1.0)


@pytest.fixture
def slow_hipdlp(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``hipdlp`` asked for ``SLOW``, cuPDLP-C as usual; two cores for racers."""
    options = lp_module._highs_options

    def slowed(chosen: str, accuracy: float, limit: float | None, solver: str) -> dict[str, Option]:
        chosen_options = options(chosen, accuracy, limit, solver)
        if solver == HIGHS_FIRST_ORDER:
            chosen_options |= {"kkt_tolerance": SLOW, "pdlp_iteration_limit": 10**6}
        return chosen_options

    monkeypatch.setattr(lp_module, "_highs_options", slowed)
    monkeypatch.setattr(race_module, "_CORES", threading.BoundedSemaphore(2))
    yield


def test_a_race_takes_the_first_answer_and_stops_the_solver_still_running(
    slow_hipdlp: None,
) -> None:
    exact = _plan().lp.solve(method="simplex")
    cpu = race_module.racers_cpu()
    raced = _plan().lp.solve(method="pdlp", race=True)
    # In turn, hipdlp would have answered alone: ((HIGHS_FIRST_ORDER, "optimal"),).
    assert raced.solvers == ((HIGHS_FALLBACK, "optimal"), (HIGHS_FIRST_ORDER, "stopped"))
    assert raced.status is Status.OPTIMAL and raced.runs == 2
    assert raced.objective == pytest.approx(exact.objective, rel=1e-3)
    assert max(raced.primal_infeasibility, raced.dual_infeasibility, raced.gap) <= 1e-4
    # Both racers' CPU seconds are counted to this thread once they have ended.
    assert race_module.racers_cpu() > cpu


def test_a_second_racer_waits_for_a_free_core(
    slow_hipdlp: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One core: cuPDLP-C would start only once hipdlp had ended, and then is not needed.
    monkeypatch.setattr(race_module, "_CORES", threading.BoundedSemaphore(1))
    raced = _plan().lp.solve(method="pdlp", race=True)
    assert raced.solvers == ((HIGHS_FIRST_ORDER, "optimal"),)
    assert raced.runs == 1


def test_racers_that_die_leave_the_lp_to_ortools(monkeypatch: pytest.MonkeyPatch) -> None:
    # A racer that ends without an answer (here: one that reads its work and exits) comes
    # back as a solve error; with both gone, OR-Tools' PDLP solves the LP in this process.
    gone = (sys.executable, "-c", "import sys; sys.stdin.read()")
    monkeypatch.setattr(race_module, "_RACER", gone)
    raced = _plan("textbook-3").lp.solve(method="pdlp", race=True)
    assert sorted(raced.solvers[:2]) == sorted(
        [(HIGHS_FIRST_ORDER, "solve error"), (HIGHS_FALLBACK, "solve error")]
    )
    assert raced.solvers[2:] == (("ortools", "optimal"),)
    assert raced.status is Status.OPTIMAL
    assert max(raced.primal_infeasibility, raced.dual_infeasibility, raced.gap) <= 1e-4


def test_a_racer_gets_what_is_left_of_the_time_limit_when_it_starts() -> None:
    arrays = _plan().lp.arrays(scaled=True)
    spent = time.perf_counter() - 1.0
    # hipdlp stops at its time limit at once (cuPDLP-C looks at the clock only now and
    # then); asked for SLOW, it would otherwise run on for about 90,000 iterations.
    late = [("late", {"solver": "hipdlp", "kkt_tolerance": SLOW})]
    with race_module.racing(arrays, late, deadline=spent) as race:
        ((solver, run),) = list(race)
    assert solver == "late"
    assert run.status == highspy.HighsModelStatus.kTimeLimit


def test_a_solve_without_an_answer_still_lists_its_runs() -> None:
    # hipdlp stops at a time limit of zero at once and returns no point: no answer, and no
    # other solver tried (a limit of time is not one of iterations).
    stopped = _plan().lp.solve(method="pdlp", time_limit=0.0, race=False)
    assert stopped.status is Status.OTHER
    assert stopped.solvers == ((HIGHS_FIRST_ORDER, "time limit"),) and stopped.runs == 1


def test_lps_race_by_default_only_in_the_sizes_and_on_the_cores_set_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lp_module, "usable_cores", lambda: 2)
    sizes = (lp_module.RACE_FROM - 1, lp_module.RACE_FROM, lp_module.LARGE_ABOVE + 1)
    assert [lp_module._races(None, n) for n in sizes] == [False, True, False]
    assert lp_module._races(True, 10) and not lp_module._races(False, lp_module.RACE_FROM)
    monkeypatch.setattr(lp_module, "usable_cores", lambda: 1)
    assert not lp_module._races(None, lp_module.RACE_FROM)


_CALLER = """
import sys, threading, time
import numpy as np
import scipy.sparse as sp
from planlab.plan import race
from planlab.plan.verify import Arrays

# A random LP the simplex takes minutes on: the racer is still solving when its caller dies.
rng = np.random.default_rng(0)
rows, cols = 30_000, 60_000
matrix = sp.random(rows, cols, density=8 / rows, random_state=rng, format="csc")
arrays = Arrays(matrix, -rng.random(cols), np.zeros(cols), np.full(cols, np.inf),
                np.full(rows, -np.inf), rng.random(rows) * 10)
running = race.Race(arrays, [("simplex", {"solver": "simplex"})])
threading.Thread(target=lambda: next(iter(running)), daemon=True).start()
deadline = time.monotonic() + 60
while not running._running and time.monotonic() < deadline:
    time.sleep(0.05)
print(next(iter(running._running.values())).process.pid, flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    """Whether a process is alive and not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's parent-death signal")
def test_a_racer_dies_with_the_process_that_started_it() -> None:
    caller = subprocess.Popen([sys.executable, "-c", _CALLER], stdout=subprocess.PIPE, text=True)
    try:
        assert caller.stdout is not None
        ready, _, _ = select.select([caller.stdout], [], [], 90.0)
        assert ready, "the caller did not start its racer"
        racer = int(caller.stdout.readline())
        assert _running(racer)
        caller.kill()
        caller.wait()
        deadline = time.monotonic() + 10.0
        while _running(racer) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(racer)
    finally:
        caller.kill()
        caller.wait()
        if caller.stdout is not None:
            caller.stdout.close()
