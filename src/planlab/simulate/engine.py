"""The monthly loop: a plan meets industry, money, markets, foreign trade and the peasant economy.

``run`` resolves the scenario into validated ``Params`` once, draws the run's
random streams from one seed, and then steps a typed ``State`` through the
month's stages (``planlab.simulate.stages``), in order:

1. targets: each branch's path (a plan's or an administered tempo), times the
   ratchet and the pull of excess demand;
2. production: the least of target, forced capacity, labour and inputs, with
   inputs rationed from stocks; overuse wears equipment and raises brak;
3. agriculture: the farms' own use, procurement and free-market supply;
4. construction: projects advance as materials allow and add capacity;
5. foreign trade: exports at world prices, imports within earnings, credit, reserves;
6. money and markets: wages and procurement paid, shops and the free market
   cleared, the deficit printed within its cap;
7. towns: people leave the villages for the towns' labour, which industry hires from;
8. discipline: the ratchet at each quarter's end, and new projects.

With ``plan`` the engine executes a plan computed by ``planlab.plan``: its output
targets, construction starts, imports and exports. The loop runs over months only;
everything inside is vectorised over branches. The engine does no I/O and prints
nothing; ``progress(done, total)`` is called each month if given. ``Model`` is the
same loop one month at a time, for a user who wants to step and look.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from planlab.simulate.agriculture import AggregateFarms, Farms
from planlab.simulate.params import Params, PlanDecisions, check_seed, resolve
from planlab.simulate.record import Recorder
from planlab.simulate.result import Run, build_series
from planlab.simulate.scenario import Scenario
from planlab.simulate.seeds import Streams, streams
from planlab.simulate.stages import (
    agriculture,
    construction,
    discipline,
    foreign_trade,
    money_and_markets,
    production,
    target_path,
    targets,
    towns,
)
from planlab.simulate.state import State, initial_state

__all__ = ["Model", "run"]

Progress = Callable[[int, int], None]


class Model:
    """A run that a user can step: ``step()`` advances one month, ``state`` is where it is."""

    def __init__(
        self,
        scenario: Scenario,
        months: object = None,
        seed: object = None,
        farms: Farms | None = None,
        plan: PlanDecisions | None = None,
    ) -> None:
        self.scenario = scenario
        self.params: Params = resolve(scenario, months, plan)
        self.seed = check_seed(scenario.seed if seed is None else seed)
        self.streams: Streams = streams(self.seed)
        self.weather = np.random.default_rng(self.streams.weather)
        p = self.params
        self.farms: Farms = (
            farms
            if farms is not None
            else AggregateFarms.from_base(
                p.economy, p.farm, p.A_stock, p.A_farm, p.parameter["urban_food_share"]
            )
        )
        self.path = target_path(p)
        self.state: State = initial_state(p)
        self.month = 0
        self.recorder = Recorder()
        self.recorder.stocks(self.state, self.farms)

    @property
    def done(self) -> bool:
        """Whether every month of the run has been stepped."""
        return self.month >= self.params.months

    def step(self) -> State:
        """Run one month through the stages and record it; return the new state."""
        p, s, t, farms = self.params, self.state, self.month, self.farms
        if t >= p.months:
            raise IndexError(f"the run has {p.months} months; all have been stepped")
        if t % 12 == 0:
            noise = p.parameter["harvest_noise"]
            shock = float(np.exp(self.weather.normal(0.0, noise))) if noise > 0 else 1.0
            s = dataclasses.replace(s, harvest_shock=shock)
        target = targets(p, s, t, self.path)
        s, made = production(p, s, t, target, farms)
        s, farm = agriculture(p, s, t, made, farms)
        s, built = construction(p, s, t, made)
        s, foreign = foreign_trade(p, s, t, made, built, farms)
        s, money = money_and_markets(p, s, t, made, farm, built, farms)
        s, moved = towns(p, s, t, made, farm, money, farms)
        s, starts = discipline(p, s, t, target, made, self.path)
        self.recorder.month(s, target, made, farm, built, foreign, money, moved, starts)
        self.recorder.stocks(s, farms)
        self.state, self.month = s, t + 1
        return s

    def result(self) -> Run:
        """The run so far as a ``Run`` (its dates end at the month reached)."""
        p = self.params
        dates = p.dates[: self.month + 1]
        history = self.recorder.history()
        return Run(
            scenario=p.name,
            seed=self.seed,
            dates=dates,
            history=history,
            series=build_series(self.scenario, dates, history),
        )


def run(
    scenario: Scenario,
    months: object = None,
    seed: object = None,
    progress: Progress | None = None,
    farms: Farms | None = None,
    plan: PlanDecisions | None = None,
) -> Run:
    """Simulate ``months`` months of a scenario; the same seed gives the same run.

    >>> from planlab.scenarios import load_scenario
    >>> result = run(load_scenario("ussr-1928"), months=3)
    >>> sorted(result.series.columns)
    ['date', 'value', 'variable']
    """
    model = Model(scenario, months, seed, farms, plan)
    while not model.done:
        model.step()
        if progress is not None:
            progress(model.month, model.params.months)
    return model.result()
