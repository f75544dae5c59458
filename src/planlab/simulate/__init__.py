"""The simulate layer: a plan executed month by month against industry, money, trade and farms."""

from planlab.simulate.engine import run
from planlab.simulate.result import Run
from planlab.simulate.scenario import EXOGENOUS, INITIAL, PARAMETERS, POLICIES, Scenario, Setting

__all__ = ["EXOGENOUS", "INITIAL", "PARAMETERS", "POLICIES", "Run", "Scenario", "Setting", "run"]
