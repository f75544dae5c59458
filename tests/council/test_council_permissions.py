"""The permission matrix: every role (and anonymous) against every API route, from one table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _council import Member, make_app, member
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from planlab.council.permissions import ROLES, TABLE

ROLE_BRANCH = {"delegate": "coal"}

# method, path (filled from the world), JSON body, action the route needs
ROUTES: list[tuple[str, str, dict[str, Any] | None, str]] = [
    ("GET", "/api/auth/me", None, "read"),
    ("GET", "/api/users", None, "user.list"),
    ("POST", "/api/users/{spare}/role", {"role": "observer"}, "user.grant"),
    ("GET", "/api/rounds", None, "read"),
    ("POST", "/api/rounds", {"title": "another", "source": "textbook-3"}, "round.create"),
    ("GET", "/api/rounds/{round}", None, "read"),
    ("POST", "/api/rounds/{round2}/close", None, "round.close"),
    ("POST", "/api/rounds/{round2}/iterate", None, "round.iterate"),
    ("GET", "/api/rounds/{round}/tradeoff?a=coal&b=oil", None, "read"),
    ("GET", "/api/rounds/{round}/proposals", None, "read"),
    (
        "POST",
        "/api/rounds/{round}/proposals",
        {"kind": "target", "branch": "coal", "value": 0.05},
        "proposal.target",
    ),
    (
        "POST",
        "/api/rounds/{round}/proposals",
        {"kind": "priority", "branch": "coal", "value": 1.2},
        "proposal.priority",
    ),
    ("POST", "/api/rounds/{round}/proposals", {"kind": "floor", "value": 0.001}, "proposal.floor"),
    (
        "POST",
        "/api/rounds/{round}/proposals",
        {"kind": "objection", "objects_to": "{proposal}", "reasons": "no"},
        "proposal.objection",
    ),
    ("GET", "/api/proposals/{proposal}", None, "read"),
    ("GET", "/api/proposals/{proposal}/comments", None, "read"),
    ("POST", "/api/proposals/{proposal}/comments", {"text": "yes"}, "comment.create"),
    ("GET", "/api/rounds/{round}/variants", None, "read"),
    (
        "POST",
        "/api/rounds/{round}/variants",
        {"name": "v", "proposal_ids": ["{proposal}"]},
        "variant.create",
    ),
    ("GET", "/api/variants/{variant}", None, "read"),
    ("POST", "/api/variants/{variant}/adopt", None, "plan.adopt"),
    ("GET", "/api/rounds/{round}/ballots", None, "read"),
    (
        "POST",
        "/api/rounds/{round}/ballots",
        {"kind": "ranked", "candidates": ["{variant}", "{variant2}"]},
        "ballot.create",
    ),
    ("GET", "/api/ballots/{ballot}", None, "read"),
    ("POST", "/api/ballots/{ballot}/votes", {"choice": ["{variant}"]}, "vote.cast"),
    ("POST", "/api/ballots/{ballot2}/close", None, "ballot.close"),
    ("GET", "/api/audit", None, "audit.read"),
    ("GET", "/api/audit/verify", None, "audit.read"),
]
OPEN = {"/api/auth/register", "/api/auth/login", "/api/auth/logout"}
"""Routes for getting in and out, tested in test_council_security."""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    app = make_app(Path(tmp_path_factory.mktemp("perm")) / "council.db")
    members = {role: member(app, f"the-{role}", role, ROLE_BRANCH.get(role)) for role in ROLES}
    boss, coal = members["commission"], members["delegate"]
    spare = member(app, "spare", "observer")
    ids: dict[str, Any] = {"spare": spare.get("/api/auth/me").json()["user"]["id"]}
    ids["round"] = boss.post("/api/rounds", {"title": "r", "source": "ussr-1928"}).json()["id"]
    ids["round2"] = boss.post("/api/rounds", {"title": "r2", "source": "textbook-3"}).json()["id"]
    made = coal.post(
        f"/api/rounds/{ids['round']}/proposals", {"kind": "target", "branch": "coal", "value": 0.02}
    )
    ids["proposal"] = made.json()["id"]
    for key in ("variant", "variant2"):
        ids[key] = boss.post(
            f"/api/rounds/{ids['round']}/variants", {"name": key, "proposal_ids": [ids["proposal"]]}
        ).json()["id"]
    for key in ("ballot", "ballot2"):
        ids[key] = boss.post(
            f"/api/rounds/{ids['round']}/ballots",
            {"kind": "ranked", "candidates": [ids["variant"], ids["variant2"]]},
        ).json()["id"]
    yield {"app": app, "members": members, "ids": ids}
    app.state.db.dispose()


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        for key, number in ids.items():
            if value == f"{{{key}}}":
                return number
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _call(who: Member | TestClient, method: str, path: str, body: Any) -> Any:
    if isinstance(who, Member):
        return who.post(path, body) if method == "POST" else who.get(path)
    return who.request(method, path, json=body)


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@pytest.mark.parametrize(
    ("method", "path", "body", "action"), ROUTES, ids=[f"{m} {p} {a}" for m, p, _, a in ROUTES]
)
def test_role_against_route(
    world: dict[str, Any], role: str, method: str, path: str, body: Any, action: str
) -> None:
    ids = world["ids"]
    who = TestClient(world["app"]) if role == "anonymous" else world["members"][role]
    answer = _call(who, method, _fill(path, ids), _fill(body, ids))
    if role == "anonymous":
        assert answer.status_code == 401, answer.text
    elif role in TABLE[action]:
        assert answer.status_code not in (401, 403), answer.text
        assert answer.status_code < 500, answer.text
    else:
        assert answer.status_code == 403, answer.text


@pytest.mark.parametrize("kind", ["target", "priority"])
def test_a_delegate_cannot_act_for_another_branch(world: dict[str, Any], kind: str) -> None:
    coal = world["members"]["delegate"]
    answer = coal.post(
        f"/api/rounds/{world['ids']['round']}/proposals",
        {"kind": kind, "branch": "oil", "value": 1.1 if kind == "priority" else 0.05},
    )
    assert answer.status_code == 403
    assert "oil" in answer.json()["detail"]


def test_every_api_route_is_in_the_matrix(world: dict[str, Any]) -> None:
    app: FastAPI = world["app"]
    served = {
        (method, route.path)
        for route in app.routes
        if isinstance(route, APIRoute) and route.path.startswith("/api")
        for method in route.methods
    }
    names = {"{spare}": "{user_id}", "{round2}": "{round_id}", "{round}": "{round_id}"}
    names |= {"{proposal}": "{proposal_id}", "{variant}": "{variant_id}"}
    names |= {"{ballot}": "{ballot_id}", "{ballot2}": "{ballot_id}"}
    covered = set()
    for method, path, _, _ in ROUTES:
        path = path.split("?")[0]
        for mine, theirs in names.items():
            path = path.replace(mine, theirs)
        covered.add((method, path))
    missing = {(m, p) for m, p in served if p not in OPEN} - covered
    assert not missing


@pytest.mark.parametrize(
    "page", ["/rounds/1", "/proposals/1", "/ballots/1", "/participants", "/audit"]
)
def test_anonymous_pages_redirect_to_login(world: dict[str, Any], page: str) -> None:
    answer = TestClient(world["app"]).get(page, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


@pytest.mark.parametrize("role", ["delegate", "workers", "observer"])
def test_commission_pages_are_refused_to_others(world: dict[str, Any], role: str) -> None:
    assert world["members"][role].get("/participants").status_code == 403
