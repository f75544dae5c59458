"""The distributions a sweep draws parameters from, written ``KIND:ARGUMENTS``.

- ``uniform:a,b``: every value in [a, b] equally likely;
- ``normal:m,s``: mean m, standard deviation s, truncated to the parameter's admissible
  bounds (its ``Spec``), so that no draw is refused by the simulator;
- ``choice:v1,v2,...``: one of the listed values, each equally likely.

Each is checked against the parameter's bounds before anything runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.stats import truncnorm

from planlab.errors import InputError
from planlab.simulate.scenario import Spec

__all__ = ["SYNTAX", "Distribution", "parse_distribution"]

Kind = Literal["uniform", "normal", "choice"]
SYNTAX = "uniform:LOW,HIGH, normal:MEAN,SD or choice:V1,V2,..."
"""The forms a distribution takes on the command line."""


@dataclass(frozen=True)
class Distribution:
    """A parameter's distribution: its kind and numbers (see the module's docstring).

    >>> Distribution("uniform", (0.0, 2.0)).draw(np.random.default_rng(1), 3, -1.0, 5.0).round(3)
    array([1.024, 1.901, 0.288])
    """

    kind: Kind
    arguments: tuple[float, ...]

    def text(self) -> str:
        """The distribution as written on the command line."""
        return f"{self.kind}:" + ",".join(f"{v:g}" for v in self.arguments)

    def draw(
        self, rng: np.random.Generator, size: int, low: float, high: float
    ) -> NDArray[np.float64]:
        """``size`` draws; ``low`` and ``high`` truncate the normal (the parameter's bounds)."""
        if self.kind == "uniform":
            a, b = self.arguments
            return rng.uniform(a, b, size)
        if self.kind == "normal":
            mean, sd = self.arguments
            if sd == 0.0:
                return np.full(size, mean)
            lower, upper = (low - mean) / sd, (high - mean) / sd
            draws = truncnorm.rvs(lower, upper, loc=mean, scale=sd, size=size, random_state=rng)
            return np.asarray(draws, dtype=float)
        return rng.choice(np.asarray(self.arguments, dtype=float), size)


def _numbers(text: str, option: str) -> tuple[float, ...]:
    values = []
    for item in text.split(","):
        try:
            value = float(item)
        except ValueError:
            raise InputError.single(
                option, "distribution", "numbers after KIND:", f"got {item.strip()!r}"
            ) from None
        if not math.isfinite(value):
            raise InputError.single(option, "distribution", "finite numbers", f"got {item!r}")
        values.append(value)
    return tuple(values)


def parse_distribution(text: str, spec: Spec, option: str = "--vary") -> Distribution:
    """``uniform:a,b``, ``normal:m,s`` or ``choice:...`` for the parameter ``spec``.

    >>> from planlab.simulate.scenario import PARAMETERS
    >>> parse_distribution("normal:0.1,0.02", PARAMETERS["harvest_noise"]).text()
    'normal:0.1,0.02'
    >>> try:
    ...     parse_distribution("uniform:0.5,2", PARAMETERS["harvest_noise"])
    ... except InputError as error:
    ...     print(error.problems[0].message)
    uniform:0.5,2 leaves [0, 1]
    """
    kind, sep, rest = text.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in ("uniform", "normal", "choice"):
        raise InputError.single(option, spec.name, SYNTAX, f"got {text!r}")
    arguments = _numbers(rest, option)
    if kind in ("uniform", "normal") and len(arguments) != 2:
        raise InputError.single(option, spec.name, f"{kind} takes two numbers", f"got {text!r}")
    if kind == "uniform" and arguments[0] > arguments[1]:
        raise InputError.single(option, spec.name, "uniform:LOW,HIGH with LOW <= HIGH", text)
    if kind == "normal" and arguments[1] < 0:
        raise InputError.single(option, spec.name, "a standard deviation of 0 or more", text)
    checked = arguments if kind != "normal" else arguments[:1]
    if any(not spec.low <= value <= spec.high for value in checked):
        raise InputError.single(
            option,
            spec.name,
            "values within the parameter's bounds",
            f"{text} leaves [{spec.low:g}, {spec.high:g}]",
        )
    return Distribution(kind, arguments)  # type: ignore[arg-type]
