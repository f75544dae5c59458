"""Scenario files: one YAML file naming an economy, its policies, paths and a horizon.

A scenario may hold courses (``courses/<name>.yaml``): each a documented set of
policies with dates that replaces the scenario's entries of the same name.

Loading validates every entry against the tables in ``planlab.simulate.scenario``
and reports each problem on one line naming the file, the field and the rule,
as economies do. Every number carries its source.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from planlab.documents import DOCUMENT_CONFIG, DocumentLoader, path_exists, read_yaml_document
from planlab.economy import Economy, builtin_names, load, load_builtin
from planlab.errors import InputError, Problem
from planlab.plan import PlanSettings, build, growth_targets
from planlab.simulate.params import MAX_MONTHS, MAX_SEED, scenario_problems, setting_problems
from planlab.simulate.scenario import (
    EXOGENOUS,
    INITIAL,
    PARAMETERS,
    POLICIES,
    Scenario,
    Setting,
    Spec,
)

__all__ = [
    "CALIBRATION_FORMAT",
    "CALIBRATION_NAME",
    "COURSE_FORMAT",
    "SCENARIO_FORMAT",
    "CalibrationDocument",
    "CourseDocument",
    "ScenarioDocument",
    "builtin_scenarios",
    "calibration_document",
    "course_document",
    "load_scenario",
    "scenario_courses",
    "scenario_schema",
]

SCENARIO_FORMAT = "planlab-scenario/1"
COURSE_FORMAT = "planlab-course/1"
CALIBRATION_FORMAT = "planlab-calibration/2"
CALIBRATION_NAME = "calibration.yaml"
YAML_NAME = "scenario.yaml"
COURSES = "courses"


EARLIEST_START = dt.date(1800, 1, 1)
LATEST_START = dt.date(2100, 12, 1)
"""Runs start within 1800-2100: with the longest horizon (1200 months) a run ends by 2200,
inside the dates pandas holds (1677-2262), and the calendar the record needs is covered."""


class _Strict(BaseModel):
    model_config = DOCUMENT_CONFIG


class ChangeEntry(_Strict):
    """A new value from a date on."""

    date: dt.date = Field(strict=False)
    value: float
    source: str = ""


class SettingEntry(_Strict):
    """A value with its source, and dated changes."""

    value: float
    source: str = Field(min_length=1, description="Publication and table, or 'assumption: why'.")
    unit: str = ""
    changes: list[ChangeEntry] = []


class PlanEntry(_Strict):
    """Targets from a balanced plan computed by ``planlab.plan`` at load time."""

    years: int = Field(ge=1, le=30, description="Plan years.")
    objective: str = Field("harmony", description="harmony or weighted.")
    consumption_growth: float = Field(0.0, description="Yearly rise of the consumption floors.")
    source: str = Field(
        min_length=1, description="Why this plan: a publication, or 'assumption: why'."
    )


class ScenarioDocument(_Strict):
    """The YAML file of a scenario."""

    format: Literal["planlab-scenario/1"]
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    title: str = ""
    description: str = ""
    economy: str = Field(description="A built-in economy's name, or a path relative to this file.")
    start: dt.date = Field(
        strict=False,
        ge=EARLIEST_START,
        le=LATEST_START,
        description="First day of the run (the first of a month).",
    )
    months: int = Field(ge=1, le=MAX_MONTHS, description="Default horizon in months.")
    seed: int = Field(default=1, ge=0, le=MAX_SEED, description="The run's seed.")
    default_growth: SettingEntry | None = None
    growth: dict[str, SettingEntry] = Field(
        default_factory=dict,
        description="Yearly growth of targets per branch (administered tempo).",
    )
    revised_growth: dict[str, SettingEntry] = Field(
        default_factory=dict,
        description="Yearly growth per branch once the plan is revised (policy tempo_revision).",
    )
    priority: dict[str, float] = Field(
        default_factory=dict,
        description="Construction priority per branch; the lowest is cut first.",
    )
    export_plan: dict[str, SettingEntry] = Field(
        default_factory=dict,
        description="Exports ordered per good, as a multiple of the base year's exports, with "
        "dated changes; sold at what the world market pays.",
    )
    priority_source: str = ""
    region_pressure: dict[str, float] = Field(
        default_factory=dict,
        description="Multiplier of collectivisation pressure per grain region (household runs).",
    )
    region_pressure_source: str = ""
    plan: PlanEntry | None = Field(
        None,
        description="Take targets from a plan that balances the tempos (growth) instead of the "
        "tempos themselves.",
    )
    machinery: list[str] = []
    agriculture: list[str] = []
    grain: str | None = None
    policies: dict[str, SettingEntry] = {}
    parameters: dict[str, SettingEntry] = {}
    exogenous: dict[str, SettingEntry] = {}
    initial: dict[str, SettingEntry] = {}


class CourseDocument(_Strict):
    """A course: entries that replace the scenario's own (policies, tempos, horizon, ...)."""

    format: Literal["planlab-course/1"]
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$")
    title: str = Field(min_length=1)
    description: str = Field(min_length=1, description="What the course is and why.")
    months: int | None = Field(None, ge=1, le=MAX_MONTHS)
    seed: int | None = Field(None, ge=0, le=MAX_SEED)
    default_growth: SettingEntry | None = None
    growth: dict[str, SettingEntry] = {}
    revised_growth: dict[str, SettingEntry] = {}
    export_plan: dict[str, SettingEntry] = {}
    priority: dict[str, float] = {}
    priority_source: str | None = None
    region_pressure: dict[str, float] | None = None
    region_pressure_source: str | None = None
    plan: PlanEntry | None = None
    policies: dict[str, SettingEntry] = {}
    parameters: dict[str, SettingEntry] = {}
    exogenous: dict[str, SettingEntry] = {}
    initial: dict[str, SettingEntry] = {}


class CalibratedEntry(SettingEntry):
    """A calibrated parameter: its value and source, the range that fits the record about as
    well, whether the record identifies it, and its sensitivity (Morris)."""

    range: list[float] | None = Field(None, min_length=2, max_length=2)
    identified: bool | None = None
    sensitivity: dict[str, float] = {}


class CalibrationDocument(_Strict):
    """Parameters fitted to the record by ``planlab calibrate``, with the fit and settings."""

    format: Literal["planlab-calibration/2"]
    scenario: str
    procedure: dict[str, Any]
    fit: dict[str, Any]
    summary: str = ""
    parameters: dict[str, CalibratedEntry]


_MERGED = (
    "growth",
    "revised_growth",
    "export_plan",
    "priority",
    "policies",
    "parameters",
    "exogenous",
    "initial",
)
_REPLACED = (
    "months",
    "seed",
    "default_growth",
    "priority_source",
    "region_pressure",
    "region_pressure_source",
    "plan",
)


def _with_course(doc: ScenarioDocument, course: CourseDocument) -> ScenarioDocument:
    """The scenario with the course's entries in place of its own."""
    update: dict[str, Any] = {
        name: {**getattr(doc, name), **getattr(course, name)} for name in _MERGED
    }
    for name in _REPLACED:
        if name in course.model_fields_set and getattr(course, name) is not None:
            update[name] = getattr(course, name)
    update["title"] = f"{doc.title}: {course.title}" if doc.title else course.title
    return doc.model_copy(update=update)


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario YAML file."""
    schema = ScenarioDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "planlab scenario"
    return schema


def _root() -> Path:
    return Path(str(resources.files("planlab") / "data" / "scenarios"))


def builtin_scenarios() -> list[str]:
    """Names of the built-in scenarios."""
    return sorted(p.name for p in _root().iterdir() if (p / YAML_NAME).is_file())


def _scenario_file(name_or_path: str | os.PathLike[str]) -> Path:
    path = Path(name_or_path)
    if not path_exists(path):
        candidate = _root() / str(name_or_path) / YAML_NAME
        if not path_exists(candidate, kind="file"):
            raise InputError.single(
                str(name_or_path),
                "name",
                "a built-in scenario or an existing path",
                f"unknown; built-ins are {', '.join(builtin_scenarios())}",
            )
        path = candidate
    return path / YAML_NAME if path.is_dir() else path


def scenario_courses(name_or_path: str | os.PathLike[str]) -> list[str]:
    """The courses a scenario holds (``courses/<name>.yaml`` beside its file), by name."""
    folder = _scenario_file(name_or_path).parent / COURSES
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def course_document(name_or_path: str | os.PathLike[str], course: str) -> CourseDocument:
    """A course's file as written (the entries it sets, with their sources)."""
    path = _scenario_file(name_or_path).parent / COURSES / f"{course}.yaml"
    return read_yaml_document(path, COURSE_FORMAT, CourseDocument, loader=_Loader)


def calibration_document(name_or_path: str | os.PathLike[str]) -> CalibrationDocument | None:
    """The scenario's ``calibration.yaml``, if it has one."""
    path = _scenario_file(name_or_path).parent / CALIBRATION_NAME
    if not path.is_file():
        return None
    return read_yaml_document(path, CALIBRATION_FORMAT, CalibrationDocument, loader=_Loader)


def load_scenario(name_or_path: str | os.PathLike[str], course: str | None = None) -> Scenario:
    """A built-in scenario by name, or one from a YAML file or the folder holding it;
    with ``course``, the scenario under that course's policies."""
    path = _scenario_file(name_or_path)
    doc = _with_calibration(path, _read(path))
    if course is None:
        return _build(path, doc)
    courses = scenario_courses(path)
    if course not in courses:
        raise InputError.single(
            str(path.parent / COURSES),
            "course",
            f"one of {', '.join(courses) or '(no courses)'}",
            f"{course!r} unknown",
        )
    _build(path, doc)
    course_path = path.parent / COURSES / f"{course}.yaml"
    entry = read_yaml_document(course_path, COURSE_FORMAT, CourseDocument, loader=_Loader)
    if entry.name != course:
        raise InputError.single(
            course_path.name, "name", "the file's name without .yaml", repr(entry.name)
        )
    scenario = _build(course_path, _with_course(doc, entry), base=path.parent)
    return dataclasses.replace(scenario, course=course)


class _Loader(DocumentLoader):
    """The document loader, leaving dates as text, so that the model checks them field by field.

    The safe loader turns anything shaped like a date into one and fails with a bare
    ValueError on an impossible one (1929-02-30), with no file or field to report.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in DocumentLoader.yaml_implicit_resolvers.items()
}


def _with_calibration(path: Path, doc: ScenarioDocument) -> ScenarioDocument:
    """The scenario with the parameters of ``calibration.yaml`` beside it, if there is one."""
    fitted = path.parent / CALIBRATION_NAME
    if not fitted.is_file():
        return doc
    entry = read_yaml_document(fitted, CALIBRATION_FORMAT, CalibrationDocument, loader=_Loader)
    problems = [
        problem
        for key, item in entry.parameters.items()
        for problem in setting_problems(
            fitted.name,
            "parameters",
            key,
            Setting(item.value, tuple((c.date, c.value) for c in item.changes), item.source),
            PARAMETERS,
        )
    ]
    if problems:
        raise InputError(problems)
    return doc.model_copy(update={"parameters": {**doc.parameters, **entry.parameters}})


def _read(path: Path) -> ScenarioDocument:
    return read_yaml_document(path, SCENARIO_FORMAT, ScenarioDocument, loader=_Loader)


def _settings(
    entries: dict[str, SettingEntry], table: Mapping[str, Spec], group: str, file: str
) -> tuple[dict[str, Setting], list[Problem]]:
    problems = []
    out = {}
    for key, entry in entries.items():
        setting = Setting(
            entry.value, tuple((c.date, c.value) for c in entry.changes), entry.source
        )
        if key in table:
            out[key] = setting  # its values are checked with the whole scenario
        else:
            problems += setting_problems(file, group, key, setting, table)
    return out, problems


def _build(path: Path, doc: ScenarioDocument, base: Path | None = None) -> Scenario:
    """The scenario from a validated document; ``base`` is the folder paths are relative to
    (the scenario's own, also when a course file is being read)."""
    file = path.name if base is None else f"{COURSES}/{path.name}"
    problems: list[Problem] = []
    economy: Economy | None = None
    target = (path.parent if base is None else base) / doc.economy
    try:
        if path_exists(target):
            economy = load(target)
        elif doc.economy in builtin_names():
            economy = load_builtin(doc.economy)
        else:
            problems.append(
                Problem(
                    file,
                    "economy",
                    "a built-in economy or a path relative to this file",
                    f"{doc.economy!r} not found; built-ins are {', '.join(builtin_names())}",
                )
            )
    except InputError as exc:
        problems.extend(exc.problems)
    if doc.start.day != 1:
        problems.append(Problem(file, "start", "the first day of a month", str(doc.start)))
    groups = {}
    for group, table in (
        ("policies", POLICIES),
        ("parameters", PARAMETERS),
        ("exogenous", EXOGENOUS),
        ("initial", INITIAL),
    ):
        groups[group], more = _settings(getattr(doc, group), table, group, file)
        problems += more
    if doc.region_pressure and not doc.region_pressure_source.strip():
        problems.append(
            Problem(file, "region_pressure_source", "every number has a source", "missing")
        )
    if economy is None:
        raise InputError(problems)
    scenario = Scenario(
        name=doc.name,
        title=doc.title,
        economy=economy,
        start=doc.start,
        months=doc.months,
        seed=doc.seed,
        policies=groups["policies"],
        parameters=groups["parameters"],
        exogenous=groups["exogenous"],
        initial=groups["initial"],
        targets={k: v.value for k, v in doc.growth.items()},
        revised_targets={k: v.value for k, v in doc.revised_growth.items()},
        export_plan={
            k: Setting(v.value, tuple((c.date, c.value) for c in v.changes), v.source)
            for k, v in doc.export_plan.items()
        },
        default_growth=doc.default_growth.value if doc.default_growth else 0.0,
        priority=dict(doc.priority),
        machinery=tuple(doc.machinery),
        agriculture=tuple(doc.agriculture),
        grain=doc.grain,
        region_pressure=dict(doc.region_pressure),
    )
    problems += scenario_problems(scenario, file)
    if problems:
        raise InputError(problems)
    if doc.plan is None:
        return scenario
    return dataclasses.replace(scenario, target_path=_plan_targets(economy, doc, file))


def _plan_targets(economy: Economy, doc: ScenarioDocument, file: str) -> np.ndarray:
    """Each branch's output per plan year, from a plan that balances the scenario's tempos.

    Every year of every branch is a target, so the harmony plan keeps the branches in
    proportion year by year rather than only at the end.
    """
    assert doc.plan is not None
    entry = doc.plan
    default = doc.default_growth.value if doc.default_growth else 0.0
    growth = {
        name: doc.growth[name].value if name in doc.growth else default for name in economy.names
    }
    settings = PlanSettings(years=entry.years, consumption_growth=entry.consumption_growth)
    try:
        targets = growth_targets(economy, growth, entry.years)
        result = build(economy, entry.years, targets, entry.objective, settings=settings)
    except InputError as exc:
        raise InputError(
            Problem(file, f"plan.{p.field}", p.rule, p.message, p.sector) for p in exc.problems
        ) from None
    if not result.feasible:
        raise InputError.single(file, "plan", "the plan has a solution", result.message)
    table = result.sectors.pivot(index="year", columns="sector", values="gross_output")
    return np.asarray(table[list(economy.names)].to_numpy(), dtype=float)
