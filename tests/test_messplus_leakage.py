"""The MESS+ learned stand-ins are trained without leakage (issue 13): per-domain stratified, seeded cross-fitting
with the featurizer fitted per fold, and RouteLLM-style's threshold calibrated on training rows only."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from llmroute.data.schema import Outcomes
from llmroute.messplus.baselines import (CrossfitScores, RouteLLMStyle, calibrate_threshold, crossfit_baselines,
                                         crossfit_scores, fold_features)
from llmroute.routers.field.splits import crossfit_folds

WORDS = np.array(["apple", "river", "proof", "energy", "cell", "gravity", "poem", "market", "atom", "logic",
                  "planet", "verb", "tax", "gene", "wave", "law"])


def _zoo(n: int = 240, seed: int = 0, text: bool = False) -> Outcomes:
    """Three models of rising accuracy driven by a latent difficulty d; two domains of unequal size. With ``text``
    the requests are word strings whose first word carries d (no ``features``); else ``features`` carry d."""
    rng = np.random.default_rng(seed)
    d = rng.standard_normal(n)
    q = (np.array([-0.3, 0.3, 0.8])[None] - d[:, None] + 0.5 * rng.standard_normal((n, 3)) > 0).astype(float)
    c = np.array([50.0, 250.0, 1200.0]) * np.exp(0.2 * rng.standard_normal((n, 3)))
    dom = np.where(np.arange(n) < n // 3, "a", "b")
    kw = {}
    if text:
        key = WORDS[np.clip(((d + 2.0) * 2).astype(int), 0, 7)]
        kw["text"] = np.array([f"{k} " + " ".join(rng.choice(WORDS[8:], 5)) for k in key], dtype=object)
    else:
        kw["features"] = np.column_stack([d + 0.3 * rng.standard_normal(n), rng.standard_normal((n, 3))])
    return Outcomes(name="toy", models=("s", "m", "l"), quality=q, cost=c, cost_unit="J",
                    request_id=np.arange(n).astype(str), domain=dom, **kw)


def _with_quality(o: Outcomes, q: np.ndarray) -> Outcomes:
    return dataclasses.replace(o, quality=q)


# ---- the split ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [False, True])
def test_folds_are_disjoint_cover_every_row_and_are_stratified_and_seeded(text: bool) -> None:
    o = _zoo(text=text)
    cs = crossfit_baselines(o, seed=3)
    plan = cs.plan
    assert plan.kind == "crossfit" and len(plan.folds) == 2
    for tr, te in plan.folds:
        assert np.intersect1d(tr, te).size == 0                         # disjoint
        assert np.union1d(tr, te).tolist() == list(range(o.n_requests))
    assert np.sort(np.concatenate([te for _, te in plan.folds])).tolist() == list(range(o.n_requests))
    for dom in ("a", "b"):                                               # per-domain stratified
        counts = [np.sum(o.domain[te] == dom) for _, te in plan.folds]
        assert max(counts) - min(counts) <= 1
    np.testing.assert_array_equal(plan.fold_id, crossfit_folds(o.domain, 2, 3).fold_id)
    again = crossfit_baselines(o, seed=3)                               # seeded: same seed, same everything
    np.testing.assert_array_equal(again.plan.fold_id, plan.fold_id)
    np.testing.assert_array_equal(again.win, cs.win)
    np.testing.assert_array_equal(again.probs, cs.probs)
    other = crossfit_baselines(o, seed=4)
    assert not np.array_equal(other.plan.fold_id, plan.fold_id)


# ---- flip tests ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [False, True])
def test_flipping_held_out_labels_changes_neither_their_scores_nor_their_threshold(text: bool) -> None:
    o = _zoo(text=text)
    cs = crossfit_baselines(o, seed=1)
    order = np.random.default_rng(7).permutation(o.n_requests)
    thr = cs.fold_thresholds(o.quality, 0.6, order)
    for f, (tr, te) in enumerate(cs.plan.folds):
        q = o.quality.copy()
        q[te] = 1.0 - q[te]                                              # flip every label of the held-out rows
        cf = crossfit_baselines(_with_quality(o, q), seed=1)
        np.testing.assert_array_equal(cf.plan.fold_id, cs.plan.fold_id)
        np.testing.assert_array_equal(cf.probs[te], cs.probs[te])
        np.testing.assert_array_equal(cf.win[te], cs.win[te])
        np.testing.assert_array_equal(cf.calib_win[f], cs.calib_win[f])
        assert cf.fold_thresholds(q, 0.6, order)[f] == thr[f]
        # ... while the other fold, trained on the flipped rows, does change (the flip is not a no-op)
        g = 1 - f
        assert not np.array_equal(cf.win[cs.plan.folds[g][1]], cs.win[cs.plan.folds[g][1]])


def test_changing_held_out_prompts_leaves_the_fold_featurizer_unchanged() -> None:
    o = _zoo(text=True)
    tr, te = crossfit_folds(o.domain, 2, 0).folds[0]
    x_tr, _ = fold_features(o, tr, te)
    t = o.text.copy()
    t[te] = "zebra quantum " + t[te]                                    # new words only in the held-out prompts
    x_tr2, x_te2 = fold_features(dataclasses.replace(o, text=t), tr, te)
    np.testing.assert_array_equal(x_tr2, x_tr)
    # fitting on every row (the former transductive path) would have seen them
    x_all, _ = fold_features(dataclasses.replace(o, text=t), np.arange(o.n_requests), te)
    assert not np.allclose(x_all[tr], x_tr)


def test_feature_matrix_path_is_out_of_fold_with_domain_stratified_folds() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 3))
    q = np.column_stack([(x[:, 1] > 0), (x[:, 0] > 0.5), (x[:, 0] > 0)]).astype(float)
    dom = np.repeat(["u", "v", "w"], 100)
    probs, win = crossfit_scores(x, q, domain=dom, seed=2)
    for tr, te in crossfit_folds(dom, 2, 2).folds:
        q2 = q.copy()
        q2[te] = 1.0 - q2[te]
        p2, w2 = crossfit_scores(x, q2, domain=dom, seed=2)
        np.testing.assert_array_equal(p2[te], probs[te])
        np.testing.assert_array_equal(w2[te], win[te])
    o = _zoo()
    with pytest.raises(ValueError, match="quality/domain"):
        crossfit_scores(o, o.quality)


# ---- the threshold uses training rows only ------------------------------------------------------------
def test_threshold_is_calibrated_on_the_fold_training_rows_only() -> None:
    o = _zoo()
    cs = crossfit_baselines(o, seed=0)
    order = np.random.default_rng(3).permutation(o.n_requests)
    thr = cs.fold_thresholds(o.quality, 0.55, order, transfer="score")
    shared = cs.fold_thresholds(o.quality, 0.55, order)  # default: the training threshold's share of strong calls
    for f, (tr, te) in enumerate(cs.plan.folds):
        rows = order[np.isin(order, tr)]
        assert set(rows.tolist()) == set(tr.tolist())
        assert thr[f] == calibrate_threshold(cs.calib_win[f], o.quality, rows, 0.55)
        share_tr = np.mean(cs.calib_win[f][tr] >= thr[f])
        share_te = np.mean(cs.win[te] >= shared[f])
        assert abs(share_te - share_tr) <= 1.0 / te.size + 1e-12  # the held-out rows get the training share
        q_flip = o.quality.copy()
        q_flip[te] = 1.0 - q_flip[te]  # held-out labels do not enter the transferred threshold either
        assert cs.fold_thresholds(q_flip, 0.55, order)[f] == shared[f]
        assert np.isnan(cs.calib_win[f][te]).all() and not np.isnan(cs.calib_win[f][tr]).any()
    # calibrate_threshold reads only the rows it is given: garbage elsewhere changes nothing
    tr = cs.plan.folds[0][0]
    rows = order[np.isin(order, tr)]
    s = cs.calib_win[0].copy()
    q = o.quality.copy()
    outside = np.setdiff1d(np.arange(o.n_requests), tr)
    s[outside] = np.random.default_rng(9).random(outside.size)
    q[outside] = 1.0 - q[outside]
    assert calibrate_threshold(s, q, rows, 0.55) == thr[0]
    # each row is routed with its own fold's threshold
    per_row = cs.thresholds(o.quality, 0.55, order)
    np.testing.assert_array_equal(per_row, shared[cs.plan.fold_id])
    with pytest.raises(ValueError, match="transfer"):
        cs.fold_thresholds(o.quality, 0.55, order, transfer="quantile")


def test_routellm_style_per_row_threshold_and_validation() -> None:
    r = RouteLLMStyle(np.array([0.5, 0.5, 0.2]), np.array([0.4, 0.6, 0.1]))
    assert r.threshold.tolist() == [0.4, 0.6, 0.1]
    from llmroute.replay import replay

    q = np.array([[0, 1, 1], [1, 1, 1], [0, 0, 1.0]])
    o = Outcomes(name="t", models=("a", "b", "c"), quality=q, cost=np.ones((3, 3)), cost_unit="J",
                 request_id=np.array(["x", "y", "z"]), domain=np.array(["d"] * 3))
    assert replay(o, r, order="given").log["served"].tolist() == [2, 0, 2]
    with pytest.raises(ValueError, match="threshold"):
        RouteLLMStyle(np.array([0.5, 0.5]), np.array([0.1, 0.2, 0.3]))


def test_crossfit_scores_validation() -> None:
    o = _zoo(n=60)
    cs = crossfit_baselines(o, seed=0)
    with pytest.raises(ValueError, match="calib_win"):
        CrossfitScores(cs.plan, cs.probs, cs.win, cs.calib_win[:1], cs.weak, cs.strong)
    with pytest.raises(ValueError, match="order"):
        cs.fold_thresholds(o.quality, 0.5, np.arange(10))


def test_table_without_text_or_features_falls_back_to_the_domain_one_hot() -> None:
    o = dataclasses.replace(_zoo(n=90), features=None)
    tr, te = crossfit_folds(o.domain, 2, 0).folds[0]
    x_tr, x_te = fold_features(o, tr, te)
    np.testing.assert_array_equal(x_te, (o.domain[te][:, None] == np.array(["a", "b"])[None]).astype(float))
    cs = crossfit_baselines(o, seed=0)
    assert np.isfinite(cs.win).all() and np.isfinite(cs.probs).all()


def test_crossfit_cache_keys_on_the_table_and_settings() -> None:
    o = _zoo()
    a, b = crossfit_baselines(o, seed=0), crossfit_baselines(o, seed=0)
    assert a is b  # deterministic, computed once per process
    assert crossfit_baselines(o, seed=1) is not a
    import dataclasses

    q = o.quality.copy()
    q[0] = 1.0 - q[0]
    o2 = dataclasses.replace(o, quality=q)
    assert crossfit_baselines(o2, seed=0) is not a
