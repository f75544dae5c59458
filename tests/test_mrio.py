"""Real input-output tables through pymrio: the test MRIO that pymrio ships."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymrio
import pytest
from typer.testing import CliRunner

from planlab.cli import app
from planlab.economy import from_pymrio, gross_output_for, load
from planlab.errors import InputError


@pytest.fixture(scope="module")
def io() -> pymrio.IOSystem:
    system = pymrio.load_test()
    system.calc_all()
    return system


def test_the_test_mrio_becomes_a_balanced_economy(io: pymrio.IOSystem) -> None:
    economy = from_pymrio(io, "pymrio-test")
    assert economy.n == io.A.shape[0]
    assert economy.names[0] == "reg1_food"
    y = economy.final_demand
    x = gross_output_for(economy, y)
    np.testing.assert_allclose(x, np.asarray(io.x).ravel(), rtol=1e-9)
    np.testing.assert_allclose(economy.A.toarray(), np.asarray(io.A), rtol=0, atol=0)
    assert economy.sources["labour"].count("assumption") == 1


def test_an_unknown_labour_row_is_a_clear_error(io: pymrio.IOSystem) -> None:
    with pytest.raises(InputError, match="labour"):
        from_pymrio(io, "x", labour=("factor_inputs", "Employment"))


def test_import_mrio_writes_a_valid_economy(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["economy", "import-mrio", "pymrio-test", str(tmp_path / "mrio")])
    assert result.exit_code == 0, result.output
    economy = load(tmp_path / "mrio")
    assert economy.n == 48
    checked = runner.invoke(app, ["economy", "check", str(tmp_path / "mrio")])
    assert checked.exit_code == 0
    missing = runner.invoke(
        app, ["economy", "import-mrio", str(tmp_path / "nowhere"), str(tmp_path / "o")]
    )
    assert missing.exit_code == 2
