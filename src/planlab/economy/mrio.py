"""Economies from real input-output tables, through pymrio.

``from_pymrio`` turns a pymrio ``IOSystem`` (EXIOBASE, WIOD, EORA, OECD ICIO and the
rest that pymrio parses) into an Economy: every region and sector becomes a branch
named ``region_sector``, A and x come from the system, final demand is split into
consumption, state, investment, stocks and exports by the names of pymrio's
final-demand categories, and labour comes from a row of one of its extensions.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from planlab.economy.model import Economy, Sector
from planlab.errors import InputError

__all__ = ["FINAL_DEMAND_KEYWORDS", "from_pymrio"]

FINAL_DEMAND_KEYWORDS = MappingProxyType(
    {
        "consumption": ("household", "npish", "non-profit"),
        "state": ("government",),
        "investment": ("fixed capital",),
        "stocks": ("inventor", "valuables"),
        "exports": ("export",),
    }
)
"""Which pymrio final-demand categories go to which final-demand field (first match wins)."""


def _label(*parts: object) -> str:
    text = "_".join(str(p) for p in parts).lower()
    text = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return text if text and text[0].isalpha() else f"s_{text}"


def _field_of(category: str) -> str:
    lowered = category.lower()
    for field, keys in FINAL_DEMAND_KEYWORDS.items():
        if any(k in lowered for k in keys):
            return field
    return "consumption"


def from_pymrio(
    io: Any,
    name: str,
    *,
    labour: tuple[str, str] = ("factor_inputs", "Value Added"),
    source: str = "pymrio IOSystem",
    title: str = "",
) -> Economy:
    """An Economy from a pymrio IOSystem (``calc_all`` is run if A or x are missing).

    ``labour`` names an extension and a row of its ``F`` account; its values per unit
    of output become the labour coefficients (the default, value added, is a stand-in
    where the table has no employment account, and the sources say so).
    """
    if getattr(io, "A", None) is None or getattr(io, "x", None) is None:
        io.calc_all()
    A = np.asarray(io.A, dtype=float)
    x = np.asarray(io.x, dtype=float).reshape(-1)
    index = io.A.index
    names = [_label(*key) if isinstance(key, tuple) else _label(key) for key in index]
    if len(set(names)) != len(names):
        raise InputError.single(source, "sectors", "names are unique", "two labels collide")
    extension_name, row = labour
    extension = getattr(io, extension_name, None)
    if extension is None or row not in extension.F.index:
        raise InputError.single(
            source, "labour", "an existing extension row", f"no row {row!r} in {extension_name!r}"
        )
    flows = np.asarray(extension.F.loc[row], dtype=float).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_unit = np.where(x > 0, flows / np.where(x > 0, x, 1.0), 0.0)
    Y: pd.DataFrame = io.Y
    categories = Y.columns.get_level_values(-1)
    vectors: dict[str, np.ndarray] = {"gross_output": x, "labour": per_unit}
    for field in FINAL_DEMAND_KEYWORDS:
        chosen = np.array([_field_of(str(c)) == field for c in categories])
        total = (
            np.asarray(Y.loc[:, chosen].sum(axis=1), dtype=float)
            if chosen.any()
            else np.zeros(x.size)
        )
        if field == "stocks":
            vectors[field] = total
        else:
            vectors["stocks"] = vectors.get("stocks", np.zeros(x.size)) + np.minimum(total, 0.0)
            vectors[field] = np.maximum(total, 0.0)
    labour_source = (
        f"{source}: extension {extension_name}, row {row!r}, per unit of gross output"
        + (
            "; assumption: value added per unit of output stands in for labour, as the table "
            "has no employment account"
            if row.lower() == "value added"
            else ""
        )
    )
    sources = {
        "A": f"{source}: technical coefficients A",
        "gross_output": f"{source}: gross output x",
        "labour": labour_source,
        **{
            field: f"{source}: final demand Y, categories {', '.join(FINAL_DEMAND_KEYWORDS[field])}"
            for field in FINAL_DEMAND_KEYWORDS
        },
        "scalars.labour_force": f"{source}: the labour the base year uses (labour times output)",
    }
    return Economy.build(
        name=name,
        sectors=[
            Sector(n, " ".join(str(p) for p in (k if isinstance(k, tuple) else (k,))))
            for n, k in zip(names, index, strict=True)
        ],
        A=A,
        vectors=vectors,
        scalars={"labour_force": float(per_unit @ x)},
        sources=sources,
        title=title or f"Input-output economy from {source}",
        base_year=str(getattr(io, "year", "") or ""),
        value_unit=str(
            getattr(io, "unit", "value unit")
            if isinstance(getattr(io, "unit", None), str)
            else "value unit"
        ),
    )
