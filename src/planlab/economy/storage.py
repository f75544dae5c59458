"""Reading and writing economies: one YAML file plus CSV files, round-tripping exactly.

Every problem found while reading is collected and raised together as one
InputError, one line per problem; nothing is returned half-built. Writing goes
to a temporary folder first and then replaces the files all or none, so a
failed write leaves the folder as it was.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import yaml

from planlab.documents import DocumentDumper, path_exists, read_text_file, read_yaml_document
from planlab.economy.document import FORMAT, EconomyDocument
from planlab.economy.fields import (
    BALANCE_TOLERANCE,
    BOOLEAN,
    SCALAR_FIELDS,
    SECTOR_FIELDS,
    sector_spec,
)
from planlab.economy.model import Economy, Indicator, Sector, indicator_problems
from planlab.economy.validate import (
    check_matrix,
    check_productive,
    check_scalar,
    check_sources,
    check_vector,
)
from planlab.errors import InputError, Problem

__all__ = ["YAML_NAME", "load", "save"]

YAML_NAME = "economy.yaml"
DENSE_LIMIT = 200
"""Matrices of more sectors than this are written in the long (sparse) CSV layout."""

_MAX_LISTED = 20
"""At most this many problems of one kind are listed for one file."""

DATA_FILE_LIMIT = 2**30
"""Largest CSV file read, in bytes: the long layout of a 100,000-sector table with about
100 inputs per sector takes some 400 MB. Larger files (or /dev/zero) are refused unread."""

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


def load(
    path: str | os.PathLike[str],
    *,
    require_sources: bool = True,
    allowed_paths: Sequence[str | os.PathLike[str]] = (),
) -> Economy:
    """Load an economy from its YAML file or the folder holding ``economy.yaml``.

    The CSV files it names must be regular files inside its folder (after following
    symbolic links), or inside one of ``allowed_paths``. Raises InputError naming the
    file, field, sector and rule of every problem.
    """
    if not isinstance(path, str | os.PathLike) or not all(
        isinstance(p, str | os.PathLike) for p in allowed_paths
    ):
        raise InputError.single(
            "<economy>", "path", "a file or folder name", f"got {type(path).__name__}"
        )
    yaml_path = Path(path)
    if path_exists(yaml_path, kind="folder"):
        yaml_path = yaml_path / YAML_NAME
    doc = _read_document(yaml_path)
    base = yaml_path.parent
    inside = (base, *(Path(p) for p in allowed_paths))
    names = [s.name for s in doc.sectors]
    problems = _document_problems(doc, yaml_path.name, require_sources)
    if len(set(names)) != len(names):
        raise InputError(problems)

    sectors_file = doc.files.sectors
    vectors: dict[str, np.ndarray] = {}
    A: sp.csr_array | None = None
    B: sp.csr_array | None = None
    if sectors_file.strip():
        vectors, more = _read_sector_table(base / sectors_file, sectors_file, names, inside)
        problems += more
    if doc.files.A.strip():
        A, more = _read_matrix(base / doc.files.A, doc.files.A, "A", names, inside)
        problems += more
    if doc.files.B is not None and doc.files.B.strip():
        B, more = _read_matrix(base / doc.files.B, doc.files.B, "B", names, inside)
        problems += more
    if require_sources:
        mats = {k: m for k, m in (("A", A), ("B", B)) if m is not None}
        problems += check_sources(doc.sources, names, list(vectors), mats, yaml_path.name)
    if problems or A is None:
        if A is not None:
            # Economy.build would check this last; report it with the rest.
            problems += check_productive(A, names, doc.files.A)
        raise InputError(problems or [Problem(doc.files.A, "A", "readable", "not read")])

    origin = {spec.name: sectors_file for spec in SECTOR_FIELDS}
    origin.update(
        {
            "A": doc.files.A,
            "B": doc.files.B or yaml_path.name,
            "sectors": yaml_path.name,
            "scalars": yaml_path.name,
            "indicators": yaml_path.name,
            "meta": yaml_path.name,
        }
    )
    scalar_sources = {f"scalars.{k}": v.source for k, v in doc.scalars.items() if v.source}
    return Economy.build(
        name=doc.name,
        sectors=[Sector(s.name, s.title, s.group) for s in doc.sectors],
        A=A,
        B=B,
        vectors=vectors,
        scalars={k: v.value for k, v in doc.scalars.items()},
        indicators=[
            Indicator(i.name, i.sector, i.per_unit, i.unit, i.source, i.description)
            for i in doc.indicators
        ],
        sources={**doc.sources, **scalar_sources},
        origin=origin,
        title=doc.title,
        description=doc.description,
        base_year=doc.base_year,
        value_unit=doc.units.value,
        labour_unit=doc.units.labour,
        currency_unit=doc.units.currency,
        balance_tolerance=doc.balance_tolerance,
    )


def _document_problems(doc: EconomyDocument, file: str, require_sources: bool) -> list[Problem]:
    """Problems within the YAML file that its schema does not catch."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for s in doc.sectors:
        if s.name in seen:
            problems.append(
                Problem(file, "sectors", "names are unique", "given twice", sector=s.name)
            )
        seen.add(s.name)
    known = {f.name: f for f in SCALAR_FIELDS}
    for key, entry in doc.scalars.items():
        spec = known.get(key)
        if spec is None:
            problems.append(Problem(file, f"scalars.{key}", "scalars are known fields", "unknown"))
        else:
            problems += check_scalar(entry.value, spec.rule, file, f"scalars.{key}")
    for spec in SCALAR_FIELDS:
        if spec.required and spec.name not in doc.scalars:
            problems.append(Problem(file, f"scalars.{spec.name}", "required field", "missing"))
    if require_sources:
        problems += [
            Problem(
                file,
                f"scalars.{key}.source",
                "every number has a source (a publication and table, or 'assumption: reason')",
                "empty source",
            )
            for key, entry in doc.scalars.items()
            if not entry.source.strip()
        ]
    for key in ("sectors", "A", "B"):
        value = getattr(doc.files, key)
        if value is not None and not value.strip():
            problems.append(Problem(file, f"files.{key}", "a file name", "empty"))
    problems += check_scalar(
        doc.balance_tolerance, BALANCE_TOLERANCE.rule, file, "balance_tolerance"
    )
    indicators = [
        Indicator(i.name, i.sector, i.per_unit, i.unit, i.source, i.description)
        for i in doc.indicators
    ]
    problems += indicator_problems(indicators, [s.name for s in doc.sectors], file)
    return problems


def _read_document(path: Path) -> EconomyDocument:
    return read_yaml_document(path, FORMAT, EconomyDocument, named_list="sectors")


def _read_rows(
    path: Path, file: str, inside: Sequence[Path]
) -> tuple[list[list[str]], list[Problem]]:
    """All rows of a CSV file as strings; a problem if it cannot be read or parsed."""
    try:
        # utf-8-sig: spreadsheet programs often start the file with a byte-order mark.
        text = read_text_file(
            path, file, limit=DATA_FILE_LIMIT, inside=inside, encoding="utf-8-sig"
        )
    except InputError as exc:
        return [], list(exc.problems)
    try:
        rows = [row for row in csv.reader(io.StringIO(text), strict=True) if row]
    except csv.Error as exc:
        return [], [Problem(file, "-", "well-formed CSV", str(exc))]
    if not rows:
        return [], [Problem(file, "-", "a header row", "the file is empty")]
    width = len(rows[0])
    ragged = [k for k, row in enumerate(rows) if len(row) != width]
    problems = [
        Problem(
            file,
            "-",
            "every row has as many cells as the header",
            f"row {k + 1} has {len(rows[k])} cells, the header {width}",
        )
        for k in ragged[:_MAX_LISTED]
    ]
    if len(ragged) > _MAX_LISTED:
        problems.append(
            Problem(
                file,
                "-",
                "every row has as many cells as the header",
                f"{len(ragged) - _MAX_LISTED} more rows of the wrong width",
            )
        )
    if problems:
        return [], problems
    return rows, []


def _parse_numbers(
    cells: Sequence[str],
    file: str,
    field: str,
    labels: Sequence[str],
    boolean: bool = False,
    inputs: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[Problem]]:
    """Strings to floats, vectorised; bad cells are reported with their sector.

    Returns the values, a mask of the cells that could be read, and the problems.
    ``inputs`` names the row (input) of each cell of a matrix.
    """

    def where(k: int) -> str:
        return "" if inputs is None else f" for input '{inputs[k]}'"

    if boolean:
        lowered = [c.strip().lower() for c in cells]
        values = np.array(
            [1.0 if c in _TRUE else 0.0 if c in _FALSE else np.nan for c in lowered],
            dtype=np.float64,
        )
        ok = np.array([c in _TRUE | _FALSE for c in lowered], dtype=bool)
        return (
            values,
            ok,
            [
                Problem(
                    file,
                    field,
                    BOOLEAN.value,
                    f"value {cells[k]!r}{where(k)}",
                    sector=labels[k],
                )
                for k in np.flatnonzero(~ok).tolist()
            ],
        )
    try:
        return np.asarray(cells, dtype=np.float64), np.ones(len(cells), dtype=bool), []
    except ValueError:
        pass
    values = np.full(len(cells), np.nan)
    ok = np.ones(len(cells), dtype=bool)
    problems = []
    for k, cell in enumerate(cells):
        try:
            values[k] = float(cell)
        except ValueError:
            ok[k] = False
            what = "empty cell" if not cell.strip() else f"not a number: {cell!r}"
            problems.append(
                Problem(file, field, "cells hold numbers", f"{what}{where(k)}", sector=labels[k])
            )
    return values, ok, problems


def _label_order(
    found: Sequence[str], names: Sequence[str], file: str, field: str
) -> tuple[np.ndarray | None, list[Problem]]:
    """Positions of the YAML's sectors among the labels found in a CSV file."""
    problems = []
    position: dict[str, int] = {}
    for k, label in enumerate(found):
        if label in position:
            problems.append(
                Problem(file, field, "each sector appears once", "given twice", sector=label)
            )
        position.setdefault(label, k)
    known = set(names)
    for label in found:
        if label not in known:
            problems.append(
                Problem(
                    file, field, "labels are the sectors of the YAML file", "unknown", sector=label
                )
            )
    for name in names:
        if name not in position:
            problems.append(Problem(file, field, "every sector appears", "missing", sector=name))
    if problems:
        return None, problems
    return np.array([position[name] for name in names], dtype=np.intp), []


def _read_sector_table(
    path: Path, file: str, names: Sequence[str], inside: Sequence[Path]
) -> tuple[dict[str, np.ndarray], list[Problem]]:
    """The per-sector columns in the YAML's sector order, each checked against its rule."""
    rows, problems = _read_rows(path, file, inside)
    if problems:
        return {}, problems
    header, body = [h.strip() for h in rows[0]], rows[1:]
    if header[0] != "sector":
        return {}, [Problem(file, "sector", "the first column is 'sector'", f"got {header[0]!r}")]
    order, problems = _label_order([r[0].strip() for r in body], names, file, "sector")
    seen: set[str] = set()
    for col in header[1:]:
        if sector_spec(col) is None:
            problems.append(Problem(file, col, "columns are known per-sector fields", "unknown"))
        elif col in seen:
            problems.append(Problem(file, col, "each column appears once", "given twice"))
        seen.add(col)
    problems += [
        Problem(file, f.name, "required field", "missing column")
        for f in SECTOR_FIELDS
        if f.required and f.name not in header
    ]
    if order is None:
        return {}, problems
    vectors: dict[str, np.ndarray] = {}
    for c, col in enumerate(header[1:], start=1):
        spec = sector_spec(col)
        if spec is None or col in vectors:
            continue
        cells = [body[k][c].strip() for k in order]
        values, ok, more = _parse_numbers(cells, file, col, names, boolean=spec.rule.boolean)
        problems += more
        read = np.flatnonzero(ok).tolist()
        problems += check_vector(values[ok], spec.rule, [names[k] for k in read], file, col)
        vectors[col] = values
    return vectors, problems


def _read_matrix(
    path: Path, file: str, field: str, names: Sequence[str], inside: Sequence[Path]
) -> tuple[sp.csr_array | None, list[Problem]]:
    """A square matrix in the square or the long layout; None if it has any problem."""
    rows, problems = _read_rows(path, file, inside)
    if problems:
        return None, problems
    header = [h.strip() for h in rows[0]]
    n = len(names)
    if header == ["input", "sector", "value"]:
        body = rows[1:]
        index = {s: i for i, s in enumerate(names)}
        problems = []
        for r in body:
            for label in (r[0].strip(), r[1].strip()):
                if label not in index:
                    problems.append(
                        Problem(
                            file,
                            field,
                            "labels are the sectors of the YAML file",
                            "unknown",
                            sector=label,
                        )
                    )
        if problems:
            return None, problems[:_MAX_LISTED]
        rows_i = np.array([index[r[0].strip()] for r in body], dtype=np.intp)
        cols_j = np.array([index[r[1].strip()] for r in body], dtype=np.intp)
        values, ok, problems = _parse_numbers(
            [r[2].strip() for r in body],
            file,
            field,
            [r[1].strip() for r in body],
            inputs=[r[0].strip() for r in body],
        )
        pairs = rows_i * max(n, 1) + cols_j
        if np.unique(pairs).size != pairs.size:
            problems.append(Problem(file, field, "each cell appears once", "a cell is given twice"))
        matrix = sp.csr_array(
            sp.coo_array((np.where(ok, values, 0.0), (rows_i, cols_j)), shape=(n, n))
        )
    else:
        if header[0] != "input":
            return None, [
                Problem(
                    file,
                    field,
                    "the header is 'input' then sector names, or 'input,sector,value'",
                    f"header starts {header[0]!r}",
                )
            ]
        col_order, problems = _label_order(header[1:], names, file, field)
        row_order, more = _label_order([r[0].strip() for r in rows[1:]], names, file, field)
        problems += more
        if problems or col_order is None or row_order is None:
            return None, problems
        body = [rows[1:][k] for k in row_order]
        flat = [row[c + 1].strip() for row in body for c in col_order]
        labels = [names[j] for _ in range(n) for j in range(n)]
        inputs = [names[i] for i in range(n) for _ in range(n)]
        values, ok, problems = _parse_numbers(flat, file, field, labels, inputs=inputs)
        matrix = sp.csr_array(np.where(ok, values, 0.0).reshape(n, n))
    problems += check_matrix(matrix, names, file, field)
    if problems:
        return None, problems
    return matrix, []


def save(economy: Economy, directory: str | os.PathLike[str]) -> Path:
    """Write an economy as ``economy.yaml`` plus CSV files into ``directory``.

    Numbers are written in the shortest form that reads back to the same float,
    so :func:`load` returns an equal economy. Returns the YAML file's path.
    """
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    n = economy.n
    dense = n <= DENSE_LIMIT
    has_b = economy.B.nnz > 0 or "B" in {k.split(".")[0] for k in economy.sources}
    doc: dict[str, Any] = {
        "format": FORMAT,
        "name": economy.name,
        "title": economy.title,
        "description": economy.description,
        "base_year": economy.base_year,
        "units": {
            "value": economy.value_unit,
            "labour": economy.labour_unit,
            "currency": economy.currency_unit,
        },
        "balance_tolerance": economy.balance_tolerance,
        "sectors": [{"name": s.name, "title": s.title, "group": s.group} for s in economy.sectors],
        "files": {"sectors": "sectors.csv", "A": "A.csv", "B": "B.csv" if has_b else None},
        "scalars": {
            k: {"value": v, "source": economy.sources.get(f"scalars.{k}", "")}
            for k, v in economy.scalars.items()
            if f"scalars.{k}" in economy.given
        },
        "indicators": [
            {
                "name": i.name,
                "sector": i.sector,
                "per_unit": i.per_unit,
                "unit": i.unit,
                "source": i.source,
                "description": i.description,
            }
            for i in economy.indicators
        ],
        "sources": {k: v for k, v in economy.sources.items() if not k.startswith("scalars.")},
    }
    if not has_b:
        del doc["files"]["B"]
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}-") as tmp:
        work = Path(tmp) / "new"
        work.mkdir()
        (work / YAML_NAME).write_text(
            yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100),
            encoding="utf-8",
        )
        columns = [f.name for f in SECTOR_FIELDS if f.name in economy.given]
        _write_csv(
            work / "sectors.csv",
            ["sector", *columns],
            [
                [s, *(_fmt(economy.vectors[c][i], c) for c in columns)]
                for i, s in enumerate(economy.names)
            ],
        )
        _write_matrix(work / "A.csv", economy.A, economy.names, dense)
        if has_b:
            _write_matrix(work / "B.csv", economy.B, economy.names, dense)
        _install(work, target, Path(tmp) / "old", stale=[] if has_b else ["B.csv"])
    return target / YAML_NAME


def _install(work: Path, target: Path, backup: Path, stale: Sequence[str]) -> None:
    """Move the files written in ``work`` into ``target``, all or none.

    Files they replace (and ``stale`` ones) are first moved aside into ``backup``;
    if any step fails, everything is put back as it was and the error is raised.
    """
    names = sorted(p.name for p in work.iterdir())
    for name in [*names, *stale]:
        if (target / name).is_dir() and not (target / name).is_symlink():
            raise IsADirectoryError(f"cannot write {target / name}: it is a folder")
    created = not target.exists()
    target.mkdir(exist_ok=True)
    backup.mkdir()
    moved_out: list[str] = []
    moved_in: list[str] = []
    try:
        for name in [*names, *stale]:
            if (target / name).exists() or (target / name).is_symlink():
                (target / name).replace(backup / name)
                moved_out.append(name)
        for name in names:
            (work / name).replace(target / name)
            moved_in.append(name)
    except BaseException:
        for name in moved_in:
            (target / name).replace(work / name)
        for name in moved_out:
            (backup / name).replace(target / name)
        if created:
            target.rmdir()
        raise


class _Dumper(DocumentDumper):
    """The safe dumper, writing strings with a Unicode line break double-quoted.

    PyYAML writes NEL, LS and PS raw inside single quotes and reads NEL back as
    a space; in double quotes they are escaped and read back exactly.
    """


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if any(c in data for c in "\x85\u2028\u2029"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return dumper.represent_str(data)


_Dumper.add_representer(str, _represent_str)


def _fmt(value: float, column: str) -> str:
    spec = sector_spec(column)
    if spec is not None and spec.rule.boolean:
        return "true" if value else "false"
    return repr(float(value))


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write_matrix(path: Path, matrix: sp.csr_array, names: Sequence[str], dense: bool) -> None:
    if dense:
        full = matrix.toarray()
        rows = [[names[i], *map(repr, full[i].tolist())] for i in range(len(names))]
        _write_csv(path, ["input", *names], rows)
        return
    coo = matrix.tocoo()
    rows = [
        [names[i], names[j], repr(v)]
        for i, j, v in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    ]
    _write_csv(path, ["input", "sector", "value"], rows)
