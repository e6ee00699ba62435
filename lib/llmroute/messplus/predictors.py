"""Request-satisfaction predictors for MESS+ (spec §1.6): pluggable, indexed by the outcome table's row.

A predictor holds the per-request inputs of one outcome table (features, or a table of probabilities) and
answers ``predict(rows) -> (k, M)`` satisfaction probabilities; ``update(row, labels)`` takes one labelled
example (the full label vector of an explored request) and returns the training loss on it *before* the step.
``reset(n_models, rng)`` starts a new stream (draws initial weights from ``rng``).

* :class:`OnlineMLPPredictor` - ours, in numpy: the authors' multi-label head (Linear -> LayerNorm -> ReLU ->
  Linear, one logit per model; or logistic with ``hidden=0``) on fixed request features, BCE-with-logits loss,
  PyTorch-style SGD (lr 0.0606, momentum 0.9, weight decay 0.01 on every parameter, gradient-norm clipping at
  1.0), one SGD step per explored request, no replay buffer, no pre-training. Differences from the authors:
  the frozen ModernBERT-base CLS embedding is replaced by the features given (our text stand-in, see
  :mod:`llmroute.messplus.features`), and dropout (0.1) is left out (one example per step; it would only add noise).
* :class:`OraclePredictor` - per-request true labels (or true probabilities) plus optional Gaussian noise, clipped
  to [0, 1]; it does not learn. It separates the algorithm's error from the predictor's.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_int, check_nonneg, check_positive, check_prob


class SatisfactionPredictor:
    """Interface: ``reset``, ``predict(rows)``, ``update(row, labels)``; ``learns`` says whether update does anything."""

    learns: bool = True
    name: str = "predictor"

    def reset(self, n_models: int, rng: np.random.Generator) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict(self, rows: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, row: int, labels: np.ndarray) -> float:
        return float("nan")


def bce_with_logits(z: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy of logits ``z`` against labels ``y`` (numerically stable)."""
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@dataclass(frozen=True)
class SGDSettings:
    """The authors' optimiser: lr 0.0606, momentum 0.9, weight decay 0.01, grad-norm clip 1.0 (spec §1.6)."""

    lr: float = 0.0606
    momentum: float = 0.9
    weight_decay: float = 0.01
    clip_norm: float = 1.0

    def __post_init__(self) -> None:
        check_positive("lr", self.lr)
        check_prob("momentum", self.momentum)
        check_nonneg("weight_decay", self.weight_decay)
        check_positive("clip_norm", self.clip_norm)


class OnlineMLPPredictor(SatisfactionPredictor):
    """Multi-label MLP head (``hidden`` > 0) or logistic model (``hidden`` = 0) over fixed features, trained online.

    ``features``: (n_requests, d) array indexed by outcome row. Initialisation as PyTorch's ``nn.Linear``
    (uniform +-1/sqrt(fan_in) for weights and biases), LayerNorm gain 1 and bias 0.
    """

    name = "online MLP"

    def __init__(self, features: np.ndarray, hidden: int = 64, sgd: SGDSettings = SGDSettings(),
                 ln_eps: float = 1e-5) -> None:
        x = np.asarray(features, dtype=float)
        if x.ndim != 2 or x.shape[0] == 0 or not np.all(np.isfinite(x)):
            raise ValueError(f"features must be a finite (n_requests, d) array, got shape {x.shape}")
        self.X = np.ascontiguousarray(x)
        self.hidden = check_int("hidden", hidden, 0)
        self.sgd = sgd
        self.ln_eps = ln_eps
        self.name = "online logistic" if self.hidden == 0 else f"online MLP (h={self.hidden})"

    # ---- parameters ----------------------------------------------------------------------------------
    def reset(self, n_models: int, rng: np.random.Generator) -> None:
        d, h, m = self.X.shape[1], self.hidden, n_models

        def lin(fan_in, shape):
            b = 1.0 / np.sqrt(fan_in)
            return rng.uniform(-b, b, size=shape)

        if h == 0:
            self.params = {"W": lin(d, (d, m)), "b": lin(d, (m,))}
        else:
            self.params = {"W1": lin(d, (d, h)), "b1": lin(d, (h,)), "g": np.ones(h), "beta": np.zeros(h),
                           "W2": lin(h, (h, m)), "b2": lin(h, (m,))}
        self.buf: dict[str, np.ndarray] | None = None
        self.n_updates = 0

    def _forward(self, x: np.ndarray):
        p = self.params
        if self.hidden == 0:
            return x @ p["W"] + p["b"], None
        z1 = x @ p["W1"] + p["b1"]
        mu = z1.mean(axis=-1, keepdims=True)
        zc = z1 - mu
        inv = 1.0 / np.sqrt((zc * zc).mean(axis=-1, keepdims=True) + self.ln_eps)
        xhat = zc * inv
        a = xhat * p["g"] + p["beta"]
        r = np.maximum(a, 0.0)
        return r @ p["W2"] + p["b2"], (xhat, inv, a, r)

    def logits(self, rows: np.ndarray) -> np.ndarray:
        return self._forward(self.X[np.asarray(rows)])[0]

    def predict(self, rows: np.ndarray) -> np.ndarray:
        return _sigmoid(self.logits(rows))

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Loss and gradients of the mean BCE over the M labels for one example ``x`` (d,)."""
        z, cache = self._forward(x)
        loss = bce_with_logits(z, y)
        dz = (_sigmoid(z) - y) / y.size
        p = self.params
        if self.hidden == 0:
            return loss, {"W": np.outer(x, dz), "b": dz}
        xhat, inv, a, r = cache
        g = {"W2": np.outer(r, dz), "b2": dz}
        da = (p["W2"] @ dz) * (a > 0)
        g["g"] = da * xhat
        g["beta"] = da
        dxh = da * p["g"]
        dz1 = inv * (dxh - dxh.mean() - xhat * (dxh * xhat).mean())
        g["W1"] = np.outer(x, dz1)
        g["b1"] = dz1
        return loss, g

    def update(self, row: int, labels: np.ndarray) -> float:
        """One PyTorch-style SGD step on one labelled example; returns the loss before the step."""
        y = np.asarray(labels, dtype=float)
        loss, grads = self.gradients(self.X[int(row)], y)
        s = self.sgd
        norm = np.sqrt(sum(float(np.sum(v * v)) for v in grads.values()))
        coef = s.clip_norm / (norm + 1e-6)
        if coef < 1.0:  # torch.nn.utils.clip_grad_norm_
            grads = {k: v * coef for k, v in grads.items()}
        first = self.buf is None
        if first:
            self.buf = {}
        for k, prm in self.params.items():
            d_p = grads[k] + s.weight_decay * prm
            if s.momentum > 0:
                d_p = d_p if first else s.momentum * self.buf[k] + d_p
                self.buf[k] = d_p
            prm -= s.lr * d_p
        self.n_updates += 1
        return loss


class OraclePredictor(SatisfactionPredictor):
    """Per-request true labels (``quality``) or true probabilities, plus N(0, ``noise_sd``) noise, clipped to [0, 1].

    The noise is drawn once per (row, model) from ``rng`` at construction, so predictions do not depend on the
    order in which requests arrive. It never learns.
    """

    learns = False

    def __init__(self, quality: np.ndarray, noise_sd: float = 0.0, rng: np.random.Generator | None = None) -> None:
        q = np.asarray(quality, dtype=float)
        check_nonneg("noise_sd", noise_sd)
        if noise_sd > 0:
            if rng is None:
                raise ValueError("OraclePredictor with noise_sd > 0 needs a seeded rng")
            q = q + noise_sd * rng.standard_normal(q.shape)
        self.table = np.clip(q, 0.0, 1.0)
        self.noise_sd = float(noise_sd)
        self.name = "oracle" if noise_sd == 0 else f"oracle + N(0, {noise_sd:g})"

    def reset(self, n_models: int, rng: np.random.Generator) -> None:
        if self.table.shape[1] != n_models:
            raise ValueError(f"oracle table has {self.table.shape[1]} models, the zoo {n_models}")

    def predict(self, rows: np.ndarray) -> np.ndarray:
        return self.table[np.asarray(rows)]


class ConstantPredictor(SatisfactionPredictor):
    """The same probabilities for every request (e.g. the benchmark's mean accuracies): no per-request signal."""

    learns = False
    name = "constant"

    def __init__(self, probs: np.ndarray) -> None:
        self.probs = np.clip(np.asarray(probs, dtype=float), 0.0, 1.0)

    def reset(self, n_models: int, rng: np.random.Generator) -> None:
        pass

    def predict(self, rows: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.probs, (np.asarray(rows).size, self.probs.size)).copy()
