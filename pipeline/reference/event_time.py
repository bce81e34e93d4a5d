"""The reference's own event-time check (docs/kpi-semantics-addenda.md 17, kpi-spec §2).

Written apart from the stream engine's gate on purpose: the engine holds a jump and the
events after it in a buffer as they arrive; here the whole input is known, so each jump
simply looks ahead. Over the events the `--at` filter keeps, in arrival order (`seq`),
with `newest` the latest accepted time so far (times in integer epoch microseconds):

- older than `newest − dedupe_window_s`: refused, too old to check for duplicates;
- the first event (`newest` unset): looking at the events after it, if one *fits* it —
  is not more than `time_jump_s` before it (anything later fits: a gap) — before
  `time_jump_confirm` events have followed that do not, it is accepted (it anchors
  `newest`); if the next `time_jump_confirm` events all lie more than `time_jump_s`
  before it, it is refused as a lone first time and the next event is judged as the
  first; if the input ends first, it is accepted;
- later than `newest + time_jump_s`: a jump. Looking at the events
  after it, skipping those the first rule refuses anyway: if one comes more than
  `time_jump_s` before the jump before `time_jump_confirm` others have followed, the jump
  is refused; otherwise (confirmed, or the input ends first) it is accepted;
- otherwise accepted.
A refused event leaves `newest` as it was, and the events after it are judged afresh.
"""

from __future__ import annotations

from collections.abc import Sequence

_US = 1_000_000


def _seconds(micros: int) -> str:
    return f"{micros / _US:.0f}"


def refused_by_time(
    arrivals: Sequence[tuple[int, int]], jump_s: float, window_s: float, confirm: int
) -> dict[int, str]:
    """`seq -> reason` for the events refused; `arrivals` are `(seq, ts_us)` sorted by seq."""
    jump_us = round(jump_s * _US)
    window_us = round(window_s * _US)
    refused: dict[int, str] = {}
    newest: int | None = None
    for position, (seq, ts) in enumerate(arrivals):
        if newest is None:
            earlier = _unconfirmed_first(arrivals, position, jump_us, confirm)
            if earlier is not None:
                refused[seq] = (
                    f"ts: a lone first event time, not confirmed by the {confirm} events "
                    f"that follow (the next one is {_seconds(earlier)} s earlier)"
                )
                continue
            newest = ts
            continue
        if ts < newest - window_us:
            refused[seq] = (
                f"ts: more than {window_s:g} s before the newest event time seen "
                "(too old to check for duplicates)"
            )
            continue
        if ts > newest + jump_us:
            earlier = _contradiction(arrivals, position, newest, jump_us, window_us, confirm)
            if earlier is not None:
                refused[seq] = (
                    f"ts: a lone time jump of more than {jump_s:g} s, not confirmed by the "
                    f"events that follow (the next one is {_seconds(earlier)} s earlier)"
                )
                continue
        newest = max(newest, ts)
    return refused


def _unconfirmed_first(
    arrivals: Sequence[tuple[int, int]], position: int, jump_us: int, confirm: int
) -> int | None:
    """When none of the `confirm` events after the first one (at `position`) fits it (all
    are more than `jump_us` before it): how much earlier (µs) the next event is; None when
    one fits, or the input ends before `confirm` events followed."""
    first_ts = arrivals[position][1]
    following = [ts for _seq, ts in arrivals[position + 1 : position + 1 + confirm]]
    if len(following) < confirm or confirm == 0:
        return None
    if any(ts >= first_ts - jump_us for ts in following):
        return None
    return first_ts - following[0]


def _contradiction(  # noqa: PLR0913, PLR0917 - the rule's parameters, spelled out
    arrivals: Sequence[tuple[int, int]],
    position: int,
    newest: int,
    jump_us: int,
    window_us: int,
    confirm: int,
) -> int | None:
    """How much earlier (µs) the first event contradicting the jump at `position` is, or
    None when `confirm` events follow it first (or the input ends)."""
    jump_ts = arrivals[position][1]
    followed = 0
    for _seq, ts in arrivals[position + 1 :]:
        if followed == confirm:
            return None
        if ts < newest - window_us:
            continue  # refused whatever the jump: no evidence either way
        if ts < jump_ts - jump_us:
            return jump_ts - ts
        followed += 1
    return None
