"""What limits a plan, in words a delegate can read: binding constraints and their prices.

The round's plans maximise the least fulfilment of the branches' targets (a ratio:
1 means every target is met). A binding constraint's shadow price is how much
that least fulfilment would rise if the constraint gave one unit more; these
sentences say so in the units of the economy.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["binding_sentence"]

_WHAT = MappingProxyType(
    {
        "balance": "one more {output} of {sector} available in year {year}",
        "capacity": "one more {output} of {sector} capacity in year {year}",
        "capacity_flow": "one more {output} of {sector} capacity carried into year {year}",
        "labour": "one more {labour} of labour in year {year}",
        "fx": "one more {currency} of foreign exchange in year {year}",
        "reserves": "one more {currency} of foreign-exchange reserves",
        "export_limit": "one more {output} of export demand for {sector} in year {year}",
        "floor": "a consumption floor of {sector} lower by one {output} in year {year}",
    }
)
"""Constraint family -> what one more unit of it means (families of the plan LP)."""


def binding_sentence(item: Mapping[str, Any], units: Mapping[str, str]) -> str:
    """A binding constraint as a sentence.

    >>> binding_sentence(
    ...     {"name": "capacity", "sector": "electricity", "year": 3, "shadow_price": 0.0123},
    ...     {"output": "million roubles", "labour": "thousand persons", "currency": "m. gold"},
    ... )[:66]
    'One more million roubles of electricity capacity in year 3 would r'
    """
    template = _WHAT.get(str(item.get("name")), "relaxing {constraint} by one unit")
    what = template.format(
        sector=item.get("sector", ""),
        year=item.get("year", ""),
        constraint=item.get("constraint", item.get("name", "")),
        **units,
    )
    return (
        f"{what[0].upper()}{what[1:]} would raise the least fulfilment by "
        f"{float(item['shadow_price']):.3g} (a ratio; 1 is every target met)."
    )
