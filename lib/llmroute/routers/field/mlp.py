"""RouterBench's MLP router: per-model quality predicted by a small neural network, willingness-to-pay selection
``argmax_m (q̂_m - λ c_m)`` (Hu et al. 2024, arXiv 2403.12031 §5, "predictive routers").

``q̂(x)``: one multi-output network on the repository's request features — scikit-learn ``MLPClassifier``
(multi-label, one sigmoid output per model: the probability that the model is correct) when qualities are 0/1,
``MLPRegressor`` (outputs clipped to [0, 1]) when they are graded scores. ``c_m``: the training rows' mean cost
per model. The knob is ``λ`` (:mod:`._wtp`). The network's ``random_state`` is drawn from the seeded generator.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..._validate import check_int, check_nonneg, check_positive
from ._core import is_binary, sk_seed
from ._wtp import LAMBDA_GRID, single_query, wtp_choice

NAME = "mlp"
LABEL = "MLP (RouterBench)"
KNOB = "lam"


@dataclass(frozen=True)
class MLPSettings:
    """``hidden`` units of the one hidden layer, L2 penalty ``l2``, ``max_iter`` epochs (Adam), knob ``lam``."""

    hidden: int = 32
    l2: float = 1e-2
    max_iter: int = 150
    lam: float = 0.1

    def __post_init__(self) -> None:
        check_int("hidden", self.hidden, 1)
        check_positive("l2", self.l2)
        check_int("max_iter", self.max_iter, 1)
        check_nonneg("lam", self.lam)


Settings = MLPSettings


def fit_predict(x_tr: np.ndarray, q_tr: np.ndarray, c_tr: np.ndarray, x_te: np.ndarray, s: MLPSettings,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Predicted quality (probability of a correct answer for 0/1 data) of every model on the test rows."""
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    M = q_tr.shape[1]
    kw = dict(hidden_layer_sizes=(s.hidden,), alpha=s.l2, max_iter=s.max_iter, random_state=sk_seed(rng))
    if is_binary(q_tr):
        y = q_tr.astype(int)
        const = np.all(y == y[:1], axis=0)
        out = np.tile(y[0].astype(float), (x_te.shape[0], 1))
        if (~const).any():
            var = np.flatnonzero(~const)
            net = MLPClassifier(**kw).fit(x_tr, y[:, var] if var.size > 1 else y[:, var[0]])
            p = net.predict_proba(x_te)
            out[:, var] = p if var.size > 1 else p[:, 1:2]
        return {"q_hat": out.reshape(x_te.shape[0], M)}
    net = MLPRegressor(**kw).fit(x_tr, q_tr)
    return {"q_hat": np.clip(np.asarray(net.predict(x_te), dtype=float).reshape(x_te.shape[0], M), 0.0, 1.0)}


def decide(sc: dict[str, np.ndarray], lam: float, s: MLPSettings):
    return single_query(wtp_choice(sc["q_hat"], sc["list_cost"], lam))


def knob_grid(s: MLPSettings) -> tuple[float, ...]:
    return LAMBDA_GRID
