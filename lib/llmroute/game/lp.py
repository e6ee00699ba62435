"""The provider's problem as linear programs in cvxpy (spec §4.5, our formulation), for K >= 2 models.

For a fixed user response ``q`` the expected visits are linear in the flows. Variables: expected passes
``x_k >= 0`` on each model and escalated flows ``y_k >= 0`` from model k to k+1 (``y_k = s_k (1-p_k) x_k``
at ``q = 0``, so ``s_k = y_k / ((1-p_k) x_k)`` is recovered afterwards). Flow conservation at ``q = 0``:

    p_k x_k + y_k - y_{k-1} = 1[k = start],      0 <= y_k <= s_cap_k (1-p_k) x_k.

**Stay problem** (``q* = 0``): minimise ``J = sum_k (c_k - P p_k) x_k + P`` subject to the user preferring to
stay, ``U = sum_k xi_k x_k >= xi_start`` (= the utility of abandoning after the first failure). In the ``+-``
regime staying is the best response only for ``s <= s_L`` (the first-order condition at ``q = 0`` is
quadratic in ``s``), so for K = 2 we pass ``s_cap_1 = s_L`` (a parameter; 1 otherwise).

**Abandon problem** (``q* = 1``): the realised visits are one pass on the start model, ``J = c_i + P(1-p_i)``
and ``U = xi_i``. The policy ``s`` is carried by *shadow* stay-flows ``(x', y')`` and must make abandoning
a best response: ``sum_k xi_k x'_k <= xi_start`` (staying is not better) and ``q = 1`` is a local optimum,
``dU/dr|_{r=0} ∝ (1-s_i) xi_i + s_i xi_{i+1} <= 0``, i.e. ``((1-p_i) x'_i - y'_i) xi_i + y'_i xi_{i+1} <= 0``.
The objective among equally good shadow policies picks the smallest escalation.

Each problem is compiled once with ``cp.Parameter``s (DPP) and re-solved for each start model and each
parameter point; statuses are checked explicitly (:class:`LPError` on anything but optimal/infeasible).
For K = 2 the optimum equals the closed-form candidates of spec §4.2 (tests).
"""
from __future__ import annotations

from dataclasses import dataclass

import cvxpy as cp
import numpy as np

from .._validate import check_int, check_vector, fail
from .response import s_low
from .closed_forms import Game
from .params import as_arrays


class LPError(RuntimeError):
    """A cvxpy solve ended with a status other than optimal or infeasible (names the case and the status)."""


def _default_solver() -> str:
    return "HIGHS" if "HIGHS" in cp.installed_solvers() else "CLARABEL"


@dataclass(frozen=True)
class LPSolution:
    """Provider optimum from the LPs: start model ``i`` (1-based), escalation probabilities ``s`` (length
    K-1; ``s[k]`` is NaN where model k+1 is never visited), user response ``q`` (0 or 1), ``J``, ``U``,
    solved probability ``S``, realised visits ``x``, and the ``case`` string."""

    i: int
    s: np.ndarray
    q: float
    J: float
    U: float
    S: float
    x: np.ndarray
    case: str


class ProviderLP:
    """Compiled stay/abandon LPs for a K-model escalation chain. ``solve(p, c, t, V, P, s_cap)``."""

    def __init__(self, K: int = 2, solver: str | None = None) -> None:
        self.K = check_int("K", K, 2, 50)
        self.solver = solver or _default_solver()
        K = self.K
        self.e = cp.Parameter(K, nonneg=True, name="start")
        self.p = cp.Parameter(K, nonneg=True, name="p")
        self.rcap = cp.Parameter(K - 1, nonneg=True, name="s_cap_times_fail")
        self.r = cp.Parameter(K - 1, nonneg=True, name="fail")
        self.cost = cp.Parameter(K, name="c_minus_Pp")
        self.Pc = cp.Parameter(name="P")
        self.xi = cp.Parameter(K, name="xi")
        self.xi_start = cp.Parameter(name="xi_start")
        self.loc_x = cp.Parameter(K, name="local_x")
        self.loc_y = cp.Parameter(K - 1, name="local_y")

        def flows(x: cp.Variable, y: cp.Variable) -> list:
            inflow = cp.hstack([0, y]) if K > 1 else 0
            outflow = cp.hstack([y, 0])
            return [cp.multiply(self.p, x) + outflow - inflow == self.e]

        x, y = cp.Variable(K, nonneg=True, name="x"), cp.Variable(K - 1, nonneg=True, name="y")
        self._x, self._y = x, y
        stay_cons = flows(x, y) + [y <= cp.multiply(self.rcap, x[:-1]), self.xi @ x >= self.xi_start]
        self.stay = cp.Problem(cp.Minimize(self.cost @ x + self.Pc), stay_cons)
        xs, ys = cp.Variable(K, nonneg=True, name="x_shadow"), cp.Variable(K - 1, nonneg=True, name="y_shadow")
        self._xs, self._ys = xs, ys
        ab_cons = flows(xs, ys) + [ys <= cp.multiply(self.r, xs[:-1]), self.xi @ xs <= self.xi_start,
                                   self.loc_x @ xs + self.loc_y @ ys <= 0]
        self.abandon = cp.Problem(cp.Minimize(cp.sum(ys)), ab_cons)
        assert self.stay.is_dcp(dpp=True) and self.abandon.is_dcp(dpp=True)

    def _run(self, prob: cp.Problem, case: str) -> bool:
        try:
            prob.solve(solver=self.solver)
        except cp.SolverError as err:  # pragma: no cover - solver failure is an error, never silent
            raise LPError(f"{case}: solver {self.solver} failed: {err}") from err
        if prob.status == cp.OPTIMAL:
            return True
        if prob.status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
            return False
        raise LPError(f"{case}: status {prob.status!r} (expected 'optimal' or 'infeasible')")

    def solve(self, p: np.ndarray, c: np.ndarray, t: np.ndarray, V: float, P: float,
              s_cap: np.ndarray | None = None, starts: tuple[int, ...] | None = None) -> LPSolution:
        """Best feasible (start, response) case; ties prefer earlier start, then staying."""
        K = self.K
        p = np.asarray(check_vector("p", p, 0, 1, lo_open=True, hi_open=True, length=K))
        c = np.asarray(check_vector("c", c, 0, length=K))
        t = np.asarray(check_vector("t", t, 0, length=K))
        s_cap = np.ones(K - 1) if s_cap is None else np.asarray(check_vector("s_cap", s_cap, 0, 1, length=K - 1))
        xi = V * p - t
        self.p.value, self.cost.value, self.Pc.value, self.xi.value = p, c - P * p, float(P), xi
        self.r.value = 1 - p[:-1]
        self.rcap.value = s_cap * (1 - p[:-1])
        best: LPSolution | None = None
        for i in (starts or range(1, K + 1)):
            e = np.zeros(K)
            e[i - 1] = 1.0
            self.e.value, self.xi_start.value = e, float(xi[i - 1])
            lx, ly = np.zeros(K), np.zeros(K - 1)
            lx[i - 1] = (1 - p[i - 1]) * xi[i - 1]
            if i < K:
                ly[i - 1] = xi[i] - xi[i - 1]
            self.loc_x.value, self.loc_y.value = lx, ly
            cands = []
            if self._run(self.stay, f"start M{i}, user stays (q=0)"):
                x, y = np.maximum(self._x.value, 0), np.maximum(self._y.value, 0)
                cands.append((float(self.stay.value), 0.0, x, y))
            if self._run(self.abandon, f"start M{i}, user abandons (q=1)"):
                x, y = np.maximum(self._xs.value, 0), np.maximum(self._ys.value, 0)
                cands.append((float(c[i - 1] + P * (1 - p[i - 1])), 1.0, x, y))
            for J, q, x, y in cands:
                if best is not None and J >= best.J - 1e-9 * (1 + abs(best.J)):
                    continue
                with np.errstate(divide="ignore", invalid="ignore"):
                    s = np.where(x[:-1] > 1e-12, y / ((1 - p[:-1]) * x[:-1]), np.nan)
                s = np.clip(s, 0, 1)
                s[: i - 1] = np.nan
                if q == 0:
                    xr = x
                else:
                    xr = e.copy()
                S = float(p @ xr)
                best = LPSolution(i=i, s=s, q=q, J=J, U=float(V * S - t @ xr), S=S, x=xr,
                                  case=f"start M{i}, q={q:g}")
        if best is None:
            raise LPError("no feasible (start, response) case: every LP was infeasible; the user always has a "
                          "best response, so this indicates inconsistent parameters")
        return best


def solve_lp(g: Game, lp: ProviderLP | None = None) -> LPSolution:
    """Two-model provider optimum by the LPs of spec §4.5 for one game (``g`` must be a single point)."""
    a = as_arrays(g)
    if a.shape != ():
        fail("g", a.shape, "a single game (shape ()); loop over a grid with solve_lp_grid")
    lp = lp or ProviderLP(2)
    sl = float(s_low(a))
    cap = np.array([sl if np.isfinite(sl) else 1.0])
    return lp.solve(np.array([a.p1, a.p2]), np.array([a.c1, a.c2]), np.array([a.t1, a.t2]), float(a.V),
                    float(a.P), s_cap=cap)


def solve_lp_grid(g: Game, lp: ProviderLP | None = None) -> dict[str, np.ndarray]:
    """:func:`solve_lp` at every point of ``g`` (one compiled problem, re-solved); arrays of ``g.shape``."""
    a = as_arrays(g)
    lp = lp or ProviderLP(2)
    f = a.flat()
    out = {k: np.empty(f.V.size) for k in ("i", "s", "q", "J", "U", "S")}
    for n in range(f.V.size):
        sol = solve_lp(f.at(n), lp)
        for k in ("i", "q", "J", "U", "S"):
            out[k][n] = getattr(sol, k)
        out["s"][n] = 0.0 if sol.i == 2 else sol.s[0]
    return {k: v.reshape(a.shape) for k, v in out.items()}
