"""The peasant economy as household agents, plugged into the engine through ``Farms``.

Each month the households take their decisions under the month's policies,
grow grain by their draught power (horses, and the tractors industry has made,
sent to the collectives through machine-tractor stations), and keep their herds;
the farm branches' output follows the households' grain and herds relative to
the start. Grain goes through the households' own stocks (``grain.py``): they eat,
deliver their quota, sell on the market what grain's terms of trade make worth
selling, and hoard the rest; individual farms sow less when grain has paid badly.
Collectives sow all their land and owe larger quotas.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.simulate import _household_month as _month
from planlab.simulate.agriculture import AggregateFarms, Departures, FarmPrices, FarmSplit
from planlab.simulate.draught import draught_sums, hire_paid, hired_parts
from planlab.simulate.fodder import Feeding, FodderRules, _ration
from planlab.simulate.grain import (
    GrainFlows,
    GrainRules,
    farm_month,
    household_inputs,
    quota_in_tonnes,
    sown_share,
    sown_total,
    terms_of_trade,
)
from planlab.simulate.households import (
    ANIMALS,
    CAPITAL_RETURN,
    REGIONS,
    HouseholdRules,
    Households,
    MonthFlows,
    MonthPolicy,
    Status,
    census_and_sums,
    census_samples,
    divided_differentiation,
    effort,
    initial_households,
    production,
    step,
)
from planlab.simulate.params import check_seed
from planlab.simulate.scenario import (
    GRAIN_PARAMETERS,
    HOUSEHOLD_PARAMETERS,
    TRACTOR_OUTPUT,
    Scenario,
    month_starts,
)
from planlab.simulate.seeds import streams

__all__ = ["HERD_UNITS", "HouseholdFarms", "deportation_fear", "pooled_by_rule"]

FloatArray = NDArray[np.float64]
Draught = tuple[FloatArray, FloatArray, FloatArray, FloatArray]
"""``draught.draught_sums``: per region the collectives' land and horses, the hired share
and the spare horse-hectares."""

ROUBLES_PER_MILLION = 1e6
"""Households' wealth is counted in roubles (animals and implements at their prices in
``planlab.simulate.households``); the budget in million roubles."""

PER_THOUSAND = 1000.0
"""Persons in a thousand (the engine counts labour in thousands)."""

HERD_UNITS = MappingProxyType({"horses": 1.0, "cattle": 0.8, "pigs": 0.2, "sheep_goats": 0.1})
"""Livestock units per head, weighting the herds into one index (assumption: the usual
livestock-unit conventions, rounded)."""

INITIAL_TRACTOR_HP = 270_000.0
"""events.csv tractor_horsepower: 0.27 million hp in agriculture on 1 January 1929."""

HP_PER_TRACTOR = 15.0
"""Horsepower of a new tractor (events.csv tractors_in_agriculture_15hp: the park counted in
15-hp units, 18,000 x 15 hp = tractor_horsepower 0.27 million hp on 1 January 1929)."""

INITIAL_TRACTORS = 26_700.0
"""Tractors in agriculture, physical units, 1 January 1929 (calibration.csv tractors_thousand,
26.7): the start's park of many small machines, about 10 hp each (0.27 million hp / 26,700)."""

WEALTH_TAX_ABOVE_MEAN = 2.0
"""The wealth tax falls on an individual household's wealth above this multiple of the mean
(assumption: the 'rich layer' the source text would tax, a kulak holding some twice the
middle peasant's)."""

FEAR_SCALE = 50_000.0
"""Deportations a month that make fear complete (assumption: about the pace of February and
March 1930, events.csv dekulakised_households 320,000 in December 1929 to June 1930)."""


def deportation_fear(kulak_quota: float) -> float:
    """The fear deportations spread, 0 to 1: the month's quota over ``FEAR_SCALE``."""
    return min(1.0, float(kulak_quota) / FEAR_SCALE)


COLLECTIVE_KINDS = (Status.PARTNERSHIP, Status.GUILD, Status.COMMUNE)


def pooled_by_rule(h: Households, grown: FloatArray) -> FloatArray:
    """Each household's grain once every collective has pooled its members' harvest and
    shared it out by its rule: ``CAPITAL_RETURN`` of it on contributed capital, the rest per
    worker (labour-days), one collective of each kind per region. Individual farms keep
    their own; the sum over each collective is unchanged.

    The harvest belongs to the collective, not to the land a member brought: the source text
    asks whether 'a peasant who gave to the collective economy two horses' should 'have a
    right to more profit than a farm-hand who brought with him only his two arms', and
    answers by the form (partnership, guild, commune); ``divide_income`` is the same rule for
    one collective.

    >>> from planlab.simulate.households import initial_households
    >>> h = initial_households(np.random.default_rng(1), sample=200_000)
    >>> h.status[:] = Status.COMMUNE
    >>> bool(np.isclose(pooled_by_rule(h, h.land) @ h.weight, h.land @ h.weight))
    True
    """
    pooled: FloatArray = pooled_pair(h, grown, np.zeros(0))[0]
    return pooled


def pooled_pair(h: Households, first: FloatArray, second: FloatArray) -> FloatArray:
    """``pooled_by_rule`` of ``first`` and of ``second`` (may be empty: ``first`` alone), in
    the same two passes over the rows; one row of the result each."""
    rule = np.zeros(Status.REMOVED)  # by status code: nothing for individual farms
    for kind in COLLECTIVE_KINDS:
        rule[kind] = CAPITAL_RETURN[kind]
    return _pool(
        h.region, h.status, h.weight, h.contributed, h.workers, first, second, rule, len(REGIONS)
    )


@_month._jit()
def _pool(
    region: NDArray[np.int8],
    status: NDArray[np.int8],
    weight: FloatArray,
    capital: FloatArray,
    labour: _month.Counts,
    first: FloatArray,
    second: FloatArray,
    rule: FloatArray,
    regions: int,
) -> FloatArray:
    """``pooled_pair`` in two passes over the rows: each collective's (kind x region)
    harvest of each column, capital and labour, then each member's share; ``rule[kind]`` is
    the share paid on capital (ignored where no member holds any), 0 for an individual
    farm, and statuses from ``rule.size`` on (removed) keep their own."""
    kinds = rule.size
    pair = second.size == first.size
    harvest = np.zeros((2, kinds, regions))
    capital_total = np.zeros((kinds, regions))
    labour_total = np.zeros((kinds, regions))
    for i in range(status.size):
        k = status[i]
        if 0 < k < kinds:
            w = weight[i]
            r = region[i]
            harvest[0, k, r] += first[i] * w
            if pair:
                harvest[1, k, r] += second[i] * w
            capital_total[k, r] += capital[i] * w
            labour_total[k, r] += labour[i] * w
    per_capital = np.zeros((2, kinds, regions))
    per_worker = np.zeros((2, kinds, regions))
    for k in range(1, kinds):
        for r in range(regions):
            on_capital = rule[k] if capital_total[k, r] > 0 else 0.0
            for j in range(2):
                if capital_total[k, r] > 0:
                    per_capital[j, k, r] = on_capital * harvest[j, k, r] / capital_total[k, r]
                if labour_total[k, r] > 0:
                    per_worker[j, k, r] = (1.0 - on_capital) * harvest[j, k, r] / labour_total[k, r]
    out = np.empty((2 if pair else 1, status.size))
    for i in range(status.size):
        k = status[i]
        if 0 < k < kinds:
            r = region[i]
            out[0, i] = per_capital[0, k, r] * capital[i] + per_worker[0, k, r] * labour[i]
            if pair:
                out[1, i] = per_capital[1, k, r] * capital[i] + per_worker[1, k, r] * labour[i]
        else:
            out[0, i] = first[i]
            if pair:
                out[1, i] = second[i]
    return out


def _surplus(
    h: Households, grown: FloatArray, sown: FloatArray, scale: float, need_per_person: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Each household's grain in, its family's need and its surplus over need at the base
    quota rule (``household_inputs`` at a rate and level of 1, no uplift)."""
    inflow, need, surplus, _, _ = household_inputs(
        grown, sown, h.family, h.status, scale, need_per_person, 1.0, 1.0, 0.0, 0.0
    )
    return inflow, need, surplus


@dataclass
class HouseholdFarms:
    """Farms made of households; see the module's docstring for what each month does."""

    households: Households
    base: AggregateFarms
    policies: Callable[[int], MonthPolicy]
    rules: HouseholdRules
    rng: np.random.Generator
    wealth_tax: Callable[[int], float]
    tractor_programme: Callable[[int], float]
    grain: int
    livestock: int | None
    machinery: int | None
    tractors_per_unit: float
    """Thousand tractors per value unit of the machinery branch's output."""
    tractor_hp: float
    """Tractor horsepower in agriculture now."""
    tractors: float = INITIAL_TRACTORS
    """Tractors in agriculture now, physical units."""
    tractor_wear: float = 0.01
    """Share of the tractor park worn out each month (assumption: about eight years' life)."""
    grain_rules: GrainRules = field(default_factory=GrainRules)
    tonnes_per_unit: float = 0.0
    """Tonnes of grain per value unit of the grain branch's output (its indicator)."""
    first_month: int = 1
    """Calendar month of the run's first month."""
    sowing_month: int = 4
    """The spring sowing campaign, when individual farms decide how much to sow."""
    month: int = 0
    fodder_rules: FodderRules = field(default_factory=FodderRules)
    feed_per_unit: float = 0.0
    """The economy's grain input per unit of livestock output (its feed coefficient): the
    feed the farm branches keep, which the households hold and ration to their herds."""
    quota_mt: Callable[[int], float] = field(default=lambda month: math.nan)
    """Grain procurement plan of the agricultural year in force in a month (million tonnes;
    NaN: the share rule)."""
    base_grain: float = field(init=False, default=1.0)
    base_herd: float = field(init=False, default=1.0)
    sown: FloatArray = field(init=False)
    prices: FarmPrices | None = field(init=False, default=None)
    need_per_person: float | None = field(init=False, default=None)
    quota_rate: float | None = field(init=False, default=None)
    last_delivered: float = field(init=False, default=0.0)
    last_sold: float = field(init=False, default=0.0)
    wealth_taxed: float = field(init=False, default=0.0)
    """Wealth tax assessed in the latest month (million roubles)."""
    marketed_value: float = field(init=False, default=0.0)
    marketed_tonnes: float = field(init=False, default=0.0)
    industrial_sum: float = field(init=False, default=0.0)
    industrial_months: int = field(init=False, default=0)
    weather: float = field(init=False, default=1.0)
    feed_tonnes: float = field(init=False, default=0.0)
    feed_ratio: float | None = field(init=False, default=None)
    """Feed grain per tonne of the households' net grain: the economy's feed flow against
    its net grain in the first month; a poor harvest cuts the feed with the rest."""
    meadows: FloatArray | None = field(init=False, default=None)
    """Roughage each region's meadows and pasture give in a normal year (tonnes of hay a
    month): the ration of the herds of the start."""
    last_fodder_share: float = field(init=False, default=1.0)
    last_hunger_share: float = field(init=False, default=0.0)
    last_deaths: float = field(init=False, default=0.0)
    _cache: tuple[FloatArray, FloatArray, FloatArray, Draught] | None = field(
        init=False, default=None, repr=False
    )
    """Each household's grain, each region's mechanised share and collective land, and
    the ``draught_sums`` they were made from."""
    _sums: tuple[float, FloatArray] | None = field(init=False, default=None, repr=False)
    """``_farm_sums`` of the households as they stand (the census's, reused by the next
    month's outside premium)."""
    migration: float | FloatArray = 0.0
    """Monthly probability that a worker leaves for town, per region or one for all; the
    engine sets it before each month (``MonthPolicy.migration``)."""
    last_flows: MonthFlows = field(init=False, default_factory=MonthFlows)
    """The flows of the last month's household step."""
    effort: FloatArray = field(init=False, default_factory=lambda: np.ones(len(REGIONS)))
    """Members' effort per region (``households.effort``), from last month's pay."""
    pay: FloatArray = field(init=False, default_factory=lambda: np.ones(len(REGIONS)))
    """Per region, what a labour-day in the collective pays against a worker's earnings on
    an individual farm, last month (1 equal)."""

    def __post_init__(self) -> None:
        self.sown = np.ones(len(self.households))
        self.base_grain = max(self._grain(), 1e-12)
        self.base_herd = max(self._herd(), 1e-12)

    def _production(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``production`` of the households as they stand, with the collectives' land per
        region; computed once per change of state."""
        return self._produced()[:3]

    def _draught(self) -> Draught:
        """``draught_sums`` of the households as they stand (made with ``_production``)."""
        return self._produced()[3]

    def _produced(self) -> tuple[FloatArray, FloatArray, FloatArray, Draught]:
        """The cache behind ``_production`` and ``_draught``.

        Tractors go to the collectives, by region, in proportion to their land."""
        if self._cache is None:
            h = self.households
            draught = draught_sums(
                h.region,
                h.weight,
                h.land,
                h.horses,
                h.status,
                self.rules.ha_per_horse,
                len(REGIONS),
            )
            land = draught[0]
            total = float(land.sum())
            hp = land / total * self.tractor_hp if total > 0 else np.zeros(len(REGIONS))
            grown, mechanised = production(h, hp, self.rules, self.effort, draught)
            self._cache = (grown, mechanised, land, draught)
        return self._cache

    def _changed(self) -> None:
        self._cache = None
        self._sums = None

    def _premium(self, pressure: FloatArray) -> float | FloatArray:
        """Each member's outside premium: how much more grain it would have farming alone
        than its collective gives it, relative (0 where it gets at least as much).

        Alone, a member works its own land with its own horses and the draught it could
        hire in its region, less the hired team's pay (``draught_hire_share``); in the
        collective it receives its share of the pooled harvest by the collective's rule
        (``pooled_by_rule``), both in a normal season. So the horseless member of a guild or
        a commune has nothing to gain outside, and the member who brought land and horses
        has most: who leaves in a retreat is a household's own sum. Computed only in a month
        when pressure has eased below the households' memory (no one leaves otherwise)."""
        h = self.households
        if h.remembered_pressure.shape != np.shape(pressure) or not np.any(
            h.remembered_pressure > pressure
        ):
            return 0.0
        rules = self.rules
        grown, _, _ = self._production()
        received = pooled_by_rule(h, grown)
        covered = self._draught()[2]
        alone_status = np.where(h.status == Status.REMOVED, h.status, Status.INDIVIDUAL)
        alone = _month.grown(
            h.region,
            h.land,
            h.horses,
            alone_status.astype(np.int8),
            np.zeros(len(REGIONS)),
            rules.yield_per_ha,
            rules.ha_per_horse,
            rules.draught_elasticity,
            covered,
        )
        parts = hired_parts(h.region, h.land, h.horses, covered, rules.ha_per_horse)
        alone *= 1.0 - rules.draught_hire_share * parts
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.where(received > 0, alone / received - 1.0, np.where(alone > 0, np.inf, 0.0))
        member = (h.status > Status.INDIVIDUAL) & (h.status < Status.REMOVED)
        premium: FloatArray = np.where(member, np.maximum(gap, 0.0), 0.0)
        return premium

    def _farm_sums(self) -> tuple[float, FloatArray]:
        """``_household_month.farm_sums`` of the households as they stand: the hectares they
        sow and work, and per region the grain on sown land of farms and of members."""
        if self._sums is None:
            h = self.households
            grown, mechanised, _ = self._production()
            self._sums = _month.farm_sums(
                h.status,
                h.region,
                h.weight,
                grown,
                self.sown,
                mechanised,
                self.rules.yield_per_ha,
                self.rules.scale_gain,
                len(REGIONS),
            )
        return self._sums

    def _tax_wealth(self, rate: float) -> None:
        """The kulak's accumulation taxed: a yearly ``rate`` of an individual household's
        wealth above twice the mean, taken monthly; the amount (``wealth_taxed``) is paid
        into the budget."""
        self.wealth_taxed = 0.0
        if rate <= 0:
            return
        h = self.households
        taken = _month.tax_wealth(
            h.status, h.weight, h.wealth, rate / MONTHS_PER_YEAR, WEALTH_TAX_ABOVE_MEAN
        )
        self.wealth_taxed = taken / ROUBLES_PER_MILLION

    def wealth_tax_collected(self) -> float:
        """Wealth tax assessed this month (million roubles), for the budget."""
        return self.wealth_taxed

    def _mechanised(self) -> float:
        """Share of the collectives' land that tractors work, the country over."""
        _, mechanised, land = self._production()
        return float(mechanised @ land / land.sum()) if land.sum() > 0 else 0.0

    def _grain(self) -> float:
        h = self.households
        return float(sown_total(self._production()[0], self.sown, h.status, h.weight))

    def _herd(self) -> float:
        h = self.households
        units = np.array([HERD_UNITS[a] for a in ANIMALS])
        return float(
            _month.herd_index(h.status, h.weight, h.horses, h.cattle, h.pigs, h.sheep_goats, units)
        )

    def planned(self, capacity: FloatArray, harvest: float) -> FloatArray:
        """A month of household decisions, then output from their grain and herds."""
        decided = self.policies(self.month)
        policy = replace(
            decided,
            outside_premium=self._premium(np.asarray(decided.pressure, dtype=np.float64)),
            machines=self._mechanised(),
            migration=self.migration,
        )
        self.last_flows = step(self.households, policy, self.rules, self.rng)
        self._changed()
        self._tax_wealth(self.wealth_tax(self.month))
        if (self.first_month - 1 + self.month) % 12 + 1 == self.sowing_month:
            self._sow()
        self.month += 1
        rate = self.base.planned(capacity, harvest)
        grain_index = self._grain() / self.base_grain
        herd_index = self._herd() / self.base_herd
        scaled = rate * grain_index
        self.weather = harvest
        if self.livestock is not None:
            scaled[self.livestock] = rate[self.livestock] * herd_index
            if self.feed_ratio is None:
                feed = self.feed_per_unit * scaled[self.livestock] / MONTHS_PER_YEAR
                self.feed_tonnes = feed * self.tonnes_per_unit
        return scaled

    def observe(self, output: FloatArray, imports: FloatArray) -> None:
        """Tractors made or imported this month join the park; the old wear out.

        Imported machinery holds tractors in the same proportion as the machine-building
        branch's output (assumption: the record has no split of machinery imports); the
        ``tractor_programme`` policy multiplies that proportion as tractor plants open."""
        new = 0.0
        if self.machinery is not None:
            supply = float(output[self.machinery] + imports[self.machinery])
            programme = self.tractor_programme(max(self.month - 1, 0))
            new = supply * self.tractors_per_unit * programme * 1000.0
        keep = 1.0 - self.tractor_wear
        self.tractor_hp = self.tractor_hp * keep + new * HP_PER_TRACTOR
        self.tractors = self.tractors * keep + new
        self._changed()

    def _sow(self) -> None:
        """The spring decision: individual farms sow by what grain has bought since last year."""
        realised = self.marketed_value / self.marketed_tonnes if self.marketed_tonnes > 0 else 1.0
        industrial = self.industrial_sum / self.industrial_months if self.industrial_months else 1.0
        terms = terms_of_trade(realised, industrial)
        self.sown = sown_share(terms, self.households.members, self.grain_rules)
        self._sums = None
        self.marketed_value = self.marketed_tonnes = self.industrial_sum = 0.0
        self.industrial_months = 0

    def observe_market(self, prices: FarmPrices) -> None:
        """Prices of the month: grain's earnings so far this year, and next month's selling."""
        self.prices = prices
        self.marketed_value += (
            prices.procurement * self.last_delivered + prices.free_market * self.last_sold
        )
        self.marketed_tonnes += self.last_delivered + self.last_sold
        self.industrial_sum += prices.industrial
        self.industrial_months += 1

    def split(self, net: FloatArray, procurement_level: float) -> FarmSplit:
        """Grain through the households' stocks; other farm goods in the base shares, their
        procurement rising with collectivisation."""
        h = self.households
        by_status = _month.status_weights(h.status, h.weight)
        weight_present = float(by_status[: Status.REMOVED].sum())
        members_weight = float(by_status[Status.PARTNERSHIP : Status.REMOVED].sum())
        share = members_weight / weight_present if weight_present > 0 else 0.0
        rules = self.grain_rules
        out = self.base.split(net, procurement_level * (1.0 + rules.delivery_uplift * share))
        g = self.grain
        tonnes = float(net[g]) * self.tonnes_per_unit
        if tonnes <= 0 or self.tonnes_per_unit <= 0:
            return out
        # the collectives pool their members' harvest and herds' income, both in one pass
        own = self._production()[0]
        grown, livestock = pooled_pair(h, own, self._livestock_income(net))
        total = sown_total(grown, self.sown, h.status, h.weight)
        scale = tonnes / total if total > 0 else 1.0
        marketed = float(self.base.marketed_share[g])
        if self.need_per_person is None or self.quota_rate is None:
            persons = h.family * h.present
            self.need_per_person = (1.0 - marketed) * tonnes / max(float(persons @ h.weight), 1e-12)
            h.grain = persons * self.need_per_person * rules.reserve_months
            inflow, need, quota = _surplus(h, grown, self.sown, scale, self.need_per_person)
            base_quota = marketed * float(self.base.procured_share[g]) * tonnes
            self.quota_rate = base_quota / max(float(quota @ h.weight), 1e-12)
        prices = self.prices
        if prices is None or prices.market_open:
            terms = 1.0 if prices is None else terms_of_trade(prices.free_market, prices.industrial)
            sell = min(1.0, terms**rules.sell_elasticity)
        else:
            sell = 0.0
        due = self.quota_mt(max(self.month - 1, 0))
        tonnes_quota = np.zeros(0)
        if math.isfinite(due):
            # the plan in tonnes: a first claim on every household, whatever the harvest,
            # assessed on what each would have beyond its food in a normal season
            inflow, need, _ = _surplus(h, grown, self.sown, scale, self.need_per_person)
            expected = inflow / self.weather if self.weather > 0 else inflow
            expected -= need
            np.maximum(expected, 0.0, out=expected)
            del inflow, need
            tonnes_quota = quota_in_tonnes(
                expected, h.weight * h.present, due * 1e6 / MONTHS_PER_YEAR
            )
            del expected
        # the feed grain grown with the month's grain (in the first month's proportion to it)
        # comes to each household by its herds' grain ration
        if self.feed_ratio is None:
            self.feed_ratio = self.feed_tonnes / tonnes
        self.feed_tonnes = self.feed_ratio * tonnes
        # other income beside the herds': the hired teams' pay in roubles (money or labour,
        # valued at the grain of the hectares they worked)
        livestock += (self._hired(own) - own) * self.sown * (scale * self.rules.grain_roubles)
        del own
        if h.income.shape != h.status.shape:
            h.income = np.zeros(len(h))
        settings = np.array(
            [
                *(r / MONTHS_PER_YEAR for r in self.fodder_rules.grain_ration),
                self.feed_tonnes,
                scale,
                self.need_per_person,
                self.quota_rate,
                procurement_level,
                rules.delivery_uplift,
                rules.reserve_months,
                sell,
                tonnes,
                self.rules.grain_roubles,
                rules.food_ration * self.need_per_person,
                rules.hunger_deaths,
            ]
        )
        fodder = self.fodder_rules
        feeding = np.array(
            [
                *(np.asarray(fodder.roughage_ration, dtype=np.float64) / MONTHS_PER_YEAR),
                fodder.roughage_feed_value,
                fodder.unfed_loss,
                self.weather,
            ]
        )
        # the herds eat their grain and their region's roughage in the same pass (``_feed``)
        totals, grain, hands, fed, asked = farm_month(
            h.grain,
            h.weight,
            h.status,
            h.region,
            h.family,
            h.workers,
            grown,
            self.sown,
            (h.horses, h.cattle, h.pigs, h.sheep_goats),
            settings,
            tonnes_quota,
            livestock,
            h.income,
            np.zeros(0),
            prices is None or prices.market_open,
            len(REGIONS),
            feeding,
            np.zeros(0) if self.meadows is None else self.meadows,
        )
        del grown, livestock, tonnes_quota
        flows = GrainFlows(*(float(t) for t in totals[:6]))
        self._pay(grain, hands)
        self._fed(fed, asked)
        below, people, short = (float(t) for t in totals[6:])
        self.last_hunger_share = below / people if people > 0 else 0.0
        self.last_deaths = short * rules.hunger_deaths
        self.last_delivered, self.last_sold = flows.delivered, flows.sold
        procured, free_supply = out.procured.copy(), out.free_supply.copy()
        procured[g] = net[g] * flows.delivered / tonnes
        free_supply[g] = net[g] * flows.sold / tonnes
        own_use = np.where(self.base.farm, net, 0.0) - procured - free_supply
        return FarmSplit(procured, free_supply, own_use)

    def _hired(self, grown: FloatArray) -> FloatArray:
        """The month's grain as it would stand once farms short of draught had paid for the
        teams they hired (``draught.hire_paid``); each region's grain is unchanged. The pay
        moves income, not food: ``split`` books the difference in roubles."""
        h, rules = self.households, self.rules
        _, _, covered, spare = self._draught()
        return hire_paid(
            h.region,
            h.weight,
            h.land,
            h.horses,
            h.status,
            grown,
            rules.ha_per_horse,
            rules.draught_hire_share,
            covered,
            spare,
        )

    def _livestock_income(self, net: FloatArray) -> FloatArray:
        """Each household's net income from its herds this month (roubles): the marketed
        share of the livestock branch's net output, shared by livestock units (before the
        collectives pool a member's by their rule, ``pooled_by_rule``). The family
        uses the rest of what its own animals give (a household without a cow has no milk of
        its own and bought little). Valued, like grain, at the economy's prices (its value
        units are million roubles of 1926/27); nothing without a livestock branch."""
        h = self.households
        if self.livestock is None:
            return np.zeros(len(h))
        per_head = np.array([HERD_UNITS[a] for a in ANIMALS])
        units = _ration(h.horses, h.cattle, h.pigs, h.sheep_goats, per_head)
        units *= h.present
        total = float(units @ h.weight)
        marketed = float(self.base.marketed_share[self.livestock])
        value = marketed * float(net[self.livestock]) * ROUBLES_PER_MILLION
        if total <= 0:
            return np.zeros(len(h))
        units *= value / total
        return units

    def _pay(self, grain: FloatArray, hands: FloatArray) -> None:
        """What a labour-day paid this month, from the month's incomes (``grain.farm_month``).

        A household earns its harvest (a member's share of its collective's harvest by the
        collective's rule, ``pooled_by_rule``) less its family's food and its quota, valued
        at ``grain_roubles``, and its herds' net product less its family's own use
        (``_livestock_income``, roubles). Incomes accumulate next month (``households.step``).
        Per region, the collective's grain per labour-day (workers times effort) against an
        individual farm's grain per worker (``grain`` and ``hands``, as
        ``grain.farm_month`` returns them) sets next month's effort.
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            member = grain[2] / (hands[2] * self.effort)
            alone = grain[0] / hands[0]
            pay = member / alone
        known = np.isfinite(pay) & (hands[2] > 0) & (alone > 0)
        self.pay = np.where(known, pay, self.pay)
        self.effort = effort(self.pay, self.rules)
        self._changed()

    def _fed(self, feeding: FloatArray, asked: FloatArray) -> None:
        """After the herds ate (in ``grain.farm_month``: their grain, and the roughage of their
        region's meadows and common pasture shared by head; the meadows give the herds of the
        start, ``asked`` per region the first month, their ration in a normal year and follow
        the weather; animals the fodder cannot keep are lost): the meadows kept and the share
        of the rations fed."""
        if self.meadows is None:
            self.meadows = asked
        self.last_fodder_share = Feeding(*feeding).share
        self._changed()

    def census(self) -> Mapping[str, float]:
        """The record's stocks (households, collectivised share, herds, tractors) and the
        differentiation inside the collectives: Gini of member income, the share of
        members above twice the mean, and the share of income paid on contributed capital."""
        h = self.households
        samples = census_samples(h)
        out, sums = census_and_sums(h, self.sown, samples)
        out["tractors_thousand"] = self.tractors / 1000.0
        out["tractor_horsepower_thousand"] = self.tractor_hp / 1000.0
        out["peasant_grain_stocks_mt"] = float(sums[_month.C_GRAIN]) / 1e6
        out["grain_hunger_share"] = self.last_hunger_share
        out["excess_deaths_thousand"] = self.last_deaths / 1000.0
        out["fodder_share"] = self.last_fodder_share
        area, _ = self._farm_sums()
        grown = self._production()[0]
        out["sown_area_million_ha"] = area / 1e6
        land = float(sums[_month.C_LAND])
        out["sown_share"] = float(sums[_month.C_SOWN_LAND]) / land if land > 0 else 0.0
        # each collective's normal-season harvest divided among its members by its rule
        out.update(divided_differentiation(h, grown, samples[1], float(sums[_month.C_MEMBERS])))
        return out

    def migrate(self, rate: float, rural_workers: float) -> Departures:
        """Workers leave in the households' next month with monthly probability ``rate``
        (each worker a Binomial draw, whole families when the last goes); who left in this
        month's draw, the month's hunger, and the workers still on the farms (thousand)."""
        self.migration = rate
        h = self.households
        flows = self.last_flows
        return Departures(
            workers=flows.migrants / PER_THOUSAND,
            settlers=flows.settlers / PER_THOUSAND,
            hunger=self.last_hunger_share,
            rural_workers=_month.present_sum(h.status, h.weight, h.workers) / PER_THOUSAND,
        )

    @classmethod
    def from_scenario(
        cls, scenario: Scenario, sample: int = 100, seed: int | None = None
    ) -> HouseholdFarms:
        """Households from the 1927-29 record (one row per ``sample``) under its policies."""
        e = scenario.economy
        parts = streams(check_seed(scenario.seed if seed is None else seed))
        households = initial_households(sample=sample, rng=np.random.default_rng(parts.initial))
        rng = np.random.default_rng(parts.households)
        farm = np.array([name in scenario.agriculture for name in e.names])
        base = AggregateFarms.for_economy(e, farm, scenario.value("parameters", "urban_food_share"))
        dates = month_starts(scenario.start, scenario.months + 1200)
        paths = {
            name: scenario.path("policies", name, dates)
            for name in (
                "collectivisation_pressure",
                "compensation",
                "kulak_quota",
                "collective_type",
                "market_open",
                "tax_relief",
                "wealth_tax",
                "tractor_programme",
                "procurement_quota_mt",
            )
        }
        factor = np.array([scenario.region_pressure.get(r, 1.0) for r in REGIONS])

        def policy(month: int) -> MonthPolicy:
            return MonthPolicy(
                pressure=np.clip(paths["collectivisation_pressure"][month] * factor, 0.0, 1.0),
                market_open=bool(paths["market_open"][month] >= 0.5),
                compensation=float(paths["compensation"][month]),
                kulak_quota=float(paths["kulak_quota"][month]),
                tax_relief=float(paths["tax_relief"][month]),
                fear=deportation_fear(paths["kulak_quota"][month]),
                collective_type=round(float(paths["collective_type"][month])),
            )

        def settings(table: Mapping[str, object]) -> dict[str, Any]:
            return {name: scenario.value("parameters", name) for name in table}

        def find(name: str | None) -> int | None:
            return e.index(name) if name is not None and name in e.names else None

        tractors = next((i for i in e.indicators if i.name == TRACTOR_OUTPUT), None)
        machinery = find(tractors.sector) if tractors is not None else None
        grain = e.index(scenario.grain) if scenario.grain else 0
        harvest = next(
            (i for i in e.indicators if i.sector == e.names[grain] and "grain" in i.name), None
        )
        livestock = find("livestock")
        feed = float(e.A[grain, livestock]) if livestock is not None else 0.0
        # net grain income valued at the economy's own price of the grain branch's output
        # (million roubles per million tonnes: roubles a tonne)
        valued: dict[str, Any] = {}
        if harvest is not None:
            valued["grain_roubles"] = 1.0 / harvest.per_unit
        return cls(
            households=households,
            base=base,
            policies=policy,
            wealth_tax=lambda month: float(paths["wealth_tax"][month]),
            tractor_programme=lambda month: float(paths["tractor_programme"][month]),
            rules=replace(HouseholdRules(), **settings(HOUSEHOLD_PARAMETERS), **valued),
            grain_rules=replace(GrainRules(), **settings(GRAIN_PARAMETERS)),
            rng=rng,
            grain=grain,
            livestock=livestock,
            feed_per_unit=feed,
            quota_mt=lambda month: float(paths["procurement_quota_mt"][month]),
            machinery=machinery,
            tractors_per_unit=tractors.per_unit if tractors is not None else 0.0,
            tractor_hp=INITIAL_TRACTOR_HP,
            tonnes_per_unit=harvest.per_unit * 1e6 if harvest is not None else 0.0,
            first_month=scenario.start.month,
        )
