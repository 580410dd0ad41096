"""KPIs by day, week or month across replications: mean and 95% CI of each period."""

from __future__ import annotations

import pandas as pd

from sim111.experiments.stats import CONFIDENCE, t_interval
from sim111.experiments.sweep import clip_to_range
from sim111.measures.periods import LABEL_COLUMNS

NOT_KPIS = ("point", "replication", *LABEL_COLUMNS)


def period_kpi_keys(periods: pd.DataFrame) -> list[str]:
    """The KPI columns of a frame of period KPIs (all but the labels)."""
    return [c for c in periods.columns if c not in NOT_KPIS]


def period_summary(
    periods: pd.DataFrame, kind: str = "day", confidence: float = CONFIDENCE
) -> pd.DataFrame:
    """One row per period of ``kind`` (``day``, ``week``, ``month``) across replications.

    ``periods`` has one row per replication x period (``ExperimentResult.periods``).
    The result keeps the label columns (``period`` .. ``in_warmup``, see
    :func:`~sim111.measures.periods.period_kpis`), then ``replications`` (how
    many there were), then for each KPI ``key`` its mean across replications as
    ``key`` and its t-interval as ``key_ci_low`` and ``key_ci_high``, clipped to
    the KPI's range as run-level intervals are. A KPI undefined in every
    replication (no calls that day) has NaN mean and interval.
    """
    mine = periods[periods["period"] == kind] if len(periods) else periods
    if mine.empty:
        return pd.DataFrame()
    keys = period_kpi_keys(mine)
    groups = [group for _, group in mine.groupby("period_index", sort=True)]
    stats = [
        t_interval(values, confidence)
        for group in groups
        for values in group[keys].to_numpy(dtype=float).T
    ]
    # one long frame (period x KPI) clipped at once, then one column per statistic
    long = pd.DataFrame(stats, index=keys * len(groups), columns=["mean", "ci_low", "ci_high"])
    clipped = clip_to_range(long).to_numpy().reshape(len(groups), len(keys), 3)
    labels = [c for c in LABEL_COLUMNS if c in mine.columns]
    out = pd.DataFrame([g.iloc[0][labels] for g in groups]).reset_index(drop=True)
    out["replications"] = [len(g) for g in groups]
    columns = {}
    for j, key in enumerate(keys):
        columns[key] = clipped[:, j, 0]
        columns[f"{key}_ci_low"] = clipped[:, j, 1]
        columns[f"{key}_ci_high"] = clipped[:, j, 2]
    return pd.concat([out, pd.DataFrame(columns)], axis=1)
