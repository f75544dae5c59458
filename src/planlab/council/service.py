"""What participants do, whichever interface they use: each operation checks permission,
checks its input, changes the database and appends to the audit chain in one transaction.

Plan solves run before the write transaction opens (they are cached per round
and change), so that a slow solve never holds the database's write lock.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planlab.council import audit, checks, secrecy, workflow
from planlab.council.db import Database
from planlab.council.groupcommit import Write
from planlab.council.models import Ballot, Comment, PlanVersion, Proposal, Round, User, Vote, now
from planlab.council.permissions import ROLES, allowed
from planlab.council.security import hash_password, password_problem
from planlab.council.voting import equal_shares, schulze
from planlab.errors import InputError, PlanlabError
from planlab.plan import PlanResult

__all__ = [
    "BALLOT_KINDS",
    "ConflictError",
    "DeniedError",
    "NotFoundError",
    "Pending",
    "adopt",
    "adopted_plan",
    "cast_vote",
    "close_ballot",
    "close_round",
    "comment",
    "comment_of",
    "count",
    "create_ballot",
    "create_round",
    "create_user",
    "create_variant",
    "describe",
    "get",
    "grant",
    "iterate",
    "propose",
    "register",
    "require",
    "spec_of",
    "tally",
    "vote_of",
]

BALLOT_KINDS = ("ranked", "approval")
T = TypeVar("T")


class DeniedError(PlanlabError):
    """The participant may not do this (HTTP 403)."""


class NotFoundError(PlanlabError):
    """No such round, proposal, ballot, variant or participant (HTTP 404)."""


ConflictError = workflow.ConflictError

TOP_CONFLICTS = 12
"""How many of an unbalanced iteration's conflicting constraints are published."""
LINE = 200
"""The longest title or name, in characters."""
LONG = 5000
"""The longest comment or reasons, in characters."""


def _bad(field: str, rule: str, message: str) -> InputError:
    return InputError.single("<request>", field, rule, message)


def _text(field: str, value: str, limit: int) -> str:
    """Text stripped of outer blanks; refused (never cut) when longer than ``limit``."""
    value = value.strip()
    if len(value) > limit:
        raise _bad(field, f"at most {limit} characters", f"{len(value)} given")
    return value


def require(user: User, action: str, branch: str | None = None) -> None:
    """Raise DeniedError unless the user's role (and branch, for a delegate) allows the action."""
    if not allowed(user.role, action, branch, user.branch):
        scope = f" for branch {branch!r}" if branch is not None else ""
        raise DeniedError(f"role {user.role!r} may not {action}{scope}")


def get(session: Session, model: type[T], key: int, what: str) -> T:
    row = session.get(model, key)
    if row is None:
        raise NotFoundError(f"no {what} {key}")
    return row


def spec_of(row: Round) -> checks.RoundSpec:
    """The plan specification of a round."""
    return checks.RoundSpec(row.source, row.years, row.growth, row.consumption_growth)


def register(db: Database, name: str, password: str) -> User:
    """A new account; it reads only (observer) until the commission grants a role."""
    problem = password_problem(name, password)
    if problem:
        field, _, rule = problem.partition(": ")
        raise _bad(field, rule, "does not meet the rule")
    hashed = hash_password(password)

    def work(session: Session) -> User:
        user = User(name=name, password_hash=hashed, role="observer", branch=None)
        session.add(user)
        session.flush()
        audit.append(session, name, "user.register", f"user:{user.id}", {"name": name})
        return user

    try:
        return db.batched(work)
    except IntegrityError:
        raise ConflictError(f"the name {name!r} is taken") from None


def create_user(db: Database, name: str, password: str, role: str, branch: str | None) -> User:
    """An account with a role from the start (the command line's way to make the commission)."""
    _check_role(role, branch)
    user = register(db, name, password)
    with db.write() as session:
        row = get(session, User, user.id, "participant")
        row.role, row.branch = role, branch
        audit.append(
            session,
            "<command line>",
            "user.grant",
            f"user:{row.id}",
            {"role": role, "branch": branch},
        )
    return row


def _check_role(role: str, branch: str | None) -> None:
    if role not in ROLES:
        raise _bad("role", f"one of {', '.join(ROLES)}", repr(role))
    if (role == "delegate") != (branch is not None):
        raise _bad("branch", "given for a delegate and only for a delegate", repr(branch))


def grant(db: Database, actor: User, user_id: int, role: str, branch: str | None) -> User:
    """The commission gives a participant a role (and a delegate a branch)."""
    require(actor, "user.grant")
    branch = branch or None
    _check_role(role, branch)
    with db.write() as session:
        user = get(session, User, user_id, "participant")
        user.role, user.branch = role, branch
        audit.append(
            session, actor.name, "user.grant", f"user:{user.id}", {"role": role, "branch": branch}
        )
    return user


def create_round(
    db: Database, actor: User, title: str, spec: checks.RoundSpec, max_iterations: int = 1
) -> Round:
    """A planning round, with its base plan solved and stored; it may run in iterations."""
    require(actor, "round.create")
    if not title.strip():
        raise _bad("title", "a title", "empty")
    problems = spec.problems()
    if problems:
        field, _, rest = problems[0].partition(": ")
        raise _bad(field, rest, "does not meet the rule")
    base = checks.base_summary(spec)
    with db.write() as session:
        row = Round(
            title=_text("title", title, LINE),
            source=spec.source,
            years=spec.years,
            growth=spec.growth,
            consumption_growth=spec.consumption_growth,
            status=workflow.ROUND_STATES[0],
            iteration=1,
            max_iterations=max_iterations,
            iterations=[],
            base=base,
            created_by=actor.id,
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            actor.name,
            "round.create",
            f"round:{row.id}",
            {
                "title": row.title,
                "source": spec.source,
                "years": spec.years,
                "max_iterations": max_iterations,
            },
        )
    return row


def close_round(db: Database, actor: User, round_id: int) -> Round:
    """No more proposals: the round moves on to its ballots and adoption."""
    require(actor, "round.close")
    with db.write() as session:
        row = get(session, Round, round_id, "round")
        workflow.enter(session, "round.close", row)
        audit.append(session, actor.name, "round.close", f"round:{row.id}", {})
    return row


def iterate(db: Database, actor: User, round_id: int) -> Round:
    """End the round's current iteration: solve its proposals together and publish the
    balance, shadow prices and conflicts for the next one. The round closes when the
    iteration's plan balances or when it was the last iteration allowed."""
    require(actor, "round.iterate")
    with db.read() as session:
        row = get(session, Round, round_id, "round")
        workflow.enter(session, "round.iterate", row)
        number, spec = row.iteration, spec_of(row)
        proposals = list(
            session.scalars(
                select(Proposal)
                .where(
                    Proposal.round_id == round_id,
                    Proposal.iteration == number,
                    Proposal.kind != "objection",
                )
                .order_by(Proposal.id)
            )
        )
    summary = checks.plan_summary(spec, checks.combine(spec, (_change_of(p) for p in proposals)))
    balanced = bool(summary["feasible"])
    record = {
        "iteration": number,
        "proposals": [p.id for p in proposals],
        "balanced": balanced,
        "message": summary["message"],
        "least_fulfilment": min(summary["fulfilment"].values()) if balanced else None,
        "binding": summary.get("binding", []),
        "conflicts": summary.get("conflicts", [])[:TOP_CONFLICTS],
    }
    with db.write() as session:
        row = get(session, Round, round_id, "round")
        if row.iteration != number:
            raise ConflictError(f"iteration {number} of round {round_id} has ended already")
        workflow.enter(session, "round.iterate", row)
        row.iterations = [*row.iterations, record]
        last = balanced or number >= row.max_iterations
        if last:
            workflow.enter(session, "round.close", row)
        else:
            row.iteration = number + 1
        audit.append(
            session,
            actor.name,
            "round.iterate",
            f"round:{row.id}",
            {"iteration": number, "proposals": record["proposals"], "balanced": balanced},
        )
    return row


def propose(
    db: Database,
    actor: User,
    round_id: int,
    kind: str,
    *,
    branch: str | None = None,
    value: float | None = None,
    mode: str = "growth",
    objects_to: int | None = None,
    reasons: str = "",
) -> Proposal:
    """A proposal, checked against the balances before it is stored."""
    if kind not in checks.KINDS:
        raise _bad("kind", f"one of {', '.join(checks.KINDS)}", repr(kind))
    reasons = _text("reasons", reasons, LONG)
    require(actor, f"proposal.{kind}", branch if kind in ("target", "priority") else None)
    with db.read() as session:
        row = get(session, Round, round_id, "round")
        workflow.enter(session, "proposal.create", row)
        spec = spec_of(row)
    result: dict[str, Any]
    if kind == "objection":
        if objects_to is None:
            raise _bad("objects_to", "the proposal objected to", "missing")
        if not reasons.strip():
            raise _bad("reasons", "the reasons for an objection", "empty")
        branch, value, mode = None, None, ""
        result = {"feasible": None, "message": "an objection changes no balance"}
        feasible = None
    else:
        if value is None:
            raise _bad("value", "a number", "missing")
        if kind == "floor":
            branch = None
        if kind != "target":
            mode = ""
        change = checks.change_for(spec, kind, branch, value, mode)
        result = checks.check(spec, change, branch)
        result["change"] = {
            "required": [list(p) for p in change.required],
            "weights": [list(p) for p in change.weights],
            "consumption_growth": change.consumption_growth,
        }
        feasible = bool(result["feasible"])

    def work(session: Session) -> Proposal:
        current = get(session, Round, round_id, "round")
        workflow.enter(session, "proposal.create", current)
        if objects_to is not None:
            target = get(session, Proposal, objects_to, "proposal")
            if target.round_id != round_id:
                raise _bad("objects_to", "a proposal of the same round", f"#{objects_to}")
        proposal = Proposal(
            round_id=round_id,
            author_id=actor.id,
            kind=kind,
            branch=branch,
            value=value,
            mode=mode or None,
            objects_to=objects_to,
            reasons=reasons.strip(),
            feasible=feasible,
            check=result,
            iteration=current.iteration,
        )
        session.add(proposal)
        session.flush()
        event = audit.append(
            session, actor.name, "proposal.create", f"proposal:{proposal.id}", audit.bound(proposal)
        )
        proposal.event_hash = event.hash
        return proposal

    return db.batched(work)


def comment(db: Database, actor: User, proposal_id: int, text: str) -> Comment:
    """A comment in the debate on a proposal."""
    return comment_of(actor, proposal_id, text).store(db)


def comment_of(actor: User, proposal_id: int, text: str) -> Pending[Comment]:
    """A comment checked at the edge, to store (``Pending``)."""
    require(actor, "comment.create")
    text = _text("text", text, LONG)
    if not text:
        raise _bad("text", "some text", "empty")

    def prepare(session: Session) -> audit.Bound[Comment]:
        proposal = get(session, Proposal, proposal_id, "proposal")
        workflow.enter(session, "comment.create", get(session, Round, proposal.round_id, "round"))
        row = Comment(proposal_id=proposal_id, author_id=actor.id, text=text)
        return audit.Bound(row, actor.name, "comment.create", f"proposal:{proposal_id}")

    return Pending(prepare, (Proposal, proposal_id))


Counted = TypeVar("Counted", Vote, Comment)


@dataclass(frozen=True)
class Pending(Generic[Counted]):
    """A vote or a comment to store, with its audit event, in the next group commit: with
    the other votes and comments of the batch in a few statements. ``prepare`` checks
    and builds the row, ``reads`` is the row it starts from (a ballot, a proposal), and
    ``conflict`` what a unique constraint that refuses the row means."""

    prepare: Callable[[Session], audit.Bound[Counted]]
    reads: tuple[type[Any], int]
    conflict: str | None = None

    def _alone(self, session: Session) -> Counted:
        return audit.store(session, self.prepare(session))

    def store(self, db: Database) -> Counted:
        """Store it; the row once its batch has committed."""
        with self._refused():
            stored: Counted = db.batched(
                self._alone, prepare=self.prepare, many=audit.store_many, reads=[self.reads]
            )
        return stored

    async def store_async(self, db: Database) -> Counted:
        """``store`` for a caller on the event loop, which waits without a thread."""
        with self._refused():
            write = Write(self._alone, self.prepare, audit.store_many, [self.reads])
            stored: Counted = await db.batched_async(write)
        return stored

    @contextmanager
    def _refused(self) -> Iterator[None]:
        """A unique constraint's refusal as ``conflict`` says (409), when it says."""
        try:
            yield
        except IntegrityError:
            if self.conflict is None:
                raise
            raise ConflictError(self.conflict) from None


def _change_of(proposal: Proposal) -> checks.Change:
    change = proposal.check.get("change") or {}
    return checks.Change(
        tuple((str(s), float(v)) for s, v in change.get("required", [])),
        tuple((str(s), float(v)) for s, v in change.get("weights", [])),
        change.get("consumption_growth"),
    )


def _variant(
    session: Session, actor: User, row: Round, name: str, proposals: Sequence[Proposal]
) -> PlanVersion:
    spec = spec_of(row)
    change = checks.combine(spec, (_change_of(p) for p in proposals))
    summary = checks.plan_summary(spec, change)
    variant = PlanVersion(
        round_id=row.id,
        name=_text("name", name, LINE),
        proposal_ids=[p.id for p in proposals],
        feasible=bool(summary["feasible"]),
        summary=summary,
        adopted=False,
        created_by=actor.id,
    )
    session.add(variant)
    session.flush()
    audit.append(
        session,
        actor.name,
        "variant.create",
        f"variant:{variant.id}",
        {"round": row.id, "proposals": variant.proposal_ids, "feasible": variant.feasible},
    )
    return variant


def _passed(session: Session, round_id: int, ids: Sequence[int]) -> list[Proposal]:
    found = []
    for key in dict.fromkeys(ids):
        proposal = get(session, Proposal, key, "proposal")
        if proposal.round_id != round_id:
            raise _bad("proposal_ids", "proposals of this round", f"#{key}")
        if proposal.kind == "objection" or not proposal.feasible:
            raise _bad("proposal_ids", "feasible targets, priorities or floors", f"#{key}")
        found.append(proposal)
    return found


def create_variant(
    db: Database, actor: User, round_id: int, name: str, proposal_ids: Sequence[int]
) -> PlanVersion:
    """A plan variant: the chosen proposals solved together."""
    require(actor, "variant.create")
    if not name.strip():
        raise _bad("name", "a name", "empty")
    with db.write() as session:
        row = get(session, Round, round_id, "round")
        workflow.enter(session, "variant.create", row)
        return _variant(session, actor, row, name, _passed(session, round_id, proposal_ids))


def create_ballot(
    db: Database,
    actor: User,
    round_id: int,
    kind: str,
    title: str,
    candidates: Sequence[int],
    budget: float | None = None,
    costs: dict[int, float] | None = None,
) -> Ballot:
    """A ranked ballot over plan variants, or an approval ballot over proposals and a fund."""
    require(actor, "ballot.create")
    if kind not in BALLOT_KINDS:
        raise _bad("kind", "ranked or approval", repr(kind))
    if len(set(candidates)) < 2:
        raise _bad("candidates", "at least two different candidates", str(list(candidates)))
    with db.write() as session:
        row = get(session, Round, round_id, "round")
        keys: list[str] = []
        priced: dict[str, float] = {}
        if kind == "ranked":
            for key in dict.fromkeys(candidates):
                variant = get(session, PlanVersion, key, "variant")
                if variant.round_id != round_id:
                    raise _bad("candidates", "variants of this round", f"#{key}")
                keys.append(str(key))
        else:
            if budget is None or not (math.isfinite(budget) and budget > 0):
                raise _bad("budget", "a fund above 0", repr(budget))
            for proposal in _passed(session, round_id, candidates):
                given = (costs or {}).get(proposal.id)
                cost = given if given is not None else proposal.check.get("investment_cost", 0.0)
                if not (math.isfinite(cost) and cost > 0):
                    raise _bad(
                        "costs",
                        "a cost above 0 for each proposal (its extra investment, or given)",
                        f"#{proposal.id} costs {cost:.6g}",
                    )
                keys.append(str(proposal.id))
                priced[str(proposal.id)] = float(cost)
        ballot = Ballot(
            round_id=round_id,
            kind=kind,
            title=_text("title", title, LINE) or f"{kind} ballot",
            candidates=keys,
            costs=priced,
            budget=budget if kind == "approval" else None,
            result=None,
        )
        workflow.enter(session, "ballot.create", row, ballot)
        session.add(ballot)
        session.flush()
        audit.append(
            session,
            actor.name,
            "ballot.create",
            f"ballot:{ballot.id}",
            {
                "round": round_id,
                "kind": kind,
                "candidates": keys,
                "costs": priced,
                "budget": budget,
            },
        )
    return ballot


def _valid_choice(ballot: Ballot, choice: Sequence[str]) -> list[str]:
    keys = [str(c) for c in choice]
    unknown = [k for k in keys if k not in ballot.candidates]
    if unknown:
        raise _bad("choice", "candidates of this ballot", f"unknown {', '.join(unknown)}")
    if len(set(keys)) != len(keys):
        raise _bad("choice", "each candidate at most once", "a candidate is repeated")
    if ballot.kind == "ranked" and not keys:
        raise _bad("choice", "at least one ranked variant", "empty")
    return keys


def cast_vote(db: Database, actor: User, ballot_id: int, choice: Sequence[str]) -> tuple[Vote, str]:
    """One vote per participant and ballot (``vote_of``), stored: the vote and its salt."""
    pending, salt = vote_of(actor, ballot_id, choice)
    return pending.store(db), salt


def vote_of(actor: User, ballot_id: int, choice: Sequence[str]) -> tuple[Pending[Vote], str]:
    """One vote per participant and ballot, to store (``Pending``): a second one is refused
    by the database too (409).

    A ranked vote lists variants best first (the rest tie below); an approval
    vote lists the proposals approved. The audit chain records that the actor
    voted and the vote's commitment, never the choice; the salt is returned
    (with the vote) to the voter only, as their receipt.
    """
    salt = secrecy.new_salt()
    require(actor, "vote.cast")

    def prepare(session: Session) -> audit.Bound[Vote]:
        ballot = get(session, Ballot, ballot_id, "ballot")
        row = get(session, Round, ballot.round_id, "round")
        workflow.enter(session, "vote.cast", row, ballot)
        keys = _valid_choice(ballot, choice)
        sealed = secrecy.commitment(ballot_id, salt, keys)
        vote = Vote(
            ballot_id=ballot_id,
            participant_id=actor.id,
            choice=keys,
            commitment=sealed,
            salt=salt,
        )
        return audit.Bound(vote, actor.name, "vote.cast", f"ballot:{ballot_id}")

    conflict = f"{actor.name} has already voted in ballot {ballot_id}"
    return Pending(prepare, (Ballot, ballot_id), conflict), salt


def adopted_plan(session: Session, round_id: int) -> PlanResult:
    """The plan of a round's adopted variant, solved again (ConflictError if none is adopted)."""
    row = get(session, Round, round_id, "round")
    variant = session.scalar(
        select(PlanVersion).where(PlanVersion.round_id == round_id, PlanVersion.adopted.is_(True))
    )
    if variant is None:
        raise ConflictError(f"round {round_id} has no adopted plan variant (it is {row.status})")
    proposals = [get(session, Proposal, int(k), "proposal") for k in variant.proposal_ids]
    spec = spec_of(row)
    return checks.solve(spec, checks.combine(spec, (_change_of(p) for p in proposals)))


def describe(p: Proposal) -> str:
    """A proposal in a few words, e.g. ``#3 target: chemicals 15.0% a year``."""
    if p.kind == "target":
        amount = f"{100 * (p.value or 0):.1f}% a year" if p.mode == "growth" else f"{p.value:.6g}"
        return f"#{p.id} target: {p.branch} {amount}"
    if p.kind == "priority":
        return f"#{p.id} priority: {p.branch} weight {p.value:.3g}"
    if p.kind == "floor":
        return f"#{p.id} consumption floors {100 * (p.value or 0):+.1f}% a year"
    return f"#{p.id} objection to #{p.objects_to}"


def tally(ballot: Ballot, votes: Sequence[Vote], names: Mapping[str, str]) -> dict[str, Any]:
    """The result of a ballot as JSON, with the voting rule's explanation.

    ``names`` labels the candidates (e.g. "#2 textiles first"), so that the
    explanation speaks of variants by name; the result lists candidate keys.
    """
    label = {key: names.get(key, key) for key in ballot.candidates}
    key_of = {v: k for k, v in label.items()}
    if ballot.kind == "ranked":
        ranked = schulze(
            [label[k] for k in ballot.candidates], [[label[k] for k in v.choice] for v in votes]
        )
        return {
            "rule": "Schulze",
            "votes": len(votes),
            "winners": [key_of[w] for w in ranked.winners],
            "ranking": [[key_of[c] for c in tier] for tier in ranked.ranking],
            "explain": ranked.explain(),
        }
    shares = equal_shares(
        {label[k]: float(c) for k, c in ballot.costs.items()},
        [{label[k] for k in v.choice} for v in votes],
        float(ballot.budget or 0.0),
    )
    return {
        "rule": "Method of Equal Shares",
        "votes": len(votes),
        "winners": [key_of[s] for s in shares.selected],
        "cost": shares.cost,
        "budget": shares.budget,
        "explain": shares.explain(),
    }


def close_ballot(db: Database, actor: User, ballot_id: int) -> Ballot:
    """Count the votes; an approval ballot's selected proposals become a plan variant."""
    require(actor, "ballot.close")
    with db.write() as session:
        ballot = get(session, Ballot, ballot_id, "ballot")
        row = get(session, Round, ballot.round_id, "round")
        workflow.enter(session, "ballot.close", row, ballot)
        votes = list(
            session.scalars(select(Vote).where(Vote.ballot_id == ballot_id).order_by(Vote.id))
        )
        if not votes:
            raise ConflictError(f"ballot {ballot_id} has no votes yet")
        names = {}
        for key in ballot.candidates:
            if ballot.kind == "ranked":
                names[key] = f"#{key} {get(session, PlanVersion, int(key), 'variant').name}"
            else:
                names[key] = describe(get(session, Proposal, int(key), "proposal"))
        result = tally(ballot, votes, names)
        result.update(
            secrecy.published([v.commitment or "" for v in votes], [v.choice for v in votes])
        )
        if ballot.kind == "approval" and result["winners"]:
            chosen = [get(session, Proposal, int(k), "proposal") for k in result["winners"]]
            variant = _variant(session, actor, row, f"{ballot.title}: selected", chosen)
            result["variant"] = variant.id
        ballot.result = result
        audit.append(
            session,
            actor.name,
            "ballot.close",
            f"ballot:{ballot_id}",
            {
                "votes": len(votes),
                "winners": result["winners"],
                "commitments": result["commitments"],
                "ballots": result["ballots"],
                "labels": names,
                "at": now().isoformat(),
            },
        )
    return ballot


def adopt(db: Database, actor: User, variant_id: int) -> PlanVersion:
    """Adopt a feasible plan variant of a closed round; the round is then settled."""
    require(actor, "plan.adopt")
    with db.write() as session:
        variant = get(session, PlanVersion, variant_id, "variant")
        row = get(session, Round, variant.round_id, "round")
        if not variant.feasible:
            raise ConflictError(f"variant {variant_id} is infeasible")
        workflow.enter(session, "plan.adopt", row, variant=variant)
        audit.append(
            session,
            actor.name,
            "plan.adopt",
            f"variant:{variant.id}",
            {"round": row.id, "proposals": variant.proposal_ids},
        )
    return variant


def count(session: Session, model: type[Any]) -> int:
    """Rows of a table."""
    return int(session.scalar(select(func.count()).select_from(model)) or 0)
