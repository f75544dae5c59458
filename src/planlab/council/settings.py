"""The service's settings from the environment (PLANLAB_*), checked when they are read."""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from planlab.cores import usable_cores

__all__ = ["Settings"]

SCHEMES = ("sqlite", "postgresql")

MAX_WORKERS = 64
"""Most server processes ``PLANLAB_WORKERS`` accepts."""


def cores() -> int:
    """The cores this process may run on (at most ``MAX_WORKERS``): the default number of
    server processes. On the project's 2-core machine one process kept p99 under 300 ms
    with 50 clients on SQLite but not on PostgreSQL (347-382 ms); two kept it on both."""
    return min(usable_cores(), MAX_WORKERS)


class Settings(BaseSettings):
    """Where the database is and how sessions and logins behave; bad values fail at start."""

    model_config = SettingsConfigDict(env_prefix="PLANLAB_", extra="forbid")

    db_url: str = Field("sqlite:///planlab-council.db", description="SQLAlchemy database URL.")
    secure_cookies: bool = Field(
        False, description="The service is reached over HTTPS: every cookie is sent only there."
    )
    session_hours: float = Field(12.0, gt=0, description="How long a login lasts.")
    login_failures: int = Field(
        5, ge=1, description="Failed logins of one account from one address before back-off."
    )
    address_failures: int = Field(
        50, ge=1, description="Failed logins from one client address before back-off."
    )
    login_backoff_seconds: float = Field(
        30.0, gt=0, description="First wait past the free failures; it doubles with each more."
    )
    login_window_seconds: int = Field(
        900, ge=1, description="Failures older than this are forgotten; no wait is longer."
    )
    registrations_per_window: int = Field(
        5, ge=1, description="Accounts one client address may register per registration window."
    )
    registration_window_seconds: int = Field(3600, ge=1, description="Registration window.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks of reverse proxies whose X-Forwarded-For is "
        "believed (none by default: the socket's peer is the client).",
    )

    workers: int = Field(
        default_factory=cores,
        ge=1,
        le=MAX_WORKERS,
        description="Server processes of `planlab serve` (default: one per core the process "
        "may run on); reads run in parallel, writers queue across processes.",
    )

    @field_validator("db_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].split("+", 1)[0]
        if scheme not in SCHEMES:
            raise ValueError(f"a URL starting with {' or '.join(SCHEMES)}, got {value!r}")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"IP addresses or networks, got {item!r}") from None
        return value

    def proxies(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """The trusted proxies as networks."""
        return tuple(ipaddress.ip_network(item, strict=False) for item in self.trusted_proxies)
