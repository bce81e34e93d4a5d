"""The forecast on real data: the bank's August 1999 month, rolling-origin backtest.

The month is converted in-process with the bank-1999 adapter (`wallboard convert`), the
history is read straight from the events file (`history_from_events`, offered contacts
per queue and 15-minute interval, local time UTC+03:00) and the last 21 days are held
out in three weekly folds. For each of the four main queues the model must beat both
spreadsheet baselines (same interval last week; mean of the last 3 same weekdays) in
WAPE at day and at 15-minute level on the same held-out days, with a bias within ±10 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipeline.adapters.bank_1999 import map_bank_row, read_bank_rows
from pipeline.adapters.records import Mapped
from pipeline.adapters.writer import EventWriter
from pipeline.commands.forecast import print_evaluation
from pipeline.staffing.backtest import Backtest, backtest
from pipeline.staffing.history import history_from_events
from schemas.config import parse_settings
from tests.conftest import REPO

BANK = REPO.parent / "shared" / "realdata" / "anonymous_bank_1999_08.csv.gz"
MAIN_QUEUES = ("regular", "prospects", "internet", "stock_exchange")  # PS, NW, IN, NE

pytestmark = pytest.mark.skipif(not BANK.exists(), reason="bank data not on this machine")


def _offered_only(results: Iterable[Mapped]) -> Iterator[Mapped]:
    for result in results:
        if isinstance(result, list):
            yield [event for event in result if event.type == "contact.offered"]
        else:
            yield result


@pytest.fixture(scope="module")
def bank_backtest(tmp_path_factory: pytest.TempPathFactory) -> Backtest:
    folder = tmp_path_factory.mktemp("bank_month")
    events = folder / "offered.jsonl"
    # the adapter's row mapping in-process, as `wallboard convert --from bank-1999` runs
    # it (less its per-event schema check, which `tests/adapters` covers); only the
    # `contact.offered` events are written (all the forecast counts), to keep it fast
    rows = (map_bank_row(row, number, raw) for number, raw, row in read_bank_rows(BANK))
    with events.open("wb") as out, (folder / "dead.jsonl").open("wb") as dead:
        writer = EventWriter(out, dead)
        writer.sorted_batch(_offered_only(rows))
    assert writer.counts.events == 38_711
    settings = parse_settings({"timezone": "Etc/GMT-3", "interval_min": 15})
    history = history_from_events(Path(events), settings)
    result = backtest(history, settings, holdout_days=21, horizon_days=7)
    print_evaluation(result, settings)  # the table, for the record (pytest -s)
    return result


def test_bank_backtest_holds_out_three_weeks_each_forecast_from_its_own_origin(
    bank_backtest: Backtest,
) -> None:
    origins = [date(1999, 8, 11), date(1999, 8, 18), date(1999, 8, 25)]
    assert [origin for origin, _ in bank_backtest.folds] == origins
    assert bank_backtest.held_out == [date(1999, 8, 11) + timedelta(days=i) for i in range(21)]


@pytest.mark.parametrize("queue", MAIN_QUEUES)
@pytest.mark.parametrize("level", ["day", "15min"])
def test_bank_model_beats_both_baselines_in_wape(
    bank_backtest: Backtest, queue: str, level: str
) -> None:
    scores = bank_backtest.scores[queue][level]
    model, last_week, mean_3 = (scores[m].wape for m in ("model", "last_week", "mean_3_weeks"))
    assert model is not None and last_week is not None and mean_3 is not None
    print(f"{queue} {level}: model {model:.3f} last_week {last_week:.3f} mean_3 {mean_3:.3f}")
    assert model < last_week
    assert model < mean_3


@pytest.mark.parametrize("queue", MAIN_QUEUES)
def test_bank_model_bias_is_within_ten_percent(bank_backtest: Backtest, queue: str) -> None:
    bias = bank_backtest.scores[queue]["day"]["model"].bias
    assert bias is not None and abs(bias) <= 0.10, bias


def test_bank_backtest_figures(bank_backtest: Backtest) -> None:
    """The measured figures (WAPE model / last week / mean of 3 weeks, bias), pinned so a
    change to the model shows up here as a deliberate update."""
    got = {
        (queue, level): tuple(
            round(bank_backtest.scores[queue][level][m].wape or 0.0, 3)
            for m in ("model", "last_week", "mean_3_weeks")
        )
        + (round(bank_backtest.scores[queue][level]["model"].bias or 0.0, 3),)
        for queue in MAIN_QUEUES
        for level in ("15min", "day")
    }
    assert got == {
        ("regular", "15min"): (0.300, 0.405, 0.415, 0.022),
        ("regular", "day"): (0.112, 0.137, 0.266, 0.022),
        ("prospects", "15min"): (0.541, 0.716, 0.676, 0.031),
        ("prospects", "day"): (0.187, 0.194, 0.293, 0.031),
        ("internet", "15min"): (0.702, 0.929, 0.851, -0.059),
        ("internet", "day"): (0.196, 0.251, 0.229, -0.059),
        ("stock_exchange", "15min"): (0.627, 0.799, 0.732, -0.030),
        ("stock_exchange", "day"): (0.145, 0.146, 0.182, -0.030),
    }
