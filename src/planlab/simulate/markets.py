"""Money and markets in a month: state shops at fixed prices, the free market, the price scissors.

Households try to spend a share of their money each month. State shops sell
consumer goods at fixed prices (plus turnover tax) as far as stocks go; what
they cannot buy is the shortage. Unspent demand turns to the free market,
where peasants sell what they market beyond procurement: its price clears the
money chasing those goods, but never falls below what the state pays for them.
A padlocked market leaves only a black market of a fraction of that supply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["MarketMonth", "clear_markets"]

FloatArray = NDArray[np.float64]
BLACK_MARKET_SHARE = 0.2
"""Share of free-market supply still traded when the market is closed (modelling assumption)."""


@dataclass(frozen=True)
class MarketMonth:
    """Quantities sold and money moved in a month's markets."""

    retail: FloatArray
    """Goods sold in state shops (value units at base prices), per good."""
    retail_receipts: float
    free_sold: FloatArray
    """Goods sold on the free market, per good."""
    free_receipts: float
    """Money paid on the free market (moves from buyers to peasants)."""
    workers_spent: float
    peasants_spent: float
    free_price: float
    """Free-market price relative to base prices (NaN when nothing is offered)."""
    shortage: float
    """Share of the money households tried to spend in state shops that found no goods."""


def clear_markets(
    basket: FloatArray,
    available: FloatArray,
    free_supply: FloatArray,
    workers_money: float,
    peasants_money: float,
    velocity: float,
    retail_price: float,
    price_floor: float,
    market_open: bool,
    elasticity: float = 0.0,
) -> MarketMonth:
    """Sell in state shops, then on the free market; return what was sold and paid.

    The money that found no goods in the shops bids for what the peasants offer. With
    ``elasticity`` 0 all of it is spent and the price is money over goods; above 0 buyers
    hold back as the price rises (spending falls as price ** -elasticity), the price is
    ``(money / goods) ** (1 / (1 + elasticity))`` and the rest is kept as forced savings.
    """
    want_workers = velocity * workers_money
    want_peasants = velocity * peasants_money
    wanted = want_workers + want_peasants
    quantity_wanted = wanted * basket / retail_price
    retail = np.minimum(quantity_wanted, np.maximum(available, 0.0))
    receipts = float(retail.sum() * retail_price)
    unmet = max(0.0, wanted - receipts)
    shortage = unmet / wanted if wanted > 0 else 0.0
    supply = free_supply * (1.0 if market_open else BLACK_MARKET_SHARE)
    offered = float(supply.sum())
    if offered > 0 and unmet > 0:
        price = max(price_floor, (unmet / offered) ** (1.0 / (1.0 + elasticity)))
        volume = min(offered, unmet / price)
        free_sold = supply * (volume / offered)
        free_receipts = volume * price
    else:
        price = float("nan") if offered <= 0 else price_floor
        free_sold = np.zeros_like(supply)
        free_receipts = 0.0
    share_workers = want_workers / wanted if wanted > 0 else 0.0
    workers_spent = share_workers * (receipts + free_receipts)
    peasants_spent = (1.0 - share_workers) * (receipts + free_receipts)
    return MarketMonth(
        retail=retail,
        retail_receipts=receipts,
        free_sold=free_sold,
        free_receipts=free_receipts,
        workers_spent=workers_spent,
        peasants_spent=peasants_spent,
        free_price=price,
        shortage=shortage,
    )
