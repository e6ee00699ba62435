"""Routers derived from the routing game (Mahmood 2026), on the shared router interface.

A game policy ``(i, s)`` acts on a **model pair** (``small`` = the game's M1, ``large`` = M2, columns of the zoo):

* :class:`GameStatic` — ``(i, 0)``: every pass of a task goes to one model of the pair.
* :class:`GameCascade` — ``(1, s)``: the first pass goes to ``small``; at **every** re-prompt after a failure on
  ``small`` a fresh coin escalates to ``large`` with probability ``s`` (spec §2.3: the coin is tossed at each
  re-prompt, so the number of M1 passes before escalation is geometric); once on ``large`` the task stays there.

Both carry a :class:`GamePolicy` (``router.game_policy``) with the pair's measured per-pass parameters
``(c, t, p)``, so the arena can give the user the game's exact best response to them
(``ArenaUser(q="best_response")``). :func:`game_optimal_router` parameterises the provider-optimal policy from
measured ``(c, t, p)`` of a pair through :mod:`llmroute.game` (the closed-form provider solver).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .._validate import check_choice, check_int, check_nonneg, check_prob, check_vector, fail
from ..data.schema import Outcomes
from ..routers.base import Request, RequestBatch, Router, ZooInfo


@dataclass(frozen=True)
class GamePolicy:
    """A game policy on a measured pair: start model ``i`` (1 = small, 2 = large), cascade probability ``s``,
    zoo columns ``small``/``large`` and the pair's per-pass ``c``, ``t``, ``p`` (small first)."""

    i: int
    s: float
    small: int
    large: int
    c: tuple[float, float]
    t: tuple[float, float]
    p: tuple[float, float]
    P: float = 0.0

    def __post_init__(self) -> None:
        check_choice("i", self.i, (1, 2))
        check_prob("s", self.s)
        check_int("small", self.small, 0)
        check_int("large", self.large, 0)
        object.__setattr__(self, "c", check_vector("c", self.c, 0.0, length=2))
        object.__setattr__(self, "t", check_vector("t", self.t, 0.0, length=2))
        object.__setattr__(self, "p", check_vector("p", self.p, 0.0, 1.0, length=2))
        check_nonneg("P", self.P)


def pair_params(outcomes: Outcomes, user: Any, small: int | str, large: int | str) -> dict[str, Any]:
    """Measured per-pass ``c`` (mean cost), ``t`` (mean latency cost, value units) and ``p`` (success rate) of a
    pair of models under ``user`` (an :class:`~llmroute.arena.users.ArenaUser`), measured by the one
    :func:`llmroute.game.calibrate.measure_pair` with the arena's pass rate (quality >= the user's
    ``success_threshold``). ``t``: the user's per-pass ``t`` when given, else ``latency_rate`` times the mean
    measured latency (``user.latency_s`` when the data has none), else 0."""
    from ..game.calibrate import measure_pair as _measure

    ks = (outcomes.model_index(small), outcomes.model_index(large))
    if not ks[0] < ks[1]:
        fail("small", small, f"a model listed before large={large!r} (cheaper; the table is cheapest first)")
    sub = outcomes.select_models(list(ks))
    has_lat = sub.latency is not None and np.isfinite(sub.latency).any(axis=0).all()
    lat_s = None if has_lat or user.latency_s is None else tuple(user.latency_s[k] for k in ks)
    if not has_lat and lat_s is None:
        lat_s = (0.0, 0.0) if user.latency_rate is None else None
    if not has_lat and sub.latency is not None:
        sub = replace(sub, latency=None)
    m = _measure(sub, latency_s=lat_s, pass_rate="threshold", threshold=user.success_threshold)
    if user.t is not None:
        t = tuple(float(user.t[k]) for k in ks)
    elif user.latency_rate is not None:
        t = tuple(float(user.latency_rate) * x for x in m.latency)
    else:
        t = (0.0, 0.0)
    return {"small": ks[0], "large": ks[1], "c": m.c, "t": t, "p": m.p}


class _PairRouter(Router):
    learns = False

    def __init__(self, policy: GamePolicy, name: str | None = None) -> None:
        self.game_policy = policy
        if name:
            self.name = name

    def reset(self, zoo: ZooInfo, rng: np.random.Generator) -> None:
        super().reset(zoo, rng)
        pol = self.game_policy
        for k in (pol.small, pol.large):
            if not 0 <= k < zoo.n_models:
                raise KeyError(f"{self.name}: model index {k} out of range 0..{zoo.n_models - 1}")


class GameStatic(_PairRouter):
    """The static game policy ``(i, 0)``: every pass to ``small`` (i = 1) or ``large`` (i = 2)."""

    def __init__(self, policy: GamePolicy, name: str | None = None) -> None:
        super().__init__(policy, name or f"game static ({policy.i},0)")
        self.k = policy.small if policy.i == 1 else policy.large

    def choose(self, request: Request) -> int:
        return self.k

    def choose_batch(self, batch: RequestBatch) -> np.ndarray:
        return np.full(batch.rows.shape[0], self.k, dtype=np.int64)


class GameCascade(_PairRouter):
    """The cascade ``(1, s)``: start on ``small``; escalate each re-prompt after a failure on ``small`` with
    probability ``s``; stay on ``large`` once there. With ``policy.i == 2`` it is the static ``(2, 0)``."""

    def __init__(self, policy: GamePolicy, name: str | None = None) -> None:
        super().__init__(policy, name or f"game cascade (1,{policy.s:.3g})")

    def _start(self) -> int:
        pol = self.game_policy
        return pol.small if pol.i == 1 else pol.large

    def choose(self, request: Request) -> int:
        pol = self.game_policy
        if request.attempt == 0 or not request.tried:
            return self._start()
        if request.tried[-1] == pol.large:
            return pol.large
        return pol.large if self.rng.random() < pol.s else pol.small

    def choose_batch(self, batch: RequestBatch) -> np.ndarray:
        return np.full(batch.rows.shape[0], self._start(), dtype=np.int64)


# ---- bridge to llmroute.game (the closed forms and the provider solver) ------------------------------------

def _game():
    try:
        from .. import game  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the game helper's module
        raise ImportError("llmroute.game (closed forms, best response, provider solver) is not available") from exc
    return game


def game_params(policy: GamePolicy, V: float):
    """The game module's parameter arrays for a measured pair. Real pairs may break the standing assumptions
    ``t1 < t2`` / ``c1 < c2`` (OmnisBench's cheap model is the slower one), so the orderings of ``t`` and ``c``
    are not required (the closed forms do not need them); ``p1 < p2`` is (the game module checks it)."""
    g = _game()
    return g.GameArrays(V=V, P=policy.P, c1=policy.c[0], c2=policy.c[1], t1=policy.t[0], t2=policy.t[1],
                        p1=policy.p[0], p2=policy.p[1], require_order=False)


def game_best_response(policy: GamePolicy, V: float) -> float:
    """The user's best response ``q*(i, s)`` to ``policy`` (game closed forms, strong-Stackelberg ties)."""
    g = _game()
    return float(np.asarray(g.best_response(game_params(policy, V), g.Policy(policy.i, policy.s))).reshape(()))


def game_closed_form(policy: GamePolicy, V: float, q: float) -> dict[str, float]:
    """Closed-form ``U``, ``J``, ``S`` of ``policy`` at abandonment ``q`` (game module)."""
    g = _game()
    o = g.outcome(game_params(policy, V), policy.i, policy.s, q)
    return {k: float(np.asarray(getattr(o, k)).reshape(())) for k in ("U", "J", "S")}


def game_optimal_router(outcomes: Outcomes, user: Any, small: int | str, large: int | str) -> Router:
    """The provider-optimal game policy ``(i*, s*)`` for the measured pair (closed-form provider solver of
    :mod:`llmroute.game`), as a router: a :class:`GameCascade` when ``i* = 1`` and ``s* > 0``, else a
    :class:`GameStatic`. ``user`` gives ``V``, ``P`` and the latency cost (:func:`pair_params`)."""
    g = _game()
    m = pair_params(outcomes, user, small, large)
    pol0 = GamePolicy(i=1, s=0.0, small=m["small"], large=m["large"], c=m["c"], t=m["t"], p=m["p"], P=user.P)
    sol = g.solve_closed_form(game_params(pol0, user.V))
    i = int(np.asarray(sol.i).reshape(()))
    s = float(np.asarray(sol.s).reshape(())) if i == 1 else 0.0
    pol = GamePolicy(i=i, s=s, small=m["small"], large=m["large"], c=m["c"], t=m["t"], p=m["p"], P=user.P)
    name = f"game-optimal ({pol.i},{pol.s:.3g})"
    if pol.i == 1 and pol.s > 0:
        return GameCascade(pol, name)
    return GameStatic(pol, name)
