"""Strategies that attack planlab's inputs as a hostile user would, and the checks of
what comes back.

Generic parts work on any YAML document or CSV table: ``mutated_document`` changes a
document's structure (keys removed, added, renamed), types and values;
``mutated_text`` damages the text (null bytes, aliases, duplicate lines, cuts);
``mutated_table`` changes cells, rows and columns of a CSV table. The economy parts
build on them; ``economy_files`` writes a whole mutated economy to a folder.

Scenarios are fuzzed the same way: a scenario test takes a built-in scenario's
document (``yaml.safe_load`` of its ``scenario.yaml``), draws ``mutated_document``
and ``mutated_text`` over it, writes it beside a copy of its economy and calls
``load_scenario``; an accepted scenario then runs 12 months and its series must be
finite. The value strategies below (``hostile_values``) already hold the dates,
seeds and horizons such a test needs.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from hypothesis import strategies as st

from planlab.economy import Economy, builtin_names, builtin_path, gross_output_for
from planlab.economy.validate import check_productive
from planlab.errors import InputError, PlanlabError

EDGE_NUMBERS: tuple[Any, ...] = (
    0,
    -0.0,
    1,
    -1,
    0.5,
    1.5,
    -5,
    30,
    31,
    1e-300,
    1e15,
    1.0000001e15,
    1e16,
    1e21,
    1e300,
    -1e300,
    1.7e308,
    math.nan,
    math.inf,
    -math.inf,
    2**31,
    2**32,
    2**63,
    2**64,
    10**400,
    1e6,
    1e19,
)
"""Numbers at the edges of the rules: bounds and just past them, overflow, NaN, inf."""

EDGE_TEXTS: tuple[str, ...] = (
    "",
    " ",
    "yes",
    "no",
    "on",
    "true",
    "nan",
    ".inf",
    "1e300",
    "x" * 300,
    "A\x00.csv",
    "/dev/null",
    "/etc/passwd",
    "../A.csv",
    "../../textbook-3/A.csv",
    "A.csv",
    "sectors.csv",
    "9999-01-01",
    "1929-02-30",
    "\u2028",
    "line\nbreak",
    "\ufeff",
    "-1",
    "coal",
    "industry_1",
)
"""Texts that have broken parsers: YAML 1.1 booleans, paths out of the folder, null bytes."""

TEXT_SNIPPETS: tuple[str, ...] = (
    "\x00",
    "\t",
    "&a ",
    "*a",
    "<<: *a\n",
    "a: &a [*a]\n",
    "x: &x [1, 2]\ny: [*x, *x, *x]\n",
    ": :",
    "- ",
    "{",
    "[",
    "'",
    '"',
    "\ufeff",
    "\r\n",
    "name: twice\n",
    "format: planlab-economy/1\n",
    "!!python/object:os.system\n",
    "%YAML 1.1\n",
    "---\n",
)
"""Pieces of text that YAML reads specially."""


NUMBERS = st.sampled_from(EDGE_NUMBERS)
TEXTS = st.sampled_from(EDGE_TEXTS)
KEYS = st.one_of(TEXTS, st.text(max_size=8))
"""Mapping keys: names that break rules, and any short text."""


def hostile_values(depth: int = 1) -> st.SearchStrategy[Any]:
    """Values of every type a YAML document or a Python caller can give."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        NUMBERS,
        st.integers(-(10**20), 10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        TEXTS,
        st.text(max_size=12),
    )
    if depth <= 0:
        return scalars
    inner = hostile_values(depth - 1)
    return st.one_of(
        scalars,
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=8), st.sampled_from(EDGE_TEXTS)), inner, max_size=3
        ),
    )


HOSTILE = hostile_values()
"""Any value, nested one level (built once: strategies are costly to build)."""


def _copy(node: Any) -> Any:
    return dict(node) if isinstance(node, dict) else list(node) if isinstance(node, list) else node


def _place(draw: st.DrawFn, doc: dict[str, Any] | list[Any]) -> tuple[Any, Any]:
    """A container and one of its keys, found by a random walk down from ``doc``.

    The containers on the way are copied (and put in place of the originals), so the
    caller may change the one returned without touching the base document.
    """
    node = doc
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return node, None
        key = keys[draw(st.integers(0, len(keys) - 1))]
        child = node[key]
        if not isinstance(child, dict | list) or not child or draw(STOP):
            return node, key
        node[key] = _copy(child)
        node = node[key]


STOP = st.integers(0, 2).map(lambda k: k == 0)
"""Whether a walk down a document stops at a container (one time in three)."""
DOCUMENT_EDITS = st.sampled_from(["value", "number", "delete", "add", "rename", "wrap"])


@st.composite
def mutated_document(draw: st.DrawFn, base: dict[str, Any], changes: int = 3) -> Any:
    """``base`` with 1..``changes`` edits of structure, type or value (``base`` is kept)."""
    doc: Any = _copy(base)
    for _ in range(draw(st.integers(1, changes))):
        parent, key = _place(draw, doc)
        if key is None:
            continue
        action = draw(DOCUMENT_EDITS)
        if action == "value":
            parent[key] = draw(HOSTILE)
        elif action == "number":
            parent[key] = draw(NUMBERS)
        elif action == "delete":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(KEYS)] = draw(HOSTILE)
        elif action == "add" and isinstance(parent, list):
            parent.insert(draw(st.integers(0, len(parent))), draw(HOSTILE))
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(TEXTS)] = parent.pop(key)
        elif action == "wrap":
            parent[key] = [parent[key]] if draw(st.booleans()) else {"value": parent[key]}
    return doc


TEXT_EDITS = st.sampled_from(["keep", "keep", "insert", "repeat", "cut"])
SNIPPETS = st.sampled_from(TEXT_SNIPPETS)


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    """``text`` unchanged, or with snippets inserted, a line repeated, or cut short."""
    action = draw(TEXT_EDITS)
    if action == "insert":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(SNIPPETS) + text[at:]
    if action == "repeat":
        lines = text.splitlines(keepends=True)
        k = draw(st.integers(0, max(len(lines) - 1, 0)))
        return "".join(lines[: k + 1] + lines[k : k + 1] + lines[k + 1 :])
    if action == "cut":
        return text[: draw(st.integers(0, len(text)))]
    return text


def read_table(path: Path) -> list[list[str]]:
    """A CSV file's rows as lists of cells."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def write_table(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


CELL_TEXTS = st.one_of(
    st.sampled_from([repr(float(x)) if isinstance(x, float) else str(x) for x in EDGE_NUMBERS]),
    st.sampled_from(EDGE_TEXTS),
    st.text(max_size=8),
)
"""What a damaged CSV cell may hold."""


TABLE_EDITS = st.sampled_from(
    ("cell", "cell", "cell", "drop_row", "repeat_row", "drop_column", "add_column")
)
"""Edits of a CSV table, a cell most often."""


@st.composite
def mutated_table(draw: st.DrawFn, rows: list[list[str]], changes: int = 3) -> list[list[str]]:
    """The rows with 0..``changes`` edits: cells, whole rows or columns, labels."""
    table = [list(r) for r in rows]
    for _ in range(draw(st.integers(0, changes))):
        if not table or not table[0]:
            break
        action = draw(
            st.sampled_from(
                ["cell", "cell", "cell", "drop_row", "repeat_row", "drop_column", "add_column"]
            )
        )
        r = draw(st.integers(0, len(table) - 1))
        if action == "cell":
            c = draw(st.integers(0, len(table[r]) - 1)) if table[r] else 0
            if table[r]:
                table[r][c] = draw(CELL_TEXTS)
        elif action == "drop_row":
            del table[r]
        elif action == "repeat_row":
            table.insert(r, list(table[r]))
        elif action == "drop_column":
            c = draw(st.integers(0, len(table[0]) - 1))
            table = [row[:c] + row[c + 1 :] for row in table]
        else:
            header = draw(CELL_TEXTS)
            table = [[*row, header if k == 0 else "1"] for k, row in enumerate(table)]
    return table


ECONOMY_FILES = ("economy.yaml", "sectors.csv", "A.csv", "B.csv")


def _economy_parts(name: str) -> tuple[dict[str, Any], str, dict[str, list[list[str]]]]:
    folder = builtin_path(name)
    text = (folder / "economy.yaml").read_text(encoding="utf-8")
    tables = {f: read_table(folder / f) for f in ECONOMY_FILES[1:] if (folder / f).is_file()}
    return yaml.safe_load(text), text, tables


_PARTS = {name: _economy_parts(name) for name in builtin_names()}
"""Each built-in economy's document, YAML text and tables, read once."""

_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


PARTS = st.sampled_from(["yaml", "yaml", "csv", "both", "text"])
"""What a mutated economy changes: its YAML document, its tables, both, or its YAML text."""


@st.composite
def economy_files(draw: st.DrawFn, names: tuple[str, ...]) -> dict[str, str]:
    """The files of a built-in economy (one of ``names``), mutated: name -> text."""
    doc, text, tables = _PARTS[names[draw(st.integers(0, len(names) - 1))]]
    part = draw(PARTS)
    if part in ("yaml", "both"):
        changed = draw(mutated_document(doc))
        # A value the dumper cannot write leaves the text as it was.
        with contextlib.suppress(yaml.YAMLError, ValueError):
            text = yaml.dump(changed, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
    if part == "text":
        text = draw(mutated_text(text))
    files = {"economy.yaml": text}
    for name, rows in tables.items():
        files[name] = write_table(draw(mutated_table(rows)) if part in ("csv", "both") else rows)
    return files


def write_files(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8", newline="")


def assert_one_line_problems(error: InputError) -> None:
    """Every problem is one line naming a file and a field, and states its rule."""
    lines = list(error.lines())
    assert lines and len(lines) == len(error.problems)
    for line, problem in zip(lines, error.problems, strict=True):
        assert "\n" not in line and "\r" not in line
        assert ": field '" in line and "(rule: " in line and problem.rule


def assert_sane_economy(economy: Economy) -> None:
    """An accepted economy passes its validation again, is productive and finite throughout."""
    again = economy.replace()
    assert again.equals(economy)
    assert check_productive(economy.A, economy.names, "A") == []
    for values in economy.vectors.values():
        assert np.isfinite(values).all()
    assert all(math.isfinite(v) for v in economy.scalars.values())
    assert np.isfinite(economy.A.data).all() and np.isfinite(economy.B.data).all()
    assert math.isfinite(economy.balance_tolerance)
    assert np.isfinite(gross_output_for(economy)).all()


def outcome(call: Callable[[], Any]) -> Any:
    """The call's result, or the planlab error it raised (checked for shape); anything
    else it raises is a failure of the test."""
    try:
        return call()
    except InputError as exc:
        assert_one_line_problems(exc)
        return exc
    except PlanlabError as exc:
        assert str(exc) and "\n" not in str(exc)
        return exc
