"""Every router on a dataset, on held-out requests: frontiers, AIQ, APGR/CPT, oracle gap, quality at matched cost,
operating points, and the arena with users who re-prompt or leave (the notebook ``arena_routers``).

One **seed** fixes the held-out plan (:func:`.splits.heldout_plan`: per-domain stratified split, or cross-fitting on
small tables), the trained models' random draws and the stream order. Per (dataset, seed), :func:`seed_points`
returns the cost-quality points of every router on the held-out rows:

* the field routers (:data:`.METHODS`): one point per knob value of their sweep (``λ``, ``μ``, strong share,
  threshold), from out-of-sample scores;
* every other registered router that applies (:func:`llmroute.routers.applicable`): one point, replayed
  (:func:`llmroute.replay.replay`) on the held-out rows in the seed's order; routers with an SLA target get
  ``alpha`` = :func:`llmroute.routers.default_alpha`;
* the single models (always model k) on the same rows (rows ``model: <name>``: the reference points of AIQ and of
  the figure; the registry's ``cheapest`` and ``most-accurate`` routers are compared like every other router).

:func:`frontier_metrics` then gives per router and seed (``llmroute.metrics``):

* ``aiq`` — AIQ of the router's points together with the weak (cheapest) and strong (most accurate) single models'
  points, over the common cost range [cheapest point, largest cost of any router or model on that dataset and
  seed], so AIQs of one dataset are comparable;
* ``apgr`` and ``cpt50`` — on the normalised cost ``(c - c_weak)/(c_strong - c_weak)`` (RouteLLM, N models);
* ``q_at_cost`` — the router's hull quality at the cost of the cheapest single model whose quality reaches the
  target ``alpha`` (the most accurate model when none does);
* at the operating point: ``quality_op``, ``cost_op``, ``oracle_gap`` = per-request oracle quality minus
  ``quality_op``.

**Operating-point rule** (:func:`operating_points`, fixed per dataset before the arena runs): for a router with a
knob, order its knob values by their mean held-out cost over seeds and take the first whose mean held-out
quality over seeds reaches ``alpha``; if none does, the knob value of highest mean quality. Routers without a knob
have one point.
"""
from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ... import metrics as M
from ...data.schema import Outcomes
from ...replay import replay
from .. import registry as R
from ._core import build_router, extra_cost_of_passes, heldout_scores, sweep
from .splits import heldout_plan

#: routers never compared as deployable (hindsight references)
REFERENCES: tuple[str, ...] = ("oracle", "oracle-cost-oblivious")


def _rng(seed: int, tag: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), tag]))


def stream_rows(rows: np.ndarray, seed: int) -> np.ndarray:
    """The seed's stream order of the held-out rows."""
    return _rng(seed, 0x0DE5).permutation(np.asarray(rows))


def registry_names(outcomes: Outcomes, field: tuple[str, ...]) -> tuple[list[str], dict[str, str]]:
    """(other registered routers that apply, {router: why it does not apply} for every router that does not)."""
    app = R.applicable(outcomes)
    skip = {n: why for n, why in app.items() if why}
    others = [n for n, why in app.items() if not why and n not in field]
    return others, skip


def registry_routers(outcomes: Outcomes, names: list[str], *, alpha: float, user: Any) -> dict[str, Any]:
    """The other registered routers, built once per dataset (fresh copies are replayed per seed) with the settings
    this comparison gives them: ``alpha`` to routers with an SLA target, the arena ``user`` to the game's routers.
    The RouteLLM-/RouterDC-style stand-ins keep their own 2-fold cross-fitting (seed 0) on the whole table."""
    out = {}
    for name in names:
        kw: dict[str, Any] = {}
        if R.spec(name).uses_alpha:
            kw["alpha"] = alpha
        if name in ("game-optimal", "game-cascade"):
            kw["user"] = user
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out[name] = R.get(name, outcomes=outcomes, **kw)
    return out


def seed_points(outcomes: Outcomes, seed: int, *, field_methods: dict, others: dict[str, Any],
                skip: dict[str, str], min_split_rows: int = 1000, hash_cache: dict | None = None
                ) -> dict[str, Any]:
    """Points of every router on the seed's held-out rows (module docstring). ``others``: the built registry
    routers (:func:`registry_routers`), replayed as copies. Returns ``points`` (DataFrame: seed, router, family,
    knob, knob_value, mean_quality, cost_per_request), ``held`` ({field router: HeldOutScores}), ``plan`` and
    ``rows`` (the seed's stream of held-out rows)."""
    plan = heldout_plan(outcomes.domain, seed, min_split_rows=min_split_rows)
    rows = stream_rows(plan.eval_rows, seed)
    recs: list[dict[str, Any]] = []
    held = {}
    feats: dict = {}
    for name, method in field_methods.items():
        if name in skip:
            continue
        h = heldout_scores(outcomes, method, method.Settings(), plan, _rng(seed, 0xF1E1D), features=feats,
                           hash_cache=hash_cache)
        held[name] = h
        sw = sweep(outcomes, method, h)
        for _, r in sw.iterrows():
            recs.append({"router": name, "family": "field", "knob": method.KNOB, "knob_value": float(r["knob"]),
                         "mean_quality": float(r["mean_quality"]), "cost_per_request": float(r["cost_per_request"])})
    for name, router in others.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = replay(outcomes, copy.deepcopy(router), seed=seed, rows=rows).summary()
        recs.append({"router": name, "family": R.spec(name).family, "knob": "", "knob_value": np.nan,
                     "mean_quality": s["mean_quality"], "cost_per_request": s["cost_per_request"]})
    q, c = outcomes.quality[rows], outcomes.cost[rows]
    for k, m in enumerate(outcomes.models):
        recs.append({"router": f"model: {m}", "family": "single model", "knob": "", "knob_value": np.nan,
                     "mean_quality": float(q[:, k].mean()), "cost_per_request": float(c[:, k].mean())})
    pts = pd.DataFrame(recs)
    pts.insert(0, "seed", int(seed))
    return {"points": pts, "held": held, "plan": plan, "rows": rows}


def _anchor(pts: pd.DataFrame, outcomes: Outcomes) -> tuple[float, float, float, float]:
    weak, strong = M.reference_pair(outcomes)
    w = pts[pts.router == f"model: {outcomes.models[weak]}"].iloc[0]
    s = pts[pts.router == f"model: {outcomes.models[strong]}"].iloc[0]
    return float(w.mean_quality), float(w.cost_per_request), float(s.mean_quality), float(s.cost_per_request)


def frontier_metrics(pts: pd.DataFrame, outcomes: Outcomes, alpha: float, op: dict[str, float] | None = None
                     ) -> pd.DataFrame:
    """Per router and seed: AIQ, APGR, CPT(50 %), quality at matched cost; with ``op`` ({router: knob value}) also
    the operating point's quality and cost (module docstring). ``pts`` is :func:`seed_points`' ``points`` (any
    number of seeds)."""
    rows = []
    for seed, g in pts.groupby("seed", sort=True):
        qw, cw, qs, cs = _anchor(g, outcomes)
        c_max = float(g.cost_per_request.max())
        models = g.router.str.startswith("model: ")
        singles = g[models].sort_values("cost_per_request")
        meet = singles[singles.mean_quality >= alpha]
        c_target = float(meet.cost_per_request.iloc[0]) if len(meet) else float(
            singles.loc[singles.mean_quality.idxmax(), "cost_per_request"])
        for router, h in g[~models].groupby("router", sort=False):
            c = np.concatenate([h.cost_per_request.to_numpy(), [cw, cs]])
            q = np.concatenate([h.mean_quality.to_numpy(), [qw, qs]])
            hx, hy = M.hull(c, q, c_max=c_max)
            row = {"seed": int(seed), "router": router, "family": h.family.iloc[0],
                   "aiq": M.aiq(c, q, c_max=c_max), "q_at_cost": float(np.interp(c_target, hx, hy)),
                   "c_target": c_target}
            if qs > qw and cs > cw:
                x = M.normalised_cost(h.cost_per_request.to_numpy(), cw, cs)
                row["apgr"] = M.apgr(x, h.mean_quality.to_numpy(), qw, qs)
                row["cpt50"] = M.cpt(x, h.mean_quality.to_numpy(), qw, qs, 0.5)
            if op is not None:
                k = op.get(router)
                sel = h if k is None or not np.isfinite(k) else h[np.isclose(h.knob_value, k)]
                row["knob_value"] = float(k) if k is not None else np.nan
                row["quality_op"] = float(sel.mean_quality.iloc[0])
                row["cost_op"] = float(sel.cost_per_request.iloc[0])
            rows.append(row)
    return pd.DataFrame(rows)


def operating_points(pts: pd.DataFrame, alpha: float) -> dict[str, float]:
    """{field router: knob value} by the operating-point rule (module docstring), from the seed-mean curve."""
    out: dict[str, float] = {}
    f = pts[pts.family == "field"]
    for router, g in f.groupby("router", sort=False):
        m = g.groupby("knob_value")[["mean_quality", "cost_per_request"]].mean().sort_values("cost_per_request")
        ok = m[m.mean_quality >= alpha]
        out[router] = float(ok.index[0]) if len(ok) else float(m.mean_quality.idxmax())
    return out


def arena_runs(outcomes: Outcomes, seed: int, run: dict[str, Any], op: dict[str, float], *, field_methods: dict,
               others: dict[str, Any], user: Any) -> pd.DataFrame:
    """Every field router at its operating point ``op`` and every router of ``others`` in
    :func:`llmroute.arena.run_arena` with ``user`` on the seed's held-out stream; ``provider_cost_per_solved``
    adds the cascade's scorer runs to the arena's cost."""
    from ...arena import run_arena

    recs = []
    routers = {name: build_router(outcomes, field_methods[name], run["held"][name], op[name], name=name)
               for name in run["held"]}
    routers.update(others)
    for name, r in routers.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = run_arena(outcomes, copy.deepcopy(r), user, seed=seed, rows=run["rows"])
        s = res.summary()
        extra = extra_cost_of_passes(r, res.passes)
        solved = int(res.tasks["solved"].sum())
        total = float(res.tasks["total_cost"].sum()) + extra
        recs.append({"seed": int(seed), "router": name, "user_utility": s["user_utility"], "q_used": s["q"],
                     "success_rate": s["success_rate"], "abandon_rate": s["abandon_rate"],
                     "mean_attempts": s["mean_attempts"], "cost_per_task": total / len(res.tasks),
                     "provider_cost_per_solved": total / solved if solved else float("inf")})
    return pd.DataFrame(recs)


def run_dataset(outcomes: Outcomes, seeds, *, user: Any, alpha: float, min_split_rows: int = 1000,
                arena: bool = True) -> dict[str, Any]:
    """The whole comparison on one dataset: points for every seed, the operating points (rule of the module
    docstring), frontier metrics, and (``arena``) the arena runs at the operating points. A module-level task
    (one per dataset) for :func:`llmroute.replay.run_grid`. Returns points, front, arena, op, skip, plans."""
    from . import METHODS

    others_names, skip = registry_names(outcomes, tuple(METHODS))
    others = registry_routers(outcomes, others_names, alpha=alpha, user=user)
    cache: dict = {}
    runs = {int(s): seed_points(outcomes, int(s), field_methods=METHODS, others=others, skip=skip,
                                min_split_rows=min_split_rows, hash_cache=cache) for s in seeds}
    pts = pd.concat([r["points"] for r in runs.values()], ignore_index=True)
    op = operating_points(pts, alpha)
    front = frontier_metrics(pts, outcomes, alpha, op)
    ar = pd.concat([arena_runs(outcomes, s, r, op, field_methods=METHODS, others=others, user=user)
                    for s, r in runs.items()], ignore_index=True) if arena else pd.DataFrame()
    return {"dataset": outcomes.name, "points": pts, "front": front, "arena": ar, "op": op, "skip": skip,
            "plans": {s: r["plan"].describe() for s, r in runs.items()}}


def summarise(front: pd.DataFrame, arena: pd.DataFrame, conf: float = 0.95) -> pd.DataFrame:
    """One row per router: mean and ``conf`` interval over seeds of AIQ, oracle gap, user utility and provider cost
    per solved task, plus the other frontier metrics' means."""
    rows = []
    both = front.merge(arena, on=["seed", "router"], how="left")
    for router, g in both.groupby("router", sort=False):
        row: dict[str, Any] = {"router": router, "family": g.family.iloc[0], "seeds": int(g.seed.nunique())}
        for k in ("aiq", "oracle_gap", "user_utility", "provider_cost_per_solved"):
            m, lo, hi = M.mean_ci(g[k].to_numpy(dtype=float), conf)
            row[k], row[f"{k}_ci_low"], row[f"{k}_ci_high"] = m, lo, hi
        for k in ("apgr", "cpt50", "q_at_cost", "knob_value", "quality_op", "cost_op", "abandon_rate",
                  "success_rate", "q_used"):
            if k in g:
                row[k] = float(np.nanmean(g[k].to_numpy(dtype=float))) if np.isfinite(
                    g[k].to_numpy(dtype=float)).any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def paired_margin(front: pd.DataFrame, a: str, b: str, key: str = "aiq", conf: float = 0.95
                  ) -> tuple[float, float, float]:
    """Mean and ``conf`` interval over seeds of ``key(a) - key(b)`` paired by seed."""
    p = front.pivot_table(index="seed", columns="router", values=key)
    return M.mean_ci((p[a] - p[b]).to_numpy(dtype=float), conf)


def arena_user(outcomes: Outcomes, latency_rate: float, V: float = 1.0, max_attempts: int = 5) -> Any:
    """The arena's user for this comparison: value ``V``, latency cost ``latency_rate`` (value units per second)
    x the pass's latency, the best-response abandonment ``q*`` to each router, fresh redraws on re-prompts, at most
    ``max_attempts`` passes, churn penalty ``P`` = the most expensive model's mean cost per request."""
    from ...arena import ArenaUser

    return ArenaUser(V=V, latency_rate=latency_rate, q="best_response", max_attempts=max_attempts,
                     redraw="independent", P=float(outcomes.mean_cost().max()))


def dataset_task(key: str, n_max: int | None, seeds, latency_rate: float, min_split_rows: int = 1000,
                 arena: bool = True) -> dict[str, Any]:
    """Load arena dataset ``key`` (:func:`llmroute.arena.catalog.load_arena_dataset`, seed 0) and run
    :func:`run_dataset` on it with ``alpha`` = :func:`llmroute.routers.default_alpha` and :func:`arena_user`."""
    from ...arena.catalog import describe_dataset, load_arena_dataset

    o = load_arena_dataset(key, n_max, seed=0)
    alpha = R.default_alpha(o)
    user = arena_user(o, latency_rate)
    out = run_dataset(o, seeds, user=user, alpha=alpha, min_split_rows=min_split_rows, arena=arena)
    q_oracle = {}
    for s in seeds:
        rows = stream_rows(heldout_plan(o.domain, int(s), min_split_rows=min_split_rows).eval_rows, int(s))
        q_oracle[int(s)] = float(o.quality[rows].max(axis=1).mean())
    out["front"]["oracle_gap"] = out["front"]["seed"].map(q_oracle) - out["front"]["quality_op"]
    out.update(key=key, alpha=alpha, user=user.describe(), describe=describe_dataset(o),
               models=list(o.models), cost_unit=o.cost_unit, weak_strong=M.reference_pair(o))
    return out


def compare(keys, seeds, *, n_max: int | None, latency_rate: float = 0.3, min_split_rows: int = 1000,
            n_jobs: int = 2, arena: bool = True) -> dict[str, dict[str, Any]]:
    """:func:`dataset_task` for every dataset key, one process per dataset (joblib, ``n_jobs``); by key."""
    from joblib import Parallel, delayed

    outs = Parallel(n_jobs=n_jobs)(delayed(dataset_task)(k, n_max, tuple(seeds), latency_rate, min_split_rows,
                                                        arena) for k in keys)
    return {o["key"]: o for o in outs}
