"""Entry point for instantiating the game from a measured model pair (spec §7.9, ours).

``game_from_pair(c=(c_small, c_big), t=(t_small, t_big), p=(p_small, p_big), V=..., P=...)`` takes measured
per-request cost (e.g. USD), latency cost (latency times a value-of-time rate, in the same unit as ``V``)
and pass rate, and returns a validated :class:`GameParams` (an error names the measurement that breaks a
standing assumption). :func:`pair_predictions` sweeps ``V`` (and optionally ``P``) and reports what the
theory predicts for the pair: the regime, the provider's policy, the user's utility, the misalignment gap
and whether throttling would pay. The data loaders that produce the measurements are not part of this module.

Real pairs (ours): :class:`PairMeasurement` / :func:`measure_pair` take per-pass means from a two-model
:class:`~llmroute.data.schema.Outcomes`; :func:`pair_grid`, :func:`solve_pair`, :func:`predict_pair` place the pair
on the regime map over (task value ``V``, latency rate, churn penalty ``P``) without requiring ``t1 < t2`` or
``c1 < c2`` (real pairs can break them); :func:`pair_checks` computes the numbers behind the notebook's claims.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .._validate import check_int, check_nonneg, check_positive, check_prob, fail
from ..data.schema import Outcomes
from .closed_forms import xi
from .response import REGIMES, regime
from .misalignment import misalignment_gap, user_best_utility
from .params import GameArrays, GameParams
from .provider import solve_brute_force, solve_closed_form
from .throttling import throttled_optimum, throttling_gain


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


# ---- real model pairs on the regime map (ours, spec §6 item 7 / §7 item 9) -----------------------------------
# ``game_from_pair`` enforces the paper's standing assumptions, so it rejects a real pair whose cheap model is the
# slower one (OmnisBench). Everything below works on :class:`GameArrays` with ``require_order=False`` instead:
# the user's best response depends only on ``xi_i`` and ``p_i`` (spec §4.1), and the provider's candidate
# comparison evaluates every candidate at the user's best response, so neither needs ``t1 < t2`` or ``c1 < c2``;
# ``p1 < p2`` is still required. :func:`pair_checks` confirms the candidate solver against brute force over ``s``
# on the pair's own grid, so the relaxation is checked, not assumed.

@dataclass(frozen=True)
class PairMeasurement:
    """A measured (cheap, big) model pair: mean cost ``c`` per pass (``cost_unit``, e.g. USD per request),
    mean latency per pass in seconds and pass rate ``p`` over ``n`` requests. ``latency_source`` says whether
    latency was measured or is an assumption. Requires ``0 < p1 < p2 < 1``; ``t1 < t2`` and ``c1 < c2`` may fail
    (see :attr:`assumptions`)."""

    name: str
    models: tuple[str, str]
    c: tuple[float, float]
    latency: tuple[float, float]
    p: tuple[float, float]
    n: int
    cost_unit: str = "USD"
    latency_source: str = "measured"

    def __post_init__(self) -> None:
        for k in ("models", "c", "latency", "p"):
            v = getattr(self, k)
            if np.ndim(v) != 1 or len(v) != 2:
                fail(k, v, "a pair (cheap model, big model)")
        object.__setattr__(self, "models", tuple(str(m) for m in self.models))
        object.__setattr__(self, "c", tuple(check_nonneg(f"c[{i}]", v) for i, v in enumerate(self.c)))
        object.__setattr__(self, "latency", tuple(check_nonneg(f"latency[{i}]", v) for i, v in enumerate(self.latency)))
        object.__setattr__(self, "p", tuple(check_prob(f"p[{i}]", v, open_=True) for i, v in enumerate(self.p)))
        object.__setattr__(self, "n", check_int("n", self.n, 1))
        if not self.p[0] < self.p[1]:
            fail("p[1]", self.p[1], f"> p[0] = {self.p[0]:.6g} (the game needs the big model to pass more often)")

    @property
    def cost_of_pass(self) -> np.ndarray:
        """``c_i / p_i``: the provider's expected cost of one success when the user re-prompts model i."""
        return np.asarray(self.c) / np.asarray(self.p)

    @property
    def latency_of_pass(self) -> np.ndarray:
        """``latency_i / p_i`` (seconds): the user's expected waiting time to one success on model i."""
        return np.asarray(self.latency) / np.asarray(self.p)

    @property
    def assumptions(self) -> dict[str, bool]:
        """Which standing assumptions of spec §2.1 hold (``t1 < t2`` is judged on latency: ``t = rate * latency``)."""
        return {"t1<t2": self.latency[0] < self.latency[1], "c1<c2": self.c[0] < self.c[1], "p1<p2": True}

    @property
    def rankings_agree(self) -> bool:
        """True when the cost-of-pass and latency-of-pass rankings agree (the same model is best for both;
        a tie on either side counts as agreement)."""
        dc = self.cost_of_pass[0] - self.cost_of_pass[1]
        dt = self.latency_of_pass[0] - self.latency_of_pass[1]
        return bool(dc * dt >= 0)

    @property
    def gap_per_rate(self) -> float:
        """``|l1/p1 - l2/p2|`` (seconds) if the rankings differ, else 0: ``Delta_U / rate`` wherever both models
        are value-dominated (spec §4.3, ``V`` cancels)."""
        lp = self.latency_of_pass
        return 0.0 if self.rankings_agree else float(abs(lp[0] - lp[1]))

    @property
    def min_cost_of_pass(self) -> float:
        """``min_i c_i/p_i``: throttling pays iff ``P`` is below it (spec §4.4)."""
        return float(self.cost_of_pass.min())

    @property
    def incremental_cost_of_pass(self) -> float:
        """``(c2 - c1)/(p2 - p1)``: in the ``--`` regime the provider routes to the big model iff ``P`` exceeds it."""
        return (self.c[1] - self.c[0]) / (self.p[1] - self.p[0])

    def summary(self) -> dict[str, object]:
        """One table row: measurements, per-pass ratios, rankings and which standing assumptions hold."""
        cp, lp = self.cost_of_pass, self.latency_of_pass
        return {"pair": self.name, "cheap": self.models[0], "big": self.models[1], "n": self.n,
                f"c1 ({self.cost_unit}/pass)": self.c[0], f"c2 ({self.cost_unit}/pass)": self.c[1],
                "p1": self.p[0], "p2": self.p[1], "latency1 (s/pass)": self.latency[0],
                "latency2 (s/pass)": self.latency[1], "latency source": self.latency_source,
                "c1/p1": cp[0], "c2/p2": cp[1], "lat1/p1 (s)": lp[0], "lat2/p2 (s)": lp[1],
                "cheaper per success": "cheap" if cp[0] <= cp[1] else "big",
                "faster per success": "cheap" if lp[0] <= lp[1] else "big",
                "rankings agree": self.rankings_agree, "t1<t2 holds": self.assumptions["t1<t2"],
                "c1<c2 holds": self.assumptions["c1<c2"], "gap per rate (s)": self.gap_per_rate,
                "min c/p": self.min_cost_of_pass, "(c2-c1)/(p2-p1)": self.incremental_cost_of_pass}


def latency_from_throughput(output_tokens: float, tokens_per_s: Sequence[float],
                            ttft_s: Sequence[float] = (0.0, 0.0)) -> tuple[float, float]:
    """An assumed latency per request (seconds) for each model: ``ttft + output_tokens / tokens_per_s``."""
    out = check_nonneg("output_tokens", output_tokens)
    if len(tokens_per_s) != 2 or len(ttft_s) != 2:
        fail("tokens_per_s", tokens_per_s, "a pair (cheap model, big model), with ttft_s a pair too")
    return tuple(check_nonneg(f"ttft_s[{i}]", f) + out / check_positive(f"tokens_per_s[{i}]", r)
                 for i, (r, f) in enumerate(zip(tokens_per_s, ttft_s)))


#: How a pass rate is read from stored quality (:func:`measure_pair`): its mean, or the share >= a threshold.
PASS_RATE_DEFINITIONS: tuple[str, ...] = ("mean", "threshold")


def measure_pair(outcomes: Outcomes, name: str | None = None, latency_s: Sequence[float] | None = None,
                 latency_source: str | None = None, *, pass_rate: str = "mean",
                 threshold: float = 0.5) -> PairMeasurement:
    """Per-pass means of a two-model :class:`Outcomes` (cheap model first): ``c`` = mean cost per request,
    latency = mean measured latency (NaN ignored), pass rate ``p`` by ``pass_rate``: ``"mean"`` = mean quality
    (the game notebooks' definition), ``"threshold"`` = share of requests with quality >= ``threshold`` (the
    arena's: a pass solves the task; both agree on 0/1 correctness). ``latency_s`` supplies an assumed per-model
    latency when the data has none (it is an error to pass it when the data has latency)."""
    if outcomes.n_models != 2:
        fail("outcomes.models", outcomes.models, "exactly two models (cheap, big)")
    if pass_rate not in PASS_RATE_DEFINITIONS:
        fail("pass_rate", pass_rate, f"one of {PASS_RATE_DEFINITIONS}")
    check_prob("threshold", threshold)
    if outcomes.latency is None:
        if latency_s is None:
            fail("latency_s", None, f"a per-model latency in seconds: {outcomes.name} has no latency")
        lat = tuple(float(x) for x in latency_s)
        src = latency_source or "assumed"
    else:
        if latency_s is not None:
            fail("latency_s", latency_s, f"None: {outcomes.name} has measured latency")
        lat = tuple(float(x) for x in np.nanmean(outcomes.latency, axis=0))
        src = latency_source or "measured"
    p = outcomes.quality.mean(0) if pass_rate == "mean" else (outcomes.quality >= threshold).mean(0)
    return PairMeasurement(name=name or outcomes.name, models=outcomes.models,
                           c=tuple(float(x) for x in outcomes.cost.mean(0)), latency=lat,
                           p=tuple(float(x) for x in p), n=outcomes.n_requests,
                           cost_unit=outcomes.cost_unit, latency_source=src)


def pair_grid(m: PairMeasurement, V: ArrayLike, rate: ArrayLike, P: ArrayLike) -> GameArrays:
    """The game of pair ``m`` on a broadcast grid of task value ``V``, latency rate (value per second; the user's
    latency cost is ``t_i = rate * latency_i``) and churn penalty ``P``. Orderings ``t1 < t2``, ``c1 < c2`` are
    not required (see the section comment above)."""
    rate = np.asarray(rate, dtype=float)
    g = GameArrays(V=V, P=P, c1=m.c[0], c2=m.c[1], t1=rate * m.latency[0], t2=rate * m.latency[1],
                   p1=m.p[0], p2=m.p[1], require_order=False)
    return g.broadcast()


def solve_pair(m: PairMeasurement, V: ArrayLike, rate: ArrayLike, P: ArrayLike) -> dict[str, np.ndarray]:
    """What the theory predicts on the grid (arrays of the broadcast shape): ``xi1, xi2``, ``regime``, provider
    ``policy`` (candidate label) and its index ``label``, ``s, q, J`` (provider loss), user utility ``U``, the
    user's best utility ``U_best``, ``Delta_U``, its ``++`` closed form ``Delta_U_closed = rate*|l1/p1 - l2/p2|``
    (NaN outside ``++``), ``cascade`` (0 < s* < 1 used with the user staying) and the throttling gain ``G`` of
    spec §4.4 with ``throttling_pays = ++ and G > 0`` (the formula's baseline is the ``++`` regime)."""
    g = pair_grid(m, V, rate, P)
    sol = solve_closed_form(g)
    reg = regime(g)
    x1, x2 = xi(g)
    rate_b = np.broadcast_to(np.asarray(rate, dtype=float), g.shape)
    pp = reg == 0
    G = throttling_gain(g)
    return {"V": g.V, "rate": rate_b, "P": g.P, "xi1": x1, "xi2": x2, "regime": np.array(REGIMES)[reg],
            "policy": np.asarray(sol.labels()).astype(str), "label": sol.label, "s": sol.s, "q": sol.q,
            "J": sol.J, "U": sol.U,
            "U_best": user_best_utility(g), "Delta_U": misalignment_gap(g, sol),
            "Delta_U_closed": np.where(pp, rate_b * m.gap_per_rate, np.nan), "cascade": sol.cascade,
            "G": G, "throttling_pays": pp & (G > 0)}


def predict_pair(m: PairMeasurement, V: ArrayLike, rate: ArrayLike, P: ArrayLike) -> pd.DataFrame:
    """:func:`solve_pair` as a long table with the pair's name (one row per grid point), plus the numerically
    optimised throttling gain ``G_numeric`` (:func:`throttled_optimum`, any regime; 0 means throttling does not
    pay)."""
    res = solve_pair(m, V, rate, P)
    g = pair_grid(m, V, rate, P)
    thr = throttled_optimum(g, n_t=21)
    df = pd.DataFrame({k: np.asarray(v).ravel() for k, v in res.items() if k != "label"})
    df["G_numeric"] = thr["gain"].ravel()
    df.insert(0, "pair", m.name)
    return df


def pair_checks(m: PairMeasurement, V: ArrayLike, rate: ArrayLike, P: ArrayLike, n_s: int = 801,
                n_thr: int = 0) -> dict[str, float]:
    """The computed numbers behind the notebook's claims on one pair's grid:

    * ``n_cells``, ``n_pp`` (cells with both models value-dominated), ``n_pp_gap_positive`` (``Delta_U`` above
      rounding, ``1e-12 * max(1, |U_best|)``);
    * ``gap_identity_err``: max ``|Delta_U - rate*|l1/p1 - l2/p2|*1[rankings differ]|`` over ``++`` cells;
    * ``n_pp_cascade``: ``++`` cells whose optimum is not a static single-model policy (should be 0);
    * ``throttle_iff_mismatch``: cells where ``G > 0`` disagrees with ``P < min c/p`` (formula);
    * ``brute_rel_err``: max relative ``|J*_candidates - J*_brute|`` (brute force over ``n_s`` values of ``s``);
    * with ``n_thr > 0``: ``throttle_numeric_mismatch`` over ``n_thr`` evenly spaced ``++`` cells, comparing the
      numerically optimised gain (> 1e-12 relative) with ``P < min c/p``.
    """
    res = solve_pair(m, V, rate, P)
    g = pair_grid(m, V, rate, P)
    pp = res["regime"] == "++"
    static = np.isin(res["policy"], ["(1,0)", "(2,0)"])
    below = res["P"] < m.min_cost_of_pass
    bf = solve_brute_force(g, n_s=n_s)
    tol = 1e-12 * np.maximum(1.0, np.abs(res["U_best"]))
    scale = np.maximum(np.abs(res["J"]), 1e-300)
    out = {"n_cells": float(pp.size), "n_pp": float(pp.sum()),
           "n_pp_gap_positive": float((res["Delta_U"] > tol)[pp].sum()),
           "gap_identity_err": float(np.abs(res["Delta_U"] - res["Delta_U_closed"])[pp].max()) if pp.any() else np.nan,
           "n_pp_cascade": float((pp & (~static | res["cascade"])).sum()),
           "throttle_iff_mismatch": float(((res["G"] > 0) != below).sum()),
           "brute_rel_err": float((np.abs(res["J"] - bf.J) / scale).max())}
    if n_thr > 0 and pp.any():
        idx = np.flatnonzero(pp.ravel())
        pick = idx[np.linspace(0, idx.size - 1, min(n_thr, idx.size)).round().astype(int)]
        sub = GameArrays(**{k: getattr(g, k).ravel()[pick] for k in GameArrays.FIELDS}, require_order=False)
        thr = throttled_optimum(sub, n_t=21)
        pays = thr["gain"] > 1e-12 * np.abs(thr["J_base"])
        out["throttle_numeric_mismatch"] = float((pays != (sub.P < m.min_cost_of_pass)).sum())
        out["n_throttle_numeric"] = float(pick.size)
        out["n_throttle_numeric_below"] = float((sub.P < m.min_cost_of_pass).sum())
    return out


def measurement_intervals(outcomes: Outcomes, name: str | None = None, conf: float = 0.95) -> pd.DataFrame:
    """Per-model means of a pair's per-request measurements with Student-t ``conf`` intervals over requests:
    pass rate (mean quality), cost per pass and, when the data has it, latency per pass (NaN requests ignored).

    The game's parameters are these means (:func:`measure_pair`); the interval says how well ``n`` requests pin
    them down. ``mean ± t_{n-1, (1+conf)/2} · sd/√n`` (:func:`llmroute.metrics.mean_ci`). One row per
    (model, quantity) with columns ``pair, model, quantity, mean, low, high, n``.
    """
    from ..metrics import mean_ci

    if outcomes.n_models != 2:
        fail("outcomes.models", outcomes.models, "exactly two models (cheap, big)")
    if not 0.0 < conf < 1.0:
        fail("conf", conf, "a confidence level strictly between 0 and 1")
    cols = {"pass rate p": outcomes.quality, f"cost c ({outcomes.cost_unit}/pass)": outcomes.cost}
    if outcomes.latency is not None:
        cols["latency (s/pass)"] = outcomes.latency
    rows = []
    for qty, arr in cols.items():
        arr = np.asarray(arr, dtype=float)
        for k, model in enumerate(outcomes.models):
            m, lo, hi = mean_ci(arr[:, k], conf)
            rows.append({"pair": name or outcomes.name, "model": model, "quantity": qty, "mean": m, "low": lo,
                         "high": hi, "n": int(np.isfinite(arr[:, k]).sum())})
    return pd.DataFrame(rows)
