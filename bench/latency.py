"""3. Live latency: `XADD` to the state in Redis, at a paced 5,000 events/s.

`wallboard run --source redis --clock wall` runs in a subprocess with `tick_s = 0.1`. The
publisher sends a batch every 10 ms with current timestamps (a steady contact lifecycle on
300 agents); every batch is a marker: its latency is from its `XADD` until the heartbeat
(written in the same Redis pipeline as the snapshot) counts all its events.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import redis

from bench.common import WALLBOARD, Figure, clear_prefix, percentile, temp_config
from pipeline.redis_keys import RedisKeys
from pipeline.redis_source import publish_lines

PREFIX = "wblatency"
RATE = 5000
BATCH_S = 0.01
TICK_S = 0.1
TARGET_P99_MS = 250.0
AGENTS = 300
QUEUES = ("claims_report", "policy_service", "complaints", "chat_claims")
# Lifecycle lags in contacts: answered 10 contacts after offered, ended ~12 s later.
ANSWER_LAG, END_LAG, WRAPUP_LAG = 10, 15_000, 16_000


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat()


def live_events() -> Iterator[dict[str, object]]:
    """An endless contact-center stream (without timestamps; the publisher stamps them)."""
    for i in range(AGENTS):
        team = ("bj_claims_a", "cd_service_a", "cd_chat")[i % 3]
        site = "chengdu" if team.startswith("cd") else "beijing"
        yield {"type": "agent.login", "agent_id": f"lt{i:03d}", "team": team, "site": site}
    contact = 0
    while True:
        queue = QUEUES[contact % len(QUEUES)]
        channel = "chat" if queue.startswith("chat") else "voice"
        yield {
            "type": "contact.offered",
            "contact_id": f"lc{contact}",
            "queue": queue,
            "channel": channel,
        }
        for lag, kind in (
            (ANSWER_LAG, "contact.answered"),
            (END_LAG, "contact.ended"),
            (WRAPUP_LAG, "contact.wrapup_ended"),
        ):
            old = contact - lag
            if old >= 0:
                yield {"type": kind, "contact_id": f"lc{old}", "agent_id": f"lt{old % AGENTS:03d}"}
        contact += 1


class HeartbeatWatch(threading.Thread):
    """Polls the heartbeat; records when `events_total` first reached each value seen."""

    def __init__(self, url: str, keys: RedisKeys) -> None:
        super().__init__(daemon=True)
        self.client = redis.Redis.from_url(url)
        self.key = keys.heartbeat()
        self.seen: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        last = -1
        while not self.stop.is_set():
            body = self.client.get(self.key)
            now = time.perf_counter()
            if body:
                total = int(orjson.loads(body).get("events_total") or 0)
                if total > last:
                    self.seen.append((now, total))
                    last = total
            time.sleep(0.002)


def measure(
    workdir: Path,
    redis_url: str,
    ticks_s: tuple[float, ...] = (TICK_S, 1.0),
    seconds: float = 18.0,
    warmup_s: float = 3.0,
) -> list[Figure]:
    """The target run (`tick_s` 0.1) and, to show the tick's effect, the same at 1 s."""
    figures: list[Figure] = []
    for tick_s in ticks_s:
        figures.extend(_measure_tick(workdir, redis_url, tick_s, seconds, warmup_s))
    return figures


def _measure_tick(
    workdir: Path, redis_url: str, tick_s: float, seconds: float, warmup_s: float
) -> list[Figure]:
    clear_prefix(redis_url, PREFIX)
    keys = RedisKeys(PREFIX)
    config = temp_config(workdir, tick_s=tick_s, redis_prefix=PREFIX)
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [
            str(WALLBOARD),
            "run",
            "--source",
            "redis",
            "--clock",
            "wall",
            "--config",
            str(config),
            "--redis-url",
            redis_url,
            "--partitions",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    client = redis.Redis.from_url(redis_url)
    watch = HeartbeatWatch(redis_url, keys)
    watch.start()
    marks: list[tuple[float, int]] = []  # (XADD done, events sent so far)
    try:
        time.sleep(2.0)  # let the pipeline start
        events = live_events()
        per_batch = int(RATE * BATCH_S)
        sent, n_event = 0, 0
        started = time.perf_counter()
        deadline = started + warmup_s + seconds
        batch_no = 0
        while time.perf_counter() < deadline:
            due = started + batch_no * BATCH_S
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            stamp = time.time()
            lines = []
            for _ in range(per_batch):
                event = next(events)
                event["event_id"] = f"le{n_event}"
                event["ts"] = _iso(stamp)
                n_event += 1
                lines.append(orjson.dumps(event))
            sent += publish_lines(client, keys, lines, 2)
            if time.perf_counter() - started >= warmup_s:
                marks.append((time.perf_counter(), sent))
            batch_no += 1
        achieved = n_event / (time.perf_counter() - started)
        time.sleep(1.0)
    finally:
        watch.stop.set()
        watch.join(timeout=2)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        client.close()
    latencies = _latencies(marks, watch.seen)
    clear_prefix(redis_url, PREFIX)
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    missing = len(marks) - len(latencies)
    note = (
        f"{len(latencies)} markers, {missing} not seen; sent {achieved:,.0f} events/s; "
        f"the tick adds ~{tick_s * 500:.0f} ms on average, ≤ {tick_s * 1000:.0f} ms at worst"
    )
    label = f"3. live latency {{}} (XADD → Redis state, 5,000 events/s, tick {tick_s:g} s)"
    target = tick_s == TICK_S
    return [
        Figure(label.format("p50"), p50 * 1000, "ms", tick_s * 1000, "tick_s", "—", None, note),
        Figure(
            label.format("p99"),
            p99 * 1000,
            "ms",
            tick_s * 1000,
            "tick_s",
            f"p99 ≤ {TARGET_P99_MS:.0f} ms" if target else "— (shows the tick's effect)",
            (p99 * 1000 <= TARGET_P99_MS and missing == 0) if target else None,
            note,
        ),
    ]


def _latencies(marks: list[tuple[float, int]], seen: list[tuple[float, int]]) -> list[float]:
    """For each marker, the first heartbeat time whose count covers it, minus its XADD time."""
    out: list[float] = []
    j = 0
    for sent_at, count in marks:
        while j < len(seen) and seen[j][1] < count:
            j += 1
        if j == len(seen):
            break
        out.append(max(0.0, seen[j][0] - sent_at))
    return out
