"""Vectorised MESS+ simulator: many runs (alpha x V x c x seed) of one outcome table at once.

Why it is fast: the exploration coin of request t depends only on (seed, c), and the predictor learns only on
exploration steps, so the predictor's whole trajectory - and with it s_hat_t for every request - is shared by all
(alpha, V) runs of one (seed, c). Each trajectory is computed once (one batched forward pass per stretch between
two explorations, one SGD step per exploration); then the queue recursion runs for every run at once, a loop over
t of a few numpy operations on (runs, models) arrays.

Same seeds, same decisions: for seed s the simulator derives exactly the generators the replay engine
(:func:`llmroute.replay.replay`) gives :class:`~llmroute.messplus.router.MessPlus` - the request order, the
router generator (split into the exploration stream and the predictor-initialisation stream) and the feedback
mask - and evaluates the same floating-point expressions, so it takes the same decisions (tested).
"""
from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validate import check_choice, check_prob
from ..data.schema import Outcomes
from ..replay import stream_order
from .predictors import SatisfactionPredictor
from .router import explore_serve as _explore_serve
from .settings import SERVE_ON_EXPLORE, MessPlusSettings, explore_prob


class ExplorationAssumptionWarning(UserWarning):
    """The data contradicts the paper's exploration rule: the most expensive model is not the most accurate."""


def exploration_assumption(outcomes: Outcomes) -> dict:
    """Does the data fit the paper's rule of serving the last (most expensive) model on exploration steps?

    Returns the per-model mean quality and mean cost, the most accurate model, whether the last column is the
    most expensive by mean cost and the most accurate (ties count for both), and the quality the rule
    gives away per exploration step (best mean quality - the last model's)."""
    q, c = outcomes.mean_quality(), outcomes.mean_cost()
    best = int(np.argmax(q))
    return {"models": outcomes.models, "mean_quality": q, "mean_cost": c, "most_accurate": outcomes.models[best],
            "largest_is_most_expensive": bool(c[-1] >= c.max()),
            "largest_is_most_accurate": bool(q[-1] >= q.max()),
            "quality_given_away": float(q.max() - q[-1])}


#: Mean-quality margin below which a more accurate model than the last one is not reported (sampling noise).
EXPLORATION_WARN_TOL = 0.01


def warn_exploration_assumption(outcomes: Outcomes, serve_on_explore: str = "largest",
                                tol: float = EXPLORATION_WARN_TOL) -> bool:
    """Warn (:class:`ExplorationAssumptionWarning`) when the paper's exploration rule meets data that contradicts
    it: the last model is not the most expensive, or some model's mean quality exceeds the last model's by more
    than ``tol``. Returns whether it warned."""
    if serve_on_explore != "largest":
        return False
    a = exploration_assumption(outcomes)
    if a["quality_given_away"] <= tol and a["largest_is_most_expensive"]:
        return False
    warnings.warn(
        f"{outcomes.name}: MESS+ serves the last model ({outcomes.models[-1]}) on exploration steps, assuming it is "
        f"the most expensive and most accurate; here the most accurate is {a['most_accurate']} (mean quality "
        f"{a['mean_quality'].max():.3f} vs {a['mean_quality'][-1]:.3f}) and the last model is "
        f"{'' if a['largest_is_most_expensive'] else 'not '}the most expensive. Consider serve_on_explore="
        f"'best_estimate'.", ExplorationAssumptionWarning, stacklevel=3)
    return True


@dataclass
class Trajectory:
    """What one (seed, c) shares across its (alpha, V) runs: order, coins, predictions, cost estimates, loss."""

    seed: int
    c: float
    rows: np.ndarray          # (T,) outcome rows in stream order
    p: np.ndarray             # (T,) exploration probability
    explore: np.ndarray       # (T,) bool
    labelled: np.ndarray      # (T,) bool
    s_hat: np.ndarray         # (T, M) predicted satisfaction at each step (0 on exploration steps: unused)
    loss: np.ndarray          # (T,) predictor BCE on the explored example before its step (NaN elsewhere)
    explore_serve: np.ndarray | None = None  # (T,) model served if step t explores (settings.SERVE_ON_EXPLORE)


@dataclass
class GridResult:
    """``runs``: one row per run (settings and summary); ``steps``: per-step arrays (T, R) when kept."""

    runs: pd.DataFrame
    models: tuple[str, ...]
    cost_unit: str
    trajectories: list[Trajectory]
    steps: dict[str, np.ndarray] = field(default_factory=dict)

    def step_log(self, run: int) -> pd.DataFrame:
        """The per-step log of one run (needs ``keep_steps=True``)."""
        if not self.steps:
            raise ValueError("simulate_grid(..., keep_steps=True) is needed for per-step logs")
        r = self.runs.iloc[run]
        tr = self.trajectories[int(r["traj"])]
        T = tr.rows.size
        t = np.arange(T)
        s = self.steps["s"][:, run].astype(float)
        served = self.steps["served"][:, run].astype(np.int64)
        df = pd.DataFrame({"t": t, "row": tr.rows, "served": served, "explored": tr.explore, "p_explore": tr.p,
                           "quality": s, "cost": self.steps["cost"][:, run], "Q": self.steps["Q"][:, run],
                           "Q_true": self.steps["Q_true"][:, run], "predictor_loss": tr.loss,
                           "labelled": tr.labelled})
        df["running_quality"] = np.cumsum(s) / (t + 1)
        df["sla_violation"] = df["Q_true"] / np.maximum(t + 1, 1)
        df["exploration_ratio"] = np.cumsum(tr.explore) / (t + 1)
        for k, m in enumerate(self.models):
            df[f"mcr_{m}"] = np.cumsum(served == k) / (t + 1)
        return df


def _generators(seed: int):
    ss = np.random.SeedSequence(seed)
    order_rng, router_rng, fb_rng = (np.random.default_rng(s) for s in ss.spawn(3))
    explore_rng, pred_rng = router_rng.spawn(2)
    return order_rng, explore_rng, pred_rng, fb_rng


def trajectory(outcomes: Outcomes, predictor: SatisfactionPredictor, seed: int, c: float, *, power: float = 0.25,
               feedback_rate: float = 1.0, n: int | None = None, order: str = "shuffle",
               rows: np.ndarray | None = None, serve_on_explore: str = "largest") -> Trajectory:
    """The shared part of every run with this (seed, c): see the module docstring. ``explore_serve[t]`` is the
    model served if step t explores (:func:`llmroute.messplus.router.explore_serve` on the labels of the earlier
    labelled explorations). The predictor is bound to ``outcomes`` first (:meth:`SatisfactionPredictor.bind`:
    keyed by request id, or checked to be built on a table of this shape)."""
    predictor.bind(outcomes)
    order_rng, explore_rng, pred_rng, fb_rng = _generators(seed)
    if rows is None:
        rows = stream_order(outcomes.n_requests, order_rng, order, n)
    rows = np.asarray(rows, dtype=np.int64)
    T, M = rows.size, outcomes.n_models
    labelled = fb_rng.random(T) < feedback_rate if feedback_rate < 1.0 else np.ones(T, dtype=bool)
    p = explore_prob(np.arange(T), c, power)
    X = explore_rng.random(T) < p
    predictor.reset(M, pred_rng)
    loss = np.full(T, np.nan)
    serve = np.full(T, M - 1, dtype=np.int64)
    if serve_on_explore != "largest":
        q_sum, q_n = np.zeros(M), 0
        for e in np.flatnonzero(X):
            serve[e] = _explore_serve(q_sum, q_n, serve_on_explore)
            if labelled[e]:
                q_sum += outcomes.quality[rows[e]]
                q_n += 1
    if not predictor.learns:
        s_hat = np.asarray(predictor.predict(rows), dtype=float).copy()
    else:
        s_hat = np.zeros((T, M))
        start = 0
        for e in np.flatnonzero(X):
            if e > start:
                s_hat[start:e] = predictor.predict(rows[start:e])
            if labelled[e]:
                loss[e] = predictor.update(int(rows[e]), outcomes.quality[rows[e]])
            start = e + 1
        if start < T:
            s_hat[start:] = predictor.predict(rows[start:])
    return Trajectory(seed=seed, c=float(c), rows=rows, p=p, explore=X, labelled=labelled, s_hat=s_hat, loss=loss,
                      explore_serve=serve)


def simulate_grid(outcomes: Outcomes, *, alphas: Sequence[float], Vs: Sequence[float], cs: Sequence[float],
                  seeds: Sequence[int], predictor: Callable[[], SatisfactionPredictor] | SatisfactionPredictor,
                  cost_estimate: str = "last_explored", e_init: float = 1.0, power: float = 0.25,
                  feedback_rate: float = 1.0, n: int | None = None, order: str = "shuffle",
                  rows_by_seed: dict[int, np.ndarray] | None = None, list_cost: np.ndarray | None = None,
                  keep_steps: bool = False, serve_on_explore: str = "largest",
                  trajectories: Sequence[Trajectory] | None = None, V_unit: str = "per-cost-unit") -> GridResult:
    """Run MESS+ for every (seed, c, alpha, V) on ``outcomes``; runs are in that nested order.

    ``predictor``: a factory returning a fresh predictor per (seed, c), or one non-learning predictor instance.
    Other parameters as :class:`MessPlusSettings` and :func:`llmroute.replay.replay` (``list_cost`` defaults to
    the per-model mean cost, as the engine's). Every setting is validated through :class:`MessPlusSettings`.
    With the paper's ``serve_on_explore="largest"`` an :class:`ExplorationAssumptionWarning` is issued when the
    last model is not the most accurate (or not the most expensive) on ``outcomes``.

    ``trajectories``: the (seed, c) trajectories of an earlier call (``GridResult.trajectories``) to reuse
    instead of recomputing them; valid only when that call had the same quality table, seeds, cs, predictor,
    power, feedback_rate, order/rows and serve_on_explore (the trajectory does not depend on costs, the cost
    estimate, alpha or V). Their seeds, c values and lengths are checked.

    ``V_unit``: the unit of ``Vs`` (:data:`~llmroute.messplus.settings.V_UNITS`): ``per-cost-unit`` (default, the
    paper's V in 1/cost-unit) or ``unitless`` (each V is divided by E_ref = max of the list costs, as the router
    does; the result then carries both ``V`` as given and ``V_per_cost_unit``). A predictor instance is bound to
    ``outcomes`` (:meth:`SatisfactionPredictor.bind`) before each trajectory.
    """
    check_choice("order", order, ("shuffle", "given"))
    check_prob("feedback_rate", feedback_rate)
    check_choice("serve_on_explore", serve_on_explore, SERVE_ON_EXPLORE)
    for a, V, c in itertools.product(alphas, Vs, cs):
        MessPlusSettings(alpha=a, V=V, c=c, cost_estimate=cost_estimate, e_init=e_init, power=power,
                         serve_on_explore=serve_on_explore, V_unit=V_unit)
    warn_exploration_assumption(outcomes, serve_on_explore)
    M = outcomes.n_models
    trajs: list[Trajectory] = []
    if trajectories is not None:
        want = [(int(sd), float(c)) for sd in seeds for c in cs]
        got = [(int(tr.seed), float(tr.c)) for tr in trajectories]
        if got != want or any(tr.explore_serve is None for tr in trajectories):
            raise ValueError(f"trajectories are for (seed, c) = {got[:4]}..., this grid needs {want[:4]}... "
                             "(in that nested order, computed by simulate_grid)")
        trajs = list(trajectories)
    for seed in (seeds if trajectories is None else ()):
        for c in cs:
            pred = predictor() if callable(predictor) and not isinstance(predictor, SatisfactionPredictor) else predictor
            rows = None if rows_by_seed is None else rows_by_seed[seed]
            trajs.append(trajectory(outcomes, pred, seed, c, power=power, feedback_rate=feedback_rate, n=n,
                                    order=order, rows=rows, serve_on_explore=serve_on_explore))
    T = trajs[0].rows.size
    if any(tr.rows.size != T or tr.rows.max() >= outcomes.n_requests for tr in trajs):
        raise ValueError("trajectories do not fit this outcome table (stream length or rows differ)")
    combos = list(itertools.product(range(len(seeds)), range(len(cs)), alphas, Vs))
    R = len(combos)
    traj_of = np.array([si * len(cs) + ci for si, ci, _, _ in combos])
    alpha_r = np.array([a for *_, a, _ in combos], dtype=float)
    lc = outcomes.mean_cost() if list_cost is None else np.asarray(list_cost, dtype=float)
    V_r = np.array([MessPlusSettings(alpha=a, V=v, V_unit=V_unit).V_per_cost_unit(lc) for *_, a, v in combos],
                   dtype=float)
    nt = len(trajs)
    # (T, n_traj, M) tables in stream order, then gathered to (T, R, M)
    rows_tr = np.stack([tr.rows for tr in trajs], axis=1)                   # (T, nt)
    qual = outcomes.quality[rows_tr]                                        # (T, nt, M)
    cost = outcomes.cost[rows_tr]
    S = np.stack([tr.s_hat for tr in trajs], axis=1)
    X = np.stack([tr.explore for tr in trajs], axis=1)[:, traj_of]          # (T, R)
    lab = np.stack([tr.labelled for tr in trajs], axis=1)[:, traj_of]
    xserve = np.stack([tr.explore_serve for tr in trajs], axis=1)[:, traj_of]  # (T, R)
    S_r = np.ascontiguousarray(S[:, traj_of])
    q_r = np.ascontiguousarray(qual[:, traj_of])
    c_r = np.ascontiguousarray(cost[:, traj_of])
    csum_r = c_r.sum(axis=2)
    if cost_estimate == "last_explored":
        E_tr = np.empty((T, nt, M))
        for j, tr in enumerate(trajs):
            idx = np.flatnonzero(tr.explore)
            last = np.full(T, -1)
            if idx.size:
                mark = np.full(T, -1)
                mark[idx] = idx
                last[1:] = np.maximum.accumulate(mark)[:-1]
            E_tr[:, j] = np.where((last >= 0)[:, None], outcomes.cost[tr.rows[np.maximum(last, 0)]], float(e_init))
        E_r = np.ascontiguousarray(E_tr[:, traj_of])
    ar = np.arange(R)
    Q = np.zeros(R)
    Qt = np.zeros(R)
    e_sum = np.full((R, M), float(e_init))
    e_cnt = np.ones((R, M))
    served = np.empty((T, R), dtype=np.int8)
    s_out = np.empty((T, R), dtype=np.int8 if np.all((qual == 0) | (qual == 1)) else float)
    cost_out = np.empty((T, R))
    Q_out = np.empty((T, R)) if keep_steps else None
    Qt_out = np.empty((T, R)) if keep_steps else None
    Vc, ac = V_r[:, None], alpha_r[:, None]
    for t in range(T):
        if cost_estimate == "last_explored":
            E = E_r[t]
        elif cost_estimate == "list":
            E = lc
        else:
            E = e_sum / e_cnt
        m = np.argmin(Vc * E + Q[:, None] * (ac - S_r[t]), axis=1)
        xt = X[t]
        m[xt] = xserve[t, xt]
        s = q_r[t, ar, m]
        cst = c_r[t, ar, m]
        ct = np.where(xt, csum_r[t], cst)
        if cost_estimate == "running_mean":
            e_sum[ar, m] += np.where(xt, 0.0, cst)
            e_cnt[ar, m] += np.where(xt, 0.0, 1.0)
            if xt.any():
                e_sum[xt] += c_r[t, xt]
                e_cnt[xt] += 1.0
                # the served (largest) model's cost was added above only for non-exploring runs
        Qn = np.maximum(0.0, Q + alpha_r - s)
        Q = np.where(lab[t], Qn, Q)
        Qt = np.maximum(0.0, Qt + alpha_r - s)
        served[t] = m
        s_out[t] = s
        cost_out[t] = ct
        if keep_steps:
            Q_out[t] = Q
            Qt_out[t] = Qt
    # ---- summaries ----------------------------------------------------------------------------------
    sf = s_out.astype(float)
    tt = np.arange(1, T + 1)[:, None]
    running = np.cumsum(sf, axis=0) / tt
    recs = []
    for r, (si, ci, a, V) in enumerate(combos):
        tr = trajs[traj_of[r]]
        x = tr.explore
        rec = {"seed": seeds[si], "c": cs[ci], "alpha": a, "V": V, "traj": int(traj_of[r]), "T": T,
               "satisfaction": float(sf[:, r].mean()), "satisfaction_timemean": float(running[:, r].mean()),
               "total_cost": float(cost_out[:, r].sum()), "cost_per_request": float(cost_out[:, r].mean()),
               "exploration_cost": float(cost_out[x, r].sum()), "n_explored": int(x.sum()),
               "n_updates": int((x & tr.labelled).sum()),
               "exploration_ratio": float(x.mean()), "Q_final": float(Q[r]), "Q_true_final": float(Qt[r]),
               "predictor_loss_mean": float(np.nanmean(tr.loss)) if np.isfinite(tr.loss).any() else float("nan")}
        if V_unit != "per-cost-unit":
            rec["V_per_cost_unit"] = float(V_r[r])
        rec["meets_alpha"] = bool(rec["satisfaction"] >= a)
        cnt = np.bincount(served[:, r], minlength=M) / T
        for k, name in enumerate(outcomes.models):
            rec[f"mcr_{name}"] = float(cnt[k])
        recs.append(rec)
    steps = {}
    if keep_steps:
        steps = {"served": served, "s": s_out, "cost": cost_out, "Q": Q_out, "Q_true": Qt_out}
    return GridResult(runs=pd.DataFrame(recs), models=outcomes.models, cost_unit=outcomes.cost_unit,
                      trajectories=trajs, steps=steps)
