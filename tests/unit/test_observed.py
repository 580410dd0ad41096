"""The observed-periods CSV: what it accepts, and one clear line for what it does not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sim111.calibration.observed import read_observed
from sim111.errors import ScenarioError
from tests.conftest import SCENARIOS

SHIPPED = SCENARIOS / "data" / "nhs111-england-2014-15.csv"
HEADER = (
    "period_start,period_end,calls_offered,population,"
    "answered_within_60s_pct,abandoned_after_30s_pct"
)


def write(tmp_path: Path, text: str, name: str = "obs.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_months_read_as_published() -> None:
    obs = read_observed(SHIPPED)
    assert obs.periods[0].start == dt.date(2014, 4, 1)
    april = obs.periods[0]
    assert april.days == 30
    assert april.kpis == pytest.approx(
        {"answered_within_60s": 0.933, "abandoned_after_30s": 0.014, "callback_within_10min": 0.512}
    )
    assert april.calls_per_day == pytest.approx(1_080_893 / 30)
    assert obs.kpis == ("answered_within_60s", "abandoned_after_30s", "callback_within_10min")
    # blank cells are "not published", not zero
    september = obs.periods[1]
    assert september.kpis == {"callback_within_10min": pytest.approx(0.53)}
    assert september.calls_offered is None


def test_comments_bom_blank_lines_and_any_column_order(tmp_path: Path) -> None:
    text = (
        "\ufeff# a comment\n\nabandoned_after_30s_pct,period_end,period_start\n"
        "2.5,2015-01-07,2015-01-01\n"
    )
    obs = read_observed(write(tmp_path, text))
    assert obs.periods[0].kpis == {"abandoned_after_30s": pytest.approx(0.025)}
    assert obs.periods[0].days == 7


def test_select_by_month_or_label() -> None:
    obs = read_observed(SHIPPED)
    assert [p.label for p in obs.select(["2014-10"]).periods] == ["2014-10-01..2014-10-31"]
    with pytest.raises(
        ScenarioError, match=r"no period matches '2099-01'; periods are 2014-04-01\.\.2014-04-30"
    ):
        obs.select(["2099-01"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "period_start,period_end,answered_pct\n",
            r"obs.csv:1: column 3 'answered_pct' is not a known column; allowed: period_start",
        ),
        (
            "period_end,answered_within_60s_pct\n2015-01-01,95\n",
            r"obs.csv:1: column 'period_start' is required",
        ),
        (
            "period_start,period_end,calls_offered\n2015-01-01,2015-01-02,5\n",
            r"obs.csv:1: no KPI column",
        ),
        (
            f"{HEADER}\n2015-13-01,2015-01-31,1,,95,1\n",
            r"obs.csv:2: column 'period_start' must be a date like 2014-04-01, got '2015-13-01'",
        ),
        (
            f"{HEADER}\n2015-01-01,2015-01-31,-4,,95,1\n",
            r"obs.csv:2: column 'calls_offered' must be a finite number >= 0, got -4",
        ),
        (
            f"{HEADER}\n2015-01-01,2015-01-31,10,,ninety,1\n",
            r"obs.csv:2: column 'answered_within_60s_pct' must be a number, got 'ninety'",
        ),
        (
            f"{HEADER}\n2015-01-01,2015-01-31,10,,195,1\n",
            r"obs.csv:2: column 'answered_within_60s_pct' is a percentage \(0-100\), got 195",
        ),
        (
            f"{HEADER}\n2015-01-01,2015-01-31,10,,95\n",
            r"obs.csv:2: has 5 columns, the header has 6",
        ),
        (
            f"{HEADER}\n2015-01-31,2015-01-01,10,,95,1\n",
            r"obs.csv:2: period_end 2015-01-01 is before period_start 2015-01-31",
        ),
        (
            f"{HEADER}\n2015-01-01,2015-01-31,,5,95,1\n",
            r"obs.csv:2: column 'population' needs 'calls_offered'",
        ),
        (
            f"{HEADER}\n2015-01-01,2015-01-31,10,,95,1\n2015-01-15,2015-02-15,10,,95,1\n",
            r"obs.csv:3: period 2015-01-15..2015-02-15 overlaps period 2015-01-01..2015-01-31",
        ),
        (f"{HEADER}\n", r"obs.csv: no periods"),
        ("", r"obs.csv: no periods"),
        (
            f"{HEADER}\n2015-01-01,2015-01-31,nan,,95,1\n",
            r"column 'calls_offered' must be a finite number >= 0, got nan",
        ),
    ],
)
def test_bad_files_name_file_line_and_column(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        read_observed(write(tmp_path, text))


def test_unreadable_files(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "period_start,period_end,note\n2015-01-01,2015-01-02,caf\xe9\n".encode("latin-1")
    )
    with pytest.raises(ScenarioError, match=r"latin\.csv: line 2: not UTF-8 \(byte 0xe9\)"):
        read_observed(latin)
    with pytest.raises(ScenarioError, match=r"missing\.csv: no such CSV file"):
        read_observed(tmp_path / "missing.csv")
    with pytest.raises(ScenarioError, match="is a folder, not a CSV file"):
        read_observed(tmp_path)


def test_a_file_with_kpi_columns_but_no_values_is_refused(tmp_path: Path) -> None:
    text = "period_start,period_end,answered_within_60s_pct\n2015-01-01,2015-01-02,\n"
    with pytest.raises(ScenarioError, match=r"obs\.csv: no KPI values"):
        read_observed(write(tmp_path, text))
