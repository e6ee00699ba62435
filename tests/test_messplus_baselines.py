"""RouteLLM-style and RouterDC-style baselines (our stand-ins): threshold calibration, routing rules, cross-fitting."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute.data.schema import Outcomes
from llmroute.messplus.baselines import (RouteLLMStyle, calibrate_threshold, crossfit_scores,
                                         routerdc_choice)
from llmroute.messplus.experiments import chained_rows, queue_path
from llmroute.replay import replay


def test_routerdc_choice_cheapest_predicted_correct() -> None:
    p = np.array([[0.6, 0.9, 0.9], [0.2, 0.7, 0.9], [0.1, 0.2, 0.4], [0.1, 0.3, 0.3]])
    assert routerdc_choice(p).tolist() == [0, 1, 2, 2]   # last: none >= 0.5, tie 0.3/0.3 -> the larger


def test_calibrate_threshold_picks_largest_meeting_alpha() -> None:
    # weak always wrong, strong always right: satisfaction = fraction routed to strong
    q = np.column_stack([np.zeros(100), np.ones(100)])
    score = np.arange(100) / 100.0
    rows = np.arange(100)
    thr = calibrate_threshold(score, q, rows, 0.3, window=1)
    # largest threshold with >= 30 % strong calls: score >= 0.70
    assert np.mean(score >= thr) == pytest.approx(0.30, abs=0.011)
    assert np.mean(score >= thr) >= 0.30
    assert calibrate_threshold(score, q, rows, 0.0) == np.inf          # alpha 0: all weak


def test_routellm_router_two_models_only() -> None:
    q = np.array([[0, 1, 1], [1, 1, 1], [0, 0, 1.0]])
    o = Outcomes(name="t", models=("a", "b", "c"), quality=q, cost=np.ones((3, 3)), cost_unit="J",
                 request_id=np.array(["x", "y", "z"]), domain=np.array(["d"] * 3))
    log = replay(o, RouteLLMStyle(np.array([0.9, 0.1, 0.5]), 0.5), order="given").log
    assert log["served"].tolist() == [2, 0, 2]


def test_crossfit_is_out_of_fold_and_informative() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((600, 3))
    q = np.column_stack([(x[:, 1] > 0), (x[:, 0] > 0.5), (x[:, 0] > 0)]).astype(float)
    probs, win = crossfit_scores(x, q, seed=1)
    assert probs.shape == (600, 3) and win.shape == (600,)
    assert np.mean((probs > 0.5) == (q > 0.5)) > 0.9
    # strong (model 2) wins where x0 > 0 and x1 <= 0 (a linear score can rank that)
    y = (x[:, 0] > 0) & (x[:, 1] <= 0)
    assert win[y].mean() > win[~y].mean() + 0.2


def test_queue_path_and_chained_rows() -> None:
    np.testing.assert_allclose(queue_path([0, 1, 1, 0], 0.5), [0.5, 0.0, 0.0, 0.5])
    r = chained_rows([3, 2], seed=0)
    assert sorted(r[:3]) == [0, 1, 2] and sorted(r[3:]) == [3, 4]


# ---- RouterDC's rule: argmax, no cost term -----------------------------------------------------------
def test_argmax_choice_is_highest_score_without_cost_term() -> None:
    from llmroute.messplus.baselines import argmax_choice

    p = np.array([[0.6, 0.9, 0.8], [0.2, 0.7, 0.9], [0.1, 0.2, 0.4], [0.5, 0.3, 0.3], [0.7, 0.7, 0.1]])
    assert argmax_choice(p).tolist() == [1, 2, 2, 0, 0]     # last: tie 0.7/0.7 -> the cheaper
    with pytest.raises(ValueError, match="shape"):
        argmax_choice(np.array([0.1, 0.2]))


def test_routerdc_style_default_rule_is_argmax_and_former_rule_is_kept() -> None:
    from llmroute._validate import ParameterError
    from llmroute.messplus.baselines import RouterDCStyle, cheapest_confident_choice

    p = np.array([[0.6, 0.9, 0.8], [0.2, 0.7, 0.9]])
    assert RouterDCStyle(p).choice.tolist() == [1, 2]
    assert RouterDCStyle(p, rule="cheapest_confident").choice.tolist() == [0, 1]
    assert cheapest_confident_choice(p).tolist() == routerdc_choice(p).tolist() == [0, 1]
    with pytest.raises(ParameterError, match="rule = 'cheap'"):
        RouterDCStyle(p, rule="cheap")


def _toy_zoo(n: int = 120, seed: int = 0) -> Outcomes:
    rng = np.random.default_rng(seed)
    F = rng.standard_normal((n, 4))
    q = (np.array([-0.3, 0.3, 0.8])[None] - F[:, :1] + 0.5 * rng.standard_normal((n, 3)) > 0).astype(float)
    c = np.array([50.0, 250.0, 1200.0]) * np.exp(0.2 * rng.standard_normal((n, 3)))
    return Outcomes(name="toy", models=("s", "m", "l"), quality=q, cost=c, cost_unit="J",
                    request_id=np.arange(n).astype(str), domain=np.full(n, "x"), features=F)


def test_baseline_runs_overhead_charges_only_the_learned_routers() -> None:
    from llmroute.messplus.experiments import baseline_runs
    from llmroute.messplus.settings import RoutingOverhead

    o = _toy_zoo()
    off = baseline_runs(o, 0.6, seeds=[1, 2])
    on = baseline_runs(o, 0.6, seeds=[1, 2], overhead=RoutingOverhead(router_per_request=2.5))
    diff = (on["total_cost"] - off["total_cost"]).to_numpy()
    learned = off["router"].isin(["RouteLLM-style", "RouterDC-style"]).to_numpy()
    np.testing.assert_allclose(diff[learned], 2.5 * o.n_requests)
    np.testing.assert_allclose(diff[~learned], 0.0)
    assert off["router"].tolist()[:6] == ["s", "m", "l", "educated guessing", "RouterDC-style", "RouteLLM-style"]


def test_routing_overhead_validation_and_estimate() -> None:
    from llmroute._validate import ParameterError
    from llmroute.messplus.settings import RoutingOverhead

    assert not RoutingOverhead().enabled
    est = RoutingOverhead.encoder_estimate(80.0, encoder_params=1e8, small_params=1e9, update_factor=3.0)
    assert (est.router_per_request, est.predictor_per_request, est.predictor_per_update) == pytest.approx((8.0, 8.0, 24.0))
    assert est.enabled
    with pytest.raises(ParameterError, match="router_per_request = -1"):
        RoutingOverhead(router_per_request=-1.0)


def test_benchmark_seed_is_stable_and_independent_per_benchmark() -> None:
    from llmroute.messplus.experiments import BENCHMARKS, benchmark_seed, benchmark_seeds

    s = [benchmark_seed(42, b) for b in BENCHMARKS]
    assert len(set(s)) == len(BENCHMARKS) and all(isinstance(x, int) and 0 <= x < 2 ** 63 for x in s)
    assert benchmark_seed(42, "arc_challenge") == benchmark_seed(42, "arc_challenge")   # deterministic
    assert benchmark_seeds([42, 43], "piqa") == [benchmark_seed(42, "piqa"), benchmark_seed(43, "piqa")]
    assert benchmark_seed(42, "piqa") != benchmark_seed(43, "piqa")
