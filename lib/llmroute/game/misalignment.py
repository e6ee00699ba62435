"""Misalignment between the provider-optimal route and the user-preferred route (spec §4.3, Proposition 1).

Definition (ours, spec §4.3 [D]): ``Delta_U = max_{(i,s)} U_i(s, q*(i,s)) - U_{i*}(s*, q*(i*,s*))`` where
``(i*, s*)`` is the provider optimum. The user-preferred route is static:
argmax ``xi_i/p_i`` (``++``), ``(2,0)`` (``-+``), ``(1,0)`` (``+-``), argmax ``xi_i`` (``--``).
"""
from __future__ import annotations

import numpy as np

from .response import best_response, regime
from .closed_forms import Game, U1, xi
from .params import as_arrays
from .provider import ProviderSolution, solve_closed_form


def user_best_utility(g: Game) -> np.ndarray:
    """``max_{(i,s)} U_i(s, q*)`` in closed form (spec §4.3): the user-preferred route's utility."""
    a = as_arrays(g)
    x1, x2 = xi(a)
    reg = regime(a)
    return np.select([reg == 0, reg == 1, reg == 2, reg == 3],
                     [np.maximum(x1 / a.p1, x2 / a.p2), np.maximum(x1, x2), x2 / a.p2, x1 / a.p1])


def user_best_utility_brute(g: Game, n_s: int = 801) -> np.ndarray:
    """The same maximum by brute force over ``s`` (grid) with ``q*(s)``, and over ``(2,0)``."""
    a = as_arrays(g)
    s = np.linspace(0.0, 1.0, n_s)
    b = a.with_(**{k: np.asarray(getattr(a, k))[..., None] for k in a.FIELDS})
    q = best_response(b, initial=1, s=s)
    u1 = U1(b, s, q).max(-1)
    q2 = best_response(a, initial=2)
    x2 = xi(a)[1]
    u2 = x2 / (a.p2 + q2 * (1 - a.p2))
    return np.maximum(u1, u2)


def misalignment_gap(g: Game, solution: ProviderSolution | None = None) -> np.ndarray:
    """``Delta_U`` = user-preferred utility minus the utility at the provider optimum (>= 0)."""
    sol = solution if solution is not None else solve_closed_form(g)
    return user_best_utility(g) - sol.U


def gap_both_value_dominated(g: Game) -> np.ndarray:
    """Identity for the ``++`` regime (spec §4.3): ``Delta_U = |t1/p1 - t2/p2| * 1[(c1/p1 - c2/p2)(t1/p1 - t2/p2) < 0]``
    (V cancels). Meaningful where both ``xi_i >= 0``."""
    a = as_arrays(g)
    dt = a.t1 / a.p1 - a.t2 / a.p2
    dc = a.c1 / a.p1 - a.c2 / a.p2
    return np.abs(dt) * (dc * dt < 0)
