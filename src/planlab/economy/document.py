"""The YAML file of an economy, as pydantic models: parsed strictly, and the JSON Schema source.

The CSV files beside it hold the numbers; this document holds metadata, sector
labels, economy-wide scalars, physical indicators and a source for every number.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from planlab.documents import DOCUMENT_CONFIG
from planlab.economy.fields import (
    BALANCE_TOLERANCE,
    DEFAULT_BALANCE_TOLERANCE,
    PER_UNIT,
    SCALAR_FIELDS,
    SECTOR_FIELDS,
    FieldSpec,
)

__all__ = [
    "FORMAT",
    "EconomyDocument",
    "FileNames",
    "IndicatorEntry",
    "ScalarEntry",
    "SectorEntry",
    "Units",
    "json_schema",
]

FORMAT = "planlab-economy/1"
NAME = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = DOCUMENT_CONFIG


class SectorEntry(_Strict):
    """A sector's label; its numbers are in the sectors CSV file."""

    name: str = Field(pattern=NAME, description="Label used in every CSV file.")
    title: str = Field("", description="Readable name.")
    group: str = Field("", description="Free grouping, e.g. 'agriculture' or 'industry, group A'.")


class ScalarEntry(_Strict):
    """An economy-wide number with its unit and source."""

    value: float = Field(description="The number.")
    source: str = Field("", description="Publication and table, or 'assumption: why'.")
    unit: str = Field("", description="Unit, for the reader.")


class IndicatorEntry(_Strict):
    """A physical measure of a sector's output (per_unit times gross output)."""

    name: str = Field(pattern=NAME, description="Name; use the historical record's names.")
    sector: str = Field(pattern=NAME, description="The sector it measures.")
    per_unit: float = Field(description=PER_UNIT.description)
    unit: str = Field(description="Physical unit, e.g. 'million tonnes'.")
    source: str = Field(min_length=1, description="Publication and table, or 'assumption: why'.")
    description: str = ""


class Units(_Strict):
    """Units the numbers are given in."""

    value: str = Field("value unit", description="Unit of output and final demand.")
    labour: str = Field("workers", description="Unit of labour and the labour force.")
    currency: str = Field("currency unit", description="Unit of foreign exchange.")


class FileNames(_Strict):
    """CSV files, relative to the YAML file."""

    sectors: str = Field("sectors.csv", description="One row per sector, one column per field.")
    A: str = Field("A.csv", description="Input coefficients: square, or long (input,sector,value).")
    B: str | None = Field(None, description="Capital coefficients; zero if absent.")


class EconomyDocument(_Strict):
    """The YAML file of an economy."""

    format: Literal["planlab-economy/1"] = Field(description="Format name and version.")
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", description="Short name of the economy.")
    title: str = ""
    description: str = ""
    base_year: str = Field("", description="The year the numbers describe, e.g. '1927/28'.")
    units: Units = Units()
    balance_tolerance: float = Field(
        DEFAULT_BALANCE_TOLERANCE, description=BALANCE_TOLERANCE.description
    )
    sectors: list[SectorEntry] = Field(min_length=1)
    files: FileNames = FileNames()
    scalars: dict[str, ScalarEntry] = Field(
        description="Economy-wide numbers: "
        + ", ".join(f"{f.name} ({'required' if f.required else 'optional'})" for f in SCALAR_FIELDS)
    )
    indicators: list[IndicatorEntry] = []
    sources: dict[str, str] = Field(
        default_factory=dict,
        description="Source of the CSV numbers, keyed FIELD, FIELD.SECTOR, MATRIX, "
        "MATRIX.INPUT.SECTOR, MATRIX.*.SECTOR or MATRIX.INPUT.*",
    )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the YAML file, with every bound and the sector CSV columns documented.

    The bounds come from the field specs (``planlab.economy.fields``), the one place
    they are declared.
    """
    schema = EconomyDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "planlab economy (YAML part)"
    for properties, spec in (
        (schema["properties"], BALANCE_TOLERANCE),
        (schema["$defs"]["IndicatorEntry"]["properties"], PER_UNIT),
    ):
        properties[spec.name].update(minimum=spec.rule.low, maximum=spec.rule.high)
    schema["x-scalars"] = {f.name: _described(f) for f in SCALAR_FIELDS}
    schema["x-sector-csv-columns"] = {f.name: _described(f) for f in SECTOR_FIELDS}
    return schema


def _described(f: FieldSpec) -> dict[str, Any]:
    return {
        "unit": f.unit,
        "rule": f.rule_text,
        "required": f.required,
        "default": f.default_from or f.default,
        "description": f.description,
    }
