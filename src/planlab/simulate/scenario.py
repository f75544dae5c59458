"""A scenario: an economy, policies with dated changes, exogenous paths, initial values, a horizon.

The Scenario is a plain value that the engine reads; loading it from YAML lives
in ``planlab.scenarios``. Every policy, behavioural parameter, exogenous path
and initial value is declared once in the tables below (name, unit, default,
meaning), which drive validation, defaults and the format documentation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from planlab.economy import Economy
from planlab.simulate.grain import GrainRules
from planlab.simulate.households import HouseholdRules

__all__ = [
    "EXOGENOUS",
    "GRAIN_PARAMETERS",
    "HOUSEHOLD_PARAMETERS",
    "INITIAL",
    "PARAMETERS",
    "POLICIES",
    "TRACTOR_OUTPUT",
    "Path",
    "Scenario",
    "Setting",
    "Spec",
    "month_starts",
]


@dataclass(frozen=True)
class Spec:
    """One named input: unit, default, lowest and highest admissible value, meaning."""

    name: str
    unit: str
    default: float
    low: float
    high: float
    description: str


def _specs(*items: Spec) -> Mapping[str, Spec]:
    return MappingProxyType({s.name: s for s in items})


INF = float("inf")

TRACTOR_OUTPUT = "tractor_output_thousand"
"""The economy indicator counting tractors in machine building's output; the policy
``tractor_programme`` scales it, for the series and the tractor park alike."""

POLICIES = _specs(
    Spec(
        "pressure",
        "share above capacity",
        0.0,
        0.0,
        1.0,
        "Administrative pressure: how far above sustainable capacity branches are forced "
        "to run to meet their targets (0 = never, 0.3 = up to 30% over).",
    ),
    Spec(
        "ratchet",
        "fraction per fulfilled quarter",
        0.0,
        0.0,
        1.0,
        "The plan ratchet: targets of a branch that fulfilled its quarter are raised by "
        "this fraction ('forward, without stopping').",
    ),
    Spec(
        "emission_cap",
        "million roubles per month",
        INF,
        0.0,
        INF,
        "Most money the state may print in a month; inf = no cap. Projects of the "
        "lowest priority are cancelled to keep the deficit within it.",
    ),
    Spec(
        "credit_cap",
        "million gold roubles per year",
        INF,
        0.0,
        INF,
        "Most foreign credit drawn in a year (below the economy's own credit limit).",
    ),
    Spec(
        "investment_share",
        "fraction of targeted capacity growth",
        1.0,
        0.0,
        2.0,
        "Scale of the construction programme: share of the capacity the targets call for "
        "that is started.",
    ),
    Spec(
        "wage_growth",
        "fraction per year",
        0.0,
        -0.5,
        1.0,
        "Yearly growth of the nominal wage rate.",
    ),
    Spec(
        "turnover_tax",
        "share of state retail sales",
        0.0,
        0.0,
        0.9,
        "Turnover tax on consumer goods sold in state and cooperative shops.",
    ),
    Spec(
        "procurement_level",
        "index, base year = 1",
        1.0,
        0.0,
        10.0,
        "State procurement of farm goods relative to the base year's share of marketed "
        "output; above the marketed share it takes from the peasants' own consumption.",
    ),
    Spec(
        "procurement_quota_mt",
        "million tonnes per agricultural year",
        float("nan"),
        0.0,
        INF,
        "Grain procurement plan in tonnes for the agricultural year (July-June), as decreed: "
        "a first claim on every household's grain, a twelfth each month, shared out by the "
        "surplus each would have in a normal season, whatever the harvest (household runs); "
        "NaN (the default) keeps the share rule of procurement_level.",
    ),
    Spec(
        "procurement_price",
        "index, 1928 = 1",
        1.0,
        0.0,
        10.0,
        "Price the state pays for procured grain, relative to the base year.",
    ),
    Spec(
        "export_push",
        "fraction",
        0.0,
        0.0,
        1.0,
        "Extra share of stocks of exportable goods pushed abroad whatever the price.",
    ),
    Spec(
        "market_open",
        "0 or 1",
        1.0,
        0.0,
        1.0,
        "Whether the private (free) market may trade; 0 closes it.",
    ),
    Spec(
        "agricultural_tax",
        "share of peasant money income",
        0.0,
        0.0,
        0.9,
        "Tax on the peasants' money income.",
    ),
    Spec(
        "collectivisation_pressure",
        "0 to 1",
        0.0,
        0.0,
        1.0,
        "Administrative pressure on peasant households to join collectives (household runs).",
    ),
    Spec(
        "compensation",
        "0 to 1",
        1.0,
        0.0,
        1.0,
        "How surely animals handed to a collective are paid for (household runs).",
    ),
    Spec(
        "kulak_quota",
        "households per month",
        0.0,
        0.0,
        INF,
        "Households flagged as kulaks to be deported each month (household runs).",
    ),
    Spec(
        "collective_type",
        "1 partnership, 2 guild, 3 commune",
        2.0,
        1.0,
        3.0,
        "The form new collectives take, which decides how they divide income (household runs).",
    ),
    Spec(
        "tractor_programme",
        "multiple of the base year",
        1.0,
        0.0,
        1000.0,
        "Tractors made per unit of machine-building output (and held in machinery imports), "
        "relative to the base year: tractor plants built (household runs).",
    ),
    Spec(
        "wealth_tax",
        "share per year",
        0.0,
        0.0,
        1.0,
        "Tax on individual households' wealth above twice the mean: the kulak's accumulation "
        "taxed, not liquidated (household runs).",
    ),
    Spec(
        "tax_relief",
        "0 to 1",
        0.0,
        0.0,
        1.0,
        "Tax relief for households joining a collective (household runs).",
    ),
    Spec(
        "tempo_revision",
        "0 to 1",
        0.0,
        0.0,
        1.0,
        "How far targets have moved from the tempos (growth) to the revised tempos "
        "(revised_growth): 0 the first, 1 the revised.",
    ),
    Spec(
        "loan_share",
        "share of household money per year",
        0.0,
        0.0,
        1.0,
        "State loans subscribed by households each year, as a share of their money.",
    ),
    Spec(
        "investment_priority",
        "0 to 1",
        0.0,
        0.0,
        1.0,
        "Construction before consumption: the share of next month's construction materials "
        "kept back from exports, the state's use and the shops (0: building takes what the "
        "month leaves; 1: construction served first, as an executed plan always is).",
    ),
    Spec(
        "loan_subscription",
        "share of pay",
        0.0,
        0.0,
        0.5,
        "Mass state loans: the share of wages and building-site pay subscribed to state loans, "
        "deducted as it is paid.",
    ),
)
"""Levers a course sets, each a value with dated changes."""

PARAMETERS = _specs(
    Spec(
        "wear_elasticity",
        "extra wear per unit of overuse",
        2.0,
        0.0,
        50.0,
        "Depreciation rises by this multiple of the overuse (utilisation above 1).",
    ),
    Spec(
        "brak_base",
        "share of output",
        0.02,
        0.0,
        0.5,
        "Share of defective output ('brak') at sustainable utilisation.",
    ),
    Spec(
        "brak_elasticity",
        "share per unit of overuse",
        0.5,
        0.0,
        5.0,
        "Rise of the defective share per unit of overuse.",
    ),
    Spec(
        "velocity",
        "share of money spent per month",
        0.4,
        0.01,
        1.0,
        "Share of their money that households try to spend each month.",
    ),
    Spec(
        "import_substitution",
        "share per month",
        0.0,
        0.0,
        1.0,
        "How fast planners add to the capacity they want the imports the world market no "
        "longer supplies (an average of the import gap, updated by this share each month); "
        "0: import dependence stays as in the base year.",
    ),
    Spec(
        "free_market_elasticity",
        "elasticity",
        0.0,
        0.0,
        10.0,
        "How buyers on the free market hold back as its price rises; 0 spends all the money "
        "the shops could not absorb.",
    ),
    Spec(
        "demand_pull",
        "target rise per unit of shortage",
        0.0,
        0.0,
        2.0,
        "How far excess demand (the shortage index) pulls consumer-goods branches over plan.",
    ),
    Spec("credit_interest", "fraction per year", 0.06, 0.0, 0.5, "Interest on foreign credit."),
    Spec(
        "export_demand_elasticity",
        "price elasticity",
        2.0,
        0.1,
        INF,
        "How the world market pays for more of a good: each good's price falls as (exported "
        "volume / the volume foreign demand takes at the world price) ** (-1 / elasticity); "
        "inf = any volume at the world price. Assumption: 2, a seller large enough to move "
        "the price (the Soviet grain and timber sales of 1930-31 depressed world prices); "
        "no series in the record to fit it by.",
    ),
    Spec("credit_term", "years", 3.0, 0.25, 30.0, "Years over which credit is repaid."),
    Spec(
        "reserve_floor",
        "million gold roubles",
        0.0,
        0.0,
        INF,
        "Reserves the state will not spend on imports.",
    ),
    Spec(
        "urban_food_share",
        "share of household food consumption",
        0.22,
        0.0,
        1.0,
        "Share of households' consumption of farm goods bought by towns on the market "
        "(the rest is eaten in the countryside).",
    ),
    Spec(
        "import_priority_machinery",
        "weight",
        2.0,
        0.0,
        100.0,
        "Priority of machinery among imports, against 1 for other goods.",
    ),
    Spec(
        "base_turnover_tax",
        "share of state retail sales",
        0.0,
        0.0,
        0.9,
        "Turnover tax already inside the base year's prices: the industrial price index is "
        "(1 + turnover_tax) / (1 + base_turnover_tax).",
    ),
    Spec(
        "site_wage_share",
        "share of construction spending",
        0.3,
        0.0,
        1.0,
        "Wages paid on building sites per unit of materials built in (labour the branches' "
        "own coefficients do not hold: seasonal workers from the villages).",
    ),
    Spec(
        "migration_rate",
        "share of rural workers a month",
        0.0,
        0.0,
        0.05,
        "Monthly probability that a rural worker leaves for town when the towns pay and hire "
        "as in the base year, no one goes hungry and there is no pressure; 0: no migration "
        "(the towns' labour grows at the labour force's rate only).",
    ),
    Spec(
        "migrant_worker_share",
        "workers per migrant",
        0.6,
        0.45,
        1.0,
        "Workers among the people who move to town (the rest are their dependants).",
    ),
    Spec(
        "migration_wage_elasticity",
        "elasticity",
        1.0,
        0.0,
        10.0,
        "How migration follows the urban real wage against farm income per rural worker, "
        "both relative to the base year: the rate is multiplied by their ratio to this power.",
    ),
    Spec(
        "migration_hunger",
        "log-rate per unit of hunger share",
        2.0,
        0.0,
        20.0,
        "How hunger drives people off the land: the rate is multiplied by exp(this x the "
        "share of rural people short of food last month).",
    ),
    Spec(
        "migration_pressure",
        "log-rate per unit of pressure",
        1.0,
        0.0,
        10.0,
        "How collectivisation pressure and fear drive flight to the towns: the rate is "
        "multiplied by exp(this x pressure).",
    ),
    Spec(
        "migration_demand_elasticity",
        "elasticity",
        1.0,
        0.0,
        10.0,
        "How the towns' demand for labour draws migrants (recruitment, orgnabor): the rate "
        "is multiplied by (labour the targets need over the towns' labour, relative to the "
        "base month) to this power.",
    ),
    Spec(
        "harvest_noise",
        "standard deviation of log yield",
        0.0,
        0.0,
        1.0,
        "Random weather on top of the harvest path, drawn once a year from the run's seed.",
    ),
)
"""Behavioural parameters, each with its source; calibrated later on the record."""

_RULES, _GRAIN = HouseholdRules(), GrainRules()
HOUSEHOLD_PARAMETERS = _specs(
    Spec(
        "join_base",
        "log-odds",
        _RULES.join_base,
        -20.0,
        5.0,
        "Log-odds of joining a collective in a month with no push at all (household runs).",
    ),
    Spec(
        "join_pressure",
        "log-odds per unit of pressure",
        _RULES.join_pressure,
        0.0,
        30.0,
        "How strongly administrative pressure pushes households into collectives.",
    ),
    Spec(
        "join_market_closed",
        "log-odds",
        _RULES.join_market_closed,
        0.0,
        10.0,
        "Push to join when the free market is closed.",
    ),
    Spec(
        "join_tax_relief",
        "log-odds",
        _RULES.join_tax_relief,
        0.0,
        10.0,
        "Pull to join from tax relief for collectives.",
    ),
    Spec(
        "join_machines",
        "log-odds per mechanised share",
        _RULES.join_machines,
        0.0,
        10.0,
        "Pull to join from machines: the share of collective land tractors work.",
    ),
    Spec(
        "join_fear",
        "log-odds",
        _RULES.join_fear,
        0.0,
        10.0,
        "Push to join from fear, while households are being deported.",
    ),
    Spec(
        "join_wealth",
        "log-odds per mean wealth",
        _RULES.join_wealth,
        0.0,
        10.0,
        "How much richer households resist joining.",
    ),
    Spec(
        "slaughter_uncertain",
        "share of herd",
        _RULES.slaughter_uncertain,
        0.0,
        1.0,
        "Share of its herd a joining household kills or sells when compensation is nil.",
    ),
    Spec(
        "leave_rate",
        "per month per unit of premium",
        _RULES.leave_rate,
        0.0,
        10.0,
        "Monthly hazard of leaving per unit of outside premium and of eased pressure.",
    ),
    Spec(
        "pressure_forgetting",
        "share of the gap per month",
        _RULES.pressure_forgetting,
        0.0,
        1.0,
        "How fast the pressure households remember falls toward a lower pressure; members "
        "leave by how far pressure has eased below the remembered one.",
    ),
    Spec(
        "join_eased",
        "log-odds per unit of eased pressure",
        _RULES.join_eased,
        0.0,
        30.0,
        "How much an easing of pressure below the remembered one holds households back from "
        "joining.",
    ),
    Spec(
        "effort_elasticity",
        "elasticity",
        _RULES.effort_elasticity,
        0.0,
        0.95,
        "How strongly members' effort follows what a labour-day pays against their own farm.",
    ),
    Spec(
        "saving_share",
        "share of net income",
        _RULES.saving_share,
        0.0,
        1.0,
        "Share of a household's net income that adds to (or, a loss, takes from) its property.",
    ),
    Spec(
        "draught_hire_share",
        "share of a hired hectare's grain",
        _RULES.draught_hire_share,
        0.0,
        0.5,
        "Share of the grain of the hectares a neighbour's team works that the farm short of "
        "draught pays the team's owners (half the crop, share-cropping 'ispolu').",
    ),
    Spec(
        "herd_birth_scale",
        "multiple",
        _RULES.herd_birth_scale,
        0.0,
        3.0,
        "Multiplies the herds' birth rates (their natural growth).",
    ),
    Spec(
        "drift_sigma",
        "log wealth per month",
        _RULES.drift_sigma,
        0.0,
        1.0,
        "Spread of individual households' wealth growth with the market open.",
    ),
)
"""Parameters of the household rules (``HouseholdRules``), settable in a scenario."""

GRAIN_PARAMETERS = _specs(
    Spec(
        "reserve_months",
        "months of need",
        _GRAIN.reserve_months,
        0.0,
        24.0,
        "Grain a household keeps back before delivering or selling.",
    ),
    Spec(
        "sow_elasticity",
        "elasticity",
        _GRAIN.sow_elasticity,
        0.0,
        5.0,
        "How strongly individual sowing follows grain's terms of trade.",
    ),
    Spec(
        "sow_floor",
        "share of land",
        _GRAIN.sow_floor,
        0.0,
        1.0,
        "The least share of its land a household sows.",
    ),
    Spec(
        "sell_elasticity",
        "elasticity",
        _GRAIN.sell_elasticity,
        0.0,
        10.0,
        "How strongly the share of spare grain sold follows grain's terms of trade.",
    ),
    Spec(
        "delivery_uplift",
        "fraction",
        _GRAIN.delivery_uplift,
        0.0,
        5.0,
        "How much larger a collective's quota is per tonne than an individual farm's.",
    ),
)
"""Parameters of the grain rules (``GrainRules``), settable in a scenario."""

PARAMETERS = MappingProxyType({**PARAMETERS, **HOUSEHOLD_PARAMETERS, **GRAIN_PARAMETERS})

EXOGENOUS = _specs(
    Spec(
        "world_export_price",
        "index, start = 1",
        1.0,
        0.0,
        100.0,
        "World prices of the economy's exports (primary goods) relative to the start.",
    ),
    Spec(
        "world_import_price",
        "index, start = 1",
        1.0,
        0.0,
        100.0,
        "World prices of imports relative to the start.",
    ),
    Spec(
        "export_demand",
        "index, start = 1",
        1.0,
        0.0,
        100.0,
        "Foreign demand for the economy's exports relative to the start.",
    ),
    Spec(
        "harvest",
        "index, normal = 1",
        1.0,
        0.0,
        3.0,
        "Weather: the year's yield relative to a normal year, from the harvest month on.",
    ),
)
"""Paths the world and the weather impose, as dated points (each holds until the next)."""

INITIAL = _specs(
    Spec("currency", "million roubles", 0.0, 0.0, INF, "Currency in circulation at the start."),
    Spec("wage", "roubles per worker-year", 0.0, 0.0, INF, "Average money wage at the start."),
    Spec("foreign_debt", "million gold roubles", 0.0, 0.0, INF, "Foreign debt at the start."),
    Spec(
        "stock_months",
        "months of output",
        1.0,
        0.0,
        24.0,
        "Inventories at the start, as months of each branch's output.",
    ),
    Spec(
        "town_unemployed",
        "thousand persons",
        0.0,
        0.0,
        INF,
        "Registered unemployed in the towns at the start: labour industry can hire beyond "
        "the economy's base-year labour.",
    ),
    Spec(
        "wage_earners",
        "thousand persons",
        0.0,
        0.0,
        INF,
        "Workers and employees at the start; they move with employment outside the peasant "
        "farms (0: not reported).",
    ),
    Spec(
        "worker_money_share",
        "share of currency",
        0.5,
        0.0,
        1.0,
        "Share of the currency held by workers (the rest by peasants).",
    ),
)
"""Values of the state at the start that the economy does not hold."""


@dataclass(frozen=True)
class Setting:
    """A value with dated changes: ``value`` from the start, each change from its date on."""

    value: float
    changes: tuple[tuple[dt.date, float], ...] = ()
    source: str = ""

    def path(self, dates: tuple[dt.date, ...]) -> NDArray[np.float64]:
        """The value in force at each date."""
        out = np.full(len(dates), self.value, dtype=float)
        order = np.array([d.toordinal() for d in dates])
        for when, value in sorted(self.changes):
            out[order >= when.toordinal()] = value
        return out


Path = Setting
"""An exogenous path is a setting too: a start value and dated points."""


def month_starts(start: dt.date, months: int) -> tuple[dt.date, ...]:
    """The first day of each month of the run, ``months + 1`` dates (the last is the end)."""
    year, month = start.year, start.month
    out = []
    for _ in range(months + 1):
        out.append(dt.date(year, month, 1))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return tuple(out)


@dataclass(frozen=True)
class Scenario:
    """Everything a run needs besides its seed: economy, policies, paths, start, horizon.

    ``targets`` maps a branch to its yearly growth (tempos set by administration);
    branches not named grow at ``default_growth``. ``priority`` ranks branches for
    construction (higher first); projects of the lowest rank are cancelled first.
    """

    name: str
    economy: Economy
    start: dt.date
    months: int
    policies: Mapping[str, Setting]
    parameters: Mapping[str, Setting]
    exogenous: Mapping[str, Setting]
    initial: Mapping[str, Setting]
    targets: Mapping[str, float] = field(default_factory=dict)
    default_growth: float = 0.0
    priority: Mapping[str, float] = field(default_factory=dict)
    machinery: tuple[str, ...] = ()
    """Branches whose imports count as machinery (priority and the record's machinery imports)."""
    agriculture: tuple[str, ...] = ()
    """Branches run by the peasant economy (harvest, marketing, procurement)."""
    grain: str | None = None
    """The branch whose physical indicator is the grain harvest."""
    title: str = ""
    seed: int = 1
    revised_targets: Mapping[str, float] = field(default_factory=dict)
    """Yearly growth per branch once the plan is revised (policy ``tempo_revision``)."""
    course: str | None = None
    """The course (a named set of policies) this scenario was loaded with."""
    region_pressure: Mapping[str, float] = field(default_factory=dict)
    """Multiplier of collectivisation pressure per grain region (household runs)."""
    export_plan: Mapping[str, Setting] = field(default_factory=dict)
    """Exports ordered per good, a multiple of the base year's exports (dated changes)."""
    target_path: NDArray[np.float64] | None = field(default=None, compare=False)
    """Targets from a plan: ``target_path[y - 1]`` is each branch's output in plan year y."""

    def value(self, group: str, name: str) -> float:
        """The start value of a policy, parameter, path or initial value (its default if unset)."""
        table = {
            "policies": POLICIES,
            "parameters": PARAMETERS,
            "exogenous": EXOGENOUS,
            "initial": INITIAL,
        }
        given: Mapping[str, Setting] = getattr(self, group)
        return given[name].value if name in given else table[group][name].default

    def path(self, group: str, name: str, dates: tuple[dt.date, ...]) -> NDArray[np.float64]:
        """A policy, parameter or exogenous value at each date."""
        given: Mapping[str, Setting] = getattr(self, group)
        if name in given:
            return given[name].path(dates)
        return np.full(len(dates), self.value(group, name))
