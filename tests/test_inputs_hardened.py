"""Regression tests of issue 17: each input that once hung, raised a traceback or was
silently accepted now ends in one planlab error naming the file or argument and the rule."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from _guard import time_limit
from planlab.cli import app
from planlab.economy import Economy, analyse, builtin_path, gross_output_for, load, load_builtin
from planlab.economy import resolve as resolve_economy
from planlab.errors import InputError, PlanlabError
from planlab.plan import build
from planlab.scenarios import load_scenario

runner = CliRunner()

ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9) if previous else ', '.join(['lol'] * 9)}]\n"
    for previous, name in zip([None, *"abcdefgh"], "abcdefghi", strict=False)
)
"""Nine levels of nine aliases: about 500 bytes that expand to 9^9 (387 million) items."""


def economy_copy(tmp_path: Path, name: str = "textbook-3") -> Path:
    folder = tmp_path / name
    shutil.copytree(builtin_path(name), folder)
    return folder


def edit_yaml(folder: Path, **changes: Any) -> None:
    path = folder / "economy.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc.update(changes)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def one_problem(error: InputError) -> str:
    """The error's one line, which must name a file and a rule."""
    lines = list(error.lines())
    assert len(lines) == 1, lines
    assert "(rule: " in lines[0] and "\n" not in lines[0]
    return lines[0]


def refused(folder: Path, **kwargs: Any) -> str:
    with time_limit(20), pytest.raises(InputError) as caught:
        load(folder, **kwargs)
    return one_problem(caught.value)


# --- YAML -----------------------------------------------------------------------------------


def test_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    assert len(ALIAS_BOMB) < 520
    folder = economy_copy(tmp_path)
    with (folder / "economy.yaml").open("a", encoding="utf-8") as out:
        out.write(ALIAS_BOMB)
    line = refused(folder)
    assert line.startswith("economy.yaml: field '-'") and "aliases add at most" in line


def test_aliases_within_the_budget_still_share_text(tmp_path: Path) -> None:
    """A control: the budget leaves ordinary anchors working."""
    folder = economy_copy(tmp_path)
    text = (folder / "economy.yaml").read_text(encoding="utf-8")
    text = text.replace("title: Industry I\n", "title: &first Industry I\n", 1)
    text = text.replace("title: Industry II\n", "title: *first\n", 1)
    (folder / "economy.yaml").write_text(text, encoding="utf-8")
    assert load(folder).sectors[1].title == "Industry I"


def test_duplicate_key_is_refused_naming_file_and_key(tmp_path: Path) -> None:
    folder = economy_copy(tmp_path)
    with (folder / "economy.yaml").open("a", encoding="utf-8") as out:
        out.write("name: other\n")
    line = refused(folder)
    assert line.startswith("economy.yaml: field 'name': key 'name' given twice")
    assert "each key appears once" in line


def test_duplicate_nested_key_is_named_by_its_path(tmp_path: Path) -> None:
    folder = economy_copy(tmp_path)
    text = (folder / "economy.yaml").read_text(encoding="utf-8")
    given = "  labour_force:\n    value: 21.0\n"
    text = text.replace(given, given + "    value: 30.0\n")
    (folder / "economy.yaml").write_text(text, encoding="utf-8")
    assert "field 'scalars.labour_force.value'" in refused(folder)


@pytest.mark.parametrize("months", ["yes", "true", "on", "'12'"])
def test_scenario_months_must_be_a_whole_number(tmp_path: Path, months: str) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(
        "format: planlab-scenario/1\nname: s\neconomy: textbook-3\nstart: 2000-01-01\n"
        f"months: {months}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert one_problem(caught.value).startswith("scenario.yaml: field 'months'")


def test_a_boolean_is_not_a_number_in_an_economy(tmp_path: Path) -> None:
    folder = economy_copy(tmp_path)
    edit_yaml(folder, balance_tolerance=True)
    assert refused(folder).startswith("economy.yaml: field 'balance_tolerance'")


def test_exponent_without_a_point_is_a_number(tmp_path: Path) -> None:
    """A control: strict types still read 1e-4 as a number (YAML 1.1 reads it as text)."""
    folder = economy_copy(tmp_path)
    text = (folder / "economy.yaml").read_text(encoding="utf-8")
    (folder / "economy.yaml").write_text(text + "balance_tolerance: 1e-4\n", encoding="utf-8")
    assert load(folder).balance_tolerance == 1e-4


# --- data files -----------------------------------------------------------------------------


def point_a_at(folder: Path, target: str) -> None:
    edit_yaml(folder, files={"sectors": "sectors.csv", "A": target})


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a Unix thing")
def test_fifo_as_a_data_file_is_refused_without_blocking(tmp_path: Path) -> None:
    folder = economy_copy(tmp_path)
    os.mkfifo(folder / "pipe.csv")
    point_a_at(folder, "pipe.csv")
    line = refused(folder)
    assert line.startswith("pipe.csv: field '-'") and "a regular file" in line


DEV_ZERO_CHECK = """
import sys
from planlab.economy import load
from planlab.errors import InputError
for allowed in ([], ["/dev"]):
    try:
        load(sys.argv[1], allowed_paths=allowed)
    except InputError as exc:
        print(exc)
"""


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_refused_unread(tmp_path: Path) -> None:
    """Run apart, with its memory capped: read, /dev/zero would fill the machine's."""
    import resource
    import subprocess
    import sys

    folder = economy_copy(tmp_path)
    point_a_at(folder, "/dev/zero")

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))

    done = subprocess.run(
        [sys.executable, "-c", DEV_ZERO_CHECK, str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap_memory,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-500:]
    outside, device = done.stdout.splitlines()
    assert "inside the economy's folder" in outside
    assert device == "/dev/zero: field '-': /dev/zero is a character device (rule: a regular file)"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are a Unix thing")
def test_fifo_as_a_final_demand_file_is_one_line_exit_2(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "demand.csv")
    with time_limit(20):
        result = runner.invoke(
            app, ["economy", "leontief", "textbook-3", "--demand", str(tmp_path / "demand.csv")]
        )
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'demand.csv'}: field '-': {tmp_path / 'demand.csv'} is a FIFO "
        "(rule: a regular file)"
    ]


def test_absolute_path_outside_the_folder_needs_permission(tmp_path: Path) -> None:
    folder = economy_copy(tmp_path)
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    shutil.move(folder / "A.csv", elsewhere / "A.csv")
    point_a_at(folder, str(elsewhere / "A.csv"))
    assert "inside the economy's folder" in refused(folder)
    assert load(folder, allowed_paths=[elsewhere]).equals(load_builtin("textbook-3"))


def test_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    folder = economy_copy(tmp_path)
    outside = tmp_path / "outside.csv"
    shutil.move(folder / "A.csv", outside)
    (folder / "A.csv").symlink_to(outside)
    assert "inside the economy's folder" in refused(folder)
    (folder / "A.csv").unlink()
    (folder / "real.csv").write_bytes(outside.read_bytes())
    (folder / "A.csv").symlink_to(folder / "real.csv")
    assert load(folder).equals(load_builtin("textbook-3"))


def test_null_byte_in_a_file_name_is_one_line(tmp_path: Path) -> None:
    folder = economy_copy(tmp_path)
    point_a_at(folder, "A\x00.csv")
    line = refused(folder)
    assert "without null bytes" in line and "\x00" not in line
    result = runner.invoke(app, ["economy", "check", str(folder)])
    assert result.exit_code == 2 and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    assert len(result.stderr.splitlines()) == 1


def test_data_file_size_is_limited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import planlab.economy.storage as storage

    folder = economy_copy(tmp_path)
    monkeypatch.setattr(storage, "DATA_FILE_LIMIT", 120)
    line = refused(folder)
    assert line == "sectors.csv: field '-': 129 bytes (rule: a file of at most 120 bytes)"


# --- bounds ---------------------------------------------------------------------------------


def textbook(**vectors: Any) -> dict[str, Any]:
    """Economy.build's arguments for textbook-3, with some vectors replaced."""
    e = load_builtin("textbook-3")
    given = {k: np.array(e.vectors[k]) for k in e.given if k in e.vectors}
    given.update(vectors)
    return {
        "name": "t",
        "sectors": list(e.names),
        "A": e.A,
        "vectors": given,
        "scalars": {"labour_force": e.scalars["labour_force"]},
    }


def build_problem(**changes: Any) -> str:
    with time_limit(20), pytest.raises(InputError) as caught:
        Economy.build(**changes)
    return "\n".join(caught.value.lines())


@pytest.mark.parametrize("lag", [31.0, 1e6, 1e19])
def test_construction_lag_is_at_most_thirty_years(lag: float) -> None:
    text = build_problem(**textbook(construction_lag=[lag, 0.0, 0.0]))
    assert "construction_lag must be a whole number >= 0 and <= 30" in text


def test_balance_tolerance_cannot_switch_the_balance_rule_off() -> None:
    text = build_problem(**textbook(), balance_tolerance=1e21)
    assert "balance_tolerance must be >= 0 and <= 0.05" in text


def test_labour_force_growth_is_bounded(tmp_path: Path) -> None:
    folder = economy_copy(tmp_path)
    doc = yaml.safe_load((folder / "economy.yaml").read_text(encoding="utf-8"))
    doc["scalars"]["labour_force_growth"] = {"value": -5, "source": "assumption: test"}
    edit_yaml(folder, scalars=doc["scalars"])
    assert "labour_force_growth must be >= -0.5 and <= 1" in refused(folder)


def test_capacity_zero_below_positive_output_is_refused() -> None:
    text = build_problem(**textbook(capacity=[0.0, 20.68, 18.36]))
    assert "sector 'industry_1'" in text and "capacity > 0 where gross_output > 0" in text


def test_capacity_zero_without_output_is_fine() -> None:
    """A control: the cross-field rule leaves an idle sector without capacity alone."""
    economy = Economy.build(
        name="idle",
        sectors=["farm", "mill"],
        A=[[0.1, 0.0], [0.0, 0.0]],
        vectors={
            "gross_output": [100.0, 0.0],
            "labour": [1.0, 1.0],
            "consumption": [90.0, 0.0],
            "capacity": [100.0, 0.0],
        },
        scalars={"labour_force": 100.0},
    )
    assert economy.capacity.tolist() == [100.0, 0.0]


# --- the Python API -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sectors": "fm"}, "sectors"),
        ({"vectors": None}, "vectors"),
        ({"scalars": None}, "scalars"),
        ({"A": None}, "A"),
        ({"balance_tolerance": "x"}, "balance_tolerance"),
        ({"colour": "red"}, "colour"),
        ({"scalars": {"labour_force": 10**400}}, "scalars.labour_force"),
        ({"balance_tolerance": 10**400}, "balance_tolerance"),
    ],
)
def test_economy_build_names_the_bad_argument(change: dict[str, Any], field: str) -> None:
    args = {**textbook(), **change}
    with pytest.raises(InputError) as caught:
        Economy.build(**args)
    assert any(p.field == field for p in caught.value.problems), caught.value


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"vectors": {"gross_output": ["a", "b", "c"]}}, "gross_output"),
        ({"A": [[1j, 0, 0], [0, 0, 0], [0, 0, 0]]}, "A"),
        ({"A": [1.0, 2.0, 3.0]}, "A"),
    ],
)
def test_numbers_of_the_wrong_kind_stay_refused(change: dict[str, Any], field: str) -> None:
    """Refused before too; they now go through the same conversion as every array."""
    with pytest.raises(InputError) as caught:
        Economy.build(**{**textbook(), **change})
    assert any(p.field == field for p in caught.value.problems), caught.value


@pytest.mark.parametrize(
    "call",
    [
        lambda e: analyse(e, ["a", "b", "c"]),
        lambda e: gross_output_for(e, ["1", "2", "3"]),
        lambda e: analyse(None),
        lambda e: e.vector("x"),
        lambda e: load_builtin(None),
        lambda e: resolve_economy(None),
        lambda e: load(None),
        lambda e: e.replace(vectors=5),
        lambda e: resolve_economy("x" * 300),
        lambda e: load("x" * 300),
    ],
)
def test_economy_api_raises_planlab_errors(call: Any) -> None:
    with pytest.raises(PlanlabError):
        call(load_builtin("textbook-3"))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"targets": {5: 1.0}}, "targets"),
        ({"targets": {("industry_1", 1, 2): 1.0}}, "targets"),
        ({"targets": {("industry_1", 1.5): 1.0}}, "targets"),
        ({"targets": {"industry_1": "a"}}, "targets"),
        ({"targets": {"industry_1": True}}, "targets"),
        ({"targets": {"industry_1": 1e300}}, "targets"),
        ({"targets": {"industry_1": 10**400}}, "targets"),
        ({"years": True}, "years"),
        ({"targets": "industry_1"}, "targets"),
        ({"objective": "weighted", "weights": {"industry_1": "x"}}, "weights"),
        ({"objective": "weighted", "weights": [1, 2]}, "weights"),
        ({"objective": "weighted", "cap": "x"}, "cap"),
        ({"objective": "weighted", "cap": math.nan}, "cap"),
        ({"objective": "weighted", "cap": 10**400}, "cap"),
        ({"required": {"industry_1": "x"}}, "required"),
    ],
)
def test_plan_build_names_the_bad_argument(kwargs: dict[str, Any], field: str) -> None:
    kwargs = {"years": 3, **kwargs}
    with time_limit(30), pytest.raises(InputError) as caught:
        build(load_builtin("textbook-3"), **kwargs)
    assert any(p.field == field for p in caught.value.problems), caught.value


def test_nan_target_stays_a_planlab_error() -> None:
    """Refused before too, by make_targets; the new kind checks leave it to that rule."""
    with pytest.raises(InputError) as caught:
        build(load_builtin("textbook-3"), 3, {"industry_1": math.nan})
    assert "a level > 0" in str(caught.value)


def test_growth_beyond_floats_with_a_plan_is_a_bounds_error(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "format": "planlab-scenario/1",
                "name": "s",
                "economy": "textbook-3",
                "start": "2000-01-01",
                "months": 12,
                "growth": {"industry_1": {"value": 1e300, "source": "assumption: test"}},
                "plan": {"years": 3, "source": "assumption: test"},
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    (line,) = caught.value.lines()
    assert line.startswith("scenario.yaml: field 'growth.industry_1', sector 'industry_1'")
    assert "(rule: a yearly rate in [-0.5, 2])" in line


# --- the command ----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", ["-1", str(2**32), str(2**64)])
def test_seed_out_of_range_is_one_line_exit_2(seed: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["simulate", "--seed", seed, "--months", "1", "--out", str(tmp_path / "run")]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"--seed: field 'seed': {seed} (rule: a whole number from 0 to 4294967295)"
    ]
    assert not (tmp_path / "run").exists()


def test_start_year_out_of_the_calendar_is_one_line_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text(
        "format: planlab-scenario/1\nname: s\neconomy: textbook-3\nstart: 9999-01-01\nmonths: 60\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["scenario", "check", str(path)])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("scenario.yaml: field 'start'") and "2100-12-01" in line


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "x" * 300],
        ["scenario", "check", "x" * 300],
        ["economy", "check", "x" * 300],
        ["economy", "show", "x" * 300],
    ],
)
def test_a_name_too_long_for_the_system_is_one_line_exit_2(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1
