"""The equal-SLA protocol (V per benchmark, t-intervals over seeds, saving factors only at equal SLA) and the
theory helpers (LP optimum E* checked against its Lagrangian dual and a hand-computed case; bounds, tightness)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from llmroute.messplus.equal_sla import (EQUAL_SLA_COLUMNS, charge_messplus_overhead, equal_sla_table,
                                         heldout_V_check, main_table, mean_ci, mean_saving, ratio_ci, savings,
                                         select_V)
from llmroute.messplus.settings import RoutingOverhead
from llmroute.messplus.theory import (cost_gap_bound, drift_constant, lp_dual_cost, lp_optimum_cost, sla_bound,
                                      tightness)


def test_mean_ci_is_the_student_t_interval() -> None:
    x = [1.0, 2.0, 4.0, 7.0]
    m, lo, hi = mean_ci(x)
    h = stats.t.ppf(0.975, 3) * np.std(x, ddof=1) / 2.0
    assert (m, lo, hi) == pytest.approx((3.5, 3.5 - h, 3.5 + h))
    assert mean_ci([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)
    assert mean_ci([5.0]) == (5.0, 5.0, 5.0)


def test_ratio_ci_delta_method_and_coverage() -> None:
    r, lo, hi = ratio_ci([2.0, 2.0], [1.0, 1.0])
    assert (r, lo, hi) == (2.0, 2.0, 2.0)
    rng = np.random.default_rng(0)
    covered = 0
    for _ in range(400):                                       # true ratio 2; paired noise
        z = rng.standard_normal(12)
        a = 200 + 10 * z + 5 * rng.standard_normal(12)
        b = 100 + 5 * z + 5 * rng.standard_normal(12)
        r, lo, hi = ratio_ci(a, b)
        covered += lo <= 2.0 <= hi
        assert lo < r < hi
    assert 0.90 <= covered / 400 <= 0.99


def _runs():
    mp, bl = [], []
    for seed in range(4):
        for c in (0.1, 1.0):
            for V, sat, cost in ((1e-4, 0.62, 100.0), (1e-3, 0.605, 60.0), (1e-2, 0.58, 40.0)):
                mp.append({"benchmark": "a", "seed": seed, "c": c, "V": V, "satisfaction": sat + 0.001 * seed,
                           "total_cost": cost + seed, "T": 10, "n_explored": 2, "n_updates": 2})
                mp.append({"benchmark": "b", "seed": seed, "c": c, "V": V, "satisfaction": sat - 0.1,
                           "total_cost": cost + seed, "T": 10, "n_explored": 2, "n_updates": 2})
        for bench in ("a", "b"):
            bl.append({"benchmark": bench, "router": "big", "seed": seed, "satisfaction": 0.7, "total_cost": 240.0 + seed})
            bl.append({"benchmark": bench, "router": "small", "seed": seed, "satisfaction": 0.4, "total_cost": 10.0})
    return pd.DataFrame(mp), pd.DataFrame(bl)


def test_select_V_largest_meeting_alpha_else_smallest() -> None:
    mp, _ = _runs()
    a = mp[mp["benchmark"] == "a"]
    assert select_V(a, 0.6, [1e-4, 1e-3, 1e-2]) == (1e-3, True)
    assert select_V(a, 0.5, [1e-4, 1e-3, 1e-2]) == (1e-2, True)
    assert select_V(a, 0.9, [1e-4, 1e-3, 1e-2]) == (1e-4, False)
    with pytest.raises(ValueError, match="no runs at V"):
        select_V(a, 0.6, [1e-5, 1e-4])


def test_equal_sla_table_factors_only_at_equal_sla() -> None:
    mp, bl = _runs()
    t = equal_sla_table(mp, bl, {"a": 0.6, "b": 0.6}, {"a": [1e-4, 1e-3, 1e-2], "b": [1e-4, 1e-3, 1e-2]},
                        routers=["big", "small"], cost_scale=1.0)
    assert list(t.columns) == list(EQUAL_SLA_COLUMNS)
    assert t["router"].tolist() == ["big", "small", "MESS+"] * 2
    ta = t[t["benchmark"] == "a"].set_index("router")
    assert ta.loc["MESS+", "V"] == 1e-3 and ta.loc["MESS+", "meets_alpha"] and ta.loc["MESS+", "seeds"] == 4
    assert ta.loc["MESS+", "cost_mj"] == pytest.approx(61.5)
    assert ta.loc["big", "saving_factor"] == pytest.approx(241.5 / 61.5)
    assert ta.loc["big", "saving_factor_ci_low"] < ta.loc["big", "saving_factor"] < ta.loc["big", "saving_factor_ci_high"]
    assert np.isnan(ta.loc["small", "saving_factor"]) and ta.loc["small", "not_at_equal_sla"] == "baseline misses alpha"
    tb = t[t["benchmark"] == "b"].set_index("router")
    assert tb.loc["MESS+", "V"] == 1e-4 and not tb.loc["MESS+", "meets_alpha"]
    assert np.isnan(tb.loc["big", "saving_factor"]) and tb.loc["big", "not_at_equal_sla"] == "MESS+ misses alpha"
    assert tb.loc["small", "not_at_equal_sla"] == "both miss alpha"
    ms = mean_saving(t, "big")
    assert ms["n_equal_sla"] == 1 and ms["mean"] == pytest.approx(241.5 / 61.5)
    assert ms["per_benchmark"]["b"] == "MESS+ misses alpha"
    assert ms["ci_low"] == pytest.approx(ta.loc["big", "saving_factor_ci_low"], rel=0.05)
    sv = savings(t, routers=["big"])
    assert sv["vs_big"].notna().tolist() == [True, False]
    with pytest.raises(ValueError, match="paired"):
        equal_sla_table(mp, bl[bl["seed"] < 3], {"a": 0.6, "b": 0.6}, {"a": [1e-4], "b": [1e-4]}, routers=["big"])


def test_main_table_mean_rows_and_heldout_check() -> None:
    mp, bl = _runs()
    for d in (mp, bl):
        d["satisfaction_timemean"] = d["satisfaction"]
        d["mcr_x"] = 0.5
    grid = {"a": [1e-4, 1e-3, 1e-2], "b": [1e-4, 1e-3, 1e-2]}
    t = equal_sla_table(mp, bl, {"a": 0.6, "b": 0.6}, grid, routers=["big", "small"], cost_scale=1.0)
    m = main_table(t, mp, bl, ["x"])
    mean = m[m["benchmark"] == "Mean"].set_index("router")
    assert mean.loc["big", "cost_MJ"] == pytest.approx(241.5) and mean.loc["MESS+", "n_benchmarks_meeting_alpha"] == 1
    assert (m["mcr_pct_x"] == 50.0).all()
    h = heldout_V_check(mp, {"a": 0.6, "b": 0.6}, grid, 2).set_index("benchmark")
    assert h.loc["a", "V_selected"] == 1e-3 and h.loc["a", "seeds_scored"] == 2
    assert h.loc["a", "satisfaction_scored"] == pytest.approx(0.6075)       # seeds 2, 3 at V = 1e-3
    with pytest.raises(ValueError, match="n_select"):
        heldout_V_check(mp, {"a": 0.6, "b": 0.6}, grid, 4)


def test_charge_messplus_overhead() -> None:
    mp, _ = _runs()
    out = charge_messplus_overhead(mp, RoutingOverhead(predictor_per_request=1.0, predictor_per_update=3.0))
    np.testing.assert_allclose(out["total_cost"] - mp["total_cost"], 8 * 1.0 + 2 * 3.0)


# ---- theory -----------------------------------------------------------------------------------------------
def test_lp_optimum_hand_computed() -> None:
    # two requests, two models (costs 1, 10); model 0 right on request 0 only, model 1 right on both.
    # alpha = 0.75: serve request 1 by model 1 half of the time -> (1 + (0.5*1 + 0.5*10)) / 2 = 3.25
    q = np.array([[1.0, 1.0], [0.0, 1.0]])
    e = np.array([1.0, 10.0])
    assert lp_optimum_cost(q, e, 0.75) == pytest.approx(3.25)
    assert lp_dual_cost(q, e, 0.75) == pytest.approx(3.25)
    assert lp_optimum_cost(q, e, 0.5) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="infeasible"):
        lp_optimum_cost(np.array([[0.0, 1.0], [0.0, 0.0]]), e, 0.75)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lp_optimum_equals_its_dual(seed) -> None:
    rng = np.random.default_rng(seed)
    q = (rng.random((300, 3)) < np.array([0.3, 0.55, 0.7])).astype(float)
    e = np.array([80.0, 390.0, 2000.0])
    for a in (0.4, 0.6, 0.75):
        assert lp_optimum_cost(q, e, a) == pytest.approx(lp_dual_cost(q, e, a), rel=1e-7)


def test_bounds_and_tightness() -> None:
    assert drift_constant(0.5) == 0.125 and drift_constant(0.8) == pytest.approx(0.32)
    assert cost_gap_bound(0.125, 1e-3) == pytest.approx(125.0)
    assert sla_bound(0.125, 1e-3, 2000.0, 100) == pytest.approx(np.sqrt(2 * 2.125 / 100))
    np.testing.assert_allclose(tightness([-1.0, 50.0], [100.0, 100.0]), [-0.01, 0.5])
