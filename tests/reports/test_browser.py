"""The HTML report in a real browser: headless Chromium driven by selenium (chromium-driver).

The page loads with no console error, its script runs, the portfolio timeline, the SLA chart
and a request's Gantt are drawn and visible, the tables sort, a phone-sized window needs no
sideways scrolling of the page, and hostile titles execute nothing. Screenshots are saved
under tests/artifacts/ (laporan.png, laporan-ponsel.png).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sop_sync.reports.writers.html import render_html
from tests.reports.scenario import hostile_report, report
from tests.reports.tools import artifact, browser, need

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    SELENIUM = True
except ImportError:  # pragma: no cover - a dev dependency
    SELENIUM = False


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    """One headless Chromium for the module, with the browser console logged."""
    if not SELENIUM:
        if os.environ.get("CI"):
            pytest.fail("selenium is not installed (a dev dependency)")
        pytest.skip("selenium is not installed")
    executable = browser()
    chromedriver = need("chromedriver", "selenium drives Chromium through it")
    options = webdriver.ChromeOptions()
    options.binary_location = executable
    for argument in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--no-sandbox"):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    chrome = webdriver.Chrome(service=Service(chromedriver), options=options)
    chrome.set_page_load_timeout(30)
    try:
        yield chrome
    finally:
        chrome.quit()


def load(driver: Any, page: Path) -> list[dict[str, Any]]:
    """Open ``page``; the console messages it logged (severe ones are errors)."""
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(page.as_uri())
    assert driver.execute_script("return document.body.getAttribute('data-siap')") == "1"
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


DRAWN = """
const canvas = arguments[0];
const chart = Chart.getChart(canvas);
if (!chart) { return 0; }
const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
let painted = 0;
for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { painted++; } }
return painted;
"""


def assert_drawn(driver: Any, canvas: Any) -> None:
    """A Chart.js chart on ``canvas``, visible, of a real size, with pixels painted."""
    assert canvas.is_displayed()
    assert canvas.size["width"] > 200
    assert canvas.size["height"] > 100
    assert driver.execute_script(DRAWN, canvas) > 1000


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario's report as a file."""
    path = tmp_path_factory.mktemp("laporan") / "laporan.html"
    path.write_text(render_html(report()), encoding="utf-8")
    return path


def test_page_loads_without_console_errors_and_draws_its_charts(driver: Any, page: Path) -> None:
    """No console error; the timeline and SLA charts drawn; a Gantt drawn once opened."""
    driver.set_window_size(1280, 900)
    assert load(driver, page) == []
    assert_drawn(driver, driver.find_element(By.ID, "grafik-linimasa"))
    sla = driver.find_element(By.ID, "grafik-sla-uji-laporan")
    driver.execute_script("arguments[0].scrollIntoView()", sla)
    assert_drawn(driver, sla)
    details = driver.find_element(By.CSS_SELECTOR, 'details[data-kunci="arsip"]')
    gantt = details.find_element(By.CSS_SELECTOR, "canvas.gantt")
    assert driver.execute_script("return Chart.getChart(arguments[0]) === undefined", gantt)
    details.find_element(By.TAG_NAME, "summary").click()
    driver.execute_script("arguments[0].scrollIntoView()", gantt)
    assert_drawn(driver, gantt)
    driver.execute_script("window.scrollTo(0, 0)")
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(height + 120, 6000))
    assert driver.save_screenshot(str(artifact("laporan.png")))
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []


def test_tables_sort_on_their_headers(driver: Any, page: Path) -> None:
    """Clicking "Kunci" twice orders the requests ascending, then descending."""
    load(driver, page)
    table = driver.find_element(By.CSS_SELECTOR, "#permohonan + .gulir table")
    button = table.find_element(By.XPATH, ".//th[1]")

    def keys() -> list[str]:
        return [row.text for row in table.find_elements(By.CSS_SELECTOR, "tbody td:first-child")]

    button.click()
    assert keys() == ["absensi", "arsip", "kepegawaian"]
    button.click()
    assert keys() == ["kepegawaian", "arsip", "absensi"]


def test_readable_on_a_phone(driver: Any, page: Path) -> None:
    """At 390 px wide the page itself does not scroll sideways (wide tables scroll inside)."""
    driver.set_window_size(390, 844)
    try:
        load(driver, page)
        wide = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert wide <= 1
        assert_drawn(driver, driver.find_element(By.ID, "grafik-linimasa"))
        assert driver.save_screenshot(str(artifact("laporan-ponsel.png")))
    finally:
        driver.set_window_size(1280, 900)


def test_hostile_titles_run_nothing(driver: Any, tmp_path: Path) -> None:
    """A ``<script>`` title and an ``onerror`` pemohon stay text: nothing runs, no error."""
    hostile = tmp_path / "hostile.html"
    hostile.write_text(render_html(hostile_report()), encoding="utf-8")
    assert load(driver, hostile) == []
    assert driver.execute_script("return window.diserang === undefined")
    assert "<script>window.diserang=1</script>" in driver.find_element(By.TAG_NAME, "body").text
