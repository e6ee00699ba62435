"""PickLLM Algorithm 1 (L_R-I): hand-computed step, simplex, convergence on a two-model toy, t* vs b, errors."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute._validate import ParameterError
from llmroute.data.schema import Outcomes
from llmroute.pickllm import LRIParams, PickLLMLRI, RewardConfig, lri_update, reward, sample_categorical
from llmroute.pickllm.sessions import run_sessions, session_rows, session_streams
from llmroute.replay import replay


def toy(n: int = 1000) -> Outcomes:
    """Two models, identical cost and latency, accuracy 0.9 vs 0.5 on every query (model 0 clearly better)."""
    q = np.tile([0.9, 0.5], (n, 1))
    return Outcomes(name="toy", models=("good", "bad"), quality=q, cost=np.full((n, 2), 1e-4), cost_unit="USD",
                    request_id=np.arange(n).astype(str), domain=np.full(n, "toy"), latency=np.full((n, 2), 2.0))


CFG = RewardConfig.paper()
R_HI = float(reward(1.0, 1e-4, 2.0, CFG))   # bounds (0, R(a=1)): r = 0.899 for "good", 0.495 for "bad"


def test_lri_update_hand_computed() -> None:
    P = lri_update(np.full(4, 0.25), 1, 0.6, 0.1)
    # chosen: 0.25 + 0.1*0.6*(1 - 0.25) = 0.295; others 0.25*(1 - 0.06) = 0.235
    np.testing.assert_allclose(P, [0.235, 0.295, 0.235, 0.235], rtol=0, atol=1e-15)
    Pv = lri_update(np.array([[0.25] * 4, [0.1, 0.2, 0.3, 0.4]]), np.array([1, 3]), np.array([0.6, 0.5]), 0.1)
    np.testing.assert_allclose(Pv[1], [0.095, 0.19, 0.285, 0.43], atol=1e-15)
    np.testing.assert_array_equal(lri_update(np.array([0.1, 0.9]), 0, 0.0, 0.5), [0.1, 0.9])  # inaction


def test_lri_keeps_p_on_simplex(rng: np.random.Generator) -> None:
    P = np.full((50, 5), 0.2)
    for _ in range(2000):
        i = rng.integers(5, size=50)
        r = rng.choice([0.0, 1.0, 0.37], size=50)
        P = lri_update(P, i, r, float(rng.choice([0.01, 0.5, 1.0])))
        assert (P >= 0).all() and (P <= 1).all()
        np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-12)


def test_sample_categorical_inverse_cdf() -> None:
    P = np.array([0.2, 0.3, 0.5])
    assert [sample_categorical(P, u) for u in (0.0, 0.19, 0.2, 0.49, 0.5, 0.999999)] == [0, 0, 1, 1, 2, 2]


def test_toy_converges_fixed_seed() -> None:
    res = run_sessions(toy(), PickLLMLRI(CFG, LRIParams(b=0.1, bounds=(0.0, R_HI))), T=1000, seeds=[0])
    s = res.summary.iloc[0]
    assert s.locked and s.i_star == 0
    assert s.t_star <= 150        # stated bound; the pinned value follows
    assert s.t_star == 112
    assert (res.choices[0, int(s.t_star):] == 0).all()   # lock-in: every remaining query to i*


def test_toy_converges_in_95pct_of_seeds_for_small_b() -> None:
    res = run_sessions(toy(), PickLLMLRI(CFG, LRIParams(b=0.05, bounds=(0.0, R_HI))), T=2000, seeds=range(200))
    assert res.summary["locked"].all()
    assert res.summary["hit_best"].mean() >= 0.95


def test_t_star_falls_as_b_rises() -> None:
    med = []
    for b in (0.02, 0.05, 0.1, 0.2, 0.5):
        s = run_sessions(toy(), PickLLMLRI(CFG, LRIParams(b=b, bounds=(0.0, R_HI))), T=2000, seeds=range(100)).summary
        assert s["locked"].all()
        med.append(float(s["t_star"].median()))
    assert all(x > y for x, y in zip(med, med[1:])), med


def test_router_state_and_lock_in_through_replay() -> None:
    t = toy()
    router = PickLLMLRI(CFG, LRIParams(b=0.2, bounds=(0.0, R_HI)))
    o, _ = session_streams(3)
    log = replay(t, router, seed=3, rows=session_rows(t.n_requests, 300, o)).log
    np.testing.assert_allclose(log[["P_good", "P_bad"]].sum(axis=1), 1.0, atol=1e-12)
    ts = int(log["t_star"].iloc[-1])
    assert log["locked"].iloc[ts - 1] == 1.0 and log["locked"].iloc[ts - 2] == 0.0
    assert log["P_good"].iloc[ts - 1] >= 0.99 or log["P_bad"].iloc[ts - 1] >= 0.99
    assert log["served"].iloc[ts:].nunique() == 1


@pytest.mark.parametrize("kw, name", [
    ({"b": 0.0}, "b"), ({"b": -0.1}, "b"), ({"b": 1.5}, "b"), ({"b": np.nan}, "b"),
    ({"p_thr": 0.0}, "p_thr"), ({"p_thr": 1.01}, "p_thr"), ({"reward_norm": "zscore"}, "reward_norm"),
    ({"bounds": (0.3, 0.1)}, "bounds"),
])
def test_invalid_lri_params_raise(kw: dict, name: str) -> None:
    with pytest.raises(ParameterError, match=name):
        LRIParams(**kw)


def test_p_thr_must_exceed_one_over_m_and_bounds_required() -> None:
    with pytest.raises(ParameterError, match="bounds"):
        PickLLMLRI(CFG, LRIParams(b=0.1))          # fixed_bounds without bounds
    with pytest.raises(ParameterError, match="p_thr"):
        replay(toy(10), PickLLMLRI(CFG, LRIParams(b=0.1, p_thr=0.5, bounds=(0, 1))), seed=0)
