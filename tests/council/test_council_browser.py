"""A full round in Debian's Chromium through the web UI, driven by Playwright.

Register, get a role from the commission, open a round, propose and read the
consequences, combine proposals into variants, vote, close, and adopt.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from _server import Server, seed
from playwright.sync_api import Browser, Page, sync_playwright

from planlab.council.security import COOKIE

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is missing: `make browser` installs it")
    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield found
        found.close()


def _login(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(re.compile(r".*/(\?.*)?$"))


def _register(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/register")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Register')")
    page.wait_for_url(re.compile(r".*/login\?registered=.*"))


def _propose(page: Page, base: str, round_id: str, growth: str) -> str:
    page.goto(f"{base}/rounds/{round_id}")
    form = page.locator("#propose-target")
    form.locator("input[name=value]").fill(growth)
    form.locator("button").click()
    page.wait_for_url(re.compile(r".*/proposals/\d+$"))
    return page.url.rsplit("/", 1)[1]


def test_a_full_round_in_the_browser(browser: Browser, tmp_path: Path) -> None:
    server = Server(tmp_path / "ui.db", tmp_path / "server.log")
    seed(server.url, [("commission", "commission", None)])
    with server:
        base = server.base
        boss = browser.new_context().new_page()
        people = {}
        for name in ("chem-delegate", "textile-delegate", "metalworkers"):
            page = browser.new_context().new_page()
            _register(page, base, name)
            _login(page, base, name)
            assert "observer" in page.locator("nav").inner_text()
            people[name] = page

        _login(boss, base, "commission")
        boss.goto(f"{base}/")
        boss.fill("input[name=title]", "First five-year plan")
        boss.select_option("select[name=source]", "ussr-1928")
        boss.click("button:has-text('Open the round')")
        boss.wait_for_url(re.compile(r".*/rounds/\d+$"))
        round_id = boss.url.rsplit("/", 1)[1]
        assert "Feasible" in boss.locator("main").inner_text()

        boss.goto(f"{base}/participants")
        for name, role, branch in (
            ("chem-delegate", "delegate", "chemicals"),
            ("textile-delegate", "delegate", "textiles_light"),
            ("metalworkers", "workers", ""),
        ):
            form = boss.locator(f"#grant-{name}")
            form.locator("select[name=role]").select_option(role)
            form.locator("select[name=branch]").select_option(branch)
            form.locator("button").click()
            boss.wait_for_url(re.compile(r".*/participants$"))
        assert "chemicals" in boss.locator("main").inner_text()

        chem, textile = people["chem-delegate"], people["textile-delegate"]
        chem_id = _propose(chem, base, round_id, "15")
        assert chem.locator("#feasibility").inner_text().startswith("Feasible")
        assert chem.locator("#gives-way tr").count() > 1, "the page says what gives way"
        assert chem.locator("#binding tr").count() > 1
        assert chem.locator("#costs").is_visible()
        assert chem.locator("#tradeoff svg").count() == 1

        textile_id = _propose(textile, base, round_id, "4")
        assert textile.locator("#feasibility").inner_text().startswith("Feasible")

        _propose(chem, base, round_id, "90")
        assert chem.locator("#feasibility").inner_text().startswith("Infeasible")
        assert "chemicals" in chem.locator("#conflicts").inner_text()

        workers = people["metalworkers"]
        workers.goto(f"{base}/proposals/{chem_id}")
        workers.fill("#comment textarea[name=text]", "Chemicals for the fields first.")
        workers.click("#comment button")
        workers.wait_for_url(re.compile(rf".*/proposals/{chem_id}$"))
        assert "Chemicals for the fields first." in workers.locator("main").inner_text()

        boss.goto(f"{base}/rounds/{round_id}")
        assert boss.locator("#tradeoff svg").count() == 1, "two competing proposals: a frontier"
        for name, proposal in (("Chemicals first", chem_id), ("Textiles first", textile_id)):
            form = boss.locator("#make-variant")
            form.locator(f"input[name=proposal{proposal}]").check()
            form.locator("input[name=name]").fill(name)
            form.locator("button").click()
            boss.wait_for_url(re.compile(rf".*/rounds/{round_id}$"))
        boss.locator("#make-ranked button").click()
        boss.wait_for_url(re.compile(r".*/ballots/\d+$"))
        ballot_url = boss.url

        for page, order in ((chem, ("1", "2")), (textile, ("2", "1")), (workers, ("1", "2"))):
            page.goto(ballot_url)
            ranks = page.locator("#vote input[type=number]")
            ranks.nth(0).fill(order[0])
            ranks.nth(1).fill(order[1])
            page.click("#vote button")
            page.wait_for_url(f"{ballot_url}/vote")
            assert page.locator("#voted").is_visible()
            receipt = page.locator("#receipt").inner_text()
            assert "commitment" in receipt and "salt" in receipt, "the voter gets a receipt"

        boss.goto(ballot_url)
        boss.click("#close-ballot")
        boss.wait_for_url(ballot_url)
        assert "Chemicals first" in boss.locator("#winners").inner_text()
        assert boss.locator("#explain li").count() >= 1
        assert boss.locator("#commitments li").count() == 3, "the counted commitments"

        boss.goto(f"{base}/rounds/{round_id}")
        boss.click("#close-round")
        boss.wait_for_url(re.compile(rf".*/rounds/{round_id}$"))
        row = boss.locator("tr", has_text="Chemicals first")
        row.locator("button:has-text('Adopt')").click()
        boss.wait_for_url(re.compile(rf".*/rounds/{round_id}$"))
        assert boss.locator("#round-status").inner_text() == "adopted"
        assert boss.locator("#adopted").count() == 1

        boss.goto(f"{base}/audit")
        assert "Every link of the chain holds" in boss.locator("#chain").inner_text()


def test_a_delegate_reads_units_paths_and_what_limits_the_plan(
    browser: Browser, tmp_path: Path
) -> None:
    """Every number with its unit, the plans' paths as a chart, binding constraints in words."""
    server = Server(tmp_path / "read.db", tmp_path / "read.log")
    seats = seed(server.url, [("boss", "commission", None), ("chem", "delegate", "chemicals")])
    with server:
        with seats["boss"].client(server.base) as boss:
            body = {"title": "readable", "source": "ussr-1928", "growth": 0.15}
            round_id = boss.post("/api/rounds", json=body).json()["id"]
            for name in ("as is", "again"):
                boss.post(
                    f"/api/rounds/{round_id}/variants", json={"name": name, "proposal_ids": []}
                )
        context = browser.new_context()
        context.add_cookies([{"name": COOKIE, "value": seats["chem"].token, "url": server.base}])
        page = context.new_page()
        page.goto(f"{server.base}/rounds/{round_id}")
        outputs = page.locator("#base-plan td.num:nth-child(2)").all_inner_texts()
        assert len(outputs) == 17
        assert all(text.endswith("million roubles at 1926/27 prices") for text in outputs)
        totals = page.locator("#base-totals").inner_text()
        assert "thousand persons" in totals and "million gold roubles" in totals
        limits = page.locator("#binding li").all_inner_texts()
        assert limits, "a 15 % tempo binds somewhere"
        assert all("would raise the least fulfilment by" in line for line in limits)
        assert any("labour" in line for line in limits)
        assert page.locator("#paths svg polyline").count() == 3, "base plan and two variants"
        assert "plan year" in page.locator("#paths svg").inner_html()
        context.close()
