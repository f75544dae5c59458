"""The council: open plan discussion as a web service."""

from planlab.council.app import create_app
from planlab.council.audit import verify
from planlab.council.settings import Settings
from planlab.council.voting import equal_shares, schulze

__all__ = ["Settings", "create_app", "equal_shares", "schulze", "verify"]
