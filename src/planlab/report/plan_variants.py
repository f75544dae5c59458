"""What the plan model says about the variants of the first five-year plan.

The record (``events.csv``) gives physical targets for 1932/33, the plan's fifth
year, in three variants: Gosplan's starting variant, the optimal variant
adopted in 1929, and the revised targets of 1930. Each target is turned into a
sector's output through the economy's physical indicators (for example coal_mt
per unit of the coal sector's output) and checked two ways: a harmony plan that
fulfils the targets as far as the proportions allow, and a tempo check of the
growth rates they imply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from planlab.economy import Economy
from planlab.plan import build, check_tempo
from planlab.plan.result import constraint_label

__all__ = ["VARIANTS", "VariantVerdict", "plan_variants", "variant_targets"]

VARIANTS = MappingProxyType(
    {
        "starting_variant": "Gosplan's starting variant (1929)",
        "optimal": "optimal variant (adopted 1929)",
        "revised": "revised targets (1930)",
    }
)
_NAME = re.compile(r"^(?P<stem>[a-z_]+?)_target_(?P<variant>starting_variant|optimal|revised)$")
SKIPPED = MappingProxyType(
    {
        "tractor_output": "tractors are a small part of machine building; scaling the whole branch "
        "by the tractor target would misstate it",
        "iron_ore": "no iron-ore indicator in the economy",
        "gross_industrial_output": "a total over branches, not one branch's target",
        "fyp_tractor_output": "duplicate of tractor_output",
    }
)


@dataclass
class VariantVerdict:
    """The verdict on one variant, with the per-target table behind it."""

    variant: str
    title: str
    feasible: bool
    least_fulfilment: float
    max_fraction: float
    binding: list[str]
    targets: pd.DataFrame


def variant_targets(economy: Economy, events: pd.DataFrame) -> pd.DataFrame:
    """Targets for 1932/33 per variant: indicator, value, sector and implied output level."""
    indicators = {i.name: i for i in economy.indicators}
    rows = []
    for _, event in events[events["kind"] == "target"].iterrows():
        match = _NAME.match(str(event["name"]))
        if match is None or str(event["date"]) != "1932/33":
            continue
        stem, variant = match["stem"], match["variant"]
        if stem in SKIPPED:
            continue
        candidates = [name for name in indicators if name.startswith(stem + "_")]
        if len(candidates) != 1:
            continue
        indicator = indicators[candidates[0]]
        value = float(event["value"])
        rows.append(
            {
                "variant": variant,
                "indicator": indicator.name,
                "unit": indicator.unit,
                "sector": indicator.sector,
                "base_value": indicator.per_unit
                * float(economy.gross_output[economy.index(indicator.sector)]),
                "target_value": value,
                "target_output": value / indicator.per_unit,
                "source": str(event["source"]),
            }
        )
    return pd.DataFrame(rows)


def plan_variants(economy: Economy, events: pd.DataFrame, years: int = 5) -> list[VariantVerdict]:
    """Check every variant's targets against the economy's proportions."""
    table = variant_targets(economy, events)
    verdicts = []
    for variant, title in VARIANTS.items():
        rows = table[table["variant"] == variant].copy()
        if rows.empty:
            continue
        levels = rows.groupby("sector")["target_output"].max()
        plan = build(economy, years, {str(s): float(v) for s, v in levels.items()}, "harmony")
        base = economy.gross_output
        growth = {
            str(s): float((v / base[economy.index(str(s))]) ** (1.0 / years) - 1.0)
            for s, v in levels.items()
        }
        tempo = check_tempo(economy, growth, years)
        fulfilment = (
            plan.fulfilment.set_index("sector")["fulfilment"]
            if plan.feasible
            else pd.Series(dtype=float)
        )
        rows["growth_per_year"] = [growth[s] for s in rows["sector"]]
        rows["fulfilment"] = [float(fulfilment.get(s, np.nan)) for s in rows["sector"]]
        rows["attainable_growth"] = [tempo.attainable_growth.get(s, np.nan) for s in rows["sector"]]
        binding = [
            constraint_label(str(r.constraint), r.sector, r.year)
            for r in plan.binding().head(5).itertuples(index=False)
        ]
        least = float(fulfilment.min()) if len(fulfilment) else float("nan")
        verdicts.append(
            VariantVerdict(
                variant=variant,
                title=title,
                feasible=bool(plan.feasible and least >= 1.0 - 1e-6),
                least_fulfilment=least,
                max_fraction=tempo.max_fraction,
                binding=binding,
                targets=rows.reset_index(drop=True),
            )
        )
    return verdicts


def markdown(economy: Economy, verdicts: list[VariantVerdict], years: int) -> str:
    """The verdicts as a Markdown page."""
    lines = [
        f"# What the plan model says about the five-year-plan variants ({economy.name})",
        "",
        f"Generated by `planlab variants {economy.name}`; do not edit by hand. Targets for "
        f"1932/33 (plan year {years}) from the historical record (`events.csv`), turned into "
        "branch outputs through the economy's physical indicators; each variant is planned "
        "with the harmony objective (lexicographic maximin of fulfilment) and its implied "
        "growth rates are put through the tempo check. Consumption is held at least at its "
        "1927/28 level, the labour force grows as in the economy file, and capacity grows only "
        "by construction after each branch's lag. The economy's coefficients are modelling "
        "assumptions (see its sources); nothing in it was tuned to these answers.",
        "",
        "| variant | verdict | least fulfilment | fraction of the tempo feasible | what binds |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for v in verdicts:
        verdict = "feasible" if v.feasible else "not feasible"
        lines.append(
            f"| {v.title} | {verdict} | {v.least_fulfilment:.3f} | {v.max_fraction:.3f} | "
            f"{'; '.join(v.binding[:3]) or '-'} |"
        )
    for v in verdicts:
        lines += [
            "",
            f"## {v.title}",
            "",
            "| indicator | branch | 1927/28 | 1932/33 target | growth / yr asked | "
            "fulfilment | attainable growth / yr |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in v.targets.itertuples(index=False):
            lines.append(
                f"| {r.indicator} ({r.unit}) | {r.sector} | {r.base_value:.3g} | "
                f"{r.target_value:.3g} | {r.growth_per_year:+.1%} | {r.fulfilment:.3f} | "
                f"{r.attainable_growth:+.1%} |"
            )
        lines += [
            "",
            "Sources of the targets: " + "; ".join(sorted(set(v.targets["source"]))) + ".",
        ]
    lines += [
        "",
        "Targets left out: "
        + "; ".join(f"{k} ({why})" for k, why in SKIPPED.items() if k != "fyp_tractor_output")
        + ".",
        "",
    ]
    return "\n".join(lines)
