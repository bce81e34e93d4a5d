"""A line far over the limit is never read whole: every reader keeps a bounded start of it,
the parse step (or the importer) dead-letters it with its reason, and reading goes on."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import redis

from pipeline.adapters.lines import MAX_LINE_CHARS, OverLong, follow_lines, read_lines
from pipeline.engine import DeadLetter
from pipeline.parse import ParsedEvent, parse_chunk
from pipeline.redis_keys import RedisKeys
from pipeline.redis_source import RedisStreamSource, input_stream
from pipeline.sources import StdinSource
from schemas.events import MAX_LINE_BYTES
from tests.conftest import REPO

VALID = (
    b'{"event_id":"e%d","ts":"2026-03-02T09:00:0%d+08:00","type":"contact.abandoned",'
    b'"contact_id":"c%d"}'
)
REASON = f"line: longer than {MAX_LINE_BYTES} bytes"


def _valid(n: int) -> bytes:
    return VALID % (n, n, n)


def _huge(size: int) -> bytes:
    return b'{"event_id":"big","pad":"' + b"x" * size + b'"}'


def _check(parsed: list[object], seqs: tuple[int, int, int]) -> None:
    first, dead, last = parsed
    assert isinstance(first, ParsedEvent) and first.event.event_id == "e1"
    assert isinstance(dead, DeadLetter)
    assert (dead.seq, dead.reason) == (seqs[1], REASON)
    assert dead.raw == _huge(MAX_LINE_BYTES)[:MAX_LINE_BYTES].decode()  # truncated raw
    assert isinstance(last, ParsedEvent) and last.event.event_id == "e2"
    assert (first.seq, last.seq) == (seqs[0], seqs[2])


# Replays a file through the real file source in a fresh process and reports the growth of
# its peak resident memory while reading (kB, Linux ru_maxrss).
READER = """
import json, resource, sys
from pipeline.parse import parse_chunk
from pipeline.sources import FileReplaySource
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
part = FileReplaySource(sys.argv[1]).build_part("events", "file", None)
chunks = []
try:
    while True:
        chunks.extend(part.next_batch())
except StopIteration:
    pass
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
lines = [line for chunk in chunks for line in chunk.lines]
parsed = parse_chunk(lines)
print(json.dumps({"grown_kb": grown, "lengths": [len(l) for _, l in lines],
                  "kinds": [type(p).__name__ for p in parsed],
                  "reasons": [getattr(p, "reason", None) for p in parsed]}))
"""


def test_file_source_reads_a_256_mb_line_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    with path.open("wb") as out:
        out.write(_valid(1) + b"\n" + b'{"event_id":"big","pad":"')
        block = b"x" * (1 << 20)
        for _ in range(256):
            out.write(block)
        out.write(b'"}\n' + _valid(2) + b"\n")
    done = subprocess.run(
        [sys.executable, "-c", READER, str(path)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    report = json.loads(done.stdout)
    assert report["lengths"] == [len(_valid(1)), MAX_LINE_BYTES + 1, len(_valid(2))]
    assert report["kinds"] == ["ParsedEvent", "DeadLetter", "ParsedEvent"]
    assert report["reasons"][1] == REASON
    assert report["grown_kb"] < 16 * 1024, report  # a 256 MB line, < 16 MB more memory


def test_stdin_source_cuts_an_over_long_line_and_reads_on() -> None:
    data = _valid(1) + b"\n" + _huge(5 << 20) + b"\n" + _valid(2) + b"\n"
    part = StdinSource(io.BytesIO(data)).build("events", 0, 1)
    lines = []
    while True:
        try:
            lines += [line for chunk in part.next_batch() for line in chunk.lines]
        except StopIteration:
            break
    assert [len(line) for _, line in lines] == [len(_valid(1)), MAX_LINE_BYTES + 1, len(_valid(2))]
    _check(list(parse_chunk(lines)), (0, 1, 2))


def test_redis_stream_entry_is_cut_on_the_server(
    redis_client: redis.Redis, redis_url: str, redis_prefix: str
) -> None:
    keys = RedisKeys(redis_prefix)
    stream = input_stream(keys, 0)
    ids = [
        redis_client.xadd(stream, {"event": line})
        for line in (_valid(1), _huge(8 << 20), _valid(2))
    ]
    part = RedisStreamSource(redis_url, keys, partitions=1).build_part("events", stream, None)
    [chunk] = part.next_batch()
    part.close()
    assert [len(line) for _, line in chunk.lines] == [
        len(_valid(1)),
        MAX_LINE_BYTES + 1,
        len(_valid(2)),
    ]
    assert part.snapshot() == ids[-1].decode()  # type: ignore[union-attr]
    parsed = list(parse_chunk(chunk.lines))
    _check(parsed, tuple(seq for seq, _ in chunk.lines))  # type: ignore[arg-type]


def test_importer_line_readers_return_an_over_long_line_cut(tmp_path: Path) -> None:
    path = tmp_path / "queue_log"
    path.write_bytes(b"first\n" + b"y" * (3 << 20) + b"\nlast\n")
    for lines in (read_lines(path), follow_lines(path, poll_s=0.01, idle_exit_s=0.2)):
        got = list(lines)
        assert [(n, type(text).__name__, len(text)) for n, text in got] == [
            (1, "str", 5),
            (2, "OverLong", MAX_LINE_CHARS + 1),
            (3, "str", 4),
        ]
        assert isinstance(got[1][1], OverLong)


def test_convert_dead_letters_an_over_long_queue_log_line(tmp_path: Path) -> None:
    source = tmp_path / "queue_log"
    # The over-long line among two good ones (a run of mostly dead letters fails loudly).
    source.write_bytes(
        b"1772416800|1.1|claims_report|NONE|ENTER" + b"Q" * (2 << 20) + b"\n"
        b"1772416801|1.2|claims_report|NONE|ENTERQUEUE||13800000000|1\n"
        b"1772416831|1.2|claims_report|NONE|ABANDON|1|1|30\n"
    )
    out, dead = tmp_path / "events.jsonl", tmp_path / "dead.jsonl"
    subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "convert", "--from", "asterisk-queue-log",
         str(source), "--out", str(out), "--dead-letter", str(dead)],
        cwd=REPO, capture_output=True, timeout=60, check=True,
    )  # fmt: skip
    [letter] = [json.loads(line) for line in dead.read_bytes().splitlines()]
    assert (letter["reason"], letter["line"]) == (
        f"line: longer than {MAX_LINE_CHARS} characters",
        1,
    )
    assert len(letter["raw"]) <= MAX_LINE_CHARS + 1
    events = [json.loads(line) for line in out.read_bytes().splitlines()]
    assert [e["type"] for e in events] == ["contact.offered", "contact.abandoned"]
