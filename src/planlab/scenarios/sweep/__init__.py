"""Ensembles: a scenario's courses run many times over drawn parameters, weather and levers.

``design`` draws every run's seed and values from one seed sequence, ``run_sweep`` runs
them in batches through a ``concurrent.futures`` executor (local processes or a Dask
cluster) into one partitioned Parquet dataset, resuming where a sweep stopped, and
``read_sweep`` reads it back.
"""

from planlab.scenarios.sweep.design import (
    DEFAULT_SPREAD,
    DEFAULT_WEATHER_NOISE,
    Design,
    SweepSettings,
    calibrated_ranges,
    design,
)
from planlab.scenarios.sweep.distributions import SYNTAX, Distribution, parse_distribution
from planlab.scenarios.sweep.execute import BatchDone, Outcome, open_executor, run_sweep
from planlab.scenarios.sweep.store import Sweep, read_sweep

__all__ = [
    "DEFAULT_SPREAD",
    "DEFAULT_WEATHER_NOISE",
    "SYNTAX",
    "BatchDone",
    "Design",
    "Distribution",
    "Outcome",
    "Sweep",
    "SweepSettings",
    "calibrated_ranges",
    "design",
    "open_executor",
    "parse_distribution",
    "read_sweep",
    "run_sweep",
]
