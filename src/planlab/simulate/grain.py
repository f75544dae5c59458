"""The peasant's grain in a month: sowing, eating, delivering under quota, selling, hoarding.

Each household holds a grain stock (tonnes). In a month its share of the harvest
comes in; the family eats what it needs; it delivers its procurement quota out of
what lies above the reserve it keeps; its animals eat their grain ration from what is
left (``fodder.py``); with the market open it sells part of the rest, more when grain
buys more manufactured goods; what is left is hoarded. A
collective's quota is a first claim: it is delivered before the members eat. With
the market open, families that grew too little to eat buy from their neighbours'
sales (money is not followed household by household); with it closed they go short.
Once a year, at the spring sowing, an individual household sows less of its land
when grain has paid badly in manufactured goods (the 1927/28 "grain strike");
collectives sow all their land, as the plan sets it. All rules are vectorised over
households; the stock balance holds exactly:
``stock after = stock before + harvest - eaten - delivered - sold - fed``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planlab.simulate._household_month import INDIVIDUAL, REMOVED, _jit
from planlab.simulate.fodder import add4, feed_row, feed_table

__all__ = [
    "GrainFlows",
    "GrainRules",
    "Hunger",
    "farm_month",
    "grain_month",
    "hunger",
    "quota_in_tonnes",
    "sown_share",
    "terms_of_trade",
]

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
    food_ration: float = 0.8
    """The food ration, below which a person counts as hungry, as a share of the grain a
    rural person ate in the base year (assumption: a subsistence diet of about 1,900 kcal a
    day from grain, 0.2 t a year at 3,400 kcal a kilogram, against about 0.25 t a year
    eaten per rural person in the grain balances of the late 1920s)."""
    hunger_deaths: float = 0.02
    """Excess deaths a month per person with no food at all, scaled by the share of the
    ration a family went without (assumption: potatoes, surrogates and stock keep most
    of the starving alive for months; 2% a month at no grain, about a fifth a year)."""


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
    fed: float = 0.0
    """Grain the animals ate."""

    @property
    def hoarded(self) -> float:
        """The change of the households' stocks: harvest - eaten - delivered - sold - fed."""
        return self.harvest - self.eaten - self.delivered - self.sold - self.fed


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
    fodder: FloatArray | None = None,
    eaten_out: FloatArray | None = None,
    fed_out: FloatArray | None = None,
) -> GrainFlows:
    """One month of each household's grain, updating ``stock`` in place (tonnes per household).

    ``harvest``, ``need``, ``quota`` and ``reserve`` are per household; ``sell`` is the
    share of spare grain each household sells (0 with the market closed), per household
    or one share for all. Where
    ``first_claim`` is set (collectives), the quota is taken from all the grain there
    is before anyone eats. With ``exchange``, households short of their ``need`` buy
    from the others' sales, each short household getting the same share of its
    shortfall; only the rest of the sales leaves the village. The weighted deliveries and
    sales together never exceed ``cap`` (what the month's harvest can carry to
    procurement and market): deliveries come first, sales take what room is left, and what
    neither may carry stays in the households' stocks. ``fodder`` is each household's grain
    ration for its animals, fed from what lies above the reserve once the quota is met and
    before anything is sold;
    ``eaten_out`` and ``fed_out``, when given, receive each family's food (bought grain
    included) and each herd's grain.

    >>> s = np.array([1.0]); f = grain_month(s, np.ones(1), np.array([2.0]), np.array([1.0]),
    ...     np.array([0.5]), np.array([1.0]), np.array([1.0]))
    >>> (f.eaten, f.delivered, f.sold, s.tolist())
    (1.0, 0.5, 0.5, [1.0])
    """
    first = np.zeros(stock.shape, dtype=np.bool_) if first_claim is None else first_claim
    none = np.zeros(0)
    totals = _grain_pass(
        stock,
        weight,
        harvest,
        need,
        quota,
        reserve,
        sell,
        first,
        float(cap),
        bool(exchange),
        none if fodder is None else fodder,
        none if eaten_out is None else eaten_out,
        none if fed_out is None else fed_out,
    )
    return GrainFlows(
        harvest=float(totals[0]),
        eaten=float(totals[1]),
        delivered=float(totals[2]),
        sold=float(totals[3]),
        hungry=float(totals[4]),
        fed=float(totals[5]),
    )


@_jit()
def _decide(
    available: float,
    quota: float,
    need: float,
    reserve: float,
    sell: float,
    first: bool,
    fodder: float,
) -> tuple[float, float, float, float, float]:
    """One household's month before any trade between neighbours: what it eats, what it
    delivers, what its animals eat, what it offers for sale, and how short of its need it is.
    The animals get what lies above the reserve once the quota is met, before any sale."""
    claimed = min(quota, available) if first else 0.0
    eaten = min(available - claimed, need)
    spare = max(available - claimed - eaten - reserve, 0.0)
    owed = 0.0 if first else min(quota, spare)
    fed = min(spare - owed, fodder)
    return eaten, claimed + owed, fed, (spare - owed - fed) * sell, need - eaten


@_jit()
def _trade(
    wanted: float, offered: float, delivered: float, cap: float, exchange: bool
) -> tuple[float, float, float, float]:
    """From the month's weighted shortfalls, offers and deliveries: the share of each
    shortfall bought from neighbours, the share of each offer kept for sale off the farms,
    and the scales of deliveries and sales that keep them within ``cap``."""
    traded = min(wanted, offered) if exchange else 0.0
    bought_share = traded / wanted if traded > 0 else 0.0
    kept_share = 1.0 - traded / offered if traded > 0 else 1.0
    room = max(cap, 0.0)
    deliver_scale = room / delivered if delivered > room else 1.0
    # (rounding can leave room less what was delivered a hair below zero)
    left = max(room - delivered * deliver_scale, 0.0)
    selling = offered * kept_share
    sell_scale = left / selling if selling > left else 1.0
    return bought_share, kept_share, deliver_scale, sell_scale


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
    fodder: FloatArray,
    eaten_out: FloatArray,
    fed_out: FloatArray,
) -> FloatArray:
    """The month's rules over the rows, in two passes (totals first, then the stocks),
    compiled so that the countryside's grain costs two reads of its columns. ``fodder``
    (empty: none) is each herd's grain ration; ``eaten_out`` and ``fed_out`` (empty: not
    wanted) receive what each family ate (bought grain included) and each herd got."""
    n = stock.size
    one_share = sell.size == 1
    feeding = fodder.size == n
    per_row = eaten_out.size == n
    wanted = offered = delivered_total = 0.0
    for i in range(n):
        _, delivered, _, offer, short = _decide(
            stock[i] + harvest[i],
            quota[i],
            need[i],
            reserve[i],
            sell[0 if one_share else i],
            first[i],
            fodder[i] if feeding else 0.0,
        )
        wanted += short * weight[i]
        offered += offer * weight[i]
        delivered_total += delivered * weight[i]
    bought_share, kept_share, deliver_scale, sell_scale = _trade(
        wanted, offered, delivered_total, cap, exchange
    )
    totals = np.zeros(6)
    for i in range(n):
        available = stock[i] + harvest[i]
        eaten, delivered, fed, offer, short = _decide(
            available,
            quota[i],
            need[i],
            reserve[i],
            sell[0 if one_share else i],
            first[i],
            fodder[i] if feeding else 0.0,
        )
        bought = short * bought_share
        sold = offer * kept_share * sell_scale
        delivered *= deliver_scale
        stock[i] = available - eaten - delivered - fed - sold - offer * (1.0 - kept_share)
        if per_row:
            eaten_out[i] = eaten + bought
            fed_out[i] = fed
        w = weight[i]
        totals[0] += harvest[i] * w
        totals[1] += (eaten + bought) * w
        totals[2] += delivered * w
        totals[3] += sold * w
        totals[4] += max(short - bought, 0.0) * w
        totals[5] += fed * w
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


def quota_in_tonnes(expected: FloatArray, weight: FloatArray, due: float) -> FloatArray:
    """Each household's share of a quota of ``due`` tonnes, in proportion to the surplus it
    is ``expected`` to have in a normal season (the plan was assessed on the sown area and
    the norms, not on the harvest; ``weight`` is 0 for households not present).

    >>> quota_in_tonnes(np.array([1.0, 3.0]), np.ones(2), 2.0).tolist()
    [0.5, 1.5]
    """
    total = float(expected @ weight)
    share: FloatArray = expected * (due / total) if total > 0 else np.zeros_like(expected)
    return share * (weight > 0)


@dataclass(frozen=True)
class Hunger:
    """A month's hunger among the rural people (weighted persons)."""

    below: float
    """People whose families ate less than the food ration."""
    people: float
    deaths: float
    """Excess deaths from hunger."""
    gap: FloatArray
    """Each household's share of the ration it went without, 0 to 1."""

    @property
    def share(self) -> float:
        """Share of the rural people below the food ration."""
        return self.below / self.people if self.people > 0 else 0.0


def hunger(
    eaten: FloatArray,
    family: FloatArray,
    weight: FloatArray,
    ration: float,
    deaths_at_nothing: float,
) -> Hunger:
    """Who went below the food ration this month, and the deaths that follows: each person in
    a family that ate ``eaten`` (tonnes, the month) against ``ration`` (tonnes a person a
    month) dies with probability ``deaths_at_nothing`` times the ration's share not eaten;
    ``weight`` is 0 for households not present (their gap is 0).

    >>> h = hunger(np.array([0.0, 1.0]), np.array([2.0, 2.0]), np.ones(2), 0.5, 0.1)
    >>> h.share, h.deaths
    (0.5, 0.2)
    """
    gap = np.empty(family.shape)
    below, people, short = _hunger_pass(eaten, family, weight, ration, gap)
    return Hunger(below=below, people=people, deaths=short * deaths_at_nothing, gap=gap)


@_jit()
def _ration_gap(eaten: float, family: float, weight: float, ration: float) -> float:
    """A household's share of its food ration not eaten, 0 to 1 (0 without weight or
    ration)."""
    allowed = family * ration
    if allowed > 0.0 and weight > 0.0:
        return min(max(1.0 - eaten / allowed, 0.0), 1.0)
    return 0.0


@_jit()
def _hunger_pass(
    eaten: FloatArray, family: FloatArray, weight: FloatArray, ration: float, gap: FloatArray
) -> tuple[float, float, float]:
    """``hunger`` in one pass: each household's share of the ration not eaten into ``gap``
    (0 where it has no weight or no ration); the weighted persons below the ration, all
    persons, and persons times their gap."""
    below = people = short = 0.0
    for i in range(family.size):
        persons = family[i] * weight[i]
        people += persons
        g = _ration_gap(eaten[i], family[i], weight[i], ration)
        gap[i] = g
        if g > 0.0:
            below += persons
        short += persons * g
    return below, people, short


@_jit()
def farm_month(
    stock: FloatArray,
    weight: FloatArray,
    status: NDArray[np.int8],
    region: NDArray[np.int8],
    family: FloatArray,
    workers: NDArray[np.float32],
    grown: FloatArray,
    sown: FloatArray,
    herds: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    settings: FloatArray,
    tonnes_quota: FloatArray,
    livestock: FloatArray,
    income: FloatArray,
    fed_out: FloatArray,
    exchange: bool,
    regions: int,
    fodder: FloatArray,
    meadows: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """The farms' grain month in three compiled passes, with no per-household column made
    but ``fed_out`` (each herd's grain, for the feeding that follows): ``household_inputs``
    computed row by row; the herds' grain rations and their weighted total (pass 1: the
    feed grain is shared by ration); ``grain_month``'s totals (pass 2: the neighbours'
    trade and the caps); then each stock, the income and the hunger with its deaths, which
    shrink ``family`` (pass 3). The rules and their order are those of the separate steps.

    ``settings`` holds, in order: the four species' monthly grain rations, the feed grain,
    the harvest's scale, the need per person, the quota rate, the procurement level, the
    collectives' uplift, the reserve's months, the share sold, the cap, the value of a
    tonne in roubles, the food ration and the deaths at no food; with ``exchange``
    neighbours trade (``grain_month``). ``tonnes_quota``, when not empty, is each
    household's quota in tonnes (a first claim on every household present, the reserve
    not cut by the level).

    With ``fodder`` (not empty: the four species' monthly roughage rations, the feed value
    of hay, the loss when unfed and the weather) the herds are fed in pass 3 as
    ``fodder.feed_herds`` feeds them: their grain, and the roughage of their region's
    ``meadows`` (empty: the roughage the herds ask, as in the first month) times the
    weather shared by roughage ration (the herds' asked roughage per region summed in pass
    1); ``fed_out`` may then be empty.

    Returns the grain totals (harvest, eaten, delivered, sold, hungry, fed, then persons
    below the ration, persons, persons times their gap); per region, the weighted grain
    kept and weight of individual farms (rows 0, 1) and of members (rows 2, 3), and the
    same for workers; the feeding per species (rows: head lost, feed units needed and fed;
    zeros without ``fodder``); and per region the roughage the herds asked (weighted). A
    household's income is its harvest (a member's already shared by its collective's rule)
    less its quota (at least 0) less its need, times the value of a tonne, plus its herds'
    ``livestock`` income; removed households earn 0."""
    per_head = settings[0:4]
    cap, roubles, ration, deaths_at_nothing = settings[12:16]
    horses, cattle, pigs, sheep_goats = herds
    n = stock.size
    feeding = fodder.size > 0
    roughage = fodder[0:4]
    unfed_loss = fodder[5] if feeding else 0.0
    table = feed_table(per_head, roughage, fodder[4]) if feeding else np.zeros((4, 4))
    asked = np.zeros(regions)
    rations = 0.0
    for i in range(n):
        if status[i] != REMOVED:
            rations += _fodder(per_head, horses[i], cattle[i], pigs[i], sheep_goats[i]) * weight[i]
            if feeding:
                rough = _fodder(roughage, horses[i], cattle[i], pigs[i], sheep_goats[i])
                asked[region[i]] += rough * weight[i]
    feed_share = settings[4] / rations if rations > 0 else -1.0
    given = asked if meadows.size == 0 else meadows
    meadow_share = np.ones(regions)
    for r in range(regions):
        if asked[r] > 0:
            meadow_share[r] = min(1.0, given[r] * fodder[6] / asked[r])
    herd_lost = herd_need = herd_fed = (0.0, 0.0, 0.0, 0.0)
    wanted = offered = delivered_total = 0.0
    for i in range(n):
        _, _, _, _, (_, delivered, _, offer, short) = _farm_row(
            i, stock, status, grown, sown, family, herds, settings, tonnes_quota, feed_share
        )
        wanted += short * weight[i]
        offered += offer * weight[i]
        delivered_total += delivered * weight[i]
    bought_share, kept_share, deliver_scale, sell_scale = _trade(
        wanted, offered, delivered_total, cap, exchange
    )
    totals = np.zeros(9)
    by_region = np.zeros((4, regions))
    workers_by_region = np.zeros((4, regions))
    for i in range(n):
        st = status[i]
        harvest, need, quota, inflow, (eaten, delivered, fed, offer, short) = _farm_row(
            i, stock, status, grown, sown, family, herds, settings, tonnes_quota, feed_share
        )
        available = stock[i] + inflow
        bought = short * bought_share
        sold = offer * kept_share * sell_scale
        delivered *= deliver_scale
        stock[i] = available - eaten - delivered - fed - sold - offer * (1.0 - kept_share)
        if fed_out.size == n:
            fed_out[i] = fed
        w = weight[i]
        totals[0] += inflow * w
        totals[1] += (eaten + bought) * w
        totals[2] += delivered * w
        totals[3] += sold * w
        totals[4] += max(short - bought, 0.0) * w
        totals[5] += fed * w
        # income counts the harvest, not the feed grain that comes to the herds with it
        if st == REMOVED:
            income[i] = 0.0
            continue
        if feeding:
            rough = _fodder(roughage, horses[i], cattle[i], pigs[i], sheep_goats[i])
            herd_month = feed_row(
                i, horses, cattle, pigs, sheep_goats, w, fed, rough * meadow_share[region[i]],
                table, unfed_loss,
            )  # fmt: skip
            herd_lost, herd_need = add4(herd_lost, herd_month[0]), add4(herd_need, herd_month[1])
            herd_fed = add4(herd_fed, herd_month[2])
        kept = max(harvest - quota, 0.0)
        income[i] = (kept - need) * roubles + livestock[i]
        row = 0 if st == INDIVIDUAL else 2
        by_region[row, region[i]] += kept * w
        by_region[row + 1, region[i]] += w
        workers_by_region[row, region[i]] += workers[i] * w
        workers_by_region[row + 1, region[i]] += w
        persons = family[i] * w
        totals[7] += persons
        gap = _ration_gap(eaten + bought, family[i], w, ration)
        if gap > 0.0:
            totals[6] += persons
            totals[8] += persons * gap
            family[i] -= family[i] * gap * deaths_at_nothing
    feeding_sums = np.array([herd_lost, herd_need, herd_fed])
    return totals, by_region, workers_by_region, feeding_sums, asked


@_jit()
def _farm_row(
    i: int,
    stock: FloatArray,
    status: NDArray[np.int8],
    grown: FloatArray,
    sown: FloatArray,
    family: FloatArray,
    herds: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    settings: FloatArray,
    tonnes_quota: FloatArray,
    feed_share: float,
) -> tuple[float, float, float, float, tuple[float, float, float, float, float]]:
    """Row ``i`` of ``farm_month`` before any trade: its harvest, need, quota and grain in
    (the harvest and its share of the feed grain, ``feed_share`` per tonne of ration;
    negative: no rations), and ``_decide``'s five quantities."""
    quota_given = tonnes_quota[i] if tonnes_quota.size == stock.size else -1.0
    harvest, need, quota, reserve, first = _inputs(
        status[i], grown[i], sown[i], family[i], settings, quota_given
    )
    fodder = _fodder(settings, herds[0][i], herds[1][i], herds[2][i], herds[3][i])
    inflow = fodder * feed_share + harvest if feed_share >= 0 else harvest
    decided = _decide(stock[i] + inflow, quota, need, reserve, settings[11], first, fodder)
    return harvest, need, quota, inflow, decided


@_jit()
def _fodder(per_head: FloatArray, horses: float, cattle: float, pigs: float, sheep: float) -> float:
    """One household's monthly grain ration for its animals (``fodder.monthly_ration``);
    ``per_head`` starts with the four species' monthly rations."""
    return float(
        per_head[0] * horses + per_head[1] * cattle + per_head[2] * pigs + per_head[3] * sheep
    )


@_jit()
def _inputs(
    status: int,
    grown: float,
    sown: float,
    family: float,
    rules: FloatArray,
    tonnes_quota: float,
) -> tuple[float, float, float, float, bool]:
    """One row of ``household_inputs``: harvest, need, quota, reserve and whether the quota is
    a first claim; ``rules`` holds (from index 5, as ``farm_month``'s settings) the
    harvest's scale, the need per person, the quota rate, the procurement level, the
    collectives' uplift and the reserve's months. ``tonnes_quota`` (negative: the share
    rule) replaces the quota, as a first claim on every household present, with the
    reserve not cut by the level."""
    scale, need_per_person, quota_rate = rules[5], rules[6], rules[7]
    level, uplift, reserve_months = rules[8], rules[9], rules[10]
    if status == REMOVED:
        return 0.0, 0.0, tonnes_quota if tonnes_quota >= 0 else 0.0, 0.0, False
    member = status > INDIVIDUAL
    harvest = grown * sown * scale
    need = family * need_per_person
    if tonnes_quota >= 0:
        return harvest, need, tonnes_quota, need * reserve_months, True
    surplus = max(harvest - need, 0.0)
    quota = surplus * quota_rate * level * ((1.0 + uplift) if member else 1.0)
    return harvest, need, quota, need * reserve_months / max(level, 1.0), member
