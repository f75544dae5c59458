"""Reading input files safely, and YAML documents into strict pydantic models.

Economy and scenario files share this: the file must be a regular file of bounded
size (never a FIFO or a device), be UTF-8, parse as YAML with unique keys and a
bounded use of aliases, hold a mapping whose ``format`` names the expected format,
and validate against the model with strict types (``months: yes`` is not a
number); every problem names the file, the field and the rule.
"""

from __future__ import annotations

import os
import re
import reprlib
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

from planlab.errors import InputError, Problem

__all__ = [
    "ALIAS_EXPANSION_LIMIT",
    "DOCUMENT_CONFIG",
    "YAML_SIZE_LIMIT",
    "DocumentDumper",
    "DocumentLoader",
    "load_yaml_text",
    "path_exists",
    "read_text_file",
    "read_yaml_document",
]

M = TypeVar("M", bound=pydantic.BaseModel)

YAML_SIZE_LIMIT = 64 * 2**20
"""Largest YAML document read, in bytes: documents hold labels, scalars and sources (a
100,000-sector economy's labels and sources take a few MB); the numbers are in CSV files."""

ALIAS_EXPANSION_LIMIT = 10_000
"""Most nodes that YAML aliases may add to a document: enough to share a source text or a
block of settings many times, too few for an alias bomb (504 bytes that expand to 10^9)."""


DOCUMENT_CONFIG = pydantic.ConfigDict(extra="forbid", frozen=True, strict=True)
"""Every file model's configuration: unknown keys refused, values immutable, types strict.

Strict types refuse a boolean or a text where a number belongs (``months: yes`` or
``months: true`` is not 1), and a fraction where a whole number belongs; a date
field that reads text says ``Field(strict=False)``.
"""


class _DocumentProblem(yaml.YAMLError):
    """A rule of the document's structure broken while composing it (keys, aliases)."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field, self.rule, self.message = field, rule, message


_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_EXPONENT_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")


_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML has it (some fifteen times quicker), else PyYAML's own."""


class DocumentLoader(_BASE_LOADER):  # type: ignore[valid-type,misc]
    """The safe loader with YAML 1.2 scalars, unique keys and an alias budget.

    Only ``true`` and ``false`` are booleans (YAML 1.1's ``yes``, ``no``, ``on``,
    ``off`` stay text, which a number field then refuses), and ``1e-3`` is a number
    as in YAML 1.2 (PyYAML 1.1 reads it as text). A key given twice in one mapping
    and aliases that would add more than ``ALIAS_EXPANSION_LIMIT`` nodes are refused
    after the document is parsed into nodes and before any value is built.
    """

    def get_single_node(self) -> yaml.Node | None:
        node: yaml.Node | None = super().get_single_node()
        if node is not None:
            _check_tree(node)
        return node


DocumentLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
DocumentLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
DocumentLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float", _EXPONENT_FLOAT, list("-+0123456789")
)


class DocumentDumper(yaml.SafeDumper):
    """The safe dumper, deciding which strings need quotes by the loader's own rules, so
    that a string such as ``1e3`` (a number to ``DocumentLoader``) is written quoted."""


DocumentDumper.yaml_implicit_resolvers = DocumentLoader.yaml_implicit_resolvers


def _check_tree(root: yaml.Node) -> None:
    """Refuse duplicate keys and aliases that expand the document beyond the budget.

    One pass over the distinct nodes: the size of a node counts its children as
    often as they occur (an alias repeats its anchor's whole subtree), so the
    expansion is known without building it. A node reached again while it is still
    being walked is an alias inside its own anchor, which never ends.
    """
    cap = ALIAS_EXPANSION_LIMIT + 1
    size: dict[int, int] = {}
    open_nodes: set[int] = set()

    def walk(node: yaml.Node, path: str) -> int:
        key = id(node)
        if key in size:
            return size[key]
        if key in open_nodes:
            raise _DocumentProblem(
                path or "-",
                "an alias refers to a finished anchor",
                "an alias inside its own anchor",
            )
        open_nodes.add(key)
        total = 1
        for child, where in _children(node, path):
            total = min(total + walk(child, where), cap + len(size) + 1)
        open_nodes.discard(key)
        size[key] = total
        return total

    expanded = walk(root, "")
    if expanded - len(size) > ALIAS_EXPANSION_LIMIT:
        raise _DocumentProblem(
            "-",
            f"aliases add at most {ALIAS_EXPANSION_LIMIT} nodes",
            f"the aliases expand the document by more than {ALIAS_EXPANSION_LIMIT} nodes",
        )


def _children(node: yaml.Node, path: str) -> Iterator[tuple[yaml.Node, str]]:
    """A node's children with their paths; a key given twice in a mapping is refused."""
    if isinstance(node, yaml.SequenceNode):
        for k, child in enumerate(node.value):
            yield child, _join(path, str(k))
    elif isinstance(node, yaml.MappingNode):
        seen: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                name = str(key_node.value)
                line = key_node.start_mark.line + 1
                first = seen.get((key_node.tag, name))
                if first is not None:
                    raise _DocumentProblem(
                        _join(path, name),
                        "each key appears once in a mapping",
                        f"key {name!r} given twice (lines {first} and {line})",
                    )
                seen[(key_node.tag, name)] = line
                yield value_node, _join(path, name)
            else:
                yield key_node, path
                yield value_node, path


def _join(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part


def path_exists(path: Path, *, kind: str = "any") -> bool:
    """Whether ``path`` names a file (``kind="file"``), a folder (``"folder"``) or anything.

    False, never an exception, for a name the system cannot look up: too long, holding
    a null byte, or in a folder that cannot be read.
    """
    try:
        if kind == "file":
            return path.is_file()
        if kind == "folder":
            return path.is_dir()
        return path.exists()
    except (OSError, ValueError):
        return False


def read_text_file(
    path: Path,
    file: str,
    *,
    limit: int,
    inside: Sequence[Path] = (),
    encoding: str = "utf-8",
) -> str:
    """The text of a regular file of at most ``limit`` bytes; InputError naming ``file`` if not.

    A FIFO, a device (``/dev/zero``), a folder, a name holding a null byte and a
    larger file are refused before anything is read, so a bad name can neither
    block nor fill memory. With ``inside``, the file (after following symbolic
    links) must lie in one of these folders.
    """
    text_name = str(path)
    if "\x00" in text_name:
        raise InputError.single(file, "-", "a file name without null bytes", repr(text_name))
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        raise InputError.single(file, "-", "the file exists", "not found") from None
    except (OSError, RuntimeError) as exc:
        raise InputError.single(file, "-", "a readable file", str(exc)) from None
    if inside and not any(real.is_relative_to(folder.resolve()) for folder in inside):
        raise InputError.single(
            file,
            "-",
            "data files lie inside the economy's folder (or a folder allowed by the caller)",
            f"{text_name} is {real}",
        )
    try:
        handle = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputError.single(file, "-", "a readable file", str(exc)) from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise InputError.single(
                file, "-", "a regular file", f"{text_name} is {_kind(info.st_mode)}"
            )
        if info.st_size > limit:
            raise InputError.single(
                file, "-", f"a file of at most {limit} bytes", f"{info.st_size} bytes"
            )
        with os.fdopen(os.dup(handle), "rb") as stream:
            data = stream.read(limit + 1)
    except OSError as exc:
        raise InputError.single(file, "-", "a readable file", str(exc)) from None
    finally:
        os.close(handle)
    if len(data) > limit:
        raise InputError.single(file, "-", f"a file of at most {limit} bytes", "larger")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError.single(file, "-", "a readable UTF-8 file", str(exc)) from None


def _kind(mode: int) -> str:
    """What a file that is not a regular one is, in words."""
    kinds = (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((text for test, text in kinds if test(mode)), "not a regular file")


def read_yaml_document(
    path: Path,
    expected_format: str,
    model: type[M],
    *,
    loader: type[DocumentLoader] = DocumentLoader,
    named_list: str | None = None,
) -> M:
    """Load and validate a YAML document; raise InputError with one line per problem.

    ``named_list`` is a list field whose entries carry a ``name`` (the sectors of an
    economy): problems inside an entry then name it as their sector.
    """
    name = path.name
    text = read_text_file(path, str(path), limit=YAML_SIZE_LIMIT)
    raw = load_yaml_text(text, name, loader)
    if not isinstance(raw, dict):
        raise InputError.single(name, "-", "a YAML mapping at the top", f"got {type(raw).__name__}")
    if raw.get("format") != expected_format:
        raise InputError.single(
            name, "format", f"format is '{expected_format}'", f"got {_short(raw.get('format'))}"
        )
    try:
        return model.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise InputError(_problems(exc, raw, name, named_list)) from None


def load_yaml_text(text: str, file: str, loader: type[DocumentLoader] = DocumentLoader) -> Any:
    """Parse YAML text with the document loader; InputError naming ``file`` if it cannot."""
    try:
        return yaml.load(text, Loader=loader)
    except _DocumentProblem as exc:
        raise InputError.single(file, exc.field, exc.rule, exc.message) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise InputError.single(file, "-", "well-formed YAML", f"{problem}{where}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # PyYAML raises these for scalars that look like dates but are none, e.g. 1928-13-01.
        raise InputError.single(
            file, "-", "well-formed YAML", f"a value cannot be read: {exc}"
        ) from None


_SHORT = reprlib.Repr()
"""Shows a value in bounded time: a huge list or text is cut while its repr is built."""
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxstring = 2, 4, 4, 60
_SHORT.maxtuple = _SHORT.maxset = 4
_SHORT.maxother = 60


def _short(value: Any) -> str:
    return _SHORT.repr(value)[:60]


def _problems(
    exc: pydantic.ValidationError, raw: dict[str, Any], file: str, named_list: str | None
) -> list[Problem]:
    entries = raw.get(named_list) if named_list else None
    named: list[Any] = entries if isinstance(entries, list) else []
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        sector = None
        if named_list and len(loc) >= 2 and loc[0] == named_list and loc[1].isdigit():
            entry = named[int(loc[1])] if int(loc[1]) < len(named) else None
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                sector = entry["name"]
        kind = err["type"]
        rule = {"missing": "required field", "extra_forbidden": "only known fields"}.get(
            kind, kind.replace("_", " ")
        )
        shown = "" if kind == "missing" else f" (got {_short(err.get('input'))})"
        problems.append(
            Problem(file, ".".join(loc) or "-", rule, f"{err['msg']}{shown}", sector=sector)
        )
    return problems
