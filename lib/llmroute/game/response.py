"""The user's best response (spec §4.1, Theorems 1-2), vectorised.

Regimes by the signs of ``xi_i = V p_i - t_i`` (codes of :data:`REGIMES`):

* ``"++"`` (xi1 >= 0, xi2 >= 0): ``q* = 0`` for every s.
* ``"--"`` (xi1 < 0, xi2 < 0): ``q* = 1`` for every s.
* ``"-+"`` (xi1 < 0 <= xi2): one threshold ``s0 = -xi1 / (xi2/p2 - xi1)``; stay above it, abandon below.
* ``"+-"`` (xi1 >= 0 > xi2): two thresholds ``s_L < s_H``; stay for ``s <= s_L``, mixed ``q* in (0,1)``
  between, abandon for ``s >= s_H = xi1/(xi1 - xi2)``.

Routing to M2 (Theorem 1): ``q* = 1{xi2 < 0}``.

Ties: where the user is indifferent (numerically, within :func:`u_tol`) between the rule's answer and
``q = 0`` or ``q = 1``, ``tie_break="strong"`` picks the provider-preferred ``q`` (strong Stackelberg,
spec §2.2) and ``"weak"`` the provider-worst one.

Tolerances (one definition, used by every solver of the package: closed form, brute force, LP re-check,
K-chain and population brute force):

* user-utility ties: ``|U - U'| <= u_tol = TOL * max_k max(V p_k, t_k)``, i.e. relative to the magnitudes
  that enter ``U`` (per-pass value and latency), not to ``|U|``, which can be 0 (``xi_1 = -1.1e-16`` at
  ``V = 1.9999999999999998`` in cfgA is a tie, exactly as ``xi_1 = 0`` at ``V = 2``);
* provider-loss ties: ``|J - J'| <= j_tol(J) = J_TOL * (1 + |J|)``.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_choice
from .closed_forms import Game, J1, J2, U1, U2, xi
from .params import Policy, as_arrays, check_initial, check_unit_array

#: Regime codes returned by :func:`regime`.
REGIMES: tuple[str, ...] = ("++", "--", "-+", "+-")
TIE_BREAKS = ("strong", "weak")
TOL = 1e-12
J_TOL = 1e-12


def u_scale(V: np.ndarray | float, p: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``max_k max(V p_k, t_k)`` over the last axis of ``p``, ``t`` (any number of models K): the magnitude of
    the per-pass terms that make up ``U``."""
    V = np.asarray(V, dtype=float)
    return np.maximum(np.max(V[..., None] * np.asarray(p, float), -1), np.max(np.asarray(t, float), -1))


def u_tol(g: Game) -> np.ndarray:
    """The user's indifference tolerance ``TOL * max(V p1, V p2, t1, t2)`` (same in every solver)."""
    a = as_arrays(g)
    return TOL * np.maximum(np.maximum(a.V * a.p1, a.V * a.p2), np.maximum(a.t1, a.t2))


def j_tol(J: np.ndarray | float) -> np.ndarray:
    """The provider's tie tolerance on losses ``J_TOL * (1 + |J|)`` (same in every solver)."""
    return J_TOL * (1.0 + np.abs(np.asarray(J, dtype=float)))


def regime(g: Game) -> np.ndarray:
    """Integer regime code (index into :data:`REGIMES`) from the signs of ``xi1, xi2``."""
    x1, x2 = xi(g)
    return np.where((x1 >= 0) & (x2 >= 0), 0, np.where((x1 < 0) & (x2 < 0), 1, np.where(x1 < 0, 2, 3)))


def s0(g: Game) -> np.ndarray:
    """``s0 = -xi1 / (xi2/p2 - xi1) = p2 xi1 / (p2 xi1 - xi2)`` (spec §4.1); NaN outside the ``-+`` regime."""
    a = as_arrays(g)
    x1, x2 = xi(a)
    ok = (x1 < 0) & (x2 >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = -x1 / (x2 / a.p2 - x1)
    return np.where(ok, v, np.nan)


def s_high(g: Game) -> np.ndarray:
    """``s_H = xi1/(xi1 - xi2)``, where ``dU1/dq|_{q=1} = 0`` (spec §4.1); NaN outside ``+-``."""
    x1, x2 = xi(g)
    ok = (x1 >= 0) & (x2 < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = x1 / (x1 - x2)
    return np.where(ok, v, np.nan)


def s_low(g: Game) -> np.ndarray:
    """``s_L``: the positive root of ``(1-p1)(1-p2) xi2 s^2 + [(p1+p2-p1p2) xi2 - p2^2 xi1] s + p2^2 xi1 = 0``
    (where ``dU1/dq|_{q=0} = 0``, spec §4.1), computed as ``2 a0 / (-a1 + sqrt(a1^2 - 4 a2 a0))`` (stable);
    NaN outside ``+-``."""
    a = as_arrays(g)
    x1, x2 = xi(a)
    ok = (x1 >= 0) & (x2 < 0)
    a2 = (1 - a.p1) * (1 - a.p2) * x2
    a1 = (a.p1 + a.p2 - a.p1 * a.p2) * x2 - a.p2 ** 2 * x1
    a0 = a.p2 ** 2 * x1
    with np.errstate(divide="ignore", invalid="ignore"):
        v = 2 * a0 / (-a1 + np.sqrt(np.maximum(a1 * a1 - 4 * a2 * a0, 0.0)))
    return np.where(ok, v, np.nan)


def q_interior(g: Game, s: np.ndarray | float) -> np.ndarray:
    """Interior optimum ``q* = 1 - r*`` for ``s in (s_L, s_H)`` (spec §4.1). With ``r = 1-q``,
    ``dU1/dr`` has the sign of ``A r^2 + B r + C`` where ``A = (1-p2)(1-s)[xi1(1-p2) - s xi2 (1-p1)]``,
    ``B = -2 xi1 (1-p2)(1-s)``, ``C = (1-s) xi1 + s xi2``; ``r*`` is the smaller root
    ``(-B - sqrt(B^2-4AC))/(2A) = 2C/(-B + sqrt(B^2-4AC))``. Clipped to [0, 1]; meaningful in ``+-`` only."""
    a = as_arrays(g)
    x1, x2 = xi(a)
    s = check_unit_array("s", s)
    A = (1 - a.p2) * (1 - s) * (x1 * (1 - a.p2) - s * x2 * (1 - a.p1))
    B = -2 * x1 * (1 - a.p2) * (1 - s)
    C = (1 - s) * x1 + s * x2
    disc = np.maximum(B * B - 4 * A * C, 0.0)
    den = -B + np.sqrt(disc)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(den > 0, 2 * C / den, 0.0)
    return np.clip(1.0 - r, 0.0, 1.0)


def q_rule(g: Game, initial: int, s: np.ndarray | float = 0.0) -> np.ndarray:
    """The threshold rule of Theorems 1-2 (no tie handling): ``q*(i, s)``."""
    initial = check_initial(initial)
    a = as_arrays(g)
    x1, x2 = xi(a)
    s = check_unit_array("s", s)
    shp = np.broadcast_shapes(a.shape, s.shape)
    if initial == 2:
        return np.broadcast_to(np.where(x2 < 0, 1.0, 0.0), shp).copy()
    reg = regime(a)
    with np.errstate(invalid="ignore"):
        q_mp = np.where(s >= s0(a), 0.0, 1.0)                     # -+ : stay iff s >= s0
        sl, sh = s_low(a), s_high(a)
        q_pm = np.where(s <= sl, 0.0, np.where(s >= sh, 1.0, q_interior(a, np.clip(s, 0, 1))))
    out = np.select([reg == 0, reg == 1, reg == 2, reg == 3], [0.0, 1.0, q_mp, q_pm])
    return np.broadcast_to(out, shp).copy()


def best_response(g: Game, policy: Policy | None = None, *, initial: int | None = None,
                  s: np.ndarray | float | None = None, tie_break: str = "strong",
                  tol: float = TOL) -> np.ndarray:
    """``q*(i, s)``: the threshold rule, with ties against ``q = 0`` / ``q = 1`` broken by ``tie_break``.

    Call as ``best_response(params, Policy(1, 0.3))`` or vectorised as
    ``best_response(grid, initial=1, s=s_array)``. ``initial`` must be 1 or 2 and ``s`` in [0, 1]
    (:class:`~llmroute._validate.ParameterError` otherwise). The user is indifferent between two responses
    when their utilities differ by at most ``tol * max(V p1, V p2, t1, t2)`` (:func:`u_tol`).
    """
    check_choice("tie_break", tie_break, TIE_BREAKS)
    if policy is not None:
        initial, s = policy.initial, policy.s
    if initial is None:
        raise TypeError("best_response needs a Policy or initial=")
    initial = check_initial(initial)
    s = check_unit_array("s", 0.0 if s is None else s)
    a = as_arrays(g)
    qr = q_rule(a, initial, s)
    if initial == 1:
        u = lambda q: U1(a, s, q)  # noqa: E731
        j = lambda q: J1(a, s, q)  # noqa: E731
    else:
        u = lambda q: U2(a, q) + 0.0 * np.asarray(s, dtype=float)  # noqa: E731
        j = lambda q: J2(a, q) + 0.0 * np.asarray(s, dtype=float)  # noqa: E731
    cands = [qr, np.zeros_like(qr), np.ones_like(qr)]
    Us = np.stack([np.broadcast_to(u(q), qr.shape) for q in cands])
    Js = np.stack([np.broadcast_to(j(q), qr.shape) for q in cands])
    Umax = Us.max(0)
    eligible = Us >= Umax - (tol / TOL) * u_tol(a)      # scaled by V p_k, t_k: valid near U = 0 too
    key = np.where(eligible, Js if tie_break == "strong" else -Js, np.inf)
    # prefer the rule's own answer when J ties too
    best = key.min(0)
    pick = np.argmax(key <= best + j_tol(best), axis=0)
    return np.take_along_axis(np.stack(cands), pick[None], 0)[0]


def best_response_grid(g: Game, initial: int, s: np.ndarray | float, n_q: int = 2001) -> np.ndarray:
    """``argmax_q U_i(s, q)`` over ``n_q`` evenly spaced q in [0, 1] (a brute-force check of Theorems 1-2)."""
    initial = check_initial(initial)
    a = as_arrays(g)
    qs = np.linspace(0.0, 1.0, n_q)
    s = check_unit_array("s", s)
    shp = np.broadcast_shapes(a.shape, s.shape)
    ex = (slice(None),) + (None,) * len(shp)
    Ug = U1(a, s, qs[ex]) if initial == 1 else np.broadcast_to(U2(a, qs[ex]), (n_q,) + shp)
    return qs[np.argmax(Ug, axis=0)]
