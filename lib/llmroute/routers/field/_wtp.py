"""The willingness-to-pay selection shared by RouterBench's predictive routers (kNN, MLP) and CARROT.

RouterBench (Hu et al. 2024, arXiv 2403.12031 §5): with predicted qualities ``q̂_m`` and costs ``c_m`` of every
model, serve ``argmax_m (q̂_m - λ c_m)``; sweeping the willingness-to-pay knob ``λ`` traces a cost-quality curve.
Costs are divided by the largest list cost of the zoo so that ``λ`` is in quality units per (cost of the most
expensive model): ``λ = 0`` serves the best predicted model, a large ``λ`` the cheapest. Ties go to the cheaper
model (the lower column).
"""
from __future__ import annotations

import numpy as np

#: the λ values swept: 0 and 37 values from 1e-3 to 1e3 (log-spaced)
LAMBDA_GRID: tuple[float, ...] = (0.0,) + tuple(float(v) for v in np.geomspace(1e-3, 1e3, 37))


def wtp_choice(q_hat: np.ndarray, cost: np.ndarray, lam: float) -> np.ndarray:
    """``argmax_m (q_hat[:, m] - lam * cost[:, m] / max_m cost[:, m])`` per row (first maximum: the cheapest)."""
    q_hat = np.asarray(q_hat, dtype=float)
    c = np.asarray(cost, dtype=float)
    scale = c.max(axis=1, keepdims=True)
    scale = np.where(scale > 0, scale, 1.0)
    return np.argmax(q_hat - lam * c / scale, axis=1).astype(np.int64)


def single_query(serve: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decisions of a router that queries only the model it serves: (serve, query mask, no scorer runs)."""
    return serve, np.left_shift(1, serve).astype(np.int64), np.zeros(serve.size)
