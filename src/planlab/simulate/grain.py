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

from planlab.simulate._household_month import INDIVIDUAL, REMOVED, _jit

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
        """The change of the households' stocks: harvest - eaten - delivered - sold."""
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
    share of spare grain each household sells (0 with the market closed), per household
    or one share for all. Where
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
    first = np.zeros(stock.shape, dtype=np.bool_) if first_claim is None else first_claim
    totals = _grain_pass(
        stock, weight, harvest, need, quota, reserve, sell, first, float(cap), bool(exchange)
    )
    return GrainFlows(
        harvest=float(totals[0]),
        eaten=float(totals[1]),
        delivered=float(totals[2]),
        sold=float(totals[3]),
        hungry=float(totals[4]),
    )


@_jit()
def _decide(
    available: float, quota: float, need: float, reserve: float, sell: float, first: bool
) -> tuple[float, float, float, float]:
    """One household's month before any trade between neighbours: what it eats, what it
    delivers, what it offers for sale, and how short of its need it is."""
    claimed = min(quota, available) if first else 0.0
    eaten = min(available - claimed, need)
    spare = max(available - claimed - eaten - reserve, 0.0)
    owed = 0.0 if first else min(quota, spare)
    return eaten, claimed + owed, (spare - owed) * sell, need - eaten


@_jit()
def _grain_pass(
    stock: FloatArray,
    weight: FloatArray,
    harvest: FloatArray,
    need: FloatArray,
    quota: FloatArray,
    reserve: FloatArray,
    sell: FloatArray,
    first: NDArray[np.bool_],
    cap: float,
    exchange: bool,
) -> FloatArray:
    """The month's rules over the rows, in two passes (totals first, then the stocks),
    compiled so that the countryside's grain costs two reads of its columns."""
    n = stock.size
    one_share = sell.size == 1
    wanted = offered = delivered_total = 0.0
    for i in range(n):
        _, delivered, offer, short = _decide(
            stock[i] + harvest[i],
            quota[i],
            need[i],
            reserve[i],
            sell[0 if one_share else i],
            first[i],
        )
        wanted += short * weight[i]
        offered += offer * weight[i]
        delivered_total += delivered * weight[i]
    traded = min(wanted, offered) if exchange else 0.0
    bought_share = traded / wanted if traded > 0 else 0.0
    kept_share = 1.0 - traded / offered if traded > 0 else 1.0
    out = delivered_total + offered * kept_share
    scale = max(cap, 0.0) / out if out > cap else 1.0
    totals = np.zeros(5)
    for i in range(n):
        available = stock[i] + harvest[i]
        eaten, delivered, offer, short = _decide(
            available, quota[i], need[i], reserve[i], sell[0 if one_share else i], first[i]
        )
        bought = short * bought_share
        sold = offer * kept_share * scale
        delivered *= scale
        stock[i] = available - eaten - delivered - sold - offer * (1.0 - kept_share)
        w = weight[i]
        totals[0] += harvest[i] * w
        totals[1] += (eaten + bought) * w
        totals[2] += delivered * w
        totals[3] += sold * w
        totals[4] += max(short - bought, 0.0) * w
    return totals


@_jit()
def sown_total(
    grown: FloatArray, sown: FloatArray, status: NDArray[np.int8], weight: FloatArray
) -> float:
    """The weighted grain of the households still present, on the land they sowed."""
    total = 0.0
    for i in range(grown.size):
        if status[i] != REMOVED:
            total += grown[i] * sown[i] * weight[i]
    return total


@_jit()
def household_inputs(
    grown: FloatArray,
    sown: FloatArray,
    family: FloatArray,
    status: NDArray[np.int8],
    scale: float,
    need_per_person: float,
    quota_rate: float,
    level: float,
    uplift: float,
    reserve_months: float,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, NDArray[np.bool_]]:
    """Each household's month of grain in, need, quota and reserve, and whether it is a
    collective member (its quota a first claim), in one pass: the harvest is ``grown x sown
    x scale``; the quota ``quota_rate x level`` of the surplus over need, larger by
    ``uplift`` in collectives; the reserve ``reserve_months`` of need, cut by a ``level``
    above 1. Removed households get nothing."""
    n = grown.size
    inflow, need = np.zeros(n), np.zeros(n)
    quota, reserve = np.zeros(n), np.zeros(n)
    member = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        if status[i] == REMOVED:
            continue
        member[i] = status[i] > INDIVIDUAL
        inflow[i] = grown[i] * sown[i] * scale
        need[i] = family[i] * need_per_person
        surplus = max(inflow[i] - need[i], 0.0)
        quota[i] = surplus * quota_rate * level * ((1.0 + uplift) if member[i] else 1.0)
        reserve[i] = need[i] * reserve_months / max(level, 1.0)
    return inflow, need, quota, reserve, member
