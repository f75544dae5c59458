"""Fodder: what the herds eat, and what happens to animals the village cannot feed.

Each species has a yearly ration per head of grain (oats, barley, bran) and of roughage
(hay, straw and pasture), counted together in feed units (the Soviet ``kormovaya
edinitsa``: the feed value of one tonne of oats). A household's animals get their grain
from what is left after the quota and the family's food (``grain.py``), and their
roughage from its meadows and pasture, which give the base herd its ration in a normal
year and follow the year's weather. A household's roughage is shared over its animals in
proportion to their roughage rations, then its grain in proportion to their grain
rations and the roughage they went without (grain stands in for hay, never the
reverse): pigs, on grain alone, feel a grain squeeze at once. A species fed a share
``f`` of its ration loses ``unfed_loss * (1 - f)`` of its head that month, slaughtered
or starved, so that a herd shrinks towards what its fodder keeps. A bad harvest or a
heavy quota kills animals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.simulate._household_month import REMOVED, _jit

__all__ = ["Feeding", "FodderRules", "feed_herds", "monthly_ration"]

FloatArray = NDArray[np.float64]


SPECIES = 4
"""Horses, cattle, pigs, sheep and goats (``households.ANIMALS``)."""


@dataclass(frozen=True)
class FodderRules:
    """Rations per head and year (tonnes) for horses, cattle, pigs, sheep and goats, in the
    order of ``households.ANIMALS``, and how herds answer a shortfall."""

    grain_ration: tuple[float, ...] = (0.46, 0.06, 0.18, 0.006)
    """Grain per head and year. Assumption for the proportions (no per-head series in the
    record): a working peasant horse got oats, well below the feed-unit norms of state
    stables; a cow some bran and meal; a pig mostly grain; sheep and goats almost none.
    The level is derived: the herds of summer 1928 (calibration.csv) eat 25.4 Mt, the
    economy's own feed flow in its first month (ussr-1928 A.csv, grain into livestock 0.43
    per unit of livestock output), so that households ration the feed the farm branches
    keep; it is about a third of the harvest, as in the grain balances of the late 1920s."""
    roughage_ration: tuple[float, ...] = (2.0, 1.6, 0.0, 0.25)
    """Hay, straw and pasture per head and year, tonnes of hay (assumption: a winter's
    stall feed of six to seven months at 8-10 kg a day for a horse or a cow, pasture the
    rest of the year counted as its hay equivalent; pigs on grain and scraps)."""
    roughage_feed_value: float = 0.45
    """Feed units in a tonne of meadow hay, against 1 for a tonne of oats (the Soviet
    feed-unit convention; the value of meadow hay is an assumption from the usual feed
    tables, 0.4-0.5)."""
    unfed_loss: float = 1.0 / 3.0
    """Share of a species' unfed head lost in a month, slaughtered or starved (assumption:
    a peasant slaughters what he cannot feed within about a season, three months)."""

    def __post_init__(self) -> None:
        for name in ("grain_ration", "roughage_ration"):
            values = getattr(self, name)
            if len(values) != SPECIES or min(values) < 0:
                raise ValueError(f"{name} holds one non-negative ration per species")
        if not 0.0 <= self.unfed_loss <= 1.0:
            raise ValueError("unfed_loss is a share of a month, 0 to 1")
        if self.roughage_feed_value < 0.0:
            raise ValueError("roughage_feed_value is not negative")


def monthly_ration(
    horses: FloatArray,
    cattle: FloatArray,
    pigs: FloatArray,
    sheep_goats: FloatArray,
    per_head: tuple[float, ...],
) -> FloatArray:
    """Each household's ration for its animals in a month, from a yearly ``per_head`` ration
    of each species (``FodderRules.grain_ration`` or ``roughage_ration``), tonnes.

    >>> one = np.ones(1)
    >>> round(float(monthly_ration(one, one, one, one, FodderRules().grain_ration)[0] * 12), 3)
    0.706
    """
    monthly = np.asarray(per_head, dtype=np.float64) / MONTHS_PER_YEAR
    return _ration(horses, cattle, pigs, sheep_goats, monthly)


@_jit()
def _ration(
    horses: FloatArray,
    cattle: FloatArray,
    pigs: FloatArray,
    sheep_goats: FloatArray,
    per_head: FloatArray,
) -> FloatArray:
    """``monthly_ration`` in one pass (``per_head`` already monthly)."""
    out = np.empty(horses.size)
    for i in range(horses.size):
        out[i] = (
            per_head[0] * horses[i]
            + per_head[1] * cattle[i]
            + per_head[2] * pigs[i]
            + per_head[3] * sheep_goats[i]
        )
    return out


@dataclass(frozen=True)
class Feeding:
    """A month's feeding, per species in the order of ``households.ANIMALS`` (weighted)."""

    lost: FloatArray
    """Head slaughtered or starved for want of fodder."""
    needed: FloatArray
    """Feed units the rations ask."""
    fed: FloatArray
    """Feed units given."""

    @property
    def share(self) -> float:
        """Share of all the herds' rations fed, in feed units (1 with no animals)."""
        total = float(self.needed.sum())
        return float(self.fed.sum()) / total if total > 0 else 1.0


def feed_herds(
    herds: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    weight: FloatArray,
    status: NDArray[np.int8],
    grain: FloatArray,
    roughage: FloatArray,
    rules: FodderRules,
) -> Feeding:
    """A month of feeding, updating the herds in place: ``grain`` and ``roughage`` (tonnes
    of hay) per household are what its animals get.

    >>> herds = (np.ones(1), np.ones(1), np.ones(1), np.zeros(1))
    >>> f = feed_herds(herds, np.ones(1), np.zeros(1, dtype=np.int8),
    ...     np.full(1, 0.05), np.full(1, 0.3), FodderRules())
    >>> (f.fed[:3] / f.needed[:3]).round(2).tolist(), round(float(herds[2][0]), 3)
    ([0.95, 0.99, 0.86], 0.952)
    """
    lost, needed, fed = _feed(
        herds[0],
        herds[1],
        herds[2],
        herds[3],
        weight,
        status,
        grain,
        roughage,
        np.array(rules.grain_ration) / MONTHS_PER_YEAR,
        np.array(rules.roughage_ration) / MONTHS_PER_YEAR,
        rules.roughage_feed_value,
        rules.unfed_loss,
    )
    return Feeding(lost, needed, fed)


@_jit()
def _feed(
    horses: FloatArray,
    cattle: FloatArray,
    pigs: FloatArray,
    sheep_goats: FloatArray,
    weight: FloatArray,
    status: NDArray[np.int8],
    grain: FloatArray,
    roughage: FloatArray,
    grain_ration: FloatArray,
    roughage_ration: FloatArray,
    value: float,
    unfed_loss: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Each household's roughage shared over its animals in proportion to their roughage
    rations; its grain then in proportion to their grain rations and the roughage they
    went without (a tonne of oats for ``1 / value`` tonnes of hay). Per species the
    weighted loss, feed units needed and feed units fed."""
    table = feed_table(grain_ration, roughage_ration, value)
    lost = needed = fed = (0.0, 0.0, 0.0, 0.0)
    for i in range(horses.size):
        if status[i] == REMOVED:
            continue
        row = feed_row(
            i, horses, cattle, pigs, sheep_goats, weight[i], grain[i], roughage[i], table,
            unfed_loss,
        )  # fmt: skip
        lost, needed, fed = add4(lost, row[0]), add4(needed, row[1]), add4(fed, row[2])
    return np.array(lost), np.array(needed), np.array(fed)


Four = tuple[float, float, float, float]
"""One number per species."""


@_jit(inline="always")
def add4(a: Four, b: Four) -> Four:
    """Species by species, ``a + b`` (sums kept in registers, not in an array)."""
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3])


@_jit()
def feed_table(grain_ration: FloatArray, roughage_ration: FloatArray, value: float) -> FloatArray:
    """Per species (columns), the rows ``feed_row`` reads: the monthly grain ration, the
    monthly roughage ration, the whole ration in feed units (hay at ``value`` feed units a
    tonne) and the roughage's share of it (0 without a ration)."""
    table = np.zeros((4, 4))
    for k in range(4):
        hay = roughage_ration[k] * value
        table[0, k] = grain_ration[k]
        table[1, k] = roughage_ration[k]
        table[2, k] = grain_ration[k] + hay
        table[3, k] = hay / table[2, k] if table[2, k] > 0.0 else 0.0
    return table


@_jit(inline="always")
def feed_row(
    i: int,
    horses: FloatArray,
    cattle: FloatArray,
    pigs: FloatArray,
    sheep_goats: FloatArray,
    w: float,
    grain: float,
    roughage: float,
    table: FloatArray,
    unfed_loss: float,
) -> tuple[Four, Four, Four]:
    """Row ``i`` of ``_feed``: its herds fed ``grain`` and ``roughage`` and shrunk by what they
    went without, in place (``table``: ``feed_table``); returns per species its weighted
    loss, need and feed.

    The roughage is shared by roughage ration (a share ``r`` of each ration), the grain by
    grain ration and the roughage each species went without (a share ``g``), so a species
    gets ``g + (1 - g) r`` of its ration's feed units when ``r`` is the roughage's share of
    them."""
    h0, h1, h2, h3 = horses[i], cattle[i], pigs[i], sheep_goats[i]
    rough_need = h0 * table[1, 0] + h1 * table[1, 1] + h2 * table[1, 2] + h3 * table[1, 3]
    r = min(1.0, roughage / rough_need) if rough_need > 0.0 else 1.0
    # grain stands in for the roughage not given: its feed units, ration by ration
    unfed = 1.0 - r
    grain_need = h0 * (table[0, 0] + unfed * (table[2, 0] - table[0, 0]))
    grain_need += h1 * (table[0, 1] + unfed * (table[2, 1] - table[0, 1]))
    grain_need += h2 * (table[0, 2] + unfed * (table[2, 2] - table[0, 2]))
    grain_need += h3 * (table[0, 3] + unfed * (table[2, 3] - table[0, 3]))
    g = min(1.0, grain / grain_need) if grain_need > 0.0 else 1.0
    eat = (r, g, unfed_loss, w)
    horses[i], l0, n0, f0 = _eat(0, h0, eat, table)
    cattle[i], l1, n1, f1 = _eat(1, h1, eat, table)
    pigs[i], l2, n2, f2 = _eat(2, h2, eat, table)
    sheep_goats[i], l3, n3, f3 = _eat(3, h3, eat, table)
    return (l0, l1, l2, l3), (n0, n1, n2, n3), (f0, f1, f2, f3)


@_jit(inline="always")
def _eat(k: int, head: float, eat: Four, table: FloatArray) -> tuple[float, float, float, float]:
    """Species ``k``'s ``head`` after the month's feeding, and its weighted loss, need and
    feed: ``eat`` holds the shares of its roughage and grain rations fed, the loss when
    unfed and the row's weight."""
    r, g, unfed_loss, w = eat
    need = head * table[2, k]
    if need <= 0.0:
        return head, 0.0, 0.0, 0.0
    share = g + (1.0 - g) * r * table[3, k]
    loss = head * unfed_loss * (1.0 - share)
    return float(head - loss), loss * w, need * w, need * share * w
