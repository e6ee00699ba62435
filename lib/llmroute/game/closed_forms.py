"""Closed forms of the interaction chain (spec §3), vectorised with numpy broadcasting.

Notation: ``a = (1-p1)(1-q)``, ``b = (1-p2)(1-q)``, net value per pass ``xi_i = V p_i - t_i``.

Start on M2, policy (2,0):  ``N2 = 1/(1-b)``; ``S2 = p2 N2``, ``L2 = t2 N2``, ``C2 = c2 N2``,
``U2 = xi2 N2``, ``J2 = C2 + P (1 - S2)``.

Start on M1, policy (1,s):  expected passes ``n11 = 1/(1 - a(1-s))`` on M1 and
``n12 = a s / ((1 - a(1-s))(1-b))`` on M2; ``S1 = p1 n11 + p2 n12``, ``L1 = t1 n11 + t2 n12``,
``C1 = c1 n11 + c2 n12``, ``U1 = V S1 - L1 = xi1 n11 + xi2 n12``, ``J1 = C1 + P (1 - S1)``.

Every function takes ``g`` (a :class:`GameParams` or :class:`GameArrays`) and arrays ``s``, ``q`` that
broadcast with ``g``'s fields. Arguments are validated like the constructors: ``initial`` must be 1 or 2 and
every element of ``s`` and ``q`` a probability in [0, 1], else :class:`~llmroute._validate.ParameterError`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import GameArrays, GameParams, as_arrays, check_initial, check_unit_array

Game = GameParams | GameArrays


def xi(g: Game) -> tuple[np.ndarray, np.ndarray]:
    """Net value per pass ``xi_i = V p_i - t_i`` (spec §2.1) for both models."""
    a = as_arrays(g)
    return a.V * a.p1 - a.t1, a.V * a.p2 - a.t2


def visits(g: Game, initial: int, s: np.ndarray | float, q: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Expected passes ``(n_1, n_2)`` on M1 and M2 from start ``initial`` (spec §3)."""
    initial = check_initial(initial)
    a_ = as_arrays(g)
    s = check_unit_array("s", s)
    q = check_unit_array("q", q)
    b = (1.0 - a_.p2) * (1.0 - q)
    if initial == 2:
        n2 = 1.0 / (1.0 - b)
        return np.zeros_like(n2 + s), n2 + 0.0 * s
    a = (1.0 - a_.p1) * (1.0 - q)
    d = 1.0 - a * (1.0 - s)
    n11 = 1.0 / d
    n12 = a * s / (d * (1.0 - b))
    return n11, n12


@dataclass(frozen=True)
class Outcome:
    """Expected outcome of one task: solved probability ``S``, latency ``L``, provider cost ``C``, user
    utility ``U = V S - L`` and provider loss ``J = C + P (1 - S)`` (spec §2.2)."""

    S: np.ndarray
    L: np.ndarray
    C: np.ndarray
    U: np.ndarray
    J: np.ndarray


def outcome(g: Game, initial: int, s: np.ndarray | float = 0.0, q: np.ndarray | float = 0.0) -> Outcome:
    """``S_i, L_i, C_i, U_i, J_i`` at ``(s, q)`` for initial model ``i`` (spec §3), broadcast over everything."""
    a = as_arrays(g)
    n1, n2 = visits(a, initial, s, q)
    s, q = np.asarray(s, dtype=float), np.asarray(q, dtype=float)
    S = a.p1 * n1 + a.p2 * n2
    L = a.t1 * n1 + a.t2 * n2
    C = a.c1 * n1 + a.c2 * n2
    shp = np.broadcast_shapes(a.shape, np.shape(s), np.shape(q))
    fix = lambda x: np.broadcast_to(x, shp)  # noqa: E731
    return Outcome(S=fix(S), L=fix(L), C=fix(C), U=fix(a.V * S - L), J=fix(C + a.P * (1.0 - S)))


def U1(g: Game, s: np.ndarray | float, q: np.ndarray | float) -> np.ndarray:
    """``U_1(s,q) = (xi1 + a s xi2/(1-b)) / (1 - a(1-s))`` (spec §3)."""
    x1, x2 = xi(g)
    n1, n2 = visits(g, 1, s, q)
    return x1 * n1 + x2 * n2


def J1(g: Game, s: np.ndarray | float, q: np.ndarray | float) -> np.ndarray:
    """``J_1(s,q) = c1 n11 + c2 n12 + P (1 - p1 n11 - p2 n12)`` (spec §3)."""
    return outcome(g, 1, s, q).J


def U2(g: Game, q: np.ndarray | float) -> np.ndarray:
    """``U_2(q) = xi2 / (p2 + q (1-p2))`` (spec §3)."""
    a = as_arrays(g)
    return (a.V * a.p2 - a.t2) / (a.p2 + check_unit_array("q", q) * (1.0 - a.p2))


def J2(g: Game, q: np.ndarray | float) -> np.ndarray:
    """``J_2(q) = (c2 + P q (1-p2)) / (p2 + q (1-p2))`` (spec §3)."""
    a = as_arrays(g)
    q = check_unit_array("q", q)
    return (a.c2 + a.P * q * (1.0 - a.p2)) / (a.p2 + q * (1.0 - a.p2))


def cascade_weight(g: Game, s: np.ndarray | float) -> np.ndarray:
    """``w(s) = s(1-p1)/(p1 + s(1-p1))`` in [0, 1-p1]: at ``q = 0``, ``U_1 = (1-w) xi1/p1 + w xi2/p2`` and
    ``C_1 = (1-w) c1/p1 + w c2/p2`` (spec §3, special case q = 0)."""
    a = as_arrays(g)
    s = check_unit_array("s", s)
    return s * (1.0 - a.p1) / (a.p1 + s * (1.0 - a.p1))


def C1_stay(g: Game, s: np.ndarray | float) -> np.ndarray:
    """``C_1(s,0) = J_1(s,0) = (1-w) c1/p1 + w c2/p2`` (spec §3): the cost of (1,s) when the user never abandons."""
    a = as_arrays(g)
    w = cascade_weight(a, s)
    return (1.0 - w) * a.c1 / a.p1 + w * a.c2 / a.p2


def U1_stay(g: Game, s: np.ndarray | float) -> np.ndarray:
    """``U_1(s,0) = (1-w) xi1/p1 + w xi2/p2`` (spec §3)."""
    a = as_arrays(g)
    x1, x2 = xi(a)
    w = cascade_weight(a, s)
    return (1.0 - w) * x1 / a.p1 + w * x2 / a.p2
