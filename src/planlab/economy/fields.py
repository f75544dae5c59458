"""The schema as data: every per-sector and economy-wide attribute, declared once.

One table drives loading, validation, defaults and the format documentation,
in the manner of PyPSA's component attribute tables. Every number has bounds
that make economic sense; a rule's text, as the docs and error messages show
it, is generated from its bounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "AMOUNT_LIMIT",
    "BALANCE_TOLERANCE",
    "BOOLEAN",
    "COEFFICIENT",
    "DEFAULT_BALANCE_TOLERANCE",
    "DOCUMENT_FIELDS",
    "MATRIX_FIELDS",
    "PER_UNIT",
    "SCALAR_FIELDS",
    "SECTOR_FIELDS",
    "FieldSpec",
    "Rule",
    "scalar_spec",
    "sector_spec",
]

AMOUNT_LIMIT = 1e15
"""Largest magnitude of an amount or coefficient, in its own unit. The plan LP's solver
(HiGHS) reads 1e20 as infinite and loses precision long before, and plans grow amounts
over their years; an economy whose numbers are larger is given in a larger unit
(thousand or million) instead. Assumption: no table needs 15 digits before the point."""

LONGEST_CONSTRUCTION_LAG = 30
"""Most years from investment to new capacity. Assumption: the longest projects of the
record (large dams, canals, power stations) took 10-20 years; 30 leaves room and keeps
the plan's and the simulator's pipelines short."""

DEFAULT_BALANCE_TOLERANCE = 1e-3
"""Base-year rows balance to this share of gross output unless a file says otherwise."""

LARGEST_BALANCE_TOLERANCE = 0.05
"""Largest base-year imbalance a file may allow, as a share of gross output. Published
tables balance to rounding (well below 1 %); 5 % still catches a table that does not
balance, where a larger tolerance would switch the rule off."""


@dataclass(frozen=True, slots=True)
class Rule:
    """The admissible values of a number: a closed range, whole numbers, or true/false.

    ``value`` is the rule as a reader sees it, in error messages and the docs.
    """

    low: float
    high: float
    whole: bool = False
    boolean: bool = False

    @property
    def value(self) -> str:
        """The rule in words, e.g. 'must be a whole number >= 0 and <= 30'."""
        if self.boolean:
            return "must be true or false"
        kind = "a whole number " if self.whole else ""
        return f"must be {kind}>= {self.low:g} and <= {self.high:g}"


def _amount(*, signed: bool = False) -> Rule:
    """An amount in its unit: finite, at most AMOUNT_LIMIT in size, >= 0 unless signed."""
    return Rule(-AMOUNT_LIMIT if signed else 0.0, AMOUNT_LIMIT)


FRACTION = Rule(0.0, 1.0)
BOOLEAN = Rule(0.0, 1.0, whole=True, boolean=True)
COEFFICIENT = _amount()
"""Every coefficient of A and B."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One attribute: its name, unit, rule, meaning and default.

    ``default`` of None marks a required attribute; ``default_from`` names another
    attribute whose values stand in when this one is not given. ``positive_where``
    names a field: wherever that field is > 0, this one must be too (a cross-field rule).
    """

    name: str
    unit: str
    rule: Rule
    description: str
    default: float | None = None
    default_from: str | None = None
    positive_where: str | None = None

    @property
    def required(self) -> bool:
        """Whether a file must give this attribute."""
        return self.default is None and self.default_from is None

    @property
    def rule_text(self) -> str:
        """Every rule of the attribute in words, as the docs and messages show it."""
        if self.positive_where is None:
            return self.rule.value
        return f"{self.rule.value}; > 0 where {self.positive_where} > 0"


SECTOR_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("gross_output", "value unit", _amount(), "Gross output in the base year (x)."),
    FieldSpec(
        "labour",
        "labour unit per value unit",
        _amount(),
        "Workers needed per unit of gross output (l).",
    ),
    FieldSpec(
        "capacity",
        "value unit per year",
        _amount(),
        "Largest gross output the existing equipment allows; gross output if not given. "
        "A sector that produces has capacity (utilisation is output over capacity).",
        default_from="gross_output",
        positive_where="gross_output",
    ),
    FieldSpec(
        "depreciation",
        "fraction per year",
        FRACTION,
        "Share of capacity worn out each year (delta).",
        default=0.0,
    ),
    FieldSpec(
        "construction_lag",
        "years",
        Rule(0.0, LONGEST_CONSTRUCTION_LAG, whole=True),
        "Years from investment to new capacity.",
        default=0.0,
    ),
    FieldSpec(
        "expansion_under_way",
        "fraction of capacity per year",
        FRACTION,
        "New capacity the projects under way on the first day add each year, as a share of "
        "base capacity: the base year's expansion programme, started evenly month by month "
        "over the construction period and finishing month by month after the start with its "
        "remaining materials still to be delivered; 0: only replacement is under way.",
        default=0.0,
    ),
    FieldSpec(
        "consumption",
        "value unit",
        _amount(),
        "Household consumption in the base year (part of final demand).",
        default=0.0,
    ),
    FieldSpec(
        "state",
        "value unit",
        _amount(),
        "State (government) consumption in the base year (part of final demand).",
        default=0.0,
    ),
    FieldSpec(
        "investment",
        "value unit",
        _amount(),
        "Deliveries to fixed capital formation in the base year (part of final demand).",
        default=0.0,
    ),
    FieldSpec(
        "stocks",
        "value unit",
        _amount(signed=True),
        "Change in stocks in the base year (part of final demand, may be negative).",
        default=0.0,
    ),
    FieldSpec(
        "exports",
        "value unit",
        _amount(),
        "Exports in the base year (part of final demand).",
        default=0.0,
    ),
    FieldSpec(
        "imports",
        "value unit",
        _amount(),
        "Competitive imports in the base year (subtracted from final demand).",
        default=0.0,
    ),
    FieldSpec(
        "export_demand",
        "value unit per year",
        _amount(),
        "Most that foreign buyers take in the base year; 0 means not exportable.",
        default=0.0,
    ),
    FieldSpec(
        "importable",
        "true/false",
        BOOLEAN,
        "Whether the good can be bought abroad.",
        default=0.0,
    ),
    FieldSpec(
        "export_price",
        "currency unit per value unit",
        _amount(),
        "World price received per unit exported.",
        default=0.0,
    ),
    FieldSpec(
        "import_price",
        "currency unit per value unit",
        _amount(),
        "World price paid per unit imported.",
        default=0.0,
    ),
)
"""Per-sector vectors, one column each in the sectors CSV file."""


SCALAR_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "labour_force",
        "labour unit",
        _amount(),
        "Workers available to the sectors in the base year (L).",
    ),
    FieldSpec(
        "labour_force_growth",
        "fraction per year",
        Rule(-0.5, 1.0),
        "Yearly growth of the labour force (assumption: never more than halved or doubled "
        "in a year; war and famine years of the record stay within it).",
        default=0.0,
    ),
    FieldSpec(
        "fx_reserves",
        "currency unit",
        _amount(),
        "Foreign-exchange reserves at the start.",
        default=0.0,
    ),
    FieldSpec(
        "credit_limit",
        "currency unit per year",
        _amount(),
        "Foreign credit that can be drawn each year.",
        default=0.0,
    ),
    FieldSpec(
        "export_demand_growth",
        "fraction per year",
        Rule(-1.0, 1.0),
        "Yearly change of foreign demand for exports (negative in a world crisis; -1: none "
        "is left; assumption: at most a doubling a year).",
        default=0.0,
    ),
)
"""Economy-wide numbers, each with its value and source in the YAML file."""


DOCUMENT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "balance_tolerance",
        "share of gross output",
        Rule(0.0, LARGEST_BALANCE_TOLERANCE),
        "Largest base-year imbalance of a row (x - A x - y), as a share of its gross output.",
        default=DEFAULT_BALANCE_TOLERANCE,
    ),
    FieldSpec(
        "per_unit",
        "physical unit per value unit",
        _amount(),
        "An indicator's physical units per value unit of its sector's gross output.",
    ),
)
"""Numbers of the YAML file outside the scalars: the balance rule and each indicator's factor."""

BALANCE_TOLERANCE, PER_UNIT = DOCUMENT_FIELDS


MATRIX_FIELDS: Mapping[str, str] = MappingProxyType(
    {
        "A": "Current input of each good (row) per unit of gross output of each sector (column).",
        "B": "Capital stock of each good (row) per unit of new capacity of each sector (column).",
    }
)
"""The square matrices; A is required, B defaults to zero."""


_SECTOR_BY_NAME = MappingProxyType({f.name: f for f in SECTOR_FIELDS})
_SCALAR_BY_NAME = MappingProxyType({f.name: f for f in SCALAR_FIELDS})


def sector_spec(name: str) -> FieldSpec | None:
    """The per-sector field called ``name``, if there is one."""
    return _SECTOR_BY_NAME.get(name)


def scalar_spec(name: str) -> FieldSpec | None:
    """The economy-wide field called ``name``, if there is one."""
    return _SCALAR_BY_NAME.get(name)
