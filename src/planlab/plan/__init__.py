"""The plan layer: the multi-year plan LP, its objectives, and the tempo check."""

from planlab.plan.build import OBJECTIVES, build
from planlab.plan.formulation import PlanModel, PlanSettings, Targets, build_model, make_targets
from planlab.plan.lp import LinearProgram, Solution, Status
from planlab.plan.result import PlanResult
from planlab.plan.tempo import TempoReport, check_tempo, growth_targets

__all__ = [
    "OBJECTIVES",
    "LinearProgram",
    "PlanModel",
    "PlanResult",
    "PlanSettings",
    "Solution",
    "Status",
    "Targets",
    "TempoReport",
    "build",
    "build_model",
    "check_tempo",
    "growth_targets",
    "make_targets",
]
