"""The kinds of a plan's arguments, checked before the plan is built.

``make_targets`` and ``PlanSettings.problems`` hold the economic rules (known
sectors, years in the horizon, levels > 0, weights >= 0, rates above -1); this
checks what they take for granted: that a mapping is a mapping, a sector a name,
a year a whole number, and every level, weight and cap a real number of a size
the LP can hold. Each problem is a planlab error naming the argument.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

from planlab.economy import Economy
from planlab.economy.fields import AMOUNT_LIMIT
from planlab.economy.validate import is_number, real_value
from planlab.errors import InputError, Problem

__all__ = ["check_build_arguments"]

_FILE = "<plan>"


def check_build_arguments(
    economy: object,
    years: object,
    targets: object,
    weights: object,
    cap: object,
    required: object,
    settings: object,
) -> None:
    """Raise InputError, one problem per argument, if an argument is of the wrong kind.

    Target and required levels are amounts: at most ``AMOUNT_LIMIT`` in the economy's
    value unit, like every amount of an economy (a tempo of 1e300 overflows to inf).
    """
    from planlab.plan.formulation import PlanSettings, Targets

    problems: list[Problem] = []
    if not isinstance(economy, Economy):
        problems.append(_wrong("economy", "an Economy", economy))
    if isinstance(years, bool) or not isinstance(years, numbers.Integral):
        problems.append(_wrong("years", "a whole number of years", years))
    if targets is not None and not isinstance(targets, Targets):
        problems += _levels("targets", targets, keyed_by_year=True)
    if required is not None:
        problems += _levels("required", required, keyed_by_year=False)
    if weights is not None:
        if not isinstance(weights, Mapping):
            problems.append(_wrong("weights", "a mapping of sector to weight", weights))
        else:
            for key, weight in weights.items():
                if not isinstance(key, str):
                    problems.append(_wrong("weights", "keys are sector names", key))
                elif not is_number(weight):
                    problems.append(_wrong("weights", "a weight is a number", weight, key))
    largest = real_value(cap)
    if cap is not None and not (largest is not None and math.isfinite(largest) and largest > 0):
        problems.append(_wrong("cap", "a finite number > 0 (the largest fulfilment)", cap))
    if settings is not None:
        if not isinstance(settings, PlanSettings):
            problems.append(_wrong("settings", "a PlanSettings", settings))
        else:
            problems += [
                _wrong(f"settings.{name}", "a number", value)
                for name, value in settings.__dict__.items()
                if name != "years" and value is not None and not is_number(value)
            ]
    if problems:
        raise InputError(problems)


def _levels(field: str, levels: object, *, keyed_by_year: bool) -> list[Problem]:
    """Levels keyed by sector (or, for targets, by (sector, year)): numbers an LP can hold."""
    key_rule = "a sector name or (sector, year)" if keyed_by_year else "a sector name"
    if not isinstance(levels, Mapping):
        return [_wrong(field, f"a mapping of {key_rule} to a level", levels)]
    problems = []
    for key, level in levels.items():
        if not (isinstance(key, str) or (keyed_by_year and _sector_year(key))):
            problems.append(_wrong(field, f"keys are {key_rule} (a whole year)", key))
        elif (value := real_value(level)) is None:
            problems.append(_wrong(field, "a level is a number", level, key))
        elif value > AMOUNT_LIMIT:
            problems.append(
                Problem(
                    _FILE,
                    field,
                    f"a level <= {AMOUNT_LIMIT:g} (as every amount of an economy)",
                    f"level {value!r}",
                    sector=_sector(key),
                )
            )
    return problems


def _sector_year(key: object) -> bool:
    return (
        isinstance(key, tuple)
        and len(key) == 2
        and isinstance(key[0], str)
        and isinstance(key[1], numbers.Integral)
        and not isinstance(key[1], bool)
    )


def _sector(key: object) -> str | None:
    if isinstance(key, str):
        return key
    return key[0] if isinstance(key, tuple) and key and isinstance(key[0], str) else None


def _wrong(field: str, rule: str, value: object, key: object = None) -> Problem:
    return Problem(
        _FILE, field, rule, f"got {type(value).__name__} {value!r:.60}", sector=_sector(key)
    )
