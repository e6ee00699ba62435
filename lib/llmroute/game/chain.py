"""The absorbing Markov chain of the interaction (spec §2.3), for K >= 2 models in an escalation chain.

Transient states M1..MK (one pass each), absorbing Solved and Abandoned. From ``Mk``: solved with
``p_k``; abandoned with ``(1-p_k) q``; re-prompt on ``Mk`` with ``(1-p_k)(1-q)(1-s_k)``; escalate to
``M(k+1)`` with ``(1-p_k)(1-q) s_k`` (``s_K = 0``). With K = 2 this is exactly the table of spec §2.3.

The expected visits are the start row of the fundamental matrix ``N = (I - Q)^{-1}`` (Kemeny & Snell),
so ``S = N p``, ``L = N t``, ``C = N c``. :func:`outcome_fundamental` computes the two-model outcome this
way, as an independent check of the closed forms of :mod:`closed_forms`.
"""
from __future__ import annotations

import numpy as np

from .closed_forms import Game, Outcome
from .params import as_arrays


def transient_matrix(p: np.ndarray, s: np.ndarray, q: np.ndarray | float) -> np.ndarray:
    """``Q`` (shape ``(..., K, K)``) among the transient states; ``p``, ``s`` have shape ``(..., K)``."""
    p = np.asarray(p, dtype=float)
    s = np.asarray(s, dtype=float)
    q = np.asarray(q, dtype=float)[..., None]
    K = p.shape[-1]
    shp = np.broadcast_shapes(p.shape, s.shape, q.shape[:-1] + (K,))
    cont = np.broadcast_to((1.0 - p) * (1.0 - q), shp)
    s = np.broadcast_to(s, shp).copy()
    s[..., -1] = 0.0
    Q = np.zeros(cont.shape + (K,))
    idx = np.arange(K)
    Q[..., idx, idx] = cont * (1.0 - s)
    Q[..., idx[:-1], idx[1:]] = (cont * s)[..., :-1]
    return Q


def expected_visits(p: np.ndarray, s: np.ndarray, q: np.ndarray | float, start: int) -> np.ndarray:
    """Row ``start`` (0-based) of ``N = (I - Q)^{-1}``: expected passes on each model, shape ``(..., K)``."""
    Q = transient_matrix(p, s, q)
    K = Q.shape[-1]
    N = np.linalg.inv(np.eye(K) - Q)
    return N[..., start, :]


def chain_outcome(p: np.ndarray, t: np.ndarray, c: np.ndarray, V: np.ndarray | float, P: np.ndarray | float,
                  s: np.ndarray, q: np.ndarray | float, start: int) -> Outcome:
    """``S, L, C, U, J`` of a K-model escalation chain via the fundamental matrix (spec §6 extension 1)."""
    n = expected_visits(p, s, q, start)
    S = (n * np.asarray(p, float)).sum(-1)
    L = (n * np.asarray(t, float)).sum(-1)
    C = (n * np.asarray(c, float)).sum(-1)
    V = np.asarray(V, float)
    return Outcome(S=S, L=L, C=C, U=V * S - L, J=C + np.asarray(P, float) * (1.0 - S))


def outcome_fundamental(g: Game, initial: int, s: np.ndarray | float, q: np.ndarray | float) -> Outcome:
    """The two-model outcome computed through ``N = (I - Q)^{-1}`` (independent of the closed forms)."""
    a = as_arrays(g)
    shp = np.broadcast_shapes(a.shape, np.shape(s), np.shape(q))
    bc = lambda x: np.broadcast_to(np.asarray(x, float), shp)  # noqa: E731
    p = np.stack([bc(a.p1), bc(a.p2)], -1)
    t = np.stack([bc(a.t1), bc(a.t2)], -1)
    c = np.stack([bc(a.c1), bc(a.c2)], -1)
    sv = np.stack([bc(s), np.zeros(shp)], -1)
    return chain_outcome(p, t, c, bc(a.V), bc(a.P), sv, bc(q), initial - 1)
