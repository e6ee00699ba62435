"""Tests of llmroute.messplus.figures: V formatting and seed intervals against scipy directly."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from llmroute.messplus.figures import fmt_V, seed_summary, step_band, with_sci


@pytest.mark.parametrize("v, s", [(1e-4, "1e-4"), (3e-4, "3e-4"), (2.5e-5, "2.5e-5"), (0.1, "1e-1"), (1.0, "1e0"),
                                  (0.0, "0"), (float("nan"), "")])
def test_fmt_V(v, s):
    assert fmt_V(v) == s


def test_with_sci_never_prints_zero_for_small_V():
    df = pd.DataFrame({"V": [1e-6, np.nan], "x": [1.0, 2.0]})
    out = with_sci(df)
    assert list(out["V"]) == ["1e-6", ""] and list(out["x"]) == [1.0, 2.0]
    assert df["V"].iloc[0] == 1e-6  # the input is not changed


def test_step_band_matches_scipy_t_interval():
    rng = np.random.default_rng(3)
    y = rng.normal(size=(6, 4))
    m, lo, hi = step_band(y, 0.9)
    for j in range(4):
        l, h = stats.t.interval(0.9, 5, loc=y[:, j].mean(), scale=stats.sem(y[:, j]))
        assert m[j] == pytest.approx(y[:, j].mean())
        assert lo[j] == pytest.approx(l) and hi[j] == pytest.approx(h)


def test_step_band_one_seed_has_no_interval_and_bad_input_raises():
    m, lo, hi = step_band(np.ones((1, 3)))
    assert np.all(m == 1) and np.all(np.isnan(lo)) and np.all(np.isnan(hi))
    with pytest.raises(ValueError, match="curves"):
        step_band(np.ones(3))
    with pytest.raises(ValueError, match="level"):
        step_band(np.ones((2, 3)), level=1.0)


def test_seed_summary_averages_rows_of_a_seed_first():
    runs = pd.DataFrame({"g": ["a"] * 6, "seed": [0, 0, 1, 1, 2, 2], "x": [1.0, 3.0, 2.0, 4.0, 6.0, 8.0]})
    s = seed_summary(runs, ["g"], ["x"], scale={"x": 10.0})
    per_seed = np.array([20.0, 30.0, 70.0])
    l, h = stats.t.interval(0.95, 2, loc=per_seed.mean(), scale=stats.sem(per_seed))
    r = s.iloc[0]
    assert r["n_seeds"] == 3 and r["x"] == pytest.approx(40.0)
    assert r["x_lo"] == pytest.approx(l) and r["x_hi"] == pytest.approx(h)
    with pytest.raises(ValueError, match="no column"):
        seed_summary(runs, ["g"], ["y"])


def test_ragged_band_uses_the_curves_that_reach_each_step():
    from llmroute.messplus.figures import ragged_band
    curves = [np.array([1.0, 2.0, 3.0]), np.array([3.0, 4.0]), np.array([5.0, 6.0, 9.0]), np.array([7.0])]
    n, m, lo, hi = ragged_band(curves, min_n=3)
    assert list(n) == [4, 3] and m[0] == pytest.approx(4.0) and m[1] == pytest.approx(4.0)
    l, h = stats.t.interval(0.95, 2, loc=4.0, scale=stats.sem([2.0, 4.0, 6.0]))
    assert lo[1] == pytest.approx(l) and hi[1] == pytest.approx(h)
    n, *_ = ragged_band(curves, min_n=5)
    assert n.size == 0
    with pytest.raises(ValueError, match="min_n"):
        ragged_band(curves, min_n=1)
