"""The wallboard reads from 5 m on a 55" TV: measured in real Chromium at 1080p and 4K.

Every number on it is at least 48 px high at 1920×1080 (96 px at 3840×2160) and every
label at least 28 px (56 px), as laid out (`getBoundingClientRect`) and as set (computed
font size); no two texts overlap, none is cut off, covered or outside the screen; every
text on the page is one of the measured numbers, labels or arrows. In zh and en, with
fresh data and while stale (the pipeline's heartbeat older than `heartbeat_stale_s`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from dashboard import ids
from tests.dashboard.browser_helpers import (
    HeartbeatWriter,
    class_of,
    is_stale,
    text_of,
    wait_resized,
    wait_until,
)
from tests.dashboard.conftest import Served
from tests.dashboard.fixtures import (
    QUEUE_COUNTS,
    Floor,
    build_snapshot,
    write_floor,
    write_heartbeat,
    write_snapshot,
)

pytestmark = pytest.mark.browser

NUMBER_PX_AT_1080P = 48
LABEL_PX_AT_1080P = 28
SIZES = ((1920, 1080), (3840, 2160))
# A laptop screen: the same picture, smaller (minimums scaled by 768/1080); English only,
# where "Longest wait" and "Abandon rate" used to overlap.
LAPTOP = (1366, 768)
SHOTS_4K = frozenset({"zh-fresh", "en-stale"})
UNKNOWN_ALERTS = {"en": "alerts unknown (data stale)", "zh": "告警状态未知（数据已停止更新）"}

# Every visible text element of the wallboard: class, text, box, font size, whether it is
# cut (scrolls), whether its centre shows it (not covered), and any text outside the
# measured classes.
MEASURE_JS = """
const root = document.getElementById(arguments[0]);
const shown = (el) => el.getClientRects().length > 0 &&
  getComputedStyle(el).visibility !== 'hidden';
const items = [];
for (const el of root.querySelectorAll('.num, .lbl, .sym')) {
  if (!shown(el) || el.textContent.trim() === '') continue;
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  items.push({
    kind: el.classList.contains('num') ? 'num' : el.classList.contains('lbl') ? 'lbl' : 'sym',
    text: el.textContent.trim(), x: r.left, y: r.top, w: r.width, h: r.height,
    font: parseFloat(getComputedStyle(el).fontSize),
    // Cut: wider than its box, or (clipped boxes) a line or more hidden below.
    cut: el.scrollWidth > el.clientWidth + 1 ||
      (getComputedStyle(el).overflow !== 'visible' &&
       el.scrollHeight > el.clientHeight + parseFloat(getComputedStyle(el).fontSize) / 2),
    covered: !(hit && (el === hit || el.contains(hit) || hit.contains(el))),
    index: items.length, el: el,
  });
}
// Marked after measuring: changing the DOM inside the loop would lay the page out again
// for every element.
for (const item of items) { item.el.dataset.measured = String(item.index); delete item.el; }
const stray = [];
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const parent = node.parentElement;
  if (node.textContent.trim() === '' || !shown(parent)) continue;
  if (!parent.closest('.num, .lbl, .sym')) stray.push(node.textContent.trim());
}
const nested = [];
for (const el of root.querySelectorAll('[data-measured]')) {
  const inner = el.querySelectorAll('[data-measured]');
  for (const child of inner) nested.push([Number(el.dataset.measured),
                                          Number(child.dataset.measured)]);
}
for (const el of root.querySelectorAll('[data-measured]')) delete el.dataset.measured;
return {items: items, stray: stray, nested: nested,
        width: window.innerWidth, height: window.innerHeight};
"""


# The widest values a row can show: 3-4 digit queues, 99:59 waits, 100.0 %, 1h56 ASA.
WIDEST = {
    **QUEUE_COUNTS,
    "claims_report": (200, 0, 150, 0, 0, 0.0, 123, 5999.0),  # SL 0.0 %, abandons 100.0 %
    "complaints": (999, 999, 0, 0, 999, 999 * 5999.0, 999, 5999.0),  # SL 100.0 %, ASA 99:59
    "chat_service": (999, 999, 0, 0, 0, 999 * 7000.0, 0, None),  # ASA 1h56
}
FLOOR_SL = "47.9%"  # in SL 1060 / (answered 2064 + abandoned 153 - short 2) = 0.4786


@pytest.fixture(scope="module")
def floor(served: Served) -> Floor:
    floor = write_floor(served.client, served.keys,
                        datetime.now(tz=UTC).replace(microsecond=0), history_minutes=5)
    write_snapshot(served.client, served.keys,
                   build_snapshot(floor.now, floor.settings, WIDEST))
    return floor


@pytest.fixture(scope="module")
def pulse(served: Served, floor: Floor) -> Iterator[HeartbeatWriter]:
    writer = HeartbeatWriter(served.client, served.keys, floor.settings)
    writer.start()
    yield writer
    writer.stop()


def _viewport(driver: Any, width: int, height: int) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Boxes that share more than a hairline (1 px) in both directions."""
    dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return dx > 1 and dy > 1


def problems(found: dict[str, Any], width: int, height: int) -> list[str]:
    """Everything on the measured page that a floor manager at 5 m could not read."""
    scale = height / 1080
    minimum = {"num": NUMBER_PX_AT_1080P * scale, "lbl": LABEL_PX_AT_1080P * scale}
    items = found["items"]
    out = [f"text outside numbers/labels: {t!r}" for t in found["stray"]]
    assert (found["width"], found["height"]) == (width, height)
    for item in items:
        what = f"{item['kind']} {item['text'][:40]!r}"
        need = minimum.get(item["kind"])
        if need is not None and (item["h"] < need or item["font"] < need):
            out.append(f"{what}: {item['h']:.1f} px box, {item['font']:.1f} px font < {need}")
        if item["cut"]:
            out.append(f"{what}: cut off")
        if item["covered"]:
            out.append(f"{what}: covered by something else")
        if item["x"] < -1 or item["y"] < -1 or item["x"] + item["w"] > width + 1 or \
                item["y"] + item["h"] > height + 1:
            out.append(f"{what}: outside the {width}×{height} screen")
    nested = {tuple(pair) for pair in found["nested"]}
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if (a["index"], b["index"]) in nested or (b["index"], a["index"]) in nested:
                continue
            if _overlaps(a, b):
                out.append(f"overlap: {a['text'][:30]!r} and {b['text'][:30]!r}")
    return out


# The watchdog's "alerts unknown" is the ticker's ::before (assets/watchdog.css): its text,
# whether it shows, its font size and box; and whether "no alerts" still shows.
UNKNOWN_JS = """
const ticker = document.getElementById(arguments[0]);
const style = getComputedStyle(ticker, '::before');
const none = ticker.querySelector('.ticker-none');
return {content: style.content, display: style.display, font: parseFloat(style.fontSize),
        none_shown: none !== null && none.getClientRects().length > 0};
"""


def _stale_and_unknown(driver: Any, unknown: str) -> bool:
    """Greyed (the watchdog's `wb-stale`), and the ticker says it does not know the alerts
    instead of "no alerts"."""
    found = driver.execute_script(UNKNOWN_JS, ids.WB_TICKER)
    return is_stale(driver) and found["content"] == f'"{unknown}"' and \
        found["display"] != "none" and not found["none_shown"]


def _measure_both_sizes(driver: Any, artifacts: Path, name: str,
                        sizes: tuple[tuple[int, int], ...] = SIZES) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for width, height in sizes:
        _viewport(driver, width, height)
        wait_resized(driver, width, height)  # the measuring below lays it out again
        measured = driver.execute_script(MEASURE_JS, ids.WB_ROOT)
        issues = problems(measured, width, height)
        if name.endswith("-stale"):
            unknown = driver.execute_script(UNKNOWN_JS, ids.WB_TICKER)
            if unknown["font"] < LABEL_PX_AT_1080P * height / 1080:
                issues.append(f"alerts unknown: {unknown['font']:.1f} px font")
        found[f"{name}-{width}x{height}"] = issues
        if width < 3000 or name in SHOTS_4K:  # a 4K PNG takes seconds to encode
            driver.save_screenshot(
                str(artifacts / f"wallboard-readable-{name}-{width}x{height}.png"))
        assert len(measured["items"]) > 150  # the whole board was measured
    return found


def test_every_number_and_label_reads_from_5_m_at_1080p_and_4k_fresh_and_stale(
    browser: Any, served: Served, floor: Floor, pulse: HeartbeatWriter, artifacts: Path
) -> None:
    found: dict[str, list[str]] = {}
    active_alerts: dict[Any, Any] = served.client.hgetall(served.keys.alerts_active())
    beating = True  # the fixture started the heartbeat
    try:
        for lang in ("zh", "en"):  # one page load per language: fresh, then stale
            if not beating:
                pulse.start()
                beating = True
            served.client.hset(served.keys.alerts_active(), mapping=active_alerts)
            _viewport(browser, *SIZES[0])
            browser.get(f"{served.url}/wallboard?lang={lang}")
            wait_until(lambda: not is_stale(browser), 10)
            wait_until(lambda: text_of(browser, ids.tile_value(ids.FLOOR, "sl")) == FLOOR_SL, 20)
            sizes = (*SIZES, LAPTOP) if lang == "en" else SIZES
            found |= _measure_both_sizes(browser, artifacts, f"{lang}-fresh", sizes)
            pulse.stop()
            beating = False
            write_heartbeat(served.client, served.keys,
                            datetime.now(tz=UTC) - timedelta(seconds=60), floor.settings)
            # No alert active: while stale the ticker says it does not know, not "none".
            served.client.delete(served.keys.alerts_active())
            _viewport(browser, *SIZES[0])
            wait_until(partial(_stale_and_unknown, browser, UNKNOWN_ALERTS[lang]), 15)
            found |= _measure_both_sizes(browser, artifacts, f"{lang}-stale")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        served.client.hset(served.keys.alerts_active(), mapping=active_alerts)
        if not beating:
            pulse.start()
    assert {name: issues for name, issues in found.items() if issues} == {}
    assert sorted(found) == sorted([f"{lang}-{mode}-{w}x{h}" for lang in ("en", "zh")
                                    for mode in ("fresh", "stale") for w, h in SIZES]
                                   + ["en-fresh-1366x768"])


def test_the_replay_clock_fits_the_board_at_1080p(
    browser: Any, served: Served, floor: Floor, pulse: HeartbeatWriter, artifacts: Path
) -> None:
    """During a replay the browser clock says "replay time hh:mm:ss" (the watchdog's) at
    the size of a number, and the board still fits: nothing overlaps, is cut or covered."""
    replayed = floor.now - timedelta(hours=3)  # the heartbeat is the wall clock's
    write_snapshot(served.client, served.keys,
                   build_snapshot(replayed, floor.settings, WIDEST))
    found: dict[str, list[str]] = {}
    clocks: dict[str, str] = {}
    try:
        _viewport(browser, *SIZES[0])
        for lang in ("zh", "en"):
            browser.get(f"{served.url}/wallboard?lang={lang}")
            wait_until(lambda: "wd-replay" in class_of(browser, ids.WB_CLOCK).split(), 20)
            wait_until(lambda: text_of(browser, ids.tile_value(ids.FLOOR, "sl")) == FLOOR_SL,
                       20)
            measured = browser.execute_script(MEASURE_JS, ids.WB_ROOT)
            found[lang] = problems(measured, *SIZES[0])
            clocks[lang] = text_of(browser, ids.WB_CLOCK)
            browser.save_screenshot(str(artifacts / f"wallboard-readable-{lang}-replay.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        write_snapshot(served.client, served.keys,
                       build_snapshot(floor.now, floor.settings, WIDEST))
    shown = replayed.astimezone(floor.settings.zone).strftime("%H:%M:%S")
    assert clocks == {
        "zh": f"回放时间 {shown}", "en": f"replay time {shown}"}
    assert found == {"zh": [], "en": []}
