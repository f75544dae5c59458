"""Foreign credit is drawn under a ceiling: the least of the economy's own credit limit and
the course's ``credit_cap``, per economic year (from the run's first month)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from planlab.scenarios import load_scenario
from planlab.simulate import Scenario, Setting, run

MONTHS = 48
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def ussr() -> Scenario:
    return load_scenario("ussr-1928")


def yearly_credit(scenario: Scenario, cap: float) -> np.ndarray:
    policies = {**scenario.policies, "credit_cap": Setting(cap)}
    h = run(dataclasses.replace(scenario, policies=policies), months=MONTHS).history
    drawn: np.ndarray = h["credit_drawn"].reshape(-1, 12).sum(axis=1)
    return drawn


def test_credit_drawn_in_a_year_stays_under_the_course_s_cap(ussr: Scenario) -> None:
    free = yearly_credit(ussr, float("inf"))
    cap = 0.5 * float(free.max())
    capped = yearly_credit(ussr, cap)
    assert free.max() > cap
    assert np.all(capped <= cap * (1.0 + TOLERANCE))
    assert capped.max() == pytest.approx(cap)


def test_credit_drawn_in_a_year_stays_under_the_economy_s_limit(ussr: Scenario) -> None:
    limit = ussr.economy.scalars["credit_limit"]
    free = yearly_credit(ussr, float("inf"))
    assert np.all(free <= limit * (1.0 + TOLERANCE))
    assert free.max() == pytest.approx(limit)
