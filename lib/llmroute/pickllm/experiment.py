"""The PickLLM experiment of spec §4-§5 on any outcome table with contexts: sessions, baselines, tables, claims.

:func:`run_experiment` runs, per context, ``n_sessions`` seeded sessions of L_R-I for every learning rate ``b``
and of Q-learning for every ``alpha`` (and decay), plus random and every always-m model on the same session
rows. :func:`table1`, :func:`headline` and :func:`convergence_table` reduce them (mean and 95 % CI over
sessions with scipy.stats); :func:`weight_profiles` and :func:`phase_diagram` show the customisability.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .._validate import check_int, check_vector
from ..data.schema import Outcomes
from .automaton import LRIParams, PickLLMLRI
from .qlearning import PickLLMQ, QParams
from .reward import NegativeNumeratorWarning, RewardConfig, numerator, reward_matrix
from .sessions import default_bounds, mean_ci, run_baselines, run_sessions, summarise, tstar_survival


@dataclass(frozen=True)
class ExperimentConfig:
    """Session grid of the reproduction (reconstructed defaults, spec §4)."""

    T: int = 300
    n_sessions: int = 30
    seed0: int = 0
    b_grid: tuple[float, ...] = (0.01, 0.05, 0.1, 0.2, 0.5)
    alpha_grid: tuple[float, ...] = (0.05, 0.1, 0.3, 0.5)
    decays: tuple[float, ...] = (0.99, 0.95)
    headline_b: float = 0.1
    headline_alpha: float = 0.1
    headline_decay: float = 0.99
    p_thr: float = 0.99
    reward_norm: str = "fixed_bounds"
    bound_pct: tuple[float, float] = (1.0, 99.0)
    q: QParams = field(default_factory=QParams)

    def __post_init__(self) -> None:
        check_int("T", self.T, 1)
        check_int("n_sessions", self.n_sessions, 1)
        check_int("seed0", self.seed0, 0)
        check_vector("b_grid", self.b_grid, 0.0, 1.0, lo_open=True)
        check_vector("alpha_grid", self.alpha_grid, 0.0, 1.0, lo_open=True)
        check_vector("decays", self.decays, 0.0, 1.0, lo_open=True)
        LRIParams(b=self.headline_b, p_thr=self.p_thr, reward_norm=self.reward_norm)
        replace(self.q, alpha=self.headline_alpha, decay=self.headline_decay)

    def seeds(self, k: int) -> np.ndarray:
        """Session seeds of context number k (disjoint between contexts)."""
        return self.seed0 + 10_000 * k + np.arange(self.n_sessions)

    @property
    def lri_name(self) -> str:
        return f"PickLLM L_R-I (b={self.headline_b:g})"

    @property
    def q_name(self) -> str:
        return f"PickLLM Q (alpha={self.headline_alpha:g}, decay={self.headline_decay:g})"


def lri_router(cfg: RewardConfig, exp: ExperimentConfig, b: float, bounds) -> PickLLMLRI:
    return PickLLMLRI(cfg, LRIParams(b=b, p_thr=exp.p_thr, reward_norm=exp.reward_norm, bounds=bounds),
                      name=f"PickLLM L_R-I (b={b:g})")


def q_router(cfg: RewardConfig, exp: ExperimentConfig, alpha: float, decay: float) -> PickLLMQ:
    return PickLLMQ(cfg, replace(exp.q, alpha=alpha, decay=decay),
                    name=f"PickLLM Q (alpha={alpha:g}, decay={decay:g})")


def run_experiment(outcomes: Outcomes, cfg: RewardConfig, exp: ExperimentConfig, *,
                   contexts: tuple[str, ...] | None = None, trace_context: str | None = None) -> dict:
    """Sessions of every setting and the baselines, per context. Returns ``sessions``, ``baselines`` (frames),
    ``traces`` (first session's P(t) / Q(t) per setting in ``trace_context``), ``best`` (best fixed arm per
    context), ``bounds`` (fixed normalisation bounds per context)."""
    contexts = contexts or outcomes.domains
    sess, base, traces, best, bounds = [], [], {}, {}, {}
    for k, dom in enumerate(contexts):
        ctx = outcomes.by_domain(dom)
        ctx = replace(ctx, name=dom)
        seeds = exp.seeds(k)
        bd = default_bounds(ctx, cfg, exp.bound_pct)
        bounds[dom] = bd
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NegativeNumeratorWarning)
            best[dom] = int(np.argmax(reward_matrix(ctx, cfg).mean(axis=0)))
        rec = dom == trace_context
        routers = [lri_router(cfg, exp, b, bd) for b in exp.b_grid]
        routers += [q_router(cfg, exp, a, d) for d in exp.decays for a in exp.alpha_grid]
        for rt in routers:
            res = run_sessions(ctx, rt, T=exp.T, seeds=seeds, record=rec, best_arm=best[dom])
            df = res.summary
            if isinstance(rt, PickLLMLRI):
                df["lr"] = rt.params.b
                df["decay"] = np.nan
            else:
                df["lr"] = rt.params.alpha
                df["decay"] = rt.params.decay
            sess.append(df)
            if rec:
                traces[rt.name] = (res.trace[0], res.choices[0], float(df["t_star"].iloc[0]),
                                   int(df["i_star"].iloc[0]))
        b = run_baselines(ctx, T=exp.T, seeds=seeds, cfg=cfg)
        b["best_arm"] = best[dom]
        base.append(b)
    return {"sessions": pd.concat(sess, ignore_index=True), "baselines": pd.concat(base, ignore_index=True),
            "traces": traces, "best": best, "bounds": bounds, "models": outcomes.models}


def main_routers(res: dict, exp: ExperimentConfig) -> pd.DataFrame:
    """Headline PickLLM settings and all baselines, one frame (one row per session and router)."""
    s = res["sessions"]
    pick = s[s["router"].isin([exp.lri_name, exp.q_name])]
    return pd.concat([pick, res["baselines"]], ignore_index=True)


def table1(res: dict, exp: ExperimentConfig, conf: float = 0.95) -> pd.DataFrame:
    """Spec Table 1: per context x router, session cost, mean latency, accuracy, reward (mean and CI), the
    converged model (mode and share) and, for the PickLLM rows, the censoring-aware t* (Kaplan-Meier median and
    quartiles, ``inf`` = beyond T; :func:`~llmroute.pickllm.sessions.tstar_survival`) beside the share locked
    within T and the median over locked sessions only."""
    df = main_routers(res, exp)
    out = summarise(df, ["context", "router"], ["session_cost", "mean_latency_s", "mean_quality", "mean_reward"], conf)
    keys = ("km_median", "km_q25", "km_q75", "median_locked")
    conv, tstar = [], []
    for (c, r), g in df.groupby(["context", "router"], sort=False):
        if "i_star_model" in g and g["i_star_model"].notna().all():
            vc = g["i_star_model"].value_counts()
            conv.append((vc.index[0], vc.iloc[0] / len(g), g["locked"].mean()))
            sv = tstar_survival(g["t_star"].to_numpy(), g["locked"].to_numpy(bool), int(g["T"].iloc[0]))
            tstar.append(tuple(sv[k] for k in keys))
        else:
            conv.append(("", np.nan, np.nan))
            tstar.append((np.nan,) * len(keys))
    out["converged_mode"] = [c[0] for c in conv]
    out["converged_share"] = [c[1] for c in conv]
    out["locked_share"] = [c[2] for c in conv]
    for j, k in enumerate(keys):
        out[f"t_star_{k}"] = [t[j] for t in tstar]
    return out


def paired_ratios(res: dict, router: str) -> pd.DataFrame:
    """Per session: 1 - C/C(always-most-expensive), 1 - l/l(random), accuracy minus the best single model's
    (same context, same seed, same rows)."""
    s = res["sessions"]
    s = s[s["router"] == router]
    b = res["baselines"]
    expensive = f"only {res['models'][-1]}"
    e = b[b["router"] == expensive].set_index(["context", "seed"])
    r = b[b["router"] == "random"].set_index(["context", "seed"])
    singles = b[b["router"].str.startswith("only ")]
    best_acc = singles.groupby(["context", "seed"])["mean_quality"].max()
    x = s.set_index(["context", "seed"])
    out = pd.DataFrame({
        "cost_reduction_vs_expensive": 1.0 - x["session_cost"] / e["session_cost"].reindex(x.index),
        "latency_reduction_vs_random": 1.0 - x["mean_latency_s"] / r["mean_latency_s"].reindex(x.index),
        "accuracy": x["mean_quality"],
        "accuracy_best_single": best_acc.reindex(x.index),
    })
    out["accuracy_ratio_to_best_single"] = out["accuracy"] / out["accuracy_best_single"]
    return out.reset_index()


def headline(res: dict, routers: list[str], conf: float = 0.95) -> pd.DataFrame:
    """Headline ratios per router, per context and pooled over contexts: mean and CI over sessions."""
    rows = []
    for rt in routers:
        pr = paired_ratios(res, rt)
        for ctx, g in list(pr.groupby("context", sort=False)) + [("all contexts", pr)]:
            d = {"router": rt, "context": ctx, "n_sessions": len(g)}
            for col in ("cost_reduction_vs_expensive", "latency_reduction_vs_random", "accuracy",
                        "accuracy_best_single", "accuracy_ratio_to_best_single"):
                m, lo, hi = mean_ci(g[col], conf)
                d[col], d[f"{col}_lo"], d[f"{col}_hi"] = m, lo, hi
            rows.append(d)
    return pd.DataFrame(rows)


def convergence_table(res: dict) -> pd.DataFrame:
    """Per algorithm and learning rate, per context and over all contexts: the share locked within T, the
    censoring-aware t* (Kaplan-Meier median and quartiles, ``inf`` = beyond T; restricted mean
    E[min(t*, T)]), the median over locked sessions only (not censoring-aware, for comparison), P(i* = best
    fixed arm) and the mean regret (:func:`~llmroute.pickllm.sessions.tstar_survival`)."""
    s = res["sessions"]
    rows = []
    for ctx, g0 in list(s.groupby("context", sort=False)) + [("all contexts", s)]:
        for (algo, setting), g in g0.groupby(["algo", "router"], sort=False):
            sv = tstar_survival(g["t_star"].to_numpy(), g["locked"].to_numpy(bool), int(g["T"].max()))
            rows.append({"context": ctx, "algo": algo, "router": setting, "lr": g["lr"].iloc[0],
                         "decay": g["decay"].iloc[0], "n_sessions": len(g), "locked_share": sv["locked_share"],
                         "t_star_km_median": sv["km_median"], "t_star_km_q25": sv["km_q25"],
                         "t_star_km_q75": sv["km_q75"], "t_star_rmst": sv["rmst"],
                         "t_star_median_locked": sv["median_locked"],
                         "p_best": g["hit_best"].mean(), "mean_regret": g["regret"].mean()})
    return pd.DataFrame(rows)


def speed_violations(conv: pd.DataFrame, algo: str = "L_R-I", stat: str = "t_star_rmst",
                     context: str = "all contexts") -> tuple[int, list[float], list[float]]:
    """Count of adjacent learning-rate pairs (sorted ascending, the ``decay`` of the rows fixed) at which the
    convergence statistic ``stat`` of :func:`convergence_table` does NOT strictly fall: ``(violations, lrs,
    values)``. 0 means "convergence is strictly faster for every larger learning rate"."""
    g = conv[(conv["context"] == context) & (conv["algo"] == algo)].sort_values("lr")
    if g.empty:
        raise ValueError(f"no rows of algo {algo!r} in context {context!r}; have {sorted(set(conv['algo']))}")
    if g["lr"].duplicated().any():
        raise ValueError(f"{algo}: several rows per learning rate (filter one decay first)")
    v = g[stat].to_numpy(float)
    with np.errstate(invalid="ignore"):  # inf - inf (two quantiles beyond T) is NaN: not a decrease
        falls = np.diff(v) < 0
    return int(np.sum(~falls)), [float(x) for x in g["lr"]], [float(x) for x in v]


def negative_numerator_share(outcomes: Outcomes, cfg: RewardConfig) -> pd.DataFrame:
    """The sign trap (spec §1.2): per context, the share of (query, model) pairs whose reward numerator
    w_a*a - w_c*c is negative (cost in ``cfg.cost_unit`` with the context's own ``cost_ref``, as the sessions
    use it; ``numerator_floor`` ignored), and the share among the pairs of each model; plus a row for all
    (query, model) pairs of the table (each with its context's cost_ref)."""
    raw = replace(cfg, numerator_floor=None)
    rows, allneg = [], []
    for dom in outcomes.domains:
        ctx = outcomes.by_domain(dom)
        neg = numerator(ctx.quality, ctx.cost, raw, float(ctx.mean_cost().max()), warn=False) < 0
        allneg.append(neg)
        d = {"context": dom, "n_pairs": int(neg.size), "share_negative": float(neg.mean())}
        d.update({f"share_negative_{m}": float(neg[:, j].mean()) for j, m in enumerate(outcomes.models)})
        rows.append(d)
    neg = np.concatenate(allneg)
    d = {"context": "all contexts", "n_pairs": int(neg.size), "share_negative": float(neg.mean())}
    d.update({f"share_negative_{m}": float(neg[:, j].mean()) for j, m in enumerate(outcomes.models)})
    return pd.DataFrame(rows + [d])


def worst_context(hl: pd.DataFrame, router: str, col: str = "accuracy_ratio_to_best_single") -> tuple[float, str]:
    """(min over contexts of ``col``, that context) of one router in a :func:`headline` table (the pooled
    "all contexts" row excluded)."""
    g = hl[(hl["router"] == router) & (hl["context"] != "all contexts")]
    if g.empty:
        raise ValueError(f"router {router!r} not in the headline table; have {sorted(set(hl['router']))}")
    k = int(np.argmin(g[col].to_numpy(float)))
    return float(g[col].iloc[k]), str(g["context"].iloc[k])


WEIGHT_PROFILES: dict[str, RewardConfig] = {
    "default (w_c=100)": RewardConfig.paper(),
    "accuracy-heavy (w_c=0)": RewardConfig.paper(w_c=0.0),
    "cost-heavy (w_c=1000)": RewardConfig.paper(w_c=1000.0),
    "latency weight w_l=10 (pure scale)": RewardConfig.paper(w_l=10.0),
    "latency-heavy (log10(0.01*l), extension)": RewardConfig.paper(latency_form="log_scaled_inside", t_scaling=0.01),
}


def weight_profiles(outcomes: Outcomes, exp: ExperimentConfig, profiles: dict[str, RewardConfig] | None = None,
                    *, contexts: tuple[str, ...] | None = None, conf: float = 0.95) -> pd.DataFrame:
    """Table 2 (customisability): converged model (mode, share), session cost, mean latency and accuracy (mean and
    Student-t ``conf`` interval over sessions) of the headline L_R-I under several weight profiles, per context."""
    profiles = profiles or WEIGHT_PROFILES
    contexts = contexts or outcomes.domains
    rows = []
    for name, cfg in profiles.items():
        for k, dom in enumerate(contexts):
            ctx = replace(outcomes.by_domain(dom), name=dom)
            bd = default_bounds(ctx, cfg, exp.bound_pct)
            s = run_sessions(ctx, lri_router(cfg, exp, exp.headline_b, bd), T=exp.T, seeds=exp.seeds(k)).summary
            vc = s["i_star_model"].value_counts()
            row = {"profile": name, "context": dom, "reward": cfg.describe(),
                   "best_fixed_model": outcomes.models[int(s["best_arm"].iloc[0])],
                   "converged_mode": vc.index[0], "converged_share": vc.iloc[0] / len(s)}
            for col in ("session_cost", "mean_latency_s", "mean_quality"):
                m, lo, hi = mean_ci(s[col], conf)
                row[col], row[f"{col}_lo"], row[f"{col}_hi"] = m, lo, hi
            rows.append(row)
    return pd.DataFrame(rows)


def steering_within_context(t2: pd.DataFrame, profiles: list[str] | None = None) -> pd.DataFrame:
    """Customisability tested *within* a context: per context of a :func:`weight_profiles` table, the number
    of distinct modal converged models over the ``profiles`` (default all) and those models by profile. A
    context with ``n_distinct == 1`` is one where changing the weights did not move the converged model."""
    g0 = t2 if profiles is None else t2[t2["profile"].isin(profiles)]
    if g0.empty:
        raise ValueError(f"no rows for profiles {profiles!r}; have {sorted(set(t2['profile']))}")
    rows = []
    for dom, g in g0.groupby("context", sort=False):
        rows.append({"context": dom, "n_profiles": int(g["profile"].nunique()),
                     "n_distinct": int(g["converged_mode"].nunique()),
                     "modes": "; ".join(f"{p}: {m}" for p, m in zip(g["profile"], g["converged_mode"]))})
    return pd.DataFrame(rows)


def phase_dependence(ph: pd.DataFrame, second: str, value: str = "best_fixed") -> int:
    """Number of (context, w_c) cells of a :func:`phase_diagram` in which ``value`` (the best fixed model or
    the modal converged model) changes along the ``second`` axis (0: ``second`` never changes the choice)."""
    if second not in ph or value not in ph:
        raise ValueError(f"phase table lacks column {second!r} or {value!r}; has {list(ph.columns)}")
    return int((ph.groupby(["context", "w_c"])[value].nunique() > 1).sum())


def phase_diagram(outcomes: Outcomes, w_c_grid, w_l_grid, *, base: RewardConfig | None = None,
                  second: str = "w_l", exp: ExperimentConfig | None = None,
                  contexts: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Best fixed model (argmax of the context's mean reward, the b -> 0 limit of L_R-I) for every
    (w_c, <second>) pair; with ``exp`` also the modal converged model of the headline L_R-I sessions."""
    base = base or RewardConfig.paper()
    contexts = contexts or outcomes.domains
    rows = []
    for k, dom in enumerate(contexts):
        ctx = replace(outcomes.by_domain(dom), name=dom)
        for wc in w_c_grid:
            for v in w_l_grid:
                cfg = replace(base, w_c=float(wc), **{second: float(v)})
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", NegativeNumeratorWarning)
                    best = int(np.argmax(reward_matrix(ctx, cfg).mean(axis=0)))
                d = {"context": dom, "w_c": float(wc), second: float(v), "best_fixed": best,
                     "best_fixed_model": outcomes.models[best]}
                if exp is not None:
                    bd = default_bounds(ctx, cfg, exp.bound_pct)
                    s = run_sessions(ctx, lri_router(cfg, exp, exp.headline_b, bd), T=exp.T,
                                     seeds=exp.seeds(k), best_arm=best).summary
                    mode = int(s["i_star"].mode().iloc[0])
                    d.update(converged_mode=mode, converged_model=outcomes.models[mode],
                             p_best=float(s["hit_best"].mean()))
                rows.append(d)
    return pd.DataFrame(rows)


def cost_tier_pool(outcomes: Outcomes, k: int = 4) -> tuple[str, ...]:
    """A k-model pool from a larger zoo (documented rule): sort the models by mean cost per query (cheapest
    first, ties kept in the table's order), split them into k contiguous cost tiers (``numpy.array_split``)
    and keep the most accurate model of each tier (first on ties). The pool stays cheapest first."""
    check_int("k", k, 1, outcomes.n_models)
    order = np.argsort(outcomes.mean_cost(), kind="stable")
    acc = outcomes.mean_quality()
    picked = [int(tier[np.argmax(acc[tier])]) for tier in np.array_split(order, k)]
    return tuple(outcomes.models[j] for j in sorted(picked, key=lambda j: (outcomes.mean_cost()[j], j)))


REAL_DATASETS: dict[str, dict] = {
    "omnisbench": {"label": "OmnisBench (REAL: 2 models, USD and latency measured)", "T": 150},
    "llmrouter": {"label": "LLMRouter (REAL outcomes, 4-model cost-tier pool of 9, USD from a price table, "
                           "latency SYNTHESISED)", "T": 300},
    "routerbench": {"label": "RouterBench (REAL outcomes, 4-model cost-tier pool of 11, USD, latency SYNTHESISED)",
                    "T": 300},
    "messplus": {"label": "MESS+ (REAL: 3 Llama sizes, cost = GPU energy in J, latency measured)", "T": 300},
}


def prepare_real(name: str, rng: np.random.Generator, *, pool_k: int = 4, latency_rule=None) -> tuple[Outcomes | None, dict]:
    """Load a real dataset for PickLLM: pick a ``pool_k``-model pool (:func:`cost_tier_pool`) when the zoo is
    larger, and synthesise latency (:class:`~llmroute.pickllm.sessions.LatencyRule`) when there is none.
    Returns (outcomes or None, notes); when the data is absent, None and ``notes["skipped"]`` gives why."""
    from ..data import registry
    from .sessions import LatencyRule, with_synthetic_latency

    notes: dict = {"dataset": name, "label": REAL_DATASETS[name]["label"]}
    if not registry.available(name):
        notes["skipped"] = (f"{name} is not available here (needs ../shared/data or $LLMROUTE_DATA; it has no "
                            f"licence for vendoring)")
        return None, notes
    try:
        o = registry.load(name)
    except (FileNotFoundError, OSError) as e:
        notes["skipped"] = f"{name} could not be read: {e}"
        return None, notes
    notes.update(path=str(o.meta.get("path", "")), synthetic=bool(o.meta.get("synthetic", False)),
                 n_requests=o.n_requests, models_all=list(o.models), cost_unit=o.cost_unit)
    if o.n_models > pool_k:
        pool = cost_tier_pool(o, pool_k)
        o = o.select_models(pool)
        notes["pool_rule"] = (f"{pool_k}-model pool: models sorted by mean cost, split into {pool_k} contiguous cost "
                              "tiers, most accurate model of each tier kept")
    notes["pool"] = list(o.models)
    if o.latency is None or not np.isfinite(o.latency).all():
        rule = latency_rule or LatencyRule()
        o = with_synthetic_latency(o, rng, rule)
        notes["latency"] = rule.describe()
    else:
        notes["latency"] = "measured (real)"
    o = replace(o, meta={**o.meta, "pickllm_notes": notes})
    return o, notes


def chosen_model_distribution(sessions: pd.DataFrame, routers: list[str], models, conf: float = 0.95) -> pd.DataFrame:
    """Per context and router (of ``routers``), the share of a session's queries served by each model: the mean
    over sessions and its Student-t ``conf`` interval (columns ``share_<model>``, ``share_<model>_lo``/``_hi``),
    from the ``share_<model>`` columns of :func:`run_experiment`'s sessions."""
    missing = [r for r in routers if r not in set(sessions["router"])]
    if missing:
        raise ValueError(f"routers {missing} not in the sessions; allowed: {sorted(set(sessions['router']))}")
    rows = []
    g0 = sessions[sessions["router"].isin(routers)]
    for (ctx, rt), g in g0.groupby(["context", "router"], sort=False):
        row = {"context": ctx, "router": rt, "n_sessions": len(g)}
        for m in models:
            mu, lo, hi = mean_ci(g[f"share_{m}"], conf)
            row[f"share_{m}"], row[f"share_{m}_lo"], row[f"share_{m}_hi"] = mu, lo, hi
        rows.append(row)
    return pd.DataFrame(rows)
