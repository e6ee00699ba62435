"""MESS+ router: queue update, per-request rule (hand-computed, ties to the cheapest), exploration schedule and
its cost accounting, sparse feedback, settings validation, and the vectorised grid giving the same decisions."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute._validate import ParameterError
from llmroute.data.schema import Outcomes
from llmroute.messplus import (MessPlus, MessPlusSettings, OnlineMLPPredictor, OraclePredictor,
                               drift_plus_penalty_choice, explore_prob, queue_update, simulate_grid)
from llmroute.replay import replay


def toy(n: int = 300, seed: int = 0) -> Outcomes:
    rng = np.random.default_rng(seed)
    F = rng.standard_normal((n, 6))
    q = (np.array([-0.5, 0.3, 1.0])[None] - F[:, :1] + 0.5 * rng.standard_normal((n, 3)) > 0).astype(float)
    c = np.array([50.0, 250.0, 1200.0]) * np.exp(0.2 * rng.standard_normal((n, 3)))
    return Outcomes(name="toy", models=("s", "m", "l"), quality=q, cost=c, cost_unit="J",
                    request_id=np.arange(n).astype(str), domain=np.full(n, "x"), features=F)


# ---- queue --------------------------------------------------------------------------------------------
def test_queue_update_hand_computed() -> None:
    assert queue_update(0.0, 0.7, 1.0) == 0.0            # max(0, -0.3)
    assert queue_update(0.0, 0.7, 0.0) == 0.7
    assert queue_update(0.7, 0.7, 1.0) == pytest.approx(0.4)
    assert queue_update(0.25, 0.5, 0.0) == 0.75


# ---- per-request rule ---------------------------------------------------------------------------------
E = np.array([1.0, 4.0, 20.0])
S = np.array([0.2, 0.6, 0.9])


@pytest.mark.parametrize("Q, expected", [
    (0.0, 0),      # scores 1, 4, 20
    (10.0, 1),     # 1 + 10*0.3 = 4;  4 + 10*(-0.1) = 3;  20 + 10*(-0.4) = 16
    (100.0, 2),    # 31, -6, -20
])
def test_rule_hand_computed(Q, expected) -> None:
    assert drift_plus_penalty_choice(1.0, E, Q, 0.5, S) == expected


def test_rule_ties_go_to_the_cheapest() -> None:
    # all-equal cost estimates (the simulator's init of 1) and Q = 0: every score equal -> model 0
    assert drift_plus_penalty_choice(1e-3, np.ones(3), 0.0, 0.6, np.array([0.1, 0.5, 0.9])) == 0
    # exact tie between models 0 and 1: 1 + 4*(0.5-0.5) = 1 = 3 + 4*(0.5-1)
    assert drift_plus_penalty_choice(1.0, np.array([1.0, 3.0, 9.0]), 4.0, 0.5, np.array([0.5, 1.0, 1.0])) == 0
    # tie between models 1 and 2 (equal cost, equal prediction): 2 + 2*(0.5-1) = 1 for both -> model 1
    assert drift_plus_penalty_choice(1.0, np.array([5.0, 2.0, 2.0]), 2.0, 0.5, np.array([0.0, 1.0, 1.0])) == 1


def test_small_V_is_bang_bang_with_exact_labels() -> None:
    # V -> 0: Q = 0 -> cheapest; Q > 0 -> cheapest among the highest predicted satisfaction
    s = np.array([0.0, 1.0, 1.0])
    assert drift_plus_penalty_choice(1e-9, E, 0.0, 0.5, s) == 0
    assert drift_plus_penalty_choice(1e-9, E, 0.01, 0.5, s) == 1


# ---- exploration --------------------------------------------------------------------------------------
def test_exploration_schedule() -> None:
    assert explore_prob(0, 0.1) == 0.1 and explore_prob(1, 0.1) == 0.1
    assert explore_prob(16, 0.1) == pytest.approx(0.05)
    assert explore_prob(0, 1.0) == 1.0 and explore_prob(1, 1.0) == 1.0
    assert explore_prob(16, 1.0) == pytest.approx(0.5)
    assert explore_prob(10_000, 1.0) == pytest.approx(0.1)
    np.testing.assert_allclose(explore_prob(np.array([0, 1, 81]), 0.3), [0.3, 0.3, 0.1])


def test_exploration_queries_all_serves_largest_and_is_charged_the_sum() -> None:
    o = toy(50)
    pred = OnlineMLPPredictor(o.features, hidden=8)
    r = MessPlus(MessPlusSettings(alpha=0.6, V=1e-3, c=5.0), pred)   # p_t = 1 for t <= 625: always explore
    log = replay(o, r, seed=1).log
    rows = log["row"].to_numpy()
    assert (log["served"] == 2).all() and (log["n_queried"] == 3).all() and (log["queried_mask"] == 7).all()
    np.testing.assert_allclose(log["cost"], o.cost[rows].sum(axis=1))
    np.testing.assert_allclose(log["quality"], o.quality[rows, 2])
    assert pred.n_updates == 50 and r.n_explored == 50
    assert log["exploration_ratio"].iloc[-1] == 1.0
    assert np.isfinite(log["predictor_loss"]).all()


def test_exploration_count_matches_schedule() -> None:
    o = toy(2000)
    n_expl = []
    for seed in range(5):
        r = MessPlus(MessPlusSettings(alpha=0.6, V=1e-3, c=0.5), OraclePredictor(o.quality))
        n_expl.append(replay(o, r, seed=seed).log["explored"].sum())
    expected = explore_prob(np.arange(2000), 0.5).sum()               # ~ (4/3) c T^(3/4) = 190
    assert expected == pytest.approx(4 / 3 * 0.5 * 2000 ** 0.75, rel=0.05)
    sd = np.sqrt((explore_prob(np.arange(2000), 0.5) * (1 - explore_prob(np.arange(2000), 0.5))).sum())
    assert abs(np.mean(n_expl) - expected) < 4 * sd / np.sqrt(5)


def test_seed_pinned_first_decisions() -> None:
    o = toy(40)
    r = MessPlus(MessPlusSettings(alpha=0.6, V=1e-3, c=0.5), OraclePredictor(o.quality))
    log = replay(o, r, seed=7).log
    assert log["explored"].astype(int).tolist() == PINNED_EXPLORED
    assert log["served"].tolist() == PINNED_SERVED


PINNED_EXPLORED = [0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
                   0, 0, 0, 1]
PINNED_SERVED = [0, 2, 0, 2, 2, 0, 2, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 1, 0,
                 0, 2]


def test_cost_estimate_modes() -> None:
    o = toy(30)
    # last_explored: after an exploration E_hat = that request's costs
    r = MessPlus(MessPlusSettings(alpha=0.6, V=1e-3, c=5.0), OraclePredictor(o.quality))
    log = replay(o, r, seed=0, n=3).log
    np.testing.assert_allclose(r.e_hat, o.cost[log["row"].iloc[-1]])
    # list: ZooInfo list costs, never updated
    r = MessPlus(MessPlusSettings(alpha=0.6, V=1e-3, c=5.0, cost_estimate="list"), OraclePredictor(o.quality))
    replay(o, r, seed=0, n=3, list_cost=np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(r.e_hat, [1.0, 2.0, 3.0])
    # running_mean seeded with e_init: (e_init + sum of observed) / (1 + count)
    r = MessPlus(MessPlusSettings.live(alpha=0.6, V=1e-3, c=5.0), OraclePredictor(o.quality))
    log = replay(o, r, seed=0, n=4).log
    rows = log["row"].to_numpy()
    np.testing.assert_allclose(r.e_hat, (1e-6 + o.cost[rows].sum(axis=0)) / 5)


def test_sparse_feedback_moves_the_queue_only_on_labelled_requests() -> None:
    o = toy(400)
    r = MessPlus(MessPlusSettings(alpha=0.9, V=1e-3, c=0.1), OraclePredictor(o.quality))
    log = replay(o, r, seed=3, feedback_rate=0.2).log
    Q, expect = 0.0, []
    for s, lab in zip(log["quality"], log["labelled"]):
        if lab:
            Q = max(0.0, Q + 0.9 - s)
        expect.append(Q)
    np.testing.assert_allclose(log["Q"], expect)
    assert 0.1 < log["labelled"].mean() < 0.3


@pytest.mark.parametrize("kw, match", [
    (dict(alpha=1.0, V=1e-3), r"alpha = 1"),
    (dict(alpha=0.5, V=0.0), r"V = 0"),
    (dict(alpha=0.5, V=1e-3, c=-1.0), r"c = -1"),
    (dict(alpha=0.5, V=1e-3, cost_estimate="max"), r"cost_estimate = 'max'"),
    (dict(alpha=0.5, V=1e-3, cost_estimate="running_mean", e_init=0.0), r"e_init = 0"),
    (dict(alpha=0.5, V=1e-3, power=0.0), r"power = 0"),
])
def test_settings_validation(kw, match) -> None:
    with pytest.raises(ParameterError, match=match):
        MessPlusSettings(**kw)


def test_settings_are_frozen() -> None:
    s = MessPlusSettings(alpha=0.5, V=1e-3)
    with pytest.raises(AttributeError):
        s.alpha = 0.6  # type: ignore[misc]


# ---- grid == router ----------------------------------------------------------------------------------
@pytest.mark.parametrize("cost_estimate, e_init", [("last_explored", 1.0), ("running_mean", 1e-6), ("list", 1.0)])
@pytest.mark.parametrize("feedback_rate", [1.0, 0.3])
def test_grid_takes_the_same_decisions_as_the_router(cost_estimate, e_init, feedback_rate) -> None:
    o = toy(250)
    g = simulate_grid(o, alphas=[0.5, 0.7], Vs=[1e-4, 1e-2], cs=[0.1, 1.0], seeds=[3, 4],
                      predictor=lambda: OnlineMLPPredictor(o.features, hidden=8), cost_estimate=cost_estimate,
                      e_init=e_init, feedback_rate=feedback_rate, keep_steps=True)
    assert len(g.runs) == 16
    for r, row in g.runs.iterrows():
        st = MessPlusSettings(alpha=row.alpha, V=row.V, c=row.c, cost_estimate=cost_estimate, e_init=e_init)
        res = replay(o, MessPlus(st, OnlineMLPPredictor(o.features, hidden=8)), seed=int(row.seed),
                     feedback_rate=feedback_rate)
        log = res.log
        np.testing.assert_array_equal(log["served"].to_numpy(), g.steps["served"][:, r])
        np.testing.assert_array_equal(log["explored"].to_numpy().astype(bool), g.trajectories[row.traj].explore)
        np.testing.assert_allclose(log["cost"].to_numpy(), g.steps["cost"][:, r])
        np.testing.assert_allclose(log["Q"].to_numpy(), g.steps["Q"][:, r])
        assert res.summary()["total_cost"] == pytest.approx(row.total_cost)
        assert res.summary()["mean_quality"] == pytest.approx(row.satisfaction)
