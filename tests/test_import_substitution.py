"""Import substitution on a whole run: a cut in import capacity first lowers the output of the
branches that use imported goods, then the capacity built at home raises the output of the
branches that make them.

The built-in course's tempos start more construction than its materials allow, so every
project waits and the substitutes' effect is lost in that queue; the test holds the economy
steady (no administered growth), so that the construction the import gap calls for is the
mechanism acting alone (and no expansion programme is under way at the start). The cut is a
fall of the world price of exports to 0.4 of the base year's from the first month: the
earnings that paid for imports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pytest
from numpy.typing import NDArray

from planlab.scenarios import load_scenario
from planlab.simulate import Scenario, Setting, run

FloatArray = NDArray[np.float64]
History = Mapping[str, FloatArray]

YEARS = 8
"""Long enough for iron and steel's projects (a three-year lag, four years' work) to finish."""
CUT = 0.4
IMPORTING = "machine_building"
"""Uses imported iron and steel and machinery (A.csv) and lost a share of its imports."""
SUBSTITUTES = ("iron_steel", "machine_building", "chemicals")
"""Branches whose goods were imported in the base year and are short under the cut."""


def yearly(h: History, key: str, branches: tuple[str, ...], scenario: Scenario) -> FloatArray:
    index = [scenario.economy.index(name) for name in branches]
    values: FloatArray = h[key][:, index].reshape(YEARS, 12, len(index)).sum(axis=1)
    return values


@pytest.fixture(scope="module")
def steady() -> Scenario:
    base = load_scenario("ussr-1928")
    # Steady also in its capacity: no expansion programme under way, none of the spare
    # capacity it left, so that only the substitution builds anything.
    economy = base.economy
    still = economy.replace(
        vectors={"expansion_under_way": np.zeros(economy.n), "capacity": economy.gross_output}
    )
    return dataclasses.replace(
        base, economy=still, targets={}, revised_targets={}, default_growth=0.0
    )


def _run(scenario: Scenario, cut: bool, substitution: float) -> History:
    parameters = {**scenario.parameters, "import_substitution": Setting(substitution)}
    exogenous = dict(scenario.exogenous)
    if cut:
        exogenous["world_export_price"] = Setting(CUT)
    varied = dataclasses.replace(scenario, parameters=parameters, exogenous=exogenous)
    return run(varied, months=YEARS * 12).history


@pytest.fixture(scope="module")
def substitution(steady: Scenario) -> float:
    """The scenario's own rate of substitution (the test fails when it is 0)."""
    return steady.value("parameters", "import_substitution")


def test_a_cut_in_imports_first_lowers_the_importing_branches(
    steady: Scenario, substitution: float
) -> None:
    """Once the stocks of imported steel and machinery have run down (the third year; the
    month's own output of them serves users first, so the stocks last two years), the
    importing branch makes less than without the cut."""
    before = yearly(_run(steady, False, substitution), "output", (IMPORTING,), steady)
    after = yearly(_run(steady, True, substitution), "output", (IMPORTING,), steady)
    assert after[2, 0] < before[2, 0]
    assert after[:2, 0] == pytest.approx(before[:2, 0])


def test_then_the_capacity_built_at_home_raises_the_substitutes(
    steady: Scenario, substitution: float
) -> None:
    """Under the cut, the last two years' output of every substitute is higher with
    substitution than without, and higher than at its own trough."""
    assert substitution > 0.0
    on = _run(steady, True, substitution)
    off = _run(steady, True, 0.0)
    made_on = yearly(on, "output", SUBSTITUTES, steady)
    made_off = yearly(off, "output", SUBSTITUTES, steady)
    assert np.all(made_on[-2:] > 1.05 * made_off[-2:])
    assert np.all(made_on[-1] > 1.05 * made_on.min(axis=0))
    started = yearly(on, "started", SUBSTITUTES, steady).sum(axis=0)
    assert np.all(started > yearly(off, "started", SUBSTITUTES, steady).sum(axis=0))
