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
    ballots.router,
    rounds.router,
    proposals.router,
    variants.router,
    comments.router,
    auth.router,
    users.router,
    audit.router,
)
"""In the order a request's path is matched against them (each route in turn, a few
microseconds each): the routers of the frequent requests, votes and reads, first. No two
routers share a path, so the order changes nothing else."""
