"""RouterBench's kNN router: per-model quality predicted by the k nearest training prompts, willingness-to-pay
selection ``argmax_m (q̂_m - λ c_m)`` (Hu et al. 2024, arXiv 2403.12031 §5, "predictive routers").

``q̂_m(x)`` = mean quality of model ``m`` over the ``k`` training prompts nearest to ``x`` (Euclidean distance on the
repository's request features; scikit-learn ``KNeighborsRegressor``, one multi-output fit). ``c_m`` = the model's
mean cost on the training rows (the price list). The knob is ``λ`` (:mod:`._wtp`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..._validate import check_choice, check_int, check_nonneg
from ._wtp import LAMBDA_GRID, single_query, wtp_choice

NAME = "knn"
LABEL = "kNN (RouterBench)"
KNOB = "lam"


@dataclass(frozen=True)
class KNNSettings:
    """``k`` neighbours, ``weights`` ("uniform" or "distance"), ``lam`` the willingness-to-pay knob (>= 0)."""

    k: int = 40
    weights: str = "uniform"
    lam: float = 0.1

    def __post_init__(self) -> None:
        check_int("k", self.k, 1)
        check_choice("weights", self.weights, ("uniform", "distance"))
        check_nonneg("lam", self.lam)


Settings = KNNSettings


def fit_predict(x_tr: np.ndarray, q_tr: np.ndarray, c_tr: np.ndarray, x_te: np.ndarray, s: KNNSettings,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Predicted quality of every model on the test rows (``k`` capped at the number of training rows)."""
    from sklearn.neighbors import KNeighborsRegressor

    knn = KNeighborsRegressor(n_neighbors=min(s.k, x_tr.shape[0]), weights=s.weights, algorithm="brute")
    knn.fit(x_tr, q_tr)
    return {"q_hat": np.asarray(knn.predict(x_te), dtype=float).reshape(x_te.shape[0], -1)}


def decide(sc: dict[str, np.ndarray], lam: float, s: KNNSettings):
    return single_query(wtp_choice(sc["q_hat"], sc["list_cost"], lam))


def knob_grid(s: KNNSettings) -> tuple[float, ...]:
    return LAMBDA_GRID
