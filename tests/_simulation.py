"""Shared helpers of simulator tests: the goods balance, term by term, and writing runs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
History = Mapping[str, FloatArray]

TOLERANCE = 1e-9
USES = (
    "use",
    "farm_use",
    "materials",
    "exports",
    "state_use",
    "retail",
    "own_use",
    "free_sold",
    "defective",
)
"""Where a month's output and imports go, besides the change in stocks."""


def tiny(scale: FloatArray) -> FloatArray:
    """The scale, kept off zero so that it can divide."""
    return np.maximum(scale, np.finfo(float).tiny)


def assert_goods_balance(h: History) -> None:
    """output + imports = every use + brak + change in stocks, per good and month."""
    supply = h["output"] + h["imports"]
    uses = sum((h[name] for name in USES), np.zeros_like(supply))
    change = np.diff(h["stocks"], axis=0)
    cell = supply + uses + h["stocks"][:-1] + h["stocks"][1:]
    # A month in which a good's flows all vanish is judged against that good's usual size.
    scale = cell + cell.mean(axis=0, keepdims=True)
    gap = np.abs(supply - (uses + change))
    worst = np.unravel_index(np.argmax(gap / tiny(scale)), gap.shape)
    assert np.all(gap <= TOLERANCE * scale), f"goods out of balance at (month, good) {worst}"


def write_series(series: pd.DataFrame, folder: Path) -> None:
    """A run's series as the simulator writes it: folder/series.csv with ISO dates."""
    folder.mkdir(parents=True)
    series.assign(date=series["date"].dt.strftime("%Y-%m-%d")).to_csv(
        folder / "series.csv", index=False
    )
