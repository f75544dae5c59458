"""The monthly loop: a plan meets industry, money, markets, foreign trade and the peasant economy.

Each month, in order:

1. targets: each branch's path (a plan's or an administered tempo), times the
   ratchet and the pull of excess demand;
2. production: the least of target, forced capacity, labour and inputs, with
   inputs rationed from stocks; overuse wears equipment and raises brak;
3. agriculture: the peasant economy's output (capacity times the harvest), its
   own use, procurement at the state's price and free-market supply;
4. construction: projects advance as materials allow and add capacity;
5. foreign trade: exports at world prices, imports within earnings, credit, reserves;
6. money: wages and procurement paid, state shops and the free market cleared,
   the state's cash deficit covered by emission within its cap (projects of the
   lowest priority are cancelled when the cap binds);
7. the ratchet at each quarter's end, and new projects for the targets ahead and for
   the imports the world market no longer supplies (import substitution).

The loop runs over months only; everything inside is vectorised over branches.
The engine does no I/O and prints nothing; ``progress(done, total)`` is called
each month if given.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from planlab.simulate.agriculture import AggregateFarms, FarmPrices, Farms, split_inputs
from planlab.simulate.construction import Pipeline
from planlab.simulate.industry import produce, wear_and_brak
from planlab.simulate.markets import clear_markets
from planlab.simulate.result import Run, build_series
from planlab.simulate.scenario import Scenario, month_starts
from planlab.simulate.trade import trade

__all__ = ["run"]

Progress = Callable[[int, int], None]


def target_levels(
    base: np.ndarray, growth: np.ndarray, plan: np.ndarray | None
) -> Callable[[np.ndarray], np.ndarray]:
    """Each branch's target output (a yearly rate) at a time in years, per branch.

    Without a plan the targets grow at the administered tempo. With a plan
    (``plan[y - 1]`` the output of plan year y) they pass through its yearly levels,
    geometrically between them, and go on at the last year's growth after it.
    """
    if plan is None:
        return lambda years: np.asarray(base * (1.0 + growth) ** years, dtype=float)
    levels = np.vstack([base, np.asarray(plan, dtype=float)])
    safe = np.maximum(levels, 1e-12)
    last_growth = safe[-1] / safe[-2]
    count = levels.shape[0] - 1
    columns = np.arange(base.size)

    def at(years: np.ndarray) -> np.ndarray:
        clipped = np.clip(years, 0.0, count)
        year = np.minimum(np.floor(clipped).astype(int), count - 1)
        fraction = clipped - year
        lower, upper = safe[year, columns], safe[year + 1, columns]
        within = lower * (upper / lower) ** fraction
        beyond = safe[-1] * last_growth ** np.maximum(years - count, 0.0)
        levels_at: np.ndarray = np.where(years > count, beyond, within)
        return levels_at

    return at


def revised_levels(
    base: np.ndarray, growth: np.ndarray, revised: np.ndarray, revision: np.ndarray
) -> Callable[[int, np.ndarray], np.ndarray]:
    """Targets (a yearly rate) at month t, for a time in years, when tempos are revised.

    In month t each branch's tempo is ``growth + revision[t] * (revised - growth)``;
    targets compound month by month at the tempo of each month, and planners project
    the current tempo forward. With ``revision`` all zero this is ``base * (1 + growth)
    ** years``.

    >>> at = revised_levels(np.array([100.0]), np.array([0.1]), np.array([0.3]), np.zeros(12))
    >>> round(float(at(12, np.array([1.0]))[0]), 6)
    110.0
    """
    tempo = growth[None, :] + revision[:, None] * (revised - growth)[None, :]
    log_tempo = np.log1p(tempo)
    cumulative = np.vstack([np.zeros(base.size), np.cumsum(log_tempo / 12.0, axis=0)])

    def at(t: int, years: np.ndarray) -> np.ndarray:
        month = min(t, log_tempo.shape[0] - 1)
        levels: np.ndarray = base * np.exp(cumulative[t] + (years - t / 12.0) * log_tempo[month])
        return levels

    return at


def run(
    scenario: Scenario,
    months: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    farms: Farms | None = None,
) -> Run:
    """Simulate ``months`` months of a scenario; the same seed gives the same run.

    >>> from planlab.scenarios import load_scenario
    >>> result = run(load_scenario("ussr-1928"), months=3)
    >>> sorted(result.series.columns)
    ['date', 'value', 'variable']
    """
    T = scenario.months if months is None else int(months)
    rng = np.random.default_rng(scenario.seed if seed is None else seed)
    e = scenario.economy
    n = e.n
    dates = month_starts(scenario.start, T)
    sc = scenario

    def policy(name: str) -> np.ndarray:
        return sc.path("policies", name, dates)

    def parameter(name: str) -> float:
        return sc.value("parameters", name)

    pressure, ratchet = policy("pressure"), policy("ratchet")
    emission_cap, credit_cap = policy("emission_cap"), policy("credit_cap")
    investment_share, wage_growth = policy("investment_share"), policy("wage_growth")
    turnover_tax, procurement_level = policy("turnover_tax"), policy("procurement_level")
    procurement_price, export_push = policy("procurement_price"), policy("export_push")
    market_open, agricultural_tax = policy("market_open"), policy("agricultural_tax")
    loan_share = policy("loan_share")
    world_export = sc.path("exogenous", "world_export_price", dates)
    world_import = sc.path("exogenous", "world_import_price", dates)
    foreign_demand = sc.path("exogenous", "export_demand", dates)
    harvest = sc.path("exogenous", "harvest", dates)
    weather_noise = parameter("harvest_noise")

    ag = np.array([name in sc.agriculture for name in e.names])
    machinery = np.array([name in sc.machinery for name in e.names])
    A = e.A
    A_stock, A_farm = split_inputs(e, ag)
    x0 = e.gross_output
    delta = e.vector("depreciation")
    lag_months = 12.0 * (e.vector("construction_lag") + 1.0)
    labour = e.labour
    consumption0 = e.vector("consumption")
    consumer = (consumption0 > 0) & ~ag
    basket = consumption0 * ~ag
    basket = basket / basket.sum() if basket.sum() > 0 else basket
    state0 = e.vector("state")
    growth = np.array([sc.targets.get(name, sc.default_growth) for name in e.names])
    revision = policy("tempo_revision")
    if sc.target_path is None and bool(np.any(revision != 0.0)):
        revised = np.array(
            [sc.revised_targets.get(name, g) for name, g in zip(e.names, growth, strict=True)]
        )
        path = revised_levels(x0, growth, revised, revision)
    else:
        constant = target_levels(x0, growth, sc.target_path)

        def path(t: int, years: np.ndarray) -> np.ndarray:
            return constant(years)

    priority = np.array([sc.priority.get(name, 0.0) for name in e.names])
    cancel_order = np.argsort(priority, kind="stable").astype(np.int64)
    export_base = e.vector("export_demand") / 12.0
    export_price = e.vector("export_price")
    import_price = e.vector("import_price")
    importable = e.vector("importable") > 0
    imports0 = e.vector("imports") / 12.0
    input_base = np.asarray(A @ x0, dtype=float)
    farm_model: Farms = (
        farms
        if farms is not None
        else AggregateFarms.from_base(e, ag, A_stock, A_farm, parameter("urban_food_share"))
    )
    exports0 = e.vector("exports") / 12.0

    capacity = e.capacity.astype(float).copy()
    stocks = np.maximum(x0, input_base) / 12.0 * sc.value("initial", "stock_months")
    offset = int(lag_months.max())
    pipeline = Pipeline.empty(n, offset + T + 1, lag_months)
    for age in range(1, offset + 1):
        started = delta * capacity / 12.0 * (age <= lag_months)
        pipeline.size[:, offset - age] = started
        pipeline.left[:, offset - age] = np.where(started > 0, 1.0 - age / lag_months, 0.0)
    currency = sc.value("initial", "currency")
    workers_money = currency * sc.value("initial", "worker_money_share")
    peasants_money = currency - workers_money
    reserves = e.scalars["fx_reserves"]
    debt = sc.value("initial", "foreign_debt")
    wage0 = sc.value("initial", "wage")
    force0 = e.scalars["labour_force"]
    farm_labour0 = float(labour[ag] @ x0[ag])
    force_growth = e.scalars["labour_force_growth"]
    ratchet_factor = np.ones(n)
    quarter_out = np.zeros(n)
    quarter_target = np.zeros(n)
    shortage_last = 0.0
    velocity = parameter("velocity")
    site_wage_share = parameter("site_wage_share")
    credit_limit_year = e.scalars["credit_limit"]
    credit_this_year = 0.0
    year_of = [d.year if d.month >= sc.start.month else d.year - 1 for d in dates]
    harvest_shock = 1.0
    cancelled_next = 0.0
    struck_from_plan = np.zeros(n)
    substitution = np.zeros(n)

    rec: dict[str, list[np.ndarray]] = {}

    def keep(name: str, value: object) -> None:
        rec.setdefault(name, []).append(np.array(value, dtype=float, copy=True))

    keep("capacity", capacity)
    for key, value in farm_model.census().items():
        keep(f"farms:{key}", value)
    keep("stocks", stocks)
    keep("currency", currency)
    keep("reserves", reserves)
    keep("debt", debt)

    for t in range(T):
        years_in = t / 12.0
        if t % 12 == 0:
            harvest_shock = (
                float(np.exp(rng.normal(0.0, weather_noise))) if weather_noise > 0 else 1.0
            )
        if t > 0 and year_of[t] != year_of[t - 1]:
            credit_this_year = 0.0
        if cancelled_next > 0:
            struck = pipeline.cancel(cancelled_next, cancel_order, e.B)
            struck_from_plan += struck
            cancelled_projects = float(struck.sum())
            cancelled_next = 0.0
        else:
            cancelled_projects = 0.0

        # 1. targets
        pull = 1.0 + parameter("demand_pull") * shortage_last * consumer
        target_rate = path(t, np.full(n, years_in)) * ratchet_factor * pull
        # 2. production
        forced = capacity * (1.0 + pressure[t])
        farm_rate = farm_model.planned(capacity, float(harvest[t] * harvest_shock))
        planned_rate = np.where(ag, farm_rate, np.minimum(target_rate, forced))
        force = force0 * (1.0 + force_growth) ** years_in
        # The peasant economy works with its own people, who grow with the labour force;
        # what the farms grow depends on their land, animals and machines, not on hiring.
        farm_labour = farm_labour0 * (1.0 + force_growth) ** years_in
        industry_need = float(labour[~ag] @ planned_rate[~ag])
        room = max(0.0, force - farm_labour)
        if industry_need > room:
            planned_rate = np.where(ag, planned_rate, planned_rate * room / industry_need)
        planned = planned_rate / 12.0
        output, use, supply_ratio = produce(A_stock, planned * ~ag, stocks)
        # Peasant farms go on working when industrial supplies run short: they take
        # what inputs there are, but their output follows land, labour and weather.
        farm_inputs = np.asarray(A_stock @ (planned * ag), dtype=float)
        farm_take = np.minimum(farm_inputs, np.maximum(stocks - use, 0.0))
        output = np.where(ag, planned, output)
        use = use + farm_take
        overuse, wear, brak = wear_and_brak(
            output * 12.0,
            capacity,
            delta,
            parameter("wear_elasticity"),
            parameter("brak_base"),
            parameter("brak_elasticity"),
        )
        defective = output * brak
        usable = output - defective
        stocks = stocks - use
        # 3. agriculture: own use, procurement, free-market supply
        farm_need = np.asarray(A_farm @ output, dtype=float)
        farm_use = np.minimum(farm_need, usable * ag)
        net_farm = np.where(ag, usable - farm_use, 0.0)
        farm_split = farm_model.split(net_farm, float(procurement_level[t]))
        procured, free_supply, own_use = (
            farm_split.procured,
            farm_split.free_supply,
            farm_split.own_use,
        )
        stocks = stocks + np.where(ag, procured, usable)
        # 4. construction, from what next month's production does not need
        production_reserve = np.asarray(A_stock @ planned, dtype=float)
        spare = np.maximum(stocks - production_reserve, 0.0)
        materials_wanted = pipeline.material_demand(e.B)
        materials, finished = pipeline.advance(e.B, spare, priority)
        stocks = stocks - materials
        # Peasant farms renew their own land, animals and tools out of their own work (the
        # state builds no farm capacity); their output follows the farms' model, not wear.
        capacity = np.maximum(capacity - np.where(ag, 0.0, wear) + finished, 0.0)
        # 5. foreign trade; next month's inputs and materials are kept back from final uses
        keep_back = production_reserve
        export_wish = np.minimum(
            exports0 * foreign_demand[t] * (1.0 + export_push[t]), export_base * foreign_demand[t]
        )
        planned_inputs = np.asarray(A @ planned_rate, dtype=float)
        activity = np.where(
            input_base > 0, planned_inputs / np.where(input_base > 0, input_base, 1.0), 1.0
        )
        shortfall = np.maximum(
            0.0, np.asarray(A_stock @ planned, dtype=float) + materials_wanted - stocks
        )
        import_wish = np.where(importable, imports0 * activity + 0.5 * shortfall, 0.0)
        credit_room = max(0.0, min(credit_limit_year, credit_cap[t]) - credit_this_year)
        tm = trade(
            np.maximum(stocks - keep_back, 0.0),
            export_wish,
            export_price * world_export[t],
            import_wish,
            import_price * world_import[t],
            machinery,
            parameter("import_priority_machinery"),
            reserves,
            parameter("reserve_floor"),
            debt,
            credit_room,
            parameter("credit_interest"),
            parameter("credit_term"),
        )
        credit_this_year += tm.credit_drawn
        reserves, debt = tm.reserves, tm.debt
        stocks = stocks - tm.exports + tm.imports
        # What the world market no longer supplies, the plan sets out to make at home.
        import_gap = np.maximum(import_wish - tm.imports, 0.0) * 12.0
        substitution = (
            parameter("import_substitution") * import_gap
            + (1.0 - parameter("import_substitution")) * substitution
        )
        farm_model.observe(output, tm.imports)
        state_use = np.minimum(state0 / 12.0, np.maximum(stocks - keep_back, 0.0))
        stocks = stocks - state_use
        # 6. money and markets
        wage = wage0 * (1.0 + wage_growth[t]) ** years_in
        wages = wage / 12.0 * float(labour[~ag] @ (output[~ag] * 12.0))
        site_wages = site_wage_share * float(materials.sum())
        procurement_paid = float(procured.sum()) * procurement_price[t]
        workers_money += wages + site_wages
        peasants_money += procurement_paid
        retail_price = 1.0 + turnover_tax[t]
        market = clear_markets(
            basket,
            np.maximum(stocks - keep_back, 0.0),
            free_supply,
            workers_money,
            peasants_money,
            velocity,
            retail_price,
            procurement_price[t],
            bool(market_open[t] >= 0.5),
            parameter("free_market_elasticity"),
        )
        stocks = stocks - market.retail
        farm_model.observe_market(
            FarmPrices(
                procurement=float(procurement_price[t]),
                free_market=(
                    float(market.free_price)
                    if np.isfinite(market.free_price)
                    else float(procurement_price[t])
                ),
                industrial=retail_price / (1.0 + parameter("base_turnover_tax")),
                market_open=bool(market_open[t] >= 0.5),
            )
        )
        own_use = own_use + (free_supply - market.free_sold)
        workers_money -= market.workers_spent
        peasants_money += market.free_receipts - market.peasants_spent
        farm_income = procurement_paid + market.free_receipts
        tax = agricultural_tax[t] * farm_income
        tax = min(tax, max(peasants_money, 0.0))
        peasants_money -= tax
        loans = loan_share[t] / 12.0 * (workers_money + peasants_money)
        share_w = (
            workers_money / (workers_money + peasants_money)
            if workers_money + peasants_money > 0
            else 0.5
        )
        workers_money -= loans * share_w
        peasants_money -= loans * (1.0 - share_w)
        payments = wages + site_wages + procurement_paid
        receipts = market.retail_receipts + tax + loans
        deficit = payments - receipts
        if deficit > emission_cap[t]:
            over = min(deficit - emission_cap[t], site_wages)
            # Wages already spent this month cannot be withheld: workers' money stays >= 0.
            arrears = min(over, max(workers_money, 0.0))
            workers_money -= arrears
            site_wages -= arrears
            deficit -= arrears
            cancelled_next = over / max(site_wage_share, 1e-12)
        emission = deficit
        currency += emission
        shortage_last = market.shortage
        # 7. ratchet and new projects
        quarter_out += output
        quarter_target += target_rate / 12.0
        if (t + 1) % 3 == 0:
            fulfilled = quarter_out >= quarter_target * (1.0 - 1e-9)
            ratchet_factor = ratchet_factor * np.where(fulfilled & ~ag, 1.0 + ratchet[t], 1.0)
            quarter_out[:] = 0.0
            quarter_target[:] = 0.0
        ahead = years_in + lag_months / 12.0
        # Projects cancelled for want of money are struck from the plan, and no new
        # project starts in a month in which the emission cap binds.
        wanted_capacity = path(t, ahead) * ratchet_factor - struck_from_plan + substitution
        expected = capacity * (1.0 - delta / 12.0) ** lag_months + pipeline.under_construction()
        starts = investment_share[t] * np.maximum(0.0, wanted_capacity - expected) / 12.0
        starts = np.where(ag | (cancelled_next > 0), 0.0, starts)
        pipeline.start(offset + t, starts)

        keep("supply_ratio", supply_ratio)
        keep("planned", planned)
        keep("output", output)
        keep("usable", usable)
        keep("defective", defective)
        keep("target", target_rate)
        keep("overuse", overuse)
        keep("brak", brak)
        keep("use", use)
        keep("farm_use", farm_use)
        keep("own_use", own_use)
        keep("procured", procured)
        keep("free_sold", market.free_sold)
        keep("retail", market.retail)
        keep("materials", materials)
        keep("finished", finished)
        keep("exports", tm.exports)
        keep("imports", tm.imports)
        keep("state_use", state_use)
        keep("started", starts)
        keep("capacity", capacity)
        for key, value in farm_model.census().items():
            keep(f"farms:{key}", value)
        keep("stocks", stocks)
        keep("currency", currency)
        keep("workers_money", workers_money)
        keep("peasants_money", peasants_money)
        keep("reserves", reserves)
        keep("debt", debt)
        for name, value in (
            ("emission", emission),
            ("wages", wages),
            ("site_wages", site_wages),
            ("procurement_paid", procurement_paid),
            ("retail_receipts", market.retail_receipts),
            ("turnover_tax", market.retail_receipts * turnover_tax[t] / retail_price),
            ("agricultural_tax", tax),
            ("loans", loans),
            ("free_receipts", market.free_receipts),
            ("free_price", market.free_price),
            ("shortage", market.shortage),
            ("retail_price", retail_price / (1.0 + parameter("base_turnover_tax"))),
            ("procurement_price", procurement_price[t]),
            ("wage", wage),
            ("earnings", tm.earnings),
            ("import_bill", tm.import_bill),
            ("machinery_bill", tm.machinery_bill),
            ("credit_drawn", tm.credit_drawn),
            ("debt_service", tm.debt_service),
            ("cancelled", cancelled_projects),
            ("under_construction", float(pipeline.under_construction().sum())),
            ("investment_spending", float(materials.sum())),
            ("employment", float(labour[~ag] @ (output[~ag] * 12.0))),
        ):
            keep(name, value)
        if progress is not None:
            progress(t + 1, T)

    history = {name: np.stack(values) for name, values in rec.items()}
    return Run(
        scenario=sc.name,
        seed=scenario.seed if seed is None else int(seed),
        dates=dates,
        history=history,
        series=build_series(sc, dates, history),
    )
