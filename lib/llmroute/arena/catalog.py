"""Every dataset and every router of the repository, set up for the arena (one place, so notebooks stay short).

Datasets (:data:`ARENA_DATASETS`), each a seeded subsample of at most ``n_max`` rows:

* ``messplus`` — the MESS+ Llama zoo (real when ``../shared/data`` holds it, else the calibrated synthetic zoo),
  the 8 table benchmarks, cost in GPU joules, measured latency;
* ``synthetic`` — the synthetic zoo calibrated to the MESS+ aggregates (always synthetic; features, latency);
* ``routerbench`` (11 models), ``llmrouter`` (9 models), ``routellm`` (MMLU, Mixtral vs GPT-4): USD, **no
  latency** — a SYNTHESISED latency (PickLLM's documented :class:`~llmroute.pickllm.sessions.LatencyRule`:
  1 s for the cheapest to 5 s for the most expensive model, log-normal noise) is added and recorded in
  ``meta["latency_synthetic"]``;
* ``omnisbench`` — gpt-5-nano vs claude-opus-5, USD and measured latency (the cheap model is the slower one).

A dataset may also be a file readable by :func:`llmroute.data.read` (:func:`load_arena_dataset` takes a path).

Routers (:func:`arena_routers`): single models (all of them on zoos of <= 3 models; otherwise the cheapest, the
most accurate, the provider's cheapest-per-success and the user's preferred one), uniform random and educated
guessing (alpha) from the router registry (:func:`llmroute.routers.get`), the RouteLLM-style threshold router and
the RouterDC-style router (:mod:`llmroute.messplus.baselines`, cross-fitted scores on the arena's features; the
RouterDC-style rule is RouterDC's own: the model of highest predicted correctness, no cost term), the
game-optimal policy and the full cascade (1,1) on the pair (cheapest, most accurate) (:mod:`.game_routers`),
MESS+ (online MLP predictor), PickLLM L_R-I (:class:`~llmroute.pickllm.PickLLMLRI`) and Q-learning.
A learned router on a dataset with neither request text nor features has nothing per request to learn from:
:func:`arena_routers` warns (:class:`LearnedRouterFallback`) and says what it fell back to (per-domain routing;
a single model when its choice never varies).
The SLA target ``alpha`` of a dataset is the midpoint of the cheapest and the most accurate model's success rate.
"""
from __future__ import annotations

from collections.abc import Callable
import warnings
from dataclasses import replace
from typing import Any

import numpy as np

from ..data.schema import Outcomes
from ..routers import get as get_router
from ..routers.base import Router
from .game_routers import GameCascade, GamePolicy, game_optimal_router, pair_params
from .metrics import measured_params, static_game_table
from .users import ArenaUser

ARENA_DATASETS: tuple[str, ...] = ("messplus", "synthetic", "routerbench", "llmrouter", "routellm", "omnisbench")
#: Display names the arena's findings look up (one place: :func:`arena_routers` names routers with them).
GAME_OPTIMAL_PREFIX = "game-optimal"
GAME_CASCADE = "game cascade (1,1)"
MESSPLUS = "MESS+"
#: The three users of the arena notebook, by mode (see :func:`arena_users`).
USER_MODES: tuple[str, ...] = ("passive", "reactive, independent", "reactive, same")

LABELS: dict[str, str] = {"messplus": "MESS+ Llama zoo", "synthetic": "synthetic zoo (MESS+-calibrated)",
                          "routerbench": "RouterBench", "llmrouter": "LLMRouter", "routellm": "RouteLLM MMLU",
                          "omnisbench": "OmnisBench"}


class LearnedRouterFallback(UserWarning):
    """A learned router was built on data that gives it nothing per request to learn from."""


def dataset_keys(dataset: str | None) -> tuple[str, ...]:
    """The arena's datasets for the notebook parameter ``dataset``: ``None`` or ``"all"`` = every built-in one
    (:data:`ARENA_DATASETS`), a built-in name, or a path of a file readable by :func:`llmroute.data.read`."""
    from pathlib import Path

    if dataset is None or dataset == "all":
        return ARENA_DATASETS
    if dataset in ARENA_DATASETS:
        return (dataset,)
    if Path(dataset).is_file():
        return (str(dataset),)
    raise ValueError(f"dataset={dataset!r} is not allowed: must be 'all', one of {', '.join(ARENA_DATASETS)}, or "
                     "the path of an existing outcome file (csv, parquet or jsonl; see llmroute.data.read)")


def dataset_label(key: str) -> str:
    """Display name of an arena dataset key (a built-in name or a file path)."""
    from pathlib import Path

    return LABELS.get(key, Path(key).name)


def load_arena_dataset(key: str, n_max: int | None, seed: int = 0) -> Outcomes:
    """A seeded subsample (at most ``n_max`` rows) of dataset ``key`` with latency (measured or synthesised).
    ``key`` is a built-in name (:data:`ARENA_DATASETS`) or a file path (:func:`llmroute.data.read`)."""
    from ..data.registry import load_or_synthetic

    rng = np.random.default_rng(seed)
    if key not in ARENA_DATASETS:
        from ..data import read

        full = read(key)
        if n_max is not None and full.n_requests > n_max:
            full = full.take(np.sort(rng.choice(full.n_requests, n_max, replace=False)))
        out = full
    elif key == "synthetic":
        from ..data.messplus import MESSPLUS_BENCHMARKS
        from ..data.synthetic import synthetic_zoo

        per = None if n_max is None else [max(1, n_max // len(MESSPLUS_BENCHMARKS))] * len(MESSPLUS_BENCHMARKS)
        out = synthetic_zoo("messplus", list(MESSPLUS_BENCHMARKS), n=per, rng=rng)
        out.meta["synthetic"] = True
    else:
        bench = {"messplus": None, "routerbench": None, "llmrouter": "all", "routellm": "mmlu",
                 "omnisbench": None}[key]
        out = load_or_synthetic(key, bench, rng, n=n_max)
    if out.latency is None or not np.isfinite(out.latency).any(axis=0).all():
        from ..pickllm.sessions import with_synthetic_latency

        out = with_synthetic_latency(out, rng)
    return replace(out, name=key if key in ARENA_DATASETS else out.name, meta={**out.meta, "arena_key": key})


def single_model_name(model: str) -> str:
    """Display name of the single-model router of ``model`` ("only <name after the last '/'>")."""
    return f"only {model.split('/')[-1]}"


def churn_penalty(outcomes: Outcomes) -> float:
    """The arena's churn penalty ``P``: one pass of the most expensive model (its mean cost per request)."""
    return float(outcomes.mean_cost().max())


def arena_users(outcomes: Outcomes, *, V: float, latency_rate: float, max_attempts: int) -> dict[str, ArenaUser]:
    """The three users of the arena (:data:`USER_MODES`), all with value ``V``, latency cost ``latency_rate`` per
    second and churn penalty :func:`churn_penalty`: passive (``q = 1``), and reactive users who best-respond
    (``q="best_response"``, computed from the simulated arena: :func:`~.users.best_response_q`) with re-prompts
    that redraw independently or return the stored outcome."""
    P = churn_penalty(outcomes)
    common = dict(V=V, latency_rate=latency_rate, P=P)
    return {"passive": ArenaUser.passive(**common),
            "reactive, independent": ArenaUser(q="best_response", max_attempts=max_attempts, redraw="independent",
                                               **common),
            "reactive, same": ArenaUser(q="best_response", max_attempts=max_attempts, redraw="same", **common)}


def pair(outcomes: Outcomes, threshold: float = 0.5) -> tuple[int, int]:
    """The game pair of a zoo: (cheapest model, most accurate model); the most accurate must differ."""
    p = (outcomes.quality >= threshold).mean(axis=0)
    c = outcomes.cost.mean(axis=0)
    small = int(np.argmin(c))
    large = int(np.argmax(p))
    return small, large


def sla_alpha(outcomes: Outcomes, threshold: float = 0.5) -> float:
    """The SLA target of a zoo: midpoint of the cheapest and the most accurate model's success rate (rounded)."""
    p = (outcomes.quality >= threshold).mean(axis=0)
    s, lg = pair(outcomes, threshold)
    return round(0.5 * (p[s] + p[lg]), 2)


def single_models(outcomes: Outcomes, user: ArenaUser) -> list[int]:
    """Columns shown as single-model routers (see the module docstring)."""
    if outcomes.n_models <= 3:
        return list(range(outcomes.n_models))
    tab = static_game_table(measured_params(outcomes, user), user.V, user.P)
    s, lg = pair(outcomes, user.success_threshold)
    ks = [s, lg, int(np.argmin(tab["J"].to_numpy())), int(np.argmax(tab["U"].to_numpy()))]
    return sorted(set(ks))


def has_request_signal(outcomes: Outcomes) -> bool:
    """Whether a learned router can tell requests apart: the table has features, or text with >= 2 values."""
    return outcomes.features is not None or (outcomes.text is not None and len({str(t) for t in outcomes.text}) > 1)


def _warn_fallback(outcomes: Outcomes, router: Router) -> None:
    """Warn that a fixed learned router was scored without per-request signal, naming what it does instead."""
    import copy

    from ..replay import batch_choices, zoo_info

    probe = copy.deepcopy(router)
    probe.reset(zoo_info(outcomes, None), np.random.default_rng(0))
    ch = batch_choices(outcomes, probe, np.arange(outcomes.n_requests))
    used = np.unique(ch) if ch is not None else np.array([], dtype=int)
    if used.size == 1:
        what = (f"a single model: it serves {outcomes.models[int(used[0])]} on every request (its numbers are "
                f"those of {single_model_name(outcomes.models[int(used[0])])!r})")
    else:
        what = (f"per-domain routing over {len(outcomes.domains)} domains (models served: "
                f"{', '.join(outcomes.models[int(k)] for k in used)})")
    warnings.warn(f"{router.name} on {outcomes.name}: the data has neither request text nor features, so it learns "
                  f"from the domain one-hot only and falls back to {what}", LearnedRouterFallback, stacklevel=3)


def _features(outcomes: Outcomes, dim: int = 16) -> np.ndarray:
    """Request features for the learned routers: the repository's one featurizer
    (:func:`llmroute.data.features.feature_table`), lighter than the MESS+ notebooks' (4,096 hash buckets, no
    length feature, SVD to ``dim``); a zoo with neither text nor features (OmnisBench) gets its domain one-hot plus
    a constant, i.e. per-domain routing only. Deterministic; rows in the order of ``outcomes``."""
    from ..data.features import feature_table

    return feature_table(outcomes, dim=dim, n_hash=2 ** 12, add_length=False, no_text="domain").rows_for(outcomes)


def _pickllm(outcomes: Outcomes, kind: str) -> Router:
    from ..pickllm import LRIParams, PickLLMLRI, PickLLMQ, QParams, RewardConfig
    from ..pickllm.sessions import default_bounds

    cfg = RewardConfig()  # the unit-free default: w_c = 0.5 on cost / the zoo's largest mean cost, numerator floor 1e-3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = default_bounds(outcomes, cfg)
    if kind == "lri":
        return PickLLMLRI(cfg, LRIParams(b=0.1, bounds=b), name="PickLLM L_R-I")
    return PickLLMQ(cfg, QParams(alpha=0.1, reward_norm="fixed_bounds", bounds=b), name="PickLLM Q-learning")


def arena_routers(outcomes: Outcomes, user: ArenaUser, *, alpha: float | None = None,
                  include: tuple[str, ...] | None = None) -> dict[str, Router]:
    """Fresh (not yet reset) routers by display name, built from ``outcomes`` (module docstring).

    ``include`` filters by family: single, random, educated, routellm, routerdc, game, messplus, pickllm."""
    from ..messplus import MessPlus, MessPlusSettings, OnlineMLPPredictor
    from ..messplus.baselines import RouteLLMStyle, RouterDCStyle, crossfit_baselines
    fam = set(include or ("single", "random", "educated", "routellm", "routerdc", "game", "messplus", "pickllm"))
    alpha = sla_alpha(outcomes, user.success_threshold) if alpha is None else alpha
    out: dict[str, Router] = {}
    if "single" in fam:
        for k in single_models(outcomes, user):
            r = get_router("single", outcomes, model=k)
            r.name = single_model_name(outcomes.models[k])
            out[r.name] = r
    if "random" in fam:
        out["random"] = get_router("random", outcomes)
    if "educated" in fam:
        out["educated guessing"] = get_router("educated-guessing", outcomes, alpha=alpha)
        out["educated guessing"].name = "educated guessing"
    small, large = pair(outcomes, user.success_threshold)
    need_feat = fam & {"routellm", "routerdc", "messplus"}
    x = _features(outcomes) if need_feat else None
    blind = need_feat and not has_request_signal(outcomes)
    if fam & {"routellm", "routerdc"}:  # leakage-free: per-domain cross-fitting, featurizer fitted per fold
        cs = crossfit_baselines(outcomes, weak=small, strong=large, dim=16, n_hash=2 ** 12)
        if "routellm" in fam:  # each fold's threshold calibrated on its training rows
            out["RouteLLM-style threshold"] = RouteLLMStyle(cs.win, cs.thresholds(outcomes.quality, alpha),
                                                            weak=cs.weak, strong=cs.strong,
                                                            name="RouteLLM-style threshold")
        if "routerdc" in fam:
            out["RouterDC-style"] = RouterDCStyle(cs.probs)
    if blind:
        for name in ("RouteLLM-style threshold", "RouterDC-style"):
            if name in out:
                _warn_fallback(outcomes, out[name])
        if "messplus" in fam:
            warnings.warn(f"{MESSPLUS} on {outcomes.name}: the data has neither request text nor features, so its "
                          "correctness predictor sees only the domain one-hot (per-domain predictions)",
                          LearnedRouterFallback, stacklevel=2)
    if "game" in fam and large != small:
        g = game_optimal_router(outcomes, user, small, large)
        g.name = f"{GAME_OPTIMAL_PREFIX} ({g.game_policy.i},{g.game_policy.s:.3g})"
        out[g.name] = g
        m = pair_params(outcomes, user, small, large)
        pol = GamePolicy(i=1, s=1.0, small=small, large=large, c=m["c"], t=m["t"], p=m["p"], P=user.P)
        out[GAME_CASCADE] = GameCascade(pol, GAME_CASCADE)
    if "messplus" in fam:
        out[MESSPLUS] = MessPlus(MessPlusSettings.simulator(alpha=alpha, V=0.01, c=0.1, V_unit="unitless"),
                                 OnlineMLPPredictor(x, hidden=0, request_id=outcomes.request_id), name=MESSPLUS)
    if "pickllm" in fam:
        out["PickLLM L_R-I"] = _pickllm(outcomes, "lri")
        out["PickLLM Q-learning"] = _pickllm(outcomes, "q")
    return out


def router_family(name: str) -> str:
    """Coarse family of a router display name (for colours and markers)."""
    for key, fam in (("only ", "single model"), ("game", "game"), ("MESS+", "MESS+"), ("PickLLM", "PickLLM"),
                     ("RouteLLM", "learned baseline"), ("RouterDC", "learned baseline"),
                     ("random", "random"), ("educated", "random")):
        if name.startswith(key) or key in name:
            return fam
    return "other"


def describe_dataset(outcomes: Outcomes) -> dict[str, Any]:
    """Provenance of an arena dataset."""
    m = outcomes.meta
    return {"name": outcomes.name, "synthetic": bool(m.get("synthetic")), "path": str(m.get("path", "")),
            "n_rows": outcomes.n_requests, "models": list(outcomes.models), "cost_unit": outcomes.cost_unit,
            "latency": m.get("latency_synthetic", "measured")}


RouterFactory = Callable[[Outcomes], Router]
