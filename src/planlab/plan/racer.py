"""The racer's side of ``planlab.plan.race``: one HiGHS solve from standard input to output.

Run as ``python -m planlab.plan.racer``; reads a pickled ``(Arrays, options)`` and
writes the pickled ``HighsRun``.
"""

from __future__ import annotations

import os
import pickle
import sys

__all__: list[str] = []


def _serve() -> None:
    """Solve the work read from standard input; only the answer goes to standard output."""
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
