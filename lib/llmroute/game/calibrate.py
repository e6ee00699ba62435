"""Entry point for instantiating the game from a measured model pair (spec §7.9, ours).

``game_from_pair(c=(c_small, c_big), t=(t_small, t_big), p=(p_small, p_big), V=..., P=...)`` takes measured
per-request cost (e.g. USD), latency cost (latency times a value-of-time rate, in the same unit as ``V``)
and pass rate, and returns a validated :class:`GameParams` (an error names the measurement that breaks a
standing assumption). :func:`pair_predictions` sweeps ``V`` (and optionally ``P``) and reports what the
theory predicts for the pair: the regime, the provider's policy, the user's utility, the misalignment gap
and whether throttling would pay. The data loaders that produce the measurements are not part of this module.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validate import check_nonneg, check_positive
from .response import REGIMES, regime
from .misalignment import misalignment_gap
from .params import GameParams
from .provider import solve_closed_form
from .throttling import throttling_gain


def game_from_pair(c: Sequence[float], t: Sequence[float], p: Sequence[float], V: float, P: float = 0.0,
                   *, latency_rate: float = 1.0) -> GameParams:
    """A :class:`GameParams` from measured ``(cost, latency, pass rate)`` of (cheap/standard, big/reasoning).

    ``latency_rate`` converts measured latency (e.g. seconds) to the value unit (value per second), so that
    ``t_i = latency_rate * latency_i``. Raises :class:`ParameterError` naming the offending quantity when a
    standing assumption fails (e.g. ``p2 = 0.6 is not allowed: must be in (0.7, 1)``).
    """
    check_positive("latency_rate", latency_rate)
    t = tuple(latency_rate * float(x) for x in t)
    return GameParams.make(V, P, c=tuple(float(x) for x in c), t=t, p=tuple(float(x) for x in p))


def pair_predictions(game: GameParams, V_values: Sequence[float], P_values: Sequence[float] | None = None) -> pd.DataFrame:
    """Theory predictions for one pair across task values (and churn penalties): regime, provider policy,
    ``J*``, user utility ``U``, misalignment gap ``Delta_U`` and throttling gain ``G(P)`` (the last meaningful
    in the ``++`` regime)."""
    Vs = np.asarray([check_positive("V", v) for v in V_values], float)
    Ps = np.asarray([check_nonneg("P", v) for v in (P_values if P_values is not None else [game.P])], float)
    g = game.arrays(V=Vs[:, None], P=Ps[None, :]).broadcast()
    sol = solve_closed_form(g)
    reg = np.array(REGIMES)[regime(g)]
    df = pd.DataFrame({"V": g.V.ravel(), "P": g.P.ravel(), "regime": reg.ravel(), "policy": sol.labels().ravel(),
                       "s": sol.s.ravel(), "q": sol.q.ravel(), "J": sol.J.ravel(), "U": sol.U.ravel(),
                       "Delta_U": misalignment_gap(g, sol).ravel(), "throttling_gain": throttling_gain(g).ravel()})
    df["throttling_pays"] = (df["regime"] == "++") & (df["throttling_gain"] > 0)
    return df
