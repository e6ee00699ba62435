"""CARROT (Somerstep et al. 2025, "CARROT: a cost aware rate optimal router", arXiv 2502.03261): predict every
model's quality ``p̂_m(x)`` and cost ``ĉ_m(x)`` per prompt, route to ``argmax_m ((1 - μ) p̂_m - μ ĉ_m)``, sweep ``μ``.

Estimators (scikit-learn, on the repository's request features, fitted on the training rows): quality by one
L2 logistic regression per model (0/1 qualities; a constant column predicts its constant) or a multi-output ridge
regression clipped to [0, 1] (graded scores); cost by a multi-output ridge regression on ``log(cost)``
(``ĉ = exp(prediction)``), divided by the largest mean training cost so that ``μ`` is unit-free. The knob ``μ``
is swept over 0 and ``λ / (1 + λ)`` for the λ values of :data:`._wtp.LAMBDA_GRID` (denser where costs differ by
orders of magnitude). Ties go to the cheaper model.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..._validate import check_positive, check_prob
from ._core import is_binary
from ._wtp import LAMBDA_GRID, single_query

NAME = "carrot"
LABEL = "CARROT"
KNOB = "mu"


@dataclass(frozen=True)
class CarrotSettings:
    """Inverse L2 strength ``C`` of the quality classifiers, ridge penalty ``ridge`` of the regressions, knob ``mu``."""

    C: float = 1.0
    ridge: float = 1.0
    mu: float = 0.1

    def __post_init__(self) -> None:
        check_positive("C", self.C)
        check_positive("ridge", self.ridge)
        check_prob("mu", self.mu)


Settings = CarrotSettings


def fit_predict(x_tr: np.ndarray, q_tr: np.ndarray, c_tr: np.ndarray, x_te: np.ndarray, s: CarrotSettings,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``p_hat`` (n_te, M) and ``c_hat`` (n_te, M, normalised by the largest mean training cost)."""
    from sklearn.linear_model import LogisticRegression, Ridge

    n_te, M = x_te.shape[0], q_tr.shape[1]
    if is_binary(q_tr):
        p = np.empty((n_te, M))
        for m in range(M):
            y = q_tr[:, m].astype(int)
            if np.all(y == y[0]):
                p[:, m] = float(y[0])
            else:
                p[:, m] = LogisticRegression(C=s.C, max_iter=1000).fit(x_tr, y).predict_proba(x_te)[:, 1]
    else:
        p = np.clip(Ridge(alpha=s.ridge).fit(x_tr, q_tr).predict(x_te).reshape(n_te, M), 0.0, 1.0)
    floor = max(float(c_tr[c_tr > 0].min()) if (c_tr > 0).any() else 1.0, 1e-12) * 1e-3
    logc = np.log(np.maximum(c_tr, floor))
    c_hat = np.exp(Ridge(alpha=s.ridge).fit(x_tr, logc).predict(x_te).reshape(n_te, M))
    return {"p_hat": p, "c_hat": c_hat / float(c_tr.mean(axis=0).max() or 1.0)}


def carrot_choice(p_hat: np.ndarray, c_hat: np.ndarray, mu: float) -> np.ndarray:
    """``argmax_m ((1 - mu) p_hat_m - mu c_hat_m)`` per row (first maximum: the cheapest)."""
    return np.argmax((1.0 - mu) * p_hat - mu * c_hat, axis=1).astype(np.int64)


def decide(sc: dict[str, np.ndarray], mu: float, s: CarrotSettings):
    return single_query(carrot_choice(sc["p_hat"], sc["c_hat"], mu))


MU_GRID: tuple[float, ...] = tuple(float(lam / (1.0 + lam)) for lam in LAMBDA_GRID)


def knob_grid(s: CarrotSettings) -> tuple[float, ...]:
    return MU_GRID
