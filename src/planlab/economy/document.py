"""The YAML file of an economy, as pydantic models: parsed strictly, and the JSON Schema source.

The CSV files beside it hold the numbers; this document holds metadata, sector
labels, economy-wide scalars, physical indicators and a source for every number.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from planlab.economy.fields import SCALAR_FIELDS, SECTOR_FIELDS

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
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    per_unit: float = Field(ge=0, description="Physical units per value unit of gross output.")
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
        1e-3, ge=0, description="Largest base-year imbalance, as a share of gross output."
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
    """The JSON Schema of the YAML file, with the sector CSV columns documented."""
    schema = EconomyDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "planlab economy (YAML part)"
    schema["x-sector-csv-columns"] = {
        f.name: {
            "unit": f.unit,
            "rule": f.rule.value,
            "required": f.required,
            "default": f.default_from or f.default,
            "description": f.description,
        }
        for f in SECTOR_FIELDS
    }
    return schema
