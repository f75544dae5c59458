"""The schema as data: every per-sector and economy-wide attribute, declared once.

One table drives loading, validation, defaults and the format documentation,
in the manner of PyPSA's component attribute tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = [
    "MATRIX_FIELDS",
    "SCALAR_FIELDS",
    "SECTOR_FIELDS",
    "FieldSpec",
    "Rule",
    "scalar_spec",
    "sector_spec",
]


class Rule(Enum):
    """The admissible range of a numeric attribute."""

    NONNEGATIVE = "must be >= 0"
    POSITIVE = "must be > 0"
    FRACTION = "must lie in [0, 1]"
    ANY = "must be finite"
    INTEGER_NONNEGATIVE = "must be a whole number >= 0"
    BOOLEAN = "must be true or false"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One attribute: its name, unit, rule, meaning and default.

    ``default`` of None marks a required attribute; ``default_from`` names another
    attribute whose values stand in when this one is not given.
    """

    name: str
    unit: str
    rule: Rule
    description: str
    default: float | None = None
    default_from: str | None = None

    @property
    def required(self) -> bool:
        """Whether a file must give this attribute."""
        return self.default is None and self.default_from is None


SECTOR_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("gross_output", "value unit", Rule.NONNEGATIVE, "Gross output in the base year (x)."),
    FieldSpec(
        "labour",
        "labour unit per value unit",
        Rule.NONNEGATIVE,
        "Workers needed per unit of gross output (l).",
    ),
    FieldSpec(
        "capacity",
        "value unit per year",
        Rule.NONNEGATIVE,
        "Largest gross output the existing equipment allows; gross output if not given.",
        default_from="gross_output",
    ),
    FieldSpec(
        "depreciation",
        "fraction per year",
        Rule.FRACTION,
        "Share of capacity worn out each year (delta).",
        default=0.0,
    ),
    FieldSpec(
        "construction_lag",
        "years",
        Rule.INTEGER_NONNEGATIVE,
        "Years from investment to new capacity.",
        default=0.0,
    ),
    FieldSpec(
        "consumption",
        "value unit",
        Rule.NONNEGATIVE,
        "Household consumption in the base year (part of final demand).",
        default=0.0,
    ),
    FieldSpec(
        "state",
        "value unit",
        Rule.NONNEGATIVE,
        "State (government) consumption in the base year (part of final demand).",
        default=0.0,
    ),
    FieldSpec(
        "investment",
        "value unit",
        Rule.NONNEGATIVE,
        "Deliveries to fixed capital formation in the base year (part of final demand).",
        default=0.0,
    ),
    FieldSpec(
        "stocks",
        "value unit",
        Rule.ANY,
        "Change in stocks in the base year (part of final demand, may be negative).",
        default=0.0,
    ),
    FieldSpec(
        "exports",
        "value unit",
        Rule.NONNEGATIVE,
        "Exports in the base year (part of final demand).",
        default=0.0,
    ),
    FieldSpec(
        "imports",
        "value unit",
        Rule.NONNEGATIVE,
        "Competitive imports in the base year (subtracted from final demand).",
        default=0.0,
    ),
    FieldSpec(
        "export_demand",
        "value unit per year",
        Rule.NONNEGATIVE,
        "Most that foreign buyers take in the base year; 0 means not exportable.",
        default=0.0,
    ),
    FieldSpec(
        "importable",
        "true/false",
        Rule.BOOLEAN,
        "Whether the good can be bought abroad.",
        default=0.0,
    ),
    FieldSpec(
        "export_price",
        "currency unit per value unit",
        Rule.NONNEGATIVE,
        "World price received per unit exported.",
        default=0.0,
    ),
    FieldSpec(
        "import_price",
        "currency unit per value unit",
        Rule.NONNEGATIVE,
        "World price paid per unit imported.",
        default=0.0,
    ),
)
"""Per-sector vectors, one column each in the sectors CSV file."""


SCALAR_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "labour_force",
        "labour unit",
        Rule.NONNEGATIVE,
        "Workers available to the sectors in the base year (L).",
    ),
    FieldSpec(
        "labour_force_growth",
        "fraction per year",
        Rule.ANY,
        "Yearly growth of the labour force.",
        default=0.0,
    ),
    FieldSpec(
        "fx_reserves",
        "currency unit",
        Rule.NONNEGATIVE,
        "Foreign-exchange reserves at the start.",
        default=0.0,
    ),
    FieldSpec(
        "credit_limit",
        "currency unit per year",
        Rule.NONNEGATIVE,
        "Foreign credit that can be drawn each year.",
        default=0.0,
    ),
    FieldSpec(
        "export_demand_growth",
        "fraction per year",
        Rule.ANY,
        "Yearly change of foreign demand for exports (negative in a world crisis).",
        default=0.0,
    ),
)
"""Economy-wide numbers, each with its value and source in the YAML file."""


MATRIX_FIELDS: dict[str, str] = {
    "A": "Current input of each good (row) per unit of gross output of each sector (column).",
    "B": "Capital stock of each good (row) per unit of new capacity of each sector (column).",
}
"""The square matrices; A is required, B defaults to zero."""


_SECTOR_BY_NAME = {f.name: f for f in SECTOR_FIELDS}
_SCALAR_BY_NAME = {f.name: f for f in SCALAR_FIELDS}


def sector_spec(name: str) -> FieldSpec | None:
    """The per-sector field called ``name``, if there is one."""
    return _SECTOR_BY_NAME.get(name)


def scalar_spec(name: str) -> FieldSpec | None:
    """The economy-wide field called ``name``, if there is one."""
    return _SCALAR_BY_NAME.get(name)
