"""The JSON API under /api: one router per resource."""

from planlab.council.routers import (
    audit,
    auth,
    ballots,
    comments,
    proposals,
    rounds,
    users,
    variants,
)

__all__ = ["ROUTERS"]

ROUTERS = (
    auth.router,
    users.router,
    rounds.router,
    proposals.router,
    comments.router,
    variants.router,
    ballots.router,
    audit.router,
)
