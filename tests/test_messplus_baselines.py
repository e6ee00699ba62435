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
