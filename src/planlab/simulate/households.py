"""Peasant households as agents, held as columns of arrays: state, the 1927-29 start, a month.

Every household is a row in a set of arrays (region, family, land, animals,
grain, wealth, status), never a Python object, so that a month of the whole
Soviet countryside (25.7 million households) is one compiled pass over the
arrays (``_household_month``). A run may
sample one household in ``k``; each row then carries the weight ``k`` and every
total is a weighted sum.

Monthly rules (each a documented function with its parameters):

- joining a collective: a logistic probability rising with administrative
  pressure in the household's region, a padlocked market, tax relief, access
  to machinery and fear, and falling with the household's relative wealth;
- slaughter before joining: with uncertain compensation for the animals
  handed over, a joining household kills or sells a share of its herd first;
- leaving: when pressure eases, members whose collective pays less than
  their outside option leave with a probability that grows with the gap;
- dekulakisation: a monthly quota of the richest flagged households is
  removed; a share of their animals and wealth goes to collectives, the rest
  is lost;
- animals are born and die at monthly rates; wealth of individual households
  accumulates stochastically while the market is open (the kulak as a stage
  of the middle peasant).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from planlab.simulate import _household_month as _month
from planlab.simulate.draught import draught_sums

__all__ = [
    "ANIMALS",
    "CENSUS_1927",
    "INITIAL_DRAW",
    "HouseholdRules",
    "Households",
    "MonthFlows",
    "MonthPolicy",
    "Status",
    "census",
    "differentiation",
    "divide_income",
    "effort",
    "gini",
    "initial_households",
    "membership_rates",
    "production",
    "step",
    "top_share",
]

FloatArray = NDArray[np.float64]
ANIMALS = ("horses", "cattle", "pigs", "sheep_goats")


class Status:
    """Household status codes (an int8 column)."""

    INDIVIDUAL = 0
    PARTNERSHIP = 1
    GUILD = 2
    COMMUNE = 3
    REMOVED = 4
    NAMES = ("individual", "partnership", "guild", "commune", "removed")


@dataclass(frozen=True)
class Figure:
    """A number with its source."""

    value: float
    source: str


CENSUS_1927: Mapping[str, Figure] = MappingProxyType(
    {
        "households_million": Figure(
            25.7,
            "calibration.csv peasant_households_million, 1 June 1929: 1,003,000 kolkhoz households "
            "= 3.9% gives 25.7 million (derived, C); Davies 1980: 'twenty-five million individual "
            "peasant households'.",
        ),
        "collectivised_share": Figure(
            0.017, "calibration.csv collectivised_share, 1 June 1928 (Davies 1980, Tables 16-17)."
        ),
        "kulak_share": Figure(
            0.035,
            "events.csv kulak_households_share 1927: 3.2-3.8% (Martens 1994, citing the 1927 "
            "census); the middle of the band.",
        ),
        "kulak_draught_animals": Figure(
            2.3,
            "events.csv kulak_households_share: the 3.2% had on average 2.3 draught animals "
            "(Martens 1994, 1927 census); all counted as horses (assumption: oxen not split out).",
        ),
        "kulak_cows": Figure(
            2.5,
            "events.csv kulak_households_share: 2.5 cows on average (Martens 1994, 1927 census).",
        ),
        "poor_share": Figure(
            0.35,
            "assumption: about a third of households poor (bednyak); the record gives no share, "
            "and the middle peasantry is the residual.",
        ),
        "poor_horses": Figure(
            0.4,
            "assumption: most poor households had no horse; 0.4 on average, so that the middle "
            "households hold the rest of the national herd.",
        ),
        "horses_million": Figure(
            34.0,
            "calibration.csv horses_million, 1 July 1929 (Stalin's report to the XVII Congress): "
            "the record's summer series has no horse count for 1928; assumption: the herd of "
            "summer 1928 was that of summer 1929 (the 1 January 1929 count, 32.6 in events.csv, "
            "lies between winter counts, which run below summer ones).",
        ),
        "cattle_million": Figure(
            70.5, "calibration.csv cattle_million, 1 July 1928 (Nove, livestock table)."
        ),
        "cattle_per_cow": Figure(
            58.2 / 29.2,
            "events.csv livestock_cattle_jan1 58.2 and livestock_cows_jan1 29.2 (BSE, 1 January "
            "1929): cattle per cow, used to turn the kulaks' cows into cattle.",
        ),
        "pigs_million": Figure(
            26.0, "calibration.csv pigs_million, 1 July 1928 (Nove, livestock table)."
        ),
        "sheep_goats_million": Figure(
            146.7, "calibration.csv sheep_goats_million, 1 July 1928 (Nove, livestock table)."
        ),
    }
)
"""The start of 1928/29 from the record, each figure with its source."""

REGIONS = ("ukraine", "north_caucasus", "volga", "black_earth", "siberia", "other")
REGION_SHARES = np.array([0.21, 0.07, 0.09, 0.12, 0.07, 0.44])
"""Assumption: households by grain region, rounded shares of the rural population; the
record holds no regional split. Regions carry their own administrative pressure."""
REGION_SHARES.flags.writeable = False


@dataclass
class Households:
    """The countryside as columns: one entry per (sampled) household."""

    id: NDArray[np.int32]
    region: NDArray[np.int8]
    weight: FloatArray
    """Households each row stands for (1 for a full run, k when sampling 1 in k)."""
    family: FloatArray
    workers: _month.Counts
    """Members of working age (whole numbers, float32: exact, half the bytes)."""
    land: FloatArray
    horses: FloatArray
    cattle: FloatArray
    pigs: FloatArray
    sheep_goats: FloatArray
    implements: FloatArray
    grain: FloatArray
    wealth: FloatArray
    status: NDArray[np.int8]
    kulak: NDArray[np.bool_]
    contributed: FloatArray = field(default_factory=lambda: np.zeros(0))
    """Value of the means of production a member holds in the collective: what it brought
    at joining and the saved part of its income since, less wear (roubles)."""
    income: FloatArray = field(default_factory=lambda: np.zeros(0))
    """Last month's net income (roubles): output less the family's food and what it owes;
    empty means none yet."""
    remembered_pressure: FloatArray = field(default_factory=lambda: np.zeros(0))
    """Per region, the collectivisation pressure the households remember (it follows a
    rise at once and a fall only slowly); empty until the first month."""

    def __len__(self) -> int:
        return int(self.id.size)

    def total(self, column: str, mask: NDArray[np.bool_] | None = None) -> float:
        """Weighted total of a column over all households (or those in ``mask``)."""
        values = getattr(self, column) * self.weight
        return float(values.sum() if mask is None else values[mask].sum())

    def count(self, mask: NDArray[np.bool_]) -> float:
        """Weighted number of households in ``mask``."""
        return float(self.weight[mask].sum())

    @property
    def members(self) -> NDArray[np.bool_]:
        """Households in any kind of collective."""
        return (self.status >= Status.PARTNERSHIP) & (self.status <= Status.COMMUNE)

    @property
    def present(self) -> NDArray[np.bool_]:
        """Households still in the countryside (not removed)."""
        here: NDArray[np.bool_] = self.status != Status.REMOVED
        return here


@dataclass(frozen=True)
class Stratified:
    """A holding's mean per stratum (poor, middle, kulak), with its unit and source."""

    poor: float
    middle: float
    kulak: float
    unit: str
    source: str


INITIAL_DRAW: Mapping[str, Figure | Stratified] = MappingProxyType(
    {
        "poor_cattle": Figure(
            0.8,
            "assumption: a poor household had at most a cow (cattle per household; the middle "
            "stratum's mean is the residual that makes the national herd)",
        ),
        "poor_pigs": Figure(
            0.4, "assumption: pigs per poor household (the middle is the residual)"
        ),
        "kulak_pigs": Figure(
            2.0, "assumption: pigs per kulak household (the record gives draught animals and cows)"
        ),
        "poor_sheep_goats": Figure(
            2.0, "assumption: sheep and goats per poor household (the middle is the residual)"
        ),
        "kulak_sheep_goats": Figure(
            12.0, "assumption: sheep and goats per kulak household, six times the poor's"
        ),
        "family_persons": Figure(
            5.0,
            "1926 All-Union census: about 5.0 persons per peasant household (the commonly cited "
            "average; the record files hold no household size): the national mean, the middle "
            "stratum's mean is the residual",
        ),
        "poor_family_persons": Figure(
            4.2, "assumption: poor households were smaller (fewer hands, earlier division)"
        ),
        "kulak_family_persons": Figure(
            2_437_062 / 517_665,
            "events.csv evicted_kulaks_registry_families: 517,665 families, 2,437,062 persons "
            "(OGPU special-settler department, publ. Zemskov 2003): 4.7 persons per kulak family",
        ),
        "working_age_share": Figure(
            0.53,
            "assumption after the 1926 census age structure: about 53% of the rural population "
            "aged 16-59; each member is of working age with this probability (at least one)",
        ),
        "land_ha": Stratified(
            2.4,
            4.4,
            12.0,
            "hectares per household",
            "assumption: 2.4, 4.4 and 12 ha, about 102 million ha in all, near the sown area that "
            "yield_per_ha assumes (some 90 million ha of grain); the record holds no land count",
        ),
        "land_shape": Figure(
            4.0,
            "assumption: gamma shape of land within a stratum (coefficient of variation one half)",
        ),
        "implements_roubles": Stratified(
            30.0,
            90.0,
            300.0,
            "roubles per household",
            "assumption: implements and buildings worth 30, 90 and 300 roubles, a tenfold spread "
            "between poor and kulak like the draught animals' (2.3 against 0.4 horses, over 5x)",
        ),
        "implements_shape": Figure(
            2.0, "assumption: gamma shape of implements within a stratum (coefficient 0.7)"
        ),
        "horse_roubles": Figure(
            60.0,
            "assumption: wealth counts animals at relative values, a horse worth one and a half "
            "head of cattle, four pigs or twelve sheep (roubles of about 1927/28)",
        ),
        "cattle_roubles": Figure(40.0, "assumption: see horse_roubles"),
        "pig_roubles": Figure(15.0, "assumption: see horse_roubles"),
        "sheep_goat_roubles": Figure(5.0, "assumption: see horse_roubles"),
        "grain_tonnes_per_ha": Figure(
            0.3,
            "assumption: a stock of about four months' harvest at the start (0.8 t/ha a year); "
            "a run of the simulator resets it to reserve_months of need in its first month",
        ),
    }
)
"""The initial draw's holdings beyond the record's totals, each with its unit and source
(herd means in head per household, family in persons)."""


def _value(name: str) -> float:
    figure = INITIAL_DRAW[name]
    assert isinstance(figure, Figure)
    return figure.value


def initial_households(
    rng: np.random.Generator,
    sample: int = 100,
    census: dict[str, Figure] | None = None,
) -> Households:
    """The countryside at the start of 1928/29, one row per ``sample`` households.

    Strata (poor, middle, kulak) take the record's shares; holdings are drawn
    around the record's averages (Poisson counts), and the middle stratum's
    averages are whatever makes the national herds and family size match the record.
    Every other number is in ``INITIAL_DRAW``.
    """
    if sample < 1:
        raise ValueError("sample is at least 1")
    c = {k: v.value for k, v in (census or CENSUS_1927).items()}
    total = c["households_million"] * 1e6
    n = round(total / sample)
    weight = np.full(n, total / n)
    stratum = rng.choice(
        3, size=n, p=[c["poor_share"], 1 - c["poor_share"] - c["kulak_share"], c["kulak_share"]]
    ).astype(np.int8)
    kulak = stratum == 2
    shares = np.bincount(stratum, minlength=3) / n

    def by_stratum(poor: float, middle: float, kulak: float) -> FloatArray:
        """A value per household from its stratum's value."""
        return np.array([poor, middle, kulak])[stratum]

    def means(per_household: float, poor_mean: float, kulak_mean: float) -> FloatArray:
        middle_mean = (per_household - shares[0] * poor_mean - shares[2] * kulak_mean) / shares[1]
        return np.maximum(by_stratum(poor_mean, middle_mean, kulak_mean), 0.0)

    def spread(national: float, poor_mean: float, kulak_mean: float) -> FloatArray:
        return rng.poisson(means(national * 1e6 / total, poor_mean, kulak_mean)).astype(float)

    def stratified(name: str) -> FloatArray:
        figure = INITIAL_DRAW[name]
        assert isinstance(figure, Stratified)
        return by_stratum(figure.poor, figure.middle, figure.kulak)

    cows_to_cattle = c["cattle_per_cow"]
    horses = spread(c["horses_million"], c["poor_horses"], c["kulak_draught_animals"])
    cattle = spread(c["cattle_million"], _value("poor_cattle"), c["kulak_cows"] * cows_to_cattle)
    pigs = spread(c["pigs_million"], _value("poor_pigs"), _value("kulak_pigs"))
    sheep = spread(
        c["sheep_goats_million"], _value("poor_sheep_goats"), _value("kulak_sheep_goats")
    )
    persons = means(
        _value("family_persons"), _value("poor_family_persons"), _value("kulak_family_persons")
    )
    family = 1.0 + rng.poisson(np.maximum(persons - 1.0, 0.0)).astype(float)
    # the head always works: at least one worker
    workers = np.maximum(rng.binomial(family.astype(np.int64), _value("working_age_share")), 1)
    # gamma(shape, scale) is scale times a standard gamma draw: the same numbers, faster
    land_shape, implements_shape = _value("land_shape"), _value("implements_shape")
    land = rng.standard_gamma(land_shape, n) * stratified("land_ha") / land_shape
    implements = (
        rng.standard_gamma(implements_shape, n)
        * stratified("implements_roubles")
        / implements_shape
    )
    wealth = (
        _value("horse_roubles") * horses
        + _value("cattle_roubles") * cattle
        + _value("pig_roubles") * pigs
        + _value("sheep_goat_roubles") * sheep
        + implements
    )
    status = np.where(rng.random(n) < c["collectivised_share"], Status.GUILD, Status.INDIVIDUAL)
    return Households(
        id=np.arange(n, dtype=np.int32),
        region=rng.choice(len(REGIONS), size=n, p=REGION_SHARES / REGION_SHARES.sum()).astype(
            np.int8
        ),
        weight=weight,
        family=family,
        workers=workers.astype(np.float32),
        land=land,
        horses=horses,
        cattle=cattle,
        pigs=pigs,
        sheep_goats=sheep,
        implements=implements,
        grain=land * _value("grain_tonnes_per_ha"),
        wealth=wealth,
        status=status.astype(np.int8),
        kulak=kulak,
        contributed=np.where(status != Status.INDIVIDUAL, wealth, 0.0),
    )


@dataclass(frozen=True)
class HouseholdRules:
    """Parameters of the monthly rules; each default is a modelling assumption to calibrate."""

    join_base: float = -6.0
    """Log-odds of joining in a month with no push at all (about 0.25% a month)."""
    join_pressure: float = 6.0
    """Log-odds of joining per unit of the region's administrative pressure (0-1)."""
    join_market_closed: float = 1.5
    """Log-odds added while the free market is closed (assumption)."""
    join_tax_relief: float = 1.0
    """Log-odds per unit of tax relief for collectives (assumption)."""
    join_machines: float = 2.0
    """Log-odds per unit of the share of collective land tractors work (assumption)."""
    join_fear: float = 2.0
    """Log-odds per unit of fear, the pace of deportations against ``FEAR_SCALE``
    (assumption)."""
    join_wealth: float = 1.5
    """Richer households resist: log-odds fall with wealth relative to the mean."""
    slaughter_uncertain: float = 0.5
    """Share of its herd a joining household kills or sells when compensation is nil."""
    leave_rate: float = 0.3
    """Monthly hazard of leaving per unit of outside premium (outside option / collective
    pay - 1) and per unit of eased pressure (remembered less current): the probability is
    ``1 - exp(-hazard)``, never certain."""
    birth_rates: tuple[float, ...] = (0.006, 0.02, 0.08, 0.03)
    """Monthly births per animal: horses, cattle, pigs, sheep and goats (assumption)."""
    death_rates: tuple[float, ...] = (0.005, 0.017, 0.07, 0.027)
    """Monthly deaths per animal (assumption; near the births, herds roughly stand still)."""
    herd_birth_scale: float = 1.0
    """Multiplies every birth rate: the herds' natural growth, calibrated on the record."""
    drift_sigma: float = 0.05
    """Monthly spread of individual households' wealth growth with the market open."""
    drift_mu: float = 0.0
    """Mean of the monthly log wealth shock (0: luck alone does not enrich)."""
    kulak_to_collective: float = 0.55
    """Share of confiscated kulak property that reaches the collectives (events.csv:
    property worth over 175 million roubles passed to kolkhoz indivisible funds)."""
    household_birth: float = 0.001
    """Monthly rate of household division into new households (assumption)."""
    household_death: float = 0.0008
    """Monthly rates of household division (new households) and dissolution (assumption)."""
    yield_per_ha: float = 0.8
    """Tonnes of grain a hectare gives with enough draught power (assumption: the 1928
    harvest of about 68 Mt over some 90 million sown hectares, rounded)."""
    ha_per_horse: float = 3.3
    """Hectares one horse can work in a season. Derived: the 113.0 million ha sown in 1928
    (all crops; Sel'skoe khozyaistvo SSSR, 1960) over the summer herd of 34.0 million horses
    (calibration.csv horses_million), 3.3 ha; assumption: draught power just sufficed in
    1928 (oxen, cows in harness and the small tractor park were the slack)."""
    horses_per_tractor_hp: float = 1.3
    """Horses one horsepower of tractor stands for. Derived: machine-tractor stations worked
    1,999,700 ha in the 1930 sowing campaign ('The reconstruction of agriculture in the
    Soviet Union', 1930, p. 29) with 31,114 tractors (events.csv tractors_in_mts, 1930):
    64 ha a tractor, 4.3 ha per horsepower of a 15-hp tractor, or 1.3 horses of 3.3 ha (a
    15-hp tractor does the work of about 19 horses)."""
    draught_elasticity: float = 0.5
    """How steeply yield falls with the share of the land the draught power can work."""
    scale_gain: float = 0.3
    """Extra yield of a fully mechanised collective: scale gains come only with machines
    ('a ship from a flock of fishing boats')."""
    pressure_forgetting: float = 0.3
    """Monthly share by which the pressure households remember falls toward a lower current
    pressure (a rise is remembered at once). Members leave by how far the pressure has
    eased below the remembered one, so the retreat follows an easing and fades as it is
    forgotten (assumption: the retreat of March 1930 ran about three months, 1 March to
    1 June, calibration.csv collectivised_share; 0.7**3 = 0.34 of the easing is left)."""
    effort_elasticity: float = 0.5
    """Elasticity of a member's effort in the collective's fields to what a labour-day pays
    against what the same work earns on the household's own farm (assumption; below 1)."""
    effort_floor: float = 0.5
    """The least effort a member gives the collective, under compulsion (assumption: the
    statutes' minimum of labour-days)."""
    saving_share: float = 0.3
    """Share of a household's net income (output less food and quota, in roubles) that
    adds to its property; a loss is taken from property at the same share (assumption: the
    rest buys manufactures and pays taxes not modelled here)."""
    wealth_depreciation: float = 0.005
    """Monthly wear of property: animals age, implements wear (assumption: about 6% a
    year)."""
    join_eased: float = 6.0
    """Log-odds of joining lost per unit of eased pressure (remembered less current): an
    easing is read as leave to stay out, as the retreat after 2 March 1930 (assumption: as
    strong as pressure itself, the default ``join_pressure``)."""
    grain_roubles: float = 60.0
    """Roubles per tonne at which net grain income is valued. A run of a scenario sets it from
    its economy (the grain branch's output per tonne of its harvest indicator: 120 roubles
    for ussr-1928); this default, about a rouble a pood (the order of 1927/28 procurement
    prices), serves households stepped without an economy (assumption)."""
    pooled_draught_gain: float = 0.25
    """How much more land a horse works in a collective than on a small farm, where most
    draught animals stood idle much of the season. Budget data of 1929-30: use of draught
    animals on collectives rose by 24% in the Ukraine, 17% in the Black Earth, 25% in the
    Lower Volga and 35% in the North Caucasus ('The reconstruction of agriculture in the
    Soviet Union', 1930, p. 20; 380% in the Middle Volga left out as an outlier); 25%."""
    draught_hire_share: float = 0.5
    """Share of the grain of the hectares a neighbour's team works that the farm short of
    draught pays the team's owners. The horseless peasant's land was 'cultivated by the
    superior group with the aid of its cattle' (Larin, quoted in 'Ten years of the
    Bolshevik domination', 1928, p. 78; Kritsman's school counted this hire of means of
    production the main form of exploitation in the 1920s village); the term is half the
    crop, the customary share-cropping 'ispolu' (assumption; bounds 0 to 0.5)."""


@dataclass(frozen=True)
class MonthPolicy:
    """The levers the countryside feels in a month."""

    pressure: FloatArray
    """Administrative pressure per region, 0 (none) to 1 (wholesale collectivisation)."""
    market_open: bool = True
    tax_relief: float = 0.0
    machines: float = 0.0
    """Access to machinery: tractor horsepower per collective household, relative (0-1)."""
    fear: float = 0.0
    compensation: float = 1.0
    """How surely animals handed over are paid for (1 certain, 0 not at all)."""
    kulak_quota: float = 0.0
    """Households to remove this month (weighted count)."""
    collective_type: int = Status.GUILD
    outside_premium: float | FloatArray = 0.0
    """How much more a member would have farming alone than its collective gives it
    (relative): one for all, per region (``len(REGIONS)``) or per household."""
    migration: float | FloatArray = 0.0
    """Monthly probability that a worker of a present peasant household leaves for town, per
    region (an array of ``len(REGIONS)``) or one for all."""


GINI_ROWS = 1 << 19
"""Above this many rows the Gini is taken over an evenly spaced sample of about this many
(sorting 25 million numbers each month would cost more than the month itself; the sample's
standard error is near 0.001)."""


def _evenly(x: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Every ``step``-th value and weight, ``step`` the least that keeps at most
    ``GINI_ROWS``."""
    if x.size > GINI_ROWS:
        step = -(-x.size // GINI_ROWS)
        return x[::step], w[::step]
    return x, w


def _gini_ranked(ranked: FloatArray) -> float:
    """The Gini of equally weighted values sorted in ascending order (the closed form)."""
    n = ranked.size
    ranks = np.arange(1, n + 1, dtype=float)
    return float(2.0 * (ranks @ ranked) / (n * ranked.sum()) - (n + 1.0) / n)


def gini(values: FloatArray, weights: FloatArray | None = None) -> float:
    """The Gini coefficient of non-negative values, weighted; 0 for an empty or equal set."""
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    x, w = _evenly(x, w)
    if x.size == 0 or w.sum() <= 0 or x @ w <= 0:
        return 0.0
    if w.min() == w.max():
        # equal weights (every sampled row stands for as many households): the closed form
        return _gini_ranked(np.sort(x))
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    cum_w = np.cumsum(w)
    cum_xw = np.cumsum(x * w)
    total_w, total_xw = cum_w[-1], cum_xw[-1]
    lorenz = np.concatenate([[0.0], cum_xw / total_xw])
    shares = w / total_w
    area = np.sum(shares * (lorenz[1:] + lorenz[:-1]) / 2.0)
    return float(1.0 - 2.0 * area)


@dataclass
class MonthFlows:
    """Counts that account for every change of the month (weighted)."""

    joined: float = 0.0
    left: float = 0.0
    removed: float = 0.0
    born: float = 0.0
    dissolved: float = 0.0
    animal_births: dict[str, float] = field(default_factory=dict)
    animal_deaths: dict[str, float] = field(default_factory=dict)
    slaughtered: dict[str, float] = field(default_factory=dict)
    confiscated: dict[str, float] = field(default_factory=dict)
    to_collectives: float = 0.0
    migrants: float = 0.0
    """Workers who left for town this month (weighted)."""
    settlers: float = 0.0
    """Workers of households removed by dekulakisation this month, sent to construction,
    timber and mining as special settlers (weighted)."""
    families_left: float = 0.0
    """Households that left whole because their last worker went (weighted; counted as
    removed from the countryside, their herds sold off as ``slaughtered``)."""


def step(
    h: Households, policy: MonthPolicy, rules: HouseholdRules, rng: np.random.Generator
) -> MonthFlows:
    """One month of the countryside, in place; returns the flows that account for it.

    The rules, in the order they act on a household:

    - joining: an individual, non-kulak household joins ``policy.collective_type`` with
      probability ``1 / (1 + exp(-odds))``, the odds summing the levers (pressure in its
      region less ``join_eased`` times the easing its region remembers, a closed market,
      tax relief, machines, fear) less ``join_wealth`` times its wealth relative to the
      weighted mean of the households present (``membership_rates``);
    - a joining household first kills or sells ``floor(herd * kill + u)`` of each herd
      (``u`` uniform, so ``herd * kill`` on average), where ``kill`` is
      ``slaughter_uncertain`` times the share of the animals' value that is not paid back
      (compensation times the collective type's return on capital); it brings its wealth
      into the collective (``contributed``);
    - leaving: a member that did not join this month leaves with probability
      ``1 - exp(-leave_rate * outside_premium * eased)`` (its own premium, or its
      region's), where ``eased`` is how far its
      region's pressure lies below the pressure the households remember
      (``remembered_pressure``: it follows a rise at once and falls toward a lower pressure
      by ``pressure_forgetting`` a month); under steady pressure nobody leaves, and a
      retreat follows an easing and fades as it is forgotten;
    - dekulakisation: with a quota, the richest kulak households present (ties in row
      order) are removed while their weight adds up to at most the quota; their animals
      and wealth are confiscated, ``kulak_to_collective`` of the wealth reaching the
      collectives;
    - migration: each worker of a household still present leaves for town with probability
      ``policy.migration`` (per region), Binomial on its workers; the family shrinks with
      them, and a household whose last worker went leaves whole (removed, its herds sold);
      the workers of dekulakised households are counted as special settlers;
    - each remaining household's herds have Poisson(``herd * birth_rate``) births and
      Binomial deaths (see ``_herd_month``);
    - wealth accumulates from income: ``saving_share`` of last month's net income
      (``h.income``, roubles) is added, for a member to its contributed capital as well; an
      individual household accumulates only with the market open, where its wealth is also
      multiplied by ``exp(N(drift_mu, drift_sigma))`` (luck); all property wears by
      ``wealth_depreciation`` a month and never falls below zero;
    - households divide and dissolve as weight: the row's weight grows by
      ``1 + household_birth - household_death`` and its holdings (herds, land,
      implements, grain, wealth, contributed) are shared out over the new weight.

    The month is one compiled pass over the rows; its random draws come from streams
    keyed by one number taken from ``rng``, so a run repeats exactly from its seed.
    """
    _prepare(h)
    n = len(h)
    wealth_sum, weight_sum = _month.mean_wealth_sums(h.status, h.wealth, h.weight)
    mean_wealth = max(wealth_sum / weight_sum, 1e-9) if weight_sum > 0 else 1.0
    chosen = np.zeros(0, dtype=np.bool_)
    if policy.kulak_quota > 0:
        chosen = np.zeros(n, dtype=np.bool_)
        chosen[_richest_kulaks(h, policy.kulak_quota)] = True
    kept = policy.compensation * CAPITAL_RETURN[policy.collective_type]
    params = np.empty(_month.N_PARAMS)
    params[_month.P_JOIN_CONST] = (
        rules.join_base
        + rules.join_market_closed * (0.0 if policy.market_open else 1.0)
        + rules.join_tax_relief * policy.tax_relief
        + rules.join_machines * policy.machines
        + rules.join_fear * policy.fear
    )
    params[_month.P_JOIN_WEALTH] = rules.join_wealth
    params[_month.P_MEAN_WEALTH] = mean_wealth
    params[_month.P_KILL] = rules.slaughter_uncertain * (1.0 - kept)
    params[_month.P_COLLECTIVE] = policy.collective_type
    params[_month.P_MARKET_OPEN] = 1.0 if policy.market_open else 0.0
    params[_month.P_DRIFT_MU] = rules.drift_mu
    params[_month.P_DRIFT_SIGMA] = rules.drift_sigma
    params[_month.P_HH_BIRTH] = rules.household_birth
    params[_month.P_HH_DEATH] = rules.household_death
    params[_month.P_BIRTH : _month.P_BIRTH + 4] = np.asarray(rules.birth_rates) * (
        rules.herd_birth_scale
    )
    params[_month.P_DEATH : _month.P_DEATH + 4] = rules.death_rates
    params[_month.P_SAVING] = rules.saving_share
    params[_month.P_DEPRECIATION] = rules.wealth_depreciation
    pressure = np.ascontiguousarray(policy.pressure, dtype=np.float64)
    push, leave = membership_rates(h, pressure, rules)
    premium = np.asarray(policy.outside_premium, dtype=np.float64)
    if premium.shape != (n,):
        premium = np.broadcast_to(premium, pressure.shape)
    premium = np.ascontiguousarray(np.maximum(premium, 0.0))
    migration = np.ascontiguousarray(
        np.clip(np.broadcast_to(policy.migration, pressure.shape), 0.0, 1.0), dtype=np.float64
    )
    key = rng.integers(0, np.iinfo(np.int64).max, dtype=np.int64).astype(np.uint64)
    totals = _month.month(
        h.region,
        h.weight,
        h.horses,
        h.cattle,
        h.pigs,
        h.sheep_goats,
        h.land,
        h.implements,
        h.grain,
        h.wealth,
        h.contributed,
        h.status,
        h.kulak,
        chosen,
        h.family,
        h.workers,
        h.income,
        push,
        leave,
        premium,
        migration,
        params,
        key,
    )
    flows = MonthFlows(
        joined=float(totals[_month.F_JOINED]),
        left=float(totals[_month.F_LEFT]),
        removed=float(totals[_month.F_REMOVED]),
        born=float(totals[_month.F_BORN]),
        dissolved=float(totals[_month.F_DISSOLVED]),
        to_collectives=rules.kulak_to_collective * float(totals[_month.F_TO_COLLECTIVES]),
        migrants=float(totals[_month.F_MIGRANTS]),
        settlers=float(totals[_month.F_SETTLERS]),
        families_left=float(totals[_month.F_FAMILIES_LEFT]),
    )
    for k, animal in enumerate(ANIMALS):
        flows.slaughtered[animal] = float(totals[_month.F_SLAUGHTERED + k])
        flows.confiscated[animal] = float(totals[_month.F_CONFISCATED + k])
        flows.animal_births[animal] = float(totals[_month.F_ANIMAL_BIRTHS + k])
        flows.animal_deaths[animal] = float(totals[_month.F_ANIMAL_DEATHS + k])
    return flows


_FLOAT_COLUMNS = (
    "weight",
    "family",
    *ANIMALS,
    "land",
    "implements",
    "grain",
    "wealth",
    "contributed",
    "income",
)


def membership_rates(
    h: Households, pressure: FloatArray, rules: HouseholdRules
) -> tuple[FloatArray, FloatArray]:
    """Per region, the push to join (log-odds) and the hazard of leaving per unit of a
    member's outside premium; the households' memory of pressure moves on a month (in place).

    ``eased`` is the remembered pressure less the current one (at least 0). The push is
    ``join_pressure * pressure - join_eased * eased``: an easing is read as leave to stay
    out. The hazard of leaving is ``leave_rate * eased`` times the member's premium, its
    probability ``1 - exp(-hazard)``. The memory then follows a rise at once and falls by
    ``pressure_forgetting`` of the gap toward a lower pressure, so under steady pressure
    nobody leaves and a retreat fades as the easing is forgotten.
    """
    if h.remembered_pressure.shape != pressure.shape:
        h.remembered_pressure = pressure.copy()
    eased = np.maximum(h.remembered_pressure - pressure, 0.0)
    push = rules.join_pressure * pressure - rules.join_eased * eased
    hazard = rules.leave_rate * eased
    h.remembered_pressure = pressure + (1.0 - rules.pressure_forgetting) * eased
    return (
        np.ascontiguousarray(push, dtype=np.float64),
        np.ascontiguousarray(hazard, dtype=np.float64),
    )


def _prepare(h: Households) -> None:
    """Give every column the contiguous dtype the compiled month works on (no copy if so)."""
    if h.income.size == 0:
        h.income = np.zeros(len(h))
    for column in _FLOAT_COLUMNS:
        setattr(h, column, np.ascontiguousarray(getattr(h, column), dtype=np.float64))
    h.workers = np.ascontiguousarray(h.workers, dtype=np.float32)
    h.region = np.ascontiguousarray(h.region, dtype=np.int8)
    h.status = np.ascontiguousarray(h.status, dtype=np.int8)
    h.kulak = np.ascontiguousarray(h.kulak, dtype=np.bool_)
    n = len(h)
    for column in (*_FLOAT_COLUMNS, "workers", "region", "status", "kulak"):
        if getattr(h, column).shape != (n,):
            raise ValueError(f"column {column} has shape {getattr(h, column).shape}, not ({n},)")


def _richest_kulaks(h: Households, quota: float) -> NDArray[np.intp]:
    """Rows of the richest kulak households present whose weight adds up to at most ``quota``.

    Sorted by wealth, richest first, ties in row order. Only the top of the ranking
    that the quota can reach is sorted.
    """
    candidates = np.flatnonzero(h.kulak & (h.status != Status.REMOVED))
    if candidates.size == 0:
        return candidates
    wealth = h.wealth[candidates]
    weights = h.weight[candidates]
    lightest = float(weights.min())
    # any `reach` households weigh more than the quota, so the chosen are among the
    # `reach` richest (and those tied with the last of them): a prefix of the ranking
    reach = quota / lightest + 2 if lightest > 0 else math.inf
    if reach < candidates.size // 2:
        cut = candidates.size - int(reach)
        top = np.flatnonzero(wealth >= np.partition(wealth, cut)[cut])
        order = np.argsort(-wealth[top], kind="stable")
        cumulative = np.cumsum(weights[top][order])
        count = int(np.searchsorted(cumulative, quota, side="right"))
        if count < top.size:
            return candidates[top[order[:count]]]
    order = np.argsort(-wealth, kind="stable")
    cumulative = np.cumsum(weights[order])
    count = int(np.searchsorted(cumulative, quota, side="right"))
    return candidates[order[:count]]


CAPITAL_RETURN = MappingProxyType({Status.PARTNERSHIP: 1.0, Status.GUILD: 0.5, Status.COMMUNE: 0.0})
"""Share of a collective's income paid on contributed means of production, by type:
the partnership pays returns to what members brought, the guild holds machinery in
common and pays half, the commune pays per labour-day only (the source text's three
forms; the guild's half is an assumption)."""

_CAPITAL_RETURNS = np.array([0.0, *(CAPITAL_RETURN[kind] for kind in (1, 2, 3))])
"""``CAPITAL_RETURN`` by status code (individual farms pay no return), for the kernels."""
_CAPITAL_RETURNS.flags.writeable = False


def divide_income(
    h: Households, income: float, members: NDArray[np.bool_], kind: int
) -> FloatArray:
    """Members' incomes from a collective's total: part on contributed capital, part per worker.

    The capital part is ``CAPITAL_RETURN[kind]`` of the income, shared in proportion
    to contributed wealth; the rest is shared per worker (labour-days). Rows outside
    ``members`` get 0. One compiled pass sums the members' capital and labour, a second
    pays them.
    """
    mask = np.ascontiguousarray(members, dtype=np.bool_)
    status = np.where(mask, np.int8(kind), np.int8(Status.REMOVED)).astype(np.int8)
    sums = _month.kind_sums(status, h.weight, h.contributed, h.workers, h.weight)
    sums[kind, 0] = income
    rates = _month.division_rates(sums, _CAPITAL_RETURNS)
    return _month.divided(status, h.contributed, h.workers, rates, np.zeros(0, dtype=np.bool_))


def differentiation(
    h: Households, incomes: FloatArray, rich_multiple: float = 2.0
) -> dict[str, float]:
    """Inside the collectives: Gini of member income, the share above ``rich_multiple``
    times the mean (the kulak re-emerging inside), and the share paid on capital."""
    mean, weight_sum = _month.member_stats(h.status, h.weight, incomes)
    if weight_sum <= 0:
        return {"member_income_gini": 0.0, "rich_member_share": 0.0}
    above = _month.members_above(h.status, h.weight, incomes, rich_multiple * mean)
    rows = census_samples(h)[1]
    return {
        "member_income_gini": gini(incomes[rows], h.weight[rows]),
        "rich_member_share": above / weight_sum if mean > 0 else 0.0,
    }


def divided_differentiation(
    h: Households,
    values: FloatArray,
    members: NDArray[np.int64],
    member_weight: float,
    rich_multiple: float = 2.0,
) -> dict[str, float]:
    """``differentiation`` of the incomes each collective would pay its members by its rule
    out of their ``values`` pooled (``divide_income`` per kind), and ``capital_income_share``,
    the share of those incomes paid on contributed capital; without building the income
    column: the mean comes from the per-kind sums, the Gini from the members' sample
    (``members``, as ``census_samples`` gives it), and one pass counts those above the threshold.
    ``member_weight`` is the members' weight."""
    by_kind = _month.kind_sums(h.status, h.weight, h.contributed, h.workers, values)
    rates = _month.division_rates(by_kind, _CAPITAL_RETURNS)
    total = float(rates[1:, 0] @ by_kind[1:, 1] + rates[1:, 1] @ by_kind[1:, 2])
    capital_paid = sum(
        CAPITAL_RETURN[kind] * float(by_kind[kind, 0])
        for kind in (Status.PARTNERSHIP, Status.GUILD, Status.COMMUNE)
        if by_kind[kind, 1] > 0
    )
    out = {
        "member_income_gini": 0.0,
        "rich_member_share": 0.0,
        "capital_income_share": capital_paid / total if total > 0 else 0.0,
    }
    if member_weight <= 0:
        return out
    mean = total / member_weight
    if mean > 0:
        above = _month.members_paid_above(
            h.status, h.weight, h.contributed, h.workers, rates, rich_multiple * mean
        )
        out["rich_member_share"] = above / member_weight
    kind = h.status[members]
    sampled = rates[kind, 0] * h.contributed[members] + rates[kind, 1] * h.workers[members]
    out["member_income_gini"] = gini(sampled, h.weight[members])
    return out


def census_samples(h: Households) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The rows present, the members' and the individual farms', each evenly sampled as
    ``gini`` and ``top_share`` would sample the masked columns (at most ``GINI_ROWS``)."""
    present, members, alone = _month.sampled_groups(h.status, GINI_ROWS)
    return present, members, alone


TOP_DECILE = 0.1
"""The richest tenth of households, whose share of wealth measures differentiation."""


def top_share(values: FloatArray, weights: FloatArray, top: float = TOP_DECILE) -> float:
    """The share of the weighted total held by the richest ``top`` of the weight (the top
    decile by default); large sets are taken on the even sample the Gini uses.

    >>> top_share(np.arange(1.0, 11.0), np.ones(10))
    0.18181818181818182
    """
    x, w = _evenly(np.asarray(values, dtype=float), np.asarray(weights, dtype=float))
    total = float(x @ w)
    if x.size == 0 or total <= 0:
        return 0.0
    if w.min() == w.max():
        # equal weights: sorting the values alone is enough, and faster
        return _top_of_descending(np.sort(x)[::-1], w, top, total)
    order = np.argsort(-x, kind="stable")
    return _top_of_descending(x[order], w[order], top, total)


def _top_of_descending(x: FloatArray, w: FloatArray, top: float, total: float) -> float:
    """``top_share`` of values sorted in descending order, with their weights and total."""
    reach = top * float(w.sum())
    before = np.cumsum(w) - w
    counted = np.clip(reach - before, 0.0, w)
    return float(x @ counted) / total


def gini_and_top_share(
    values: FloatArray, weights: FloatArray, top: float = TOP_DECILE
) -> tuple[float, float]:
    """``gini`` and ``top_share`` of the same values, sorting them once when the weights are
    equal (as they are on the census's samples)."""
    x, w = _evenly(np.asarray(values, dtype=float), np.asarray(weights, dtype=float))
    if x.size == 0 or w.min() != w.max():
        return gini(x, w), top_share(x, w, top)
    total = float(x @ w)
    ranked = np.sort(x)
    g = 0.0 if w.sum() <= 0 or total <= 0 else _gini_ranked(ranked)
    share = _top_of_descending(ranked[::-1], w, top, total) if total > 0 else 0.0
    return g, share


def census(h: Households) -> dict[str, float]:
    """The record's stocks from the households (names of history/variables.csv).

    One compiled pass gives the totals; the Ginis and the top decile's share are taken on
    the rows ``census_samples`` picks, the even sample of at most ``GINI_ROWS`` rows that
    ``gini`` would take of the masked columns.
    """
    return census_and_sums(h)[0]


def census_and_sums(
    h: Households,
    sown: FloatArray | None = None,
    samples: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]] | None = None,
) -> tuple[dict[str, float], FloatArray]:
    """``census`` and the weighted totals of its pass (``_household_month.C_*``: with
    ``sown``, each household's sown share, the sown land too); ``samples`` are ``census_samples``
    of the households when the caller has them already."""
    sums = _month.census_sums(
        h.status,
        h.weight,
        h.workers,
        h.horses,
        h.cattle,
        h.pigs,
        h.sheep_goats,
        h.grain,
        h.land,
        np.zeros(0) if sown is None else sown,
    )
    total = float(sums[_month.C_PRESENT])
    present, members, alone = census_samples(h) if samples is None else samples
    wealth_gini, top = gini_and_top_share(h.wealth[present], h.weight[present])
    out = {
        "peasant_households_million": total / 1e6,
        "rural_workers_million": float(sums[_month.C_WORKERS]) / 1e6,
        "collectivised_share": float(sums[_month.C_MEMBERS]) / total if total else 0.0,
        "wealth_gini": wealth_gini,
        "wealth_top_decile_share": top,
        "member_capital_gini": gini(h.contributed[members], h.weight[members]),
        "wealth_gini_individual": gini(h.wealth[alone], h.weight[alone]),
    }
    for k, animal in enumerate(ANIMALS):
        out[f"{animal}_million"] = float(sums[_month.C_HERDS + k]) / 1e6
    return out, sums


def effort(pay: float | FloatArray, rules: HouseholdRules) -> FloatArray:
    """Members' effort in the collective's fields (1 full) from ``pay``: what a labour-day
    pays against what the same work earns on the household's own farm (1 equal).

    ``clip(pay ** effort_elasticity, effort_floor, 1)``: members work fully when a
    labour-day pays as well as their own farm, and withdraw effort toward the statutes'
    minimum as it pays less.

    >>> effort(np.array([0.25, 1.0, 2.0]), HouseholdRules()).tolist()
    [0.5, 1.0, 1.0]
    """
    ratio = np.maximum(np.asarray(pay, dtype=float), 0.0)
    out: FloatArray = np.clip(ratio**rules.effort_elasticity, rules.effort_floor, 1.0)
    return out


def production(
    h: Households,
    tractor_hp: FloatArray,
    rules: HouseholdRules,
    member_effort: FloatArray | None = None,
    draught: tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Grain each household grows in a normal season (tonnes), and each region's mechanised share.

    An individual farm works its land with its own horses; a collective pools its
    members' land and horses per region and adds the tractor horsepower machine-tractor
    stations bring there (``tractor_hp`` per region). Yield falls with the share of the
    land the draught power cannot work; a collective gains ``scale_gain`` on the share of
    its land tractors work, and nothing from pooling alone; its yield is multiplied by its
    members' ``member_effort`` per region (``effort``; full effort when not given). Members
    share the collective's harvest in proportion to the land they brought. ``draught`` is
    ``draught.draught_sums`` of the households when the caller has it already.
    """
    regions = len(tractor_hp)
    if draught is None:
        draught = draught_sums(
            h.region, h.weight, h.land, h.horses, h.status, rules.ha_per_horse, regions
        )
    land, horses, hired, _ = draught
    pooled_need = land / (rules.ha_per_horse * (1.0 + rules.pooled_draught_gain))
    machine_power = np.asarray(tractor_hp, dtype=float) * rules.horses_per_tractor_hp
    with np.errstate(divide="ignore", invalid="ignore"):
        worked = np.where(
            pooled_need > 0, np.minimum(1.0, (horses + machine_power) / pooled_need), 1.0
        )
        mechanised = np.where(pooled_need > 0, np.minimum(1.0, machine_power / pooled_need), 0.0)
    per_ha = (
        rules.yield_per_ha
        * worked**rules.draught_elasticity
        * (1.0 + rules.scale_gain * mechanised)
    )
    if member_effort is not None:
        per_ha = per_ha * member_effort
    grown = _month.grown(
        h.region,
        h.land,
        h.horses,
        h.status,
        np.ascontiguousarray(per_ha, dtype=np.float64),
        rules.yield_per_ha,
        rules.ha_per_horse,
        rules.draught_elasticity,
        hired,
    )
    return grown, mechanised
