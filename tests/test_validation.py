"""One test per rule: each problem names its file, field, sector (if any) and rule, on one line."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
import yaml

from planlab.economy import Economy, builtin_path, load
from planlab.economy.validate import check_productive
from planlab.errors import InputError

BASE_DOC: dict[str, Any] = yaml.safe_load(
    (builtin_path("textbook-3") / "economy.yaml").read_text(encoding="utf-8")
)

SECTORS = """\
sector,gross_output,labour,consumption
industry_1,24.84,0.3,10
industry_2,20.68,0.3,5
industry_3,18.36,0.4,6
"""

A_CSV = """\
input,industry_1,industry_2,industry_3
industry_1,0.2,0.3,0.2
industry_2,0.4,0.1,0.2
industry_3,0.1,0.3,0.2
"""


def document(**changes: Any) -> dict[str, Any]:
    """The textbook-3 YAML document with top-level keys replaced (None deletes a key)."""
    doc = copy.deepcopy(BASE_DOC)
    for key, value in changes.items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


def write(
    folder: Path,
    *,
    doc: dict[str, Any] | None = None,
    yaml_text: str | None = None,
    sectors: str = SECTORS,
    A: str = A_CSV,
    files: dict[str, str] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if yaml_text is None:
        yaml_text = yaml.safe_dump(document() if doc is None else doc, sort_keys=False)
    (folder / "economy.yaml").write_text(yaml_text, encoding="utf-8")
    (folder / "sectors.csv").write_text(sectors, encoding="utf-8")
    (folder / "A.csv").write_text(A, encoding="utf-8")
    for name, text in (files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def problem_lines(folder: Path) -> list[str]:
    """The lines of the InputError that loading ``folder`` raises, checked for shape."""
    with pytest.raises(InputError) as info:
        load(folder)
    error = info.value
    lines = str(error).splitlines()
    assert len(lines) == len(error.problems), "one line per problem"
    assert lines == list(error.lines())
    for line, problem in zip(lines, error.problems, strict=True):
        assert line.startswith(f"{problem.file}: field '")
        assert line.endswith(")") and "(rule: " in line
    return lines


def find(
    lines: list[str],
    *,
    file: str,
    field: str,
    rule: str,
    sector: str | None = None,
    message: str | None = None,
) -> str:
    """The line for one problem; it must name the file, field, sector (or none) and rule."""
    where = f"{file}: field '{field}'" + (f", sector '{sector}'" if sector is not None else "")
    found = [
        line
        for line in lines
        if line.startswith(where + ": ")
        and rule in line.rsplit("(rule: ", 1)[-1]
        and (message is None or message in line)
    ]
    assert found, f"no line '{where}: ... {message} (rule: ...{rule}...)' among:\n" + "\n".join(
        lines
    )
    return found[0]


def replace_cell(table: str, row: str, column: str, value: str) -> str:
    lines = table.splitlines()
    header = lines[0].split(",")
    col = header.index(column)
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[0] == row:
            cells[col] = value
        out.append(",".join(cells))
    return "\n".join(out) + "\n"


def add_column(table: str, column: str, values: list[str]) -> str:
    lines = table.splitlines()
    out = [lines[0] + f",{column}"]
    out += [line + f",{v}" for line, v in zip(lines[1:], values, strict=True)]
    return "\n".join(out) + "\n"


def drop_line(table: str, start: str) -> str:
    return "".join(line for line in table.splitlines(keepends=True) if not line.startswith(start))


def sources_with(**changes: str | None) -> dict[str, str]:
    sources = dict(BASE_DOC["sources"])
    for key, value in changes.items():
        if value is None:
            sources.pop(key)
        else:
            sources[key] = value
    return sources


# --- the base case ---------------------------------------------------------------------------


def test_the_base_folder_is_valid(tmp_path: Path) -> None:
    economy = load(write(tmp_path / "e"))
    assert economy.names == ("industry_1", "industry_2", "industry_3")


# --- coefficients ----------------------------------------------------------------------------


def test_negative_coefficient(tmp_path: Path) -> None:
    lines = problem_lines(
        write(tmp_path, A=replace_cell(A_CSV, "industry_1", "industry_2", "-0.3"))
    )
    find(
        lines,
        file="A.csv",
        field="A",
        sector="industry_2",
        rule="coefficients must be >= 0",
        message="coefficient -0.3 for input 'industry_1'",
    )
    assert len(lines) == 1


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999"])
def test_non_finite_coefficient(tmp_path: Path, value: str) -> None:
    lines = problem_lines(write(tmp_path, A=replace_cell(A_CSV, "industry_3", "industry_1", value)))
    find(
        lines,
        file="A.csv",
        field="A",
        sector="industry_1",
        rule="coefficients must be >= 0",
        message="for input 'industry_3'",
    )


def test_non_finite_coefficients_in_the_long_layout(tmp_path: Path) -> None:
    long = "input,sector,value\nindustry_1,industry_1,0.2\nindustry_2,industry_3,nan\n"
    lines = problem_lines(write(tmp_path, A=long))
    find(
        lines,
        file="A.csv",
        field="A",
        sector="industry_3",
        rule="coefficients must be >= 0",
        message="nan for input 'industry_2'",
    )


def test_huge_coefficient_is_an_input_error(tmp_path: Path) -> None:
    lines = problem_lines(
        write(tmp_path, A=replace_cell(A_CSV, "industry_1", "industry_1", "1e300"))
    )
    rule = "coefficients must be >= 0 and <= 1e+15"
    find(lines, file="A.csv", field="A", sector="industry_1", rule=rule, message="1e+300")


# --- per-sector vectors ----------------------------------------------------------------------


def test_negative_vector_value(tmp_path: Path) -> None:
    sectors = replace_cell(SECTORS, "industry_1", "gross_output", "-24.84")
    lines = problem_lines(write(tmp_path, sectors=sectors))
    find(
        lines,
        file="sectors.csv",
        field="gross_output",
        sector="industry_1",
        rule="gross_output must be >= 0",
        message="value -24.84",
    )
    assert len(lines) == 1, "no balance problem on top of an invalid gross output"


@pytest.mark.parametrize(
    ("column", "row", "value"),
    [
        ("labour", "industry_2", "nan"),
        ("consumption", "industry_3", "inf"),
        ("gross_output", "industry_1", "-inf"),
        ("labour", "industry_1", "1e400"),
    ],
)
def test_non_finite_vector_value(tmp_path: Path, column: str, row: str, value: str) -> None:
    lines = problem_lines(write(tmp_path, sectors=replace_cell(SECTORS, row, column, value)))
    find(lines, file="sectors.csv", field=column, sector=row, rule=f"{column} must be >= 0")


def test_stocks_may_be_negative_but_must_be_finite(tmp_path: Path) -> None:
    sectors = add_column(
        replace_cell(SECTORS, "industry_1", "consumption", "11"), "stocks", ["-1", "0", "0"]
    )
    doc = document(sources=sources_with(stocks="assumption: test"))
    assert load(write(tmp_path / "ok", doc=doc, sectors=sectors)).vector("stocks")[0] == -1.0
    sectors = add_column(SECTORS, "stocks", ["0", "nan", "0"])
    lines = problem_lines(write(tmp_path / "bad", doc=doc, sectors=sectors))
    rule = "stocks must be >= -1e+15 and <= 1e+15"
    find(lines, file="sectors.csv", field="stocks", sector="industry_2", rule=rule)


def test_negative_capacity(tmp_path: Path) -> None:
    sectors = add_column(SECTORS, "capacity", ["30", "-1", "20"])
    doc = document(sources=sources_with(capacity="assumption: test"))
    lines = problem_lines(write(tmp_path, doc=doc, sectors=sectors))
    find(
        lines,
        file="sectors.csv",
        field="capacity",
        sector="industry_2",
        rule="capacity must be >= 0",
        message="value -1.0",
    )


def test_negative_labour(tmp_path: Path) -> None:
    lines = problem_lines(
        write(tmp_path, sectors=replace_cell(SECTORS, "industry_3", "labour", "-0.4"))
    )
    find(
        lines,
        file="sectors.csv",
        field="labour",
        sector="industry_3",
        rule="labour must be >= 0",
        message="value -0.4",
    )


def test_lag_below_zero_and_not_whole(tmp_path: Path) -> None:
    sectors = add_column(SECTORS, "construction_lag", ["-1", "1.5", "2"])
    doc = document(sources=sources_with(construction_lag="assumption: test"))
    lines = problem_lines(write(tmp_path, doc=doc, sectors=sectors))
    rule = "construction_lag must be a whole number >= 0"
    find(lines, file="sectors.csv", field="construction_lag", sector="industry_1", rule=rule)
    find(lines, file="sectors.csv", field="construction_lag", sector="industry_2", rule=rule)
    assert len(lines) == 2


def test_fraction_above_one(tmp_path: Path) -> None:
    sectors = add_column(SECTORS, "depreciation", ["0.1", "1.5", "0"])
    doc = document(sources=sources_with(depreciation="assumption: test"))
    lines = problem_lines(write(tmp_path, doc=doc, sectors=sectors))
    find(
        lines,
        file="sectors.csv",
        field="depreciation",
        sector="industry_2",
        rule="depreciation must be >= 0 and <= 1",
    )


def test_boolean_column(tmp_path: Path) -> None:
    doc = document(sources=sources_with(importable="assumption: test"))
    ok = add_column(SECTORS, "importable", ["true", "No", "1"])
    np.testing.assert_array_equal(
        load(write(tmp_path / "ok", doc=doc, sectors=ok)).vector("importable"), [1.0, 0.0, 1.0]
    )
    bad = add_column(SECTORS, "importable", ["true", "maybe", "0"])
    lines = problem_lines(write(tmp_path / "bad", doc=doc, sectors=bad))
    find(
        lines,
        file="sectors.csv",
        field="importable",
        sector="industry_2",
        rule="must be true or false",
        message="'maybe'",
    )


# --- labels and shapes -----------------------------------------------------------------------


def test_matrix_row_missing_a_sector(tmp_path: Path) -> None:
    lines = problem_lines(write(tmp_path, A=drop_line(A_CSV, "industry_3,")))
    find(
        lines,
        file="A.csv",
        field="A",
        sector="industry_3",
        rule="every sector appears",
        message="missing",
    )


def test_matrix_column_missing_a_sector(tmp_path: Path) -> None:
    A = "\n".join(",".join(line.split(",")[:3]) for line in A_CSV.splitlines()) + "\n"
    lines = problem_lines(write(tmp_path, A=A))
    find(lines, file="A.csv", field="A", sector="industry_3", rule="every sector appears")


def test_sector_table_missing_a_sector(tmp_path: Path) -> None:
    lines = problem_lines(write(tmp_path, sectors=drop_line(SECTORS, "industry_2,")))
    find(
        lines,
        file="sectors.csv",
        field="sector",
        sector="industry_2",
        rule="every sector appears",
    )


def test_extra_unknown_sector(tmp_path: Path) -> None:
    sectors = SECTORS + "industry_4,1,0.1,1\n"
    A = A_CSV + "industry_4,0,0,0\n"
    lines = problem_lines(write(tmp_path, sectors=sectors, A=A))
    rule = "labels are the sectors of the YAML file"
    find(lines, file="sectors.csv", field="sector", sector="industry_4", rule=rule)
    find(lines, file="A.csv", field="A", sector="industry_4", rule=rule, message="unknown")


def test_duplicated_sector_in_yaml(tmp_path: Path) -> None:
    doc = document()
    doc["sectors"].append({"name": "industry_2", "title": "again"})
    doc["scalars"]["labour_force"]["source"] = ""
    lines = problem_lines(write(tmp_path, doc=doc))
    find(
        lines,
        file="economy.yaml",
        field="sectors",
        sector="industry_2",
        rule="names are unique",
        message="given twice",
    )
    # The other problems of the same file are reported with it.
    find(lines, file="economy.yaml", field="scalars.labour_force.source", rule="has a source")


def test_duplicated_sector_in_csv(tmp_path: Path) -> None:
    sectors = SECTORS + "industry_2,20.68,0.3,5\n"
    A = A_CSV + "industry_1,0.2,0.3,0.2\n"
    lines = problem_lines(write(tmp_path, sectors=sectors, A=A))
    rule = "each sector appears once"
    find(lines, file="sectors.csv", field="sector", sector="industry_2", rule=rule)
    find(lines, file="A.csv", field="A", sector="industry_1", rule=rule, message="given twice")


def test_duplicated_sector_in_matrix_header(tmp_path: Path) -> None:
    A = A_CSV.replace(
        "input,industry_1,industry_2,industry_3", "input,industry_1,industry_1,industry_3"
    )
    lines = problem_lines(write(tmp_path, A=A))
    find(lines, file="A.csv", field="A", sector="industry_1", rule="each sector appears once")
    find(lines, file="A.csv", field="A", sector="industry_2", rule="every sector appears")


def test_unknown_sector_in_long_layout(tmp_path: Path) -> None:
    long = "input,sector,value\nindustry_1,industry_1,0.2\nindustry_9,industry_2,0.1\n"
    lines = problem_lines(write(tmp_path, A=long))
    find(lines, file="A.csv", field="A", sector="industry_9", rule="sectors of the YAML file")


def test_cell_given_twice_in_long_layout(tmp_path: Path) -> None:
    long = "input,sector,value\nindustry_1,industry_1,0.2\nindustry_1,industry_1,0.1\n"
    lines = problem_lines(write(tmp_path, A=long))
    find(lines, file="A.csv", field="A", rule="each cell appears once")


def test_unknown_sector_names_in_yaml(tmp_path: Path) -> None:
    doc = document(
        sources=sources_with(**{"labour.industry_9": "assumption: x"}),
        indicators=[
            {
                "name": "steel_mt",
                "sector": "industry_9",
                "per_unit": 1.0,
                "unit": "t",
                "source": "assumption: test",
            }
        ],
    )
    lines = problem_lines(write(tmp_path, doc=doc))
    find(
        lines,
        file="economy.yaml",
        field="indicators.steel_mt",
        sector="industry_9",
        rule="sector is a known sector",
    )
    find(lines, file="economy.yaml", field="sources.labour.industry_9", rule="a source key is")


def test_unknown_column_and_scalar(tmp_path: Path) -> None:
    doc = document()
    doc["scalars"]["workforce"] = {"value": 1.0, "source": "assumption: x"}
    sectors = add_column(SECTORS, "colour", ["1", "2", "3"])
    lines = problem_lines(write(tmp_path, doc=doc, sectors=sectors))
    find(lines, file="sectors.csv", field="colour", rule="columns are known per-sector fields")
    find(lines, file="economy.yaml", field="scalars.workforce", rule="scalars are known fields")


def test_unknown_yaml_key(tmp_path: Path) -> None:
    doc = document(colour="red")
    lines = problem_lines(write(tmp_path, doc=doc))
    find(lines, file="economy.yaml", field="colour", rule="only known fields")


# --- productivity and balance ----------------------------------------------------------------

NON_PRODUCTIVE = """\
input,industry_1,industry_2,industry_3
industry_1,0.5,0.6,0
industry_2,0.6,0.5,0
industry_3,0,0,0.5
"""


def test_non_productive_block(tmp_path: Path) -> None:
    lines = problem_lines(write(tmp_path, A=NON_PRODUCTIVE))
    line = find(
        lines,
        file="A.csv",
        field="A",
        rule="A is productive: spectral radius < 1",
        message="spectral radius 1.1 among sectors industry_1, industry_2",
    )
    assert "industry_3" not in line, "the productive block is not named"
    assert len([x for x in lines if "productive" in x]) == 1


def test_non_productive_block_in_memory() -> None:
    A = [[0.5, 0.6, 0.0], [0.6, 0.5, 0.0], [0.0, 0.0, 0.5]]
    with pytest.raises(InputError) as info:
        Economy.build(
            name="np",
            sectors=["a", "b", "c"],
            A=A,
            vectors={"gross_output": [1.0, 1.0, 2.0], "labour": [1.0, 1.0, 1.0]},
            scalars={"labour_force": 1.0},
        )
    line = find(list(info.value.lines()), file="<economy>", field="A", rule="productive")
    assert "sectors a, b" in line and "c" not in line.split("among sectors")[1].split("(")[0]


def test_non_productive_with_other_problems(tmp_path: Path) -> None:
    sectors = replace_cell(SECTORS, "industry_2", "labour", "-1")
    lines = problem_lines(write(tmp_path, A=NON_PRODUCTIVE, sectors=sectors))
    find(lines, file="sectors.csv", field="labour", sector="industry_2", rule=">= 0")
    find(lines, file="A.csv", field="A", rule="productive", message="industry_1, industry_2")


def test_productive_although_a_column_sum_exceeds_one(tmp_path: Path) -> None:
    # Spectral radius sqrt(0.2) < 1: the column-sum bound alone would refuse this.
    economy = Economy.build(
        name="ok",
        sectors=["a", "b"],
        A=[[0.0, 2.0], [0.1, 0.0]],
        vectors={"gross_output": [30.0, 10.0], "labour": [1.0, 1.0], "consumption": [10.0, 7.0]},
        scalars={"labour_force": 40.0},
    )
    assert economy.n == 2


def test_unbalanced_base_year(tmp_path: Path) -> None:
    sectors = replace_cell(SECTORS, "industry_1", "gross_output", "30")
    lines = problem_lines(write(tmp_path, sectors=sectors))
    find(
        lines,
        file="sectors.csv",
        field="gross_output",
        sector="industry_1",
        rule="base year balances",
    )


def test_huge_numbers_are_reported_not_raised(tmp_path: Path) -> None:
    sectors = replace_cell(SECTORS, "industry_1", "gross_output", "1.7e308")
    sectors = replace_cell(sectors, "industry_1", "consumption", "1.7e308")
    lines = problem_lines(write(tmp_path, sectors=sectors))
    rule = "gross_output must be >= 0 and <= 1e+15"
    find(lines, file="sectors.csv", field="gross_output", sector="industry_1", rule=rule)


# --- required fields -------------------------------------------------------------------------


def test_missing_labour_column(tmp_path: Path) -> None:
    sectors = "\n".join(
        ",".join(c for k, c in enumerate(line.split(",")) if k != 2)
        for line in SECTORS.splitlines()
    )
    lines = problem_lines(write(tmp_path, sectors=sectors + "\n"))
    find(lines, file="sectors.csv", field="labour", rule="required field", message="missing column")


def test_missing_labour_force(tmp_path: Path) -> None:
    lines = problem_lines(write(tmp_path, doc=document(scalars={})))
    find(lines, file="economy.yaml", field="scalars.labour_force", rule="required field")


def test_missing_name(tmp_path: Path) -> None:
    lines = problem_lines(write(tmp_path, doc=document(name=None)))
    find(lines, file="economy.yaml", field="name", rule="required field")


def test_malformed_name(tmp_path: Path) -> None:
    lines = problem_lines(write(tmp_path, doc=document(name="Textbook Three")))
    find(lines, file="economy.yaml", field="name", rule="string pattern mismatch")


def test_malformed_name_in_memory() -> None:
    with pytest.raises(InputError) as info:
        Economy.build(
            name="Two Sectors",
            sectors=["a"],
            A=[[0.0]],
            vectors={"gross_output": [1.0], "labour": [1.0], "consumption": [1.0]},
            scalars={"labour_force": 1.0},
        )
    find(list(info.value.lines()), file="<economy>", field="name", rule="a name uses")


def test_wrong_format(tmp_path: Path) -> None:
    lines = problem_lines(write(tmp_path, doc=document(format="planlab-economy/2")))
    find(lines, file="economy.yaml", field="format", rule="format is 'planlab-economy/1'")


def test_missing_csv_file(tmp_path: Path) -> None:
    folder = write(tmp_path)
    (folder / "A.csv").unlink()
    lines = problem_lines(folder)
    find(lines, file="A.csv", field="-", rule="the file exists")


def test_missing_yaml_file(tmp_path: Path) -> None:
    lines = problem_lines(tmp_path)
    assert len(lines) == 1 and "economy.yaml" in lines[0] and "the file exists" in lines[0]


# --- malformed files -------------------------------------------------------------------------


def test_malformed_yaml(tmp_path: Path) -> None:
    lines = problem_lines(write(tmp_path, yaml_text="format: planlab-economy/1\nsectors: [a, b\n"))
    line = find(lines, file="economy.yaml", field="-", rule="well-formed YAML")
    assert "line" in line


def test_yaml_value_that_looks_like_a_date(tmp_path: Path) -> None:
    text = yaml.safe_dump(document(), sort_keys=False).replace(
        "base_year: hypothetical", "base_year: 1928-13-01"
    )
    lines = problem_lines(write(tmp_path, yaml_text=text))
    find(lines, file="economy.yaml", field="-", rule="well-formed YAML", message="month")


def test_yaml_that_is_not_a_mapping(tmp_path: Path) -> None:
    lines = problem_lines(write(tmp_path, yaml_text="- just\n- a list\n"))
    find(lines, file="economy.yaml", field="-", rule="a YAML mapping at the top")


def test_yaml_wrong_types(tmp_path: Path) -> None:
    doc = document()
    doc["scalars"]["labour_force"]["value"] = "many"
    doc["sectors"][1]["title"] = ["not", "text"]
    lines = problem_lines(write(tmp_path, doc=doc))
    find(lines, file="economy.yaml", field="scalars.labour_force.value", rule="float type")
    find(lines, file="economy.yaml", field="sectors.1.title", sector="industry_2", rule="string")


def test_ragged_rows(tmp_path: Path) -> None:
    sectors = SECTORS.replace("industry_2,20.68,0.3,5", "industry_2,20.68,0.3")
    sectors = sectors.replace("industry_3,18.36,0.4,6", "industry_3,18.36,0.4,6,7")
    lines = problem_lines(write(tmp_path, sectors=sectors))
    rule = "every row has as many cells as the header"
    find(lines, file="sectors.csv", field="-", rule=rule, message="row 3 has 3 cells")
    find(lines, file="sectors.csv", field="-", rule=rule, message="row 4 has 5 cells")


def test_unterminated_quote(tmp_path: Path) -> None:
    A = A_CSV.replace("industry_3,0.1", 'industry_3,"0.1')
    lines = problem_lines(write(tmp_path, A=A))
    find(lines, file="A.csv", field="-", rule="well-formed CSV")


def test_empty_csv(tmp_path: Path) -> None:
    lines = problem_lines(write(tmp_path, sectors=""))
    find(lines, file="sectors.csv", field="-", rule="a header row")


def test_not_utf8(tmp_path: Path) -> None:
    folder = write(tmp_path)
    (folder / "A.csv").write_bytes(b"input,\xff\xfe\n")
    lines = problem_lines(folder)
    find(lines, file="A.csv", field="-", rule="a readable UTF-8 file")


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    folder = write(tmp_path)
    (folder / "sectors.csv").write_text("\ufeff" + SECTORS, encoding="utf-8")
    assert load(folder).n == 3


def test_non_numeric_cells(tmp_path: Path) -> None:
    sectors = replace_cell(SECTORS, "industry_2", "labour", "abc")
    sectors = replace_cell(sectors, "industry_1", "consumption", "")
    A = replace_cell(A_CSV, "industry_3", "industry_2", "0,3".replace(",", ";"))
    lines = problem_lines(write(tmp_path, sectors=sectors, A=A))
    rule = "cells hold numbers"
    find(
        lines,
        file="sectors.csv",
        field="labour",
        sector="industry_2",
        rule=rule,
        message="not a number: 'abc'",
    )
    find(
        lines,
        file="sectors.csv",
        field="consumption",
        sector="industry_1",
        rule=rule,
        message="empty cell",
    )
    find(
        lines,
        file="A.csv",
        field="A",
        sector="industry_2",
        rule=rule,
        message="not a number: '0;3' for input 'industry_3'",
    )


# --- sources ---------------------------------------------------------------------------------


def test_missing_vector_source(tmp_path: Path) -> None:
    lines = problem_lines(write(tmp_path, doc=document(sources=sources_with(labour=None))))
    for sector in ("industry_1", "industry_2", "industry_3"):
        find(
            lines,
            file="economy.yaml",
            field="sources.labour",
            sector=sector,
            rule="every number has a source",
        )
    assert len(lines) == 3


def test_sources_per_sector_are_enough(tmp_path: Path) -> None:
    per_sector = {f"labour.industry_{k}": f"assumption: {k}" for k in (1, 2, 3)}
    doc = document(sources=sources_with(labour=None, **per_sector))
    assert load(write(tmp_path / "ok", doc=doc)).sources["labour.industry_2"] == "assumption: 2"
    del doc["sources"]["labour.industry_2"]
    lines = problem_lines(write(tmp_path / "bad", doc=doc))
    find(lines, file="economy.yaml", field="sources.labour", sector="industry_2", rule="a source")
    assert len(lines) == 1


def test_missing_matrix_source(tmp_path: Path) -> None:
    lines = problem_lines(write(tmp_path, doc=document(sources=sources_with(A=None))))
    line = find(
        lines,
        file="economy.yaml",
        field="sources.A",
        sector="industry_1",
        rule="every number has a source",
    )
    assert "input 'industry_1'" in line


def test_matrix_sources_by_row_column_and_cell(tmp_path: Path) -> None:
    keys = {"A.industry_1.*": "r", "A.*.industry_2": "c", "A.industry_2.industry_1": "x"}
    doc = document(sources=sources_with(A=None, **keys))
    lines = problem_lines(write(tmp_path, doc=doc))
    uncovered = {
        ("industry_3", "industry_1"),
        ("industry_2", "industry_3"),
        ("industry_3", "industry_3"),
    }
    assert len(lines) == len(uncovered)
    for source, sector in uncovered:
        find(
            lines,
            file="economy.yaml",
            field="sources.A",
            sector=sector,
            rule="has a source",
            message=f"input '{source}'",
        )


def test_empty_scalar_source(tmp_path: Path) -> None:
    doc = document()
    doc["scalars"]["labour_force"]["source"] = "  "
    lines = problem_lines(write(tmp_path, doc=doc))
    find(lines, file="economy.yaml", field="scalars.labour_force.source", rule="has a source")


def test_source_key_naming_nothing(tmp_path: Path) -> None:
    doc = document(sources=sources_with(**{"colour": "x", "A.industry_1": "y"}))
    lines = problem_lines(write(tmp_path, doc=doc))
    find(lines, file="economy.yaml", field="sources.colour", rule="a source key is")
    find(lines, file="economy.yaml", field="sources.A.industry_1", rule="a source key is")


def test_sources_can_be_waived(tmp_path: Path) -> None:
    folder = write(tmp_path, doc=document(sources=None))
    problem_lines(folder)
    assert load(folder, require_sources=False).n == 3


# --- reporting -------------------------------------------------------------------------------


def test_each_problem_is_one_line(tmp_path: Path) -> None:
    sectors = SECTORS + '"industry\n_9",1,1,1\n'
    lines = problem_lines(write(tmp_path, sectors=sectors))
    find(lines, file="sectors.csv", field="sector", sector="industry\\n_9", rule="the sectors")


def test_several_problems_in_one_file_are_all_reported(tmp_path: Path) -> None:
    sectors = replace_cell(SECTORS, "industry_1", "labour", "-1")
    sectors = replace_cell(sectors, "industry_2", "consumption", "lots")
    sectors = replace_cell(sectors, "industry_3", "gross_output", "nan")
    sectors = add_column(sectors, "colour", ["1", "2", "3"])
    doc = document(sources=sources_with(consumption=None))
    doc["scalars"]["labour_force"]["value"] = -21.0
    A = replace_cell(A_CSV, "industry_2", "industry_2", "-0.1")
    lines = problem_lines(write(tmp_path, sectors=sectors, A=A, doc=doc))
    find(lines, file="sectors.csv", field="labour", sector="industry_1", rule=">= 0")
    find(lines, file="sectors.csv", field="consumption", sector="industry_2", rule="numbers")
    find(lines, file="sectors.csv", field="gross_output", sector="industry_3", rule=">= 0")
    find(lines, file="sectors.csv", field="colour", rule="known per-sector fields")
    find(lines, file="A.csv", field="A", sector="industry_2", rule="coefficients must be >= 0")
    find(lines, file="economy.yaml", field="scalars.labour_force", rule="labour_force must be >= 0")
    for sector in ("industry_1", "industry_2", "industry_3"):
        find(lines, file="economy.yaml", field="sources.consumption", sector=sector, rule="source")
    assert len(lines) == 9


def test_economy_build_reports_every_problem() -> None:
    with pytest.raises(InputError) as info:
        Economy.build(
            name="bad",
            sectors=["a", "a", "B"],
            A=[[0.1, 0.2], [0.3, 0.4]],
            vectors={"gross_output": [1.0, 2.0], "labour": [1.0, -1.0, 1.0], "colour": [1, 2, 3]},
            scalars={"labour_force": 1.0, "workforce": 2.0},
        )
    lines = list(info.value.lines())
    find(lines, file="<economy>", field="sectors", sector="a", rule="names are unique")
    find(lines, file="<economy>", field="sectors", sector="B", rule="names use a-z")
    find(lines, file="<economy>", field="A", rule="shape is sectors x sectors", message="2x2")
    find(lines, file="<economy>", field="gross_output", rule="one value per sector")
    find(lines, file="<economy>", field="colour", rule="known per-sector fields")
    find(lines, file="<economy>", field="scalars.workforce", rule="known fields")


def test_empty_file_name(tmp_path: Path) -> None:
    doc = document()
    doc["files"]["sectors"] = ""
    lines = problem_lines(write(tmp_path, doc=doc))
    find(lines, file="economy.yaml", field="files.sectors", rule="a file name", message="empty")


@pytest.mark.parametrize("radius", [0.95, 1.05])
def test_productivity_of_a_large_block(radius: float) -> None:
    # Over 400 sectors in one block, with column sums above one: ARPACK decides.
    n = 450
    rng = np.random.default_rng(5)
    cycle = sp.csr_array((np.ones(n), (np.arange(n), (np.arange(n) + 1) % n)), shape=(n, n))
    noise = sp.random_array((n, n), density=4.0 / n, rng=rng).tocsr()
    A = sp.csr_array(cycle + noise)
    A = sp.csr_array(A * (radius / np.max(np.abs(np.linalg.eigvals(A.toarray())))))
    assert float(np.max(A.sum(axis=0))) > 1.0
    names = [f"s{i}" for i in range(n)]
    problems = check_productive(A, names, "A.csv")
    if radius < 1:
        assert problems == []
    else:
        assert len(problems) == 1
        line = str(problems[0])
        assert "spectral radius 1.05" in line and "(450 sectors)" in line
