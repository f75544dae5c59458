"""The layers of design.md: a lower layer never imports a higher one; the engine does no I/O."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import planlab

PACKAGE = Path(planlab.__file__).resolve().parent
ORDER = ["economy", "plan", "simulate", "scenarios", "report", "council", "cli"]
"""Layers from lowest to highest; report and council may use anything below them."""

ALLOWED = {"council": {"economy", "plan", "scenarios", "council"}}
"""Layers that may use only some of those below them (planlab.errors is open to all)."""

PURE = ["economy", "plan", "simulate"]
IO_NAMES = {"open", "print", "input"}
LOADERS = {"storage.py", "builtin.py"}
"""The economy's loaders: its documented edge to files."""


def _layer(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    head = parts[0].removesuffix(".py")
    return head if head in ORDER else None


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if _layer(p) is not None)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_higher_layer(path: Path) -> None:
    layer = _layer(path)
    assert layer is not None
    rank = ORDER.index(layer)
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] != "planlab" or len(parts) < 2 or parts[1] not in ORDER:
            continue
        assert ORDER.index(parts[1]) <= rank, f"{path.name} ({layer}) imports {name}"


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if _layer(p) in ALLOWED],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_restricted_layers_import_only_what_they_may(path: Path) -> None:
    layer = _layer(path)
    assert layer is not None
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] == "planlab" and len(parts) > 1 and parts[1] in ORDER:
            assert parts[1] in ALLOWED[layer], f"{path.name} ({layer}) imports {name}"


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if _layer(p) in PURE and p.name not in LOADERS],
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_engine_layers_print_and_open_nothing(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not calls & IO_NAMES, f"{path.name} calls {calls & IO_NAMES}"


def test_public_surface_is_curated() -> None:
    import planlab.council
    import planlab.economy
    import planlab.plan
    import planlab.report
    import planlab.scenarios
    import planlab.simulate

    for module in (
        planlab,
        planlab.economy,
        planlab.plan,
        planlab.simulate,
        planlab.scenarios,
        planlab.report,
        planlab.council,
    ):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
