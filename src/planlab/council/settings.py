"""The service's settings from the environment (PLANLAB_*), checked when they are read."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]

SCHEMES = ("sqlite", "postgresql")


class Settings(BaseSettings):
    """Where the database is and how sessions and logins behave; bad values fail at start."""

    model_config = SettingsConfigDict(env_prefix="PLANLAB_", extra="forbid")

    db_url: str = Field("sqlite:///planlab-council.db", description="SQLAlchemy database URL.")
    secure_cookies: bool = Field(False, description="Send the session cookie only over HTTPS.")
    session_hours: float = Field(12.0, gt=0, description="How long a login lasts.")
    login_failures: int = Field(5, ge=1, description="Failed logins allowed per window.")
    login_window_seconds: int = Field(900, ge=1, description="Window of the login throttle.")
    address_failures: int = Field(
        50, ge=1, description="Failed logins allowed from one client address per window."
    )

    @field_validator("db_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].split("+", 1)[0]
        if scheme not in SCHEMES:
            raise ValueError(f"a URL starting with {' or '.join(SCHEMES)}, got {value!r}")
        return value
