"""Foreign trade in a month: exports at world prices, imports within earnings, credit, debt.

Exports sell at the world price (an exogenous index times each good's base
price) up to foreign demand. Imports are paid from export earnings, credit
drawn now (serviced later, with interest) and reserves above a floor;
machinery comes first, in proportion to its priority weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planlab.plan.calendar import MONTHS_PER_YEAR

__all__ = ["TradeMonth", "trade"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class TradeMonth:
    """A month's foreign trade, in goods (value units) and currency units."""

    exports: FloatArray
    imports: FloatArray
    earnings: float
    import_bill: float
    machinery_bill: float
    credit_drawn: float
    debt_service: float
    reserves: float
    debt: float


def trade(
    stocks: FloatArray,
    export_wish: FloatArray,
    export_price: FloatArray,
    import_wish: FloatArray,
    import_price: FloatArray,
    machinery: NDArray[np.bool_],
    machinery_weight: float,
    reserves: float,
    reserve_floor: float,
    debt: float,
    credit_room: float,
    interest: float,
    term_years: float,
    credit_first: bool = False,
    export_reference: FloatArray | None = None,
    elasticity: float = float("inf"),
) -> TradeMonth:
    """Export what stocks and demand allow, service the debt, import what the currency buys.

    Reserves above the floor pay before new credit is drawn; with ``credit_first`` (a
    plan that has set each year's credit) the year's credit is drawn before reserves.
    Each good sells on a demand curve: at ``export_price`` when the volume is
    ``export_reference`` (what foreign demand takes at the world price), at
    ``export_price * (volume / reference) ** (-1 / elasticity)`` otherwise.
    """
    exports = np.minimum(export_wish, np.maximum(stocks, 0.0))
    earnings = float(
        exports @ (export_price * _price_factor(exports, export_reference, elasticity))
    )
    service_due = debt * (interest / MONTHS_PER_YEAR + 1.0 / (MONTHS_PER_YEAR * term_years))
    cost = import_wish * import_price
    wanted = float(cost.sum())
    if credit_first:
        service = min(service_due, earnings + max(0.0, reserves) + credit_room)
        credit = min(credit_room, max(0.0, wanted + service - earnings))
        cash = max(0.0, earnings + credit - service) + max(0.0, reserves - reserve_floor)
        budget = cash
    else:
        cash = earnings + max(0.0, reserves - reserve_floor)
        service = min(service_due, earnings + max(0.0, reserves))
        cash = max(0.0, cash - service)
        credit = min(credit_room, max(0.0, wanted - cash))
        budget = cash + credit
    machine_cost = float(cost[machinery].sum())
    other_cost = wanted - machine_cost
    if wanted <= budget:
        scale_m, scale_o = 1.0, 1.0
    else:
        weighted = machinery_weight * machine_cost + other_cost
        share_m = machinery_weight * machine_cost / weighted if weighted > 0 else 0.0
        spend_m = min(machine_cost, budget * share_m)
        spend_o = min(other_cost, budget - spend_m)
        spend_m = min(machine_cost, budget - spend_o)
        scale_m = spend_m / machine_cost if machine_cost > 0 else 0.0
        scale_o = spend_o / other_cost if other_cost > 0 else 0.0
    imports = import_wish * np.where(machinery, scale_m, scale_o)
    bill = float((imports * import_price).sum())
    interest_due = debt * interest / MONTHS_PER_YEAR
    principal_paid = max(0.0, service - interest_due)
    interest_unpaid = max(0.0, interest_due - service)
    new_reserves = reserves + earnings + credit - bill - service
    return TradeMonth(
        exports=exports,
        imports=imports,
        earnings=earnings,
        import_bill=bill,
        machinery_bill=float((imports * import_price)[machinery].sum()),
        credit_drawn=credit,
        debt_service=service,
        reserves=max(0.0, new_reserves),
        debt=debt + credit - principal_paid + interest_unpaid,
    )


def _price_factor(
    volume: FloatArray, reference: FloatArray | None, elasticity: float
) -> FloatArray:
    """Each good's price relative to the world price, on its foreign demand curve."""
    if reference is None or np.isinf(elasticity):
        return np.ones_like(volume)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where((reference > 0) & (volume > 0), volume / reference, 1.0)
    factor: FloatArray = relative ** (-1.0 / elasticity)
    return factor
