"""Worker processes for runs in parallel: how they start, and how many threads a run uses.

Shared by the sweeps and the calibration. Runs in parallel are the parallelism, so each
run's own kernels (numba, OpenMP, BLAS) use one thread: measured on this 2-core machine
under load, 27 months of the historical course at one row per 2,000 households took
10.9 s with the libraries' default threads and 0.29 s with one, with the same results.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import numba
from threadpoolctl import threadpool_limits

__all__ = ["process_pool", "threads_limited"]


@contextlib.contextmanager
def threads_limited(threads: int) -> Iterator[None]:
    """Numba's kernels, OpenMP and BLAS on at most ``threads`` threads while inside."""
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        numba.set_num_threads(before)


def process_pool(workers: int, *preload: str) -> ProcessPoolExecutor:
    """A pool of worker processes started by a fork server that has imported ``preload``.

    Not plain ``fork``: a process whose household kernels have run (numba's OpenMP threads)
    cannot be forked safely; the fork server is a fresh process, and forking from it
    spares each worker the imports.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)
