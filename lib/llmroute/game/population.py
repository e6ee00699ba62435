"""Ours (beyond the paper, spec §6 item 2): a population of user types sharing one routing policy.

Types ``u`` with weights ``w_u`` (summing to 1), task values ``V_u``, latency costs ``t_u = (t_u1, t_u2)`` and
churn penalties ``P_u`` face one policy ``(i, s)`` over two models with common ``c`` and ``p``. Each type best
responds to the policy; the provider minimises ``sum_u w_u J_u``.

LP (spec §4.5 extension): for q = 0 the visits depend only on ``(p, s)``, so every staying type shares the
same flows ``(x, y)``. Enumerate the response pattern (stay/abandon per type) and the start model; each
(start, pattern) is an LP in ``(x, y)``: staying types need ``xi_u . x >= xi_{u,i}`` and ``s <= s_L,u``
(``+-`` types), abandoning types need ``xi_u . x <= xi_{u,i}`` and the local condition at ``q = 1``. Mixed
responses (a ``+-`` type with ``s`` in ``(s_L,u, s_H,u)``) are excluded from the LP; :func:`population_brute`
includes them, so comparing the two measures what that exclusion costs.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import cvxpy as cp
import numpy as np

from .._validate import check_positive, check_vector, fail
from .response import best_response, j_tol, s0, s_high, s_low, u_tol
from .closed_forms import outcome
from .lp import SNAP, LPError, _default_solver
from .params import GameArrays


@dataclass(frozen=True)
class UserTypes:
    """User types: weights ``w`` (>= 0, summing to 1), ``V`` (> 0), latency costs ``t1 < t2`` and churn
    penalties ``P`` (>= 0), one entry per type."""

    w: tuple[float, ...]
    V: tuple[float, ...]
    t1: tuple[float, ...]
    t2: tuple[float, ...]
    P: tuple[float, ...]

    def __post_init__(self) -> None:
        n = len(self.w)
        if not 1 <= n <= 8:
            fail("w", self.w, "between 1 and 8 types (patterns are enumerated)")
        for k in ("w", "V", "t1", "t2", "P"):
            object.__setattr__(self, k, check_vector(k, getattr(self, k), 0, length=n))
        for k, v in enumerate(self.V):
            check_positive(f"V[{k}]", v)
        if abs(sum(self.w) - 1.0) > 1e-9:
            fail("w", self.w, "weights summing to 1")
        for k, (a, b) in enumerate(zip(self.t1, self.t2)):
            if not a < b:
                fail(f"t2[{k}]", b, f"> t1[{k}] = {a:.6g} (standing assumption t1 < t2)")

    @property
    def n(self) -> int:
        return len(self.w)


@dataclass(frozen=True)
class PopulationSolution:
    """Shared policy ``(i, s)``, per-type responses ``q`` and utilities ``U``, and the weighted loss ``J``."""

    i: int
    s: float
    q: np.ndarray
    U: np.ndarray
    J: float


def _games(types: UserTypes, c: tuple[float, float], p: tuple[float, float]) -> GameArrays:
    arr = lambda v: np.asarray(v, float)  # noqa: E731
    return GameArrays(V=arr(types.V), P=arr(types.P), c1=c[0], c2=c[1], t1=arr(types.t1), t2=arr(types.t2),
                      p1=p[0], p2=p[1])


class PopulationLP:
    """Compiled LPs, one per response pattern, for ``n`` types and two models."""

    def __init__(self, n: int, solver: str | None = None) -> None:
        self.n = n
        self.solver = solver or _default_solver()
        self.e = cp.Parameter(2, nonneg=True)
        self.p = cp.Parameter(2, nonneg=True)
        self.rcap = cp.Parameter(nonneg=True)
        self.xi = cp.Parameter((n, 2))
        self.xi_start = cp.Parameter(n)
        self.cost = cp.Parameter((n, 2))      # w_u (c - P_u p)
        self.const = cp.Parameter(n)          # stay: w_u P_u; abandon: w_u (c_i + P_u (1-p_i))
        self.loc_x = cp.Parameter((n, 2))
        self.loc_y = cp.Parameter(n)
        self.x = cp.Variable(2, nonneg=True)
        self.y = cp.Variable(nonneg=True)
        self.problems: dict[tuple[int, ...], cp.Problem] = {}
        x, y = self.x, self.y
        base = [cp.multiply(self.p, x) + cp.hstack([y, 0]) - cp.hstack([0, y]) == self.e]
        for pat in itertools.product((0, 1), repeat=n):
            cons = list(base)
            obj = 0
            stay = [u for u in range(n) if pat[u] == 0]
            cons.append(y <= self.rcap * x[0] if stay else y <= (1 - self.p[0]) * x[0])
            for u in range(n):
                if pat[u] == 0:
                    cons.append(self.xi[u] @ x >= self.xi_start[u])
                    obj = obj + self.cost[u] @ x + self.const[u]
                else:
                    cons += [self.xi[u] @ x <= self.xi_start[u], self.loc_x[u] @ x + self.loc_y[u] * y <= 0]
                    obj = obj + self.const[u] + 0 * y
            self.problems[pat] = cp.Problem(cp.Minimize(obj + 1e-9 * y), cons)

    def solve(self, types: UserTypes, c: tuple[float, float], p: tuple[float, float]) -> PopulationSolution:
        """Best (start, pattern) LP; strong-Stackelberg ties (constraints are closed). Each LP answer is
        re-checked: every type's exact best response to the LP's policy (and to the policy snapped to the
        types' thresholds within ``SNAP``) is computed, and the realised weighted loss is compared; among equal
        losses the policy with the higher weighted user utility wins. ``q`` are the realised responses."""
        if types.n != self.n:
            fail("types", types.n, f"{self.n} types (as compiled)")
        g = _games(types, c, p)
        c_, p_ = np.asarray(c, float), np.asarray(p, float)
        V, P, w = (np.asarray(getattr(types, k)) for k in ("V", "P", "w"))
        xi = np.stack([V * p_[0] - np.asarray(types.t1), V * p_[1] - np.asarray(types.t2)], -1)
        sl = s_low(g)
        thresholds = np.concatenate([s0(g), sl, s_high(g)])
        best = None
        self.p.value, self.xi.value = p_, xi
        for i in (1, 2):
            e = np.zeros(2)
            e[i - 1] = 1
            self.e.value, self.xi_start.value = e, xi[:, i - 1]
            lx = np.zeros((self.n, 2))
            lx[:, i - 1] = (1 - p_[i - 1]) * xi[:, i - 1]
            self.loc_x.value = lx
            self.loc_y.value = (xi[:, 1] - xi[:, 0]) if i == 1 else np.zeros(self.n)
            self.cost.value = w[:, None] * (c_[None, :] - P[:, None] * p_[None, :])
            for pat, prob in self.problems.items():
                stay = np.array(pat) == 0
                cap = np.nanmin(np.where(stay & np.isfinite(sl), sl, 1.0)) if stay.any() else 1.0
                self.rcap.value = float(cap) * (1 - p_[0])
                self.const.value = np.where(stay, w * P, w * (c_[i - 1] + P * (1 - p_[i - 1])))
                prob.solve(solver=self.solver)
                if prob.status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
                    continue
                if prob.status != cp.OPTIMAL:
                    raise LPError(f"population LP start M{i}, pattern {pat}: status {prob.status!r}")
                x = np.maximum(self.x.value, 0)
                s_lp = float(np.clip(self.y.value / ((1 - p_[0]) * x[0]), 0, 1)) if (i == 1 and x[0] > 1e-12) else 0.0
                # re-check (as for the single-user LP): every type answers with its exact best response to the
                # policy, tried as the LP gave it and snapped to the nearby exact thresholds; realised loss
                for s_try in _snap_scalar(s_lp, thresholds) if i == 1 else [0.0]:
                    q = best_response(g, initial=i, s=s_try)
                    o = outcome(g, i, s_try, q)
                    J = float(np.sum(w * o.J))
                    Uw = float(np.sum(w * o.U))
                    if best is None or J < best[0] - float(j_tol(best[0])) or (
                            J <= best[0] + float(j_tol(best[0])) and Uw > best[4] + float(np.max(u_tol(g)))):
                        best = (J, i, s_try, np.asarray(q, float), Uw, np.asarray(o.U))
        if best is None:
            raise LPError("population LP: every (start, pattern) case infeasible")
        J, i, s, q, _, U = best
        return PopulationSolution(i=i, s=s, q=q, U=U, J=J)


def _snap_scalar(s: float, points: np.ndarray) -> list[float]:
    """``s`` and every exact point (0, 1, ``points``) within :data:`~lp.SNAP` of it."""
    exact = np.unique(np.concatenate([[0.0, 1.0], points[np.isfinite(points)]]))
    return [s] + [float(v) for v in exact[np.abs(exact - s) <= SNAP] if v != s]


def population_brute(types: UserTypes, c: tuple[float, float], p: tuple[float, float],
                     n_s: int = 2001) -> PopulationSolution:
    """Brute force over ``s`` (grid plus every type's thresholds) and ``(2,0)`` with each type's exact best
    response (mixed responses included; ties strong-Stackelberg per type)."""
    from .response import s0, s_high

    g = _games(types, c, p)
    w = np.asarray(types.w)
    extra = np.concatenate([v[np.isfinite(v)] for v in (s0(g), s_low(g), s_high(g))])
    s = np.unique(np.concatenate([np.linspace(0, 1, n_s), np.clip(extra, 0, 1)]))
    gb = g.broadcast()
    gg = gb.with_(**{k: getattr(gb, k)[:, None] for k in gb.FIELDS})
    q = best_response(gg, initial=1, s=s[None, :])
    o = outcome(gg, 1, s[None, :], q)
    Jw = (w[:, None] * o.J).sum(0)
    k = int(np.argmin(Jw))
    q2 = best_response(g, initial=2)
    o2 = outcome(g, 2, 0.0, q2)
    J2 = float((w * o2.J).sum())
    if J2 < Jw[k] - float(j_tol(Jw[k])):
        return PopulationSolution(i=2, s=0.0, q=q2, U=o2.U, J=J2)
    return PopulationSolution(i=1, s=float(s[k]), q=q[:, k], U=o.U[:, k], J=float(Jw[k]))


