"""PickLLM synthetic world (spec §6.3, illustrative) and the vectorised session runner."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute._validate import ParameterError
from llmroute.pickllm import (LRIParams, PickLLMQ, PickLLMLRI, QParams, RewardConfig, WorldParams,
                              calibration_report, make_world)
from llmroute.pickllm.sessions import (LatencyRule, default_bounds, mean_ci, run_baselines, run_sessions,
                                       session_rows, session_streams, with_synthetic_latency)
from llmroute.replay import replay


@pytest.fixture(scope="module")
def world():
    return make_world(rng=np.random.default_rng(0))


def test_world_shape_and_units(world) -> None:
    assert world.models == ("small-8B", "moe-47B", "large-70B", "frontier-API")
    assert world.domains == ("reddit_eli5", "open_qa", "wiki_csai", "medicine", "finance")
    assert world.n_requests == 5000 and world.meta["synthetic"] and world.meta["illustrative"]
    assert (np.diff(world.mean_cost()) > 0).all()                     # cheapest first
    np.testing.assert_allclose(world.mean_latency(), [1.35, 2.19, 4.03, 4.56], atol=0.02)  # seconds
    assert world.mean_quality().argmax() == 3                          # frontier best on average
    w2 = make_world(rng=np.random.default_rng(0))
    np.testing.assert_array_equal(w2.quality, world.quality)


def test_world_accuracy_ranking_varies_by_context(world) -> None:
    acc = {d: world.by_domain(d).mean_quality() for d in world.domains}
    assert acc["medicine"].argmax() == 2                              # large most accurate on medicine
    assert acc["reddit_eli5"].max() - acc["reddit_eli5"][0] <= 0.01 + 0.005   # small within ~0.01


def test_calibration_targets(world) -> None:
    rep = calibration_report(world, RewardConfig.paper())
    assert list(rep["table"]["best_model"]) == ["small-8B", "small-8B", "moe-47B", "large-70B", "small-8B"]
    assert rep["target_i"] and rep["target_ii"] and rep["target_iii"]
    assert rep["min_cost_ratio"] >= 2.5
    assert 1.5 <= rep["mean_latency_ratio"] <= 2.5


def test_free_models_cost_zero() -> None:
    w = make_world(WorldParams(n_per_context=20, free_models=("small-8B",)), rng=np.random.default_rng(1))
    assert (w.cost[:, 0] == 0).all() and (w.cost[:, 1] > 0).all()
    with pytest.raises(ParameterError, match="free_models"):
        WorldParams(free_models=("gpt-9",))
    with pytest.raises(ParameterError, match="mu"):
        WorldParams(mu=((0.5, 0.5),))


@pytest.mark.parametrize("router", [
    PickLLMLRI(RewardConfig.paper(), LRIParams(b=0.1, bounds=(0.07, 0.28))),
    PickLLMLRI(RewardConfig.paper(), LRIParams(b=0.3, reward_norm="running_minmax")),
    PickLLMQ(RewardConfig.paper(), QParams(alpha=0.3, decay=0.95)),
    PickLLMQ(RewardConfig.paper(), QParams(alpha=0.1, reward_norm="fixed_bounds", bounds=(0.07, 0.28))),
])
def test_vectorised_sessions_equal_the_router_in_the_replay_engine(world, router) -> None:
    ctx = world.by_domain("medicine")
    res = run_sessions(ctx, router, T=300, seeds=[0, 1, 2, 7])
    for j, sd in enumerate([0, 1, 2, 7]):
        o, _ = session_streams(sd)
        log = replay(ctx, router, seed=sd, rows=session_rows(ctx.n_requests, 300, o)).log
        np.testing.assert_array_equal(log["served"].to_numpy(), res.choices[j])
        assert res.summary["session_cost"][j] == pytest.approx(log["cost"].sum(), rel=1e-12)
        ts = log["t_star"].iloc[-1]
        assert (np.isnan(ts) and np.isnan(res.summary["t_star"][j])) or ts == res.summary["t_star"][j]


def test_session_rows() -> None:
    o, _ = session_streams(5)
    r = session_rows(100, 30, o)
    o2, _ = session_streams(5)
    np.testing.assert_array_equal(r, o2.permutation(100)[:30])        # = the replay engine's order
    assert len(set(r)) == 30
    r = session_rows(10, 25, np.random.default_rng(0))
    assert sorted(np.bincount(r, minlength=10)) == [2] * 5 + [3] * 5   # cycles through fresh permutations


def test_baselines_match_single_model_sums(world) -> None:
    ctx = world.by_domain("finance")
    b = run_baselines(ctx, T=50, seeds=[3], cfg=RewardConfig.paper())
    o, _ = session_streams(3)
    rows = session_rows(ctx.n_requests, 50, o)
    for m, name in enumerate(ctx.models):
        got = b.loc[b["router"] == f"only {name}", "session_cost"].item()
        assert got == pytest.approx(ctx.cost[rows, m].sum(), rel=1e-12)


def test_default_bounds_and_sessions_hit_best_in_clear_context(world) -> None:
    ctx = world.by_domain("reddit_eli5")   # clear winner: small-8B
    bd = default_bounds(ctx, RewardConfig.paper())
    s = run_sessions(ctx, PickLLMLRI(RewardConfig.paper(), LRIParams(b=0.05, bounds=bd)), T=1000, seeds=range(60)).summary
    assert s["hit_best"].mean() >= 0.8


def test_mean_ci_hand_value() -> None:
    m, lo, hi = mean_ci([1.0, 2.0, 3.0, 4.0])
    # sem = 1.29099/2 = 0.645497; t_{0.975, 3} = 3.182446
    assert (m, lo, hi) == pytest.approx((2.5, 2.5 - 3.182446305 * 0.6454972244, 2.5 + 3.182446305 * 0.6454972244))
    assert mean_ci([2.0, 2.0]) == (2.0, 2.0, 2.0)


def test_synthetic_latency_rule(world) -> None:
    noLat = world.take(np.arange(2000))
    out = with_synthetic_latency(noLat, np.random.default_rng(0), LatencyRule(1.0, 8.0, 0.0))
    np.testing.assert_allclose(out.latency[0], [1.0, 2.0, 4.0, 8.0])
    assert "SYNTHESISED" in out.meta["latency_synthetic"]
    with pytest.raises(ParameterError, match="lat_min_s"):
        LatencyRule(lat_min_s=0.0)
