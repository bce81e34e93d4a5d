"""The dashboard in real headless Chromium against the app served on 127.0.0.1."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from dashboard import ids, views
from schemas.snapshot import Alert
from tests.dashboard.browser_helpers import (
    HeartbeatWriter,
    banner_text,
    class_of,
    element,
    is_stale,
    text_of,
    wait_next_beat,
    wait_resized,
    wait_until,
)
from tests.dashboard.conftest import Served
from tests.dashboard.fixtures import (
    QUEUE_COUNTS,
    Floor,
    build_snapshot,
    write_floor,
    write_snapshot,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def floor(served: Served) -> Floor:
    return write_floor(served.client, served.keys, datetime.now(tz=UTC).replace(microsecond=0))


@pytest.fixture(scope="module")
def pulse(served: Served, floor: Floor) -> Iterator[HeartbeatWriter]:
    writer = HeartbeatWriter(served.client, served.keys, floor.settings)
    writer.start()
    yield writer
    writer.stop()


def open_wallboard(driver: Any, served: Served, query: str = "lang=en") -> None:
    driver.get(f"{served.url}/wallboard?{query}")
    wait_until(lambda: text_of(driver, ids.tile_value(ids.FLOOR, "sl")) != "—", 20)


def test_wallboard_numbers_equal_the_values_in_redis(
    browser: Any, served: Served, floor: Floor, pulse: HeartbeatWriter
) -> None:
    open_wallboard(browser, served)
    for queue in floor.settings.queues:
        expected = views.queue_tile(floor.settings, queue, floor.snapshot, "en")
        shown = {f: text_of(browser, ids.tile_value(queue, f)) for f in views.TILE_FIELDS}
        assert shown == expected.values, queue
    # The same numbers, spelled out for two queues, against the counts written to Redis.
    assert text_of(browser, ids.tile_value("claims_report", "sl")) == "81.3%"
    assert text_of(browser, ids.tile_value("complaints", "longest_wait")) == "2:30"
    assert text_of(browser, ids.tile_value("complaints", "abandon_rate")) == "25.0%"
    assert text_of(browser, ids.tile_value(ids.FLOOR, "sl")) == "84.7%"
    assert text_of(browser, ids.tile_value(ids.FLOOR, "ready")) == "10"
    assert text_of(browser, ids.WB_WAITING) == "15"
    assert text_of(browser, ids.WB_OLDEST) == "2:40"
    assert "status-red" in class_of(browser, ids.tile("complaints"))
    assert "status-amber" in class_of(browser, ids.tile("claims_report"))
    assert text_of(browser, ids.WB_TICKER).splitlines()[0].startswith("SL breach · Complaints")


def test_tile_turns_red_when_service_level_crosses_the_target(
    browser: Any, served: Served, floor: Floor, pulse: HeartbeatWriter
) -> None:
    open_wallboard(browser, served)
    sl = ids.tile_value("claims_report", "sl")
    assert "status-amber" in class_of(browser, sl)
    worse = dict(QUEUE_COUNTS)
    worse["claims_report"] = (52, 44, 6, 2, 35, 528.0, 3, 41.0)  # 35/48 = 72.9 % < 80 %
    write_snapshot(served.client, served.keys, build_snapshot(floor.now, floor.settings, worse))
    try:
        wait_until(lambda: "status-red" in class_of(browser, ids.tile("claims_report")))
        assert text_of(browser, sl) == "72.9%"
        assert "status-red" in class_of(browser, sl)
    finally:
        write_snapshot(served.client, served.keys, floor.snapshot)
    wait_until(lambda: "status-amber" in class_of(browser, ids.tile("claims_report")))


def _screenshot(driver: Any, path: Path, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        wait_resized(driver, width, height)
        wait_next_beat(driver)  # one tick at the new size
        driver.save_screenshot(str(path))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_screenshots_at_1080p_and_4k(
    browser: Any, served: Served, floor: Floor, pulse: HeartbeatWriter, artifacts: Path
) -> None:
    open_wallboard(browser, served, "")
    _screenshot(browser, artifacts / "wallboard-1920x1080.png", 1920, 1080)
    _screenshot(browser, artifacts / "wallboard-3840x2160.png", 3840, 2160)
    open_wallboard(browser, served, "lang=en&site=chengdu")
    _screenshot(browser, artifacts / "wallboard-chengdu-en-1920x1080.png", 1920, 1080)
    for name in ("wallboard-1920x1080.png", "wallboard-3840x2160.png"):
        assert (artifacts / name).stat().st_size > 50_000


def test_click_path_wallboard_queue_team_agent(
    browser: Any, served: Served, floor: Floor, pulse: HeartbeatWriter, artifacts: Path
) -> None:
    from selenium.webdriver.common.by import By

    def click(locate: Callable[[], Any]) -> bool:
        # Tables re-render every second, so find and click in one go, retrying.
        locate().click()
        return True

    open_wallboard(browser, served)
    wait_until(lambda: click(lambda: element(browser, ids.tile("complaints"))))
    wait_until(lambda: browser.current_url.endswith("/queue/complaints?lang=en"))
    wait_until(lambda: browser.find_element(By.CSS_SELECTOR, "h1").text == "Queue · Complaints")
    wait_until(lambda: "2:30" in browser.find_element(By.ID, ids.Q_KPIS).text)
    browser.save_screenshot(str(artifacts / "queue-complaints.png"))
    wait_until(lambda: click(lambda: browser.find_element(By.LINK_TEXT, "Chengdu complaints")))
    wait_until(lambda: browser.current_url.endswith("/team/cd_complaints?lang=en"))
    wait_until(lambda: browser.find_element(By.LINK_TEXT, "a032"))
    browser.save_screenshot(str(artifacts / "team-cd_complaints.png"))
    wait_until(lambda: click(lambda: browser.find_element(By.LINK_TEXT, "a032")))
    wait_until(lambda: browser.current_url.endswith("/agent/a032"))
    wait_until(lambda: browser.find_element(By.CSS_SELECTOR, "h1").text == "坐席 · a032")
    wait_until(lambda: "未就绪" in browser.find_element(By.ID, ids.A_STATE).text)


def test_alert_acknowledged_with_a_note(
    browser: Any, served: Served, floor: Floor, pulse: HeartbeatWriter, artifacts: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{served.url}/alerts?lang=en")
    wait_until(lambda: "SL breach" in browser.find_element(By.ID, ids.AL_ACTIVE).text)
    # Evidence as people read it, the tables within the 1920-px window, the button on one line.
    assert "service level 70.0%, target 85.0%, contacts 20" in browser.find_element(
        By.ID, ids.AL_ACTIVE).text
    assert browser.execute_script(
        "return [...document.querySelectorAll('.dash-spreadsheet-container')]"
        ".every(t => t.scrollWidth <= t.clientWidth + 1)"
        " && document.body.scrollWidth <= window.innerWidth;")
    button = browser.find_element(By.ID, ids.AL_ACK_BUTTON)
    assert button.size["height"] < 2 * 16 + 14  # one 16-px line plus its padding
    def select_sl_breach() -> bool:
        # The table re-renders every second: find the row and click in one go, retrying.
        rows = browser.find_elements(By.CSS_SELECTOR, f"#{ids.AL_ACTIVE} tr")
        target = next(r for r in rows if "SL breach" in r.text)
        target.find_element(By.CSS_SELECTOR, "input[type=radio]").click()
        return True

    wait_until(select_sl_breach)
    browser.find_element(By.ID, ids.AL_ACK_BY).send_keys("Wang Li")
    browser.find_element(By.ID, ids.AL_ACK_NOTE).send_keys("two agents moved in")
    browser.find_element(By.ID, ids.AL_ACK_BUTTON).click()
    wait_until(lambda: text_of(browser, ids.AL_ACK_RESULT).startswith(
        "Acknowledged sl_breach:complaints:1 (Wang Li,"))
    raw = served.client.hget(served.keys.alert_acks(), "sl_breach:complaints:1")
    assert isinstance(raw, bytes)
    stored = orjson.loads(raw)
    assert (stored["by"], stored["note"]) == ("Wang Li", "two agents moved in")
    assert stored["at"].endswith("+08:00")
    wait_until(lambda: "Wang Li" in browser.find_element(By.ID, ids.AL_ACTIVE).text)
    browser.save_screenshot(str(artifacts / "alerts.png"))


def test_tiles_appear_when_the_config_arrives_after_page_load(
    browser: Any, served: Served, floor: Floor, pulse: HeartbeatWriter
) -> None:
    served.client.delete(served.keys.config(), served.keys.snapshot())
    try:
        browser.get(f"{served.url}/wallboard?lang=en")
        wait_until(lambda: element(browser, ids.tile(ids.FLOOR)))
        assert browser.execute_script(
            "return document.querySelectorAll('.tile').length;") == 1
    finally:
        served.client.set(served.keys.config(), floor.settings.model_dump_json())
        write_snapshot(served.client, served.keys, floor.snapshot)
    wait_until(lambda: text_of(browser, ids.tile_value("chat_service", "sl")) == "85.7%")
    assert browser.execute_script("return document.querySelectorAll('.tile').length;") == 7


def test_sound_rings_once_for_a_new_critical_alert(
    browser: Any, served: Served, floor: Floor, pulse: HeartbeatWriter
) -> None:
    open_wallboard(browser, served, "lang=en&sound=1")
    wait_next_beat(browser)  # the alerts active at load are known and do not ring
    assert browser.execute_script("return window.__wbLastAlarm || null;") is None
    spike = Alert(id="abandon_spike:chat_service:1", kind="abandon_spike", severity="critical",
                  subject="queue:chat_service", raised_at=floor.snapshot.now, cleared_at=None,
                  evidence={"abandon_rate": 0.18, "threshold": 0.1, "contacts": 22})
    served.client.hset(served.keys.alerts_active(), spike.id, spike.model_dump_json())
    try:
        wait_until(lambda: browser.execute_script("return window.__wbLastAlarm || null;"))
        wait_until(lambda: "Abandon spike · Service chat" in text_of(browser, ids.WB_TICKER))
    finally:
        served.client.hdel(served.keys.alerts_active(), spike.id)


def test_stale_banner_within_15_s_of_the_last_heartbeat_and_gone_when_it_resumes(
    browser: Any, served: Served, floor: Floor, pulse: HeartbeatWriter, artifacts: Path
) -> None:
    open_wallboard(browser, served)
    assert (is_stale(browser), banner_text(browser)) == (False, "")
    pulse.stop()
    stopped = time.monotonic()
    wait_until(lambda: is_stale(browser), timeout_s=15)
    assert time.monotonic() - stopped <= 15
    assert banner_text(browser).startswith("data stale since ")
    browser.save_screenshot(str(artifacts / "wallboard-stale.png"))
    pulse.start()
    wait_until(lambda: not is_stale(browser), timeout_s=5)
    assert banner_text(browser) == ""
