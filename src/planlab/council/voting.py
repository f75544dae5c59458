"""Voting rules of the council: Schulze for ranked ballots, Equal Shares for budgets.

Both rules are written here by hand, vectorised over voters with numpy. The
maintained Python implementation of Equal Shares (pabutools) is licensed under
the GPL-3 and cannot be a dependency of this MIT project; the Schulze method is
a few lines of array code.

**Schulze** (Schulze 2011, "A new monotonic, clone-independent, reversal
symmetric, and Condorcet-consistent single-winner election method"): ``d[i, j]``
counts the voters who rank i strictly above j; a link i -> j exists when
``d[i, j] > d[j, i]`` and has strength ``d[i, j]`` (winning votes); ``p[i, j]``
is the strength of the strongest path, found by Floyd–Warshall. i is better
than j when ``p[i, j] > p[j, i]``; this relation is a strict weak order, whose
tiers are the ranking.

**Method of Equal Shares** (Peters, Pierczyński & Skowron 2021, "Proportional
participatory budgeting with additive utilities", NeurIPS) with approval ballots.
Each voter starts with an equal share of the budget. In each round every
project whose supporters can still pay for it gets its price ``rho``: the least
payment per unit of utility such that the supporters, each paying
``min(money left, rho * utility)``, cover its cost. The project with the lowest
``rho`` is bought. Utilities are *cost utilities* by default (a supporter gains
the project's cost from it, as equalshares.net recommends for approval
ballots), so ``rho`` is the largest share of the cost one supporter pays;
``utility="approvals"`` gives every supporter utility 1, so ``rho`` is the
largest payment in money. Ties in ``rho`` (equal up to a relative 1e-9) go to
the project with more supporters, then the lower cost, then the name in
alphabetical order.

Completion ``"add1"`` follows equalshares.net: when the outcome is not
exhaustive (some approved, unselected project still fits the money left),
every voter's share is raised in steps and the method run again, until the
outcome is exhaustive or would cost more than the budget; the last outcome
within the budget is kept. Unlike equalshares.net, which adds one currency unit
per voter, the default step is 1 % of the initial share, so that the outcome
does not depend on the unit of account (``increment`` sets it). With
``exhaustive=True`` the projects that still fit the money left are then added
greedily by utilitarian welfare per unit of cost (supporters under cost
utilities, supporters per cost under unit utilities), with the same tie rule;
their cost is recorded as shared equally among their supporters.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from planlab.errors import InputError

__all__ = [
    "EqualSharesResult",
    "EqualSharesRound",
    "SchulzeResult",
    "UnselectedProject",
    "equal_shares",
    "schulze",
]

Phase = Literal["equal shares", "add1 completion", "utilitarian fill"]
_TIE = 1e-9
"""Relative tolerance under which two prices count as equal and money as enough."""


@dataclass(frozen=True)
class SchulzeResult:
    """Pairwise counts, strongest paths and the ranking they give."""

    candidates: tuple[str, ...]
    pairwise: NDArray[np.int64]
    """``d[i, j]``: voters (by weight) who rank candidate i strictly above j."""
    strongest: NDArray[np.int64]
    """``p[i, j]``: strength of the strongest path i -> j (winning votes)."""
    ranking: tuple[tuple[str, ...], ...]
    """Tiers, best first; a tier holds tied candidates in the order given."""
    winners: tuple[str, ...]
    """The first tier."""

    def path(self, source: str, target: str) -> tuple[str, ...]:
        """A shortest path of links from source to target whose weakest link is ``p``.

        Empty when there is no path (``p[source, target] == 0``).
        """
        index = {c: i for i, c in enumerate(self.candidates)}
        s, t = index[source], index[target]
        d = self.pairwise
        strength = self.strongest[s, t]
        if strength == 0:
            return ()
        links = (d > d.T) & (d >= strength)
        before = {s: s}
        queue = deque([s])
        while queue:
            node = queue.popleft()
            for nxt in np.flatnonzero(links[node]):
                if int(nxt) not in before:
                    before[int(nxt)] = node
                    queue.append(int(nxt))
        steps = [t]
        while steps[-1] != s:
            steps.append(before[steps[-1]])
        return tuple(self.candidates[i] for i in reversed(steps))

    def condorcet_winner(self) -> str | None:
        """The candidate who beats every other head to head, if there is one."""
        d = self.pairwise
        beats = d > d.T
        for i, name in enumerate(self.candidates):
            if beats[i].sum() == len(self.candidates) - 1:
                return name
        return None

    def explain(self) -> list[str]:
        """Plain sentences: why each winner beats (or ties) each other candidate."""
        d, p = self.pairwise, self.strongest
        names = self.candidates
        index = {c: i for i, c in enumerate(names)}
        lines = [f"Winner{'s' if len(self.winners) > 1 else ''}: {', '.join(self.winners)}."]
        condorcet = self.condorcet_winner()
        if condorcet is not None:
            lines.append(
                f"{condorcet} is the Condorcet winner: it beats every other candidate head to head."
            )
        else:
            lines.append(
                "There is no Condorcet winner: every candidate loses a head-to-head contest."
            )
            for i, name in enumerate(names):
                margins = d[:, i] - d[i, :]
                margins[i] = np.iinfo(np.int64).min
                j = int(np.argmax(margins))
                other = names[j]
                if margins[j] > 0:
                    lines.append(
                        f"{name} loses to {other}: d[{other},{name}] = {d[j, i]} "
                        f"against d[{name},{other}] = {d[i, j]}."
                    )
                else:
                    lines.append(
                        f"{name} loses to no one but does not beat {other}: "
                        f"d[{other},{name}] = d[{name},{other}] = {d[i, j]}."
                    )
        for w in self.winners:
            for x in names:
                if x == w:
                    continue
                i, j = index[w], index[x]
                there = self._described_path(w, x)
                back = self._described_path(x, w)
                if p[i, j] > p[j, i]:
                    lines.append(
                        f"{w} beats {x}: p[{w},{x}] = {p[i, j]} ({there}) "
                        f"against p[{x},{w}] = {p[j, i]} ({back})."
                    )
                else:
                    lines.append(
                        f"{w} ties {x}: p[{w},{x}] = {p[i, j]} ({there}) "
                        f"and p[{x},{w}] = {p[j, i]} ({back})."
                    )
        return lines

    def _described_path(self, source: str, target: str) -> str:
        steps = self.path(source, target)
        if not steps:
            return "no path"
        index = {c: i for i, c in enumerate(self.candidates)}
        text = steps[0]
        for a, b in pairwise(steps):
            text += f" -({self.pairwise[index[a], index[b]]})-> {b}"
        return "path " + text


def schulze(
    candidates: Sequence[str],
    ballots: Sequence[Sequence[str | Sequence[str]]],
    weights: Sequence[int] | None = None,
) -> SchulzeResult:
    """Rank candidates by the Schulze method (winning votes).

    Each ballot ranks candidates best first; an inner sequence is a tie; the
    candidates a ballot leaves out are tied below all it ranks. ``weights``
    counts each ballot that many times.

    >>> result = schulze(["A", "B", "C"], [["A", "B", "C"], ["B", "A", "C"], [["A", "C"]]])
    >>> result.winners, result.ranking
    (('A',), (('A',), ('B',), ('C',)))
    """
    names = tuple(candidates)
    index = _candidate_index(names)
    ranks = _rank_matrix(ballots, index)
    w = _ballot_weights(weights, len(ranks))
    unique, inverse = np.unique(ranks, axis=0, return_inverse=True)
    counts = np.bincount(inverse.reshape(-1), weights=w, minlength=len(unique)).astype(np.int64)
    above = unique[:, :, None] < unique[:, None, :]
    d = np.einsum("v,vij->ij", counts, above.astype(np.int64))
    p = _strongest_paths(d)
    ranking = _tiers(p, names)
    return SchulzeResult(
        candidates=names,
        pairwise=d,
        strongest=p,
        ranking=ranking,
        winners=ranking[0] if ranking else (),
    )


def _candidate_index(names: tuple[str, ...]) -> dict[str, int]:
    index: dict[str, int] = {}
    for name in names:
        if name in index:
            raise InputError.single(
                "candidates", "candidates", "each candidate once", f"'{name}' is listed twice"
            )
        index[name] = len(index)
    return index


def _rank_matrix(
    ballots: Sequence[Sequence[str | Sequence[str]]], index: dict[str, int]
) -> NDArray[np.int64]:
    """Rank of each candidate on each ballot (0 best); unranked ones share the last rank."""
    ranks = np.empty((len(ballots), len(index)), dtype=np.int64)
    for b, ballot in enumerate(ballots):
        field = f"ballot {b + 1}"
        if isinstance(ballot, str):
            raise InputError.single(
                "ballots",
                field,
                "a ballot is a sequence of candidates",
                f"got the string '{ballot}'",
            )
        ranks[b] = len(ballot)
        seen: set[str] = set()
        for level, entry in enumerate(ballot):
            group = (entry,) if isinstance(entry, str) else tuple(entry)
            for name in group:
                if name not in index:
                    raise InputError.single(
                        "ballots", field, "only listed candidates", f"unknown candidate '{name}'"
                    )
                if name in seen:
                    raise InputError.single(
                        "ballots", field, "each candidate at most once", f"'{name}' is ranked twice"
                    )
                seen.add(name)
                ranks[b, index[name]] = level
    return ranks


def _ballot_weights(weights: Sequence[int] | None, n: int) -> NDArray[np.int64]:
    if weights is None:
        return np.ones(n, dtype=np.int64)
    w = np.asarray(weights)
    if w.shape != (n,):
        raise InputError.single(
            "ballots", "weights", "one weight per ballot", f"{w.size} weights for {n} ballots"
        )
    if not np.issubdtype(w.dtype, np.integer) or (w < 0).any():
        raise InputError.single(
            "ballots", "weights", "weights are whole numbers >= 0", f"got {list(weights)}"
        )
    return w.astype(np.int64)


def _strongest_paths(d: NDArray[np.int64]) -> NDArray[np.int64]:
    """Floyd–Warshall over the widest path, vectorised over the pairs."""
    p = np.where(d > d.T, d, 0)
    for k in range(len(d)):
        p = np.maximum(p, np.minimum(p[:, k, None], p[None, k, :]))
    np.fill_diagonal(p, 0)
    return p


def _tiers(p: NDArray[np.int64], names: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Group candidates by how many are better than them; Schulze's order makes these tiers."""
    beaten_by = (p < p.T).sum(axis=1)
    return tuple(
        tuple(names[i] for i in np.flatnonzero(beaten_by == level))
        for level in np.unique(beaten_by)
    )


@dataclass(frozen=True)
class EqualSharesRound:
    """One project bought: at what price, by how many, in which phase."""

    project: str
    cost: float
    rho: float
    """Largest payment per unit of utility asked of a supporter."""
    max_payment: float
    """``rho`` times a supporter's utility: the most one supporter paid."""
    supporters: int
    phase: Phase


@dataclass(frozen=True)
class UnselectedProject:
    """An approved project left out, and the money its supporters still had."""

    project: str
    cost: float
    supporters: int
    money_left: float
    """What its supporters held in total when the rule stopped."""


@dataclass(frozen=True)
class EqualSharesResult:
    """The selected projects, who paid for them, and why the others were left out."""

    selected: tuple[str, ...]
    cost: float
    budget: float
    per_voter: float
    """The budget divided by the number of voters."""
    rounds: tuple[EqualSharesRound, ...]
    payments: NDArray[np.float64]
    """Voters x selected projects (in order of selection): what each voter paid."""
    voter_budget: float
    """Each voter's share in the run kept: ``per_voter``, or more after add1 completion."""
    unselected: tuple[UnselectedProject, ...]
    utility: Literal["cost", "approvals"]

    def explain(self) -> list[str]:
        """Why each project was chosen, in order, and why each approved other one was not."""
        n = self.payments.shape[0]
        lines = [f"{n} voters share the budget {self.budget:g}: {self.per_voter:g} each."]
        if self.voter_budget > self.per_voter:
            lines.append(
                f"Completion (add1): every voter's share was raised step by step to "
                f"{self.voter_budget:g}, where the outcome was exhaustive or the next step would "
                f"exceed the budget (cost {self.cost:g} of {self.budget:g})."
            )
        per = "share of its cost" if self.utility == "cost" else "payment"
        for k, r in enumerate(self.rounds, start=1):
            if r.phase == "utilitarian fill":
                lines.append(
                    f"Round {k}: {r.project} (cost {r.cost:g}, {r.supporters} supporters) "
                    f"added by the utilitarian fill: it still fitted the money left."
                )
            else:
                lines.append(
                    f"Round {k}: {r.project} (cost {r.cost:g}, {r.supporters} supporters) "
                    f"chosen at rho = {r.rho:.6g} (largest {per} asked of a supporter), "
                    f"the lowest among affordable projects; "
                    f"each supporter paid at most {r.max_payment:.6g}."
                )
        left = self.budget - self.cost
        for u in self.unselected:
            line = (
                f"{u.project} (cost {u.cost:g}, {u.supporters} supporters) not chosen: "
                f"its supporters had {u.money_left:.6g} left, less than its cost"
            )
            if u.cost > left:
                line += f", and it exceeds the budget left ({left:g})"
            lines.append(line + ".")
        return lines


def equal_shares(
    costs: Mapping[str, float],
    approvals: Sequence[Collection[str]],
    budget: float,
    completion: Literal["add1", "none"] = "add1",
    *,
    utility: Literal["cost", "approvals"] = "cost",
    increment: float | None = None,
    exhaustive: bool = False,
) -> EqualSharesResult:
    """Select projects within the budget by the Method of Equal Shares.

    ``approvals`` holds one set of approved projects per voter. See the module
    docstring for the utilities, the tie rule and the completion.

    >>> costs = {"school": 60.0, "road": 40.0, "park": 30.0}
    >>> voters = [{"school"}, {"school", "park"}, {"road"}, {"road", "park"}]
    >>> equal_shares(costs, voters, 120.0, completion="none").selected
    ('park', 'road')
    """
    projects, cost, approve = _budget_inputs(costs, approvals, budget)
    n = len(approve)
    per_voter = budget / n
    util = cost.copy() if utility == "cost" else np.ones_like(cost)
    votes = approve.sum(axis=0)
    order = sorted(range(len(projects)), key=lambda j: (-votes[j], cost[j], projects[j]))
    rank = np.empty(len(projects), dtype=np.int64)
    rank[order] = np.arange(len(projects))

    run = _mes(approve, cost, util, rank, per_voter)
    voter_budget = per_voter
    if completion == "add1":
        step = per_voter / 100 if increment is None else increment
        if not step > 0 or not np.isfinite(step):
            raise InputError.single(
                "equal shares", "increment", "a positive number", f"got {increment}"
            )
        k = 1
        while not _is_exhaustive(run, cost, votes, budget):
            raised = per_voter + k * step
            attempt = _mes(approve, cost, util, rank, raised)
            if attempt.spent(cost) > budget * (1 + _TIE):
                break
            run, voter_budget = attempt, raised
            k += 1
    elif completion != "none":
        raise InputError.single(
            "equal shares", "completion", "'add1' or 'none'", f"got '{completion}'"
        )

    phase: Phase = "equal shares" if voter_budget == per_voter else "add1 completion"
    chosen = list(run.chosen)
    prices = list(run.prices)
    pay = [run.payments[:, i] for i in range(len(chosen))]
    phases: list[Phase] = [phase] * len(chosen)
    if exhaustive:
        spent = float(cost[chosen].sum())
        welfare = votes * util / cost
        for j in sorted(range(len(projects)), key=lambda j: (-welfare[j], rank[j])):
            if j in chosen or votes[j] == 0 or spent + cost[j] > budget * (1 + _TIE):
                continue
            chosen.append(j)
            spent += float(cost[j])
            share = cost[j] / votes[j]
            prices.append(share / util[j])
            pay.append(np.where(approve[:, j], share, 0.0))
            phases.append("utilitarian fill")

    payments = np.column_stack(pay) if pay else np.zeros((n, 0))
    money_left = voter_budget - run.payments.sum(axis=1)
    rounds = tuple(
        EqualSharesRound(
            project=projects[j],
            cost=float(cost[j]),
            rho=float(rho),
            max_payment=float(rho * util[j]),
            supporters=int(votes[j]),
            phase=ph,
        )
        for j, rho, ph in zip(chosen, prices, phases, strict=True)
    )
    unselected = tuple(
        UnselectedProject(
            project=projects[j],
            cost=float(cost[j]),
            supporters=int(votes[j]),
            money_left=float(money_left[approve[:, j]].sum()),
        )
        for j in order
        if votes[j] > 0 and j not in chosen
    )
    return EqualSharesResult(
        selected=tuple(projects[j] for j in chosen),
        cost=float(cost[chosen].sum()),
        budget=float(budget),
        per_voter=per_voter,
        rounds=rounds,
        payments=payments,
        voter_budget=voter_budget,
        unselected=unselected,
        utility=utility,
    )


def _budget_inputs(
    costs: Mapping[str, float], approvals: Sequence[Collection[str]], budget: float
) -> tuple[tuple[str, ...], NDArray[np.float64], NDArray[np.bool_]]:
    """Validated projects, their costs and the voters x projects approval matrix."""
    if not (isinstance(budget, int | float) and np.isfinite(budget) and budget > 0):
        raise InputError.single(
            "equal shares", "budget", "a positive finite number", f"got {budget}"
        )
    projects = tuple(costs)
    cost = np.array([costs[p] for p in projects], dtype=np.float64)
    for name, c in zip(projects, cost, strict=True):
        if not (np.isfinite(c) and c > 0):
            raise InputError.single("costs", name, "a cost is a positive finite number", f"got {c}")
    if not approvals:
        raise InputError.single("approvals", "approvals", "at least one voter", "no voters")
    index = {p: j for j, p in enumerate(projects)}
    approve = np.zeros((len(approvals), len(projects)), dtype=bool)
    for v, ballot in enumerate(approvals):
        field = f"voter {v + 1}"
        if isinstance(ballot, str):
            raise InputError.single(
                "approvals",
                field,
                "a ballot is a collection of projects",
                f"got the string '{ballot}'",
            )
        for name in ballot:
            if name not in index:
                raise InputError.single(
                    "approvals", field, "only listed projects", f"unknown project '{name}'"
                )
            if approve[v, index[name]]:
                raise InputError.single(
                    "approvals", field, "each project at most once", f"'{name}' is approved twice"
                )
            approve[v, index[name]] = True
    return projects, cost, approve


@dataclass(frozen=True)
class _Run:
    """One run of the method at a fixed share per voter."""

    chosen: tuple[int, ...]
    prices: tuple[float, ...]
    payments: NDArray[np.float64]

    def spent(self, cost: NDArray[np.float64]) -> float:
        return float(cost[list(self.chosen)].sum())


def _mes(
    approve: NDArray[np.bool_],
    cost: NDArray[np.float64],
    util: NDArray[np.float64],
    rank: NDArray[np.int64],
    share: float,
) -> _Run:
    """The Method of Equal Shares with every voter starting at ``share``."""
    money = np.full(approve.shape[0], share)
    open_ = [j for j in range(len(cost)) if approve[:, j].any()]
    chosen: list[int] = []
    prices: list[float] = []
    pay: list[NDArray[np.float64]] = []
    while True:
        best: tuple[float, int, float] | None = None
        for j in list(open_):
            held = money[approve[:, j]]
            if held.sum() < cost[j] * (1 - _TIE):
                open_.remove(j)
                continue
            cap = _payment_cap(held, float(cost[j]))
            rho = cap / util[j]
            if (
                best is None
                or rho < best[0] * (1 - _TIE)
                or (rho <= best[0] * (1 + _TIE) and rank[j] < rank[best[1]])
            ):
                best = (rho, j, cap)
        if best is None:
            break
        rho, j, cap = best
        paid = np.where(approve[:, j], np.minimum(money, cap), 0.0)
        money -= paid
        open_.remove(j)
        chosen.append(j)
        prices.append(rho)
        pay.append(paid)
    payments = np.column_stack(pay) if pay else np.zeros((approve.shape[0], 0))
    return _Run(chosen=tuple(chosen), prices=tuple(prices), payments=payments)


def _payment_cap(held: NDArray[np.float64], cost: float) -> float:
    """Least cap t with sum(min(held, t)) = cost: the poorest pay all they have, the rest t."""
    ordered = np.sort(held)
    n = len(ordered)
    paid_before = np.concatenate(([0.0], np.cumsum(ordered)[:-1]))
    caps = (cost - paid_before) / (n - np.arange(n))
    fits = np.flatnonzero(caps <= ordered)
    return float(caps[fits[0]]) if fits.size else float(ordered[-1])


def _is_exhaustive(
    run: _Run, cost: NDArray[np.float64], votes: NDArray[np.int64], budget: float
) -> bool:
    """No approved project left out still fits the money not spent."""
    left = budget - run.spent(cost)
    out = np.ones(len(cost), dtype=bool)
    out[list(run.chosen)] = False
    return not bool((out & (votes > 0) & (cost <= left * (1 + _TIE))).any())
