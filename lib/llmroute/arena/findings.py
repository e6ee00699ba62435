"""The arena notebook's findings as tested functions: from the run table to the number each claim records.

Each function takes the arena's tables (the per-run rows of :func:`~.grid.run_arena_grid`, their seed means
from :func:`aggregate_runs`, or the per-dataset game table of :func:`game_table`) and returns a
:class:`Finding`: the value a claim records (``ours``), context for the reader (``detail``) and a ``note``
computed from the tables that explains a failure. Router display names are looked up through
:mod:`.catalog` (:data:`~.catalog.GAME_CASCADE`, :data:`~.catalog.GAME_OPTIMAL_PREFIX`,
:data:`~.catalog.MESSPLUS`, :func:`~.catalog.single_model_name`), never parsed ad hoc.

Game quantities (spec ``routing_game.md``) come from :mod:`llmroute.game`: the provider-optimal policy on each
dataset's measured pair (closed-form solver, §4.2) and the throttling gain of Proposition 2 (§4.4,
:func:`llmroute.game.throttling.throttling_gain`).
"""
from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..data.schema import Outcomes
from ..routers.base import Router
from .catalog import GAME_CASCADE, GAME_OPTIMAL_PREFIX, MESSPLUS, pair
from .game_routers import game_optimal_router, game_params, pair_params
from .metrics import measured_params, misalignment, per_domain_static_utility, static_expected_utility, \
    static_game_table
from .users import ArenaUser, run_arena

#: Columns of the arena's run table averaged over seeds by :func:`aggregate_runs`.
GROUP_KEYS: tuple[str, ...] = ("dataset", "user", "router", "family", "redraw", "q_source")
MEAN_COLUMNS: tuple[str, ...] = (
    "q", "mean_attempts", "success_rate", "abandon_rate", "abandon_choice_rate", "capped_rate", "cost_per_task",
    "cost_per_solved",
    "user_utility", "provider_J", "quality_per_pass", "quality_first_pass", "latency_s_per_task",
    "sla_pass_ok", "sla_first_ok", "sla_task_ok")
#: Columns of :func:`aggregate_runs` that also get a 95 % half-width over seeds (``<col>_ci``).
CI_COLUMNS: tuple[str, ...] = ("success_rate", "abandon_choice_rate", "capped_rate", "cost_per_solved", "user_utility",
                               "provider_J", "quality_per_pass")


@dataclass(frozen=True)
class Finding:
    """What one claim records: ``value`` (ours), ``detail`` (context values) and ``note`` (why it failed, or a
    caveat; computed from the tables, empty when there is nothing to say)."""

    value: Any
    detail: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def _need(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise KeyError(f"{what}: missing columns {missing}; has {list(df.columns)}")


def aggregate_runs(raw: pd.DataFrame) -> pd.DataFrame:
    """Seed means of the run table per (dataset, user, router, family, redraw, q_source), in first-seen order,
    with 95 % half-widths ``<col>_ci`` of :data:`CI_COLUMNS` (:func:`ci95`) and ``n_seeds``.

    The SLA flags become the share of seeds that met the target; ``q_source`` keeps only the text before the
    first ':' (the per-seed effective-model detail is dropped). ``user_regret = max_k U(only k) - U(router)``
    within the same dataset and user (the best single-model router's measured utility; NaN when the group has
    no single-model router)."""
    _need(raw, (*GROUP_KEYS, *MEAN_COLUMNS), "aggregate_runs(raw)")
    r = raw.copy()
    for c in ("sla_pass_ok", "sla_first_ok", "sla_task_ok"):
        r[c] = r[c].astype(float)
    r["q_source"] = r["q_source"].astype(str).str.split(":").str[0]
    g = r.groupby(list(GROUP_KEYS), sort=False)
    agg = g[list(MEAN_COLUMNS)].mean().reset_index()
    for c in CI_COLUMNS:
        agg[f"{c}_ci"] = g[c].apply(lambda x: ci95(x.to_numpy())).to_numpy()
    agg["n_seeds"] = g.size().to_numpy()
    single = agg[agg["family"] == "single model"]
    best = single.groupby(["dataset", "user"], sort=False)["user_utility"].max()
    key = pd.MultiIndex.from_frame(agg[["dataset", "user"]])
    agg["user_regret"] = best.reindex(key).to_numpy() - agg["user_utility"].to_numpy()
    return agg


def passive_replay_differences(data: Mapping[str, Outcomes], routers: Mapping[str, Mapping[str, Router]],
                               raw: pd.DataFrame, seed: int, user_mode: str = "passive") -> pd.DataFrame:
    """Per (dataset, router): ``|cost_per_request - cost_per_task|`` and ``|mean_quality - quality_per_pass|``
    between the plain replay engine (a fresh copy of the router, ``seed``) and the arena's passive run of the
    same seed (the row of ``raw`` with ``user == user_mode``)."""
    from ..replay import replay

    _need(raw, ("dataset", "user", "router", "seed", "cost_per_task", "quality_per_pass"),
          "passive_replay_differences(raw)")
    rows = []
    for k, o in data.items():
        for name, r in routers[k].items():
            plain = replay(o, copy.deepcopy(r), seed=int(seed)).summary()
            sel = raw[(raw["dataset"] == k) & (raw["user"] == user_mode) & (raw["router"] == name)
                      & (raw["seed"] == seed)]
            if len(sel) != 1:
                raise KeyError(f"expected one {user_mode!r} run of {name!r} on {k!r} with seed {seed}, found {len(sel)}")
            a = sel.iloc[0]
            rows.append({"dataset": k, "router": name,
                         "d_cost": abs(plain["cost_per_request"] - a["cost_per_task"]),
                         "d_quality": abs(plain["mean_quality"] - a["quality_per_pass"])})
    return pd.DataFrame(rows, columns=["dataset", "router", "d_cost", "d_quality"])


def passive_replay_max_difference(diffs: pd.DataFrame) -> Finding:
    """The largest absolute difference (cost or quality) between the passive arena and plain replay."""
    _need(diffs, ("dataset", "router", "d_cost", "d_quality"), "passive_replay_max_difference")
    worst = diffs[["d_cost", "d_quality"]].max(axis=1)
    bad = diffs[worst > 0]
    note = "" if bad.empty else "differ on: " + ", ".join(f"{d}/{r}" for d, r in zip(bad["dataset"], bad["router"]))
    return Finding(float(worst.max()), {"pairs": len(diffs), "max_d_cost": float(diffs["d_cost"].max()),
                                        "max_d_quality": float(diffs["d_quality"].max())}, note)


def game_table(data: Mapping[str, Outcomes], users: Mapping[str, ArenaUser]) -> pd.DataFrame:
    """One row per dataset: the static-route misalignment over all models (:func:`~.metrics.misalignment`) and
    the game on the dataset's pair (cheapest, most accurate; :func:`~.catalog.pair`) with measured ``c, t, p``:
    ``xi_i = V p_i - t_i``, the provider-optimal policy ``(i*, s*)`` of the closed-form solver (``cascades`` is
    ``i* = 1 and s* > 0``), the pair's best cost-of-pass ``min_i c_i/p_i`` and the throttling gain
    ``G = min_i c_i/p_i - min_i [c_i + P(1-p_i)]`` of Proposition 2 computed by
    :func:`llmroute.game.throttling.throttling_gain` (``throttling_pays = G > 0``)."""
    from ..game.throttling import throttling_gain

    rows = []
    for k, o in data.items():
        u = users[k]
        mis = misalignment(static_game_table(measured_params(o, u), u.V, u.P))
        small, large = pair(o, u.success_threshold)
        row: dict[str, Any] = {"dataset": k, **mis, "P_churn": u.P}
        if small != large:
            m = pair_params(o, u, small, large)
            pol = game_optimal_router(o, u, small, large).game_policy
            g = game_params(pol, u.V)
            c, p = np.asarray(m["c"]), np.asarray(m["p"])
            row.update({"pair_small": o.models[small], "pair_large": o.models[large],
                        "xi_small": u.V * m["p"][0] - m["t"][0], "xi_large": u.V * m["p"][1] - m["t"][1],
                        "policy_i": pol.i, "policy_s": pol.s, "cascades": bool(pol.i == 1 and pol.s > 0),
                        "min_cost_of_pass": float(np.min(c / p)),
                        "throttling_gain": float(np.asarray(throttling_gain(g)).reshape(()))})
            row["throttling_pays"] = bool(row["throttling_gain"] > 0)
        rows.append(row)
    return pd.DataFrame(rows)


def cascading_optima(game_tab: pd.DataFrame) -> Finding:
    """Number of datasets whose provider-optimal policy on the measured pair cascades (Theorem 3 predicts none
    when both models have the same sign of ``xi``); detail: the regime (signs of ``xi``) per dataset."""
    _need(game_tab, ("dataset", "cascades", "xi_small", "xi_large", "policy_i", "policy_s"), "cascading_optima")
    g = game_tab.dropna(subset=["cascades"])
    sign = lambda x: "+" if x >= 0 else "-"  # noqa: E731
    regimes = {d: sign(a) + sign(b) for d, a, b in zip(g["dataset"], g["xi_small"], g["xi_large"])}
    cas = g[g["cascades"].astype(bool)]
    note = "" if cas.empty else "cascades on: " + ", ".join(
        f"{d} ({i},{s:.3g}), regime {regimes[d]}" for d, i, s in zip(cas["dataset"], cas["policy_i"], cas["policy_s"]))
    return Finding(int(len(cas)), {"datasets": len(g), "regimes": regimes,
                                   "same_sign": int(sum(r in ("++", "--") for r in regimes.values()))}, note)


def cascade_cost_ratio(agg: pd.DataFrame, user_mode: str) -> tuple[Finding, pd.DataFrame]:
    """Per dataset with a game pair, for users ``user_mode``: the cascade (1,1)'s cost per solved task divided
    by the game-optimal policy's (seed means); the finding's value is the minimum ratio over datasets (>= 1 iff
    the cascade costs at least as much on every dataset). Also returns the per-dataset table (with both
    policies' success rates)."""
    _need(agg, ("dataset", "user", "router", "cost_per_solved", "success_rate"), "cascade_cost_ratio")
    a = agg[agg["user"] == user_mode]
    rows = []
    for d, sub in a.groupby("dataset", sort=False):
        opt = sub[sub["router"].str.startswith(GAME_OPTIMAL_PREFIX)]
        cas = sub[sub["router"] == GAME_CASCADE]
        if opt.empty or cas.empty:
            continue
        if len(opt) != 1 or len(cas) != 1:
            raise KeyError(f"{d}/{user_mode}: expected one game-optimal and one cascade router, "
                           f"found {len(opt)} and {len(cas)}")
        o, c = opt.iloc[0], cas.iloc[0]
        rows.append({"dataset": d, "game_optimal": o["router"], "cost_per_solved_optimal": o["cost_per_solved"],
                     "cost_per_solved_cascade": c["cost_per_solved"],
                     "ratio": c["cost_per_solved"] / o["cost_per_solved"],
                     "success_optimal": o["success_rate"], "success_cascade": c["success_rate"]})
    tab = pd.DataFrame(rows)
    if tab.empty:
        raise KeyError(f"no dataset has both a game-optimal router and {GAME_CASCADE!r} for user {user_mode!r}")
    low = tab[tab["ratio"] < 1]
    note = "" if low.empty else "the cascade is cheaper per solved task on: " + ", ".join(
        f"{d} (ratio {r:.4f})" for d, r in zip(low["dataset"], low["ratio"]))
    return Finding(float(tab["ratio"].min()), {"ratio": dict(zip(tab["dataset"], tab["ratio"]))}, note), tab


def preferred_routes(game_tab: pd.DataFrame, dataset: str) -> Finding:
    """The provider-cheapest and the user-preferred static route of ``dataset`` (misalignment over all models),
    as ``{"provider": model, "user": model}``; detail: their utilities and ``Delta_U``."""
    _need(game_tab, ("dataset", "model_provider", "model_user", "delta_U"), "preferred_routes")
    r = game_tab.set_index("dataset").loc[dataset]
    return Finding({"provider": str(r["model_provider"]), "user": str(r["model_user"])},
                   {"delta_U": float(r["delta_U"]), "U_user_pref": float(r["U_user_pref"]),
                    "U_provider_pref": float(r["U_provider_pref"])})


def sla_misses(agg: pd.DataFrame, alphas: Mapping[str, float], user_mode: str,
               router: str = MESSPLUS) -> Finding:
    """Number of datasets on which ``router``'s per-pass mean quality fell below the dataset's ``alpha`` in at
    least one seed (``sla_pass_ok`` seed share < 1), users ``user_mode``; detail per dataset: the seed-mean
    per-pass quality, alpha and the share of seeds that met it."""
    _need(agg, ("dataset", "user", "router", "sla_pass_ok", "quality_per_pass"), "sla_misses")
    a = agg[(agg["user"] == user_mode) & (agg["router"] == router)]
    if a.empty:
        raise KeyError(f"no {router!r} rows for user {user_mode!r}")
    missed = a[a["sla_pass_ok"] < 1.0]
    detail = {d: {"quality_per_pass": float(qp), "alpha": float(alphas[d]), "share_of_seeds_ok": float(ok)}
              for d, qp, ok in zip(a["dataset"], a["quality_per_pass"], a["sla_pass_ok"])}
    note = "" if missed.empty else "missed on: " + ", ".join(
        f"{d} (below alpha {alphas[d]:.2f} in {1.0 - ok:.0%} of seeds; seed-mean per-pass quality {qp:.4f})"
        for d, qp, ok in zip(missed["dataset"], missed["quality_per_pass"], missed["sla_pass_ok"]))
    return Finding(int(len(missed)), detail, note)


def static_gap_runs(outcomes: Outcomes, user: ArenaUser, k_user: int | str, k_prov: int | str,
                    seeds: Sequence[int]) -> pd.DataFrame:
    """Per seed: the arena's mean user utility of "always ``k_user``" and "always ``k_prov``" (fresh
    single-model routers, same seed, so both face the same user coins), their difference ``gap`` and the
    abandonment ``q`` the arena used."""
    from ..routers.baselines import SingleModel

    ku, kp = outcomes.model_index(k_user), outcomes.model_index(k_prov)
    rows = []
    for s in seeds:
        res_u = run_arena(outcomes, SingleModel(ku), user, seed=int(s))
        res_p = run_arena(outcomes, SingleModel(kp), user, seed=int(s))
        uu, up = float(res_u.tasks["utility"].mean()), float(res_p.tasks["utility"].mean())
        rows.append({"seed": int(s), "U_user_route": uu, "U_provider_route": up, "gap": uu - up,
                     "q_user_route": res_u.q_used, "q_provider_route": res_p.q_used})
    return pd.DataFrame(rows)


def static_gap_check(outcomes: Outcomes, user: ArenaUser, k_user: int | str, k_prov: int | str,
                     seeds: Sequence[int]) -> Finding:
    """The measured utility gap between two static routes against the arena's exact expectation.

    ``value`` is the z-score ``(mean_s gap_s - E[gap]) / (sd_s(gap_s) / sqrt(S))`` over the ``S`` seeds
    (:func:`static_gap_runs`), with ``E[gap]`` from :func:`~.metrics.static_expected_utility` at the ``q``
    the arena used. The detail also gives the game's closed forms that are *not* the arena's expectation:
    per domain without the cap (:func:`~.metrics.per_domain_static_utility`) and pooled over domains
    (``U_k = xi_k/p_k`` of :func:`~.metrics.static_game_table`; ``= t_prov/p_prov - t_user/p_user`` for
    value-dominated models)."""
    if len(seeds) < 2:
        raise ValueError(f"seeds={list(seeds)}: need at least 2 seeds for a standard error")
    runs = static_gap_runs(outcomes, user, k_user, k_prov, seeds)
    qs = set(runs["q_user_route"]) | set(runs["q_provider_route"])
    if len(set(runs["q_user_route"])) != 1 or len(set(runs["q_provider_route"])) != 1:
        raise ValueError(f"the arena's q changed across seeds ({sorted(qs)}); the exact expectation needs one q")
    ku, kp = outcomes.model_index(k_user), outcomes.model_index(k_prov)
    exact = (static_expected_utility(outcomes, user, ku, runs["q_user_route"].iloc[0])
             - static_expected_utility(outcomes, user, kp, runs["q_provider_route"].iloc[0]))
    mean = float(runs["gap"].mean())
    se = float(runs["gap"].std(ddof=1) / np.sqrt(len(runs)))
    z = (mean - exact) / se if se > 0 else (0.0 if mean == exact else float("inf"))
    dom = per_domain_static_utility(outcomes, user)
    pooled = static_game_table(measured_params(outcomes, user), user.V, user.P)["U"].to_numpy()
    detail = {"measured_gap": mean, "exact_expected_gap": exact, "standard_error": se, "n_seeds": len(runs),
              "per_domain_closed_form_gap_no_cap": dom[outcomes.models[ku]] - dom[outcomes.models[kp]],
              "pooled_closed_form_gap": float(pooled[ku] - pooled[kp]),
              "max_attempts": user.max_attempts, "q": float(runs["q_user_route"].iloc[0])}
    return Finding(float(z), detail)


# ---- users who leave: the latency-cost sweep ----------------------------------------------------------------

def ci95(x: np.ndarray) -> float:
    """Half-width of the 95 % t-interval of the mean of ``x`` (NaN for fewer than 2 values)."""
    from scipy import stats

    x = np.asarray(x, dtype=float)
    if x.size < 2:
        return float("nan")
    return float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))


def lambda_sweep(raw: pd.DataFrame, lambdas_over_V: Sequence[float],
                 exclude: Sequence[str] = (GAME_OPTIMAL_PREFIX,)) -> pd.DataFrame:
    """Per best-response run of ``raw`` (rows with ``_curves``, :func:`~.users.retry_curves`) and per latency
    cost ``lambda/V`` of ``lambdas_over_V``: the user's best response ``q*`` (:func:`~.users.best_response_q`)
    and the expected metrics at ``q*`` (:func:`~.users.expected_under_q`: ``U``, ``J``, ``S``, abandonment by
    choice, capped, cost per task), plus the provider's ``J`` at ``q = 1`` (a user who leaves after one failure,
    what throttling achieves). Routers whose name starts with a prefix of ``exclude`` are left out (the
    game-optimal policy is solved for one latency cost). The path of each run is its ``q = 0`` run's, so for
    learning routers the router's trajectory is the one it learned with users who always re-prompt."""
    from .users import best_response_q, expected_under_q

    _need(raw, ("dataset", "redraw", "router", "seed", "_curves"), "lambda_sweep(raw)")
    lam = np.asarray(lambdas_over_V, dtype=float)
    rows = []
    for r in raw[raw["_curves"].notna()].to_dict("records"):
        if any(str(r["router"]).startswith(p) for p in exclude):
            continue
        c = r["_curves"]
        for lv in lam:
            rate = lv * c["V"]
            q, _ = best_response_q(c, latency_rate=rate)
            e = expected_under_q(c, q, latency_rate=rate)
            j1 = float(expected_under_q(c, 1.0, latency_rate=rate)["J"])
            rows.append({"dataset": r["dataset"], "redraw": r["redraw"], "router": r["router"], "seed": r["seed"],
                         "lambda_over_V": float(lv), "q_star": q, "U": float(e["U"]), "J": float(e["J"]),
                         "S": float(e["S"]), "abandon_choice": float(e["abandon_choice"]),
                         "capped": float(e["capped"]), "cost_per_task": float(e["cost_per_task"]), "J_q1": j1})
    return pd.DataFrame(rows)


def sweep_means(sweep: pd.DataFrame) -> pd.DataFrame:
    """Seed means with 95 % half-widths (``<col>_ci``) per (dataset, redraw, router, lambda/V)."""
    keys = ["dataset", "redraw", "router", "lambda_over_V"]
    cols = ["q_star", "U", "J", "S", "abandon_choice", "capped", "cost_per_task", "J_q1"]
    g = sweep.groupby(keys, sort=False)
    out = g[cols].mean().reset_index()
    for c in ("U", "J", "abandon_choice", "capped", "q_star"):
        out[f"{c}_ci"] = g[c].apply(lambda x: ci95(x.to_numpy())).to_numpy()
    out["n_seeds"] = g.size().to_numpy()
    return out


def best_routers(means: pd.DataFrame) -> pd.DataFrame:
    """Per (dataset, redraw, lambda/V): the router of highest mean user utility (best for the user) and of
    lowest mean provider loss ``J`` (best for the provider), their values and their abandonment by choice."""
    rows = []
    for (d, rd, lv), sub in means.groupby(["dataset", "redraw", "lambda_over_V"], sort=False):
        u = sub.loc[sub["U"].idxmax()]
        p = sub.loc[sub["J"].idxmin()]
        rows.append({"dataset": d, "redraw": rd, "lambda_over_V": lv, "best_for_user": u["router"],
                     "U_user_best": u["U"], "U_user_best_ci": u["U_ci"], "abandon_choice_user_best": u["abandon_choice"],
                     "best_for_provider": p["router"], "J_provider_best": p["J"], "J_provider_best_ci": p["J_ci"],
                     "U_under_provider_best": p["U"], "abandon_choice_provider_best": p["abandon_choice"],
                     "aligned": bool(u["router"] == p["router"]),
                     "routers_abandoned": int((sub["abandon_choice"] > 0).sum()), "routers": int(len(sub))})
    return pd.DataFrame(rows)


def abandonment_thresholds(means: pd.DataFrame) -> pd.DataFrame:
    """Per (dataset, redraw): the smallest swept ``lambda/V`` at which some router's users abandon by choice
    (seed-mean share of tasks abandoned by choice > 0), the router, and the largest swept ``lambda/V``
    (NaN threshold: no abandonment on the grid)."""
    rows = []
    for (d, rd), sub in means.groupby(["dataset", "redraw"], sort=False):
        hit = sub[sub["abandon_choice"] > 0].sort_values(["lambda_over_V", "router"])
        rows.append({"dataset": d, "redraw": rd,
                     "threshold_lambda_over_V": float(hit["lambda_over_V"].iloc[0]) if len(hit) else float("nan"),
                     "first_router": str(hit["router"].iloc[0]) if len(hit) else "",
                     "grid_max": float(sub["lambda_over_V"].max())})
    return pd.DataFrame(rows)


def pair_predictions(data: Mapping[str, Outcomes], users: Mapping[str, ArenaUser], sweep: pd.DataFrame,
                     names: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """The game's predictions against the arena on each dataset's measured pair, per (dataset, redraw,
    lambda/V). Policies: static small ``(1,0)``, static large ``(2,0)`` and the cascade ``(1,1)``
    (router names per dataset in ``names[dataset]`` under keys ``small``, ``large``, ``cascade``).

    Predicted (game closed forms on the pair's measured ``c, t = lambda x mean latency, p``, each policy at the
    user's best response, :func:`~.game_routers.game_best_response`): the provider's pick ``argmin J``, the
    user's pick ``argmax U`` and the throttling gain ``G = min_static J(q*) - min_static J(q = 1)``.
    Measured: the same from the sweep's seed means. A mismatch counts only when the measured difference
    between the measured and the predicted pick is significant (paired over seeds, 95 % interval excluding 0);
    for throttling, when the measured gain has the other sign than predicted and its interval excludes 0."""
    from .game_routers import GamePolicy, game_best_response, game_closed_form

    rows = []
    pol_keys = (("small", 1, 0.0), ("large", 2, 0.0), ("cascade", 1, 1.0))
    for (d, rd, lv), sub in sweep.groupby(["dataset", "redraw", "lambda_over_V"], sort=False):
        if d not in names:
            continue
        o, u = data[d], users[d]
        nm = names[d]
        small, large = pair(o, u.success_threshold)
        m = pair_params(o, replace_rate(u, lv * u.V), small, large)
        pred = {}
        for key, i, s in pol_keys:
            pol = GamePolicy(i=i, s=s, small=m["small"], large=m["large"], c=m["c"], t=m["t"], p=m["p"], P=u.P)
            qs = game_best_response(pol, u.V)
            cf = game_closed_form(pol, u.V, qs)
            cf1 = game_closed_form(pol, u.V, 1.0)
            pred[key] = (cf["U"], cf["J"], cf1["J"])
        piv = {k: sub[sub["router"] == nm[k]].set_index("seed") for k, _, _ in pol_keys}
        if any(v.empty for v in piv.values()):
            continue
        seeds = sorted(set.intersection(*(set(v.index) for v in piv.values())))
        U = {k: piv[k].loc[seeds, "U"].to_numpy() for k in piv}
        J = {k: piv[k].loc[seeds, "J"].to_numpy() for k in piv}
        J1 = {k: piv[k].loc[seeds, "J_q1"].to_numpy() for k in piv}
        keys = [k for k, _, _ in pol_keys]
        p_prov = min(keys, key=lambda k: pred[k][1])
        p_user = max(keys, key=lambda k: pred[k][0])
        m_prov = min(keys, key=lambda k: J[k].mean())
        m_user = max(keys, key=lambda k: U[k].mean())

        def sig(x: np.ndarray) -> bool:
            return bool(abs(x.mean()) > ci95(x)) if x.size > 1 else False

        G_pred = min(pred["small"][1], pred["large"][1]) - min(pred["small"][2], pred["large"][2])
        G_meas = np.minimum(J["small"], J["large"]) - np.minimum(J1["small"], J1["large"])
        rows.append({"dataset": d, "redraw": rd, "lambda_over_V": lv, "n_seeds": len(seeds),
                     "pred_provider": p_prov, "meas_provider": m_prov,
                     "provider_mismatch": bool(m_prov != p_prov and sig(J[p_prov] - J[m_prov])),
                     "pred_user": p_user, "meas_user": m_user,
                     "user_mismatch": bool(m_user != p_user and sig(U[m_user] - U[p_user])),
                     "pred_static": p_prov != "cascade", "meas_static": m_prov != "cascade",
                     "pred_misaligned": p_prov != p_user, "meas_misaligned": m_prov != m_user,
                     "pred_delta_U": pred[p_user][0] - pred[p_prov][0],
                     "meas_delta_U": float(U[m_user].mean() - U[m_prov].mean()),
                     "pred_throttling_gain": G_pred, "meas_throttling_gain": float(G_meas.mean()),
                     "meas_throttling_gain_ci": ci95(G_meas),
                     "throttling_mismatch": bool((G_pred > 0) != (G_meas.mean() > 0) and sig(G_meas))})
    return pd.DataFrame(rows)


def replace_rate(user: ArenaUser, rate: float) -> ArenaUser:
    """``user`` with latency cost ``rate`` value units per second."""
    from dataclasses import replace

    return replace(user, latency_rate=float(rate))


def prediction_mismatches(pred: pd.DataFrame, redraw: str, column: str) -> Finding:
    """Number of (dataset, lambda/V) cells with users ``redraw`` where the game's prediction ``column``
    (``provider_mismatch``, ``user_mismatch`` or ``throttling_mismatch``) fails significantly; the note names
    the cells."""
    _need(pred, ("dataset", "redraw", "lambda_over_V", column), "prediction_mismatches")
    sub = pred[pred["redraw"] == redraw]
    bad = sub[sub[column].astype(bool)]
    note = "" if bad.empty else "fails on: " + ", ".join(f"{d} at lambda/V={lv:g}" for d, lv in
                                                         zip(bad["dataset"], bad["lambda_over_V"]))
    return Finding(int(len(bad)), {"cells": int(len(sub)), "datasets": int(sub["dataset"].nunique())}, note)
