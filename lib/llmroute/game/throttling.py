"""Throttling (spec §4.4, Proposition 2) and a regulator's latency cap (ours, spec §6 item 6).

The provider may inflate latencies ``t_hat_i >= t_i`` on top of choosing ``(i, s)``. From the
both-value-dominated baseline (J* = min_i c_i/p_i), throttling both models above ``V p_i`` makes the user
abandon after the first failure, and the provider pays ``min_i [c_i + P(1-p_i)]``. The gain

    G(P) = min_i c_i/p_i - min_i [c_i + P (1-p_i)]

is piecewise linear, decreasing in P, and positive iff ``P < min_i c_i/p_i``.

Regulator (ours): a cap ``t_hat_i <= max(t_i, t_max)``. A model can be made latency-dominated only if
``t_max > V p_i``; at ``t_max = V p_i`` it can be made ``xi_i = 0``, where the user is indifferent and, under
the strong-Stackelberg convention of every solver here, leaves as the provider prefers. Throttling M2 alone already gives access to both abandonment losses (``(2,0)`` and the
escalation threat ``(1,1)`` of the ``+-`` regime); throttling M1 alone gives only ``c1 + P(1-p1)``. Hence
the capped gain is ``max(0, min_i c_i/p_i - min_{i in A} [c_i + P(1-p_i)])`` with ``A = {1,2}`` if
``t_max >= V p2``, ``A = {1}`` if ``V p1 <= t_max < V p2``, and no gain if ``t_max < V p1`` (checked numerically by
:func:`throttled_optimum`).
"""
from __future__ import annotations

import numpy as np

from .closed_forms import Game
from .params import GameArrays, as_arrays
from .provider import solve_closed_form


def throttling_gain(g: Game) -> np.ndarray:
    """``G(P) = min_i c_i/p_i - min_i [c_i + P(1-p_i)]`` (spec §4.4); may be negative (then not worth it)."""
    a = as_arrays(g)
    return np.minimum(a.c1 / a.p1, a.c2 / a.p2) - np.minimum(a.c1 + a.P * (1 - a.p1), a.c2 + a.P * (1 - a.p2))


def capped_gain(g: Game, t_max: np.ndarray | float = np.inf) -> np.ndarray:
    """The provider's best throttling gain (>= 0) under a latency cap ``t_max`` (closed form above), from a
    both-value-dominated baseline."""
    a = as_arrays(g)
    t_max = np.asarray(t_max, dtype=float)
    base = np.minimum(a.c1 / a.p1, a.c2 / a.p2)
    ab1 = a.c1 + a.P * (1 - a.p1)
    ab2 = a.c2 + a.P * (1 - a.p2)
    both = t_max >= a.V * a.p2
    only1 = (t_max >= a.V * a.p1) & ~both
    best = np.where(both, np.minimum(ab1, ab2), np.where(only1, ab1, np.inf))
    return np.maximum(0.0, base - best)


def throttled_optimum(g: Game, t_max: float = np.inf, n_t: int = 41, t_hi: float | None = None) -> dict[str, np.ndarray]:
    """Numeric check: minimise the provider's optimal loss over a grid of throttled latencies
    ``t_hat_i in [t_i, max(t_i, t_max)]`` (``n_t`` points each, plus points just above ``V p_i``), using the
    closed-form provider solver with the ordering ``t1 < t2`` relaxed. Returns ``J_base``, ``J_throttled``,
    ``gain`` (>= 0) and the arg-min latencies ``t1_hat``, ``t2_hat`` (shape of ``g``)."""
    a = as_arrays(g).broadcast()
    top = t_hi if t_hi is not None else 10.0 * float(np.max(a.V))
    t_max = np.broadcast_to(np.asarray(t_max, dtype=float), a.shape)
    u = np.linspace(0.0, 1.0, n_t)
    grids = []
    for t, p in ((a.t1, a.p1), (a.t2, a.p2)):
        hi = np.maximum(t, np.minimum(t_max, top))
        lin = t[..., None] + (hi - t)[..., None] * u
        just = a.V * p * (1 + 1e-9) + 1e-9
        just = np.where((just > t) & (just <= hi), just, t)[..., None]
        grids.append(np.concatenate([lin, just], -1))
    t1h = grids[0][..., :, None]
    t2h = grids[1][..., None, :]
    ex = {k: np.asarray(getattr(a, k))[..., None, None] for k in a.FIELDS if k not in ("t1", "t2")}
    thr = GameArrays(t1=t1h, t2=t2h, require_order=False, **ex)
    sol = solve_closed_form(thr)
    Jt = sol.J.reshape(sol.J.shape[:-2] + (-1,))
    k = np.argmin(Jt, -1)
    base = solve_closed_form(a).J
    Jmin = np.take_along_axis(Jt, k[..., None], -1)[..., 0]
    t1b = np.broadcast_to(t1h, sol.J.shape).reshape(Jt.shape)
    t2b = np.broadcast_to(t2h, sol.J.shape).reshape(Jt.shape)
    return {"J_base": base, "J_throttled": Jmin, "gain": base - Jmin,
            "t1_hat": np.take_along_axis(t1b, k[..., None], -1)[..., 0],
            "t2_hat": np.take_along_axis(t2b, k[..., None], -1)[..., 0]}
