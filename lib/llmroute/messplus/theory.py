"""The reconstructed MESS+ theory (spec §2 [RECON]) as functions: the LP optimum E*, the drift constant B and the
two bounds the theory notebook checks by simulation, each with its tightness (measured / bound).

* E* (:func:`lp_optimum_cost`): the optimal *fractional* policy with exact labels and list costs E_bar_m,

      E* = min_y (1/T) sum_{t,m} y_{tm} E_bar_m   s.t.  (1/T) sum_{t,m} y_{tm} s_{tm} >= alpha,
           sum_m y_{tm} = 1,  0 <= y_{tm} <= 1,

  solved with HiGHS (``scipy.optimize.linprog``); :func:`lp_dual_cost` computes the same value from the
  Lagrangian dual max_{lambda >= 0} lambda alpha + (1/T) sum_t min_m (E_bar_m - lambda s_{tm}) (a concave,
  piecewise-linear function maximised at one of its breakpoints), an independent check (strong duality).
* B = max(alpha, 1 - alpha)^2 / 2 (:func:`drift_constant`): Q_{t+1}^2 - Q_t^2 <= (alpha - s_t)^2 + 2 Q_t (alpha - s_t).
* cost gap bound B / V (:func:`cost_gap_bound`) and SLA bound sqrt(2 (B + V E_max) / T) (:func:`sla_bound`).
* :func:`tightness`: measured / bound; <= 1 means the bound holds, and how far under 1 says how loose it is
  (negative when the measured gap is negative: the policy beat E*, which the fractional LP allows only through
  sampling noise of a finite stream; such values are shown, never clipped).
"""
from __future__ import annotations

import numpy as np

from .._validate import check_positive, check_prob


def drift_constant(alpha: float) -> float:
    """B = max(alpha, 1 - alpha)^2 / 2 (spec §2: |alpha - s_t| <= max(alpha, 1 - alpha) for s_t in {0, 1})."""
    a = check_prob("alpha", alpha, open_=True)
    return 0.5 * max(a, 1 - a) ** 2


def cost_gap_bound(B: float, V: float) -> float:
    """The reconstructed cost bound's gap: time-averaged cost - E* <= B / V (exact s_hat, list costs, no
    exploration)."""
    return float(B) / check_positive("V", V)


def sla_bound(B: float, V: float, E_max: float, T) -> np.ndarray | float:
    """The reconstructed general SLA bound: alpha - mean satisfaction <= E[Q_T]/T <= sqrt(2 (B + V E_max) / T)."""
    t = np.asarray(T, dtype=float)
    out = np.sqrt(2.0 * (B + check_positive("V", V) * E_max) / t)
    return float(out) if out.ndim == 0 else out


def tightness(measured, bound):
    """measured / bound (elementwise); the quantity a bound claim reports (passes iff <= 1)."""
    m, b = np.asarray(measured, dtype=float), np.asarray(bound, dtype=float)
    out = m / b
    return float(out) if out.ndim == 0 else out


def _check(quality: np.ndarray, mean_cost: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray, float]:
    s = np.asarray(quality, dtype=float)
    e = np.asarray(mean_cost, dtype=float)
    if s.ndim != 2 or e.shape != (s.shape[1],):
        raise ValueError(f"quality must be (T, M) and mean_cost (M,), got {s.shape} and {e.shape}")
    a = check_prob("alpha", alpha)
    if s.max(axis=1).mean() < a - 1e-12:
        raise ValueError(f"alpha = {a:g} is infeasible: even the per-request best model reaches "
                         f"{s.max(axis=1).mean():.4f}")
    return s, e, a


def lp_optimum_cost(quality: np.ndarray, mean_cost: np.ndarray, alpha: float) -> float:
    """E* of the module docstring (cost per request in the cost unit), solved with HiGHS; raises if the solver
    does not report an optimum."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    s, e, a = _check(quality, mean_cost, alpha)
    n, M = s.shape
    cvec = np.tile(e, n) / n
    A_sat = csr_matrix(-s.reshape(1, -1) / n)
    A_eq = csr_matrix((np.ones(n * M), (np.repeat(np.arange(n), M), np.arange(n * M))), shape=(n, n * M))
    res = linprog(cvec, A_ub=A_sat, b_ub=[-a], A_eq=A_eq, b_eq=np.ones(n), bounds=(0, 1), method="highs")
    if res.status != 0:
        raise RuntimeError(f"LP for E* did not solve: status {res.status} ({res.message})")
    return float(res.fun)


def lp_dual_cost(quality: np.ndarray, mean_cost: np.ndarray, alpha: float) -> float:
    """E* from the Lagrangian dual (module docstring): the maximum of the concave piecewise-linear
    g(lambda) = lambda alpha + (1/T) sum_t min_m (E_bar_m - lambda s_tm) over lambda >= 0, evaluated at every
    breakpoint (where two models' lines cross on some request) and at 0."""
    s, e, a = _check(quality, mean_cost, alpha)
    ds = s[:, :, None] - s[:, None, :]
    de = e[None, :, None] - e[None, None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(ds != 0, de / np.where(ds != 0, ds, 1.0), np.nan)
    cand = np.unique(np.concatenate([[0.0], lam[np.isfinite(lam) & (lam >= 0)]]))
    best = -np.inf
    for chunk in np.array_split(cand, max(1, cand.size // 256)):
        g = chunk * a + (e[None, None, :] - chunk[:, None, None] * s[None]).min(axis=2).mean(axis=1)
        best = max(best, float(g.max()))
    return best
