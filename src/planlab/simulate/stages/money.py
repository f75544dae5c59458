"""Stage 6, money and markets: wages and procurement paid, shops and the free market cleared.

Workers are paid for output and building, peasants for what the state procures.
State shops sell the consumer basket at the retail price (with the turnover tax)
from what next month's production does not need; money that finds no goods bids
for what the peasants offer on the free market. The turnover tax inside the shops'
prices, the agricultural and wealth taxes and loans (placed with households and
subscribed from pay) come back to the budget; the rest of the state's cash deficit
is printed. The budget also books the scissors: the procured goods at the price the state
sells goods of the same base value for (the retail price index) less what it paid,
the margin a procurement price held below its own prices leaves the state (an
accounting row, matched on the uses' side by procurement valued at that price).
When the emission cap binds, unpaid building wages are withheld and next month the
lowest-priority projects are cancelled to save as much.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from planlab.plan.calendar import MONTHS_PER_YEAR
from planlab.simulate.agriculture import FarmPrices, Farms, TaxedFarms
from planlab.simulate.markets import MarketMonth, clear_markets
from planlab.simulate.params import Params
from planlab.simulate.stages.building import Building
from planlab.simulate.stages.farming import FarmMonth
from planlab.simulate.stages.production import Production
from planlab.simulate.state import State

__all__ = ["Money", "money_and_markets"]


@dataclass(frozen=True)
class Money:
    """A month's money flows (million roubles) and prices (indices, base year = 1)."""

    market: MarketMonth
    wage: float
    wages: float
    site_wages: float
    procurement_paid: float
    procurement_price: float
    retail_price: float
    turnover_tax: float
    agricultural_tax: float
    wealth_tax: float
    """The wealth tax paid into the budget."""
    scissors: float
    """The state's margin on procured goods resold: their value at the state's selling price
    (the retail price index) less what it paid (negative when it pays more)."""
    loans: float
    """State loans: subscriptions from pay and placements with households."""
    emission: float
    employment: float


def money_and_markets(
    p: Params, s: State, t: int, made: Production, farm: FarmMonth, built: Building, farms: Farms
) -> tuple[State, Money]:
    """Pay, sell, tax, borrow and print; return the new state and the month's money flows."""
    e = p.economy
    ag = p.farm
    procurement_price = float(p.policy["procurement_price"][t])
    turnover = float(p.policy["turnover_tax"][t])
    market_open = bool(p.policy["market_open"][t] >= 0.5)
    site_wage_share = p.parameter["site_wage_share"]
    wage = p.initial["wage"] * (1.0 + p.policy["wage_growth"][t]) ** (t / MONTHS_PER_YEAR)
    employment = float(e.labour[~ag] @ (made.output[~ag] * MONTHS_PER_YEAR))
    wages = wage / MONTHS_PER_YEAR * employment
    site_wages = site_wage_share * float(built.materials.sum())
    procurement_paid = float(farm.procured.sum()) * procurement_price
    workers_money = s.workers_money + wages + site_wages
    peasants_money = s.peasants_money + procurement_paid
    retail_price = 1.0 + turnover
    market = clear_markets(
        p.basket,
        np.maximum(s.stocks - built.kept_back, 0.0),
        farm.free_supply,
        workers_money,
        peasants_money,
        p.parameter["velocity"],
        retail_price,
        procurement_price,
        market_open,
        p.parameter["free_market_elasticity"],
    )
    index = retail_price / (1.0 + p.parameter["base_turnover_tax"])
    farms.observe_market(
        FarmPrices(
            procurement=procurement_price,
            free_market=(
                float(market.free_price) if np.isfinite(market.free_price) else procurement_price
            ),
            industrial=index,
            market_open=market_open,
        )
    )
    workers_money -= market.workers_spent
    peasants_money += market.free_receipts - market.peasants_spent
    farm_income = procurement_paid + market.free_receipts
    tax = min(p.policy["agricultural_tax"][t] * farm_income, max(peasants_money, 0.0))
    peasants_money -= tax
    assessed = farms.wealth_tax_collected() if isinstance(farms, TaxedFarms) else 0.0
    wealth_tax = min(assessed, max(peasants_money, 0.0))
    peasants_money -= wealth_tax
    loans = p.policy["loan_share"][t] / MONTHS_PER_YEAR * (workers_money + peasants_money)
    held = workers_money + peasants_money
    share_w = workers_money / held if held > 0 else 0.5
    workers_money -= loans * share_w
    peasants_money -= loans * (1.0 - share_w)
    # Mass loans: subscriptions deducted from the month's pay.
    subscribed = min(
        p.policy["loan_subscription"][t] * (wages + site_wages), max(workers_money, 0.0)
    )
    workers_money -= subscribed
    loans += subscribed
    payments = wages + site_wages + procurement_paid
    receipts = market.retail_receipts + tax + wealth_tax + loans
    deficit = payments - receipts
    cap = p.policy["emission_cap"][t]
    cancelled_next = 0.0
    if deficit > cap:
        over = min(deficit - cap, site_wages)
        # Wages already spent this month cannot be withheld: workers' money stays >= 0.
        arrears = min(over, max(workers_money, 0.0))
        workers_money -= arrears
        site_wages -= arrears
        deficit -= arrears
        cancelled_next = over / max(site_wage_share, np.finfo(float).tiny)
    state = dataclasses.replace(
        s,
        stocks=s.stocks - market.retail,
        workers_money=workers_money,
        peasants_money=peasants_money,
        currency=s.currency + deficit,
        shortage_last=market.shortage,
        cancelled_next=cancelled_next,
    )
    month = Money(
        market=market,
        wage=wage,
        wages=wages,
        site_wages=site_wages,
        procurement_paid=procurement_paid,
        procurement_price=procurement_price,
        retail_price=index,
        turnover_tax=market.retail_receipts * turnover / retail_price,
        agricultural_tax=tax,
        wealth_tax=wealth_tax,
        scissors=float(farm.procured.sum()) * (index - procurement_price),
        loans=loans,
        emission=deficit,
        employment=employment,
    )
    return state, month
