"""The peasant economy as household agents, plugged into the engine through ``Farms``.

Each month the households take their decisions under the month's policies,
grow grain by their draught power (horses, and the tractors industry has made,
sent to the collectives through machine-tractor stations), and keep their herds;
the farm branches' output follows the households' grain and herds relative to
the start. Collectives deliver more of their harvest to procurement than
individual farms do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from planlab.simulate.agriculture import AggregateFarms, FarmSplit
from planlab.simulate.households import (
    ANIMALS,
    CAPITAL_RETURN,
    REGIONS,
    HouseholdRules,
    Households,
    MonthPolicy,
    Status,
    census,
    differentiation,
    divide_income,
    initial_households,
    production,
    step,
)
from planlab.simulate.scenario import Scenario, month_starts

__all__ = ["HERD_UNITS", "HouseholdFarms"]

FloatArray = NDArray[np.float64]

HERD_UNITS = {"horses": 1.0, "cattle": 0.8, "pigs": 0.2, "sheep_goats": 0.1}
"""Livestock units per head, weighting the herds into one index (assumption: the usual
livestock-unit conventions, rounded)."""

INITIAL_TRACTOR_HP = 270_000.0
"""events.csv tractor_horsepower: 0.27 million hp in agriculture on 1 January 1929."""

HP_PER_TRACTOR = 15.0
"""events.csv tractor_horsepower: 18,000 tractors x 15 hp on 1 January 1929."""


@dataclass
class HouseholdFarms:
    """Farms made of households; see the module's docstring for what each month does."""

    households: Households
    base: AggregateFarms
    policies: Callable[[int], MonthPolicy]
    rules: HouseholdRules
    rng: np.random.Generator
    grain: int
    livestock: int | None
    machinery: int | None
    tractors_per_unit: float
    """Thousand tractors per value unit of the machinery branch's output."""
    tractor_hp: float
    """Tractor horsepower in agriculture now."""
    tractor_wear: float = 0.01
    """Share of the tractor park worn out each month (assumption: about eight years' life)."""
    delivery_uplift: float = 0.5
    """How much more of its harvest a collective delivers than an individual farm
    (assumption: deliveries were first claims on collective harvests)."""
    month: int = 0
    base_grain: float = field(init=False, default=1.0)
    base_herd: float = field(init=False, default=1.0)

    def __post_init__(self) -> None:
        self.base_grain = max(self._grain(), 1e-12)
        self.base_herd = max(self._herd(), 1e-12)

    def _regional_hp(self) -> FloatArray:
        """Tractors go to the collectives, by region, in proportion to their land."""
        h = self.households
        regions = int(h.region.max()) + 1 if len(h) else 1
        land = np.bincount(h.region, weights=h.land * h.weight * h.members, minlength=regions)
        total = float(land.sum())
        if total <= 0:
            return np.zeros(regions)
        share: FloatArray = land / total * self.tractor_hp
        return share

    def _premium(self) -> FloatArray:
        """Per region, how much more an individual farm grows than a member receives.

        Members weigh what a household farming alone grows in their region against
        what the collective gives each member household; the gap (when positive)
        drives the retreat once pressure eases.
        """
        h = self.households
        grown, _ = production(h, self._regional_hp(), self.rules)
        regions = len(REGIONS)
        present = h.present
        alone = (h.status == Status.INDIVIDUAL) & present
        members = h.members & present

        def mean(mask: NDArray[np.bool_]) -> FloatArray:
            total = np.bincount(h.region, weights=grown * h.weight * mask, minlength=regions)
            count = np.bincount(h.region, weights=h.weight * mask, minlength=regions)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(count > 0, total / np.where(count > 0, count, 1.0), np.nan)

        individual, member = mean(alone), mean(members)
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.where(member > 0, individual / member - 1.0, 0.0)
        premium: FloatArray = np.clip(np.nan_to_num(gap, nan=0.0), 0.0, None)
        return premium

    def _grain(self) -> float:
        grown, _ = production(self.households, self._regional_hp(), self.rules)
        return float(grown @ self.households.weight)

    def _herd(self) -> float:
        h = self.households
        return float(sum(HERD_UNITS[a] * (getattr(h, a) @ (h.weight * h.present)) for a in ANIMALS))

    def planned(self, capacity: FloatArray, harvest: float) -> FloatArray:
        """A month of household decisions, then output from their grain and herds."""
        policy = replace(self.policies(self.month), outside_premium=self._premium())
        step(self.households, policy, self.rules, self.rng)
        self.month += 1
        rate = self.base.planned(capacity, harvest)
        grain_index = self._grain() / self.base_grain
        herd_index = self._herd() / self.base_herd
        scaled = rate * grain_index
        if self.livestock is not None:
            scaled[self.livestock] = rate[self.livestock] * herd_index
        return scaled

    def observe(self, output: FloatArray) -> None:
        """Tractors made this month join the park; the old wear out."""
        made = 0.0
        if self.machinery is not None:
            made = float(output[self.machinery]) * self.tractors_per_unit * 1000.0 * HP_PER_TRACTOR
        self.tractor_hp = self.tractor_hp * (1.0 - self.tractor_wear) + made

    def split(self, net: FloatArray, procurement_level: float) -> FarmSplit:
        """The aggregate marketing shares, with procurement rising with collectivisation."""
        h = self.households
        present = float(h.weight[h.present].sum())
        share = float(h.weight[h.members].sum()) / present if present > 0 else 0.0
        return self.base.split(net, procurement_level * (1.0 + self.delivery_uplift * share))

    def census(self) -> Mapping[str, float]:
        """The record's stocks (households, collectivised share, herds, tractors) and the
        differentiation inside the collectives: Gini of member income, the share of
        members above twice the mean, and the share of income paid on contributed capital."""
        h = self.households
        out = dict(census(h))
        out["tractors_thousand"] = self.tractor_hp / HP_PER_TRACTOR / 1000.0
        grown, _ = production(h, self._regional_hp(), self.rules)
        incomes = np.zeros(len(h))
        capital_paid = 0.0
        for kind in (Status.PARTNERSHIP, Status.GUILD, Status.COMMUNE):
            members = (h.status == kind) & h.present
            harvest = float(grown[members] @ h.weight[members])
            incomes += divide_income(h, harvest, members, kind)
            if float(h.contributed[members] @ h.weight[members]) > 0:
                capital_paid += CAPITAL_RETURN[kind] * harvest
        out.update(differentiation(h, incomes))
        total = float(incomes @ h.weight)
        out["capital_income_share"] = capital_paid / total if total > 0 else 0.0
        return out

    @classmethod
    def from_scenario(
        cls, scenario: Scenario, sample: int = 100, seed: int | None = None
    ) -> HouseholdFarms:
        """Households from the 1927-29 record (one row per ``sample``) under its policies."""
        e = scenario.economy
        rng = np.random.default_rng(scenario.seed if seed is None else seed)
        households = initial_households(sample=sample, rng=rng)
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
            )
        }
        factor = np.array([scenario.region_pressure.get(r, 1.0) for r in REGIONS])

        def policy(month: int) -> MonthPolicy:
            return MonthPolicy(
                pressure=np.clip(paths["collectivisation_pressure"][month] * factor, 0.0, 1.0),
                market_open=bool(paths["market_open"][month] >= 0.5),
                compensation=float(paths["compensation"][month]),
                kulak_quota=float(paths["kulak_quota"][month]),
                collective_type=round(float(paths["collective_type"][month])),
            )

        def find(name: str | None) -> int | None:
            return e.index(name) if name is not None and name in e.names else None

        tractors = next((i for i in e.indicators if i.name == "tractor_output_thousand"), None)
        machinery = find(tractors.sector) if tractors is not None else None
        return cls(
            households=households,
            base=base,
            policies=policy,
            rules=HouseholdRules(),
            rng=rng,
            grain=e.index(scenario.grain) if scenario.grain else 0,
            livestock=find("livestock"),
            machinery=machinery,
            tractors_per_unit=tractors.per_unit if tractors is not None else 0.0,
            tractor_hp=INITIAL_TRACTOR_HP,
        )
