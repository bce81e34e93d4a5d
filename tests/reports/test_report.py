"""The week report on a simulated archive: every number against an independent DuckDB query
over the Parquet files written here, and the CSV and XLSX read back cell for cell.

The report week is Mon 2026-03-02 .. Sun 03-08 (Asia/Shanghai); the week before is the
previous period and the forecast's history.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from openpyxl import load_workbook

from pipeline.cli import main
from pipeline.reports.build import ReportRequest, build_report
from pipeline.reports.csv_out import cell
from pipeline.reports.tables import Report
from pipeline.staffing.forecast import forecast
from pipeline.staffing.requirement import ServiceGoal, Workload, required_staff
from tests.reports import sim

WEEK = date(2026, 3, 2)
PREVIOUS = date(2026, 2, 23)
CONFIG = """
[queues.claims]
sl_target = 0.8
[queues.policy]
sl_target = 0.9
sl_threshold_s = 30
[teams.t_claims]
queues = ["claims"]
[teams.t_policy]
queues = ["policy"]
"""


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("archive")
    sim.write(base, sim.entries(PREVIOUS, 14))
    sim.write_alerts(base, PREVIOUS, 14)
    return base


@pytest.fixture(scope="module")
def report(archive: Path) -> Report:
    return build_report(archive, sim.settings(), ReportRequest("week", date(2026, 3, 4)))


def sql(archive: Path, kind: str, first: date, last: date, query: str) -> list[tuple[Any, ...]]:
    """`query` over `t`: the `kind` rows of the days first..last, read from the files."""
    files = [str(p) for p in sorted(archive.glob(f"day=*/{kind}.parquet"))
             if first.isoformat() <= p.parent.name[4:] <= last.isoformat()]
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'Asia/Shanghai'")
        con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet({files!r})")
        return con.execute(query).fetchall()


QUEUE_KPIS = """
    sum(offered), sum(answered), sum(abandoned), sum(short_abandoned),
    sum(answered_in_sl)::DOUBLE / nullif(sum(answered + abandoned - short_abandoned), 0),
    sum(answered)::DOUBLE / nullif(sum(answered + abandoned), 0),
    sum(abandoned - short_abandoned)::DOUBLE
        / nullif(sum(answered + abandoned - short_abandoned), 0),
    sum(coalesce(asa_s * answered, 0)) / nullif(sum(answered), 0),
    sum(coalesce(aht_s * handled, 0)) / nullif(sum(handled), 0),
    sum(transferred)::DOUBLE / nullif(sum(ended), 0),
    sum(surveys), sum(satisfied)::DOUBLE / nullif(sum(surveys), 0),
    sum(self_served), sum(self_served)::DOUBLE / nullif(sum(self_served + answered), 0)
"""


def same(got: Any, expected: Any) -> bool:
    if expected is None or got is None:
        return got is None and expected is None
    return got == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_queue_indicators_and_previous_period_equal_the_sql(archive: Path, report: Report) -> None:
    rows = report.table("summary").rows
    for first, column in ((WEEK, 3), (PREVIOUS, 4)):
        last = first + timedelta(days=6)
        expected = {
            r[0]: r[1:] for r in sql(archive, "queue", first, last,
                                     f"SELECT id, {QUEUE_KPIS} FROM t GROUP BY id")
        }
        (total,) = sql(archive, "queue", first, last, f"SELECT '*', {QUEUE_KPIS} FROM t")
        expected["*"] = total[1:]
        for queue in ("claims", "policy", "*"):
            got = [r[column] for r in rows if r[0] == queue]
            assert len(got) == 14
            assert all(same(g, e) for g, e in zip(got, expected[queue], strict=True)), queue
    sl = {r[0]: r for r in rows if r[1] == "service_level"}
    assert (sl["claims"][6], sl["policy"][6], sl["*"][6]) == (0.8, 0.9, None)
    assert sl["claims"][8] == ("met" if sl["claims"][3] >= 0.8 else "missed")
    assert all(same(r[5], None if r[3] is None or r[4] is None else r[3] - r[4]) for r in rows)


def test_teams_and_agents_equal_the_sql(archive: Path, report: Report) -> None:
    query = """
        SELECT id, sum(logged_in_s), sum(handled),
               sum(coalesce(aht_s * handled, 0)) / nullif(sum(handled), 0),
               sum(busy_s + acw_s) / nullif(sum(busy_s + acw_s + ready_s), 0),
               sum(busy_s + acw_s + ready_s) / nullif(sum(logged_in_s), 0),
               sum(not_ready_s), sum(ultra_short), sum(ultra_long)
        FROM t GROUP BY id ORDER BY id
    """
    for kind, key in (("team", "teams"), ("agent", "agents")):
        now = sql(archive, kind, WEEK, WEEK + timedelta(days=6), query)
        before = {r[0]: r for r in sql(archive, kind, PREVIOUS, PREVIOUS + timedelta(days=6),
                                       query)}
        got = report.table(key).rows
        assert [r[0] for r in got] == [r[0] for r in now]
        for row, expected in zip(got, now, strict=True):
            prev = before[row[0]]
            assert all(same(g, e) for g, e in zip(row[1:9], expected[1:], strict=True))
            assert all(same(g, e) for g, e in zip(row[9:], (prev[2], prev[3], prev[4]),
                                                  strict=True))


def test_alerts_by_kind_and_subject_and_top_agents_equal_the_sql(
    archive: Path, report: Report
) -> None:
    query = """
        SELECT kind, subject, count(*) AS n, count(cleared_at),
               avg(epoch(cleared_at) - epoch(raised_at)), max(epoch(cleared_at) - epoch(raised_at)),
               sum(epoch(cleared_at) - epoch(raised_at))
        FROM t GROUP BY kind, subject ORDER BY n DESC, kind, subject
    """
    now = sql(archive, "alerts", WEEK, WEEK + timedelta(days=6), query)
    before = {(r[0], r[1]): r[2] for r in sql(archive, "alerts", PREVIOUS,
                                              PREVIOUS + timedelta(days=6), query)}
    got = report.table("alerts").rows
    assert len(got) > 5
    assert "alerts" not in [r[0] for r in report.table("not_available").rows]
    assert [r[:2] for r in got] == [list(r[:2]) for r in now]
    for row, (kind, subject, n, cleared, mean, longest, total) in zip(got, now, strict=True):
        assert row[2:5] == [n, cleared, n - cleared]
        assert same(row[5], mean) and same(row[6], longest) and same(row[7], total)
        assert row[8] == before.get((kind, subject), 0)
    top = sql(archive, "alerts", WEEK, WEEK + timedelta(days=6), """
        SELECT subject, count(*) AS n FROM t
        WHERE kind IN ('ultra_short_contact', 'ultra_long_contact', 'abnormal_logout',
                       'late_login', 'long_away')
        GROUP BY subject ORDER BY n DESC, subject""")
    assert [r[:2] for r in report.table("top_agents").rows] == [list(r) for r in top]


def test_heatmap_cells_equal_the_sql(archive: Path, report: Report) -> None:
    expected = sql(archive, "queue", WEEK, WEEK + timedelta(days=6), """
        SELECT strftime(interval_start, '%Y-%m-%d') AS d, strftime(interval_start, '%H:%M') AS s,
               sum(offered),
               sum(answered_in_sl)::DOUBLE / nullif(sum(answered + abandoned - short_abandoned), 0),
               sum(coalesce(asa_s * answered, 0)) / nullif(sum(answered), 0),
               sum(abandoned - short_abandoned)::DOUBLE
                   / nullif(sum(answered + abandoned - short_abandoned), 0)
        FROM t GROUP BY d, s ORDER BY d, s
    """)
    got = report.table("heatmap").rows
    assert len(got) == 7 * 12 == len(expected)
    for row, want in zip(got, expected, strict=True):
        assert row[:2] == list(want[:2])
        assert all(same(g, e) for g, e in zip(row[2:], want[2:], strict=True))


def _history(archive: Path) -> pl.DataFrame:
    rows = sql(archive, "queue", WEEK - timedelta(weeks=8), WEEK - timedelta(days=1), """
        SELECT id, interval_start, offered::DOUBLE,
               sum(coalesce(aht_s * handled, 0)) OVER w / nullif(sum(handled) OVER w, 0)
        FROM t WINDOW w AS (PARTITION BY id, interval_start)
    """)
    return pl.DataFrame(rows, schema={
        "queue": pl.String, "interval_start": pl.Datetime("us", "Asia/Shanghai"),
        "offered": pl.Float64, "aht_s": pl.Float64}, orient="row")


def _required(queue: str, contacts: float, aht: float | None) -> int:
    if contacts <= 0 or aht is None:
        return 0
    rules = sim.settings().queue_rules(queue)
    return required_staff(Workload(contacts, 900, aht),
                          ServiceGoal(rules.sl_target, rules.sl_threshold_s, 0.85)).agents


def test_intervals_volume_forecast_requirement_and_agents_equal_the_sql(
    archive: Path, report: Report
) -> None:
    last = WEEK + timedelta(days=6)
    actual = {(r[0], r[1]): r[2:] for r in sql(archive, "queue", WEEK, last, """
        SELECT id, strftime(interval_start, '%Y-%m-%d %H:%M'), offered,
               answered_in_sl::DOUBLE / nullif(answered + abandoned - short_abandoned, 0),
               aht_s FROM t""")}
    team = {"claims": "t_claims", "policy": "t_policy"}
    available = {(r[0], r[1]): r[2] for r in sql(archive, "team", WEEK, last, """
        SELECT id, strftime(interval_start, '%Y-%m-%d %H:%M'),
               (busy_s + acw_s + ready_s) / interval_s FROM t""")}
    predicted = forecast(_history(archive), sim.settings(), WEEK, days=7)
    planned = {
        (q, datetime.fromtimestamp(s, UTC).astimezone(sim.ZONE).strftime("%Y-%m-%d %H:%M")):
        (f, a)
        for q, s, f, a in predicted.select(
            "queue", pl.col("interval_start").dt.epoch("s"), "offered", "aht_s").iter_rows()
    }
    got = report.table("intervals").rows
    assert {(r[0], r[1]) for r in got} == set(actual) | set(planned)
    for queue, start, offered, fc, sl, target, plan_aht, aht, r_plan, r_act, avail, gap in got:
        want = actual[(queue, start)]
        f, h0 = planned.get((queue, start), (0.0, None))
        assert (offered, target) == (want[0], 0.8 if queue == "claims" else 0.9)
        assert same(sl, want[1]) and same(aht, want[2])
        assert same(fc, f) and same(plan_aht, h0)
        assert r_plan == _required(queue, f, h0)
        assert r_act == _required(queue, offered, want[2] if want[2] is not None else h0)
        assert same(avail, available[(team[queue], start)])
        assert same(gap, avail - r_act)


def test_forecast_accuracy_and_missed_intervals_equal_the_sql(
    archive: Path, report: Report
) -> None:
    rows = report.table("intervals").records()
    for queue in ("claims", "policy", "*"):
        mine = [r for r in rows if queue in ("*", r["queue"])]
        total = sum(r["offered"] for r in mine)
        wape = sum(abs(r["offered"] - r["forecast"]) for r in mine) / total
        by_day: dict[str, list[float]] = {}
        for r in mine:
            by_day.setdefault(r["start"][:10], [0.0, 0.0])
            by_day[r["start"][:10]][0] += r["offered"]
            by_day[r["start"][:10]][1] += r["forecast"]
        wape_day = sum(abs(a - f) for a, f in by_day.values()) / total
        bias = (sum(r["forecast"] for r in mine) - total) / total
        (row,) = [r for r in report.table("forecast_accuracy").rows if r[0] == queue]
        assert row[1] == total
        assert all(same(g, e) for g, e in zip(row[2:], (sum(r["forecast"] for r in mine), wape,
                                                        wape_day, bias), strict=True))
    missed = sql(archive, "queue", WEEK, WEEK + timedelta(days=6), """
        SELECT id, strftime(interval_start, '%Y-%m-%d %H:%M') AS s FROM t
        WHERE answered + abandoned - short_abandoned >= 10
          AND answered_in_sl::DOUBLE / (answered + abandoned - short_abandoned)
              < CASE id WHEN 'claims' THEN 0.8 ELSE 0.9 END
        ORDER BY id, s""")
    causes = report.table("causes").records()
    assert [(c["queue"], c["start"]) for c in causes] == missed
    assert len(missed) > 10
    for c in causes:
        assert c["sentence"].startswith(f"{c['start']} {c['queue']}: service level ")
        assert c["volume_agents"] + c["handling_agents"] + c["staffing_agents"] == (
            pytest.approx(c["required_actual"] - c["available"]))


@pytest.fixture(scope="module")
def written(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    config = out / "wallboard.toml"
    config.write_text(CONFIG, encoding="utf-8")
    code = main(["report", "week", "--date", "2026-03-04", "--archive-dir", str(archive),
                 "--out", str(out), "--format", "html,xlsx,csv", "--lang", "en",
                 "--config", str(config)])
    assert code == 0
    return out


def test_the_csv_files_hold_the_report_tables_cell_for_cell(
    written: Path, report: Report
) -> None:
    folder = written / "report-week-2026-03-02-en-csv"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{t.key}.csv" for t in report.tables)
    for table in report.tables:
        with (folder / f"{table.key}.csv").open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == [c.key for c in table.columns]
        assert rows[1:] == [[cell(v) for v in row] for row in table.rows], table.key


def test_the_xlsx_read_back_with_openpyxl_matches_every_table(
    written: Path, report: Report
) -> None:
    book = load_workbook(written / "report-week-2026-03-02-en.xlsx", read_only=True)
    assert book.sheetnames == ["about"] + [t.key for t in report.tables]
    for table in report.tables:
        rows = [list(r) for r in book[table.key].iter_rows(values_only=True)]
        assert rows[0] == [c.en for c in table.columns]
        # openpyxl writes floats with 16 significant digits (Excel keeps 15), and reads a
        # whole float back as an int: numbers equal to 1e-15, the rest exactly.
        assert len(rows) == len(table.rows) + 1
        for back, row in zip(rows[1:], table.rows, strict=True):
            assert all(b == pytest.approx(v, rel=1e-15) if isinstance(v, float) else b == v
                       for b, v in zip(back, row, strict=True)), table.key
    book.close()


def test_the_html_is_one_self_contained_file_with_svg_charts(written: Path) -> None:
    text = (written / "report-week-2026-03-02-en.html").read_text(encoding="utf-8")
    assert text.count("<svg") == 4
    assert "@page{size:A4" in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in text and "<link" not in text


def test_a_month_still_running_compares_the_forecast_only_on_archived_days(
    archive: Path,
) -> None:
    month = build_report(archive, sim.settings(), ReportRequest("month", date(2026, 3, 4)))

    assert (month.period, month.previous) == ("2026-03-01 – 2026-03-31",
                                              "2026-02-01 – 2026-02-28")
    days = {r["start"][:10] for r in month.table("intervals").records()}
    assert days == {f"2026-03-0{d}" for d in range(1, 9)}
    (total,) = [r for r in month.table("forecast_accuracy").records() if r["queue"] == "*"]
    assert total["actual"] == sum(r["offered"] for r in month.table("intervals").records())
