"""The economy layer: the Economy data model, its files, validation and Leontief analysis."""

from planlab.economy.builtin import builtin_names, builtin_path, load_builtin, resolve
from planlab.economy.document import json_schema
from planlab.economy.leontief import LeontiefAnalysis, analyse, gross_output_for
from planlab.economy.linalg import LeontiefSystem
from planlab.economy.model import Economy, Indicator, Sector
from planlab.economy.mrio import from_pymrio
from planlab.economy.storage import load, save

__all__ = [
    "Economy",
    "Indicator",
    "LeontiefAnalysis",
    "LeontiefSystem",
    "Sector",
    "analyse",
    "builtin_names",
    "builtin_path",
    "from_pymrio",
    "gross_output_for",
    "json_schema",
    "load",
    "load_builtin",
    "resolve",
    "save",
]
