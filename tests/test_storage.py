"""Saving and loading economies: exact round trips, the long matrix layout, safe writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

from _economies import random_economy
from planlab.economy import (
    Economy,
    Indicator,
    Sector,
    builtin_names,
    builtin_path,
    load,
    load_builtin,
    resolve,
    save,
)
from planlab.economy.storage import DENSE_LIMIT, YAML_NAME
from planlab.errors import InputError


def round_trip(economy: Economy, folder: Path) -> Economy:
    path = save(economy, folder)
    assert path == folder / YAML_NAME
    return load(folder)


def test_there_are_builtin_economies() -> None:
    assert "textbook-3" in builtin_names()


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_round_trip(name: str, tmp_path: Path) -> None:
    economy = load_builtin(name)
    again = round_trip(economy, tmp_path / name)
    assert again.equals(economy)
    assert economy.equals(again)
    # A second round trip writes the same files.
    round_trip(again, tmp_path / "second")
    for file in (tmp_path / name).iterdir():
        assert file.read_text(encoding="utf-8") == (tmp_path / "second" / file.name).read_text(
            encoding="utf-8"
        )


def test_builtin_by_name_and_path() -> None:
    economy = resolve("textbook-3")
    assert economy.equals(resolve(str(builtin_path("textbook-3"))))
    assert economy.equals(load(builtin_path("textbook-3") / YAML_NAME))
    with pytest.raises(InputError, match="built-in economy"):
        builtin_path("no-such-economy")


def test_equals_notices_a_change() -> None:
    economy = random_economy(1, 4, rich=True)
    assert economy.equals(economy)
    changed = economy.replace(vectors={"labour": economy.labour + 1.0})
    assert not economy.equals(changed)
    assert not economy.equals(economy.replace(title="other"))
    A = economy.A.toarray()
    A[0, 0] += 1e-9
    assert not economy.equals(economy.replace(A=A, balance_tolerance=1e-3))


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 8),
    rich=st.booleans(),
    density=st.sampled_from([0.0, 0.3, 1.0]),
)
def test_in_memory_round_trip(
    seed: int, n: int, rich: bool, density: float, tmp_path_factory: pytest.TempPathFactory
) -> None:
    economy = random_economy(seed, n, rich=rich, density=density)
    folder = tmp_path_factory.mktemp("economy")
    again = round_trip(economy, folder)
    assert again.equals(economy)
    assert (folder / "B.csv").exists() == rich


@settings(max_examples=100, deadline=None)
@given(
    texts=st.lists(st.text(), min_size=6, max_size=6),
    source=st.text(),
)
@example(texts=["\x85 NEL", "a\u2028b\u2029", "\r\n", " x ", "Ж: 'q'", "\ufeff#"], source="\x85")
@example(texts=["1e3", "0e0", "-2E-5", "yes", "True", "null"], source="1e3")
def test_any_text_round_trips(
    texts: list[str], source: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    base = random_economy(8, 2, rich=True)
    title, description, unit, sector_title, group, note = texts
    sources = {k: f"assumption: {source}" for k in base.sources}
    indicators = [
        Indicator("output_s0", "s0", 1.5, unit, f"assumption: {source}", description=note)
    ]
    economy = base.replace(
        title=title,
        description=description,
        value_unit=unit,
        labour_unit=note,
        base_year=group,
        sectors=[Sector("s0", sector_title, group), Sector("s1", group, sector_title)],
        sources=sources,
        indicators=indicators,
    )
    folder = tmp_path_factory.mktemp("text")
    assert round_trip(economy, folder).equals(economy)


def test_minimal_economy_round_trip(tmp_path: Path) -> None:
    economy = Economy.build(
        name="one",
        sectors=["grain"],
        A=[[0.5]],
        vectors={"gross_output": [2.0], "labour": [1.0], "consumption": [1.0]},
        scalars={"labour_force": 2.0},
        sources={
            "A": "assumption: test",
            "gross_output": "assumption: test",
            "labour": "assumption: test",
            "consumption": "assumption: test",
            "scalars.labour_force": "assumption: test",
        },
    )
    again = round_trip(economy, tmp_path / "one")
    assert again.equals(economy)
    assert again.given == frozenset(
        {"gross_output", "labour", "consumption", "scalars.labour_force"}
    )
    np.testing.assert_array_equal(again.capacity, [2.0])


def test_long_matrix_layout_round_trip(tmp_path: Path) -> None:
    n = DENSE_LIMIT + 50
    economy = random_economy(11, n, name="long", density=3.0 / n)
    folder = tmp_path / "long"
    again = round_trip(economy, folder)
    header = (folder / "A.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "input,sector,value"
    lines = (folder / "A.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == economy.A.nnz + 1
    assert again.equals(economy)


def test_long_layout_is_read_for_small_economies(tmp_path: Path) -> None:
    economy = load_builtin("textbook-3")
    folder = tmp_path / "t"
    save(economy, folder)
    coo = economy.A.tocoo()
    rows = ["input,sector,value"] + [
        f"{economy.names[i]},{economy.names[j]},{v!r}"
        for i, j, v in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    ]
    (folder / "A.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert load(folder).equals(economy)


def test_save_into_an_existing_folder(tmp_path: Path) -> None:
    folder = tmp_path / "target"
    rich = random_economy(5, 4, rich=True)
    save(rich, folder)
    assert (folder / "B.csv").exists()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    plain = random_economy(6, 3)
    save(plain, folder)
    assert not (folder / "B.csv").exists(), "a stale B.csv would change the economy"
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert load(folder).equals(plain)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"], "no temporary files left"


def test_save_creates_missing_parents(tmp_path: Path) -> None:
    economy = random_economy(2, 3)
    folder = tmp_path / "a" / "b" / "c"
    assert round_trip(economy, folder).equals(economy)


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8") if p.is_file() else "<dir>"
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize("blocked", ["economy.yaml", "sectors.csv", "A.csv", "B.csv"])
def test_failed_save_leaves_the_old_economy_intact(blocked: str, tmp_path: Path) -> None:
    folder = tmp_path / "target"
    old = random_economy(3, 3, rich=True)
    save(old, folder)
    # A folder where a new file must go makes the save fail part way through.
    (folder / blocked).unlink()
    (folder / blocked).mkdir()
    (folder / blocked / "inside").write_text("x", encoding="utf-8")
    before = _snapshot(folder)
    new = random_economy(4, 5, rich=True)
    with pytest.raises(OSError):
        save(new, folder)
    assert _snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"], "no temporary files left"


@pytest.mark.parametrize("fail_at", range(1, 10))
def test_save_failing_at_any_move_rolls_back(
    fail_at: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "target"
    save(random_economy(3, 3, rich=True), folder)
    before = _snapshot(folder)
    original = Path.replace
    calls = 0

    def flaky(self: Path, target: str | Path) -> Path:
        nonlocal calls
        calls += 1
        if calls == fail_at:
            raise PermissionError("simulated failure")
        return original(self, target)

    monkeypatch.setattr(Path, "replace", flaky)
    new = random_economy(4, 5)
    try:
        save(new, folder)
    except PermissionError:
        assert _snapshot(folder) == before
    else:
        monkeypatch.undo()
        assert load(folder).equals(new)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"], "no temporary files left"


def test_failed_save_into_a_new_folder_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Path, target: str | Path) -> Path:
        raise PermissionError("simulated failure")

    monkeypatch.setattr(Path, "replace", broken)
    with pytest.raises(PermissionError):
        save(random_economy(3, 3), tmp_path / "new")
    assert list(tmp_path.iterdir()) == []


def test_failed_save_into_a_file_writes_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OSError):
        save(random_economy(3, 3), blocker)
    assert blocker.read_text(encoding="utf-8") == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_saved_numbers_read_back_exactly(tmp_path: Path) -> None:
    awkward = np.array([0.1, 1 / 3, 2.0**-1074, 1e-300, 123456789.123456789])
    n = awkward.size
    A = sp.csr_array(np.diag(awkward / (1.0 + awkward)))
    x = np.array([1.0, 3.0, 7.0, 1e5, 2.5])
    economy = Economy.build(
        name="awkward",
        sectors=[f"s{i}" for i in range(n)],
        A=A,
        vectors={"gross_output": x, "labour": awkward, "consumption": x - A @ x},
        scalars={"labour_force": 1 / 7},
        sources={
            "A": "assumption: test",
            "gross_output": "assumption: test",
            "labour": "assumption: test",
            "consumption": "assumption: test",
            "scalars.labour_force": "assumption: test",
        },
        balance_tolerance=0.0,
    )
    assert round_trip(economy, tmp_path / "awkward").equals(economy)
