"""The HTML report opened from disk in real headless Chromium (offline: file://), with a
screenshot under tests/artifacts/, and printed to an A4 PDF by the browser."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from pipeline.reports.build import ReportRequest, build_report
from pipeline.reports.html import write_html
from tests.reports import sim

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("browser tests need Debian's /usr/bin/chromium and /usr/bin/chromedriver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        "--window-size=1280,2400",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_the_zh_week_report_renders_offline_and_prints_to_a4(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    archive = tmp_path / "archive"
    sim.write(archive, sim.entries(date(2026, 2, 23), 14))
    sim.write_alerts(archive, date(2026, 2, 23), 14)
    report = build_report(archive, sim.settings(), ReportRequest("week", date(2026, 3, 4),
                                                                 lang="zh"))
    page = write_html(report, tmp_path / "report.html")

    browser.get(page.as_uri())

    assert browser.find_element(By.TAG_NAME, "h1").text == "联络中心周报告"
    charts = browser.find_elements(By.TAG_NAME, "svg")
    assert len(charts) == 4
    assert all(c.size["width"] > 300 and c.size["height"] > 100 for c in charts)
    cells = browser.find_elements(By.CSS_SELECTOR, "svg rect")
    assert len(cells) >= 3 * 7 * 12  # three heatmaps of 7 days × 12 intervals, and bars
    titles = [h.text for h in browser.find_elements(By.TAG_NAME, "h2")]
    assert titles == [t.zh for t in report.tables]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "report-week-zh.png"))
    assert (ARTIFACTS / "report-week-zh.png").stat().st_size > 50_000
    pdf = base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", {
        "paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True})["data"])
    assert pdf.startswith(b"%PDF")
    (ARTIFACTS / "report-week-zh.pdf").write_bytes(pdf)
