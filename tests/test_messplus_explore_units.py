"""MESS+ settings beyond the paper's defaults: what is served on exploration steps (and the warning when the data
contradicts the paper's rule), and the cost-unit mapping of V (same decisions in J, MJ, USD or unitless V)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from llmroute._validate import ParameterError
from llmroute.data.schema import Outcomes
from llmroute.messplus import MessPlus, MessPlusSettings, OnlineMLPPredictor, OraclePredictor, simulate_grid
from llmroute.messplus.grid import ExplorationAssumptionWarning, exploration_assumption
from llmroute.messplus.router import explore_serve
from llmroute.messplus.settings import V_from_unitless, unitless_V
from llmroute.replay import replay


def zoo(n: int = 300, acc=(-0.5, 0.3, 1.0), cost=(50.0, 250.0, 1200.0), seed: int = 0) -> Outcomes:
    rng = np.random.default_rng(seed)
    F = rng.standard_normal((n, 6))
    q = (np.array(acc)[None] - F[:, :1] + 0.5 * rng.standard_normal((n, 3)) > 0).astype(float)
    c = np.array(cost) * np.exp(0.2 * rng.standard_normal((n, 3)))
    return Outcomes(name="toy", models=("s", "m", "l"), quality=q, cost=c, cost_unit="J",
                    request_id=np.arange(n).astype(str), domain=np.full(n, "x"), features=F)


def leaderboard() -> Outcomes:
    """Most expensive model is the least accurate (a leaderboard zoo where price and quality disagree)."""
    return zoo(acc=(0.0, 1.2, -0.8))


# ---- serve_on_explore ---------------------------------------------------------------------------------
def test_explore_serve_hand_computed() -> None:
    assert explore_serve(np.zeros(3), 0, "best_estimate") == 2          # no estimate yet: the largest
    assert explore_serve(np.array([1.0, 3.0, 2.0]), 4, "best_estimate") == 1
    assert explore_serve(np.array([3.0, 3.0, 1.0]), 4, "best_estimate") == 1   # tie -> the larger
    assert explore_serve(np.array([1.0, 3.0, 2.0]), 4, "largest") == 2


def test_grid_and_router_agree_with_best_estimate_and_it_helps_on_a_leaderboard_zoo() -> None:
    o = leaderboard()
    with warnings.catch_warnings():
        warnings.simplefilter("error")                                # no warning with best_estimate
        g = simulate_grid(o, alphas=[0.6], Vs=[1e-3], cs=[1.0], seeds=[5], serve_on_explore="best_estimate",
                          predictor=lambda: OnlineMLPPredictor(o.features, hidden=8), keep_steps=True)
    st = MessPlusSettings(alpha=0.6, V=1e-3, c=1.0, serve_on_explore="best_estimate")
    log = replay(o, MessPlus(st, OnlineMLPPredictor(o.features, hidden=8)), seed=5).log
    np.testing.assert_array_equal(log["served"].to_numpy(), g.steps["served"][:, 0])
    x = log["explored"].to_numpy().astype(bool)
    assert (log["served"].to_numpy()[x][3:] == 1).mean() > 0.8          # the best model (m), not the largest
    with pytest.warns(ExplorationAssumptionWarning, match="most accurate is m"):
        g0 = simulate_grid(o, alphas=[0.6], Vs=[1e-3], cs=[1.0], seeds=[5],
                           predictor=lambda: OnlineMLPPredictor(o.features, hidden=8))
    assert g.runs["satisfaction"].iloc[0] > g0.runs["satisfaction"].iloc[0]
    a = exploration_assumption(o)
    assert not a["largest_is_most_accurate"] and a["largest_is_most_expensive"] and a["quality_given_away"] > 0.3


def test_no_warning_when_the_largest_is_the_best() -> None:
    o = zoo()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        simulate_grid(o, alphas=[0.6], Vs=[1e-3], cs=[0.1], seeds=[1], predictor=OraclePredictor(o.quality))
    with pytest.raises(ParameterError, match="serve_on_explore = 'smallest'"):
        MessPlusSettings(alpha=0.5, V=1e-3, serve_on_explore="smallest")


# ---- cost units and V ----------------------------------------------------------------------------------
def _scaled(o: Outcomes, k: float) -> Outcomes:
    return Outcomes(name=o.name, models=o.models, quality=o.quality, cost=o.cost * k, cost_unit="scaled",
                    request_id=o.request_id, domain=o.domain, features=o.features)


@pytest.mark.parametrize("cost_estimate, e_init", [("last_explored", 1.0), ("running_mean", 1e-6), ("list", 1.0)])
@pytest.mark.parametrize("k", [1e-6, 0.88e-6 / 2000.0, 2.0 ** -10])   # J -> MJ, a USD-like price per J, power of 2
def test_rescaling_costs_and_V_gives_the_same_decisions(cost_estimate, e_init, k) -> None:
    o = zoo(400)
    Vs = [1e-5, 1e-4, 1e-3]
    kw = dict(alphas=[0.6], cs=[0.1, 1.0], seeds=[3], predictor=lambda: OnlineMLPPredictor(o.features, hidden=8),
              cost_estimate=cost_estimate, keep_steps=True)
    g = simulate_grid(o, Vs=Vs, e_init=e_init, **kw)
    ok = _scaled(o, k)
    gk = simulate_grid(ok, Vs=[V / k for V in Vs], e_init=e_init * k, **kw)
    np.testing.assert_array_equal(g.steps["served"], gk.steps["served"])
    np.testing.assert_allclose(gk.runs["total_cost"], g.runs["total_cost"] * k, rtol=1e-12)


def test_unitless_V_reproduces_the_paper_V_in_joules() -> None:
    o = zoo(400)
    E = o.mean_cost()
    assert unitless_V(1e-4, E) == pytest.approx(1e-4 * E.max())
    for V in (1e-6, 1e-5, 1e-4, 1e-3, 1e-2):
        Vu = unitless_V(V, E)
        assert V_from_unitless(Vu, E) == pytest.approx(V, rel=1e-15)
        ok = _scaled(o, 0.88e-6 / 2000.0)                            # same unitless V in another unit
        kw = dict(alphas=[0.6], cs=[0.1], seeds=[2], predictor=lambda: OnlineMLPPredictor(o.features, hidden=8),
                  keep_steps=True)
        g_j = simulate_grid(o, Vs=[V_from_unitless(Vu, E)], **kw)
        g_u = simulate_grid(ok, Vs=[V_from_unitless(Vu, ok.mean_cost())], e_init=0.88e-6 / 2000.0, **kw)
        g_paper = simulate_grid(o, Vs=[V], **kw)
        np.testing.assert_array_equal(g_j.steps["served"], g_paper.steps["served"])
        np.testing.assert_array_equal(g_u.steps["served"], g_paper.steps["served"])
    with pytest.raises(ParameterError, match="mean_cost"):
        unitless_V(1e-4, np.array([0.0, 0.0]))


def test_reused_trajectories_give_the_same_runs() -> None:
    o = zoo(300)
    kw = dict(alphas=[0.6], Vs=[1e-4, 1e-3], cs=[0.1, 1.0], seeds=[1, 2],
              predictor=lambda: OnlineMLPPredictor(o.features, hidden=8), keep_steps=True)
    g = simulate_grid(o, **kw)
    for ce, e0 in (("last_explored", 1.0), ("running_mean", 1e-6), ("list", 1.0)):
        fresh = simulate_grid(o, cost_estimate=ce, e_init=e0, **kw)
        reuse = simulate_grid(o, cost_estimate=ce, e_init=e0, trajectories=g.trajectories, **kw)
        np.testing.assert_array_equal(fresh.steps["served"], reuse.steps["served"])
        np.testing.assert_allclose(fresh.runs["total_cost"], reuse.runs["total_cost"])
    with pytest.raises(ValueError, match="trajectories are for"):
        simulate_grid(o, **{**kw, "seeds": [2, 1]}, trajectories=g.trajectories)


def test_warning_ignores_noise_level_gaps() -> None:
    from llmroute.messplus.grid import warn_exploration_assumption

    def two_best(gap_rows: int) -> Outcomes:     # n = 1000: model 1 right on 600 + gap_rows, model 2 on 600
        q = np.zeros((1000, 3))
        q[:600, 1:] = 1.0
        q[600:600 + gap_rows, 1] = 1.0
        return Outcomes(name="t", models=("s", "m", "l"), quality=q, cost=np.tile([1.0, 2.0, 3.0], (1000, 1)),
                        cost_unit="J", request_id=np.arange(1000).astype(str), domain=np.full(1000, "x"))

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not warn_exploration_assumption(two_best(5))              # gap 0.005 <= 0.01: noise level
    with pytest.warns(ExplorationAssumptionWarning, match="most accurate is m"):
        assert warn_exploration_assumption(two_best(50))                 # gap 0.05
    assert not warn_exploration_assumption(two_best(50), serve_on_explore="best_estimate")
