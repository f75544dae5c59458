"""The council's voting rules against published examples, an independent count and properties."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planlab.council.voting import equal_shares, schulze
from planlab.errors import InputError

# --- Schulze -----------------------------------------------------------------

WIKIPEDIA_BALLOTS = [
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]
"""The 45-voter example of the article "Schulze method" (Wikipedia; Schulze 2011, example 1)."""

WIKIPEDIA_D = [
    [0, 20, 26, 30, 22],
    [25, 0, 16, 33, 18],
    [19, 29, 0, 17, 24],
    [15, 12, 28, 0, 14],
    [23, 27, 21, 31, 0],
]
WIKIPEDIA_P = [
    [0, 28, 28, 30, 24],
    [25, 0, 28, 33, 24],
    [25, 29, 0, 29, 24],
    [25, 28, 28, 0, 24],
    [25, 28, 28, 31, 0],
]


def test_schulze_reproduces_the_published_example() -> None:
    ballots = [list(order) for _, order in WIKIPEDIA_BALLOTS]
    weights = [count for count, _ in WIKIPEDIA_BALLOTS]
    result = schulze("ABCDE", ballots, weights)
    np.testing.assert_array_equal(result.pairwise, WIKIPEDIA_D)
    np.testing.assert_array_equal(result.strongest, WIKIPEDIA_P)
    assert result.ranking == (("E",), ("A",), ("C",), ("B",), ("D",))
    assert result.winners == ("E",)
    assert result.condorcet_winner() is None


def test_weights_count_as_repeated_ballots_in_the_published_example() -> None:
    repeated = [list(order) for count, order in WIKIPEDIA_BALLOTS for _ in range(count)]
    weighted = schulze(
        "ABCDE", [list(o) for _, o in WIKIPEDIA_BALLOTS], [c for c, _ in WIKIPEDIA_BALLOTS]
    )
    np.testing.assert_array_equal(schulze("ABCDE", repeated).pairwise, weighted.pairwise)


def test_every_named_path_is_a_chain_of_defeats_whose_weakest_link_is_p() -> None:
    result = schulze(
        "ABCDE", [list(o) for _, o in WIKIPEDIA_BALLOTS], [c for c, _ in WIKIPEDIA_BALLOTS]
    )
    d, p = result.pairwise, result.strongest
    for i, x in enumerate(result.candidates):
        for j, y in enumerate(result.candidates):
            if i == j:
                continue
            path = result.path(x, y)
            assert path[0] == x and path[-1] == y
            links = [
                (result.candidates.index(a), result.candidates.index(b)) for a, b in pairwise(path)
            ]
            assert all(d[a, b] > d[b, a] for a, b in links)
            assert min(d[a, b] for a, b in links) == p[i, j]


def test_explain_cites_the_strongest_paths_and_the_missing_condorcet_winner() -> None:
    result = schulze(
        "ABCDE", [list(o) for _, o in WIKIPEDIA_BALLOTS], [c for c, _ in WIKIPEDIA_BALLOTS]
    )
    text = result.explain()
    assert text[0] == "Winner: E."
    assert any("no Condorcet winner" in line for line in text)
    p = result.strongest
    for j, x in enumerate("ABCD"):
        line = next(s for s in text if s.startswith(f"E beats {x}:"))
        assert f"p[E,{x}] = {p[4, j]}" in line
        assert f"p[{x},E] = {p[j, 4]}" in line
        assert "path E " in line


def test_a_condorcet_winner_is_named_as_such() -> None:
    ballots = [["B", "A", "C"], ["B", "C", "A"], ["A", "B", "C"], ["C", "B", "A"]]
    result = schulze(["A", "B", "C"], ballots)
    assert result.condorcet_winner() == "B"
    assert result.winners == ("B",)
    assert "B is the Condorcet winner" in result.explain()[1]


def test_a_perfect_split_ties_the_candidates() -> None:
    result = schulze(["A", "B"], [["A", "B"], ["B", "A"]])
    assert result.ranking == (("A", "B"),)
    assert result.winners == ("A", "B")
    assert any(line.startswith("A ties B: p[A,B] = 0") for line in result.explain())


def test_ties_on_a_ballot_and_unranked_candidates_count_as_equal() -> None:
    result = schulze(["A", "B", "C", "D"], [[["A", "B"], "C"]])
    d = result.pairwise
    assert d[0, 1] == d[1, 0] == 0
    assert d[0, 2] == d[1, 2] == d[2, 3] == 1
    assert d[3].sum() == 0
    assert result.ranking == (("A", "B"), ("C",), ("D",))


@pytest.mark.parametrize(
    ("ballots", "weights", "fragment"),
    [
        ([["A", "X"]], None, "unknown candidate 'X'"),
        ([["A", ["B", "A"]]], None, "'A' is ranked twice"),
        ([["A"], ["B"]], [1], "2 ballots"),
        ([["A"]], [-1], "weights are whole numbers"),
        (["AB"], None, "sequence of candidates"),
    ],
)
def test_bad_ballots_get_one_line_naming_the_problem(
    ballots: list[list[str]], weights: list[int] | None, fragment: str
) -> None:
    with pytest.raises(InputError) as info:
        schulze(["A", "B", "C"], ballots, weights)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


CANDIDATES = "ABCDE"
ballot_strategy = st.permutations(CANDIDATES).flatmap(
    lambda order: st.integers(0, len(order)).map(lambda k: list(order[:k]))
)
profile_strategy = st.lists(ballot_strategy, min_size=1, max_size=12)


def _count_by_hand(ballots: list[list[str]]) -> list[list[int]]:
    """d[x][y] counted ballot by ballot, unranked candidates last."""
    d = [[0] * len(CANDIDATES) for _ in CANDIDATES]
    for ballot in ballots:
        rank = {c: (ballot.index(c) if c in ballot else len(ballot)) for c in CANDIDATES}
        for i, x in enumerate(CANDIDATES):
            for j, y in enumerate(CANDIDATES):
                d[i][j] += rank[x] < rank[y]
    return d


@settings(max_examples=40, deadline=None)
@given(profile_strategy)
def test_pairwise_counts_agree_with_a_count_by_hand(ballots: list[list[str]]) -> None:
    np.testing.assert_array_equal(schulze(CANDIDATES, ballots).pairwise, _count_by_hand(ballots))


@settings(max_examples=40, deadline=None)
@given(profile_strategy, st.data())
def test_weights_equal_repeated_ballots(ballots: list[list[str]], data: st.DataObject) -> None:
    weights = data.draw(st.lists(st.integers(0, 4), min_size=len(ballots), max_size=len(ballots)))
    repeated = [b for b, w in zip(ballots, weights, strict=True) for _ in range(w)]
    a = schulze(CANDIDATES, ballots, weights)
    b = schulze(CANDIDATES, repeated)
    np.testing.assert_array_equal(a.pairwise, b.pairwise)
    assert a.ranking == b.ranking


@settings(max_examples=40, deadline=None)
@given(profile_strategy, st.permutations(CANDIDATES))
def test_ranking_does_not_depend_on_the_order_of_candidates(
    ballots: list[list[str]], order: list[str]
) -> None:
    a = schulze(CANDIDATES, ballots)
    b = schulze(order, ballots)
    assert [set(tier) for tier in a.ranking] == [set(tier) for tier in b.ranking]
    perm = [CANDIDATES.index(c) for c in order]
    np.testing.assert_array_equal(b.strongest, a.strongest[np.ix_(perm, perm)])


@settings(max_examples=60, deadline=None)
@given(profile_strategy)
def test_a_condorcet_winner_always_wins(ballots: list[list[str]]) -> None:
    d = _count_by_hand(ballots)
    n = len(CANDIDATES)
    beats_all = [i for i in range(n) if all(d[i][j] > d[j][i] for j in range(n) if j != i)]
    result = schulze(CANDIDATES, ballots)
    if beats_all:
        assert result.winners == (CANDIDATES[beats_all[0]],)
    else:
        assert result.condorcet_winner() is None
    # Schulze's better-than relation is transitive, so its tiers are a strict weak order.
    p = result.strongest
    for i in range(n):
        for j in range(n):
            for k in range(n):
                if p[i, j] > p[j, i] and p[j, k] > p[k, j]:
                    assert p[i, k] > p[k, i]


# --- Method of Equal Shares ----------------------------------------------------

LACKNER_SKOWRON = (
    [{"a", "b"}] * 3 + [{"a", "c"}] * 3 + [{"a", "d"}] * 2 + [{"b", "c", "f"}, {"e"}, {"f"}, {"g"}]
)
"""Example 1 of Lackner & Skowron (2023), "Multi-Winner Voting with Approval Preferences".

12 voters, 8 candidates (h approved by no one), committee size 4: a committee
election is participatory budgeting with unit costs and budget 4. Their
Example 11 computes the Method of Equal Shares: each voter starts with 1/3;
a is bought at q = 1/8 per supporter, leaving them 5/24; then nothing is
affordable.
"""


def test_equal_shares_reproduces_the_published_committee_example() -> None:
    costs = {c: 1.0 for c in "abcdefgh"}
    result = equal_shares(costs, LACKNER_SKOWRON, 4.0, completion="none")
    assert result.selected == ("a",)
    assert result.per_voter == pytest.approx(1 / 3)
    (only,) = result.rounds
    assert only.max_payment == pytest.approx(float(Fraction(1, 8)))
    left = result.per_voter - result.payments.sum(axis=1)
    np.testing.assert_allclose(left[:8], float(Fraction(5, 24)))
    by_name = {u.project: u for u in result.unselected}
    assert by_name["b"].money_left == pytest.approx(float(3 * Fraction(5, 24) + Fraction(1, 3)))
    assert "h" not in by_name  # approved by no one


def test_red_and_blue_are_funded_in_proportion() -> None:
    """The motivating example of equalshares.net and of the method's Wikipedia article.

    51 % of voters back 10 red projects, 49 % back 10 blue ones, and the money
    pays for 10: the method funds 5 red and 5 blue. Without completion the
    blue voters' 4.9 pays for only 4; the add1 completion finds the fifth.
    """
    costs = {f"red{i}": 1.0 for i in range(10)} | {f"blue{i}": 1.0 for i in range(10)}
    voters = [{f"red{i}" for i in range(10)}] * 51 + [{f"blue{i}" for i in range(10)}] * 49
    plain = equal_shares(costs, voters, 10.0, completion="none")
    completed = equal_shares(costs, voters, 10.0)
    assert _colours(plain.selected) == (5, 4)
    assert _colours(completed.selected) == (5, 5)
    assert completed.voter_budget > completed.per_voter
    assert all(r.phase == "add1 completion" for r in completed.rounds)


def _colours(selected: tuple[str, ...]) -> tuple[int, int]:
    return sum(p.startswith("red") for p in selected), sum(p.startswith("blue") for p in selected)


def test_ties_go_to_more_votes_then_lower_cost_then_name() -> None:
    costs = {"b": 2.0, "a": 2.0, "c": 1.0, "d": 2.0}
    voters = [{"a", "b", "c", "d"}, {"a", "b", "c", "d"}, {"d"}]
    result = equal_shares(costs, voters, 30.0, completion="none")
    # d has three supporters; a, b and c tie on price, c is cheapest, then a before b.
    assert result.selected == ("d", "c", "a", "b")


def test_unit_utilities_price_by_payment_per_supporter() -> None:
    costs = {"big": 10.0, "small": 1.0}
    voters = [{"big", "small"}] * 2
    by_cost = equal_shares(costs, voters, 11.0, completion="none")
    by_count = equal_shares(costs, voters, 11.0, completion="none", utility="approvals")
    assert by_cost.selected == ("small", "big")  # same share of cost each: lower cost wins the tie
    assert by_count.rounds[0].project == "small"
    assert by_count.rounds[0].rho == pytest.approx(0.5)
    assert by_cost.rounds[0].rho == pytest.approx(0.5)  # 0.5 of the cost per supporter


def test_exhaustive_fill_adds_what_still_fits() -> None:
    costs = {"x": 6.0, "y": 3.0, "z": 1.0}
    voters = [{"x"}, {"y"}, {"y", "z"}, {"x", "z"}]
    plain = equal_shares(costs, voters, 10.0, completion="none")
    filled = equal_shares(costs, voters, 10.0, completion="none", exhaustive=True)
    assert set(plain.selected) <= set(filled.selected)
    left = filled.budget - filled.cost
    assert all(u.cost > left for u in filled.unselected)
    fill = [r for r in filled.rounds if r.phase == "utilitarian fill"]
    assert [r.project for r in fill] == ["x"]
    np.testing.assert_allclose(filled.payments.sum(axis=0), [r.cost for r in filled.rounds])


def test_explain_names_each_round_with_its_numbers() -> None:
    costs = {f"red{i}": 1.0 for i in range(10)} | {f"blue{i}": 1.0 for i in range(10)}
    voters = [{f"red{i}" for i in range(10)}] * 51 + [{f"blue{i}" for i in range(10)}] * 49
    result = equal_shares(costs, voters, 10.0)
    text = result.explain()
    assert f"{result.per_voter:g} each" in text[0]
    assert f"raised step by step to {result.voter_budget:g}" in text[1]
    for k, r in enumerate(result.rounds, start=1):
        line = next(s for s in text if s.startswith(f"Round {k}: {r.project} "))
        assert f"rho = {r.rho:.6g}" in line
        assert f"at most {r.max_payment:.6g}" in line
        assert f"{r.supporters} supporters" in line
    for u in result.unselected:
        line = next(s for s in text if s.startswith(f"{u.project} "))
        assert f"had {u.money_left:.6g} left" in line


@pytest.mark.parametrize(
    ("costs", "approvals", "budget", "fragment"),
    [
        ({"a": 1.0}, [{"b"}], 1.0, "unknown project 'b'"),
        ({"a": 0.0}, [{"a"}], 1.0, "positive finite"),
        ({"a": 1.0}, [{"a"}], -1.0, "budget"),
        ({"a": 1.0}, [["a", "a"]], 1.0, "approved twice"),
        ({"a": 1.0}, [], 1.0, "no voters"),
    ],
)
def test_bad_budget_input_gets_one_line(
    costs: dict[str, float], approvals: list[set[str]], budget: float, fragment: str
) -> None:
    with pytest.raises(InputError) as info:
        equal_shares(costs, approvals, budget)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


PROJECTS = "pqrstu"
election = st.tuples(
    st.lists(st.integers(1, 20), min_size=len(PROJECTS), max_size=len(PROJECTS)),
    st.lists(st.sets(st.sampled_from(PROJECTS)), min_size=1, max_size=25),
    st.integers(1, 80),
    st.sampled_from(["add1", "none"]),
    st.sampled_from(["cost", "approvals"]),
)


@settings(max_examples=60, deadline=None)
@given(election)
def test_budget_and_payments_balance(args: tuple[list[int], list[set[str]], int, str, str]) -> None:
    cost_list, voters, budget, completion, utility = args
    costs = dict(zip(PROJECTS, map(float, cost_list), strict=True))
    result = equal_shares(costs, voters, float(budget), completion, utility=utility)  # type: ignore[arg-type]
    assert result.cost <= budget * (1 + 1e-9)
    assert result.cost == pytest.approx(sum(costs[p] for p in result.selected))
    np.testing.assert_allclose(result.payments.sum(axis=0), [costs[p] for p in result.selected])
    np.testing.assert_array_less(-1e-12, result.payments)
    spent = result.payments.sum(axis=1)
    assert (spent <= result.voter_budget * (1 + 1e-9)).all()
    if completion == "none":
        assert result.voter_budget == result.per_voter
    for j, project in enumerate(result.selected):
        paying = result.payments[:, j] > 0
        assert all(project in voters[i] for i in np.flatnonzero(paying))
    for u in result.unselected:
        assert u.money_left < u.cost * (1 + 1e-9)


@settings(max_examples=40, deadline=None)
@given(election, st.sampled_from([0.01, 7.0, 1000.0]))
def test_outcome_does_not_depend_on_the_unit_of_account(
    args: tuple[list[int], list[set[str]], int, str, str], scale: float
) -> None:
    cost_list, voters, budget, completion, utility = args
    costs = dict(zip(PROJECTS, map(float, cost_list), strict=True))
    scaled = {p: c * scale for p, c in costs.items()}
    a = equal_shares(costs, voters, float(budget), completion, utility=utility)  # type: ignore[arg-type]
    b = equal_shares(scaled, voters, budget * scale, completion, utility=utility)  # type: ignore[arg-type]
    assert a.selected == b.selected


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 10), min_size=1, max_size=6), st.integers(1, 40), st.integers(0, 30))
def test_unanimous_voters_get_everything_that_fits(
    cost_list: list[int], voters: int, slack: int
) -> None:
    costs = {f"p{i}": float(c) for i, c in enumerate(cost_list)}
    budget = float(sum(cost_list) + slack)
    for completion in ("none", "add1"):
        result = equal_shares(costs, [set(costs)] * voters, budget, completion)  # type: ignore[arg-type]
        assert set(result.selected) == set(costs)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 20),
    st.integers(1, 20),
    st.lists(st.integers(1, 6), min_size=1, max_size=8),
    st.lists(st.sets(st.sampled_from("vwxyz")), min_size=0, max_size=20),
    st.integers(20, 120),
    st.sampled_from(["add1", "none"]),
)
def test_a_cohesive_group_gets_its_share_less_one_project(
    group: int,
    others_n: int,
    own_costs: list[int],
    others: list[set[str]],
    budget: int,
    completion: str,
) -> None:
    """A group of g of n voters approving only its own projects, which nobody else approves.

    Bound tested: the group's selected projects cost at least
    min(all its projects, g/n * budget - its dearest project). Its money
    (at least g/n of the budget in every run, completion only raises shares)
    pays only for its own projects, and the method stops only when none of the
    group's remaining projects is affordable, i.e. when the group holds less
    than the dearest of them.
    """
    own = {f"own{i}": float(c) for i, c in enumerate(own_costs)}
    costs = own | {c: 5.0 for c in "vwxyz"}
    voters = [set(own)] * group + others + [{"v"}] * others_n
    n = len(voters)
    result = equal_shares(costs, voters, float(budget), completion)  # type: ignore[arg-type]
    got = sum(own[p] for p in result.selected if p in own)
    bound = min(sum(own.values()), group / n * budget - max(own.values()))
    assert got >= bound - 1e-9


def test_thousands_of_voters() -> None:
    rng = np.random.default_rng(1930)
    projects = [f"project{i}" for i in range(30)]
    costs = {p: float(c) for p, c in zip(projects, rng.integers(10, 100, 30), strict=True)}
    voters = [
        set(rng.choice(projects, size=rng.integers(1, 6), replace=False)) for _ in range(5000)
    ]
    result = equal_shares(costs, voters, 600.0)
    assert result.payments.shape == (5000, len(result.selected))
    np.testing.assert_allclose(result.payments.sum(axis=0), [costs[p] for p in result.selected])
    ballots = [list(rng.permutation(list("ABCDEFGH"))) for _ in range(5000)]
    ranked = schulze("ABCDEFGH", ballots)
    assert ranked.pairwise[0, 1] + ranked.pairwise[1, 0] == 5000
