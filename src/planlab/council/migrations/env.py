"""Alembic's environment: migrations run on the URL set in the configuration."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from planlab.council.models import Base

target_metadata = Base.metadata


def run() -> None:
    """Apply migrations on a connection of their own (or the one handed in)."""
    given = context.config.attributes.get("connection")
    if given is not None:
        context.configure(connection=given, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
