"""The council's workflow as one state machine: which action may run in which state.

A round is ``open`` (it takes proposals), then ``closed`` (ballots and variants
only), then ``adopted`` (settled: nothing changes any more). A ballot is
``open``, then ``closed``. A variant is a ``candidate`` until one of the round's
variants is ``adopted``. Every operation of the service asks ``enter`` inside
its write transaction, with the rows it acts on; ``enter`` refuses an action
the table below does not allow (``ConflictError``, HTTP 409) and moves the
round and ballot to their next state. No other code changes a state.

The table is also what docs/council.md prints and what the stateful property
tests check after every step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planlab.council.models import Ballot, PlanVersion, Round
from planlab.errors import PlanlabError

__all__ = [
    "BALLOT_STATES",
    "ROUND_STATES",
    "TRANSITIONS",
    "VARIANT_STATES",
    "ConflictError",
    "Transition",
    "enter",
]

ROUND_STATES = ("open", "closed", "adopted")
BALLOT_STATES = ("open", "closed")
VARIANT_STATES = ("candidate", "adopted")
_LIVE = frozenset({"open", "closed"})


class ConflictError(PlanlabError):
    """The action clashes with the state: a second vote, a closed round (HTTP 409)."""


@dataclass(frozen=True)
class Transition:
    """Where an action may run and where it leads.

    ``round_from``: the round states it may run in; ``ballot_from``: the states
    of the ballot it acts on (None: it acts on no ballot); ``no_open_ballot``:
    the round must have no open ballot; ``round_to`` and ``ballot_to``: the
    states the round and the ballot move to (None: they stay).
    """

    round_from: frozenset[str]
    ballot_from: frozenset[str] | None = None
    no_open_ballot: bool = False
    round_to: str | None = None
    ballot_to: str | None = None
    variant_to: str | None = None


TRANSITIONS: Mapping[str, Transition] = MappingProxyType(
    {
        "round.close": Transition(frozenset({"open"}), round_to="closed"),
        "round.iterate": Transition(frozenset({"open"})),
        "proposal.create": Transition(frozenset({"open"})),
        "comment.create": Transition(_LIVE),
        "variant.create": Transition(_LIVE),
        "ballot.create": Transition(_LIVE, ballot_to="open"),
        "vote.cast": Transition(_LIVE, ballot_from=frozenset({"open"})),
        "ballot.close": Transition(_LIVE, ballot_from=frozenset({"open"}), ballot_to="closed"),
        "plan.adopt": Transition(
            frozenset({"closed"}), no_open_ballot=True, round_to="adopted", variant_to="adopted"
        ),
    }
)
"""Action -> its transition: the one table every route goes through (via the service)."""


def open_ballots(session: Session, round_id: int) -> int:
    """How many ballots of the round are open."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Ballot)
            .where(Ballot.round_id == round_id, Ballot.status == "open")
        )
        or 0
    )


def enter(
    session: Session,
    action: str,
    round_row: Round,
    ballot: Ballot | None = None,
    variant: PlanVersion | None = None,
) -> None:
    """Check that ``action`` may run now, and move the rows to their next states.

    Raises ``ConflictError`` naming the state that forbids it. A new ballot is
    passed in as ``ballot`` and receives its first state here.
    """
    rule = TRANSITIONS[action]
    if round_row.status not in rule.round_from:
        raise ConflictError(
            f"round {round_row.id} is {round_row.status}: {action} needs it "
            f"{' or '.join(sorted(rule.round_from))}"
        )
    if rule.ballot_from is not None and (ballot is None or ballot.status not in rule.ballot_from):
        state = "missing" if ballot is None else ballot.status
        raise ConflictError(f"ballot {getattr(ballot, 'id', '?')} is {state}: no {action}")
    if rule.no_open_ballot:
        waiting = open_ballots(session, round_row.id)
        if waiting:
            raise ConflictError(
                f"round {round_row.id} has {waiting} open ballot(s): close them before {action}"
            )
    if rule.round_to is not None:
        round_row.status = rule.round_to
    if rule.ballot_to is not None and ballot is not None:
        ballot.status = rule.ballot_to
    if rule.variant_to is not None and variant is not None:
        variant.adopted = rule.variant_to == "adopted"
