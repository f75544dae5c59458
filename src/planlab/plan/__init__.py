"""The plan layer: the multi-year plan LP, its objectives, and the tempo check."""

from planlab.plan.build import OBJECTIVES, build
from planlab.plan.formulation import PlanModel, PlanSettings, Targets, build_model, make_targets
from planlab.plan.lp import LinearProgram, Solution, Status
from planlab.plan.result import PlanResult

__all__ = [
    "OBJECTIVES",
    "LinearProgram",
    "PlanModel",
    "PlanResult",
    "PlanSettings",
    "Solution",
    "Status",
    "Targets",
    "build",
    "build_model",
    "make_targets",
]
