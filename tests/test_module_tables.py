"""Module-level tables cannot be changed: a run cannot alter what another run reads."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np

import planlab

PYDANTIC_CONFIGS = {"DOCUMENT_CONFIG"}
"""pydantic reads a model's configuration from a plain dict (``ConfigDict``)."""
SKIPPED_PACKAGES = ("planlab.council.migrations", "planlab.__main__")


def mutable_tables() -> list[str]:
    found = []
    for info in pkgutil.walk_packages(planlab.__path__, "planlab."):
        if info.name.startswith(SKIPPED_PACKAGES):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if not name.lstrip("_").isupper() or name in PYDANTIC_CONFIGS:
                continue
            writable = isinstance(value, np.ndarray) and value.flags.writeable
            if isinstance(value, dict | list | set | bytearray) or writable:
                found.append(f"{info.name}.{name}")
    return found


def test_no_module_table_can_be_changed() -> None:
    assert mutable_tables() == []
