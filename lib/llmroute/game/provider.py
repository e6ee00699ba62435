"""The provider's problem (spec §4.2): ``min_{i,s} J_i(s, q*(i,s))``, three independent ways.

1. :func:`solve_closed_form` — compare the closed-form candidates of §4.2, vectorised over a grid:
   ``(1,0)``, ``(2,0)``, ``(1,1)`` (equivalent to any ``s >= s_H``), the minimal cascade that keeps the user
   ``(1,s0)`` (regime ``-+``) and ``(1,s_L)`` (regime ``+-``). Each candidate's loss is evaluated at the
   user's best response (ties broken as in :func:`best_response`), so the comparison needs no case analysis;
   :func:`rule_table` states the same result as the case rules of Theorems 3-5 (Fig. 1).
2. :func:`solve_brute_force` — minimise over a grid of ``s`` (default 801 points) plus the threshold points,
   with ``q*(s)`` substituted, and over ``i = 2``.
3. :mod:`lp` — the linear programs of §4.5 with cvxpy.

Ties between policies of equal provider loss (within :func:`~response.j_tol`), the same rule in every solver
(closed form, brute force, LP): **the policy the user likes more wins** (higher ``U``; utilities within
:func:`~response.u_tol` count as equal); among policies equal for both, the order of :data:`CANDIDATES`
(static first, so in the ``--`` regime ``(1,0)`` is reported rather than the equivalent ``(1,1)``), and in
the brute force the smaller ``s`` with ``(1,·)`` before ``(2,0)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .response import REGIMES, best_response, j_tol, regime, s0, s_high, s_low, u_tol
from .closed_forms import Game, outcome
from .params import GameArrays, as_arrays

#: Candidate policies of spec §4.2, in tie-break order.
CANDIDATES: tuple[str, ...] = ("(1,0)", "(2,0)", "(1,1)", "(1,s0)", "(1,s_L)")
#: Provider-loss tie tolerance factor (kept for backwards compatibility; see :func:`response.j_tol`).
J_TIE = 1e-12


@dataclass(frozen=True)
class ProviderSolution:
    """The Stackelberg outcome: initial model ``i``, cascade ``s``, user response ``q``, provider loss ``J``,
    user utility ``U``, solved probability ``S`` and the candidate index ``label`` (into :data:`CANDIDATES`;
    -1 for a brute-force point that is none of them)."""

    i: np.ndarray
    s: np.ndarray
    q: np.ndarray
    J: np.ndarray
    U: np.ndarray
    S: np.ndarray
    label: np.ndarray

    def labels(self) -> np.ndarray:
        """Candidate names as strings."""
        names = np.array(CANDIDATES + ("other",), dtype=object)
        return names[np.where(self.label >= 0, self.label, len(CANDIDATES))]

    @property
    def cascade(self) -> np.ndarray:
        """True where a cascade ``0 < s* < 1`` is used with the user staying (``q* = 0``), spec §7.5."""
        return (self.i == 1) & (self.s > 0) & (self.s < 1) & (self.q == 0)


def _evaluate(a: GameArrays, initial: int, s: np.ndarray, tie_break: str) -> tuple[np.ndarray, ...]:
    q = best_response(a, initial=initial, s=s, tie_break=tie_break)
    o = outcome(a, initial, s, q)
    return q, o.J, o.U, o.S


def candidate_table(g: Game, tie_break: str = "strong") -> dict[str, np.ndarray]:
    """Arrays of shape ``g.shape + (5,)`` for the five candidates: ``s``, ``q``, ``J`` (``inf`` where the
    candidate does not exist), ``U``, ``S``."""
    a = as_arrays(g)
    shp = a.shape
    zero, one = np.zeros(shp), np.ones(shp)
    sz, sl = s0(a), s_low(a)
    rows = [(1, zero, np.ones(shp, bool)), (2, zero, np.ones(shp, bool)), (1, one, np.ones(shp, bool)),
            (1, np.nan_to_num(sz), ~np.isnan(sz)), (1, np.nan_to_num(sl), ~np.isnan(sl))]
    out = {k: [] for k in ("s", "q", "J", "U", "S")}
    for initial, s, exists in rows:
        q, J, U, S = _evaluate(a, initial, s, tie_break)
        for k, v in zip(("s", "q", "J", "U", "S"), (s, q, np.where(exists, J, np.inf), U, S)):
            out[k].append(np.broadcast_to(v, shp))
    return {k: np.stack(v, -1) for k, v in out.items()}


def pick_user_preferred(J: np.ndarray, U: np.ndarray, utol: np.ndarray) -> np.ndarray:
    """Index along the last axis of the minimal ``J``; among ``J`` ties (:func:`~response.j_tol`) the largest
    ``U`` (ties within ``utol`` broadcast against ``J[..., 0]``); then the first index."""
    best = J.min(-1, keepdims=True)
    tied = J <= best + j_tol(best)
    Ut = np.where(tied, U, -np.inf)
    umax = Ut.max(-1, keepdims=True)
    return np.argmax(tied & (U >= umax - np.asarray(utol)[..., None]), axis=-1)


def solve_closed_form(g: Game, tie_break: str = "strong") -> ProviderSolution:
    """Provider optimum by the candidate comparison of spec §4.2, vectorised over ``g``'s shape. Among
    candidates of equal loss the one the user likes more (higher ``U``) wins, then the order of
    :data:`CANDIDATES`."""
    tab = candidate_table(g, tie_break)
    k = pick_user_preferred(tab["J"], tab["U"], u_tol(g))
    take = lambda x: np.take_along_axis(x, k[..., None], -1)[..., 0]  # noqa: E731
    i = np.where(k == 1, 2, 1)
    return ProviderSolution(i=i, s=take(tab["s"]), q=take(tab["q"]), J=take(tab["J"]), U=take(tab["U"]),
                            S=take(tab["S"]), label=k)


def solve_brute_force(g: Game, n_s: int = 801, tie_break: str = "strong", chunk: int = 2048) -> ProviderSolution:
    """Provider optimum by brute force: ``s`` on ``n_s`` grid points plus ``s0, s_L, s_H`` (spec §7.3), the
    user's best response substituted, and ``(2,0)``; among equal losses the policy the user likes more (higher
    ``U``) wins, then ``(1,·)`` with the smaller ``s``, then ``(2,0)``. Chunked over the flattened grid so
    memory stays bounded."""
    a = as_arrays(g)
    shp = a.shape
    f = a.flat()
    n = f.V.size
    grid = np.linspace(0.0, 1.0, n_s)
    res = {k: np.empty(n) for k in ("i", "s", "q", "J", "U", "S")}
    for lo in range(0, n, chunk):
        sl = slice(lo, min(n, lo + chunk))
        sub = GameArrays(**{k: getattr(f, k)[sl] for k in GameArrays.FIELDS}, require_order=a.require_order)
        extra = np.stack([s0(sub), s_low(sub), s_high(sub)], -1)
        extra = np.where(np.isnan(extra), 0.0, np.clip(extra, 0.0, 1.0))
        S_all = np.concatenate([np.broadcast_to(grid, (extra.shape[0], n_s)), extra], -1)
        sub2 = GameArrays(**{k: getattr(sub, k)[:, None] for k in GameArrays.FIELDS}, require_order=a.require_order)
        q1, J1v, U1v, S1v = _evaluate(sub2, 1, S_all, tie_break)
        q2, J2v, U2v, S2v = _evaluate(sub, 2, np.zeros(sub.V.shape), tie_break)
        # (1,s) for every s, then (2,0) last; sorted by s so the first index among full ties is the smallest s
        order = np.argsort(S_all, axis=-1, kind="stable")
        Jall = np.concatenate([np.take_along_axis(J1v, order, -1), J2v[:, None]], -1)
        Uall = np.concatenate([np.take_along_axis(U1v, order, -1), U2v[:, None]], -1)
        kk = pick_user_preferred(Jall, Uall, u_tol(sub))
        use2 = kk == Jall.shape[-1] - 1
        k1 = np.take_along_axis(order, np.minimum(kk, n_s + 2)[:, None], -1)[:, 0]
        tk = lambda x: np.take_along_axis(x, k1[:, None], -1)[:, 0]  # noqa: E731
        res["i"][sl] = np.where(use2, 2, 1)
        res["s"][sl] = np.where(use2, 0.0, tk(S_all))
        for key, v1, v2 in (("q", q1, q2), ("J", J1v, J2v), ("U", U1v, U2v), ("S", S1v, S2v)):
            res[key][sl] = np.where(use2, v2, tk(v1))
    label = _label(a, res["i"].reshape(shp), res["s"].reshape(shp), res["q"].reshape(shp))
    return ProviderSolution(i=res["i"].reshape(shp).astype(int), s=res["s"].reshape(shp), q=res["q"].reshape(shp),
                            J=res["J"].reshape(shp), U=res["U"].reshape(shp), S=res["S"].reshape(shp), label=label)


def _label(a: GameArrays, i: np.ndarray, s: np.ndarray, q: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Map a brute-force ``(i, s, q)`` to a candidate index (-1 if none)."""
    sz, sl, sh = s0(a), s_low(a), s_high(a)
    return np.select([i == 2, s <= tol, np.abs(s - sz) <= tol, np.abs(s - sl) <= tol,
                      (s >= 1 - tol) | ((q == 1) & (s >= sh - tol))], [1, 0, 3, 4, 2], -1)


def rule_table(g: Game) -> list[dict[str, str]]:
    """Fig. 1 as data: per regime, the candidates compared and the winning condition, with the numbers of
    ``g`` filled in (generated from the same candidate set as :func:`solve_closed_form`)."""
    a = as_arrays(g)
    c1, c2, p1, p2 = (float(getattr(a, k)) for k in ("c1", "c2", "p1", "p2"))
    inc = (c2 - c1) / (p2 - p1)
    reg = REGIMES[int(regime(a))]
    rows = [
        {"regime": "++ (xi1>=0, xi2>=0)", "user": "q*=0 for every s",
         "rule": "route argmin c_i/p_i, no cascade (Theorem 3)", "candidates": "(1,0): c1/p1; (2,0): c2/p2"},
        {"regime": "-- (xi1<0, xi2<0)", "user": "q*=1 for every s",
         "rule": f"M2 iff P > (c2-c1)/(p2-p1) = {inc:.4g}; s irrelevant (Theorem 3)",
         "candidates": "(1,0): c1+P(1-p1); (2,0): c2+P(1-p2)"},
        {"regime": "-+ (xi1<0<=xi2)", "user": "stay iff s >= s0",
         "rule": "if c1/p1 < c2/p2: min(C1(s0,0), c1+P(1-p1)) else min(c2/p2, c1+P(1-p1))",
         "candidates": "(2,0): c2/p2; (1,0): c1+P(1-p1); (1,s0): C1(s0,0)"},
        {"regime": "+- (xi1>=0>xi2)", "user": "stay iff s <= s_L; mixed on (s_L,s_H); abandon for s >= s_H",
         "rule": "min(stay value, c1+P(1-p1), c2+P(1-p2)); stay value c1/p1 if c1/p1<=c2/p2 else C1(s_L,0)",
         "candidates": "(1,0) or (1,s_L): stay; (1,1): c1+P(1-p1); (2,0): c2+P(1-p2)"},
    ]
    for r in rows:
        r["this game"] = "yes" if r["regime"].startswith(reg) else ""
    return rows
