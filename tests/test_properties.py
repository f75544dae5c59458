"""Random damage to valid economy files: load either succeeds cleanly or names every problem."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from _economies import random_economy
from planlab.economy import builtin_path, load, save
from planlab.errors import InputError, PlanlabError

NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
REPLACEMENTS = ["-1", "-0.5", "nan", "NaN", "inf", "-inf", "1e308", "1e999", "abc", "", "0", "1.5"]
FLIP_CHARACTERS = [",", '"', ":", "\n", " ", "-", "x", "#", "[", "{", "'", "\t", "0", "é", "\u2028"]


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Valid economy folders: textbook-3 and a small random one with B and the long layout."""
    root = tmp_path_factory.mktemp("bases")
    shutil.copytree(builtin_path("textbook-3"), root / "textbook")
    rich = root / "rich"
    economy = random_economy(2024, 4, name="rich", rich=True, density=0.6)
    save(economy, rich)
    # Rewrite B in the long layout, which the loader reads at any size.
    coo = economy.B.tocoo()
    lines = ["input,sector,value"] + [
        f"{economy.names[i]},{economy.names[j]},{v!r}"
        for i, j, v in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    ]
    (rich / "B.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load(root / "textbook") is not None
    assert load(rich).equals(economy)
    return {"textbook": root / "textbook", "rich": rich}


Mutation = Callable[[str], str]


def _lines_op(kind: str, a: int, b: int) -> Mutation:
    def apply(text: str) -> str:
        lines = text.splitlines(keepends=True)
        if not lines:
            return text
        i, j = a % len(lines), b % len(lines)
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "replace":
            lines[i] = lines[j]
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines)

    return apply


def _flip(position: int, character: str) -> Mutation:
    def apply(text: str) -> str:
        if not text:
            return character
        p = position % len(text)
        return text[:p] + character + text[p + 1 :]

    return apply


def _truncate(fraction: float) -> Mutation:
    return lambda text: text[: int(len(text) * fraction)]


def _number(index: int, replacement: str) -> Mutation:
    def apply(text: str) -> str:
        found = list(NUMBER.finditer(text))
        if not found:
            return text
        m = found[index % len(found)]
        return text[: m.start()] + replacement + text[m.end() :]

    return apply


def _swap_labels(a: int, b: int) -> Mutation:
    def apply(text: str) -> str:
        labels = sorted(set(re.findall(r"\b(?:industry_\d|s\d)\b", text)))
        if len(labels) < 2:
            return text
        x, y = labels[a % len(labels)], labels[b % len(labels)]
        return re.sub(rf"\b({x}|{y})\b", lambda m: y if m.group(0) == x else x, text)

    return apply


def _drop_yaml_key(choice: int) -> Mutation:
    def apply(text: str) -> str:
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError:
            return text
        paths: list[tuple[Any, Any]] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    paths.append((node, key))
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(doc)
        if not paths:
            return text
        parent, key = paths[choice % len(paths)]
        del parent[key]
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)

    return apply


index = st.integers(0, 10_000)
mutations = st.one_of(
    st.builds(_lines_op, st.sampled_from(["delete", "duplicate", "replace", "swap"]), index, index),
    st.builds(_flip, index, st.sampled_from(FLIP_CHARACTERS)),
    st.builds(_truncate, st.floats(0.0, 1.0)),
    st.builds(_number, index, st.sampled_from(REPLACEMENTS)),
    st.builds(_swap_labels, index, index),
    st.builds(_drop_yaml_key, index),
)


def _file_names(folder: Path) -> set[str]:
    """The files an economy folder may name: the standard ones and those its YAML gives."""
    names = {"economy.yaml", "sectors.csv", "A.csv", "B.csv", str(folder / "economy.yaml")}
    try:
        doc = yaml.safe_load((folder / "economy.yaml").read_text(encoding="utf-8"))
    except (yaml.YAMLError, ValueError, UnicodeDecodeError):
        return names
    files = doc.get("files") if isinstance(doc, dict) else None
    if isinstance(files, dict):
        names |= {v for v in files.values() if isinstance(v, str)}
    return names


def _check_error(error: InputError, files: set[str]) -> None:
    text = str(error)
    lines = text.splitlines()
    assert len(lines) == len(error.problems), text
    for line, problem in zip(lines, error.problems, strict=True):
        assert problem.file in files, f"no file named: {line}"
        assert line == str(problem)
        # The line starts with the file name (escaped if it holds a line break).
        assert line.startswith(f"{problem.file}: field '") or not problem.file.isprintable(), line
        assert "(rule: " in line, line


@settings(
    max_examples=250,
    deadline=None,
)
@given(
    base=st.sampled_from(["textbook", "rich"]),
    damage=st.lists(
        st.tuples(st.sampled_from(["economy.yaml", "sectors.csv", "A.csv", "B.csv"]), mutations),
        min_size=1,
        max_size=3,
    ),
)
def test_damaged_files_load_or_name_every_problem(
    bases: dict[str, Path], base: str, damage: list[tuple[str, Mutation]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "economy"
        shutil.copytree(bases[base], folder)
        for name, mutate in damage:
            path = folder / name
            if path.exists():
                path.write_text(mutate(path.read_text(encoding="utf-8")), encoding="utf-8")
        try:
            economy = load(folder)
        except InputError as error:
            _check_error(error, _file_names(folder))
            return
        except PlanlabError:
            return
        # A damaged folder that still loads is a valid economy: it survives a round trip.
        save(economy, Path(tmp) / "again")
        assert load(Path(tmp) / "again").equals(economy)
