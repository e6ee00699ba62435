"""RouteLLM's matrix-factorisation router (Ong et al. 2024, arXiv 2406.18665 §4.2), for N models, in numpy.

Model: a learned embedding ``v_m`` (dimension ``dim``) and bias ``b_m`` per model and a linear projection ``W`` of
the prompt's feature vector ``x`` (the repository's featurizer); the score of model ``m`` on a prompt is their
product ``s_m(x) = v_m · (W^T x) + b_m``. Training data are *which model wins*: for every training prompt and every
pair of models ``(a, b)`` whose qualities differ, the label ``y = 1{q_b > q_a}`` with
``P(b beats a | x) = σ(s_b(x) - s_a(x))`` (Bradley-Terry), fitted by full-batch Adam on the mean logistic loss plus
``l2 · (|W|² + |V|²)``; initial weights are drawn from the seeded generator. RouteLLM trains on human preference
battles; with outcome tables the wins are derived from the per-request qualities (ours; said here).

Routing (RouteLLM): between the weak model (the cheapest, column 0) and the strong one (the most accurate on the
training rows), route to strong iff the strong model's win probability ``σ(s_strong - s_weak)`` reaches a
threshold. The threshold is **calibrated to a target share of strong calls** ``strong_share`` on the training rows
(RouteLLM's calibration): strong iff the request's win probability is at least the ``1 - strong_share`` quantile
of the training rows' win probabilities; stored per row as the training-CDF position ``u`` of its win probability,
strong iff ``u >= 1 - strong_share``. The knob is ``strong_share`` in [0, 1].
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..._validate import check_int, check_nonneg, check_positive, check_prob
from ._wtp import single_query

NAME = "matrix-factorisation"
LABEL = "matrix factorisation (RouteLLM)"
KNOB = "strong_share"


@dataclass(frozen=True)
class MFSettings:
    """Embedding ``dim``, L2 penalty ``l2``, Adam ``steps`` and learning rate ``lr``, knob ``strong_share``."""

    dim: int = 16
    l2: float = 1e-3
    steps: int = 300
    lr: float = 0.05
    strong_share: float = 0.5

    def __post_init__(self) -> None:
        check_int("dim", self.dim, 1)
        check_nonneg("l2", self.l2)
        check_int("steps", self.steps, 1)
        check_positive("lr", self.lr)
        check_prob("strong_share", self.strong_share)


Settings = MFSettings


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def fit_mf(x: np.ndarray, q: np.ndarray, s: MFSettings, rng: np.random.Generator
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fit ``(W, V, b)`` on prompts ``x`` (n, d) and qualities ``q`` (n, M) (module docstring)."""
    n, d = x.shape
    M = q.shape[1]
    A, B = np.triu_indices(M, 1)
    D = np.zeros((A.size, M))
    D[np.arange(A.size), B] = 1.0
    D[np.arange(A.size), A] = -1.0
    diff = q[:, B] - q[:, A]
    mask = (diff != 0).astype(float)
    y = (diff > 0).astype(float)
    n_pairs = max(mask.sum(), 1.0)
    W = rng.normal(0.0, 0.1, (d, s.dim))
    V = rng.normal(0.0, 0.1, (M, s.dim))
    b = np.zeros(M)
    params = [W, V, b]
    m1 = [np.zeros_like(p) for p in params]
    m2 = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    for t in range(1, s.steps + 1):
        H = x @ W                        # (n, dim)
        S = H @ V.T + b                  # (n, M)
        G = (_sigmoid(S @ D.T) - y) * mask / n_pairs   # dL/dlogit (n, P)
        dS = G @ D                       # (n, M)
        gV = dS.T @ H + 2 * s.l2 * V
        gW = x.T @ (dS @ V) + 2 * s.l2 * W
        gb = dS.sum(axis=0)
        for i, g in enumerate((gW, gV, gb)):
            m1[i] = b1 * m1[i] + (1 - b1) * g
            m2[i] = b2 * m2[i] + (1 - b2) * g * g
            params[i] -= s.lr * (m1[i] / (1 - b1 ** t)) / (np.sqrt(m2[i] / (1 - b2 ** t)) + eps)
    return W, V, b


def scores(x: np.ndarray, W: np.ndarray, V: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``s_m(x)`` for every prompt and model, (n, M)."""
    return (x @ W) @ V.T + b


def fit_predict(x_tr: np.ndarray, q_tr: np.ndarray, c_tr: np.ndarray, x_te: np.ndarray, s: MFSettings,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The strong model's win probability on the test rows and its training-CDF position ``u``."""
    W, V, b = fit_mf(x_tr, q_tr, s, rng)
    acc = q_tr.mean(axis=0)
    strong = int(np.flatnonzero(acc == acc.max())[-1])
    s_tr, s_te = scores(x_tr, W, V, b), scores(x_te, W, V, b)
    win_tr = _sigmoid(s_tr[:, strong] - s_tr[:, 0])
    win = _sigmoid(s_te[:, strong] - s_te[:, 0])
    u = np.searchsorted(np.sort(win_tr), win, side="left") / win_tr.size
    return {"win": win, "u": u}


def decide(sc: dict[str, np.ndarray], strong_share: float, s: MFSettings):
    strong = sc["strong"]
    serve = np.where(sc["u"] >= 1.0 - strong_share, strong, 0).astype(np.int64)
    return single_query(serve)


def knob_grid(s: MFSettings) -> tuple[float, ...]:
    return tuple(float(v) for v in np.linspace(0.0, 1.0, 21))
