"""Which role opens which page: the pure decision used for pages and callbacks."""

from __future__ import annotations

from pipeline.access.policy import Page, decide, landing_path, page_of
from pipeline.access.principal import Principal, open_access, screen_principal

TEAMS = {"a001": "bj_claims_a", "a020": "cd_service_a"}
PAGES = ("/", "/wallboard", "/queue/complaints", "/team/bj_claims_a", "/team/cd_chat",
         "/agent/a001", "/agent/a020", "/agent/ghost", "/alerts", "/me/a001", "/me/a020")


def allowed(who: Principal) -> list[str]:
    result = []
    for path in PAGES:
        page = page_of(path)
        assert page is not None
        if decide(who, page, TEAMS.get) == "allow":
            result.append(path)
    return result


def test_each_role_reaches_exactly_its_pages() -> None:
    lead = Principal("lee", "team_lead", "password", frozenset({"bj_claims_a"}))
    assert allowed(Principal("vera", "viewer", "password")) == [
        "/", "/wallboard", "/queue/complaints"]
    assert allowed(lead) == ["/", "/wallboard", "/queue/complaints", "/team/bj_claims_a",
                             "/agent/a001", "/alerts", "/me/a001"]
    assert allowed(Principal("mona", "manager", "password")) == list(PAGES)
    assert allowed(Principal("adam", "admin", "proxy")) == list(PAGES)
    assert allowed(Principal("ann", "agent", "password", agent_id="a001")) == ["/me/a001"]
    assert allowed(screen_principal("floor2")) == ["/", "/wallboard"]
    assert allowed(open_access()) == list(PAGES)


def test_page_of_knows_only_our_pages() -> None:
    assert page_of("/agent/a001/") == Page("agent", "a001")
    assert page_of("/agent/") is None
    assert page_of("/admin") is None


def test_agents_land_on_their_own_page_others_on_the_wallboard() -> None:
    assert landing_path(Principal("ann", "agent", "password", agent_id="a001")) == "/me/a001"
    assert landing_path(Principal("vera", "viewer", "password")) == "/wallboard"
