"""Reading YAML documents into strict pydantic models, with one line per problem.

Economy and scenario files share this: the file must exist and be UTF-8, parse as
YAML, hold a mapping whose ``format`` names the expected format, and validate
against the model; every problem names the file, the field and the rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

from planlab.errors import InputError, Problem

__all__ = ["read_yaml_document"]

M = TypeVar("M", bound=pydantic.BaseModel)


def read_yaml_document(
    path: Path,
    expected_format: str,
    model: type[M],
    *,
    loader: type[yaml.SafeLoader] = yaml.SafeLoader,
    named_list: str | None = None,
) -> M:
    """Load and validate a YAML document; raise InputError with one line per problem.

    ``named_list`` is a list field whose entries carry a ``name`` (the sectors of an
    economy): problems inside an entry then name it as their sector.
    """
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.single(str(path), "-", "the file exists", "not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.single(str(path), "-", "a readable UTF-8 file", str(exc)) from None
    try:
        raw = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise InputError.single(name, "-", "well-formed YAML", f"{problem}{where}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # PyYAML raises these for scalars that look like dates but are none, e.g. 1928-13-01.
        raise InputError.single(
            name, "-", "well-formed YAML", f"a value cannot be read: {exc}"
        ) from None
    if not isinstance(raw, dict):
        raise InputError.single(name, "-", "a YAML mapping at the top", f"got {type(raw).__name__}")
    if raw.get("format") != expected_format:
        raise InputError.single(
            name, "format", f"format is '{expected_format}'", f"got {raw.get('format')!r}"
        )
    try:
        return model.model_validate(raw)
    except pydantic.ValidationError as exc:
        raise InputError(_problems(exc, raw, name, named_list)) from None


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
        shown = "" if kind == "missing" else f" (got {err.get('input')!r:.60})"
        problems.append(
            Problem(file, ".".join(loc) or "-", rule, f"{err['msg']}{shown}", sector=sector)
        )
    return problems
