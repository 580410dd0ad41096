import numpy as np
import pytest

from sim111.scenario.distributions import Distribution


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
