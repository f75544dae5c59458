"""The workflow state machine: the out-of-order ballots and adoption of F6, and random runs.

The stateful test drives the service (the layer every route calls) with random
actions by participants of random roles on a small economy, and after each step
checks the invariants the transition table promises.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from _council import Member, member
from fastapi import FastAPI
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select

from planlab.council import audit, checks, service
from planlab.council.db import Database, upgrade
from planlab.council.models import Ballot, PlanVersion, Proposal, Round, User, Vote
from planlab.council.permissions import ROLES
from planlab.errors import PlanlabError

SPEC = checks.RoundSpec("textbook-3", years=2)
BRANCHES = ("industry_1", "industry_2", "industry_3")


def _world(app: FastAPI) -> dict[str, Any]:
    boss = member(app, "boss", "commission")
    workers = member(app, "wrk", "workers")
    r = boss.post("/api/rounds", {"title": "r", "source": "textbook-3", "years": 2}).json()["id"]
    floor = workers.post(f"/api/rounds/{r}/proposals", {"kind": "floor", "value": 0.0})
    assert floor.status_code == 201, floor.text
    variants = [
        boss.post(f"/api/rounds/{r}/variants", {"name": n, "proposal_ids": ids}).json()["id"]
        for n, ids in (("floor", [floor.json()["id"]]), ("base", []))
    ]
    return {"boss": boss, "workers": workers, "round": r, "variants": variants}


def test_no_adoption_while_a_ballot_of_the_round_is_open(app: FastAPI) -> None:
    """F6: a variant adopted amid an open ranked ballot, then votes, then another winner."""
    w = _world(app)
    boss: Member = w["boss"]
    ballot = boss.post(
        f"/api/rounds/{w['round']}/ballots", {"kind": "ranked", "candidates": w["variants"]}
    ).json()["id"]
    assert boss.post(f"/api/rounds/{w['round']}/close").status_code == 200
    refused = boss.post(f"/api/variants/{w['variants'][0]}/adopt")
    assert refused.status_code == 409 and "open ballot" in refused.json()["detail"]
    workers: Member = w["workers"]
    choice = [str(v) for v in w["variants"]]
    assert workers.post(f"/api/ballots/{ballot}/votes", {"choice": choice}).status_code == 201
    assert boss.post(f"/api/ballots/{ballot}/close").status_code == 200
    assert boss.post(f"/api/variants/{w['variants'][0]}/adopt").status_code == 200


def test_no_vote_and_no_variant_after_adoption(app: FastAPI) -> None:
    w = _world(app)
    boss: Member = w["boss"]
    assert boss.post(f"/api/rounds/{w['round']}/close").status_code == 200
    assert boss.post(f"/api/variants/{w['variants'][1]}/adopt").status_code == 200
    late = boss.post(
        f"/api/rounds/{w['round']}/ballots", {"kind": "ranked", "candidates": w["variants"]}
    )
    assert late.status_code == 409
    variant = boss.post(f"/api/rounds/{w['round']}/variants", {"name": "late", "proposal_ids": []})
    assert variant.status_code == 409
    again = boss.post(f"/api/variants/{w['variants'][0]}/adopt")
    assert again.status_code == 409, "one adopted variant per round"


@cache
def _template() -> Path:
    """One migrated empty database, copied for each run (migrations take a while)."""
    folder = Path(tempfile.mkdtemp(prefix="planlab-workflow-"))
    path = folder / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


PEOPLE = [(f"{role}{k}", role) for role in ROLES for k in range(2)]
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$not-a-real-hash-nobody-logs-in"
"""No one logs in during these runs: the participants act through the service."""


def anyone_or(*roles: str) -> st.SearchStrategy[int]:
    """A random participant, half the time one of ``roles`` (so that runs get somewhere)."""
    fitting = [k for k, (_, role) in enumerate(PEOPLE) if role in roles]
    return st.one_of(st.integers(0, len(PEOPLE) - 1), st.sampled_from(fitting))


BOSS = anyone_or("commission")
VOTER = anyone_or("delegate", "workers", "consumers")
PICK = st.integers(0, 3)


class Council(RuleBasedStateMachine):
    """Random actions by random participants; the table's promises checked after each step."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="planlab-run-"))
        shutil.copy(_template(), self.folder / "c.db")
        self.db = Database.connect(f"sqlite:///{self.folder / 'c.db'}")
        self.users: list[User] = []
        self.adopted_variants: dict[int, int] = {}
        self.variants_at_adoption: dict[int, int] = {}
        self.closed_votes: dict[int, int] = {}

    @initialize()
    def people(self) -> None:
        with self.db.write() as session:
            for name, role in PEOPLE:
                branch = "industry_1" if role == "delegate" else None
                user = User(name=name, password_hash=HASH, role=role, branch=branch)
                session.add(user)
                session.flush()
                self.users.append(user)
        boss = self.users[0]
        first = service.create_round(self.db, boss, "r", SPEC)
        for name in ("as is", "again"):
            service.create_variant(self.db, boss, first.id, name, [])

    def _ids(self, model: type[Any]) -> list[int]:
        with self.db.read() as session:
            return list(session.scalars(select(model.id).order_by(model.id)))

    def _pick(self, model: type[Any], pick: int) -> int | None:
        """One row's id chosen by ``pick``, or None when there are no rows yet."""
        ids = self._ids(model)
        return ids[pick % len(ids)] if ids else None

    def _try(self, action: Any, *args: Any, **kwargs: Any) -> Any:
        """Run an action; a refusal (403, 404, 409, 422) must leave no trace."""
        with self.db.read() as session:
            before = audit.head(session)
        try:
            done = action(self.db, *args, **kwargs)
            event(f"done: {action.__name__}")
            return done
        except PlanlabError as exc:
            event(f"refused: {action.__name__}: {str(exc)[:50]}")
            with self.db.read() as session:
                assert audit.head(session) == before, "a refused action changed the chain"
            return None

    @rule(who=BOSS)
    def open_round(self, who: int) -> None:
        self._try(service.create_round, self.users[who], "r", SPEC)

    @rule(who=BOSS, pick=PICK)
    def close_round(self, who: int, pick: int) -> None:
        round_id = self._pick(Round, pick)
        if round_id is not None:
            self._try(service.close_round, self.users[who], round_id)

    @rule(who=VOTER, pick=PICK, own=st.booleans(), step=st.integers(0, 2))
    def propose(self, who: int, pick: int, own: bool, step: int) -> None:
        """A proposal of the kind the role may make (when ``own``), or of any kind."""
        round_id = self._pick(Round, pick)
        if round_id is None:
            return
        role = self.users[who].role
        kinds = {"delegate": "target", "workers": "floor", "consumers": "floor"}
        kind = kinds.get(role, "priority") if own else ("target", "priority", "floor")[step]
        value = {"target": (-0.05, 0.0, 0.3), "priority": (0.5, 1.0, 2.0)}.get(
            kind, (-0.01, 0.0, 0.01)
        )[step]
        self._try(
            service.propose,
            self.users[who],
            round_id,
            kind,
            branch=None if kind == "floor" else "industry_1",
            value=value,
        )

    @rule(who=BOSS, pick=PICK, size=st.integers(0, 2))
    def make_variant(self, who: int, pick: int, size: int) -> None:
        round_id = self._pick(Round, pick)
        if round_id is None:
            return
        with self.db.read() as session:
            ids = list(
                session.scalars(
                    select(Proposal.id).where(
                        Proposal.round_id == round_id, Proposal.feasible.is_(True)
                    )
                )
            )[:size]
        self._try(service.create_variant, self.users[who], round_id, "v", ids)

    @rule(who=BOSS, pick=PICK)
    def open_ballot(self, who: int, pick: int) -> None:
        round_id = self._pick(Round, pick)
        if round_id is None:
            return
        with self.db.read() as session:
            ids = list(
                session.scalars(select(PlanVersion.id).where(PlanVersion.round_id == round_id))
            )
        self._try(service.create_ballot, self.users[who], round_id, "ranked", "b", ids)

    @rule(who=VOTER, pick=PICK, flip=st.booleans())
    def vote(self, who: int, pick: int, flip: bool) -> None:
        ballot_id = self._pick(Ballot, pick)
        if ballot_id is None:
            return
        with self.db.read() as session:
            candidates = list(service.get(session, Ballot, ballot_id, "ballot").candidates)
        choice = candidates[::-1] if flip else candidates
        self._try(service.cast_vote, self.users[who], ballot_id, choice)

    @rule(who=BOSS, pick=PICK)
    def close_ballot(self, who: int, pick: int) -> None:
        ballot_id = self._pick(Ballot, pick)
        if ballot_id is not None:
            closed = self._try(service.close_ballot, self.users[who], ballot_id)
            if closed is not None:
                self.closed_votes[closed.id] = closed.result["votes"]

    @rule(who=BOSS, pick=PICK)
    def adopt(self, who: int, pick: int) -> None:
        variant_id = self._pick(PlanVersion, pick)
        if variant_id is not None:
            done = self._try(service.adopt, self.users[who], variant_id)
            if done is not None:
                assert done.round_id not in self.adopted_variants, "a round adopted twice"
                self.adopted_variants[done.round_id] = done.id
                self.variants_at_adoption[done.round_id] = self._variants(done.round_id)

    def _variants(self, round_id: int) -> int:
        with self.db.read() as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(PlanVersion)
                    .where(PlanVersion.round_id == round_id)
                )
                or 0
            )

    @invariant()
    def states_agree(self) -> None:
        with self.db.read() as session:
            for row in session.scalars(select(Round)):
                adopted = list(
                    session.scalars(
                        select(PlanVersion.id).where(
                            PlanVersion.round_id == row.id, PlanVersion.adopted.is_(True)
                        )
                    )
                )
                open_ballots = session.scalar(
                    select(func.count())
                    .select_from(Ballot)
                    .where(Ballot.round_id == row.id, Ballot.status == "open")
                )
                if row.status == "adopted":
                    assert adopted == [self.adopted_variants[row.id]], "one adopted variant"
                    assert open_ballots == 0, "no ballot open in an adopted round"
                    assert self._variants(row.id) == self.variants_at_adoption[row.id], (
                        "no variant after adoption"
                    )
                else:
                    assert adopted == [], "a variant adopted in a round that is not adopted"
            for ballot_id, counted in self.closed_votes.items():
                stored = session.scalar(
                    select(func.count()).select_from(Vote).where(Vote.ballot_id == ballot_id)
                )
                assert stored == counted, "a vote was stored after its ballot closed"
            assert audit.verify(session) is None

    def teardown(self) -> None:
        self.db.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)


Council.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCouncilWorkflow = Council.TestCase
