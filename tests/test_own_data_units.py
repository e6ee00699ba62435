"""Issue 11: knobs in user units (pitfall 4), predictors bound on use (pitfall 2) and one featurizer keyed by
request id. Each test names what the old code did."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from llmroute.data.features import RequestFeatures, feature_table, request_features
from llmroute.data.schema import DataError, Outcomes
from llmroute.messplus import (MessPlus, MessPlusSettings, OnlineMLPPredictor, OraclePredictor, V_from_unitless,
                               simulate_grid, unitless_V)
from llmroute.pickllm import LRIParams, PickLLMLRI, RewardConfig
from llmroute.pickllm.reward import numerator
from llmroute.pickllm.sessions import default_bounds
from llmroute.replay import replay


def _zoo(n: int = 1172, seed: int = 0, cost_scale: float = 1.0, unit: str = "J", text: bool = False) -> Outcomes:
    """A 3-model zoo with costs in joules (hundreds per request), a mid-priced model that is nearly as good as the
    largest, and latencies in seconds."""
    rng = np.random.default_rng(seed)
    acc = np.array([0.3, 0.8, 0.85])
    d = rng.standard_normal(n)
    q = (rng.random((n, 3)) < acc + 0.1 * np.tanh(d)[:, None]).astype(float)
    cost = np.array([50.0, 200.0, 800.0]) * rng.uniform(0.7, 1.3, (n, 3)) * cost_scale
    lat = np.array([0.5, 1.0, 3.0]) * rng.uniform(0.8, 1.2, (n, 3))
    words = np.array(["alpha", "beta", "gamma", "delta", "omega", "sigma"])
    txt = np.array([" ".join(rng.choice(words, 6)) + f" {k % 37}" for k in range(n)]) if text else None
    return Outcomes(name="joule-zoo", models=("small", "mid", "large"), quality=q, cost=cost, cost_unit=unit,
                    request_id=np.array([f"q{k}" for k in range(n)]), domain=np.full(n, "x"), latency=lat,
                    features=np.c_[d + 0.3 * rng.standard_normal(n), rng.standard_normal((n, 3))], text=txt)


def _usd(o: Outcomes, k: float) -> Outcomes:
    return Outcomes(name=o.name, models=o.models, quality=o.quality, cost=o.cost * k, cost_unit="USD",
                    request_id=o.request_id, domain=o.domain, latency=o.latency, features=o.features)


# ---- pitfall 4a: MESS+ V as a unitless trade-off ------------------------------------------------------------
@pytest.mark.parametrize("cost_estimate", ["last_explored", "list"])
def test_pitfall4_messplus_unitless_V_reproduces_the_paper_V_and_is_the_same_in_J_and_USD(cost_estimate) -> None:
    o = _zoo()
    usd = _usd(o, 3e-7)  # e.g. USD per J
    V_paper = 1e-3      # in 1/J, as the paper states its V
    V_u = unitless_V(V_paper, o.mean_cost())
    assert V_from_unitless(V_u, o.mean_cost()) == pytest.approx(V_paper, rel=1e-15)

    def served(tab, settings):
        pred = OraclePredictor.from_outcomes(tab)
        return replay(tab, MessPlus(settings, pred), seed=4).log["served"].to_numpy()

    kw = dict(alpha=0.7, c=0.1, cost_estimate=cost_estimate)
    paper = served(o, MessPlusSettings(V=V_paper, **kw))
    unitless_J = served(o, MessPlusSettings(V=V_u, V_unit="unitless", **kw))
    unitless_usd = served(usd, MessPlusSettings(V=V_u, V_unit="unitless", **kw))
    np.testing.assert_array_equal(unitless_J, paper)
    np.testing.assert_array_equal(unitless_usd, paper)
    # the same number as a per-cost-unit V means something else in USD: the decisions change
    assert not np.array_equal(served(usd, MessPlusSettings(V=V_paper, **kw)), paper)
    # the vectorised grid maps V the same way
    g_paper = simulate_grid(o, alphas=[0.7], Vs=[V_paper], cs=[0.1], seeds=[4], cost_estimate=cost_estimate,
                            predictor=OraclePredictor.from_outcomes(o), keep_steps=True)
    g_usd = simulate_grid(usd, alphas=[0.7], Vs=[V_u], cs=[0.1], seeds=[4], cost_estimate=cost_estimate,
                          predictor=OraclePredictor.from_outcomes(usd), keep_steps=True, V_unit="unitless")
    np.testing.assert_array_equal(g_paper.steps["served"], g_usd.steps["served"])
    np.testing.assert_array_equal(g_paper.steps["served"][:, 0], paper)
    assert g_usd.runs["V"].iloc[0] == V_u and g_usd.runs["V_per_cost_unit"].iloc[0] == pytest.approx(V_u / (
        usd.mean_cost().max()), rel=1e-15)


def test_messplus_V_unit_is_validated() -> None:
    with pytest.raises(ValueError, match="V_unit"):
        MessPlusSettings(alpha=0.5, V=1.0, V_unit="per-joule")
    assert MessPlusSettings(alpha=0.5, V=0.2, V_unit="unitless").V_per_cost_unit([100.0, 400.0]) == 0.2 / 400.0
    assert MessPlusSettings(alpha=0.5, V=0.2).V_per_cost_unit([100.0, 400.0]) == 0.2


# ---- pitfall 4b: PickLLM's default reward on a non-USD cost unit ---------------------------------------------
def test_pitfall4_pickllm_default_reward_works_in_joules() -> None:
    o = _zoo(n=3000)
    cfg = RewardConfig()
    ref = float(o.mean_cost().max())
    raw = RewardConfig(**{**cfg.__dict__, "numerator_floor": None})
    neg = numerator(o.quality, o.cost, raw, ref, warn=False) < 0
    # old default (w_c = 100 on the native cost per query): "3000*3 of 3000*3 reward numerators are negative"
    assert neg.mean() < 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NegativeNumeratorWarning with the default floor
        bounds = default_bounds(o, cfg)
    res = replay(o, PickLLMLRI(params=LRIParams(b=0.05, bounds=bounds)), seed=2)
    late = np.bincount(res.log["served"].to_numpy()[-500:], minlength=3)
    # old default: L_R-I collapsed onto the cheapest model; now it settles on the mid model (best value per cost)
    assert late.argmax() == 1 and late[0] < 50
    # the paper's reproduction is still available, unchanged
    assert RewardConfig.paper() == RewardConfig(w_a=1.0, w_c=100.0, w_l=1.0, t_scaling=1.0, cost_unit="per_query",
                                                latency_unit="ms", latency_form="log", numerator_floor=None)
    with pytest.raises(ValueError, match="unknown field"):
        RewardConfig.paper(w_x=1.0)


def test_pickllm_default_reward_is_unit_free() -> None:
    o, usd = _zoo(n=400), _usd(_zoo(n=400), 3e-7)
    r = lambda tab: PickLLMLRI(params=LRIParams(b=0.05, bounds=default_bounds(tab, RewardConfig())))
    np.testing.assert_array_equal(replay(o, r(o), seed=1).log["served"], replay(usd, r(usd), seed=1).log["served"])


# ---- pitfall 2: predictors bound on use ----------------------------------------------------------------------
def test_pitfall2_oracle_built_on_the_full_table_replayed_on_a_sub_table() -> None:
    o = _zoo()
    sub = o.take(np.arange(600, o.n_requests))
    s = MessPlusSettings(alpha=0.7, V=1e-3)
    full = replay(sub, MessPlus(s, OraclePredictor.from_outcomes(o)), seed=0)
    own = replay(sub, MessPlus(s, OraclePredictor.from_outcomes(sub)), seed=0)
    # old code: the full-table oracle read rows 0..571 of the full table (satisfaction .358 vs .546 in the issue)
    assert full.summary()["mean_quality"] == own.summary()["mean_quality"]
    np.testing.assert_array_equal(full.log["served"], own.log["served"])
    g_full = simulate_grid(sub, alphas=[0.7], Vs=[1e-3], cs=[0.1], seeds=[0], predictor=OraclePredictor.from_outcomes(o))
    g_own = simulate_grid(sub, alphas=[0.7], Vs=[1e-3], cs=[0.1], seeds=[0], predictor=OraclePredictor.from_outcomes(sub))
    assert g_full.runs["satisfaction"].iloc[0] == g_own.runs["satisfaction"].iloc[0]


# ---- one featurizer, keyed by request id ----------------------------------------------------------------------
def test_features_are_keyed_by_request_id() -> None:
    tab = _zoo(n=300, text=True)
    tab = Outcomes(name=tab.name, models=tab.models, quality=tab.quality, cost=tab.cost, cost_unit="J",
                   request_id=tab.request_id, domain=tab.domain, latency=tab.latency, text=tab.text)
    f = feature_table(tab, dim=8)
    assert isinstance(f, RequestFeatures) and f.X.shape == (300, 9) and "prompt text" in f.source
    np.testing.assert_array_equal(f.X, request_features(tab, dim=8))
    perm = np.random.default_rng(0).permutation(300)[:120]
    sub = tab.take(perm)
    np.testing.assert_array_equal(f.rows_for(sub), f.X[perm])
    other = Outcomes(name="other", models=tab.models, quality=tab.quality[:2], cost=tab.cost[:2], cost_unit="J",
                     request_id=np.array(["zz1", "q3"]), domain=tab.domain[:2])
    with pytest.raises(DataError, match=r"other: 1 of its 2 requests have no features here \(e.g. request_id 'zz1'\)"):
        f.rows_for(other)
    # a predictor keyed by the features' request ids follows its requests into a sub-table
    p = OnlineMLPPredictor(f.X, hidden=0, request_id=f.request_id).bind(sub)
    p.reset(3, np.random.default_rng(0))
    ref = OnlineMLPPredictor(f.rows_for(sub), hidden=0)
    ref.reset(3, np.random.default_rng(0))
    np.testing.assert_array_equal(p.predict(np.arange(120)), ref.predict(np.arange(120)))


def test_feature_table_without_text() -> None:
    o = _zoo(n=50)
    bare = Outcomes(name="bare", models=o.models, quality=o.quality, cost=o.cost, cost_unit="J",
                    request_id=o.request_id, domain=np.where(np.arange(50) % 2 == 0, "a", "b"))
    with pytest.raises(DataError, match="bare: has neither features nor text"):
        feature_table(bare)
    f = feature_table(bare, no_text="domain")
    assert f.X.shape == (50, 3) and "domain one-hot (2 domains)" in f.source
    with pytest.raises(ValueError, match="no_text"):
        feature_table(bare, no_text="zeros")
    syn = feature_table(o)
    np.testing.assert_allclose(syn.X.mean(axis=0), 0.0, atol=1e-12)


def test_registry_messplus_without_text_says_what_it_falls_back_to() -> None:
    """Pitfall 5 for the registry's MESS+: on a table without text or features its predictor sees only the domain;
    the old code fell back silently."""
    import llmroute.routers as routers

    o = _zoo(n=60)
    bare = Outcomes(name="bare", models=o.models, quality=o.quality, cost=o.cost, cost_unit="J",
                    request_id=o.request_id, domain=o.domain)
    with pytest.warns(UserWarning, match=r"mess\+ on bare: the table has no per-request text or features; its "
                                         r"predictor falls back to no text or features: domain one-hot \(1 domains\)"):
        routers.get("mess+", outcomes=bare)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        routers.get("mess+", outcomes=o)  # own features: no warning
