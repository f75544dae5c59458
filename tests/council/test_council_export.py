"""``planlab council export-plan``: the adopted variant as a plan folder like ``planlab plan``'s."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from _council import member
from fastapi import FastAPI
from typer.testing import CliRunner

from planlab.cli import app as cli

runner = CliRunner()
TABLES = ("sectors", "fulfilment", "shadow_prices", "years", "conflicts")


def _round(app: FastAPI, adopt: bool) -> tuple[int, dict[str, float]]:
    boss = member(app, "boss", "commission")
    ind = member(app, "ind", "delegate", "industry_1")
    r = boss.post("/api/rounds", {"title": "r", "source": "textbook-3", "years": 2}).json()["id"]
    made = ind.post(
        f"/api/rounds/{r}/proposals", {"kind": "target", "branch": "industry_1", "value": -0.02}
    ).json()
    variant = boss.post(
        f"/api/rounds/{r}/variants", {"name": "v", "proposal_ids": [made["id"]]}
    ).json()
    boss.post(f"/api/rounds/{r}/close")
    if adopt:
        assert boss.post(f"/api/variants/{variant['id']}/adopt").status_code == 200
    return r, variant["summary"]["achieved"]


def test_export_writes_the_adopted_plan_as_planlab_plan_does(app: FastAPI, tmp_path: Path) -> None:
    round_id, achieved = _round(app, adopt=True)
    url = app.state.settings.db_url
    out = tmp_path / "adopted"
    done = runner.invoke(
        cli, ["council", "export-plan", "--db", url, "--round", str(round_id), "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    reference = tmp_path / "reference"
    made = runner.invoke(cli, ["plan", "textbook-3", "--years", "2", "--out", str(reference)])
    assert made.exit_code == 0, made.output
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in reference.iterdir())
    for name in TABLES:
        mine, theirs = pd.read_csv(out / f"{name}.csv"), pd.read_csv(reference / f"{name}.csv")
        assert list(mine.columns) == list(theirs.columns), name
    meta = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert meta.keys() == json.loads((reference / "plan.json").read_text()).keys()
    assert meta["feasible"] is True and meta["economy"] == "textbook-3"
    sectors = pd.read_parquet(out / "sectors.parquet")
    last = sectors[sectors["year"] == 2].set_index("sector")["gross_output"]
    assert last.to_dict() == pytest.approx(achieved), "the folder holds the adopted variant"


@pytest.mark.parametrize("round_id", ["1", "99"])
def test_a_round_without_an_adopted_variant_is_one_line(
    app: FastAPI, tmp_path: Path, round_id: str
) -> None:
    _round(app, adopt=False)
    out = tmp_path / "none"
    done = runner.invoke(
        cli,
        [
            "council",
            "export-plan",
            "--db",
            app.state.settings.db_url,
            "--round",
            round_id,
            "--out",
            str(out),
        ],
    )
    assert done.exit_code == 2
    assert len(done.output.strip().splitlines()) == 1
    assert "--round" in done.output
    assert not out.exists(), "nothing half-written"


def test_the_adopted_plan_runs_month_by_month(app: FastAPI, tmp_path: Path) -> None:
    """A decision followed into what happens: the exported plan executes, as planned when
    nothing interferes."""
    round_id, _ = _round(app, adopt=True)
    out, run = tmp_path / "adopted", tmp_path / "run"
    url = app.state.settings.db_url
    done = runner.invoke(
        cli, ["council", "export-plan", "--db", url, "--round", str(round_id), "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    done = runner.invoke(cli, ["simulate", "textbook-3", "--plan", str(out), "--out", str(run)])
    assert done.exit_code == 0, done.output
    done = runner.invoke(cli, ["compare", str(run), "--plan", str(out), "--json"])
    assert done.exit_code == 0, done.output
    document = json.loads(done.output)
    assert set(document["branches"]) == {"industry_1", "industry_2", "industry_3"}
    assert document["max_abs_log_deviation"] <= 0.01
