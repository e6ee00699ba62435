"""MESS+ satisfaction predictors: gradients, one hand-computed SGD step (clip, momentum, weight decay), learning
on a separable toy, the oracle predictor."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute.messplus import ConstantPredictor, OnlineMLPPredictor, OraclePredictor, SGDSettings, bce_with_logits


def test_bce_with_logits_hand_computed() -> None:
    assert bce_with_logits(np.array([0.0]), np.array([1.0])) == pytest.approx(np.log(2))
    assert bce_with_logits(np.array([2.0, -1.0]), np.array([1.0, 0.0])) == pytest.approx(
        (np.log1p(np.exp(-2.0)) + np.log1p(np.exp(-1.0))) / 2)


@pytest.mark.parametrize("hidden", [0, 5])
def test_gradients_match_finite_differences(hidden, rng) -> None:
    X = rng.standard_normal((4, 3))
    p = OnlineMLPPredictor(X, hidden=hidden)
    p.reset(3, rng)
    x, y = X[1], np.array([1.0, 0.0, 1.0])
    _, g = p.gradients(x, y)
    eps = 1e-6
    for k, prm in p.params.items():
        num = np.zeros_like(prm)
        for idx in np.ndindex(prm.shape):
            old = prm[idx]
            prm[idx] = old + eps
            up = bce_with_logits(p._forward(x)[0], y)
            prm[idx] = old - eps
            dn = bce_with_logits(p._forward(x)[0], y)
            prm[idx] = old
            num[idx] = (up - dn) / (2 * eps)
        np.testing.assert_allclose(g[k], num, atol=1e-7, err_msg=k)


def test_one_sgd_step_hand_computed(rng) -> None:
    # logistic, d = 1, one model; W = b = 0, x = 2, y = 1: z = 0, dz = 0.5 - 1 = -0.5,
    # grads (W, b) = (-1, -0.5), norm sqrt(1.25) > 1 -> scaled by 1/(sqrt(1.25) + 1e-6);
    # first step: buf = grad + 0.01 * param (= grad), param -= 0.0606 * buf.
    p = OnlineMLPPredictor(np.array([[2.0]]), hidden=0)
    p.reset(1, rng)
    p.params["W"][:] = 0.0
    p.params["b"][:] = 0.0
    loss = p.update(0, np.array([1.0]))
    assert loss == pytest.approx(np.log(2))
    k = 1.0 / (np.sqrt(1.25) + 1e-6)
    W1, b1 = 0.0606 * k, 0.0606 * 0.5 * k
    assert p.params["W"][0, 0] == pytest.approx(W1)
    assert p.params["b"][0] == pytest.approx(b1)
    # second step: momentum 0.9 on the previous buffer, weight decay 0.01 on the current parameters
    z = 2 * W1 + b1
    dz = 1 / (1 + np.exp(-z)) - 1
    gW, gb = 2 * dz, dz
    n = np.hypot(gW, gb)
    if n > 1:
        gW, gb = gW / (n + 1e-6), gb / (n + 1e-6)
    bufW = 0.9 * (-k) + gW + 0.01 * W1
    bufb = 0.9 * (-0.5 * k) + gb + 0.01 * b1
    p.update(0, np.array([1.0]))
    assert p.params["W"][0, 0] == pytest.approx(W1 - 0.0606 * bufW)
    assert p.params["b"][0] == pytest.approx(b1 - 0.0606 * bufb)


@pytest.mark.parametrize("hidden, floor", [(0, 0.93), (16, 0.8)])
def test_learns_a_separable_toy_online(hidden, floor) -> None:
    # the authors' optimiser (lr 0.0606, momentum 0.9) on single examples is noisy: the MLP head plateaus lower
    rng = np.random.default_rng(0)
    n = 3000
    X = rng.standard_normal((n, 4))
    w = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    Y = (X @ w + np.array([-0.5, 0.0, 0.5]) > 0).astype(float)
    p = OnlineMLPPredictor(X, hidden=hidden)
    p.reset(3, np.random.default_rng(1))
    before = np.mean((p.predict(np.arange(2000, n)) > 0.5) == Y[2000:])
    losses = [p.update(i, Y[i]) for i in range(2000)]
    after = np.mean((p.predict(np.arange(2000, n)) > 0.5) == Y[2000:])
    assert after > floor and after > before + 0.2
    assert np.mean(losses[-200:]) < 0.75 * np.mean(losses[:50])


def test_default_sgd_settings_are_the_authors() -> None:
    s = SGDSettings()
    assert (s.lr, s.momentum, s.weight_decay, s.clip_norm) == (0.0606, 0.9, 0.01, 1.0)


def test_oracle_predictor(rng) -> None:
    q = np.array([[0, 1, 1], [1, 1, 1.0]])
    o = OraclePredictor(q)
    np.testing.assert_array_equal(o.predict(np.array([1, 0])), q[[1, 0]])
    noisy = OraclePredictor(q, noise_sd=0.3, rng=rng)
    v = noisy.predict(np.array([0, 1]))
    assert v.min() >= 0 and v.max() <= 1 and not np.array_equal(v, q)
    np.testing.assert_array_equal(noisy.predict(np.array([0])), noisy.predict(np.array([0])))  # fixed noise
    with pytest.raises(ValueError, match="seeded rng"):
        OraclePredictor(q, noise_sd=0.1)
    assert np.isnan(o.update(0, q[0]))


def test_constant_predictor() -> None:
    c = ConstantPredictor(np.array([0.2, 0.5, 0.8]))
    np.testing.assert_array_equal(c.predict(np.array([4, 9])), [[0.2, 0.5, 0.8]] * 2)


# ---- issue 11, pitfall 2: predictors are bound to the table they were built on ----------------------------
from llmroute.data.schema import Outcomes  # noqa: E402
from llmroute.messplus import MessPlus, MessPlusSettings, simulate_grid  # noqa: E402
from llmroute.messplus.predictors import (NoisyOraclePredictor, ShrinkagePredictor, auc_for_noise_sd,  # noqa: E402
                                          noise_sd_for_auc)
from llmroute.replay import replay  # noqa: E402


def _table(n: int = 300, m: int = 3, seed: int = 0) -> Outcomes:
    rng = np.random.default_rng(seed)
    d = rng.standard_normal(n)
    q = (np.linspace(-0.6, 0.8, m)[None] - d[:, None] + 0.6 * rng.standard_normal((n, m)) > 0).astype(float)
    c = np.geomspace(50.0, 1200.0, m)[None] * np.exp(0.2 * rng.standard_normal((n, m)))
    return Outcomes(name="toy", models=tuple(f"m{k}" for k in range(m)), quality=q, cost=c, cost_unit="J",
                    request_id=np.array([f"r{k}" for k in range(n)]), domain=np.full(n, "x"),
                    features=np.c_[d + 0.3 * rng.standard_normal(n), rng.standard_normal((n, 3))])


def _router(pred, alpha=0.6):
    return MessPlus(MessPlusSettings(alpha=alpha, V=1e-3, c=0.5), pred)


def test_pitfall2_predictor_built_on_a_smaller_table_names_itself_and_the_shapes() -> None:
    o = _table()
    sub = o.take(np.arange(150, 300))
    # old code: IndexError "index 298 is out of bounds for axis 0 with size 150", naming neither table nor rows.
    # Now the replay engine and the grid bind the predictor to the replayed table before the first request.
    with pytest.raises(ValueError, match=r"OraclePredictor\('oracle'\): built on a table of shape \(150, 3\), "
                                         r"cannot be bound to 'toy' of shape \(300, 3\)"):
        replay(o, _router(OraclePredictor(sub.quality)), seed=1)
    with pytest.raises(ValueError, match=r"OraclePredictor\('oracle'\).*shape \(150, 3\).*shape \(300, 3\)"):
        simulate_grid(o, alphas=[0.6], Vs=[1e-3], cs=[0.5], seeds=[1], predictor=OraclePredictor(sub.quality))
    with pytest.raises(ValueError, match=r"OnlineMLPPredictor\('online logistic'\).*shape \(150, 4\)"):
        replay(o, _router(OnlineMLPPredictor(sub.features, hidden=0)), seed=1)
    # an unbound predictor used directly still checks every row it is given
    p = OraclePredictor(sub.quality)
    p.reset(3, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"row 299 is out of range for the table it was built on, shape \(150, 3\)"
                                         r".*received rows of shape \(1,\)"):
        p.predict(np.array([299]))


def test_pitfall2_unkeyed_predictor_refuses_another_table_on_bind() -> None:
    o = _table()
    sub = o.take(np.arange(150, 300))
    # old code: no check at all - replaying OraclePredictor(o.quality) on sub reads rows 0..149 of o
    with pytest.raises(ValueError, match=r"OraclePredictor\('oracle'\): built on a table of shape \(300, 3\), "
                                         r"cannot be bound to 'toy' of shape \(150, 3\)"):
        OraclePredictor(o.quality).bind(sub)
    with pytest.raises(ValueError, match=r"shape \(300, 4\).*shape \(150, 3\)"):
        OnlineMLPPredictor(o.features).bind(sub)


def test_pitfall2_predictor_keyed_by_request_id_follows_its_requests() -> None:
    o = _table()
    sub = o.take(np.arange(150, 300))
    # old code: replaying OraclePredictor(o.quality) on sub silently read rows 0..149 of o; now replay binds it
    with pytest.raises(ValueError, match=r"cannot be bound to 'toy' of shape \(150, 3\)"):
        replay(sub, _router(OraclePredictor(o.quality)), seed=3)
    right = replay(sub, _router(OraclePredictor(sub.quality)), seed=3)
    keyed = replay(sub, _router(OraclePredictor.from_outcomes(o)), seed=3)  # replay binds it to sub
    np.testing.assert_array_equal(keyed.log["served"], right.log["served"])
    assert keyed.summary()["mean_quality"] == right.summary()["mean_quality"]
    feats = OnlineMLPPredictor(o.features, hidden=0, request_id=o.request_id).bind(sub)
    feats.reset(3, np.random.default_rng(0))
    ref = OnlineMLPPredictor(sub.features, hidden=0)
    ref.reset(3, np.random.default_rng(0))
    np.testing.assert_array_equal(feats.predict(np.arange(150)), ref.predict(np.arange(150)))
    other = _table(seed=5).take(np.arange(10))
    other = Outcomes(name="other", models=other.models, quality=other.quality, cost=other.cost, cost_unit="J",
                     request_id=np.array([f"x{k}" for k in range(10)]), domain=other.domain)
    with pytest.raises(ValueError, match=r"built on a table of shape \(300, 3\); 10 of the 10 requests of 'other' "
                                         r"\(shape \(10, 3\)\) are unknown"):
        OraclePredictor.from_outcomes(o).bind(other)


def test_pitfall2_labels_and_rows_are_checked(rng) -> None:
    p = OnlineMLPPredictor(np.ones((4, 2)), hidden=0)
    p.reset(3, rng)
    with pytest.raises(ValueError, match=r"labels must have shape \(3,\).*received shape \(2,\)"):
        p.update(0, np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"must be integer row indices, received dtype float64"):
        p.predict(np.array([0.5]))
    with pytest.raises(ValueError, match=r"1-d array of row indices, received shape \(2, 1\)"):
        p.predict(np.zeros((2, 1), dtype=int))


# ---- issue 11, pitfall 3: a constant predictor on a zoo of another size ----------------------------------
def test_pitfall3_constant_predictor_names_itself_and_the_zoo_size() -> None:
    o = _table(m=4)
    # old code: numpy "operands could not be broadcast together with shapes (4,) (3,)"
    with pytest.raises(ValueError, match=r"ConstantPredictor\('constant'\): bind to 'toy': it holds 3 probabilities, shape "
                                         r"\(3,\), but the zoo has 4 models: expected shape \(4,\)"):
        replay(o, _router(ConstantPredictor([0.3, 0.4, 0.5])), seed=0)
    with pytest.raises(ValueError, match=r"ConstantPredictor\('constant'\).*zoo has 4 models"):
        simulate_grid(o, alphas=[0.6], Vs=[1e-3], cs=[0.5], seeds=[0], predictor=ConstantPredictor([0.3, 0.4, 0.5]))
    with pytest.raises(ValueError, match=r"OraclePredictor\('oracle'\): bind to 'toy': the oracle table has shape "
                                         r"\(300, 3\) \(3 models\), the zoo has 4 models"):
        replay(o, _router(OraclePredictor(_table(m=3).quality)), seed=0)


# ---- noisy oracle of a chosen AUC ---------------------------------------------------------------------------
def test_noise_sd_for_auc_hand_values() -> None:
    # Phi(1 / (1 * sqrt 2)) = Phi(0.70711) = 0.76025
    assert auc_for_noise_sd(1.0) == pytest.approx(0.760250, abs=1e-6)
    assert noise_sd_for_auc(0.760250) == pytest.approx(1.0, abs=1e-5)
    for a in (0.6, 0.7, 0.8, 0.9):
        assert auc_for_noise_sd(noise_sd_for_auc(a)) == pytest.approx(a, abs=1e-12)
    for bad in (0.5, 1.0, 0.3):
        with pytest.raises(ValueError, match="auc"):
            noise_sd_for_auc(bad)


@pytest.mark.parametrize("auc", [0.6, 0.75, 0.9])
def test_noisy_oracle_has_the_target_auc_and_is_calibrated(auc) -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(3)
    n = 40000
    q = (rng.random((n, 2)) < np.array([0.3, 0.8])).astype(float)
    p = NoisyOraclePredictor(q, auc, np.random.default_rng(4))
    s = p.predict(np.arange(n))
    for m in range(2):
        assert roc_auc_score(q[:, m], s[:, m]) == pytest.approx(auc, abs=0.01)   # se of the AUC ~ 0.003
        assert s[:, m].mean() == pytest.approx(q[:, m].mean(), abs=0.01)       # calibrated on average
        bins = np.quantile(s[:, m], np.linspace(0, 1, 6))
        idx = np.clip(np.searchsorted(bins, s[:, m], side="right") - 1, 0, 4)
        for b in range(5):
            sel = idx == b
            assert s[sel, m].mean() == pytest.approx(q[sel, m].mean(), abs=0.03)   # and per quintile
    with pytest.raises(ValueError, match="0/1 labels"):
        NoisyOraclePredictor(q * 0.5 + 0.25, auc, rng)


# ---- shrinkage predictor --------------------------------------------------------------------------------
class _Fixed(OraclePredictor):
    """An oracle of a given prediction table (for hand-computed shrinkage steps)."""


def test_shrinkage_hand_computed_running_mean_and_weight() -> None:
    # one model; inner predictions f = 0.9, 0.2, 0.8 for rows 0, 1, 2; labels 1, 0, 1; prior 0.5 with count 1
    f = np.array([[0.9], [0.2], [0.8]])
    p = ShrinkagePredictor(_Fixed(f), prior_mean=0.5, prior_count=1.0, z=0.0)
    p.reset(1, np.random.default_rng(0))
    np.testing.assert_allclose(p.predict(np.array([0, 1])), [[0.5], [0.5]])   # no update yet: the prior mean
    p.update(0, np.array([1.0]))            # p = 0.5: d = 0.4, r = 0.5; then p = 1.5 / 2 = 0.75
    assert p.weights[0] == 0.0              # fewer than 2 held-out examples
    p.update(1, np.array([0.0]))            # p = 0.75: d = -0.55, r = -0.75; then p = 1.5 / 3 = 0.5
    sdd, sdr = 0.4 ** 2 + 0.55 ** 2, 0.4 * 0.5 + 0.55 * 0.75
    w_hat = sdr / sdd                       # z = 0: no shrinkage of the least-squares weight
    assert p.running_mean[0] == pytest.approx(0.5)
    assert p.weights[0] == pytest.approx(min(1.0, w_hat))
    np.testing.assert_allclose(p.predict(np.array([2])), [[0.5 + min(1.0, w_hat) * (0.8 - 0.5)]])
    # with z = 2 the same two examples are far from significant (t quantile with 1 degree of freedom ~ 14)
    p2 = ShrinkagePredictor(_Fixed(f), z=2.0)
    p2.reset(1, np.random.default_rng(0))
    p2.update(0, np.array([1.0]))
    p2.update(1, np.array([0.0]))
    resid = (0.5 - w_hat * 0.4) ** 2 * 0.4 ** 2 + (-0.75 + w_hat * 0.55) ** 2 * 0.55 ** 2
    se2 = 2 * resid / sdd ** 2
    from scipy.stats import norm, t as student_t
    q = student_t.ppf(norm.cdf(2.0), 1)
    assert p2.weights[0] == pytest.approx(np.clip(w_hat * max(0.0, 1 - q * q * se2 / w_hat ** 2), 0, 1))


def test_shrinkage_is_the_running_mean_at_chance_and_follows_a_real_signal() -> None:
    rng = np.random.default_rng(7)
    n = 2000
    y = (rng.random((n, 2)) < np.array([0.4, 0.7])).astype(float)
    noise = ShrinkagePredictor(_Fixed(rng.random((n, 2))))          # predictions unrelated to the labels
    good = ShrinkagePredictor(NoisyOraclePredictor(y, 0.85, np.random.default_rng(8)))
    err = {"noise": [], "good": [], "mean": []}
    for name, p in (("noise", noise), ("good", good)):
        p.reset(2, np.random.default_rng(0))
        for t in range(n):
            s = p.predict(np.array([t]))[0]
            err[name].append(np.mean((s - y[t]) ** 2))
            if name == "noise":
                err["mean"].append(np.mean((p.running_mean - y[t]) ** 2))
            p.update(t, y[t])
    assert np.all(noise.weights < 0.2)
    assert np.mean(err["noise"]) <= np.mean(err["mean"]) * 1.005
    assert np.all(good.weights > 0.7)
    assert np.mean(err["good"]) < 0.9 * np.mean(err["mean"])


def test_shrinkage_runs_in_the_router_and_the_grid_with_the_same_decisions() -> None:
    o = _table()
    mk = lambda: ShrinkagePredictor(OnlineMLPPredictor(o.features, hidden=0, request_id=o.request_id)).bind(o)  # noqa: E731
    r = replay(o, _router(mk()), seed=2)
    g = simulate_grid(o, alphas=[0.6], Vs=[1e-3], cs=[0.5], seeds=[2], predictor=mk, keep_steps=True)
    np.testing.assert_array_equal(r.log["served"].to_numpy(), g.step_log(0)["served"].to_numpy())
