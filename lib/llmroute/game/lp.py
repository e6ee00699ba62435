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

**Re-check against the user's exact best response.** The incentive constraints hold only to the solver's
tolerance (~1e-9), so an LP answer can be a policy the user would *not* follow (e.g. a cascade just below
``s0``, or "stay on M2" when ``xi_2 = -5e-8``). Every LP case's policy is therefore *repaired* and
*re-evaluated*: its escalation probabilities are also tried snapped to the nearby exact points (0, 1 and, for
K = 2, the thresholds ``s0, s_L, s_H`` within ``SNAP = 1e-6``), each try is evaluated at the user's exact best
response (K = 2: :func:`~response.best_response`, strong ties; K > 2: the best ``q`` on a 2,001-point grid
plus 0 and 1, same tie rule), and the provider's loss reported is the *realised* loss at that response,
never the LP's objective. The best realised policy wins; among equal losses (:func:`~response.j_tol`) the
one the user likes more (higher ``U``), as in every other solver of the package.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cvxpy as cp
import numpy as np

from .._validate import check_int, check_vector, fail
from .chain import chain_outcome
from .closed_forms import Game, outcome
from .params import as_arrays
from .response import TOL, best_response, j_tol, s0, s_high, s_low, u_scale

#: Escalation probabilities within this distance of an exact point (0, 1, a threshold) are also tried there.
SNAP = 1e-6

#: ``realise(start, s) -> (q, J, U, S, x)``: the outcome of policy (start, s) at the user's best response.
Realiser = Callable[[int, np.ndarray], tuple[float, float, float, float, np.ndarray]]


class LPError(RuntimeError):
    """A cvxpy solve ended with a status other than optimal or infeasible (names the case and the status)."""


def _default_solver() -> str:
    return "HIGHS" if "HIGHS" in cp.installed_solvers() else "CLARABEL"


@dataclass(frozen=True)
class LPSolution:
    """Provider optimum from the LPs, re-checked: start model ``i`` (1-based), escalation probabilities ``s``
    (length K-1; ``s[k]`` is NaN where model k+1 is never visited), the user's best response ``q`` to that
    policy, the realised ``J``, ``U``, solved probability ``S`` and visits ``x`` at that response, the
    ``case`` string, the LP's own objective ``J_lp`` for the case, and ``repaired`` (True when the reported
    policy or loss differs from the LP's raw answer: snapped ``s``, or a response other than the LP assumed)."""

    i: int
    s: np.ndarray
    q: float
    J: float
    U: float
    S: float
    x: np.ndarray
    case: str
    J_lp: float = float("nan")
    repaired: bool = False


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
              s_cap: np.ndarray | None = None, starts: tuple[int, ...] | None = None,
              realise: Realiser | None = None, snap: Sequence[float] = ()) -> LPSolution:
        """Best feasible (start, response) case after the re-check of the module docstring: each LP answer is
        evaluated (and snapped to ``0``, ``1`` and the points ``snap`` within :data:`SNAP`) at the user's best
        response given by ``realise`` (default :func:`chain_response`); ties prefer the higher ``U``, then the
        earlier start and staying."""
        K = self.K
        p = np.asarray(check_vector("p", p, 0, 1, lo_open=True, hi_open=True, length=K))
        c = np.asarray(check_vector("c", c, 0, length=K))
        t = np.asarray(check_vector("t", t, 0, length=K))
        s_cap = np.ones(K - 1) if s_cap is None else np.asarray(check_vector("s_cap", s_cap, 0, 1, length=K - 1))
        if realise is None:
            realise = lambda i, s: chain_response(p, c, t, V, P, s, i)  # noqa: E731
        xi = V * p - t
        self.p.value, self.cost.value, self.Pc.value, self.xi.value = p, c - P * p, float(P), xi
        self.r.value = 1 - p[:-1]
        self.rcap.value = s_cap * (1 - p[:-1])
        options: list[LPSolution] = []
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
            for J_lp, q_lp, x, y in cands:
                with np.errstate(divide="ignore", invalid="ignore"):
                    s = np.where(x[:-1] > 1e-12, y / ((1 - p[:-1]) * x[:-1]), np.nan)
                s = np.clip(s, 0, 1)
                s[: i - 1] = np.nan
                for s_try in _snaps(s, snap):
                    q, J, U, S, xr = realise(i, np.nan_to_num(s_try))
                    changed = (q != q_lp) or bool(np.any(np.nan_to_num(s_try) != np.nan_to_num(s))) \
                        or abs(J - J_lp) > 1e-9 * (1 + abs(J_lp))
                    options.append(LPSolution(i=i, s=s_try, q=q, J=J, U=U, S=S, x=xr,
                                              case=f"start M{i}, LP case q={q_lp:g}, user responds q={q:.6g}",
                                              J_lp=J_lp, repaired=changed))
        if not options:
            raise LPError("no feasible (start, response) case: every LP was infeasible; the user always has a "
                          "best response, so this indicates inconsistent parameters")
        Js = np.array([o.J for o in options])
        Us = np.array([o.U for o in options])
        tied = Js <= Js.min() + j_tol(Js.min())
        utol = TOL * float(u_scale(V, p, t))
        k = int(np.argmax(tied & (Us >= np.where(tied, Us, -np.inf).max() - utol)))
        return options[k]


def _snaps(s: np.ndarray, points: Sequence[float]) -> list[np.ndarray]:
    """``s`` itself, then every combination of its coordinates moved to the exact points (0, 1, ``points``)
    within :data:`SNAP` of them (a coordinate near two points, e.g. ``s_H = 1e-12`` and 0, tries both)."""
    import itertools

    exact = np.unique(np.array([0.0, 1.0, *[float(v) for v in points if np.isfinite(v)]]))
    choices = []
    for v in s:
        near = exact[np.abs(exact - v) <= SNAP] if np.isfinite(v) else np.array([])
        choices.append([v, *near.tolist()])
    out = [s]
    for combo in itertools.product(*choices):
        arr = np.array(combo, dtype=float)
        if not any(np.array_equal(np.nan_to_num(arr, nan=-1), np.nan_to_num(o, nan=-1)) for o in out):
            out.append(arr)
    return out


def chain_response(p: np.ndarray, c: np.ndarray, t: np.ndarray, V: float, P: float, s: np.ndarray,
                   start: int, n_q: int = 2001) -> tuple[float, float, float, float, np.ndarray]:
    """The user's best response to a K-chain policy ``(start, s)`` and the realised outcome
    ``(q, J, U, S, visits)``: ``q`` maximises ``U`` over ``n_q`` evenly spaced points of [0, 1] (0 and 1
    included); utilities within ``TOL * max_k max(V p_k, t_k)`` tie and the provider-preferred one (lower
    ``J``) is taken (strong Stackelberg, as :func:`~response.best_response`)."""
    from .chain import expected_visits

    qs = np.linspace(0.0, 1.0, n_q)
    sv = np.append(np.asarray(s, float), 0.0)
    o = chain_outcome(p, t, c, V, P, sv, qs, start - 1)
    ok = o.U >= o.U.max() - TOL * float(u_scale(V, p, t))
    k = int(np.argmin(np.where(ok, o.J, np.inf)))
    x = expected_visits(p, sv, qs[k], start - 1)
    return float(qs[k]), float(o.J[k]), float(o.U[k]), float(o.S[k]), np.asarray(x, float)


def _two_model_realiser(a) -> Realiser:
    """Exact best response (spec §4.1, strong ties) and closed-form outcome for the two-model game ``a``."""
    def realise(i: int, s: np.ndarray) -> tuple[float, float, float, float, np.ndarray]:
        sv = float(s[0]) if i == 1 else 0.0
        q = float(best_response(a, initial=i, s=sv))
        o = outcome(a, i, sv, q)
        from .closed_forms import visits
        n1, n2 = visits(a, i, sv, q)
        return q, float(o.J), float(o.U), float(o.S), np.array([float(n1), float(n2)])
    return realise


def solve_lp(g: Game, lp: ProviderLP | None = None) -> LPSolution:
    """Two-model provider optimum by the LPs of spec §4.5 for one game (``g`` must be a single point), each
    LP answer re-checked against the user's exact best response (spec §4.1) and repaired (``s`` snapped to
    ``s0, s_L, s_H``, 0 or 1 within :data:`SNAP`) or rejected; the result is never a policy the user would
    not follow, and its ``J`` is the realised loss."""
    a = as_arrays(g)
    if a.shape != ():
        fail("g", a.shape, "a single game (shape ()); loop over a grid with solve_lp_grid")
    lp = lp or ProviderLP(2)
    sl = float(s_low(a))
    cap = np.array([sl if np.isfinite(sl) else 1.0])
    return lp.solve(np.array([a.p1, a.p2]), np.array([a.c1, a.c2]), np.array([a.t1, a.t2]), float(a.V),
                    float(a.P), s_cap=cap, realise=_two_model_realiser(a),
                    snap=(float(s0(a)), sl, float(s_high(a))))


def solve_lp_grid(g: Game, lp: ProviderLP | None = None) -> dict[str, np.ndarray]:
    """:func:`solve_lp` at every point of ``g`` (one compiled problem, re-solved); arrays of ``g.shape`` for
    ``i, s, q, J, U, S`` and ``repaired`` (1.0 where the LP's raw answer was repaired by the re-check)."""
    a = as_arrays(g)
    lp = lp or ProviderLP(2)
    f = a.flat()
    out = {k: np.empty(f.V.size) for k in ("i", "s", "q", "J", "U", "S", "repaired")}
    for n in range(f.V.size):
        sol = solve_lp(f.at(n), lp)
        for k in ("i", "q", "J", "U", "S", "repaired"):
            out[k][n] = getattr(sol, k)
        out["s"][n] = 0.0 if sol.i == 2 else sol.s[0]
    return {k: v.reshape(a.shape) for k, v in out.items()}
