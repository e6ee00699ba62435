"""The field's routers: one hand-computed decision each, seed-pinned training, no leakage, registry, stepping aside."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import llmroute.routers as R
from llmroute._validate import ParameterError
from llmroute.data import Outcomes
from llmroute.replay import replay
from llmroute.routers.field import (METHODS, FieldRouter, build_router, carrot, cascade, heldout_scores, knn, mf,
                                    mlp, stratified_split, sweep)
from llmroute.routers.field._wtp import wtp_choice

FIELD = ("knn", "mlp", "matrix-factorisation", "carrot", "cascade")


def feature_zoo(seed: int = 0, n: int = 240) -> Outcomes:
    """Three models; the first feature decides whether the cheap model is right (x0 > 0) — learnable."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    q0 = (x[:, 0] > 0).astype(float)
    q1 = ((x[:, 0] > -0.5) | (rng.random(n) < 0.3)).astype(float)
    q2 = (rng.random(n) < 0.9).astype(float)
    return Outcomes(name="fz", models=("s", "m", "l"), quality=np.column_stack([q0, q1, q2]),
                    cost=np.array([1.0, 3.0, 10.0]) * rng.uniform(0.9, 1.1, (n, 3)), cost_unit="USD",
                    request_id=np.arange(n).astype(str), domain=np.where(np.arange(n) % 3, "a", "b"), features=x)


def text_zoo(seed: int = 1, n: int = 150, text: bool = True) -> Outcomes:
    rng = np.random.default_rng(seed)
    words = np.array(["sum", "prove", "code", "list", "sort", "graph", "integral", "story"])
    return Outcomes(name="tz", models=("s", "l"), quality=(rng.random((n, 2)) < [0.5, 0.8]).astype(float),
                    cost=np.array([1.0, 9.0]) * rng.uniform(0.8, 1.2, (n, 2)), cost_unit="USD",
                    request_id=np.arange(n).astype(str), domain=np.where(np.arange(n) % 2, "a", "b"),
                    text=np.array([" ".join(rng.choice(words, 5)) for _ in range(n)], dtype=object) if text else None)


# ------------------------------------------------------------------ one hand-computed decision per router
def test_knn_hand_computed() -> None:
    # k = 1: the prediction is the nearest training prompt's qualities; costs (1, 10) -> (0.1, 1) after scaling.
    x_tr = np.array([[0.0], [10.0]])
    q_tr = np.array([[0.0, 1.0], [1.0, 1.0]])
    sc = knn.fit_predict(x_tr, q_tr, None, np.array([[1.0], [9.0]]), knn.KNNSettings(k=1), np.random.default_rng(0))
    assert np.array_equal(sc["q_hat"], [[0.0, 1.0], [1.0, 1.0]])
    sc["list_cost"] = np.array([[1.0, 10.0], [1.0, 10.0]])
    # row 0: 0 - 0.5*0.1 = -0.05 vs 1 - 0.5*1 = 0.5 -> model 1; row 1: 1 - 0.05 = 0.95 vs 0.5 -> model 0
    serve, mask, calls = knn.decide(sc, 0.5, knn.KNNSettings())
    assert serve.tolist() == [1, 0] and mask.tolist() == [2, 1] and calls.tolist() == [0, 0]
    # lambda = 2: row 0: -0.2 vs 1 - 2 = -1 -> the cheap model
    assert knn.decide(sc, 2.0, knn.KNNSettings())[0].tolist() == [0, 0]


def test_wtp_ties_go_to_the_cheaper_model() -> None:
    assert wtp_choice(np.array([[0.5, 0.5]]), np.array([[0.0, 0.0]]), 1.0).tolist() == [0]


def test_mlp_learns_the_rule_seed_pinned() -> None:
    o = feature_zoo()
    tr, te = np.arange(0, 160), np.arange(160, 240)
    s = mlp.MLPSettings(hidden=8, max_iter=300)
    a = mlp.fit_predict(o.features[tr], o.quality[tr], o.cost[tr], o.features[te], s, np.random.default_rng(0))
    b = mlp.fit_predict(o.features[tr], o.quality[tr], o.cost[tr], o.features[te], s, np.random.default_rng(0))
    assert np.array_equal(a["q_hat"], b["q_hat"])                 # same seed, same network
    pred = a["q_hat"][:, 0] > 0.5
    assert (pred == (o.features[te, 0] > 0)).mean() >= 0.8        # the cheap model's rule is learnt
    # hand-computed selection on the learnt q_hat: lambda = 0 serves the best predicted model
    a["list_cost"] = np.tile([1.0, 3.0, 10.0], (te.size, 1))
    assert np.array_equal(mlp.decide(a, 0.0, s)[0], np.argmax(a["q_hat"], axis=1))


def test_matrix_factorisation_hand_computed_and_seed_pinned() -> None:
    # decisions from given CDF positions u: strong share 0.25 -> strong iff u >= 0.75
    sc = {"u": np.array([0.1, 0.75, 0.9]), "strong": np.array([2, 2, 2])}
    serve, mask, _ = mf.decide(sc, 0.25, mf.MFSettings())
    assert serve.tolist() == [0, 2, 2] and mask.tolist() == [1, 4, 4]
    assert mf.decide(sc, 0.0, mf.MFSettings())[0].tolist() == [0, 0, 0]
    assert mf.decide(sc, 1.0, mf.MFSettings())[0].tolist() == [2, 2, 2]
    # trained: the strong model's win probability is higher where the cheap one is wrong (x0 <= 0)
    o = feature_zoo()
    tr, te = np.arange(0, 160), np.arange(160, 240)
    out = mf.fit_predict(o.features[tr], o.quality[tr], o.cost[tr], o.features[te], mf.MFSettings(),
                         np.random.default_rng(0))
    again = mf.fit_predict(o.features[tr], o.quality[tr], o.cost[tr], o.features[te], mf.MFSettings(),
                           np.random.default_rng(0))
    assert np.array_equal(out["win"], again["win"])
    wrong = o.features[te, 0] <= 0
    assert out["win"][wrong].mean() > out["win"][~wrong].mean() + 0.3


def test_carrot_hand_computed() -> None:
    p, c = np.array([[0.6, 0.9]]), np.array([[0.1, 1.0]])
    # mu = 0.2: 0.8*0.6 - 0.02 = 0.46 < 0.8*0.9 - 0.2 = 0.52 -> model 1; mu = 0.3: 0.39 > 0.33 -> model 0
    assert carrot.carrot_choice(p, c, 0.2).tolist() == [1]
    assert carrot.carrot_choice(p, c, 0.3).tolist() == [0]
    o = feature_zoo()
    tr, te = np.arange(0, 160), np.arange(160, 240)
    sc = carrot.fit_predict(o.features[tr], o.quality[tr], o.cost[tr], o.features[te], carrot.CarrotSettings(),
                            np.random.default_rng(0))
    assert np.allclose(sc["c_hat"].mean(axis=0), [0.1, 0.3, 1.0], rtol=0.05)  # costs / largest mean cost


def test_cascade_hand_computed() -> None:
    sc = {"stages": np.array([[0, 2, -1], [0, 2, -1]]), "p_ok": np.array([[0.7, 1.0, 1.0], [0.3, 1.0, 1.0]]),
          "list_cost": np.array([[2.0, 5.0, 20.0]] * 2)}
    s = cascade.CascadeSettings(scorer_cost_frac=0.1)
    serve, mask, calls = cascade.decide(sc, 0.5, s)
    # row 0: the cheap answer is kept (0.7 >= 0.5); row 1: escalated, both models charged (mask 0b101)
    assert serve.tolist() == [0, 2] and mask.tolist() == [1, 5] and calls.tolist() == [1, 1]
    assert cascade.decide(sc, 0.0, s)[0].tolist() == [0, 0]
    assert cascade.decide(sc, 1.0, s)[0].tolist() == [2, 2]
    assert cascade.chain_models(np.array([[1, 0, 1], [0, 0, 1]]), np.ones((2, 3)) * [1, 2, 3], "front") == [0, 2]


def test_cascade_charges_the_scorer_and_both_stages() -> None:
    o = feature_zoo()
    plan = stratified_split(o.domain, 0.5, seed=0)
    s = cascade.CascadeSettings(scorer_cost_frac=0.1)
    held = heldout_scores(o, cascade, s, plan, np.random.default_rng(0))
    sw = sweep(o, cascade, held, knobs=[0.0, 1.0])
    te = plan.eval_rows
    scorer = 0.1 * o.cost[plan.folds[0][0], 0].mean()
    assert sw.cost_per_request.iloc[0] == pytest.approx(o.cost[te, 0].mean() + scorer)
    assert sw.cost_per_request.iloc[1] == pytest.approx(o.cost[te][:, [0, 2]].sum(axis=1).mean() + scorer)


# ------------------------------------------------------------------ settings
@pytest.mark.parametrize("cls,kw,name", [(knn.KNNSettings, {"k": 0}, "k"), (knn.KNNSettings, {"lam": -1}, "lam"),
                                         (mlp.MLPSettings, {"hidden": 0}, "hidden"),
                                         (mf.MFSettings, {"strong_share": 1.5}, "strong_share"),
                                         (carrot.CarrotSettings, {"mu": 2.0}, "mu"),
                                         (cascade.CascadeSettings, {"chain": "all"}, "chain"),
                                         (cascade.CascadeSettings, {"scorer_cost_frac": -0.1}, "scorer_cost_frac")])
def test_invalid_settings_name_the_parameter(cls, kw, name) -> None:
    with pytest.raises(ParameterError, match=name):
        cls(**kw)


# ------------------------------------------------------------------ no leakage
@pytest.mark.parametrize("name", FIELD)
@pytest.mark.parametrize("zoo", ["features", "text"])
def test_no_leakage_held_out_scores_ignore_the_test_labels(name: str, zoo: str) -> None:
    """Scrambling the held-out rows' qualities and costs leaves every held-out score unchanged: the models (and
    the featurizer) never saw them."""
    o = feature_zoo() if zoo == "features" else text_zoo()
    method = METHODS[name]
    plan = stratified_split(o.domain, 0.5, seed=4)
    tr, te = plan.folds[0]
    a = heldout_scores(o, method, method.Settings(), plan, np.random.default_rng(9))
    q, c = o.quality.copy(), o.cost.copy()
    q[te] = 1.0 - q[te]
    c[te] = c[te] * 7.0
    o2 = Outcomes(name=o.name, models=o.models, quality=q, cost=c, cost_unit=o.cost_unit, request_id=o.request_id,
                  domain=o.domain, text=o.text, features=o.features, meta={"model_order_from": "test"})
    b = heldout_scores(o2, method, method.Settings(), plan, np.random.default_rng(9))
    for k in a.scores:
        assert np.array_equal(a.scores[k][te], b.scores[k][te]), (name, k)
    # training rows are never routed
    r = build_router(o, method, a, method.knob_grid(a.settings)[3])
    r.reset(R.base.ZooInfo(o.models, o.cost_unit, o.mean_cost()), np.random.default_rng(0))
    with pytest.raises(ValueError, match="no out-of-sample prediction"):
        r.choose(R.Request(t=0, row=int(tr[0]), domain="a"))


# ------------------------------------------------------------------ registry
def test_registry_lists_the_field_routers_and_they_run_seed_pinned() -> None:
    assert set(FIELD) <= set(R.names("field"))
    o = text_zoo()
    served = {}
    for name in FIELD:
        r = R.get(name, outcomes=o, seed=0)
        assert isinstance(r, FieldRouter)
        res = replay(o, r, seed=2)
        served[name] = int(res.log["served"].sum())
        again = replay(o, R.get(name, outcomes=o, seed=0), seed=2)
        assert np.array_equal(res.log["served"], again.log["served"])
    assert served == PINNED_SERVED, served


#: strong-model calls (of 150) of each router on text_zoo() at its default knob, seed 0 (5-fold cross-fitting)
PINNED_SERVED: dict[str, int] = {"knn": 150, "mlp": 111, "matrix-factorisation": 91, "carrot": 119, "cascade": 69}


def test_field_routers_step_aside_without_text_or_features() -> None:
    o = text_zoo(text=False)
    app = R.applicable(o)
    for name in FIELD:
        assert app[name] and "text or features" in app[name]
        with pytest.raises(ValueError, match="does not apply"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            R.get(name, outcomes=o)


def test_bind_rekeys_decisions_by_request_id() -> None:
    o = feature_zoo()
    r = R.get("knn", outcomes=o, seed=0)
    before = r.serve.copy()
    sub = o.take(np.arange(o.n_requests)[::-1][:50])
    r.bind(sub)
    assert np.array_equal(r.serve, before[::-1][:50])


def test_run_dataset_compares_every_router_on_held_out_rows() -> None:
    from dataclasses import replace

    from llmroute.routers.field import evaluate as E

    o = feature_zoo(n=200)
    o = replace(o, latency=np.array([0.5, 1.5, 4.0]) * np.ones((o.n_requests, 3)))
    user = E.arena_user(o, 0.3)
    out = E.run_dataset(o, (0, 1), user=user, alpha=R.default_alpha(o), min_split_rows=100)
    routers = set(out["front"].router)
    assert set(FIELD) | {"cheapest", "most-accurate", "oracle", "mess+", "game-optimal"} <= routers
    assert not any(r.startswith("model: ") for r in routers)
    assert set(out["arena"].router) == routers and out["arena"].seed.nunique() == 2
    assert set(out["op"]) == set(FIELD)
    # every point is measured on the held-out half only (100 of 200 rows)
    assert "100 held-out rows" in out["plans"][0]
    f = out["front"].set_index(["seed", "router"])
    assert (f.aiq <= 1).all() and (f.loc[(0, "oracle"), "aiq"] >= f.xs(0).aiq).all()
