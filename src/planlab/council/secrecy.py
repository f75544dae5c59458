"""Secret ballots: a salted commitment per vote, and what a closed ballot publishes.

A vote's commitment is ``sha256("ballot:salt:" + canonical JSON of the choice)``
with a random 128-bit salt that only the voter is given (their receipt). The
audit chain records that a participant voted and the commitment, never the
choice; when the ballot closes, its result lists every counted commitment and,
apart and sorted, every counted choice. Anyone can then check that the counted
ballots are exactly the recorded ones (the commitments of the ``vote.cast``
events), recount the result from the choices, and each voter can check with the
receipt that their own commitment is among the counted ones. Nobody can tell
from the chain or the pages which choice is whose.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from typing import Any

__all__ = ["SALT_BYTES", "commitment", "new_salt", "published"]

SALT_BYTES = 16
"""128 bits of salt: guessing a choice from its commitment is out of reach."""


def new_salt() -> str:
    """A fresh random salt, as hex."""
    return secrets.token_hex(SALT_BYTES)


def commitment(ballot_id: int, salt: str, choice: Sequence[str]) -> str:
    """The commitment to one vote.

    >>> len(commitment(1, "00" * 16, ["2", "1"]))
    64
    >>> commitment(1, "00", ["2", "1"]) == commitment(1, "00", ["1", "2"])
    False
    """
    text = json.dumps(list(choice), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{ballot_id}:{salt}:{text}".encode()).hexdigest()


def published(commitments: Sequence[str], choices: Sequence[Sequence[str]]) -> dict[str, list[Any]]:
    """What a closed ballot publishes: the commitments and the choices, each sorted apart."""
    return {
        "commitments": sorted(commitments),
        "ballots": sorted((list(c) for c in choices), key=lambda c: (len(c), c)),
    }
