"""Demand from data: per-date overrides and a history CSV read into the scenario."""

import datetime as dt
import pickle
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim111.calibration.demand_fit import fit_demand
from sim111.calibration.demand_report import fit_table, fragment_toml
from sim111.calibration.synthetic import synthetic_history, write_history_csv
from sim111.cli.app import cli
from sim111.engine.calendar import run_days
from sim111.engine.centre import draw_arrivals
from sim111.engine.demand import cumulative_intensity, expected_calls_per_day
from sim111.engine.streams import RandomStreams
from sim111.errors import FieldError, ScenarioError
from sim111.scenario import Demand, DemandDate, load_scenario, read_history, scenario_from_data

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "scenarios" / "typical-area.toml"
START = dt.date(2015, 3, 30)  # Monday; Good Friday 3 April, Easter Monday 6 April 2015


def _scenario_file(tmp_path: Path, demand: str, days: int = 14, start: dt.date = START) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(
        f'extends = "{BASE.as_posix()}"\n[run]\nstart_date = {start}\ndays = {days}\n'
        f"[demand]\n{demand}\n"
    )
    return path


def _daily_csv(tmp_path: Path, start: dt.date, counts: list[float], name: str = "h.csv") -> Path:
    rows = [f"{start + dt.timedelta(days=k)},{c}" for k, c in enumerate(counts)]
    path = tmp_path / name
    path.write_text("date,calls\n" + "\n".join(rows) + "\n")
    return path


# ---- per-date overrides -------------------------------------------------------------


def test_dated_multiplier_and_calls_change_exactly_the_dates_named(tmp_path):
    plain = load_scenario(_scenario_file(tmp_path, ""))
    dated = load_scenario(
        _scenario_file(
            tmp_path,
            "scale = 1.1\n"
            "[[demand.dates]]\ndate = 2015-04-04\nmultiplier = 1.3\n"  # Easter Saturday
            "[[demand.dates]]\ndate = 2015-04-08\nend_date = 2015-04-09\ncalls = 5000\n",
        )
    )
    days = run_days(START, 14)
    before = expected_calls_per_day(plain.demand, days) * 1.1
    after = expected_calls_per_day(dated.demand, days)
    named = {5: before[5] * 1.3, 9: 5000 * 1.1, 10: 5000 * 1.1}
    for k in range(14):
        assert after[k] == pytest.approx(named.get(k, before[k]), rel=1e-12), k


def test_dated_overrides_leave_other_days_arrivals_identical(tmp_path):
    plain = load_scenario(_scenario_file(tmp_path, "", days=7))
    dated = load_scenario(
        _scenario_file(tmp_path, "[[demand.dates]]\ndate = 2015-04-05\nmultiplier = 2.0\n", days=7)
    )
    a = draw_arrivals(plain, RandomStreams(1, 0))
    b = draw_arrivals(dated, RandomStreams(1, 0))
    sunday = (6 * 1440, 7 * 1440)  # the last day: inversion keeps every earlier arrival
    assert np.array_equal(a[a < sunday[0]], b[b < sunday[0]])
    assert (b >= sunday[0]).sum() > 1.5 * (a >= sunday[0]).sum()


def test_day_type_override_uses_that_profile_and_multiplier(tmp_path):
    s = load_scenario(
        _scenario_file(tmp_path, '[[demand.dates]]\ndate = 2015-04-02\nday_type = "bank_holiday"\n')
    )
    days = run_days(START, 14)
    calls = expected_calls_per_day(s.demand, days)
    good_friday = calls[4]  # a real bank holiday, same month
    assert calls[3] == pytest.approx(good_friday)
    _, cum = cumulative_intensity(s.demand, days, np.ones(14))
    per_bin = np.diff(cum)
    assert np.allclose(per_bin[3 * 48 : 4 * 48] / calls[3], per_bin[4 * 48 : 5 * 48] / calls[4])


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("date = 2015-04-04\nmultiplier = 1.3\ncalls = 9", "'demand.dates.0.calls' or 'multip"),
        ("date = 2015-04-04", "'demand.dates.0.multiplier' or 'calls' or 'day_type' is req"),
        ("date = 2015-04-04\nend_date = 2015-04-03\nmultiplier = 1", "end_date' must be on or"),
        ("date = 2015-04-04\nmultiplier = -1", "'demand.dates.0.multiplier' must be >= 0"),
        ('date = 2015-04-04\nday_type = "holiday"', "day_type' must be one of"),
        (
            "date = 2015-04-04\nend_date = 2015-04-06\nmultiplier = 1\n"
            "[[demand.dates]]\ndate = 2015-04-06\nmultiplier = 2",
            "'demand.dates.1.date' must come after the previous entry's last date 2015-04-06",
        ),
    ],
)
def test_bad_dated_entries_name_the_key(tmp_path, rows, message):
    with pytest.raises(ScenarioError, match=re.escape(message)):
        load_scenario(_scenario_file(tmp_path, f"[[demand.dates]]\n{rows}\n"))


# ---- history ------------------------------------------------------------------------


def test_daily_history_gives_expected_volumes_times_scale(tmp_path):
    counts = [1000 + 10 * k for k in range(20)]
    _daily_csv(tmp_path, START - dt.timedelta(days=3), counts)
    s = load_scenario(_scenario_file(tmp_path, 'scale = 1.2\n[demand.history]\nfile = "h.csv"'))
    got = expected_calls_per_day(s.demand, run_days(START, 14))
    assert got == pytest.approx(np.array(counts[3:17]) * 1.2, rel=1e-12)
    assert s.demand.history is not None and s.demand.history.file == "h.csv"


def test_half_hour_history_is_used_bin_by_bin(tmp_path):
    rng = np.random.default_rng(3)
    counts = rng.integers(0, 40, size=3 * 48)
    stamps = [dt.datetime(2015, 3, 30) + dt.timedelta(minutes=30 * k) for k in range(3 * 48)]
    lines = [f"{t:%Y-%m-%dT%H:%M},{c}" for t, c in zip(stamps, counts, strict=True)]
    (tmp_path / "h.csv").write_text("start,calls,answered\n" + "\n".join(lines))
    s = load_scenario(
        _scenario_file(tmp_path, 'scale = 0.5\n[demand.history]\nfile = "h.csv"', days=3)
    )
    _, cum = cumulative_intensity(s.demand, run_days(START, 3), np.ones(3))
    assert np.diff(cum) == pytest.approx(counts * 0.5, abs=1e-9)


def test_history_lives_in_the_scenario_and_round_trips(tmp_path):
    _daily_csv(tmp_path, START, [900.0] * 14)
    s = load_scenario(_scenario_file(tmp_path, '[demand.history]\nfile = "h.csv"'))
    (tmp_path / "h.csv").unlink()  # nothing reads the file again
    again = scenario_from_data(s.to_data(), "test")
    assert again == s and hash(again) == hash(s)
    assert pickle.loads(pickle.dumps(s)) == s
    more = s.with_overrides({"demand.scale": 2.0})
    assert expected_calls_per_day(more.demand, run_days(START, 14)) == pytest.approx(1800.0)
    with pytest.raises(ScenarioError, match=r"demand\.history\.file' is read when"):
        s.with_overrides({"demand.history.file": "other.csv"})


def test_history_path_is_relative_to_the_file_that_names_it(tmp_path):
    (tmp_path / "base").mkdir()
    _daily_csv(tmp_path / "base", START, [700.0] * 14)
    base = _scenario_file(tmp_path / "base", '[demand.history]\nfile = "h.csv"')
    top = tmp_path / "top.toml"
    top.write_text('extends = "base/s.toml"\n[demand]\nscale = 2.0\n')
    s = load_scenario(top)
    assert expected_calls_per_day(s.demand, run_days(START, 14)) == pytest.approx(1400.0)
    assert base.exists()


def test_uncovered_run_dates_are_an_error_unless_filled_by_the_rule(tmp_path):
    _daily_csv(tmp_path, START, [800.0] * 10)
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario_file(tmp_path, '[demand.history]\nfile = "h.csv"'))
    assert "'demand.history' 'h.csv' covers 2015-03-30..2015-04-08" in str(err.value)
    assert "2015-04-09..2015-04-12 are not covered" in str(err.value)
    s = load_scenario(_scenario_file(tmp_path, '[demand.history]\nfile = "h.csv"\nfill = "rule"'))
    plain = load_scenario(_scenario_file(tmp_path, ""))
    days = run_days(START, 14)
    got, rule = expected_calls_per_day(s.demand, days), expected_calls_per_day(plain.demand, days)
    assert got[:10] == pytest.approx(800.0) and got[10:] == pytest.approx(rule[10:])


def test_setting_the_loaded_keys_in_a_file_is_refused(tmp_path):
    _daily_csv(tmp_path, START, [800.0] * 14)
    with pytest.raises(ScenarioError, match=r"'demand\.history\.calls' is read from the history"):
        load_scenario(_scenario_file(tmp_path, '[demand.history]\nfile = "h.csv"\ncalls = [1]'))


BAD_CSVS = [
    (b"", 1, None, "empty file"),
    (b"day,calls\n2015-03-30,5\n", 1, None, "header must have columns 'date,calls'"),
    (b"date,count\n2015-03-30,5\n", 1, None, "header must have columns"),
    (b"date,calls\n", 2, None, "no data rows"),
    (b"date,calls\n2015-03-30,5\n30/03/2015,5\n", 3, "date", "must be a YYYY-MM-DD"),
    (b"date,calls\n2015-03-30,five\n", 2, "calls", "must be a number >= 0, got 'five'"),
    (b"date,calls\n2015-03-30,-3\n", 2, "calls", "must be a number >= 0, got '-3'"),
    (b"date,calls\n2015-03-30,nan\n", 2, "calls", "must be a number >= 0"),
    (b"date,calls\n2015-03-30\n", 2, "calls", "got ''"),
    (b"date,calls\n2015-03-30,5\n2015-03-30,5\n", 3, "date", "repeats or goes back"),
    (b"date,calls\n2015-03-30,5\n2015-04-01,5\n", 3, "date", "gap: 2015-03-31 is missing"),
    (
        b"start,calls\n2015-03-30T00:00,5\n2015-03-30T00:30,5\n2015-03-30T01:30,5\n",
        4,
        "start",
        "gap: 2015-03-30 01:00 is missing",
    ),
    (b"start,calls\n2015-03-30T00:00,5\n2015-03-30T00:30,5\n", 3, "start", "last day is incomp"),
    (b"start,calls\n2015-03-30T00:30,5\n2015-03-30T01:00,5\n", 2, "start", "start at 00:00"),
    (b"start,calls\n2015-03-30T00:00,5\n2015-03-30T00:15,5\n", 3, "start", "multiple of 30"),
    (b"start,calls\n2015-03-30T00:00+01:00,5\n", 2, "start", "YYYY-MM-DDTHH:MM"),
    (b"date,calls\n2015-03-30,5\n2015-03-31,\xe9\n", 3, None, "not UTF-8"),
]


@pytest.mark.parametrize(("content", "line", "column", "message"), BAD_CSVS)
def test_bad_history_csv_is_one_line_naming_file_line_and_column(
    tmp_path, content, line, column, message
):
    (tmp_path / "h.csv").write_bytes(content)
    with pytest.raises(ScenarioError) as err:
        load_scenario(_scenario_file(tmp_path, '[demand.history]\nfile = "h.csv"'))
    text = str(err.value)
    assert "\n" not in text and "h.csv: line " + str(line) in text and message in text
    if column is not None:
        assert f"column '{column}'" in text


def test_history_file_missing_is_named(tmp_path):
    with pytest.raises(ScenarioError, match=r"nope\.csv: no such history file"):
        load_scenario(_scenario_file(tmp_path, '[demand.history]\nfile = "nope.csv"'))


def test_reader_accepts_bom_blank_lines_extra_columns_and_seconds(tmp_path):
    path = tmp_path / "h.csv"
    stamps = [dt.datetime(2015, 1, 1) + dt.timedelta(hours=k) for k in range(24)]
    rows = [f"x,{t:%Y-%m-%d %H:%M:%S},{k}.5" for k, t in enumerate(stamps)]
    path.write_bytes(("\ufeffnote,Start,Calls\n" + "\n\n".join(rows) + "\n\n").encode())
    h = read_history(path)
    assert (h.start_date, h.interval_min, h.n_days) == (dt.date(2015, 1, 1), 60, 1)
    assert h.calls[:2] == (0.5, 1.5)


def test_stationary_demand_refuses_history_and_dates():
    entry = DemandDate(date=dt.date(2015, 1, 1), multiplier=2.0)
    with pytest.raises(FieldError, match="apply only to 'profile'"):
        Demand(kind="stationary", calls_per_hour=10.0, dates=(entry,))


# ---- fit-demand ---------------------------------------------------------------------


def _synthetic_csv(tmp_path: Path, days: int, interval_min: int = 1440) -> Path:
    history = synthetic_history(
        Demand(overdispersion_cv=0.05), START, days, np.random.default_rng(7), interval_min
    )
    path = tmp_path / "history.csv"
    write_history_csv(history, path)
    return path


def test_written_history_reads_back_identically(tmp_path):
    history = synthetic_history(Demand(), START, 3, np.random.default_rng(1), interval_min=30)
    write_history_csv(history, tmp_path / "h.csv")
    again = read_history(tmp_path / "h.csv", name="synthetic")
    assert again == history


def test_per_day_fit_leaves_unseen_months_and_profiles_at_the_defaults(tmp_path):
    fit = fit_demand(read_history(_synthetic_csv(tmp_path, 45)))  # 30 March - 13 May
    assert [m for m, e in enumerate(fit.month_multipliers) if e is not None] == [2, 3, 4]
    assert all(p is None for p in fit.profiles.values())
    text = fragment_toml(fit)
    assert "# defaults for january, february, june" in text
    assert "[demand.hourly_profile]" not in text
    assert "Time-of-day profiles not fitted: the history is per day." in fit_table(fit)
    demand = tomllib.loads(text)["demand"]
    assert demand["month_multipliers"][0] == 1.06  # January's default


def test_fit_demand_command_writes_a_fragment_a_scenario_can_use(tmp_path):
    csv_path = _synthetic_csv(tmp_path, 60, interval_min=30)
    out = tmp_path / "fits" / "fit.toml"
    out.parent.mkdir()
    result = CliRunner().invoke(
        cli,
        [
            "fit-demand",
            str(csv_path),
            "--out",
            str(out),
            "--extends",
            str(BASE),
            "--figure",
            str(tmp_path / "fit.png"),
            "--population",
            "500000",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    assert "multiplier" in result.stdout and "bank_holiday" in result.stdout
    assert (tmp_path / "fit.png").stat().st_size > 0
    scenario = load_scenario(out)  # a whole scenario: the base with the fitted demand
    fragment = tomllib.loads(out.read_text())
    assert scenario.demand.population == 500_000
    assert (
        scenario.demand.day_multipliers.saturday
        == fragment["demand"]["day_multipliers"]["saturday"]
    )
    assert len(scenario.demand.hourly_profile.weekday) == 48
    assert scenario.advisors == load_scenario(BASE).advisors


def test_fit_demand_command_prints_the_fragment_without_out(tmp_path):
    result = CliRunner().invoke(cli, ["fit-demand", str(_synthetic_csv(tmp_path, 30))])
    assert result.exit_code == 0
    assert "demand" in tomllib.loads(result.stdout)
    assert "overdispersion CV" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"date,calls\n2015-03-30,12\n2015-03-31,-1\n", "line 3, column 'calls': must be a number"),
        (b"date,calls\n2015-03-30,12\n", "fitting needs at least 14 days with calls, got 1 days"),
    ],
)
def test_fit_demand_command_bad_input_is_one_line_and_status_2(tmp_path, content, message):
    (tmp_path / "h.csv").write_bytes(content)
    result = CliRunner().invoke(cli, ["fit-demand", str(tmp_path / "h.csv")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_fit_refuses_a_day_kind_without_calls(tmp_path):
    rows = [f"{START + dt.timedelta(days=k)},{0 if k % 7 == 6 else 500}" for k in range(28)]
    (tmp_path / "h.csv").write_text("date,calls\n" + "\n".join(rows) + "\n")
    with pytest.raises(ScenarioError, match="every day counted as 'sunday' has 0 calls"):
        fit_demand(read_history(tmp_path / "h.csv"))
