"""The towns' side of a month: what living there costs, and what draws peasants to them.

Migration follows a documented rule (``migration_probability``): a base monthly rate
per rural worker, raised by the urban real wage a migrant can expect (the real wage times
the employed share of the towns' labour) against farm income per rural worker (both
relative to the base month, a Harris-Todaro ratio), by hunger in the village,
by collectivisation pressure, and by the towns' demand for labour.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["cost_of_living", "migration_probability"]

FloatArray = NDArray[np.float64]


def cost_of_living(
    retail_price: FloatArray | float,
    shortage: FloatArray | float,
    free_price: FloatArray | float,
    retail_receipts: FloatArray | float,
    free_receipts: FloatArray | float,
) -> FloatArray:
    """Price index of what town households buy: the state shops' retail price raised by the
    shortage (goods not found, queues), and the free market's price, weighted by spending."""
    industrial = np.asarray(retail_price, dtype=float) * (1.0 + np.asarray(shortage, dtype=float))
    state = np.asarray(retail_receipts, dtype=float)
    spent = state + np.asarray(free_receipts, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(spent > 0, state / np.where(spent > 0, spent, 1.0), np.nan)
    free = np.nan_to_num(np.asarray(free_price, dtype=float))
    living: FloatArray = np.where(
        np.isfinite(weight),
        np.nan_to_num(weight) * industrial + (1.0 - np.nan_to_num(weight)) * free,
        industrial,
    )
    return living


def migration_probability(
    base_rate: float,
    pull: float,
    wage_elasticity: float,
    hunger: float,
    hunger_effect: float,
    pressure: float,
    pressure_effect: float,
    demand: float,
    demand_elasticity: float,
) -> float:
    """Monthly probability that a rural worker leaves for town.

    ``base_rate * pull**wage_elasticity * exp(hunger_effect * hunger + pressure_effect *
    pressure) * demand**demand_elasticity``, within 0 and 1; ``pull`` is the urban real
    wage over farm income per rural worker and ``demand`` the labour the towns' targets
    need over the labour they have, each relative to the base month.
    """
    if base_rate <= 0:
        return 0.0
    rate = (
        base_rate
        * max(pull, 0.0) ** wage_elasticity
        * float(np.exp(hunger_effect * hunger + pressure_effect * pressure))
        * max(demand, 0.0) ** demand_elasticity
    )
    return float(min(max(rate, 0.0), 1.0))
