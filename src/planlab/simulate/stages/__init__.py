"""The month's stages, in order: each a function of the run's Params and the State it gets."""

from planlab.simulate.stages.building import Building, construction
from planlab.simulate.stages.discipline import discipline
from planlab.simulate.stages.farming import FarmMonth, agriculture
from planlab.simulate.stages.foreign import Foreign, foreign_trade
from planlab.simulate.stages.money import Money, money_and_markets
from planlab.simulate.stages.production import Production, production
from planlab.simulate.stages.targets import TargetPath, target_path, targets
from planlab.simulate.stages.towns import TownsMonth, towns

__all__ = [
    "Building",
    "FarmMonth",
    "Foreign",
    "Money",
    "Production",
    "TargetPath",
    "TownsMonth",
    "agriculture",
    "construction",
    "discipline",
    "foreign_trade",
    "money_and_markets",
    "production",
    "target_path",
    "targets",
    "towns",
]
