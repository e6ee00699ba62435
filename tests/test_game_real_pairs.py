"""Ours (beyond the paper): real model pairs on the regime map (llmroute.game.calibrate, spec §7 item 9).

Hand-computed values on a made-up pair whose cheap model is the slower one (c=(.001,.01), latency=(6,2) s,
p=(.5,.8)): cost-of-pass (.002, .0125), latency-of-pass (12, 2.5) s, so the rankings disagree and
Delta_U / rate = 9.5 s wherever both models are value-dominated.
"""
from __future__ import annotations

import numpy as np
import pytest

from llmroute._validate import ParameterError
from llmroute.data import load
from llmroute.data.schema import Outcomes
from llmroute.game.calibrate import (PairMeasurement, game_from_pair, latency_from_throughput, measure_pair,
                                     pair_checks, predict_pair, solve_pair)

PAIR = PairMeasurement("made-up", ("cheap", "big"), c=(0.001, 0.01), latency=(6.0, 2.0), p=(0.5, 0.8), n=10)


def test_measurement_ratios_and_assumptions() -> None:
    assert PAIR.cost_of_pass == pytest.approx([0.002, 0.0125])
    assert PAIR.latency_of_pass == pytest.approx([12.0, 2.5])
    assert not PAIR.rankings_agree
    assert PAIR.gap_per_rate == pytest.approx(9.5)
    assert PAIR.min_cost_of_pass == pytest.approx(0.002)
    assert PAIR.incremental_cost_of_pass == pytest.approx(0.03)
    assert PAIR.assumptions == {"t1<t2": False, "c1<c2": True, "p1<p2": True}
    agree = PairMeasurement("agree", ("a", "b"), c=(0.001, 0.01), latency=(1.0, 2.0), p=(0.5, 0.8), n=1)
    assert agree.rankings_agree and agree.gap_per_rate == 0.0
    with pytest.raises(ParameterError, match=r"p\[1\]"):
        PairMeasurement("bad", ("a", "b"), c=(1, 2), latency=(1, 2), p=(0.8, 0.5), n=1)
    with pytest.raises(ParameterError, match="latency"):
        PairMeasurement("bad", ("a", "b"), c=(1, 2), latency=(-1, 2), p=(0.5, 0.8), n=1)
    # the paper's entry point rejects the same pair (t1 < t2 fails), which is why the relaxed grid exists
    with pytest.raises(ParameterError, match="t2"):
        game_from_pair(c=PAIR.c, t=PAIR.latency, p=PAIR.p, V=10.0, latency_rate=0.1)


def test_latency_from_throughput() -> None:
    assert latency_from_throughput(264, (80, 28), (0.2, 0.6)) == pytest.approx((3.5, 0.6 + 264 / 28))
    with pytest.raises(ParameterError, match="tokens_per_s"):
        latency_from_throughput(264, (80, 0.0))


def test_both_value_dominated_gap_and_policy() -> None:
    # V=10, rate=.1: t=(.6,.2), xi=(4.4, 7.8) (++); provider (1,0) at c1/p1=.002; U = xi1/p1 = 8.8;
    # user prefers M2: xi2/p2 = 9.75; Delta_U = .95 = .1 * 9.5
    r = solve_pair(PAIR, 10.0, 0.1, 0.001)
    assert (str(r["regime"]), str(r["policy"])) == ("++", "(1,0)")
    assert float(r["J"]) == pytest.approx(0.002)
    assert float(r["U"]) == pytest.approx(8.8)
    assert float(r["U_best"]) == pytest.approx(9.75)
    assert float(r["Delta_U"]) == pytest.approx(0.95)
    assert float(r["Delta_U_closed"]) == pytest.approx(0.95)
    # throttling: G = .002 - min(.001 + .0005, .01 + .0002) = .0005 > 0 at P=.001; at P=.004 G = -.001
    assert float(r["G"]) == pytest.approx(0.0005) and bool(r["throttling_pays"])
    r4 = solve_pair(PAIR, 10.0, 0.1, 0.004)
    assert float(r4["G"]) == pytest.approx(-0.001) and not bool(r4["throttling_pays"])


def test_differentiated_band_minimal_cascade() -> None:
    # V=5, rate=1: t=(6,2), xi=(-3.5, 2) (-+); s0 = 3.5/(2.5+3.5) = .583333; w = s0*.5/(.5+s0*.5) = .368421;
    # C1(s0,0) = (1-w)*.002 + w*.0125 = .00586842; with P=1 it beats (1,0) (J = .001 + .5 = .501);
    # U = xi1 = -3.5, user-best xi2/p2 = 2.5, Delta_U = 6
    r = solve_pair(PAIR, 5.0, 1.0, 1.0)
    assert (str(r["regime"]), str(r["policy"])) == ("-+", "(1,s0)")
    assert float(r["s"]) == pytest.approx(7 / 12)
    assert float(r["J"]) == pytest.approx(0.00586842, abs=1e-8)
    assert float(r["U"]) == pytest.approx(-3.5)
    assert float(r["Delta_U"]) == pytest.approx(6.0)
    assert np.isnan(r["Delta_U_closed"])
    r0 = solve_pair(PAIR, 5.0, 1.0, 0.001)  # small churn penalty: let the user abandon on M1
    assert str(r0["policy"]) == "(1,0)" and float(r0["J"]) == pytest.approx(0.0015) and float(r0["q"]) == 1.0


def test_both_latency_dominated() -> None:
    # V=.1, rate=1: xi=(-5.95, -1.92); P=.001 < .03 -> (1,0), J = .0015, U = -5.95, Delta_U = 4.03
    r = solve_pair(PAIR, 0.1, 1.0, 0.001)
    assert (str(r["regime"]), str(r["policy"])) == ("--", "(1,0)")
    assert float(r["J"]) == pytest.approx(0.0015)
    assert float(r["Delta_U"]) == pytest.approx(4.03)
    assert str(solve_pair(PAIR, 0.1, 1.0, 0.05)["policy"]) == "(2,0)"  # P above the incremental cost-of-pass


def test_predict_pair_numeric_throttling_and_checks() -> None:
    df = predict_pair(PAIR, np.array([10.0])[:, None], 0.1, np.array([0.001, 0.004])[None, :])
    assert list(df["pair"]) == ["made-up", "made-up"]
    assert df["G_numeric"].to_numpy() == pytest.approx([0.0005, 0.0], abs=1e-9)
    d = pair_checks(PAIR, np.logspace(-2, 2, 9)[:, None, None], np.logspace(-3, 0, 7)[None, :, None],
                    np.array([0.0, 0.001, 0.004, 1.0])[None, None, :], n_s=201, n_thr=8)
    assert d["n_pp"] > 0 and d["n_pp_gap_positive"] == d["n_pp"]
    assert d["gap_identity_err"] < 1e-12 and d["n_pp_cascade"] == 0 and d["throttle_iff_mismatch"] == 0
    assert d["brute_rel_err"] < 1e-9 and d["throttle_numeric_mismatch"] == 0


def _outcomes(latency: bool) -> Outcomes:
    q = np.array([[1, 1], [0, 1], [0, 1], [1, 1], [0, 0]], float)
    c = np.array([[1, 3], [1, 5], [2, 4], [2, 4], [4, 4]], float) * 1e-3
    lat = np.array([[5, 1], [7, 3], [np.nan, 2], [6, 2], [6, 2]], float) if latency else None
    return Outcomes("toy", ("cheap", "big"), q, c, "USD", np.arange(5).astype(str), np.array(["d"] * 5), latency=lat)


def test_measure_pair_from_outcomes() -> None:
    m = measure_pair(_outcomes(True))
    assert m.p == pytest.approx((0.4, 0.8)) and m.c == pytest.approx((0.002, 0.004))
    assert m.latency == pytest.approx((6.0, 2.0)) and m.n == 5 and m.latency_source == "measured"
    m2 = measure_pair(_outcomes(False), latency_s=(1.0, 3.0), latency_source="assumed: test")
    assert m2.latency == (1.0, 3.0) and m2.latency_source == "assumed: test"
    with pytest.raises(ParameterError, match="latency_s"):
        measure_pair(_outcomes(False))
    with pytest.raises(ParameterError, match="latency_s"):
        measure_pair(_outcomes(True), latency_s=(1.0, 3.0))


def test_omnisbench_pair_real_data() -> None:
    """Vendored OmnisBench (always present): nano passes 344/364, opus 361/364; nano is the slower model."""
    m = measure_pair(load("omnisbench"))
    assert m.p == pytest.approx((344 / 364, 361 / 364))
    assert m.latency == pytest.approx((7.156682, 3.346700), abs=1e-5)
    assert m.c == pytest.approx((0.000430907, 0.00625195), rel=1e-5)
    assert not m.rankings_agree and not m.assumptions["t1<t2"]
    assert m.gap_per_rate == pytest.approx(4.198256, abs=1e-5)
    r = solve_pair(m, 1.0, 0.01, 0.01)  # both value-dominated: Delta_U = .01 * 4.198256
    assert str(r["regime"]) == "++" and str(r["policy"]) == "(1,0)"
    assert float(r["Delta_U"]) == pytest.approx(0.04198256, abs=1e-7)


def test_measurement_intervals_cover_the_means_and_shrink_with_n() -> None:
    from llmroute.game.calibrate import measurement_intervals

    rng = np.random.default_rng(3)
    n = 400
    q = np.column_stack([rng.uniform(size=n) < 0.3, rng.uniform(size=n) < 0.8]).astype(float)
    cost = np.column_stack([np.full(n, 0.001), rng.uniform(0.005, 0.015, n)])
    lat = np.column_stack([rng.uniform(1, 3, n), np.full(n, 2.0)])
    o = Outcomes("toy", ("cheap", "big"), q, cost, "USD", np.arange(n), np.array(["d"] * n), latency=lat)
    tab = measurement_intervals(o).set_index(["model", "quantity"])
    m = measure_pair(o)
    assert tab.loc[("cheap", "pass rate p"), "mean"] == pytest.approx(m.p[0])
    assert tab.loc[("big", "latency (s/pass)"), "mean"] == pytest.approx(m.latency[1])
    # a constant column has a zero-width interval; a Bernoulli(0.8) column one of about 2*1.97*0.4/20 = 0.079
    assert tab.loc[("cheap", "cost c (USD/pass)"), "low"] == tab.loc[("cheap", "cost c (USD/pass)"), "high"]
    width = tab.loc[("big", "pass rate p"), "high"] - tab.loc[("big", "pass rate p"), "low"]
    assert 0.06 < width < 0.10
    quarter = measurement_intervals(o.take(np.arange(n // 4))).set_index(["model", "quantity"])
    assert (quarter.high - quarter.low).loc[("big", "pass rate p")] > 1.5 * width
    with pytest.raises(ParameterError, match="conf"):
        measurement_intervals(o, conf=1.5)
