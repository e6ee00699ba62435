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
