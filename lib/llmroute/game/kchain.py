"""Ours (beyond the paper, spec §6 item 1): K > 2 models in an escalation chain M1 -> M2 -> ... -> MK.

The provider picks a start model and escalation probabilities ``s_k`` (model k -> k+1 at each re-prompt);
the user a stationary abandonment probability ``q``. The LP of :class:`lp.ProviderLP` solves the provider's
problem restricted to pure user responses (q in {0, 1}); :func:`kchain_brute` is an independent brute
force over a grid of escalation vectors with the user's best response found on a dense q grid (mixed
responses included), through the fundamental matrix (:func:`chain.chain_outcome`).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .._validate import check_int, check_increasing, check_vector, check_positive, check_nonneg
from .chain import chain_outcome
from .response import TOL, j_tol, u_scale


@dataclass(frozen=True)
class ChainGame:
    """K models (ordered by accuracy ``p`` increasing), task value ``V``, churn penalty ``P``."""

    c: tuple[float, ...]
    t: tuple[float, ...]
    p: tuple[float, ...]
    V: float
    P: float

    def __post_init__(self) -> None:
        K = len(self.p)
        check_int("K", K, 2, 50)
        object.__setattr__(self, "p", check_vector("p", self.p, 0, 1, lo_open=True, hi_open=True, length=K))
        object.__setattr__(self, "c", check_vector("c", self.c, 0, length=K))
        object.__setattr__(self, "t", check_vector("t", self.t, 0, length=K))
        check_increasing("p", self.p)
        object.__setattr__(self, "V", check_positive("V", self.V))
        object.__setattr__(self, "P", check_nonneg("P", self.P))

    @property
    def K(self) -> int:
        return len(self.p)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return np.asarray(self.p), np.asarray(self.c), np.asarray(self.t)


def kchain_brute(game: ChainGame, n_s: int = 21, n_q: int = 201, tie_tol: float = TOL) -> dict[str, object]:
    """Brute-force Stackelberg optimum: every start, every escalation vector on an ``n_s``-point grid per
    edge, the user's best q on an ``n_q``-point grid. Tie rules as in every solver of the package
    (:mod:`response`): the user is indifferent within ``tie_tol * max_k max(V p_k, t_k)`` and then picks the
    provider-preferred q; among policies of equal loss (:func:`~response.j_tol`) the provider picks the one the
    user likes more (higher U), then the earlier start and grid order. Returns ``J, U, i, s, q``."""
    p, c, t = game.arrays()
    K = game.K
    grid = np.linspace(0, 1, n_s)
    qs = np.linspace(0, 1, n_q)
    best = None
    for start in range(K):
        free = K - 1 - start
        svecs = np.array(list(itertools.product(grid, repeat=free))) if free else np.zeros((1, 0))
        S = np.zeros((svecs.shape[0], K))
        S[:, start:K - 1] = svecs
        o = chain_outcome(p, t, c, game.V, game.P, S[:, None, :], qs[None, :], start)
        utol = tie_tol * float(u_scale(game.V, p, t))
        Umax = o.U.max(1, keepdims=True)
        J = np.where(o.U >= Umax - utol, o.J, np.inf)
        kq = J.argmin(1)
        Jbest = J[np.arange(J.shape[0]), kq]
        Ubest = o.U[np.arange(J.shape[0]), kq]
        tied = Jbest <= Jbest.min() + j_tol(Jbest.min())
        ks = int(np.argmax(tied & (Ubest >= np.where(tied, Ubest, -np.inf).max() - utol)))
        better = best is None or Jbest[ks] < best["J"] - j_tol(best["J"]) or (
            Jbest[ks] <= best["J"] + j_tol(best["J"]) and Ubest[ks] > best["U"] + utol)
        if better:
            best = {"J": float(Jbest[ks]), "U": float(o.U[ks, kq[ks]]), "i": start + 1,
                    "s": S[ks, :K - 1].copy(), "q": float(qs[kq[ks]])}
    assert best is not None
    return best
