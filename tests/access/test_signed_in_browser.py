"""The honest browser is never refused: a team lead signs in through the form in real
headless Chromium and uses the wallboard, a queue, their team, an agent and the alerts
page (with an acknowledgement); Dash's own requests all pass the positional checks and the
audit trail holds no refusal."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard import ids
from pipeline.access.audit import AuditLog
from tests.access.conftest import PASSWORD, Served
from tests.dashboard.browser_helpers import element, text_of, wait_until
from tests.dashboard.conftest import browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # ~15 s idle, ~50 s on a loaded machine
__all__ = ["browser"]  # the headless Chromium fixture of the dashboard tests


def sign_in_with_the_form(driver: Any, served: Served, user: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{served.url}/team/bj_claims_a?lang=en")
    wait_until(lambda: "/login" in driver.current_url)
    driver.find_element(By.NAME, "username").send_keys(user)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_until(lambda: "/team/bj_claims_a" in driver.current_url)


def test_a_signed_in_team_lead_uses_every_page_without_a_single_refusal(
    browser: Any, served: Served
) -> None:
    from selenium.webdriver.common.by import By

    served.client.delete(served.access_keys.audit())
    sign_in_with_the_form(browser, served, "lee")
    wait_until(lambda: "a001" in text_of(browser, ids.T_TABLE), 20)
    browser.get(f"{served.url}/queue/claims_report?lang=en")
    wait_until(lambda: "a001" in text_of(browser, ids.Q_AGENTS), 20)
    browser.get(f"{served.url}/agent/a001?lang=en")
    wait_until(lambda: text_of(browser, ids.A_STATE).strip() != "", 20)
    browser.get(f"{served.url}/wallboard?lang=en")
    wait_until(lambda: text_of(browser, ids.WB_CLOCK).strip() != "", 20)
    browser.get(f"{served.url}/alerts?lang=en")
    wait_until(lambda: "a005" in text_of(browser, ids.AL_ACTIVE), 20)

    def pick_and_ack() -> bool:
        radios = element(browser, ids.AL_ACTIVE).find_elements(By.CSS_SELECTOR,
                                                               "input[type=radio]")
        radios[0].click()
        element(browser, ids.AL_ACK_NOTE).send_keys("on it")
        element(browser, ids.AL_ACK_BUTTON).click()
        return True

    wait_until(pick_and_ack, 20)
    wait_until(lambda: "lee" in text_of(browser, ids.AL_ACK_RESULT), 20)
    entries = AuditLog(served.client, served.access_keys).entries(100)
    assert [e for e in entries if e.action == "access_denied"] == []
    assert {e.action for e in entries} == {"sign_in", "view_agent", "alert_ack"}
