"""What the access layer remembers stays bounded and does what it says: the budget of
`access_denied` entries per principal, the `view_agent` de-duplication, the sign-in
counters' cap and sliding window, and the plain-text helpers of the pages."""

from __future__ import annotations

import redis

from dashboard.format import agent_link, markdown_text, plot_text
from pipeline.access.keys import AccessKeys
from pipeline.access.ratelimit import SignInLimiter, address_bucket
from pipeline.access.service import AuditBudget, RecentViews
from pipeline.redis_keys import RedisKeys


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_principal_records_300_refusals_then_one_every_5_seconds_with_the_count() -> None:
    clock = Clock()
    budget = AuditBudget(clock)
    assert [budget.take("lee") for _ in range(300)] == [0] * 300
    assert [budget.take("lee") for _ in range(40)] == [None] * 40
    assert budget.take("vera") == 0  # one principal's flood costs nobody else
    clock.now += 5
    assert budget.take("lee") == 40
    assert budget.take("lee") is None


def test_the_denial_budget_forgets_the_oldest_principals_beyond_its_size() -> None:
    budget = AuditBudget(Clock(), capacity=1, size=3)
    for name in ("a", "b", "c", "d"):
        assert budget.take(name) == 0
    assert budget.take("a") == 0  # forgotten, so a full bucket again
    assert budget.take("d") is None


def test_views_are_audited_once_per_viewer_and_agent_every_five_minutes() -> None:
    clock = Clock()
    views = RecentViews(clock, size=2)
    assert [views.due("mona", "a001") for _ in range(3)] == [True, False, False]
    assert not views.due("mona", "a001", opened=True)  # opened again within 10 s
    clock.now += 10
    assert views.due("mona", "a001", opened=True)  # opening the page again counts
    clock.now += 299
    assert not views.due("mona", "a001")
    clock.now += 1
    assert views.due("mona", "a001")
    views.due("mona", "a002")
    views.due("mona", "a003")  # size 2: a001 forgotten
    assert views.due("mona", "a001")


def test_sign_in_counters_slide_across_the_window_boundary(
    redis_client: redis.Redis, redis_keys: RedisKeys
) -> None:
    limiter = SignInLimiter(redis_client, AccessKeys(redis_keys.prefix), 3, 60)
    start = 60 * 1_000_000 + 57.0  # 3 s before a window ends
    assert [limiter.attempt("lee", "10.0.0.1", start + n).allowed for n in range(3)] == [
        True, True, True]
    # 1 s into the next window, 59/60 of the previous count still applies.
    refused = limiter.attempt("lee", "10.0.0.1", start + 4)
    assert (refused.allowed, refused.first_refusal, refused.retry_after_s) == (False, True, 59)
    assert limiter.attempt("lee", "10.0.0.2", start + 4).allowed  # another address


def test_sign_in_counters_stop_growing_at_their_cap(
    redis_client: redis.Redis, redis_keys: RedisKeys
) -> None:
    limiter = SignInLimiter(redis_client, AccessKeys(redis_keys.prefix), 3, 60, max_fields=50)
    for n in range(200):
        limiter.attempt(f"name{n}", f"10.1.{n // 250}.{n % 250}", 60 * 2_000_000 + 1.0)
    key = AccessKeys(redis_keys.prefix).signin_window(2_000_000)
    assert redis_client.hlen(key) <= 51
    assert 0 < redis_client.ttl(key) <= 120


def test_addresses_are_counted_by_ipv4_or_ipv6_64() -> None:
    assert address_bucket("203.0.113.7") == "203.0.113.7"
    assert address_bucket("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert address_bucket("::ffff:203.0.113.7") == "203.0.113.7"
    assert address_bucket("not an address") == "not an address"


def test_event_text_is_escaped_for_markdown_cells_and_plotly_labels() -> None:
    assert agent_link("a001") == "[a001](/agent/a001)"
    assert agent_link("[x](https://evil.example)") == (
        r"[\[x\]\(https\:\/\/evil\.example\)](/agent/%5Bx%5D%28https%3A%2F%2Fevil.example%29)")
    assert markdown_text("<@all>\n*x*") == r"\<\@all\> \*x\*"
    assert plot_text('<a href="https://evil.example">x</a>') == (
        '&lt;a href="https://evil.example"&gt;x&lt;/a&gt;')
