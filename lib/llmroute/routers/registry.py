"""One registry of every router of the repository, by name, and ``register`` for your own.

``get(name, outcomes=..., **settings)`` builds a fresh router (not yet reset) for an outcome table;
``names()`` lists the names; ``applicable(outcomes)`` says which routers apply to a table and why the others do
not; ``register(name, factory)`` adds your own. Every router module is imported only when its router is built,
so ``import llmroute`` stays light.

A factory is called as ``factory(outcomes, **settings)`` and returns a :class:`~llmroute.routers.base.Router`
(a ``Router`` subclass is also accepted: it is then called as ``cls(**settings)``). ``outcomes`` is the table
the router will be replayed on; routers that learn nothing from it ignore it, routers that are fitted or
calibrated offline (oracles, educated guessing, the RouteLLM/RouterDC-style stand-ins, the game policies)
read it — they are hindsight baselines, as in the notebooks.

Built-in routers (settings in brackets; ``alpha`` is the SLA target: the mean quality to reach, default the
midpoint of the cheapest and the most accurate model's mean quality, see :func:`default_alpha`):

==========================  ==================================================================================
``cheapest``                always the cheapest model
``most-accurate``           always the model of highest mean quality
``single`` [model]          always ``model`` (a name or a column)
``random``                  a uniformly drawn model
``oracle``                  per request the cheapest model of highest quality (hindsight; a reference)
``oracle-cost-oblivious``   per request a best model, the most expensive on ties (hindsight; a reference)
``educated-guessing`` [alpha]   i.i.d. draws from the mixture meeting alpha on mean qualities (MESS+ §3.6)
``routellm-threshold`` [alpha]  RouteLLM-style weak/strong threshold router (our stand-in; needs text/features)
``routerdc`` []             RouterDC-style multi-model router (our stand-in; needs text/features)
``mess+`` [alpha, V, c]     MESS+ with an online logistic predictor (features: text/features, else domain;
                            V unitless, default 0.01: see :mod:`llmroute.messplus.settings`)
``pickllm-lri`` [b]         PickLLM L_R-I learning automaton (needs latency)
``pickllm-q`` [lr]          PickLLM epsilon-greedy Q-learning (needs latency)
``game-optimal`` [user]     the routing game's provider-optimal policy on (cheapest, most accurate)
``game-cascade`` [user]     the game's full cascade (1,1) on (cheapest, most accurate)
``knn`` [k, lam, seed]       RouterBench kNN quality predictor, argmax (q̂ - λ c)  (needs text/features)
``mlp`` [hidden, lam, seed]  RouterBench MLP quality predictor, argmax (q̂ - λ c)  (needs text/features)
``matrix-factorisation`` [dim, strong_share, seed]  RouteLLM matrix factorisation, threshold calibrated to a
                            share of strong calls (needs text/features and a weak/strong pair)
``carrot`` [mu, seed]       CARROT: argmax ((1 - μ) p̂ - μ ĉ) with predicted quality and cost (needs text/features)
``cascade`` [threshold, chain, scorer_cost_frac, seed]  FrugalGPT-style cascade with a learned correctness
                            scorer; escalate when the score < threshold (needs text/features)
==========================  ==================================================================================

The five field routers (:mod:`llmroute.routers.field`) are trained by per-domain stratified 5-fold cross-fitting on
the table they are built for: every row is routed by a model that never saw it (the notebook ``arena_routers``
uses a held-out split instead). On a table without text or features they warn and do not apply.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .base import Router

Factory = Callable[..., Router]
Check = Callable[[Any], "str | None"]


@dataclass(frozen=True)
class RouterSpec:
    """A registered router: its factory, family, one-line description, whether it takes ``alpha``, whether it is
    built by default (``default``: False for ``single``, which needs a model), and an applicability check
    ``applies(outcomes) -> None | reason it does not apply``."""

    name: str
    factory: Factory
    family: str
    description: str
    uses_alpha: bool = False
    default: bool = True
    applies: Check | None = None


_REGISTRY: dict[str, RouterSpec] = {}


def register(name: str, factory: Factory | type, *, family: str = "user", description: str = "",
             uses_alpha: bool = False, default: bool = True, applies: Check | None = None,
             replace: bool = False) -> RouterSpec:
    """Register a router under ``name`` (lower-case, no spaces recommended). ``factory(outcomes, **settings)``
    returns a router, or ``factory`` is a ``Router`` subclass (built as ``cls(**settings)``). An existing name
    raises unless ``replace=True``."""
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(f"router name {name!r} is not allowed: a non-empty string without surrounding spaces")
    if name in _REGISTRY and not replace:
        raise ValueError(f"router {name!r} is already registered ({_REGISTRY[name].description}); pass "
                         f"replace=True to replace it")
    if isinstance(factory, type) and issubclass(factory, Router):
        cls = factory
        factory = lambda outcomes, **kw: cls(**kw)  # noqa: E731
    elif not callable(factory):
        raise TypeError(f"factory of {name!r} must be callable or a Router subclass, got {factory!r}")
    spec = RouterSpec(name=name, factory=factory, family=family, description=description, uses_alpha=uses_alpha,
                      default=default, applies=applies)
    _REGISTRY[name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove ``name`` (your own routers; built-in ones come back on the next import)."""
    _spec(name)
    del _REGISTRY[name]


def names(family: str | None = None) -> tuple[str, ...]:
    """Registered router names (in registration order), optionally of one family."""
    return tuple(n for n, s in _REGISTRY.items() if family is None or s.family == family)


def spec(name: str) -> RouterSpec:
    """The registration of ``name``."""
    return _spec(name)


def _spec(name: str) -> RouterSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown router {name!r}; registered routers: {', '.join(_REGISTRY)}") from None


def get(name: str, outcomes=None, **settings) -> Router:
    """A fresh router ``name`` for ``outcomes`` (an :class:`~llmroute.data.schema.Outcomes`), with ``settings``.

    Raises ``KeyError`` naming the registered routers for an unknown name, ``ValueError`` when the router does not
    apply to ``outcomes`` (the reason is given) and ``TypeError`` for a setting the router does not take."""
    s = _spec(name)
    if outcomes is not None and s.applies is not None:
        why = s.applies(outcomes)
        if why:
            raise ValueError(f"router {name!r} does not apply to {outcomes.name}: {why}")
    try:
        router = s.factory(outcomes, **settings)
    except TypeError as e:
        if "unexpected keyword" in str(e) or "got an unexpected" in str(e):
            raise TypeError(f"router {name!r}: {e}") from None
        raise
    if not isinstance(router, Router):
        raise TypeError(f"the factory of {name!r} returned {type(router).__name__}, not a Router")
    return router


def applicable(outcomes) -> dict[str, str | None]:
    """For every registered router built by default: None when it applies to ``outcomes``, else the reason."""
    out: dict[str, str | None] = {}
    for n, s in _REGISTRY.items():
        if not s.default:
            continue
        out[n] = s.applies(outcomes) if s.applies is not None else None
    return out


def uses_alpha(name: str) -> bool:
    return _spec(name).uses_alpha


# --------------------------------------------------------------------------------------------- helpers
def _need(outcomes, name: str):
    if outcomes is None:
        raise ValueError(f"router {name!r} is built from the outcome table: pass outcomes=...")
    return outcomes


def default_alpha(outcomes) -> float:
    """The default SLA target: midpoint of the cheapest and the most accurate model's mean quality (2 decimals,
    as the arena's ``sla_alpha`` on 0/1 data), clipped into (0, 1)."""
    q = outcomes.mean_quality()
    a = round(0.5 * (float(q[0]) + float(q.max())), 2)
    return float(min(max(a, 0.01), 0.99))


def features_for(outcomes, dim: int = 16) -> tuple[np.ndarray, str]:
    """Request features for the learned routers and what they are: the table's own features (z-scored), else its
    text (hashed TF-IDF with 2^15 buckets -> truncated SVD to ``dim``, not re-z-scored), else the domain one-hot
    plus a constant (per-domain routing only). One row per row of ``outcomes``; computed by the data layer's
    one featurizer, :func:`llmroute.data.features.feature_table` (which keys them by request id). Deterministic."""
    f = _feature_table(outcomes, dim)
    return f.X, f.source


def _feature_table(outcomes, dim: int = 16):
    from ..data.features import feature_table

    return feature_table(outcomes, dim=dim, n_hash=2 ** 15, zscore_text=False, no_text="domain")


def _pair(outcomes) -> tuple[int, int]:
    from ..metrics import reference_pair

    return reference_pair(outcomes)


def _needs_text(outcomes) -> str | None:
    if outcomes.features is None and (outcomes.text is None or len({str(t) for t in outcomes.text}) < 2):
        return "needs per-request text or features to score requests (the table has neither)"
    return None


def _needs_pair(outcomes) -> str | None:
    weak, strong = _pair(outcomes)
    if strong == weak:
        return "the cheapest model is also the most accurate one: there is no weak/strong pair to route between"
    return None


def _needs_latency(outcomes) -> str | None:
    if outcomes.latency is None or not np.isfinite(outcomes.latency).any(axis=0).all():
        return ("needs latency for every model (its reward divides by log10 latency); add a latency column, or "
                "synthesise one with llmroute.pickllm.sessions.with_synthetic_latency and say so")
    return None


def _needs_two(outcomes) -> str | None:
    return "needs at least two models" if outcomes.n_models < 2 else None


def _all(*checks: Check) -> Check:
    def check(outcomes):
        for c in checks:
            why = c(outcomes)
            if why:
                return why
        return None
    return check


# --------------------------------------------------------------------------------------------- built-ins
def _cheapest(outcomes, **kw):
    from .baselines import SingleModel

    r = SingleModel(0)
    if outcomes is not None:
        r.name = f"only {outcomes.models[0]}"
    return r


def _most_accurate(outcomes, **kw):
    from .baselines import SingleModel

    o = _need(outcomes, "most-accurate")
    k = _pair(o)[1]
    r = SingleModel(k)
    r.name = f"only {o.models[k]}"
    return r


def _single(outcomes, model):
    from .baselines import SingleModel

    return SingleModel(model)


def _random(outcomes):
    from .baselines import UniformRandom

    return UniformRandom()


def _oracle(outcomes):
    from .baselines import CheapestCorrectOracle

    return CheapestCorrectOracle(_need(outcomes, "oracle"))


def _oracle_oblivious(outcomes):
    from .baselines import CostObliviousOracle

    return CostObliviousOracle(_need(outcomes, "oracle-cost-oblivious"))


def _educated(outcomes, alpha: float | None = None):
    from .baselines import EducatedGuessing

    o = _need(outcomes, "educated-guessing")
    return EducatedGuessing(o.mean_quality(), default_alpha(o) if alpha is None else alpha)


def _routellm(outcomes, alpha: float | None = None, seed: int = 0):
    """RouteLLM-style stand-in without leakage: per-domain cross-fitted scores (featurizer and regressions fitted
    on the other fold), each fold's threshold calibrated on its training rows (messplus.baselines)."""
    from ..messplus.baselines import RouteLLMStyle, crossfit_baselines

    o = _need(outcomes, "routellm-threshold")
    alpha = default_alpha(o) if alpha is None else alpha
    weak, strong = _pair(o)
    cs = crossfit_baselines(o, weak=weak, strong=strong, seed=seed, dim=16, n_hash=2 ** 15)
    return RouteLLMStyle(cs.win, cs.thresholds(o.quality, alpha), weak=cs.weak, strong=cs.strong,
                         name="RouteLLM-style threshold")


def _routerdc(outcomes, seed: int = 0):
    """RouterDC-style stand-in (argmax of cross-fitted per-model scores, no cost term), without leakage."""
    from ..messplus.baselines import RouterDCStyle, crossfit_baselines

    o = _need(outcomes, "routerdc")
    return RouterDCStyle(crossfit_baselines(o, seed=seed, dim=16, n_hash=2 ** 15).probs)


def _messplus(outcomes, alpha: float | None = None, V: float = 0.01, c: float = 0.1, hidden: int = 0,
              V_unit: str = "unitless"):
    """MESS+ (simulator settings) with an online logistic predictor keyed by request id. ``V`` is unitless by
    default (``V_unit="unitless"``: V times the zoo's largest mean cost; 0.01 = the most expensive model's mean
    cost weighs 1 % of a satisfied request per unit of queue); ``V_unit="per-cost-unit"`` takes the paper's V."""
    from ..messplus import MessPlus, MessPlusSettings, OnlineMLPPredictor

    o = _need(outcomes, "mess+")
    alpha = default_alpha(o) if alpha is None else alpha
    f = _feature_table(o)
    if f.source.startswith("no text or features"):
        import warnings

        warnings.warn(f"mess+ on {o.name}: the table has no per-request text or features; its predictor falls back "
                      f"to {f.source}", UserWarning, stacklevel=3)
    return MessPlus(MessPlusSettings.simulator(alpha=alpha, V=V, c=c, V_unit=V_unit),
                    OnlineMLPPredictor(f.X, hidden=hidden, request_id=f.request_id), name="MESS+")


def _pickllm(outcomes, kind: str, **kw):
    import warnings

    from .. import pickllm
    from ..pickllm.sessions import default_bounds

    o = _need(outcomes, f"pickllm-{kind}")
    cfg = pickllm.RewardConfig()  # the default: w_c = 0.5 on cost / the largest mean cost, floor 1e-3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        b = default_bounds(o, cfg)
    if kind == "lri":
        automaton = pickllm.PickLLMLRI  # the L_R-I automaton
        return automaton(cfg, pickllm.LRIParams(b=kw.get("b", 0.1), bounds=b), name="PickLLM L_R-I")
    return pickllm.PickLLMQ(cfg, pickllm.QParams(alpha=kw.get("lr", 0.1), reward_norm="fixed_bounds", bounds=b),
                            name="PickLLM Q-learning")


def _user(user):
    from ..arena.users import ArenaUser

    return ArenaUser() if user is None else user


def _game_optimal(outcomes, user=None):
    from ..arena.game_routers import game_optimal_router

    o = _need(outcomes, "game-optimal")
    weak, strong = _pair(o)
    g = game_optimal_router(o, _user(user), weak, strong)
    g.name = "game-optimal " + g.name.split(" ", 1)[1]
    return g


def _game_cascade(outcomes, user=None):
    from ..arena.game_routers import GameCascade, GamePolicy, pair_params

    o = _need(outcomes, "game-cascade")
    u = _user(user)
    weak, strong = _pair(o)
    m = pair_params(o, u, weak, strong)
    pol = GamePolicy(i=1, s=1.0, small=weak, large=strong, c=m["c"], t=m["t"], p=m["p"], P=u.P)
    return GameCascade(pol, "game cascade (1,1)")


def _field(name: str):
    def factory(outcomes, seed: int = 0, **settings):
        from .field import METHODS, registry_router

        method = METHODS[name]
        return registry_router(outcomes, method, method.Settings(**settings), seed=seed)
    return factory


def _needs_features(outcomes) -> str | None:
    from .field import needs_features

    return needs_features(outcomes)


def _builtins() -> None:
    reg = register
    reg("cheapest", _cheapest, family="single model", description="always the cheapest model")
    reg("most-accurate", _most_accurate, family="single model", description="always the most accurate model",
        applies=_needs_two)
    reg("single", _single, family="single model", description="always the given model (model=name or column)",
        default=False)
    reg("random", _random, family="random", description="a uniformly drawn model", applies=_needs_two)
    reg("oracle", _oracle, family="oracle",
        description="hindsight: the cheapest model of highest quality per request (a reference, not deployable)")
    reg("oracle-cost-oblivious", _oracle_oblivious, family="oracle",
        description="hindsight: a best model per request, the most expensive on ties (a reference)")
    reg("educated-guessing", _educated, family="random", uses_alpha=True, applies=_needs_two,
        description="i.i.d. draws from the mixture meeting alpha on known mean qualities (MESS+ spec §3.6)")
    reg("routellm-threshold", _routellm, family="learned baseline", uses_alpha=True,
        applies=_all(_needs_pair, _needs_text),
        description="RouteLLM-style weak/strong threshold, calibrated to alpha in hindsight (our stand-in)")
    reg("routerdc", _routerdc, family="learned baseline", applies=_all(_needs_two, _needs_text),
        description="RouterDC-style: cheapest model predicted correct, cross-fitted (our stand-in)")
    reg("mess+", _messplus, family="MESS+", uses_alpha=True, applies=_needs_two,
        description="MESS+ (virtual queue, online logistic predictor; per-domain when no text or features)")
    reg("pickllm-lri", lambda o, **kw: _pickllm(o, "lri", **kw), family="PickLLM", applies=_all(_needs_two,
        _needs_latency), description="PickLLM L_R-I learning automaton (reward: quality, cost and latency)")
    reg("pickllm-q", lambda o, **kw: _pickllm(o, "q", **kw), family="PickLLM", applies=_all(_needs_two,
        _needs_latency), description="PickLLM epsilon-greedy Q-learning (reward: quality, cost and latency)")
    reg("game-optimal", _game_optimal, family="game", applies=_needs_pair,
        description="the routing game's provider-optimal policy on (cheapest, most accurate)")
    reg("game-cascade", _game_cascade, family="game", applies=_needs_pair,
        description="the routing game's full cascade (1,1): cheapest first, the most accurate on a re-prompt")
    reg("knn", _field("knn"), family="field", applies=_all(_needs_two, _needs_features),
        description="RouterBench kNN: per-model quality of the k nearest training prompts, argmax (q̂ - λ c)")
    reg("mlp", _field("mlp"), family="field", applies=_all(_needs_two, _needs_features),
        description="RouterBench MLP: per-model quality from a one-layer network, argmax (q̂ - λ c)")
    reg("matrix-factorisation", _field("matrix-factorisation"), family="field",
        applies=_all(_needs_pair, _needs_features),
        description="RouteLLM matrix factorisation: strong-win probability, threshold at a share of strong calls")
    reg("carrot", _field("carrot"), family="field", applies=_all(_needs_two, _needs_features),
        description="CARROT: predicted quality and cost per model, argmax ((1 - μ) p̂ - μ ĉ)")
    reg("cascade", _field("cascade"), family="field", applies=_all(_needs_two, _needs_features),
        description="FrugalGPT-style cascade: cheapest first, escalate when a learned correctness score < threshold")


_builtins()
