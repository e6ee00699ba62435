"""The numbers behind the game notebooks' claims, computed here (and unit-tested) rather than inline.

Each function returns one number (a maximum deviation, a count of violations, a share or a switch point) that
a notebook records in its claims ledger; the notebooks only narrate, call these and plot.

* closed forms and best response (spec §3, §4.1): :func:`fundamental_matrix_deviation`, :func:`mc_check`,
  :func:`threshold_order_violations`, :func:`grid_response_excess`, :func:`interior_response_outside_pm`
* provider (spec §4.2, §5): :data:`ALLOWED`, :func:`candidate_violations`, :func:`policy_shares`,
  :func:`switch_point`, :func:`cascade_outside_band`, :func:`max_rel_diff`
* misalignment and throttling (spec §4.3-4.4): :func:`gap_identity_error`, :func:`misaligned_without_gap`,
  :func:`throttle_sign_mismatches`
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .._validate import check_int, check_positive, fail
from .chain import outcome_fundamental
from .closed_forms import Game, U1, outcome, xi
from .misalignment import gap_both_value_dominated, misalignment_gap
from .params import GameArrays, Policy, as_arrays
from .provider import CANDIDATES, ProviderSolution, solve_closed_form
from .response import REGIMES, best_response, regime, s_high, s_low, u_tol
from .simulate import simulate
from .throttling import throttled_optimum

#: Provider-optimal policies that spec §4.2 allows per regime (Theorem 3 for ``++``/``--``; the exact
#: candidate sets [D] for ``-+`` and ``+-``).
ALLOWED: dict[str, frozenset[str]] = {
    "++": frozenset({"(1,0)", "(2,0)"}), "--": frozenset({"(1,0)", "(2,0)"}),
    "-+": frozenset({"(1,0)", "(2,0)", "(1,s0)"}), "+-": frozenset({"(1,0)", "(1,s_L)", "(1,1)", "(2,0)"})}


# ------------------------------------------------------------------ closed forms and best response (§3, §4.1)
def fundamental_matrix_deviation(g: Game, s: np.ndarray, q: np.ndarray) -> float:
    """``max |closed form - fundamental matrix|`` over ``S, L, C, U, J``, both start models, every point
    (spec §7.1): the closed forms of :mod:`closed_forms` against ``N = (I - Q)^{-1}`` of :mod:`chain`."""
    dev = 0.0
    for i in (1, 2):
        si = s if i == 1 else np.zeros_like(np.asarray(s, float))
        a, b = outcome(g, i, si, q), outcome_fundamental(g, i, si, q)
        for k in "SLCUJ":
            dev = max(dev, float(np.max(np.abs(getattr(a, k) - getattr(b, k)))))
    return dev


def mc_check(games: GameArrays, rng: np.random.Generator, n_episodes: int, q_max: float = 0.6) -> pd.DataFrame:
    """Monte-Carlo of the chain against the closed forms on each game of the 1-D batch ``games`` (spec §7.1):
    start model 2 for every third game, else 1 with ``s ~ U(0,1)``; ``q ~ U(0, q_max)``. One row per game and
    quantity with the exact value, the MC mean and standard error and ``z = (mean - exact)/se``."""
    check_int("n_episodes", n_episodes, 2)
    if len(games.shape) != 1:
        fail("games", games.shape, "a 1-D batch of games")
    rows = []
    for n in range(games.shape[0]):
        one = games.at(n)
        initial = 1 if n % 3 else 2
        s = float(rng.uniform()) if initial == 1 else 0.0
        q = float(rng.uniform(0, q_max))
        res = simulate(one, Policy(initial, s), q, n_episodes, rng)
        exact = outcome(one, initial, s, q)
        for k in "SLCUJ":
            e = float(getattr(exact, k))
            rows.append({"instance": n, "initial": initial, "s": s, "q": q, "quantity": k, "exact": e,
                         "mc_mean": res.mean[k], "mc_se": res.se[k], "z": (res.mean[k] - e) / res.se[k]})
    return pd.DataFrame(rows)


def threshold_order_violations(g: Game) -> tuple[int, int]:
    """``(violations, n)``: among the ``n`` games of the ``+-`` regime, how many break ``0 < s_L < s_H < 1``
    (spec §4.1, Theorem 2)."""
    pm = regime(g) == 3
    sl, sh = s_low(g)[pm], s_high(g)[pm]
    ok = (0 < sl) & (sl < sh) & (sh < 1)
    return int((~ok).sum()), int(pm.sum())


def grid_response_excess(g: Game, s: np.ndarray, n_q: int = 2001) -> float:
    """``max (U_1(s, q_grid) - U_1(s, q*))``: how much the best of ``n_q`` evenly spaced ``q`` beats the
    threshold best response of Theorems 1-2 (spec §7.2); ``<= 0`` up to rounding if the rule is right."""
    q_thr = best_response(g, initial=1, s=s)
    qs = np.linspace(0.0, 1.0, n_q)
    a = as_arrays(g)
    shp = np.broadcast_shapes(a.shape, np.shape(s))
    ex = (slice(None),) + (None,) * len(shp)
    Ug = U1(a, s, qs[ex]).max(0)
    return float(np.max(Ug - U1(a, s, q_thr)))


def interior_response_outside_pm(g: Game, s: np.ndarray, n_q: int = 2001) -> tuple[int, int]:
    """``(count, n)``: games outside the ``+-`` regime (``n`` of them) where some interior ``q`` of an
    ``n_q``-point grid beats both pure responses ``q = 0`` and ``q = 1`` by more than the tie tolerance
    (spec §4.1: interior ``q`` is never optimal there)."""
    a = as_arrays(g)
    shp = np.broadcast_shapes(a.shape, np.shape(s))
    qs = np.linspace(0.0, 1.0, n_q)[1:-1]
    ex = (slice(None),) + (None,) * len(shp)
    Ui = U1(a, s, qs[ex]).max(0)
    Upure = np.maximum(U1(a, s, 0.0), U1(a, s, 1.0))
    outside = np.broadcast_to(regime(a) != 3, shp)
    beats = (Ui > Upure + np.broadcast_to(u_tol(a), shp)) & outside
    return int(beats.sum()), int(outside.sum())


# ------------------------------------------------------------------------------------- provider (§4.2, §5)
def candidate_violations(g: Game, sol: ProviderSolution, regimes: tuple[str, ...] = REGIMES) -> tuple[int, int]:
    """``(violations, n)``: among the ``n`` games whose regime is in ``regimes``, how many have an optimum
    ``sol`` (e.g. from the brute force, whose labels are read off ``(i, s, q)``) outside :data:`ALLOWED`."""
    reg = np.array(REGIMES)[regime(g)]
    lab = sol.labels()
    sel = np.isin(reg, regimes)
    bad = np.array([lb not in ALLOWED[r] for r, lb in zip(reg[sel].ravel(), lab[sel].ravel())], bool)
    return int(bad.sum()), int(sel.sum())


def policy_shares(sol: ProviderSolution) -> dict[str, float]:
    """Share of the grid where each candidate of :data:`~provider.CANDIDATES` is optimal, plus
    ``"cascade"``: the share where a cascade ``0 < s* < 1`` is used with the user staying (spec §7.5)."""
    lab = sol.labels()
    out = {k: float(np.mean(lab == k)) for k in CANDIDATES}
    out["cascade"] = float(np.mean(sol.cascade))
    return out


def switch_point(make: Callable[[float], Game], lo: float, hi: float, tol: float = 1e-12) -> float:
    """The churn penalty ``P`` in ``[lo, hi]`` where the provider-optimal policy of ``make(P)`` changes, by
    bisection on :func:`~provider.solve_closed_form`'s label (the labels at ``lo`` and ``hi`` must differ)."""
    check_positive("tol", tol)
    lab = lambda P: str(solve_closed_form(make(P)).labels())  # noqa: E731
    a, b = lab(lo), lab(hi)
    if a == b:
        fail("hi", hi, f"a penalty where the policy differs from the one at lo = {lo:g} ({a})")
    while hi - lo > tol * max(1.0, abs(hi)):
        mid = 0.5 * (lo + hi)
        if lab(mid) == a:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def cascade_outside_band(g: Game, sol: ProviderSolution) -> tuple[int, int]:
    """``(outside, cascades)``: cells with a used cascade (``0 < s* < 1``, ``q* = 0``) that lie outside the
    differentiated band ``min(t1/p1, t2/p2) < V < max(t1/p1, t2/p2)`` (spec §4.2, Theorems 4-5)."""
    a = as_arrays(g).broadcast()
    lo = np.minimum(a.t1 / a.p1, a.t2 / a.p2)
    hi = np.maximum(a.t1 / a.p1, a.t2 / a.p2)
    band = (a.V > lo) & (a.V < hi)
    casc = np.broadcast_to(sol.cascade, band.shape)
    return int((casc & ~band).sum()), int(casc.sum())


def max_rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    """``max |a - b| / max(1, |b|)`` (relative for large values, absolute below 1)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))


# ------------------------------------------------------------------- misalignment and throttling (§4.3-4.4)
def gap_identity_error(g: Game, sol: ProviderSolution | None = None) -> tuple[float, int]:
    """``(max error, n)``: ``max |Delta_U - |t1/p1 - t2/p2| * 1[rankings differ]|`` over the ``n`` games with
    both models strictly value-dominated (spec §4.3 identity; V cancels)."""
    x1, x2 = xi(g)
    pp = (x1 > 0) & (x2 > 0)
    gap = misalignment_gap(g, sol)
    if not pp.any():
        return float("nan"), 0
    return float(np.max(np.abs(gap - gap_both_value_dominated(g))[pp])), int(pp.sum())


def misaligned_without_gap(g: Game, sol: ProviderSolution | None = None) -> tuple[int, int]:
    """``(count, n)``: among the ``n`` games with both models strictly value-dominated whose cost-of-pass and
    latency-of-pass rankings differ, how many have no misalignment gap (``Delta_U <= u_tol``); Proposition 1
    says none."""
    a = as_arrays(g)
    x1, x2 = xi(a)
    differ = (a.c1 / a.p1 - a.c2 / a.p2) * (a.t1 / a.p1 - a.t2 / a.p2) < 0
    sel = (x1 > 0) & (x2 > 0) & differ
    gap = misalignment_gap(a, sol)
    return int((sel & (gap <= u_tol(a))).sum()), int(sel.sum())


def throttle_sign_mismatches(g: Game, n_t: int = 21, t_max: float = np.inf) -> tuple[int, int, int]:
    """``(mismatches, n, n_below)``: games where the *numerically* optimised throttling gain
    (:func:`~throttling.throttled_optimum`, gain above ``1e-12`` relative) is positive exactly when
    ``P < min_i c_i/p_i`` fails (Proposition 2); ``n`` games, ``n_below`` of them with ``P < min c/p``."""
    a = as_arrays(g).broadcast()
    thr = throttled_optimum(a, t_max=t_max, n_t=n_t)
    pays = thr["gain"] > 1e-12 * np.maximum(1.0, np.abs(thr["J_base"]))
    below = a.P < np.minimum(a.c1 / a.p1, a.c2 / a.p2)
    return int((pays != below).sum()), int(below.size), int(below.sum())


def throttling_effect(g: Game, n_t: int = 41, t_max: float = np.inf) -> dict[str, np.ndarray]:
    """The provider's best throttle (:func:`~throttling.throttled_optimum`) and what it does to the user
    (spec §4.4): ``J_base``, ``J_throttled``, ``gain``, ``t1_hat``, ``t2_hat``, the user's utility at the
    unthrottled optimum ``U_before`` and, where throttling pays (gain above ``1e-12`` relative), at the
    throttled optimum ``U_after`` (else ``U_before``)."""
    a = as_arrays(g).broadcast()
    thr = throttled_optimum(a, t_max=t_max, n_t=n_t)
    after = solve_closed_form(a.with_(t1=thr["t1_hat"], t2=thr["t2_hat"], require_order=False))
    before = solve_closed_form(a)
    pays = thr["gain"] > 1e-12 * np.maximum(1.0, np.abs(thr["J_base"]))
    return {**thr, "U_before": before.U, "U_after": np.where(pays, after.U, before.U), "pays": pays}
