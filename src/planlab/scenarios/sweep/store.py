"""A sweep's folder: its manifest, its design and one partitioned Parquet dataset of series.

::

    DIR/sweep.json                                  settings, distributions, design digest
    DIR/runs.parquet                                the design: one row per run
    DIR/series/course=<course>/part-<first>-<last>.parquet

Every part holds whole runs (columns ``run``, ``date``, ``variable``, ``value``, ``sample``
and one column per varied parameter or grid lever; ``course`` is the partition) and is
written through a hidden temporary file renamed into place, so a part is whole or absent.
A run is finished when a part holds it; resuming computes only the others, and only into
a folder whose design is the same.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from planlab.errors import InputError
from planlab.scenarios.sweep.design import Design

__all__ = ["SWEEP_FORMAT", "Sweep", "finished_runs", "prepare", "read_sweep", "write_part"]

SWEEP_FORMAT = "planlab-sweep/1"
MANIFEST = "sweep.json"
DESIGN = "runs.parquet"
SERIES = "series"


def _write_atomic(path: Path, write: Any) -> None:
    """Call ``write(temporary path)`` and move the result to ``path``: whole or absent."""
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    os.close(handle)
    try:
        write(Path(tmp))
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _manifest(design: Design) -> dict[str, Any]:
    from planlab import __version__

    return {
        "format": SWEEP_FORMAT,
        "settings": design.settings.document(),
        "runs": len(design.runs),
        "distributions": {
            name: {"distribution": d.text(), "source": design.sources[name]}
            for name, d in design.distributions.items()
        },
        "fixed": dict(design.fixed),
        "digest": design.digest(),
        "planlab": __version__,
    }


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.single(str(path), "-", "a sweep's manifest (JSON)", str(exc)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != SWEEP_FORMAT:
        raise InputError.single(str(path), "format", f"format {SWEEP_FORMAT}", "missing or other")
    return manifest


def prepare(out: Path, design: Design) -> set[int]:
    """Make ``out`` a sweep's folder for the design (or check that it is one); the runs
    already finished there."""
    if (out / MANIFEST).is_file():
        found = _read_manifest(out)
        if found.get("digest") != design.digest():
            raise InputError.single(
                str(out / MANIFEST),
                "digest",
                "a sweep resumes with the same settings (or use a new --out folder)",
                "the folder holds a sweep with other settings",
            )
        return finished_runs(out)
    if out.exists() and (not out.is_dir() or _holds_other_files(out)):
        raise InputError.single(
            str(out), "--out", "a new or empty folder, or a sweep's folder", "holds other files"
        )
    (out / SERIES).mkdir(parents=True, exist_ok=True)
    _write_atomic(out / DESIGN, lambda tmp: design.runs.to_parquet(tmp, index=False))
    text = json.dumps(_manifest(design), indent=2) + "\n"
    _write_atomic(out / MANIFEST, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return set()


def _holds_other_files(out: Path) -> bool:
    """Whether the folder holds more than a sweep that stopped before its manifest."""
    mine = {SERIES, DESIGN}
    others = [p for p in out.iterdir() if p.name not in mine and not p.name.startswith(".")]
    return bool(others) or bool(_parts(out))


def _parts(out: Path) -> list[Path]:
    return sorted(p for p in (out / SERIES).glob("course=*/part-*.parquet"))


def finished_runs(out: Path) -> set[int]:
    """The runs whose series a part of the dataset holds."""
    done: set[int] = set()
    for part in _parts(out):
        done.update(
            int(v) for v in pc.unique(pq.read_table(part, columns=["run"])["run"]).to_pylist()
        )
    return done


def write_part(out: Path, design: Design, label: str, table: pa.Table) -> Path:
    """Write one batch's series with the design's columns of its runs; returns the part."""
    runs = table["run"].to_numpy()
    rows = design.runs.set_index("run").loc[runs]
    columns = {"sample": rows["sample"].to_numpy()} | {
        name: rows[name].to_numpy(dtype=float) for name in design.levers
    }
    for name, values in columns.items():
        table = table.append_column(name, pa.array(values))
    folder = out / SERIES / f"course={label}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{int(runs.min()):06d}-{int(runs.max()):06d}.parquet"
    _write_atomic(path, lambda tmp: pq.write_table(table, tmp))
    return path


@dataclass(frozen=True)
class Sweep:
    """A sweep read back: its manifest, design, and the runs finished so far."""

    folder: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    finished: frozenset[int]

    @property
    def courses(self) -> list[str]:
        """The course labels of the design, in its order."""
        return list(dict.fromkeys(self.runs["course"]))

    def series(
        self, course: str | None = None, variables: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """The finished runs' series (run, date, variable, value), of one course and the
        named variables when given."""
        columns = ["run", "date", "variable", "value"]
        parts = _parts(self.folder)
        if not parts:
            return pd.DataFrame({c: [] for c in columns})
        dataset = ds.dataset(
            [str(p) for p in parts],
            partitioning=ds.partitioning(pa.schema([("course", pa.string())]), flavor="hive"),
            partition_base_dir=str(self.folder / SERIES),
        )
        condition = None
        if course is not None:
            condition = ds.field("course") == course
        if variables is not None:
            chosen = ds.field("variable").isin(list(variables))
            condition = chosen if condition is None else condition & chosen
        table = dataset.to_table(columns=columns, filter=condition)
        frame = table.to_pandas()
        frame["variable"] = frame["variable"].astype(str)
        ordered: pd.DataFrame = frame.sort_values(
            ["run", "variable", "date"], kind="stable", ignore_index=True
        )
        return ordered


def read_sweep(folder: Path) -> Sweep:
    """A sweep's folder, checked: its manifest, design and finished runs."""
    if not (folder / MANIFEST).is_file():
        raise InputError.single(
            str(folder), "--sweep", "a folder written by planlab sweep", "no sweep.json"
        )
    manifest = _read_manifest(folder)
    try:
        runs = pd.read_parquet(folder / DESIGN)
    except (OSError, pa.ArrowException) as exc:
        raise InputError.single(str(folder / DESIGN), "-", "the sweep's design", str(exc)) from None
    done = finished_runs(folder)
    return Sweep(folder, manifest, runs, frozenset(done & set(np.asarray(runs["run"]).tolist())))
