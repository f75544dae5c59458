"""Rules an economy must obey, checked on arrays; each broken rule is one Problem.

These functions are pure: they take arrays and labels and return the problems
found, so that the loader and the in-memory constructor share one set of rules.
"""

from __future__ import annotations

import itertools
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from typing import TypeGuard

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse import csgraph

from planlab.economy.fields import COEFFICIENT, SECTOR_FIELDS, Rule
from planlab.economy.linalg import LeontiefSystem
from planlab.errors import Problem

__all__ = [
    "NAME_PATTERN",
    "check_matrix",
    "check_names",
    "check_positive_where",
    "check_productive",
    "check_scalar",
    "check_sources",
    "check_vector",
    "float_array",
    "is_number",
    "real_value",
    "spectral_radius",
]

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
"""Sector, indicator and field names: lower case, digits and underscores."""

_DENSE_EIG_LIMIT = 400


_NUMERIC_KINDS = "biuf"
"""numpy dtype kinds that hold real numbers: booleans, integers and floats."""


def is_number(value: object) -> TypeGuard[float]:
    """Whether ``value`` is one real number (a bool, a text or None is not)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def real_value(value: object) -> float | None:
    """``value`` as a float if it is one real number, else None; an integer too large for
    a float becomes an infinity of its sign, which every bound then refuses."""
    if not is_number(value):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def float_array(raw: object) -> NDArray[np.float64]:
    """Numbers (a list, an array) as a float array; TypeError or ValueError naming the problem.

    Texts, None, complex numbers and objects are refused rather than converted, and
    so are integers too large for a float.
    """
    arr = np.asarray(raw)
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"real numbers expected, got values of type {arr.dtype}")
    with np.errstate(over="raise"):
        try:
            return np.asarray(arr, dtype=np.float64)
        except FloatingPointError:
            raise ValueError("a number too large for a float") from None


def check_names(names: Sequence[str], file: str, field: str) -> list[Problem]:
    """Names must be well formed and unique."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for name in names:
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            problems.append(
                Problem(
                    file,
                    field,
                    "names use a-z, 0-9 and _ and start with a letter",
                    f"malformed name {name!r}",
                    sector=str(name),
                )
            )
        elif name in seen:
            problems.append(
                Problem(file, field, "names are unique", "name given twice", sector=name)
            )
        seen.add(name)
    return problems


def _rule_violations(values: NDArray[np.float64], rule: Rule) -> NDArray[np.bool_]:
    """Mask of entries that break ``rule`` (non-finite entries always do)."""
    bad = ~np.isfinite(values)
    finite = np.where(bad, 0.0, values)
    bad |= (finite < rule.low) | (finite > rule.high)
    if rule.whole:
        bad |= finite != np.round(finite)
    return bad


def check_positive_where(
    values: NDArray[np.float64],
    others: NDArray[np.float64],
    sectors: Sequence[str],
    file: str,
    field: str,
    other: str,
) -> list[Problem]:
    """Each sector's value must be > 0 where the other field's is (a cross-field rule)."""
    bad = np.flatnonzero((others > 0) & ~(values > 0))
    return [
        Problem(
            file,
            field,
            f"{field} > 0 where {other} > 0",
            f"value {float(values[i])!r} with {other} {float(others[i])!r}",
            sector=sectors[i],
        )
        for i in bad.tolist()
    ]


def check_vector(
    values: NDArray[np.float64],
    rule: Rule,
    sectors: Sequence[str],
    file: str,
    field: str,
) -> list[Problem]:
    """Each sector's value must obey the field's rule."""
    bad = np.flatnonzero(_rule_violations(values, rule))
    return [
        Problem(
            file, field, f"{field} {rule.value}", f"value {float(values[i])!r}", sector=sectors[i]
        )
        for i in bad.tolist()
    ]


def check_scalar(value: float, rule: Rule, file: str, field: str) -> list[Problem]:
    """An economy-wide value must obey its field's rule."""
    number = real_value(value)
    if number is None or _rule_violations(np.array([number]), rule)[0]:
        return [Problem(file, field, f"{field} {rule.value}", f"value {value!r:.60}")]
    return []


def check_matrix(
    matrix: sp.csr_array, sectors: Sequence[str], file: str, field: str
) -> list[Problem]:
    """Coefficients must obey the coefficient rule (finite, >= 0, bounded)."""
    coo = matrix.tocoo()
    bad = _rule_violations(np.asarray(coo.data, dtype=np.float64), COEFFICIENT)
    problems = []
    for k in np.flatnonzero(bad).tolist():
        i, j = int(coo.row[k]), int(coo.col[k])
        problems.append(
            Problem(
                file,
                field,
                f"coefficients {COEFFICIENT.value}",
                f"coefficient {float(coo.data[k])!r} for input '{sectors[i]}'",
                sector=sectors[j],
            )
        )
    return problems


def spectral_radius(matrix: sp.csr_array) -> float:
    """Largest absolute eigenvalue of a square matrix (dense for small, ARPACK for large).

    The matrix is scaled by its largest entry first, so that huge (finite)
    coefficients do not overflow inside the eigenvalue routine.
    """
    n = matrix.shape[0]
    if n == 0 or matrix.nnz == 0:
        return 0.0
    scale = float(np.max(np.abs(matrix.data)))
    if not np.isfinite(scale):
        return float("nan")
    if scale == 0.0:
        return 0.0
    scaled = sp.csr_array(matrix / scale)
    if n <= _DENSE_EIG_LIMIT:
        return scale * float(np.max(np.abs(np.linalg.eigvals(scaled.toarray()))))
    from scipy.sparse.linalg import ArpackNoConvergence, eigs

    try:
        values = eigs(scaled, k=1, which="LM", return_eigenvectors=False, tol=1e-10)
        return scale * float(np.abs(values[0]))
    except ArpackNoConvergence:
        return scale * float(np.max(np.abs(np.linalg.eigvals(scaled.toarray()))))


def check_productive(A: sp.csr_array, sectors: Sequence[str], file: str) -> list[Problem]:
    """A must be productive: spectral radius below 1 (Hawkins-Simon).

    The spectral radius of a non-negative matrix is the largest over its strongly
    connected blocks, so each block whose own radius reaches 1 is reported with
    the sectors in it: those are the sectors that cannot produce a surplus.
    """
    n = A.shape[0]
    if n == 0 or A.nnz == 0:
        return []
    if LeontiefSystem(A).certifies_productive():
        return []
    count, labels = csgraph.connected_components(A, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=count)
    rule = "A is productive: spectral radius < 1 (Hawkins-Simon)"
    diagonal = A.diagonal()
    lone = np.flatnonzero((sizes[labels] == 1) & ~(diagonal < 1.0 - 1e-12))
    problems = [
        Problem(
            file, "A", rule, f"spectral radius {float(diagonal[i]):.6g} among sectors {sectors[i]}"
        )
        for i in lone.tolist()
    ]
    for block in np.flatnonzero(sizes > 1).tolist():
        members = np.flatnonzero(labels == block)
        sub = sp.csr_array(A[members][:, members])
        # Perron-Frobenius: the radius is at most the largest column (and row) sum.
        bound = min(float(np.max(sub.sum(axis=0))), float(np.max(sub.sum(axis=1))))
        if bound < 1.0 - 1e-12:
            continue
        rho = spectral_radius(sub)
        if not rho < 1.0 - 1e-12:
            names = ", ".join(sectors[i] for i in members[:12].tolist())
            if members.size > 12:
                names += f", ... ({members.size} sectors)"
            problems.append(
                Problem(file, "A", rule, f"spectral radius {rho:.6g} among sectors {names}")
            )
    return problems


def _source_key_ok(key: str, sectors: set[str], vector_names: set[str]) -> bool:
    parts = key.split(".")
    head, rest = parts[0], parts[1:]
    if head in ("A", "B"):
        return not rest or (
            len(rest) == 2 and all(p == "*" or p in sectors for p in rest) and rest != ["*", "*"]
        )
    if head in vector_names:
        return not rest or (len(rest) == 1 and rest[0] in sectors)
    return False


def check_sources(
    sources: Mapping[str, str],
    sectors: Sequence[str],
    given_vectors: Sequence[str],
    matrices: Mapping[str, sp.csr_array],
    file: str,
) -> list[Problem]:
    """Every number in the CSV files has a source, and every source key names something.

    Keys: ``FIELD`` (all sectors), ``FIELD.SECTOR``, ``A`` (whole matrix),
    ``A.INPUT.SECTOR`` (one cell), ``A.*.SECTOR`` (a column), ``A.INPUT.*`` (a row).
    """
    names = set(sectors)
    vector_names = {f.name for f in SECTOR_FIELDS}
    problems = []
    for key, text in sources.items():
        if not _source_key_ok(key, names, vector_names):
            problems.append(
                Problem(
                    file,
                    f"sources.{key}",
                    "a source key is FIELD, FIELD.SECTOR, MATRIX or "
                    "MATRIX.INPUT.SECTOR (* allowed)",
                    "names no known field, sector or cell",
                )
            )
        elif not isinstance(text, str) or not text.strip():
            problems.append(
                Problem(file, f"sources.{key}", "a source is a non-empty text", "empty source")
            )
    rule = "every number has a source (a publication and table, or 'assumption: reason')"
    for field in given_vectors:
        if field in sources:
            continue
        missing = [s for s in sectors if f"{field}.{s}" not in sources]
        problems.extend(
            Problem(file, f"sources.{field}", rule, "no source given", sector=s) for s in missing
        )
    index = {s: i for i, s in enumerate(sectors)}
    n = len(sectors)
    for name in matrices:
        if name in sources:
            continue
        row_cov = np.zeros(n, dtype=bool)
        col_cov = np.zeros(n, dtype=bool)
        cells: set[tuple[int, int]] = set()
        for key in sources:
            parts = key.split(".")
            if parts[0] != name or len(parts) != 3:
                continue
            src, dst = parts[1], parts[2]
            if src == "*" and dst in index:
                col_cov[index[dst]] = True
            elif dst == "*" and src in index:
                row_cov[index[src]] = True
            elif src in index and dst in index:
                cells.add((index[src], index[dst]))
        open_rows = np.flatnonzero(~row_cov).tolist()
        open_cols = np.flatnonzero(~col_cov).tolist()
        # Stops at the tenth gap: at most len(cells) + 10 cells are looked at.
        uncovered = itertools.islice(
            ((i, j) for j in open_cols for i in open_rows if (i, j) not in cells), 10
        )
        for i, j in uncovered:
            problems.append(
                Problem(
                    file,
                    f"sources.{name}",
                    rule,
                    f"no source for the coefficient of input '{sectors[i]}'",
                    sector=sectors[j],
                )
            )
    return problems
