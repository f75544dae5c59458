"""docs/council.md prints the permission table that the server enforces."""

from __future__ import annotations

from pathlib import Path

from planlab.council.permissions import BRANCH_SCOPED, ROLES, TABLE

DOC = Path(__file__).resolve().parents[2] / "docs" / "council.md"


def _cell(role: str, action: str) -> str:
    if role not in TABLE[action]:
        return "no"
    return "own branch" if role == "delegate" and action in BRANCH_SCOPED else "yes"


def test_documented_permissions_match_the_table() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- permissions:start -->")[1].split("<!-- permissions:end -->")[0]
    lines = block.strip().splitlines()
    assert [c.strip() for c in lines[0].strip("|").split("|")] == ["action", *ROLES]
    rows = lines[2:]
    documented = {
        cells[0]: cells[1:]
        for cells in ([c.strip() for c in row.strip("|").split("|")] for row in rows)
    }
    assert documented == {a: [_cell(r, a) for r in ROLES] for a in TABLE}
