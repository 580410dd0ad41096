"""report.html in a real browser: every image loads, nothing errors in the console.

Runs headless Chromium from Debian's ``chromium-headless-shell`` package
through Playwright (no browser download: ``.ci/run`` installs the package with
apt and sets ``SIM111_BROWSER_TESTS=required``). Elsewhere the test is skipped
when the browser or Playwright is missing, unless that variable says it is
required. The screenshot is kept in ``test-artifacts/`` (not committed).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sim111.experiments.replications import run_experiment
from sim111.outputs.files import write_outputs
from sim111.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("SIM111_TEST_ARTIFACTS", ROOT / "test-artifacts"))
BROWSERS = ("chromium-headless-shell", "chromium", "chromium-browser")


def _browser() -> str:
    required = os.environ.get("SIM111_BROWSER_TESTS") == "required"
    found = next((p for p in map(shutil.which, BROWSERS) if p), None)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        found = None
    if found is None:
        if required:
            pytest.fail("no headless Chromium or Playwright, and SIM111_BROWSER_TESTS=required")
        pytest.skip("no headless Chromium (apt-get install chromium-headless-shell) or Playwright")
    return found


def test_report_renders_in_a_browser_with_every_image_and_no_console_error(tmp_path):
    executable = _browser()
    from playwright.sync_api import sync_playwright

    scenario = load_scenario(ROOT / "scenarios" / "easter-2013.toml")
    out = tmp_path / "easter"
    write_outputs(run_experiment(scenario.with_overrides({"run.days": 5}), 3, 1), out)
    report = out / "report.html"
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            images = page.evaluate(
                "Array.from(document.images).map(i => [i.alt, i.complete, i.naturalWidth])"
            )
            title = page.inner_text("h1")
            first_screen = page.locator("#headline").bounding_box()
            headline = page.inner_text("#headline")
            sections = page.evaluate(
                "Array.from(document.querySelectorAll('h2, section[id]'))"
                ".map(e => e.id || e.textContent)"
            )
            page_text = page.inner_text("body")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report-easter-2013.png"), full_page=False)
        finally:
            browser.close()
    assert errors == []
    assert len(images) >= 5
    broken = [alt for alt, complete, width in images if not complete or width == 0]
    assert broken == []
    assert "easter" in title.lower()
    # a board member sees the answer first: the headline opens the first screen,
    # naming Good Friday and Easter Monday, and the days come before the charts
    assert first_screen is not None and first_screen["y"] < 900
    assert "Fri 29 Mar (bank holiday)" in headline and "Mon 1 Apr (bank holiday)" in headline
    assert sections.index("headline") < sections.index("by-day")
    assert sections.index("by-day") < sections.index("Half-hour by half-hour")
    assert "nan" not in page_text.lower().split()
