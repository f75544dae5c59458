"""What the machine lends a process: the memory figure the solvers choose by."""

from __future__ import annotations

from pathlib import Path

import pytest

from planlab import cores


def _machine(tmp_path: Path, meminfo: str | None, limit: str | None, used: str = "0") -> None:
    if meminfo is not None:
        (tmp_path / "meminfo").write_text(meminfo)
    if limit is not None:
        (tmp_path / "memory.max").write_text(limit)
        (tmp_path / "memory.current").write_text(used)


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(cores, "_MEMINFO", tmp_path / "meminfo")
    monkeypatch.setattr(
        cores, "_CGROUP_LIMITS", ((tmp_path / "memory.max", tmp_path / "memory.current"),)
    )
    return tmp_path


def test_available_memory_is_the_kernels_estimate_or_the_groups_rest_if_less(
    machine: Path,
) -> None:
    meminfo = "MemTotal: 400 kB\nMemAvailable: 300 kB\n"
    _machine(machine, meminfo, None)
    assert cores.available_memory() == 300 * 1024
    _machine(machine, meminfo, "max")  # a group without a limit
    assert cores.available_memory() == 300 * 1024
    _machine(machine, meminfo, str(1024 * 1024), used=str(1024 * 1024 - 5000))
    assert cores.available_memory() == 5000
    _machine(machine, meminfo, str(10**12))
    assert cores.available_memory() == 300 * 1024


def test_available_memory_is_unknown_where_the_system_does_not_say(machine: Path) -> None:
    assert cores.available_memory() is None


def test_this_machine_reports_some_memory() -> None:
    if not Path("/proc/meminfo").exists():
        pytest.skip("no /proc/meminfo")
    found = cores.available_memory()
    assert found is not None and found > 0
