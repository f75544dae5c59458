"""HiGHS solves raced in processes of their own, one core each: runs come back as they end.

HiGHS's PDLPs take no interrupt, so a solve that has lost a race can only be
stopped with its process. Each racer is a fresh interpreter running
``planlab.plan.racer``: it reads the arrays and HiGHS's options from a pipe and
writes back a ``HighsRun``. Nothing of the caller's main module is run again (as
multiprocessing's spawn and forkserver would), and nothing is forked from a process
whose other threads may hold locks.

Racers take a core each from one count per process (``usable_cores``). A race's
first racer waits for a core; the others start as soon as one is free: alone, a
race runs its solvers at once; beside another race (the tempo check's two LPs),
its second solver starts when the other race's first one ends, so that no core
idles while a solve that may not converge runs on. A racer that ends without an
answer (out of memory, killed) comes back as a run without a point, with the status
of a solve error.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import IO, cast

import highspy

from planlab.cores import usable_cores
from planlab.plan.highs import HighsRun, Option
from planlab.plan.verify import Arrays

__all__ = ["Race", "racers_cpu", "racing"]

LOOK_FOR_A_CORE = 0.25
"""Seconds between two looks for a free core while a race has racers still to start
(assumption: short beside any solve worth racing, long beside the cost of a look)."""
_RACER = (sys.executable, "-m", "planlab.plan.racer")
_CORES = threading.BoundedSemaphore(usable_cores())
"""The cores racers may take, one each, shared by every race of this process."""
_ENDED = threading.local()
"""Per thread: the CPU seconds of the racers it has started, once they have ended."""


@dataclass
class _Racer:
    process: subprocess.Popen[bytes]
    solver: str


class Race:
    """One HiGHS solve of an LP per named set of options, each started when a core is free
    (in order); iterating yields each run with its name as it ends."""

    def __init__(
        self,
        arrays: Arrays,
        options: Sequence[tuple[str, Mapping[str, Option]]],
        deadline: float | None = None,
    ) -> None:
        self._arrays = arrays
        self._deadline = deadline
        self._waiting = list(options)
        self._running: dict[int, _Racer] = {}
        self.started = 0
        """How many racers have started so far."""
        self.stopped: list[str] = []
        """The solvers of the racers stopped before they ended, by ``stop``."""

    def __iter__(self) -> Iterator[tuple[str, HighsRun]]:
        while self._waiting or self._running:
            # The first racer waits for its core; the others take one only if it is free.
            while self._waiting and _CORES.acquire(blocking=not self._running):
                name, options = self._waiting.pop(0)
                if self._deadline is not None:
                    left = max(0.0, self._deadline - time.perf_counter())
                    options = {**options, "time_limit": left}
                try:
                    racer = _start(self._arrays, name, options)
                except BaseException:
                    _CORES.release()
                    raise
                self.started += 1
                self._running[cast(IO[bytes], racer.process.stdout).fileno()] = racer
            timeout = LOOK_FOR_A_CORE if self._waiting else None
            for ready in wait(list(self._running), timeout=timeout):
                racer = self._running.pop(cast(int, ready))
                try:
                    run = pickle.load(cast(IO[bytes], racer.process.stdout))
                except (EOFError, pickle.UnpicklingError):
                    run = HighsRun(highspy.HighsModelStatus.kSolveError, None, None)
                _ended(racer)
                yield racer.solver, run

    def stop(self) -> None:
        """Stop every racer still running."""
        while self._running:
            racer = self._running.popitem()[1]
            self.stopped.append(racer.solver)
            _ended(racer)


@contextmanager
def racing(
    arrays: Arrays,
    options: Sequence[tuple[str, Mapping[str, Option]]],
    deadline: float | None = None,
) -> Iterator[Race]:
    """A ``Race`` of HiGHS's solves of ``arrays``, one per named set of ``options`` (the
    name labels its run), each given what is left until ``deadline`` (a
    ``time.perf_counter`` reading) as its time limit when it starts; leaving the block
    stops every racer still running. The CPU seconds of all of them count to this
    thread's ``racers_cpu``."""
    race = Race(arrays, options, deadline)
    try:
        yield race
    finally:
        race.stop()


def racers_cpu() -> float:
    """CPU seconds of the racers this thread has started and that have ended."""
    return float(getattr(_ENDED, "cpu", 0.0))


def _start(arrays: Arrays, name: str, options: Mapping[str, Option]) -> _Racer:
    """A racer started and handed its work (a racer already gone is found out when its
    answer is read)."""
    process = subprocess.Popen(
        (*_RACER, str(os.getpid())),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    stdin = cast(IO[bytes], process.stdin)
    try:
        pickle.dump((arrays, dict(options)), stdin, protocol=pickle.HIGHEST_PROTOCOL)
        stdin.close()
    except BrokenPipeError:
        pass
    return _Racer(process, name)


def _ended(racer: _Racer) -> None:
    """Kill a racer that still runs (a solver needs no tidying up), reap it, give back its
    core and count its CPU seconds to this thread."""
    process = racer.process
    pid, status, usage = os.wait4(process.pid, os.WNOHANG)
    if pid == 0:
        os.kill(process.pid, signal.SIGKILL)
        pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()
    _CORES.release()
    _ENDED.cpu = racers_cpu() + usage.ru_utime + usage.ru_stime
