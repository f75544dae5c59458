"""Every number in the simulator is a named parameter: no bare float literal in the model code.

The rule (docs/households.md, "Provenance"): a float literal in ``src/planlab/simulate/``
stands either in a parameter table or is one of the few numbers that carry no model
content. A parameter table is a module- or class-level assignment (a constant, a dataclass
field's default, a table of ``Spec``/``Figure`` entries) followed by its docstring, which
gives the unit and the source or the reason of the assumption. Free everywhere are the
identities 0 and 1, halving and doubling (0.5, 2), powers of ten of 1,000 and more (unit
conversions: thousand, million) and guards of at most 1e-6 against division by zero.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

SIMULATE = Path(__file__).resolve().parents[1] / "src" / "planlab" / "simulate"

FREE = {0.0, 1.0, 0.5, 2.0}
"""Literals without model content: identities, halving and doubling."""

GUARD = 1e-6
"""Literals at most this small are numerical guards, not parameters."""

UNIT = 1e3
"""Powers of ten from this one up are unit conversions."""


def _is_free(value: float) -> bool:
    magnitude = abs(value)
    if value in FREE or magnitude <= GUARD:
        return True
    exponent = round(float(f"{magnitude:e}".split("e")[1]))
    return magnitude >= UNIT and magnitude == 10.0**exponent


def _tables(tree: ast.Module) -> set[int]:
    """Ids of every node inside a documented module- or class-level assignment."""
    inside: set[int] = set()
    bodies: list[list[ast.stmt]] = [tree.body]
    bodies += [node.body for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    for body in bodies:
        for statement, following in itertools.pairwise(body):
            documented = (
                isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            )
            if documented and isinstance(statement, (ast.Assign, ast.AnnAssign)):
                inside.update(id(node) for node in ast.walk(statement))
    return inside


def bare_literals(source: str) -> list[tuple[int, float]]:
    """(line, value) of every float literal outside the parameter tables and not free."""
    tree = ast.parse(source)
    tables = _tables(tree)
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and type(node.value) is float
        and id(node) not in tables
        and not _is_free(node.value)
    )


def test_the_rule_finds_a_bare_literal_and_spares_a_table() -> None:
    source = '''
RATE = 0.03
"""Monthly rate (assumption)."""

UNDOCUMENTED = 0.07

class Rules:
    share: float = 0.4
    """A documented field."""

def f(x):
    return x * 0.9 + 1e6 * 0.5 + 1e-12 + 2.0
'''
    assert bare_literals(source) == [(5, 0.07), (12, 0.9)]


def test_no_bare_float_literal_in_the_simulator() -> None:
    found = [
        f"{path.relative_to(SIMULATE.parent)}:{line}: {value!r}"
        for path in sorted(SIMULATE.rglob("*.py"))
        for line, value in bare_literals(path.read_text())
    ]
    assert found == [], "name these numbers in a documented parameter table:\n" + "\n".join(found)


def test_the_households_page_lists_every_household_parameter() -> None:
    import dataclasses

    from planlab.simulate.households import CENSUS_1927, INITIAL_DRAW, HouseholdRules

    page = (SIMULATE.parents[2] / "docs" / "households.md").read_text()
    names = [f.name for f in dataclasses.fields(HouseholdRules)]
    names += list(INITIAL_DRAW)
    missing = [name for name in names if f"`{name}`" not in page]
    assert missing == []
    assert all(figure.source for figure in (*CENSUS_1927.values(), *INITIAL_DRAW.values()))
