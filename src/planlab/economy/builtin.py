"""The economies that ship with planlab, stored in the package's data folder."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from planlab.documents import path_exists
from planlab.economy.model import Economy
from planlab.economy.storage import YAML_NAME, load
from planlab.errors import InputError

__all__ = ["builtin_names", "builtin_path", "load_builtin", "resolve"]


def _root() -> Path:
    return Path(str(resources.files("planlab") / "data" / "economies"))


def builtin_names() -> list[str]:
    """Names of the built-in economies."""
    return sorted(p.name for p in _root().iterdir() if (p / YAML_NAME).is_file())


def builtin_path(name: str) -> Path:
    """Folder of a built-in economy; a clear error for an unknown name."""
    if not isinstance(name, str):
        raise InputError.single(
            "<economy>", "name", "a built-in economy's name (a text)", f"got {name!r:.60}"
        )
    path = _root() / name
    if name not in builtin_names() or not (path / YAML_NAME).is_file():
        raise InputError.single(
            name,
            "name",
            "a built-in economy or an existing path",
            f"unknown; built-ins are {', '.join(builtin_names())}",
        )
    return path


def load_builtin(name: str) -> Economy:
    """Load a built-in economy by name."""
    return load(builtin_path(name))


def resolve(name_or_path: str) -> Economy:
    """A built-in economy by name, or an economy from a YAML file or folder."""
    if not isinstance(name_or_path, str):
        raise InputError.single(
            "<economy>", "name", "a built-in economy or a path", f"got {name_or_path!r:.60}"
        )
    path = Path(name_or_path)
    if path_exists(path):
        return load(path)
    return load_builtin(name_or_path)
