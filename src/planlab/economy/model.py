"""The Economy value: technology, stocks and trade of n sectors in a base year.

Immutable: arrays are read-only, sparse matrices are copied in and frozen, and
every constructor runs the same validation, so an Economy that exists is valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, cast

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from planlab.economy import validate
from planlab.economy.fields import (
    BALANCE_TOLERANCE,
    DEFAULT_BALANCE_TOLERANCE,
    MATRIX_FIELDS,
    PER_UNIT,
    SCALAR_FIELDS,
    SECTOR_FIELDS,
)
from planlab.errors import InputError, Problem

__all__ = ["Economy", "Indicator", "Sector", "indicator_problems"]

FloatArray = NDArray[np.float64]

ECONOMY_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
"""Economy names, as the YAML file allows them."""

_TEXTS = ("title", "description", "base_year", "value_unit", "labour_unit", "currency_unit")
"""Descriptive attributes of an economy, all texts."""


@dataclass(frozen=True, slots=True)
class Sector:
    """A branch of the economy: its label, a readable title and an optional group."""

    name: str
    title: str = ""
    group: str = ""


@dataclass(frozen=True, slots=True)
class Indicator:
    """A physical measure of a sector's output: ``per_unit`` times gross output.

    Links value flows to the physical series of the historical record (for
    example ``coal_mt``: million tonnes of coal per unit of the coal sector's output).
    """

    name: str
    sector: str
    per_unit: float
    unit: str
    source: str
    description: str = ""


def _frozen(array: FloatArray) -> FloatArray:
    array = np.array(array, dtype=np.float64, copy=True)
    array.flags.writeable = False
    return array


def _frozen_sparse(matrix: sp.sparray | sp.spmatrix | ArrayLike, n: int) -> sp.csr_array:
    if sp.issparse(matrix):
        if matrix.dtype.kind not in "biuf":
            raise TypeError(f"real numbers expected, got values of type {matrix.dtype}")
        out = sp.csr_array(sp.csr_array(matrix), dtype=np.float64, copy=True)
    else:
        dense = validate.float_array(matrix)
        if dense.ndim != 2:
            raise ValueError(f"a table of rows and columns expected, got {dense.ndim} dimensions")
        out = sp.csr_array(dense)
    out.sum_duplicates()
    out.eliminate_zeros()
    out.sort_indices()
    for part in (out.data, out.indices, out.indptr):
        part.flags.writeable = False
    return out


def _argument_problems(
    sectors: object,
    A: object,
    vectors: object,
    scalars: object,
    indicators: object,
    sources: object,
    origin: object,
    meta: Mapping[str, object],
) -> list[Problem]:
    """What is wrong with the kinds of Economy.build's arguments, before any is used."""
    file = "<economy>"
    problems: list[Problem] = []

    def wrong(field: str, rule: str, value: object) -> None:
        problems.append(Problem(file, field, rule, f"got {type(value).__name__} {value!r:.60}"))

    if isinstance(sectors, str | bytes) or not isinstance(sectors, Iterable):
        wrong("sectors", "a list of sector names (a text is not a list of names)", sectors)
    if A is None:
        problems.append(Problem(file, "A", "required field", "missing"))
    problems += _field_mapping_problems(vectors, scalars)
    for key, value in (("sources", sources), ("origin", origin)):
        if value is not None and not (
            isinstance(value, Mapping)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        ):
            wrong(key, "a mapping of texts to texts", value)
    if isinstance(indicators, str | bytes) or not isinstance(indicators, Iterable):
        wrong("indicators", "a list of Indicator", indicators)
    for key, value in meta.items():
        if key == "balance_tolerance":
            if not validate.is_number(value):
                wrong(key, "a number", value)
        elif key in _TEXTS:
            if not isinstance(value, str):
                wrong(key, "a text", value)
        else:
            problems.append(
                Problem(
                    file,
                    key,
                    "known economy attributes: " + ", ".join((*_TEXTS, "balance_tolerance")),
                    "unknown",
                )
            )
    return problems


def _field_mapping_problems(vectors: object, scalars: object) -> list[Problem]:
    """Vectors and scalars are mappings keyed by field name."""
    return [
        Problem(
            "<economy>",
            key,
            "a mapping of field names to values",
            f"got {type(value).__name__} {value!r:.60}",
        )
        for key, value in (("vectors", vectors), ("scalars", scalars))
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value)
    ]


def _indicator_kind_problems(indicators: Sequence[object], file: str) -> list[Problem]:
    """Indicators are Indicator values with texts and a number where they belong."""
    problems = []
    for k, ind in enumerate(indicators):
        texts = ("name", "sector", "unit", "source", "description")
        if not isinstance(ind, Indicator) or not (
            all(isinstance(getattr(ind, t), str) for t in texts)
            and validate.is_number(ind.per_unit)
        ):
            problems.append(
                Problem(
                    file,
                    f"indicators.{k}",
                    "an Indicator with texts and a number per_unit",
                    f"got {ind!r:.60}",
                )
            )
    return problems


@dataclass(frozen=True, eq=False)
class Economy:
    """n sectors with their technology (A, B), labour, capacity, final demand and trade.

    Build one with :meth:`Economy.build` (fills defaults, validates) or load one
    with :func:`planlab.economy.load`. Labels are sector names; arrays follow
    their order.

    >>> e = Economy.build(
    ...     name="two", sectors=["farm", "mill"], A=[[0.1, 0.3], [0.2, 0.1]],
    ...     vectors={"gross_output": [100.0, 50.0], "labour": [0.5, 0.2],
    ...              "consumption": [75.0, 25.0]},
    ...     scalars={"labour_force": 60.0})
    >>> e.n, e.index("mill")
    (2, 1)
    """

    name: str
    sectors: tuple[Sector, ...]
    A: sp.csr_array
    B: sp.csr_array
    vectors: Mapping[str, FloatArray]
    scalars: Mapping[str, float]
    title: str = ""
    description: str = ""
    base_year: str = ""
    value_unit: str = "value unit"
    labour_unit: str = "workers"
    currency_unit: str = "currency unit"
    balance_tolerance: float = DEFAULT_BALANCE_TOLERANCE
    indicators: tuple[Indicator, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)
    given: frozenset[str] = frozenset()
    """Fields set explicitly: per-sector names and ``scalars.NAME`` (the rest hold defaults)."""

    def __post_init__(self) -> None:
        problems = _problems(self, origin={})
        if problems:
            raise InputError(problems)

    # --- construction -------------------------------------------------

    @classmethod
    def build(
        cls,
        *,
        name: str,
        sectors: Sequence[str | Sector],
        A: ArrayLike | sp.sparray | sp.spmatrix,
        vectors: Mapping[str, ArrayLike],
        scalars: Mapping[str, float],
        B: ArrayLike | sp.sparray | sp.spmatrix | None = None,
        indicators: Iterable[Indicator] = (),
        sources: Mapping[str, str] | None = None,
        origin: Mapping[str, str] | None = None,
        **meta: Any,
    ) -> Economy:
        """Fill defaults, freeze arrays and validate; raise InputError listing every problem.

        ``origin`` maps a field name to the file it came from, for error messages.
        """
        wrong = _argument_problems(sectors, A, vectors, scalars, indicators, sources, origin, meta)
        if wrong:
            raise InputError(wrong)
        where = dict(origin or {})
        indicators = tuple(indicators)
        problems = _indicator_kind_problems(indicators, where.get("indicators", "<economy>"))
        secs = tuple(s if isinstance(s, Sector) else Sector(str(s)) for s in sectors)
        labels = [s.name for s in secs]
        n = len(secs)
        problems += validate.check_names(labels, where.get("sectors", "<economy>"), "sectors")
        problems += [
            Problem(
                where.get("sectors", "<economy>"),
                "sectors",
                "a sector's title and group are texts",
                f"got {s.title!r:.30} and {s.group!r:.30}",
                sector=str(s.name),
            )
            for s in secs
            if not (isinstance(s.title, str) and isinstance(s.group, str))
        ]
        if n == 0:
            problems.append(
                Problem(where.get("sectors", "<economy>"), "sectors", "at least one sector", "none")
            )
        mats: dict[str, sp.csr_array] = {}
        for key, raw in (("A", A), ("B", B)):
            file = where.get(key, "<economy>")
            if raw is None:
                mats[key] = _frozen_sparse(sp.csr_array((n, n)), n)
                continue
            try:
                mat = _frozen_sparse(raw, n)
            except (TypeError, ValueError, OverflowError) as exc:
                problems.append(Problem(file, key, "a numeric square matrix", str(exc)))
                continue
            if mat.shape != (n, n):
                problems.append(
                    Problem(
                        file,
                        key,
                        "shape is sectors x sectors",
                        f"shape {'x'.join(map(str, mat.shape))}, expected {n}x{n}",
                    )
                )
                continue
            mats[key] = mat
        vec: dict[str, FloatArray] = {}
        unknown = set(vectors) - {f.name for f in SECTOR_FIELDS}
        for bad in sorted(unknown):
            problems.append(
                Problem(
                    where.get(bad, "<economy>"),
                    bad,
                    "columns are known per-sector fields",
                    "unknown field",
                )
            )
        for spec in SECTOR_FIELDS:
            file = where.get(spec.name, "<economy>")
            if spec.name in vectors:
                try:
                    arr = validate.float_array(vectors[spec.name]).reshape(-1)
                except (TypeError, ValueError) as exc:
                    problems.append(Problem(file, spec.name, "numbers", str(exc)))
                    continue
                if arr.shape != (n,):
                    problems.append(
                        Problem(
                            file,
                            spec.name,
                            "one value per sector",
                            f"{arr.size} values for {n} sectors",
                        )
                    )
                    continue
                vec[spec.name] = _frozen(arr)
            elif spec.required:
                problems.append(Problem(file, spec.name, "required field", "missing"))
        for spec in SECTOR_FIELDS:
            if spec.name not in vec and not spec.required:
                if spec.default_from is not None:
                    if spec.default_from in vec:
                        vec[spec.name] = vec[spec.default_from]
                else:
                    assert spec.default is not None
                    vec[spec.name] = _frozen(np.full(n, spec.default))
        sc: dict[str, float] = {}
        scal_file = where.get("scalars", "<economy>")
        for bad in sorted(set(scalars) - {f.name for f in SCALAR_FIELDS}):
            problems.append(
                Problem(scal_file, f"scalars.{bad}", "scalars are known fields", "unknown field")
            )
        for spec in SCALAR_FIELDS:
            if spec.name in scalars:
                value = scalars[spec.name]
                try:
                    if not validate.is_number(value):
                        raise TypeError
                    sc[spec.name] = float(value)
                except (TypeError, OverflowError):
                    problems.append(
                        Problem(
                            scal_file,
                            f"scalars.{spec.name}",
                            "a number",
                            f"value {scalars[spec.name]!r}",
                        )
                    )
            elif spec.required:
                problems.append(
                    Problem(scal_file, f"scalars.{spec.name}", "required field", "missing")
                )
            else:
                assert spec.default is not None
                sc[spec.name] = spec.default
        if problems:
            raise InputError(problems)
        economy = object.__new__(cls)
        values: dict[str, Any] = {
            "name": name,
            "sectors": secs,
            "A": mats["A"],
            "B": mats["B"],
            "vectors": MappingProxyType(vec),
            "scalars": MappingProxyType(sc),
            "indicators": indicators,
            "sources": MappingProxyType(dict(sources or {})),
            "given": frozenset(k for k in vectors if k in vec)
            | frozenset(f"scalars.{k}" for k in scalars if k in sc),
        }
        defaults = {
            "title": "",
            "description": "",
            "base_year": "",
            "value_unit": "value unit",
            "labour_unit": "workers",
            "currency_unit": "currency unit",
            "balance_tolerance": DEFAULT_BALANCE_TOLERANCE,
        }
        values.update({k: meta.get(k, v) for k, v in defaults.items()})
        for key, value in values.items():
            object.__setattr__(economy, key, value)
        found = _problems(economy, where)
        if found:
            raise InputError(found)
        return economy

    # --- labels and views ---------------------------------------------

    @property
    def n(self) -> int:
        """Number of sectors."""
        return len(self.sectors)

    @property
    def names(self) -> tuple[str, ...]:
        """Sector names in array order."""
        return tuple(s.name for s in self.sectors)

    def index(self, sector: str) -> int:
        """Position of a sector; a clear error for an unknown name."""
        try:
            return self.names.index(sector)
        except ValueError:
            raise InputError.single(
                "<economy>", "sector", "known sector names", "unknown sector", sector=sector
            ) from None

    def vector(self, field_name: str) -> FloatArray:
        """A per-sector field as a read-only array; a clear error for an unknown field."""
        try:
            return self.vectors[field_name]
        except (KeyError, TypeError):
            raise InputError.single(
                "<economy>",
                "field",
                "known per-sector fields: " + ", ".join(f.name for f in SECTOR_FIELDS),
                f"unknown field {field_name!r:.60}",
            ) from None

    @property
    def gross_output(self) -> FloatArray:
        """Base-year gross output x."""
        return self.vectors["gross_output"]

    @property
    def labour(self) -> FloatArray:
        """Labour per unit of output l."""
        return self.vectors["labour"]

    @property
    def capacity(self) -> FloatArray:
        """Productive capacity per year."""
        return self.vectors["capacity"]

    @property
    def final_demand(self) -> FloatArray:
        """Base-year final demand y.

        Consumption + state + investment + stocks + exports - imports.
        """
        v = self.vectors
        return (
            v["consumption"]
            + v["state"]
            + v["investment"]
            + v["stocks"]
            + v["exports"]
            - v["imports"]
        )

    def indicator_values(self) -> dict[str, float]:
        """Each physical indicator at base-year gross output."""
        x = self.gross_output
        return {i.name: i.per_unit * float(x[self.index(i.sector)]) for i in self.indicators}

    def replace(self, **changes: Any) -> Economy:
        """A new, validated Economy with some parts changed (vectors merge per field)."""
        new_vectors, new_scalars = changes.pop("vectors", {}), changes.pop("scalars", {})
        wrong = _field_mapping_problems(new_vectors, new_scalars)
        if wrong:
            raise InputError(wrong)
        vectors = {k: self.vectors[k] for k in self.given if k in self.vectors}
        vectors.update(new_vectors)
        scalars = {k: v for k, v in self.scalars.items() if f"scalars.{k}" in self.given}
        scalars.update(new_scalars)
        args: dict[str, Any] = {
            "name": self.name,
            "sectors": self.sectors,
            "A": self.A,
            "B": self.B,
            "indicators": self.indicators,
            "sources": self.sources,
            "title": self.title,
            "description": self.description,
            "base_year": self.base_year,
            "value_unit": self.value_unit,
            "labour_unit": self.labour_unit,
            "currency_unit": self.currency_unit,
            "balance_tolerance": self.balance_tolerance,
        }
        args.update(changes)
        return Economy.build(vectors=vectors, scalars=scalars, **args)

    def equals(self, other: Economy) -> bool:
        """Exact equality of every label, number and text."""
        if not isinstance(other, Economy):
            return False
        same_meta = all(
            getattr(self, k) == getattr(other, k)
            for k in (
                "name",
                "sectors",
                "title",
                "description",
                "base_year",
                "value_unit",
                "labour_unit",
                "currency_unit",
                "balance_tolerance",
                "indicators",
                "given",
            )
        )
        return (
            same_meta
            and dict(self.sources) == dict(other.sources)
            and dict(self.scalars) == dict(other.scalars)
            and all(
                np.array_equal(self.vectors[k], other.vectors[k], equal_nan=True)
                for k in self.vectors
            )
            and set(self.vectors) == set(other.vectors)
            and _sparse_equal(self.A, other.A)
            and _sparse_equal(self.B, other.B)
        )

    def __repr__(self) -> str:
        return f"Economy(name={self.name!r}, n={self.n}, base_year={self.base_year!r})"


def _sparse_equal(a: sp.csr_array, b: sp.csr_array) -> bool:
    if a.shape != b.shape:
        return False
    # The stubs type != as bool; for sparse arrays it is a sparse array of booleans.
    different = cast(sp.csr_array, a != b)
    return different.nnz == 0


def _problems(e: Economy, origin: Mapping[str, str]) -> list[Problem]:
    """Every rule an assembled economy must obey.

    The checks that need valid numbers run when those numbers are valid:
    productivity when A is, the base-year balance when A and the vectors are.
    """

    def where(key: str) -> str:
        return origin.get(key, "<economy>")

    names = [s.name for s in e.sectors]
    n = len(names)
    problems: list[Problem] = []
    if not isinstance(e.name, str) or not ECONOMY_NAME_PATTERN.match(e.name):
        problems.append(
            Problem(
                where("meta"),
                "name",
                "a name uses a-z, 0-9, _ and - and starts with a letter or digit",
                f"malformed name {e.name!r}",
            )
        )
    problems += validate.check_names(names, where("sectors"), "sectors")
    matrix_problems: dict[str, list[Problem]] = {}
    for key in MATRIX_FIELDS:
        mat = getattr(e, key)
        if mat.shape != (n, n):
            found = [Problem(where(key), key, "shape is sectors x sectors", f"shape {mat.shape}")]
        else:
            found = validate.check_matrix(mat, names, where(key), key)
        matrix_problems[key] = found
        problems += found
    vector_problems: list[Problem] = []
    for spec in SECTOR_FIELDS:
        arr = e.vectors.get(spec.name)
        if arr is None or arr.shape != (n,):
            vector_problems.append(
                Problem(where(spec.name), spec.name, "one value per sector", "missing")
            )
            continue
        vector_problems += validate.check_vector(arr, spec.rule, names, where(spec.name), spec.name)
    if not vector_problems:
        for spec in SECTOR_FIELDS:
            if spec.positive_where is not None:
                vector_problems += validate.check_positive_where(
                    e.vectors[spec.name],
                    e.vectors[spec.positive_where],
                    names,
                    where(spec.name),
                    spec.name,
                    spec.positive_where,
                )
    problems += vector_problems
    for spec in SCALAR_FIELDS:
        value = e.scalars.get(spec.name)
        if value is None:
            problems.append(
                Problem(where("scalars"), f"scalars.{spec.name}", "required", "missing")
            )
        else:
            problems += validate.check_scalar(
                value, spec.rule, where("scalars"), f"scalars.{spec.name}"
            )
    tolerance = validate.check_scalar(
        e.balance_tolerance, BALANCE_TOLERANCE.rule, where("meta"), "balance_tolerance"
    )
    problems += tolerance
    tolerance_ok = not tolerance
    problems += indicator_problems(e.indicators, names, where("indicators"))
    if len(set(names)) != n:
        return problems
    if not matrix_problems["A"]:
        problems += validate.check_productive(e.A, names, where("A"))
        if not vector_problems and tolerance_ok:
            problems += _balance_problems(e, names, where("gross_output"))
    return problems


def indicator_problems(
    indicators: Sequence[Indicator], names: Sequence[str], file: str
) -> list[Problem]:
    """Indicators have unique names, a known sector, a number >= 0 and a source."""
    problems = [
        Problem(p.file, f"indicators.{p.sector}", p.rule, p.message)
        for p in validate.check_names([i.name for i in indicators], file, "indicators")
    ]
    known = set(names)
    for ind in indicators:
        field_name = f"indicators.{ind.name}"
        if ind.sector not in known:
            problems.append(
                Problem(file, field_name, "sector is a known sector", "unknown", sector=ind.sector)
            )
        problems += validate.check_scalar(ind.per_unit, PER_UNIT.rule, file, field_name)
        if not ind.source.strip():
            problems.append(Problem(file, field_name, "every number has a source", "empty source"))
    return problems


def _balance_problems(e: Economy, names: list[str], file: str) -> list[Problem]:
    """The base year must balance: x = A x + y, row by row, to the tolerance."""
    x = e.gross_output
    # Huge (finite) numbers may overflow here; a row that does is reported as unbalanced.
    with np.errstate(over="ignore", invalid="ignore"):
        used = e.A @ x + e.final_demand
        scale = np.maximum(np.abs(x), 1e-12)
        balanced = np.abs(x - used) <= e.balance_tolerance * scale + 1e-9
    bad = np.flatnonzero(~balanced).tolist()
    return [
        Problem(
            file,
            "gross_output",
            f"base year balances: x = A x + final demand, within {e.balance_tolerance:g} of x",
            f"gross output {x[i]:.6g} but A x + final demand = {used[i]:.6g}",
            sector=names[i],
        )
        for i in bad
    ]
