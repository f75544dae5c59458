"""One seed per run, spawned into named, independent random streams.

A run's seed feeds one ``numpy.random.SeedSequence``; each part of the model that
draws random numbers takes its own child of it, by name, so that adding draws to
one part never shifts another's and no two generators share a seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["STREAMS", "Streams", "streams"]

STREAMS = ("initial", "weather", "households")
"""The named streams, in spawn order (a new stream goes at the end, so old ones keep theirs)."""


@dataclass(frozen=True)
class Streams:
    """The run's child seed sequences, one per part of the model."""

    initial: np.random.SeedSequence
    """The households' initial draw."""
    weather: np.random.SeedSequence
    """Each year's harvest shock."""
    households: np.random.SeedSequence
    """The households' monthly decisions."""


def streams(seed: int) -> Streams:
    """The named streams of a run with this seed."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return Streams(**dict(zip(STREAMS, children, strict=True)))
