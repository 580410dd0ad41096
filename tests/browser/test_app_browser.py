"""The web app in a real browser: Scenario -> Run -> Compare, as a planner would go.

A fixture starts ``sim111 app`` (``python -m sim111 app``) on 127.0.0.1 and a free
port and waits for Streamlit's health check; Playwright drives Debian's
``chromium-headless-shell`` (launched by its path, never downloaded: see
test_report_browser.py for when the test is skipped or required). The KPI shown
after a run must equal the API's for the same scenario and seed, a long run must
stop on Cancel, the console must stay free of errors, and each page's screenshot is
kept in the artefacts folder (``$SIM111_TEST_ARTIFACTS``, else ``test-artifacts/``;
docs/figures/app-run.png is the Run page's, copied from there).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim111.experiments.replications import run_experiment
from sim111.kpi_keys import kpi_info
from sim111.outputs.days import short_label
from sim111.outputs.formatting import _fmt
from sim111.scenario import load_scenario
from tests.browser.test_report_browser import ARTIFACTS, ROOT, _browser

WAIT_MS = 90_000
LABEL = "easter-2013 (edited)"
SEED = 7
# Console messages Streamlit's own front end logs that are not errors of the app: none
# have been seen with Streamlit 1.67 in chromium-headless-shell; add any here with why.
BENIGN: tuple[str, ...] = ()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if server.poll() is not None:
            raise RuntimeError(f"sim111 app exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"sim111 app did not serve {url} within {seconds:.0f} s")


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """``sim111 app`` serving this tree's app on a free port; stopped (with its
    Streamlit child: one process group) at the end."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), SIM111_SCENARIOS=str(ROOT / "scenarios"))
    log = (tmp_path / "app.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "sim111", "app", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, server)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    # Streamlit may still show the previous scenario's (stale) field while it redraws
    page.wait_for_function(
        "label => document.querySelectorAll(`input[aria-label='${label}']`).length === 1",
        arg=label,
        timeout=WAIT_MS,
    )
    box.fill(str(value))
    box.press("Enter")


def _go(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNavLink"]', has_text=title).click()
    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=WAIT_MS)


def _scenario(page) -> None:
    page.get_by_role("heading", name="Scenario", exact=True).wait_for(timeout=WAIT_MS)
    page.locator('[data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="easter-2013.toml").click()
    page.get_by_text("6 days from Thu 28 Mar 2013").wait_for(timeout=WAIT_MS)
    _number(page, "Days", 2)
    page.get_by_text("2 days from Thu 28 Mar 2013").wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="Use this scenario").click()
    page.get_by_text(f"Using {LABEL}").wait_for(timeout=WAIT_MS)
    page.screenshot(path=str(ARTIFACTS / "app-scenario.png"), full_page=True)


def _run(page) -> dict[str, str]:
    _go(page, "Run")
    _number(page, "Replications", 2)
    _number(page, "Seed", SEED)
    page.get_by_role("button", name="Run", exact=True).click()
    metrics = page.locator('[data-testid="stMetric"]')
    metrics.nth(4).wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="Scenario (TOML)").wait_for(timeout=WAIT_MS)
    page.wait_for_function(
        "Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length >= 5",
        timeout=WAIT_MS,
    )
    shown = {}
    for i in range(metrics.count()):
        label = metrics.nth(i).locator('[data-testid="stMetricLabel"]').inner_text().strip()
        shown[label] = metrics.nth(i).locator('[data-testid="stMetricValue"]').inner_text()
    heading = page.get_by_role("heading", name=f"{LABEL}: 2 days")
    heading.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.screenshot(path=str(ARTIFACTS / "app-run.png"), full_page=False)
    assert page.get_by_role("button", name="Cancel").count() == 0  # gone once it finished
    return shown


def _compare(page) -> str:
    _go(page, "Compare")
    _number(page, "Replications", 2)
    page.get_by_role("button", name="Compare", exact=True).click()
    page.get_by_text("Differences from the baseline").wait_for(timeout=WAIT_MS)
    page.locator('[data-testid="stImage"] img').first.wait_for(timeout=WAIT_MS)
    text = page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / "app-compare.png"), full_page=True)
    return text


def _cancel(page) -> str:
    """A long run (Easter's 2 days x 400 replications) cancelled once it is under way."""
    _go(page, "Run")
    _number(page, "Replications", 400)
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_text("of 400 replications").wait_for(timeout=WAIT_MS)
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("Run cancelled.").wait_for(timeout=WAIT_MS)
    return page.inner_text("body")


def test_a_planner_goes_from_easter_2013_to_a_run_and_a_comparison(app_url):
    executable = _browser()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(app_url)
            _scenario(page)
            shown = _run(page)
            compared = _compare(page)
            cancelled = _cancel(page)
        finally:
            browser.close()
    easter = load_scenario(ROOT / "scenarios" / "easter-2013.toml")
    result = run_experiment(easter.with_overrides({"run.days": 2, "name": LABEL}), 2, SEED)
    for key in ("answered_within_60s", "abandoned_after_30s", "cost_per_call_gbp"):
        kpi = kpi_info(key)
        assert shown[short_label(kpi.label)] == _fmt(kpi, result.summary.loc[key, "mean"])
    # the tables are drawn on a canvas; the choices and the pairing paragraph are text
    assert LABEL in compared and "library: typical-area.toml" in compared
    assert "run lengths and start dates differ" in compared
    assert "400 replications, seed" not in cancelled  # no result of the cancelled run
    assert [e for e in errors if not e.startswith(BENIGN)] == []
