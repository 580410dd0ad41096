import math
import pickle
import re

import numpy as np
import pytest
from scipy import stats

from sim111.errors import FieldError, ScenarioError
from sim111.scenario import load_scenario
from sim111.scenario.distributions import Distribution
from sim111.scenario.schema import build, to_data
from tests.conftest import make_scenario


@pytest.mark.parametrize(
    "dist",
    [
        Distribution(mean_min=8.0),
        Distribution(mean_min=11.5, kind="lognormal", sd_min=5.0),
        Distribution(mean_min=4.0, kind="fixed"),
    ],
)
def test_samples_have_the_stated_mean_and_sd(dist):
    x = dist.sample(np.random.default_rng(0), 400_000)
    assert np.all(x > 0)
    assert x.mean() == pytest.approx(dist.mean_min, rel=0.01)
    assert x.std() == pytest.approx(dist.sd, abs=0.02 * dist.mean_min)


def test_fixed_is_exact():
    assert Distribution(mean_min=3.0, kind="fixed").sample(
        np.random.default_rng(0), 3
    ).tolist() == [
        3.0,
        3.0,
        3.0,
    ]


def test_changing_the_mean_keeps_the_draws_coupled():
    a = Distribution(mean_min=8.0).sample(np.random.default_rng(5), 100)
    b = Distribution(mean_min=10.0).sample(np.random.default_rng(5), 100)
    np.testing.assert_allclose(b, a * 10 / 8)


# --- every kind against scipy.stats, by its inverse CDF ------------------------------

U = np.linspace(0.0005, 0.9995, 1999)
VALUES = (3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0)


def kinds():
    """(distribution, the scipy.stats frozen distribution it should equal)."""
    return [
        (Distribution(mean_min=8.0), stats.expon(scale=8.0)),
        (
            Distribution(kind="lognormal", mean_min=11.5, sd_min=5.0),
            stats.lognorm(
                s=np.sqrt(np.log1p((5 / 11.5) ** 2)),
                scale=11.5 / np.sqrt(1 + (5 / 11.5) ** 2),
            ),
        ),
        (Distribution(kind="gamma", mean_min=10.0, sd_min=4.0), stats.gamma(a=6.25, scale=1.6)),
        (Distribution(kind="gamma", mean_min=3.0, sd_min=6.0), stats.gamma(a=0.25, scale=12.0)),
        (
            Distribution(kind="triangular", low_min=2.0, mode_min=5.0, high_min=14.0),
            stats.triang(c=0.25, loc=2.0, scale=12.0),
        ),
        (
            Distribution(kind="triangular", low_min=0.0, mode_min=0.0, high_min=6.0),
            stats.triang(c=0.0, loc=0.0, scale=6.0),
        ),
        (Distribution(kind="uniform", low_min=1.0, high_min=7.0), stats.uniform(loc=1, scale=6)),
    ]


@pytest.mark.parametrize(("dist", "ref"), kinds(), ids=lambda x: getattr(x, "kind", ""))
def test_quantile_mean_and_sd_match_scipy(dist, ref):
    np.testing.assert_allclose(dist.quantile(U), ref.ppf(U), rtol=1e-9, atol=1e-12)
    assert dist.mean_min == pytest.approx(ref.mean(), rel=1e-12)
    assert dist.sd == pytest.approx(ref.std(), rel=1e-12)


def test_empirical_is_the_inverse_of_the_empirical_cdf():
    dist = Distribution(kind="empirical", values_min=VALUES)
    u = np.r_[0.0, np.linspace(0.001, 0.999, 999), 1 / 8, 2 / 8, 0.5]
    np.testing.assert_array_equal(dist.quantile(u), np.quantile(VALUES, u, method="inverted_cdf"))
    assert dist.mean_min == pytest.approx(np.mean(VALUES))
    assert dist.sd == pytest.approx(np.std(VALUES))
    assert dist.values_min == tuple(sorted(VALUES))
    assert set(dist.sample(np.random.default_rng(1), 1000)) == set(VALUES)


def test_never_never_ends():
    dist = Distribution(kind="never")
    assert dist.mean_min == math.inf
    assert np.all(np.isinf(dist.quantile(U)))


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        (
            {"mean_min": 5.0, "sd_min": 1.0},
            "sd_min",
            "applies only to kind = 'lognormal' or 'gamma'",
        ),
        ({"kind": "gamma", "mean_min": 5.0}, "sd_min", "is required when kind = 'gamma'"),
        (
            {"kind": "uniform", "low_min": 1.0, "high_min": 3.0, "mode_min": 2.0},
            "mode_min",
            "'triangular'",
        ),
        (
            {"kind": "uniform", "mean_min": 2.0, "low_min": 1.0, "high_min": 3.0},
            "mean_min",
            "'gamma' or 'fixed'",
        ),
        ({"kind": "triangular", "low_min": 1.0, "high_min": 3.0}, "mode_min", "is required"),
        ({"kind": "triangular", "low_min": 1, "mode_min": 4, "high_min": 3}, "mode_min", "between"),
        ({"kind": "uniform", "low_min": 3.0, "high_min": 3.0}, "high_min", "must be > low_min"),
        (
            {"kind": "fixed", "values_min": [1.0]},
            "values_min",
            "applies only to kind = 'empirical'",
        ),
        ({"kind": "empirical"}, "values_min", "is required when kind = 'empirical'"),
        ({"kind": "empirical", "values_min": [1.0], "file": "x.csv"}, "file", "one, not both"),
        ({"kind": "empirical", "values_min": [0.0, 0.0]}, "values_min", "a value > 0"),
        ({"kind": "empirical", "values_min": [1.0, -2.0]}, "values_min.1", "must be >= 0"),
        ({"kind": "exponential", "file": "x.csv"}, "file", "applies only to kind = 'empirical'"),
        ({"kind": "never", "mean_min": 30.0}, "mean_min", "not 'never'"),
        ({"kind": "exponential"}, "mean_min", "is required when kind = 'exponential'"),
    ],
)
def test_each_kind_takes_its_own_keys_and_no_others(data, key, message):
    with pytest.raises(FieldError, match=re.escape(message)) as err:
        build(Distribution, data)
    assert err.value.key == key


@pytest.mark.parametrize("dist", [d for d, _ in kinds()] + [Distribution(kind="never")])
def test_every_kind_round_trips_through_data(dist):
    assert build(Distribution, to_data(dist)) == dist


def test_never_is_for_patience_only():
    with pytest.raises(ScenarioError, match=r"'advisors\.handle_time\.kind' cannot be 'never'"):
        make_scenario(advisors={"count": 3, "handle_time": {"kind": "never"}})
    with pytest.raises(ScenarioError, match=r"'callers\.redial_delay\.kind' cannot be 'never'"):
        make_scenario(callers={"redial_delay": {"kind": "never"}})
    never = make_scenario(callers={"patience": {"kind": "never"}})
    assert never.with_overrides({"run.days": 1}).callers.patience.mean_min == math.inf


def write_scenario(folder, patience_table, csv_text):
    (folder / "patience.csv").write_text(csv_text)
    path = folder / "s.toml"
    path.write_text(
        "[advisors]\ncount = 3\n[advisors.handle_time]\nmean_min = 8\n"
        f"[callers.patience]\n{patience_table}\n"
    )
    return path


def test_empirical_from_a_csv_file_next_to_the_scenario(tmp_path, monkeypatch):
    path = write_scenario(
        tmp_path, 'kind = "empirical"\nfile = "patience.csv"', "patience_min\n3.5\n\n1\n12\n"
    )
    monkeypatch.chdir("/")  # relative to the scenario file, not the working directory
    scenario = load_scenario(path)
    assert scenario.callers.patience.values_min == (1.0, 3.5, 12.0)
    again = scenario.with_overrides({"run.days": 2})  # self-contained: no file read again
    assert again.callers.patience == scenario.callers.patience
    assert pickle.loads(pickle.dumps(scenario)) == scenario


def test_empirical_file_set_by_a_base_scenario_is_relative_to_the_base(tmp_path):
    base = write_scenario(tmp_path, 'kind = "empirical"\nfile = "patience.csv"', "2\n4\n")
    (tmp_path / "child").mkdir()
    child = tmp_path / "child" / "c.toml"
    child.write_text(f'extends = "{base}"\n[run]\ndays = 2\n')
    assert load_scenario(child, allow_outside=True).callers.patience.values_min == (2.0, 4.0)


@pytest.mark.parametrize(
    ("csv_text", "where"),
    [
        ("3\n4\nabc\n", "line 3, column 1: not a number: 'abc'"),
        ("3\n4,5\n", "line 2, column 2: one column only"),
        ("3\n-1\n", "line 2, column 1: must be a duration >= 0"),
        ("header\n", "no values"),
    ],
)
def test_a_bad_csv_line_is_one_line_naming_file_line_and_column(tmp_path, csv_text, where):
    path = write_scenario(tmp_path, 'kind = "empirical"\nfile = "patience.csv"', csv_text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert "\n" not in message
    assert "'callers.patience.file'" in message
    assert str(tmp_path / "patience.csv") in message and where in message


def test_an_empirical_file_that_is_not_utf8_is_one_line_not_a_traceback(tmp_path):
    path = write_scenario(tmp_path, 'kind = "empirical"\nfile = "patience.csv"', "3\n")
    (tmp_path / "patience.csv").write_bytes("3\n4\nd\xe9j\xe0\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"patience\.csv: line 3: not UTF-8 \(byte 0xe9\)"):
        load_scenario(path)
