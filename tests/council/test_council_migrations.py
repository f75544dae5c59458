"""Alembic: the schema is created from an empty database and agrees with the models."""

from __future__ import annotations

from _council import BACKENDS
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from planlab.council.db import upgrade
from planlab.council.models import Base


@BACKENDS
def test_upgrade_creates_every_table(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)  # a second start finds the schema current
    engine = create_engine(db_url)
    names = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= names
    assert "alembic_version" in names
    engine.dispose()


@BACKENDS
def test_models_and_migrations_agree(db_url: str) -> None:
    upgrade(db_url)
    engine = create_engine(db_url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []
