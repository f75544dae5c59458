"""The peasant's grain in a month: sowing, eating, delivering under quota, selling, hoarding.

Each household holds a grain stock (tonnes). In a month its share of the harvest
comes in; the family eats what it needs; it delivers its procurement quota out of
what lies above the reserve it keeps; with the market open it sells part of the
rest, more when grain buys more manufactured goods; what is left is hoarded. A
collective's quota is a first claim: it is delivered before the members eat. With
the market open, families that grew too little to eat buy from their neighbours'
sales (money is not followed household by household); with it closed they go short.
Once a year, at the spring sowing, an individual household sows less of its land
when grain has paid badly in manufactured goods (the 1927/28 "grain strike");
collectives sow all their land, as the plan sets it. All rules are vectorised over
households; the stock balance holds exactly:
``stock after = stock before + harvest - eaten - delivered - sold``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["GrainFlows", "GrainRules", "grain_month", "sown_share", "terms_of_trade"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class GrainRules:
    """Parameters of the grain rules; each default is a modelling assumption to calibrate."""

    reserve_months: float = 3.0
    """Months of the family's consumption a household keeps back before it delivers or
    sells (assumption: a reserve to the next harvest's first threshing)."""
    sow_elasticity: float = 0.3
    """How strongly an individual household's sown share follows grain's terms of trade
    (assumption: sown area answered prices far less than marketing did)."""
    sow_floor: float = 0.6
    """The least share of its land a household sows, for its own needs (assumption)."""
    sell_elasticity: float = 1.0
    """How strongly the share of spare grain sold follows grain's terms of trade
    (assumption: peasants held grain back when it bought fewer goods)."""
    delivery_uplift: float = 0.5
    """How much larger a collective's quota is, per tonne grown, than an individual
    farm's (assumption: deliveries were first claims on collective harvests)."""


@dataclass(frozen=True)
class GrainFlows:
    """A month's grain flows, weighted totals in tonnes."""

    harvest: float
    eaten: float
    delivered: float
    sold: float
    """Sold off the farms (after what neighbours bought to eat)."""
    hungry: float
    """Need not met: grain the families went without."""

    @property
    def hoarded(self) -> float:
        """The change of the households' stocks."""
        return self.harvest - self.eaten - self.delivered - self.sold


def terms_of_trade(grain_price: float, industrial_price: float) -> float:
    """What a tonne of grain buys in manufactured goods, relative to the base (1 at the start).

    >>> terms_of_trade(1.0, 2.0)
    0.5
    """
    if not (np.isfinite(grain_price) and np.isfinite(industrial_price)) or industrial_price <= 0:
        return 1.0
    return max(grain_price, 0.0) / industrial_price


def sown_share(terms: float, member: NDArray[np.bool_], rules: GrainRules) -> FloatArray:
    """The share of its land each household sows this year.

    >>> sown_share(0.5, np.array([False, True]), GrainRules()).round(3).tolist()
    [0.812, 1.0]
    """
    individual = float(np.clip(max(terms, 0.0) ** rules.sow_elasticity, rules.sow_floor, 1.0))
    share: FloatArray = np.where(member, 1.0, individual)
    return share


def grain_month(
    stock: FloatArray,
    weight: FloatArray,
    harvest: FloatArray,
    need: FloatArray,
    quota: FloatArray,
    reserve: FloatArray,
    sell: FloatArray,
    first_claim: NDArray[np.bool_] | None = None,
    cap: float = np.inf,
    exchange: bool = False,
) -> GrainFlows:
    """One month of each household's grain, updating ``stock`` in place (tonnes per household).

    ``harvest``, ``need``, ``quota`` and ``reserve`` are per household; ``sell`` is the
    share of spare grain each household sells (0 with the market closed). Where
    ``first_claim`` is set (collectives), the quota is taken from all the grain there
    is before anyone eats. With ``exchange``, households short of their ``need`` buy
    from the others' sales, each short household getting the same share of its
    shortfall; only the rest of the sales leaves the village. When the weighted
    deliveries and sales together exceed ``cap`` (what the month's harvest can carry to
    procurement and market), both are scaled down to it and the rest stays in the
    households' stocks.

    >>> s = np.array([1.0]); f = grain_month(s, np.ones(1), np.array([2.0]), np.array([1.0]),
    ...     np.array([0.5]), np.array([1.0]), np.array([1.0]))
    >>> (f.eaten, f.delivered, f.sold, s.tolist())
    (1.0, 0.5, 0.5, [1.0])
    """
    available = stock + harvest
    first = np.zeros(stock.shape, dtype=np.bool_) if first_claim is None else first_claim
    claimed = np.where(first, np.minimum(quota, available), 0.0)
    eaten = np.minimum(available - claimed, need)
    spare = np.maximum(available - claimed - eaten - reserve, 0.0)
    owed = np.where(first, 0.0, np.minimum(quota, spare))
    sold = (spare - owed) * sell
    bought = np.zeros_like(sold)
    to_neighbours = np.zeros_like(sold)
    if exchange:
        short = need - eaten
        wanted, offered = float(short @ weight), float(sold @ weight)
        traded = min(wanted, offered)
        if traded > 0:
            bought = short * (traded / wanted)
            to_neighbours = sold * (traded / offered)
            sold = sold - to_neighbours
    delivered = claimed + owed
    out = float((delivered + sold) @ weight)
    if out > cap:
        scale = max(cap, 0.0) / out
        delivered = delivered * scale
        sold = sold * scale
    stock[:] = available - eaten - delivered - sold - to_neighbours
    eaten = eaten + bought
    return GrainFlows(
        harvest=float(harvest @ weight),
        eaten=float(eaten @ weight),
        delivered=float(delivered @ weight),
        sold=float(sold @ weight),
        hungry=float(np.maximum(need - eaten, 0.0) @ weight),
    )
