"""The simulate layer: a plan executed month by month against industry, money, trade and farms.

``run`` (or ``Model``, to step month by month) takes a ``Scenario`` and a seed; with
``plan=PlanDecisions`` it executes a computed plan. A custom countryside plugs in
through the ``Farms`` protocol (``AggregateFarms`` and ``HouseholdFarms`` are the two
built in).
"""

from planlab.simulate.agriculture import AggregateFarms, Departures, FarmPrices, Farms, FarmSplit
from planlab.simulate.engine import Model, run
from planlab.simulate.household_farms import HouseholdFarms
from planlab.simulate.params import Params, PlanDecisions, resolve
from planlab.simulate.result import Run
from planlab.simulate.scenario import EXOGENOUS, INITIAL, PARAMETERS, POLICIES, Scenario, Setting
from planlab.simulate.state import State

__all__ = [
    "EXOGENOUS",
    "INITIAL",
    "PARAMETERS",
    "POLICIES",
    "AggregateFarms",
    "Departures",
    "FarmPrices",
    "FarmSplit",
    "Farms",
    "HouseholdFarms",
    "Model",
    "Params",
    "PlanDecisions",
    "Run",
    "Scenario",
    "Setting",
    "State",
    "resolve",
    "run",
]
