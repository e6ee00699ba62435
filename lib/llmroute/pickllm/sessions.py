"""Many seeded PickLLM sessions at once (vectorised over sessions), their baselines, and their statistics.

A **session** is T queries of one context (benchmark / domain) of an :class:`~llmroute.data.schema.Outcomes`
table; the learner is reset at its start (spec §1.1). Session ``seed`` fixes everything, exactly as the replay
engine does: ``np.random.SeedSequence(seed).spawn(3)`` gives the row-order stream (``session_rows``) and the
router stream. So :func:`run_sessions` gives, session for session, the same choices as
``replay(ctx, PickLLMLRI(...), seed=seed, rows=session_rows(...))`` (tested), only S times faster.

Rows: T <= context size samples without replacement (the replay engine's seeded permutation); a larger T
cycles through fresh permutations of the context (documented; OmnisBench's contexts have 164 and 200 rows).

Real data without latency (LLMRouter, RouterBench): :func:`with_synthetic_latency` adds a SYNTHESISED latency
column by a documented rule (a parameter); outputs must say so (``meta["latency_synthetic"]``).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from .._validate import check_int, check_nonneg, check_positive
from ..data.schema import Outcomes
from ..replay import replay
from ..routers.baselines import SingleModel, UniformRandom
from .automaton import PickLLMLRI, lri_update, sample_categorical
from .qlearning import PickLLMQ, egreedy_choice, epsilon_schedule, q_update
from .reward import NegativeNumeratorWarning, RewardConfig, make_normaliser, reward, reward_bounds, reward_matrix


# ------------------------------------------------------------------------------------------------ streams
def session_streams(seed: int) -> tuple[np.random.Generator, np.random.Generator]:
    """(order_rng, router_rng) of session ``seed``: the replay engine's first two spawned streams."""
    ss = np.random.SeedSequence(check_int("seed", seed, 0))
    order, router, _ = (np.random.default_rng(s) for s in ss.spawn(3))
    return order, router


def session_rows(n_ctx: int, T: int, rng: np.random.Generator) -> np.ndarray:
    """T row indices of a context of ``n_ctx`` rows: a seeded permutation (cycled when T > n_ctx)."""
    check_int("T", T, 1)
    if T <= n_ctx:
        return rng.permutation(n_ctx)[:T]
    reps = math.ceil(T / n_ctx)
    return np.concatenate([rng.permutation(n_ctx) for _ in range(reps)])[:T]


def default_bounds(ctx: Outcomes, cfg: RewardConfig, q: tuple[float, float] = (1.0, 99.0)) -> tuple[float, float]:
    """Fixed normalisation bounds of a context: the ``q`` percentiles of R over its (request, model) table
    (the prior an operator would set from the pool's known score, price and latency ranges)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NegativeNumeratorWarning)
        return reward_bounds(reward_matrix(ctx, cfg), q)


# ------------------------------------------------------------------------------------------------ results
@dataclass(frozen=True)
class SessionResult:
    """Per-session summary (one row per session) plus choices (S, T) and, if recorded, P or Q traces (S, T, M)."""

    summary: pd.DataFrame
    choices: np.ndarray
    trace: np.ndarray | None
    rewards: np.ndarray


def _gather(ctx: Outcomes, cfg: RewardConfig, seeds, T: int):
    rows, U_router = [], []
    for sd in seeds:
        o_rng, r_rng = session_streams(int(sd))
        rows.append(session_rows(ctx.n_requests, T, o_rng))
        U_router.append(r_rng)
    rows = np.stack(rows)
    if ctx.latency is None:
        raise ValueError(f"{ctx.name}: no latency; use with_synthetic_latency(...) and say so in the output")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NegativeNumeratorWarning)
        R_ctx = reward(ctx.quality, ctx.cost, ctx.latency, cfg, cost_ref=float(ctx.mean_cost().max()))
    return rows, U_router, R_ctx


def run_sessions(ctx: Outcomes, router: PickLLMLRI | PickLLMQ, *, T: int, seeds, record: bool = False,
                 best_arm: int | None = None) -> SessionResult:
    """Run one session per seed of ``router``'s algorithm and settings on the context table ``ctx``.

    ``best_arm`` (default: the argmax of the context's mean reward) is the hindsight best fixed model used for
    P(i* = best) and regret. For sessions that never lock in, ``i_star`` is the final argmax (``locked`` False)
    and ``t_star`` is NaN.
    """
    seeds = [int(s) for s in seeds]
    S, M = len(seeds), ctx.n_models
    if best_arm is not None:
        best_arm = check_int("best_arm", best_arm, 0, M - 1)
    cfg = router.reward_cfg
    rows, rngs, R_ctx = _gather(ctx, cfg, seeds, T)
    if best_arm is None:
        best_arm = int(np.argmax(R_ctx.mean(axis=0)))
    norm = make_normaliser(router.params.reward_norm, router.params.bounds, allow_raw=isinstance(router, PickLLMQ))
    norm.reset((S,))
    choices = np.empty((S, T), dtype=np.int64)
    Rt = np.empty((S, T))
    trace = np.empty((S, T, M)) if record else None
    locked = np.zeros(S, dtype=bool)
    i_star = np.full(S, -1, dtype=np.int64)
    t_star = np.full(S, np.nan)
    if isinstance(router, PickLLMLRI):
        p = router.params
        if not p.p_thr > 1.0 / M:
            raise ValueError(f"p_thr = {p.p_thr:g} must exceed 1/M = {1.0 / M:g}")
        U = np.stack([g.random(T) for g in rngs])
        X = np.full((S, M), 1.0 / M)
        for t in range(T):
            k = np.where(locked, i_star, sample_categorical(X, U[:, t]))
            R = R_ctx[rows[:, t], k]
            r = norm(R)
            upd = ~locked if not p.update_after_lock else np.ones(S, dtype=bool)
            X = np.where(upd[:, None], lri_update(X, k, r, p.b), X)
            newly = ~locked & (X.max(axis=1) >= p.p_thr)
            i_star[newly] = np.argmax(X[newly], axis=1)
            t_star[newly] = t + 1
            locked |= newly
            choices[:, t], Rt[:, t] = k, R
            if record:
                trace[:, t] = X
        algo, label = "L_R-I", f"b={p.b:g}"
    elif isinstance(router, PickLLMQ):
        p = router.params
        U = np.stack([g.random((T, 3)) for g in rngs])
        X = np.full((S, M), float(p.q0))
        prev = np.full(S, -1, dtype=np.int64)
        streak = np.zeros(S, dtype=np.int64)
        for t in range(T):
            eps = epsilon_schedule(t, p)
            k = np.where(locked, i_star, egreedy_choice(X, U[:, t], eps))
            R = R_ctx[rows[:, t], k]
            r = norm(R)
            X = np.where(locked[:, None], X, q_update(X, k, r, p.alpha, p.gamma))
            g = np.argmax(X, axis=1)
            streak = np.where(g == prev, streak + 1, 1)
            prev = g
            newly = ~locked & (epsilon_schedule(t + 1, p) <= p.eps_lock) & (streak >= p.lock_k)
            i_star[newly] = g[newly]
            t_star[newly] = t + 1
            locked |= newly
            choices[:, t], Rt[:, t] = k, R
            if record:
                trace[:, t] = X
        algo, label = "Q-learning", f"alpha={p.alpha:g}"
    else:
        raise TypeError(f"run_sessions needs a PickLLMLRI or PickLLMQ router, got {type(router).__name__}")
    final = np.where(locked, i_star, np.argmax(X, axis=1))
    served_rows = rows
    cost = ctx.cost[served_rows, choices]
    lat = ctx.latency[served_rows, choices]
    qual = ctx.quality[served_rows, choices]
    R_best = R_ctx[served_rows, best_arm]
    share = np.stack([(choices == m).mean(axis=1) for m in range(M)], axis=1)
    df = pd.DataFrame({
        "seed": seeds, "context": ctx.name, "router": router.name, "algo": algo, "setting": label, "T": T,
        "session_cost": cost.sum(axis=1), "mean_latency_s": lat.mean(axis=1), "mean_quality": qual.mean(axis=1),
        "mean_reward": Rt.mean(axis=1), "regret": (R_best - Rt).sum(axis=1), "locked": locked, "t_star": t_star,
        "i_star": final, "i_star_model": np.asarray(ctx.models, dtype=object)[final], "best_arm": best_arm,
        "hit_best": final == best_arm,
    })
    for m, name in enumerate(ctx.models):
        df[f"share_{name}"] = share[:, m]
    return SessionResult(df, choices, trace, Rt)


def run_baselines(ctx: Outcomes, *, T: int, seeds, cfg: RewardConfig | None = None) -> pd.DataFrame:
    """Random selection and every always-m model on the same session rows (through the replay engine)."""
    rows_all = []
    routers = [UniformRandom()] + [SingleModel(m) for m in ctx.models]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NegativeNumeratorWarning)
        R_ctx = None if cfg is None else reward(ctx.quality, ctx.cost, ctx.latency, cfg,
                                                cost_ref=float(ctx.mean_cost().max()))
    for sd in seeds:
        o_rng, _ = session_streams(int(sd))
        rows = session_rows(ctx.n_requests, T, o_rng)
        for rt in routers:
            res = replay(ctx, rt, seed=int(sd), rows=rows)
            log = res.log
            d = {"seed": int(sd), "context": ctx.name, "router": rt.name, "algo": "baseline", "setting": rt.name,
                 "T": T, "session_cost": float(log["cost"].sum()), "mean_latency_s": float(log["latency_s"].mean()),
                 "mean_quality": float(log["quality"].mean())}
            if R_ctx is not None:
                d["mean_reward"] = float(R_ctx[log["row"].to_numpy(), log["served"].to_numpy()].mean())
            rows_all.append(d)
    return pd.DataFrame(rows_all)


# ------------------------------------------------------------------------------------------------ statistics
def mean_ci(x, conf: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval (scipy.stats.t) of a sample; NaNs dropped."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return (np.nan, np.nan, np.nan)
    m = float(x.mean())
    if x.size < 2 or float(x.std(ddof=1)) == 0.0:
        return (m, m, m)
    lo, hi = stats.t.interval(conf, x.size - 1, loc=m, scale=stats.sem(x))
    return (m, float(lo), float(hi))


def summarise(df: pd.DataFrame, by: list[str], cols: list[str], conf: float = 0.95) -> pd.DataFrame:
    """Mean and CI bounds (``<col>``, ``<col>_lo``, ``<col>_hi``) per group, plus the number of sessions."""
    out = []
    for key, g in df.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        d = dict(zip(by, key))
        d["n_sessions"] = len(g)
        for c in cols:
            m, lo, hi = mean_ci(g[c], conf)
            d[c], d[f"{c}_lo"], d[f"{c}_hi"] = m, lo, hi
        out.append(d)
    return pd.DataFrame(out)


def tstar_survival(t_star, locked, T: int) -> dict[str, float]:
    """Censoring-aware summary of the lock-in time t* of sessions of length T.

    A session that never locks within T is right-censored at T (administrative censoring: we only know
    t* > T). The survival function S(t) = P(t* > t) is the Kaplan-Meier estimate (``scipy.stats.ecdf`` on
    ``scipy.stats.CensoredData``); with every censoring time at T it equals the empirical share not locked by t.
    Returns ``n``, ``locked_share``; ``km_median``, ``km_q25``, ``km_q75`` = the smallest t with
    S(t) <= 1 - p (``inf`` when S stays above 1 - p up to T, i.e. the quantile lies beyond T);
    ``rmst`` = the restricted mean ``int_0^T S(t) dt = E[min(t*, T)]`` (always finite, so it can be compared
    across learning rates even when most sessions never lock); ``median_locked`` = the median over locked
    sessions only (NOT censoring-aware; shown beside ``locked_share`` for comparison, NaN if none locked).
    """
    check_int("T", T, 1)
    t = np.asarray(t_star, dtype=float)
    lk = np.asarray(locked, dtype=bool)
    if t.shape != lk.shape or t.ndim != 1 or t.size == 0:
        raise ValueError(f"t_star and locked must be 1-d arrays of the same non-zero length, got {t.shape} and {lk.shape}")
    tl = t[lk]
    if tl.size and (not np.isfinite(tl).all() or tl.min() < 1 or tl.max() > T):
        raise ValueError(f"t_star of locked sessions must lie in [1, T = {T}], got range [{tl.min():g}, {tl.max():g}]")
    res = stats.ecdf(stats.CensoredData(uncensored=tl, right=np.full(int((~lk).sum()), float(T))))
    q, S = res.sf.quantiles, res.sf.probabilities

    def quantile(p: float) -> float:
        hit = np.flatnonzero(S <= 1.0 - p + 1e-12)
        return float(q[hit[0]]) if hit.size and q[hit[0]] <= T and (lk.any()) else float("inf")

    knots = np.concatenate([[0.0], q[q < T], [float(T)]])
    levels = np.concatenate([[1.0], S[q < T]])
    rmst = float(np.sum(np.diff(knots) * levels))
    return {"n": int(t.size), "locked_share": float(lk.mean()), "km_median": quantile(0.5),
            "km_q25": quantile(0.25), "km_q75": quantile(0.75), "rmst": rmst,
            "median_locked": float(np.median(tl)) if tl.size else float("nan")}


# ------------------------------------------------------------------------------------------------ latency
@dataclass(frozen=True)
class LatencyRule:
    """SYNTHESISED latency for data without it: model m (cost rank j of M, cheapest first) gets median latency
    ``lat_min_s * (lat_max_s/lat_min_s) ** (j/(M-1))`` (cheapest fastest, geometric spacing), times
    LogNormal(0, sigma) per query."""

    lat_min_s: float = 1.0
    lat_max_s: float = 5.0
    sigma: float = 0.3

    def __post_init__(self) -> None:
        check_positive("lat_min_s", self.lat_min_s)
        check_positive("lat_max_s", self.lat_max_s)
        if self.lat_max_s < self.lat_min_s:
            raise ValueError(f"lat_max_s = {self.lat_max_s:g} must be >= lat_min_s = {self.lat_min_s:g}")
        check_nonneg("sigma", self.sigma)

    def describe(self) -> str:
        return (f"latency SYNTHESISED (not measured): median {self.lat_min_s:g} s (cheapest) to {self.lat_max_s:g} s "
                f"(most expensive), geometric in cost rank, x LogNormal(0, {self.sigma:g})")


def with_synthetic_latency(outcomes: Outcomes, rng: np.random.Generator, rule: LatencyRule | None = None) -> Outcomes:
    """A copy of ``outcomes`` with a synthesised latency column (by ``rule``), recorded in ``meta``."""
    rule = rule or LatencyRule()
    M = outcomes.n_models
    j = np.arange(M) / max(M - 1, 1)
    med = rule.lat_min_s * (rule.lat_max_s / rule.lat_min_s) ** j
    lat = med[None, :] * rng.lognormal(0.0, rule.sigma, outcomes.quality.shape)
    meta = {**outcomes.meta, "latency_synthetic": rule.describe()}
    return replace(outcomes, latency=lat, meta=meta)
