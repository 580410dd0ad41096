"""What the service costs and earns: pure functions of the scenario and the records.

Paid time is rostered time (not busy time) between the warm-up and the end of
the run. A rostered hour costs basic rate x (1 + unsocial-hours uplift) x
(1 + on-costs) / (1 - shrinkage); overheads are a share of that direct cost.
Fees paid to overflow providers (and for escalated call-backs) are part of the
provider's cost, as is clinician overtime (hours called in x basic rate x the
overtime multiplier, plus on-costs; not grossed up for shrinkage: it is time
worked). Revenue is
the contract price per answered call, or a block payment per head.
Downstream system costs (ambulance, A&E, GP out-of-hours, and callers who went
to A&E or dialled 999 while waiting for a call-back) are reported apart: they
are the NHS's, not the provider's.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sim111.engine.calendar import run_days
from sim111.engine.roster import shift_blocks
from sim111.measures.backlog import ratio
from sim111.scenario import DISPOSITIONS, Costs, Pay, Scenario, StaffGroup
from sim111.units import DAYS_PER_YEAR, MINUTES_PER_DAY, MINUTES_PER_HOUR, parse_clock_min


def uplift_by_minute(pay: Pay, start_date: dt.date, days: int) -> np.ndarray:
    """The unsocial-hours uplift for every minute of the run (length ``days * MINUTES_PER_DAY``).

    Bank holiday, then Sunday, then Saturday; on weekdays the night uplift
    applies from ``night_start`` to ``night_end`` (wrapping past midnight).
    """
    minute = np.arange(MINUTES_PER_DAY)
    start = parse_clock_min("night_start", pay.night_start)
    end = parse_clock_min("night_end", pay.night_end)
    if start > end:
        night = (minute >= start) | (minute < end)
    else:
        night = (minute >= start) & (minute < end)
    weekday = np.where(night, pay.weekday_night_uplift, 0.0)
    by_type = {
        "weekday": weekday,
        "saturday": np.full(MINUTES_PER_DAY, pay.saturday_uplift),
        "sunday": np.full(MINUTES_PER_DAY, pay.sunday_uplift),
        "bank_holiday": np.full(MINUTES_PER_DAY, pay.bank_holiday_uplift),
    }
    return np.concatenate([by_type[d.day_type] for d in run_days(start_date, days)])


def hourly_rate_gbp(pay: Pay, costs: Costs) -> float:
    """Basic hourly rate: given, or annual salary ÷ paid hours a year."""
    if pay.hourly_rate_gbp is not None:
        return pay.hourly_rate_gbp
    assert pay.annual_salary_gbp is not None
    return pay.annual_salary_gbp / costs.paid_hours_per_year


def on_cost_share(pay: Pay, costs: Costs) -> float:
    """Employer on-costs as a share of pay: the role's own, else ``costs.on_cost_share``."""
    return costs.on_cost_share if pay.on_cost_share is None else pay.on_cost_share


def shrinkage(pay: Pay, costs: Costs) -> float:
    """Share of paid time off the phones: the role's own, else ``costs.shrinkage``."""
    return costs.shrinkage if pay.shrinkage is None else pay.shrinkage


@dataclass(frozen=True)
class StaffCost:
    """Paid hours and cost of one staff group over a window, in GBP."""

    group: str
    paid_hours: float
    basic_gbp: float
    uplift_gbp: float
    on_cost_gbp: float
    shrinkage_gbp: float

    @property
    def total_gbp(self) -> float:
        """Direct cost: basic + uplifts + on-costs + shrinkage gross-up."""
        return self.basic_gbp + self.uplift_gbp + self.on_cost_gbp + self.shrinkage_gbp


def staff_cost(
    name: str,
    group: StaffGroup,
    costs: Costs,
    start_date: dt.date,
    days: int,
    window: tuple[float, float],
) -> StaffCost | None:
    """Cost of ``group``'s rostered time inside ``window`` (minutes); ``None`` if unpaid."""
    if group.pay is None:
        return None
    a, b = window
    uplift = uplift_by_minute(group.pay, start_date, days)
    cum_uplift = np.concatenate([[0.0], np.cumsum(uplift)])
    grid = np.arange(cum_uplift.size, dtype=float)
    person_min = 0.0
    uplift_min = 0.0
    for block in shift_blocks(group, start_date, days):
        s, e = max(block.start_min, a), min(block.end_min, b)
        if e <= s:
            continue
        person_min += block.count * (e - s)
        ups = np.interp([s, e], grid, cum_uplift)
        uplift_min += block.count * (ups[1] - ups[0])
    rate = hourly_rate_gbp(group.pay, costs)
    basic = rate * person_min / MINUTES_PER_HOUR
    uplift_gbp = rate * uplift_min / MINUTES_PER_HOUR
    on_cost = (basic + uplift_gbp) * on_cost_share(group.pay, costs)
    gross = (basic + uplift_gbp + on_cost) / (1 - shrinkage(group.pay, costs))
    return StaffCost(
        group=name,
        paid_hours=person_min / MINUTES_PER_HOUR,
        basic_gbp=basic,
        uplift_gbp=uplift_gbp,
        on_cost_gbp=on_cost,
        shrinkage_gbp=gross - (basic + uplift_gbp + on_cost),
    )


@lru_cache(maxsize=16)
def staff_costs(scenario: Scenario) -> tuple[StaffCost, ...]:
    """Costs of every paid staff group over the KPI window (warm-up to end).

    They depend on the scenario alone, so each is computed once however many
    replications ask (scenarios are frozen and hashable).
    """
    run = scenario.run
    window = (run.warmup_min, run.horizon_min)
    groups: list[tuple[str, StaffGroup]] = [("health advisors", scenario.advisors)]
    groups += [(g.name, g) for g in scenario.clinicians]
    costs = (
        staff_cost(name, group, scenario.costs, run.start_date, run.calendar_days, window)
        for name, group in groups
    )
    return tuple(c for c in costs if c is not None)


def _penalties(scenario: Scenario, kpis: dict[str, float]) -> float:
    total = 0.0
    for p in scenario.costs.penalties:
        value = kpis.get(p.kpi, math.nan)
        met = value >= p.threshold if p.higher_is_better else value <= p.threshold
        if math.isnan(value) or not met:
            total += p.amount_gbp
    return total


def kpi_years(scenario: Scenario) -> float:
    """Length of the KPI window (warm-up to end) in years."""
    run = scenario.run
    return (run.horizon_min - run.warmup_min) / MINUTES_PER_DAY / DAYS_PER_YEAR


def _revenue(scenario: Scenario, answered: float, years: float) -> float:
    """Contract revenue: price per answered call, or per head per year (NaN if neither)."""
    costs = scenario.costs
    if costs.price_per_call_gbp is not None:
        return costs.price_per_call_gbp * answered
    if costs.price_per_head_per_year_gbp is not None:
        return costs.price_per_head_per_year_gbp * scenario.demand.population * years
    return math.nan


def _overflow_fees(scenario: Scenario, kpis: dict[str, float]) -> float:
    return sum(
        p.price_per_call_gbp * kpis.get(f"provider_{p.name}_calls", 0.0) for p in scenario.providers
    )


def _downstream_gbp(costs: Costs, disposition_counts: np.ndarray) -> float:
    unit = np.array([getattr(costs.downstream, d) for d in DISPOSITIONS])
    return float((disposition_counts * unit).sum())


def overtime_rate_gbp(scenario: Scenario) -> float:
    """Cost of one clinician overtime hour: the called-in group's basic rate x the
    overtime multiplier, plus on-costs (NaN if that group has no pay)."""
    backlog = scenario.clinical.backlog
    if not backlog.overtime:
        return 0.0
    group = scenario.clinicians[scenario.overtime_group_index]
    if group.pay is None:
        return math.nan
    rate = hourly_rate_gbp(group.pay, scenario.costs)
    return rate * backlog.overtime_pay_multiplier * (1 + on_cost_share(group.pay, scenario.costs))


def _self_referrals_gbp(costs: Costs, kpis: dict[str, float]) -> float:
    """NHS cost of callers who went to A&E or dialled 999 while waiting for a call-back."""
    unit = costs.downstream
    return unit.ed * kpis.get("callback_went_to_ed", 0.0) + unit.ambulance * kpis.get(
        "callback_dialled_999", 0.0
    )


def cost_kpis(
    scenario: Scenario, kpis: dict[str, float], disposition_counts: np.ndarray
) -> dict[str, float]:
    """Cost, revenue and margin KPIs of one replication.

    ``kpis`` are the replication's operational KPIs (for answered calls,
    clinical contacts and penalties); ``disposition_counts`` the number of each
    disposition in the KPI window.
    """
    costs = scenario.costs
    staff = staff_costs(scenario)
    if not staff:
        return {}
    direct = sum(s.total_gbp for s in staff)
    fees = _overflow_fees(scenario, kpis)
    overtime = overtime_rate_gbp(scenario) * kpis.get("overtime_clinician_hours", 0.0)
    advisor_direct = sum(s.total_gbp for s in staff if s.group == "health advisors")
    overhead = direct * costs.overhead_share
    total = direct + overhead + fees + overtime
    answered = kpis.get("calls_answered", math.nan)
    contacts = kpis.get("clinical_contacts", math.nan)
    years = kpi_years(scenario)
    revenue = _revenue(scenario, answered, years)
    penalties = _penalties(scenario, kpis)
    self_referrals = _self_referrals_gbp(costs, kpis)
    downstream = _downstream_gbp(costs, disposition_counts) + self_referrals
    return {
        "paid_advisor_hours": sum(s.paid_hours for s in staff if s.group == "health advisors"),
        "paid_clinician_hours": sum(s.paid_hours for s in staff if s.group != "health advisors"),
        "staff_cost_gbp": direct,
        "overhead_gbp": overhead,
        "overtime_cost_gbp": overtime,
        "overflow_fees_gbp": fees,
        "total_cost_gbp": total,
        "cost_per_call_gbp": ratio(total, answered),
        "cost_per_clinical_contact_gbp": ratio(  # clinicians' direct cost with overheads
            (direct - advisor_direct) * (1 + costs.overhead_share) + overtime, contacts
        ),
        "revenue_gbp": revenue,
        "penalties_gbp": penalties,
        "margin_gbp": revenue - total - penalties,
        "margin_per_call_gbp": ratio(revenue - total - penalties, answered),
        "break_even_price_per_call_gbp": ratio(total + penalties, answered),
        "break_even_price_per_head_per_year_gbp": ratio(
            total + penalties, scenario.demand.population * years
        ),
        "downstream_cost_gbp": downstream,
        "self_referral_cost_gbp": self_referrals,
        "downstream_cost_per_call_gbp": ratio(downstream, answered),
    }
