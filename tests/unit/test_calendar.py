import datetime as dt

from sim111.engine.calendar import day_type, run_days


def test_easter_2013():
    days = {d.date: d.day_type for d in run_days(dt.date(2013, 3, 28), 6)}
    assert days == {
        dt.date(2013, 3, 28): "weekday",  # Maundy Thursday
        dt.date(2013, 3, 29): "bank_holiday",  # Good Friday
        dt.date(2013, 3, 30): "saturday",
        dt.date(2013, 3, 31): "sunday",  # Easter Sunday is not a bank holiday
        dt.date(2013, 4, 1): "bank_holiday",  # Easter Monday
        dt.date(2013, 4, 2): "weekday",  # GPs reopen
    }


def test_christmas_2014():
    got = [day_type(dt.date(2014, 12, d)) for d in range(24, 30)]
    assert got == ["weekday", "bank_holiday", "bank_holiday", "saturday", "sunday", "weekday"]


def test_boxing_day_on_a_saturday_and_its_substitute_monday_are_both_holidays():
    # The named holiday keeps holiday demand; the substitute Monday closes GPs too.
    assert day_type(dt.date(2015, 12, 26)) == "bank_holiday"
    assert day_type(dt.date(2015, 12, 28)) == "bank_holiday"
    assert day_type(dt.date(2015, 12, 29)) == "weekday"


def test_scottish_only_holidays_are_not_england_bank_holidays():
    assert day_type(dt.date(2015, 1, 2)) == "weekday"  # 2 January: Scotland only
    assert day_type(dt.date(2015, 8, 3)) == "weekday"  # first Monday of August: Scotland


def test_run_days_lead_day_has_negative_index():
    days = run_days(dt.date(2015, 3, 2), 2, lead_days=1)
    assert [(d.index, d.date, d.weekday_name) for d in days] == [
        (-1, dt.date(2015, 3, 1), "sunday"),
        (0, dt.date(2015, 3, 2), "monday"),
        (1, dt.date(2015, 3, 3), "tuesday"),
    ]
    assert days[0].start_min == -1440
