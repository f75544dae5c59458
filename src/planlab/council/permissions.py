"""Who may do what: one table of role x action, with a branch scope for delegates.

Every route asks ``allowed`` (through the dependency in ``deps``) before it
acts; the table below is also what docs/council.md prints and what the
permission tests are parametrised from.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["ACTIONS", "BRANCH_SCOPED", "ROLES", "TABLE", "allowed"]

ROLES = ("commission", "delegate", "workers", "consumers", "observer")
"""Planning commission, branch delegates, workers' and consumers' organisations, observers."""

_ALL = frozenset(ROLES)
_VOTERS = frozenset({"delegate", "workers", "consumers"})
_COMMISSION = frozenset({"commission"})

TABLE: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "read": _ALL,
        "audit.read": _ALL,
        "round.create": _COMMISSION,
        "round.close": _COMMISSION,
        "round.iterate": _COMMISSION,
        "variant.create": _COMMISSION,
        "ballot.create": _COMMISSION,
        "ballot.close": _COMMISSION,
        "plan.adopt": _COMMISSION,
        "user.list": _COMMISSION,
        "user.grant": _COMMISSION,
        "proposal.target": frozenset({"delegate"}),
        "proposal.priority": frozenset({"delegate"}),
        "proposal.floor": frozenset({"workers", "consumers"}),
        "proposal.objection": _VOTERS,
        "comment.create": _VOTERS | _COMMISSION,
        "vote.cast": _VOTERS,
    }
)
"""Action -> the roles allowed to take it."""

ACTIONS = tuple(TABLE)

BRANCH_SCOPED = frozenset({"proposal.target", "proposal.priority"})
"""Actions a delegate may take only for the branch they are bound to."""


def allowed(role: str, action: str, branch: str | None = None, own: str | None = None) -> bool:
    """Whether ``role`` may take ``action``, for ``branch`` where the action is scoped.

    >>> allowed("delegate", "proposal.target", branch="coal", own="coal")
    True
    >>> allowed("delegate", "proposal.target", branch="oil", own="coal")
    False
    >>> allowed("observer", "vote.cast")
    False
    """
    if role not in TABLE.get(action, frozenset()):
        return False
    if action in BRANCH_SCOPED and role == "delegate":
        return branch is not None and branch == own
    return True
