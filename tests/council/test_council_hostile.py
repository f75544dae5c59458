"""Hostile input: ids out of range, malformed forms, lone surrogates, headers, throttles.

Each test here reproduces a finding of a security review (F1-F5, W1, W2 and the
minor ones) and holds the service to a 4xx answer, never a 5xx.
"""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from _council import PASSWORD, Member, make_app, member
from _server import Server
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from planlab.council import checks, deps
from planlab.council.models import Comment

BIG = 2**63
SURROGATE = '"\\ud800abc"'


def _client(app: FastAPI, **kwargs: Any) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, **kwargs)


def _quiet(who: Member) -> Member:
    """The member's cookie on a client that reports a server error as 500, not an exception."""
    client = _client(who.client.app, cookies=dict(who.client.cookies))
    return Member(who.name, client, who.csrf)


@pytest.fixture
def world(app: FastAPI) -> dict[str, Any]:
    boss = _quiet(member(app, "boss", "commission"))
    delegate = _quiet(member(app, "ind", "delegate", "industry_1"))
    workers = _quiet(member(app, "wrk", "workers"))
    observer = _quiet(member(app, "obs", "observer"))
    round_id = boss.post("/api/rounds", {"title": "r", "source": "textbook-3"}).json()["id"]
    made = delegate.post(
        f"/api/rounds/{round_id}/proposals",
        {"kind": "target", "branch": "industry_1", "value": -0.02},
    )
    assert made.status_code == 201, made.text
    return {
        "boss": boss,
        "delegate": delegate,
        "workers": workers,
        "observer": observer,
        "round": round_id,
        "proposal": made.json()["id"],
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/api/rounds/{BIG}", None),
        ("GET", f"/api/proposals/{BIG}", None),
        ("GET", f"/api/proposals/{BIG}/comments", None),
        ("GET", f"/api/variants/{BIG}", None),
        ("GET", f"/api/ballots/{BIG}", None),
        ("GET", f"/api/audit?after={BIG}", None),
        ("POST", f"/api/ballots/{BIG}/votes", {"choice": ["1"]}),
        ("POST", "/api/rounds/{round}/proposals", {"kind": "objection", "objects_to": BIG}),
        ("POST", "/api/rounds/{round}/variants", {"name": "v", "proposal_ids": [BIG]}),
        ("POST", "/api/rounds/{round}/ballots", {"kind": "ranked", "candidates": [BIG, 1]}),
        ("GET", f"/rounds/{BIG}", None),
        ("GET", f"/proposals/{BIG}", None),
        ("GET", f"/ballots/{BIG}", None),
        ("GET", f"/variants/{BIG}", None),
    ],
)
def test_ids_beyond_64_bits_are_refused_not_a_crash(
    world: dict[str, Any], method: str, path: str, body: dict[str, Any] | None
) -> None:
    """F1: an id of 2^63 is outside every table's range: 404 or 422, never 500."""
    path = path.format(round=world["round"])
    who: Member = world["workers"] if "votes" in path or "objection" in str(body) else world["boss"]
    if body is not None and body.get("kind") == "objection":
        body = {**body, "reasons": "no"}
    answer = who.get(path) if method == "GET" else who.post(path, body)
    assert answer.status_code in (404, 422), answer.text


@pytest.mark.parametrize("objects_to", ["²", "9" * 5000, str(BIG), "-1"])
def test_proposal_form_parses_like_the_api(world: dict[str, Any], objects_to: str) -> None:
    """F2: a superscript digit or a 5,000-digit id is a 422 from the form too."""
    workers: Member = world["workers"]
    form = {
        "kind": "objection",
        "objects_to": objects_to,
        "reasons": "no",
        "csrf_token": workers.csrf,
    }
    answer = workers.client.post(
        f"/rounds/{world['round']}/proposals", data=form, follow_redirects=False
    )
    assert answer.status_code == 422, answer.text


def test_proposal_form_checks_permission_before_parsing(world: dict[str, Any]) -> None:
    """F2: an observer's malformed proposal is refused as not theirs to make (403)."""
    observer: Member = world["observer"]
    form = {"kind": "objection", "objects_to": "²", "csrf_token": observer.csrf}
    answer = observer.client.post(
        f"/rounds/{world['round']}/proposals", data=form, follow_redirects=False
    )
    assert answer.status_code == 403


@pytest.mark.parametrize("form", ["variants", "ballots"])
def test_variant_and_ballot_forms_refuse_a_field_that_is_no_id(
    world: dict[str, Any], form: str
) -> None:
    """F3: ``proposalX`` is not an id: 422 from the commission's forms."""
    boss: Member = world["boss"]
    fields = {"name": "v", "kind": "approval", "budget": "10", "proposalX": "on"}
    answer = boss.client.post(
        f"/rounds/{world['round']}/{form}",
        data={**fields, "csrf_token": boss.csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize("route", ["register", "login", "comment"])
def test_a_lone_surrogate_is_a_422_that_echoes_nothing(world: dict[str, Any], route: str) -> None:
    """F4: text that is not valid Unicode is refused with a JSON answer, not a dropped link."""
    if route == "comment":
        workers: Member = world["workers"]
        answer = workers.client.post(
            f"/api/proposals/{world['proposal']}/comments",
            content=f'{{"text": {SURROGATE}}}',
            headers={"X-CSRF-Token": workers.csrf, "Content-Type": "application/json"},
        )
    else:
        anonymous = _client(world["boss"].client.app)
        answer = anonymous.post(
            f"/api/auth/{route}",
            content=f'{{"name": {SURROGATE}, "password": "a long enough password"}}',
            headers={"Content-Type": "application/json"},
        )
    assert answer.status_code == 422, answer.text
    assert "abc" not in answer.text, "the answer does not echo the input"
    assert answer.json()["detail"]


def test_invalid_utf8_json_is_a_422(app: FastAPI) -> None:
    answer = _client(app).post(
        "/api/auth/login",
        content=b'{"name": "\xff\xfe", "password": "x"}',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code in (400, 422)


def _login(client: TestClient, name: str, password: str, **headers: str) -> Any:
    return client.post(
        "/api/auth/login", json={"name": name, "password": password}, headers=headers
    )


def test_guesses_from_one_address_do_not_lock_the_account_elsewhere(tmp_path: Path) -> None:
    """W1: five bad guesses from an attacker's address leave the owner's own login alone."""
    app = make_app(tmp_path / "t.db", login_failures=3)
    member(app, "boss", "commission")
    attacker = _client(app, client=("203.0.113.7", 4000))
    codes = [_login(attacker, "boss", f"wrong password {k}").status_code for k in range(5)]
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]
    owner = _client(app, client=("198.51.100.2", 4000))
    assert _login(owner, "boss", PASSWORD).status_code == 200
    app.state.db.dispose()


def test_back_off_doubles_with_each_further_failure(tmp_path: Path) -> None:
    """W1: past the free failures each guess waits twice as long as the one before."""
    # A back-off well above a password check's time (Argon2, slower on a loaded machine), so
    # that guesses do come back before it ends and are refused.
    backoff = 1.0
    app = make_app(tmp_path / "t.db", login_failures=2, login_backoff_seconds=backoff)
    member(app, "someone", "observer")
    client = _client(app, client=("203.0.113.8", 4000))
    starts: list[float] = []
    refused = 0
    for password in [f"wrong {k} password" for k in range(4)] + [PASSWORD]:
        while True:
            began = time.monotonic()
            answer = _login(client, "someone", password)
            if answer.status_code != 429:
                break
            assert int(answer.headers["Retry-After"]) >= 1
            refused += 1
            time.sleep(0.02)
        starts.append(began)
        assert answer.status_code == (200 if password == PASSWORD else 401)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert refused > 0
    for gap, wait in zip(gaps[1:], (backoff, 2 * backoff, 4 * backoff), strict=True):
        # a request starts a little before the server reads the clock, more so on a loaded
        # machine: a tenth of the wait as slack (the waits still tell doubling apart)
        assert gap >= 0.9 * wait, f"a guess came {gap:.2f} s after the last, before its {wait} s"
    app.state.db.dispose()


def test_password_check_runs_outside_the_write_lock(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """W2: while Argon2 runs (about a quarter second), other writers are not held up."""
    member(app, "someone", "observer")
    queue: threading.Lock = app.state.db.queue
    held: list[bool] = []
    original = deps.check_password

    def spy(stored: str | None, password: str) -> bool:
        free = queue.acquire(blocking=False)
        if free:
            queue.release()
        held.append(not free)
        return original(stored, password)

    monkeypatch.setattr(deps, "check_password", spy)
    assert _login(_client(app), "someone", PASSWORD).status_code == 200
    assert _login(_client(app), "someone", "wrong password!").status_code == 401
    assert held == [False, False]


def test_registration_is_throttled_per_address(tmp_path: Path) -> None:
    app = make_app(tmp_path / "t.db", registrations_per_window=2)
    client = _client(app, client=("203.0.113.9", 4000))
    codes = [
        client.post(
            "/api/auth/register", json={"name": f"newcomer{k}", "password": PASSWORD}
        ).status_code
        for k in range(3)
    ]
    assert codes == [201, 201, 429]
    other = _client(app, client=("198.51.100.3", 4000))
    answer = other.post("/api/auth/register", json={"name": "another", "password": PASSWORD})
    assert answer.status_code == 201
    app.state.db.dispose()


def _ranked_ballot(world: dict[str, Any]) -> int:
    boss: Member = world["boss"]
    r = world["round"]
    ids = [
        boss.post(f"/api/rounds/{r}/variants", {"name": n, "proposal_ids": p}).json()["id"]
        for n, p in (("a", [world["proposal"]]), ("b", []))
    ]
    made = boss.post(f"/api/rounds/{r}/ballots", {"kind": "ranked", "candidates": ids})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


@pytest.mark.parametrize("rank", ["nan", "inf", "1.5", "0"])
def test_ballot_form_refuses_a_rank_that_is_no_whole_number(
    world: dict[str, Any], rank: str
) -> None:
    ballot = _ranked_ballot(world)
    workers: Member = world["workers"]
    first = world["boss"].get(f"/api/ballots/{ballot}").json()["candidates"][0]
    ranks = {f"rank{first}": rank}
    answer = workers.client.post(
        f"/ballots/{ballot}/vote",
        data={**ranks, "csrf_token": workers.csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 422, answer.text


def test_an_overlong_comment_is_refused_not_cut(world: dict[str, Any]) -> None:
    workers: Member = world["workers"]
    answer = workers.client.post(
        f"/proposals/{world['proposal']}/comments",
        data={"text": "x" * 5001, "csrf_token": workers.csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 422
    with workers.client.app.state.db.read() as session:  # type: ignore[attr-defined]
        assert session.scalar(select(Comment.id)) is None, "nothing is stored"


@pytest.mark.parametrize("path", ["/", "/login", "/api/rounds", "/docs"])
def test_security_headers(app: FastAPI, path: str) -> None:
    answer = _client(app).get(path, follow_redirects=False)
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_api_docs_load_nothing_from_elsewhere(app: FastAPI) -> None:
    client = _client(app)
    page = client.get("/docs")
    assert page.status_code == 200
    assert "https://" not in page.text and "http://" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/docs/static/{asset}").status_code == 200
    assert client.get("/openapi.json").status_code == 200


def test_form_cookie_is_secure_behind_https(tmp_path: Path) -> None:
    app = make_app(tmp_path / "s.db", secure_cookies=True)
    cookie = _client(app).get("/login").headers["set-cookie"].lower()
    assert "planlab_form" in cookie and "secure" in cookie
    app.state.db.dispose()


def test_tradeoffs_are_computed_one_at_a_time(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One observer asking for many pairs at once keeps at most one core on trade-offs."""
    running, most = [0], [0]
    lock = threading.Lock()
    original = checks.build

    def counted(*args: Any, **kwargs: Any) -> Any:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.02)
            return original(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(checks, "build", counted)
    checks.forget_tradeoffs()
    observer: Member = world["observer"]
    pairs = [
        ("industry_1", "industry_2"),
        ("industry_2", "industry_3"),
        ("industry_1", "industry_3"),
    ]
    codes: list[int] = []

    def ask(pair: tuple[str, str]) -> None:
        url = f"/api/rounds/{world['round']}/tradeoff?a={pair[0]}&b={pair[1]}"
        codes.append(observer.get(url).status_code)

    threads = [threading.Thread(target=ask, args=(p,)) for p in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1
    assert set(codes) <= {200, 429}


def _guesses(server: Server, forwarded: list[str | None]) -> list[int]:
    codes = []
    for k, address in enumerate(forwarded):
        headers = {"X-Forwarded-For": address} if address else {}
        body = {"name": f"nobody{k}", "password": "wrong password!"}
        codes.append(
            httpx.post(
                f"{server.base}/api/auth/login", json=body, headers=headers, timeout=30
            ).status_code
        )
    return codes


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(tmp_path: Path) -> None:
    """F5: rotating X-Forwarded-For does not give a guesser a fresh address."""
    with Server(
        tmp_path / "a.db", tmp_path / "a.log", login_failures="100", address_failures="3"
    ) as server:
        codes = _guesses(server, [f"192.0.2.{k}" for k in range(5)])
    assert codes == [401, 401, 401, 429, 429]


def test_a_trusted_proxy_gives_each_client_its_own_address(tmp_path: Path) -> None:
    with Server(
        tmp_path / "b.db",
        tmp_path / "b.log",
        login_failures="100",
        address_failures="2",
        trusted_proxies='["127.0.0.1"]',
    ) as server:
        rotating = _guesses(server, [f"192.0.2.{k}" for k in range(4)])
        one = _guesses(server, ["198.51.100.9"] * 3)
    assert rotating == [401] * 4, "each forwarded client has its own count"
    assert one == [401, 401, 429]
