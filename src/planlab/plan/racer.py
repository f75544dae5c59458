"""The racer's side of ``planlab.plan.race``: one HiGHS solve from standard input to output.

Run as ``python -m planlab.plan.racer CALLER``; reads a pickled ``(Arrays, options)``
and writes the pickled ``HighsRun``. On Linux the racer dies with the thread that
started it (process ``CALLER``), so that a caller killed mid-race leaves no solver
running on.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys

__all__: list[str] = []

PR_SET_PDEATHSIG = 1
"""Linux's ``prctl`` option: the signal a process gets when the thread that started it
ends (``<linux/prctl.h>``)."""


def _die_with(caller: int) -> None:
    """Be killed when the caller's starting thread ends; exit at once if the caller is
    already gone (it ended before the request was made)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != caller:
        os._exit(1)


def _serve() -> None:
    """Solve the work read from standard input; only the answer goes to standard output."""
    _die_with(int(sys.argv[1]))
    # Whatever the libraries print (HiGHS's banner) goes to standard error instead.
    answer = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    from planlab.plan.highs import run_highs

    arrays, options = pickle.load(sys.stdin.buffer)
    _, run = run_highs(arrays, options)
    with answer:
        pickle.dump(run, answer, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    _serve()
