"""With the oracle predictor (true labels) MESS+ meets alpha on every benchmark and costs less than the cheapest
single model meeting alpha: on the calibrated synthetic zoo always, and on the real MESS+ data when present.

The bound: Q_T >= sum_t (alpha - s_t), so the final satisfaction is >= alpha - Q_T / T. With exact labels, once
Q_t exceeds V * max_m E_hat_m (about 0.25 at V = 1e-4) every request that some model answers correctly is served
correctly, so Q stays O(1) and the shortfall is O(1/T); we allow 0.01 (T >= 651)."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import require_shared

from llmroute.messplus.experiments import BENCHMARKS, BOLD_ALPHA, load_benchmark, run_messplus

BOUND = 0.01


def _check(o, b) -> None:
    alpha = BOLD_ALPHA[b]
    g = run_messplus(o, alphas=[alpha], Vs=[1e-4], cs=[0.1], seeds=[42, 43], predictor="oracle")
    acc, cost = o.mean_quality(), o.cost.sum(axis=0)
    meets = np.flatnonzero(acc >= alpha)
    assert meets.size, f"{b}: no single model meets alpha {alpha}"
    cheapest = cost[meets[0]]
    for _, r in g.runs.iterrows():
        assert r.satisfaction >= alpha - BOUND, (b, r.satisfaction, alpha)
        assert r.satisfaction >= alpha - r.Q_final / r["T"] - 1e-12      # the queue identity
        assert r.total_cost < cheapest, (b, r.total_cost, cheapest)


@pytest.mark.parametrize("bench", BENCHMARKS)
def test_oracle_messplus_meets_alpha_synthetic(bench) -> None:
    o = load_benchmark(bench, force_synthetic=True, seed=0)
    assert o.meta["synthetic"]
    _check(o, bench)


@pytest.mark.realdata
@pytest.mark.parametrize("bench", BENCHMARKS)
def test_oracle_messplus_meets_alpha_real(bench) -> None:
    require_shared("messplus", "inference_outputs.tar.gz")
    o = load_benchmark(bench)
    assert not o.meta["synthetic"]
    _check(o, bench)
