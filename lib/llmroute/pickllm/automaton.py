"""PickLLM Algorithm 1: the Linear Reward-Inaction (L_R-I) learning automaton, "gradient ascent" (spec §2.2).

The router keeps an action-probability vector P over the M models (uniform at the start of a session),
samples a model from P, turns the observed (a, c, l) into the reward R (spec §1.2), normalises it to
r = N(R) in [0, 1], and moves P towards the chosen model::

    P <- P + b * r * (e_i - P)          # P_i += b r (1 - P_i);  P_j -= b r P_j  (j != i)

There is no penalty branch ("inaction"); P stays on the simplex because b*r <= 1. When max_i P_i >= P_thr the
automaton locks in: every remaining query of the session goes to i* = argmax P, and t* (queries observed so
far, 1-based) is the convergence query index. E[dP_i | P] = b P_i (E[r|i] - sum_j P_j E[r|j]): replicator
dynamics, i.e. stochastic gradient ascent of the expected normalised reward (Williams 1992).

Sparse feedback: a query whose feedback is unlabelled (``Feedback.labelled`` False, accuracy hidden as NaN) is
served and counted in t, but never learned from (P, the normaliser and the lock-in test are left untouched).

Randomness: exactly one ``rng.random()`` per query (also after lock-in), so the vectorised session runner
(:mod:`llmroute.pickllm.sessions`) reproduces this router draw for draw.

Naming: the class is :class:`PickLLMLRI` (the Linear Reward-Inaction automaton). Its former name
``PickLLMSLA`` ("stochastic learning automaton", easily read as "service level agreement") is kept as a
deprecated alias of the same class (importing it warns with ``DeprecationWarning``).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import check_choice, check_finite, check_range, fail
from ..routers.base import Feedback, Request, Router, ZooInfo
from .reward import NORMALISERS, RewardConfig, make_normaliser, reward


@dataclass(frozen=True)
class LRIParams:
    """L_R-I settings (all reconstructed, spec §2.2).

    ``b`` learning rate in (0, 1]; ``p_thr`` lock-in threshold in (0, 1] (must exceed 1/M); ``reward_norm``
    one of fixed_bounds (default) / running_minmax / max_ratio; ``bounds`` (R_lo, R_hi) for fixed_bounds
    (max_ratio uses R_hi as R_max); ``update_after_lock`` keeps learning after lock-in (default False).
    """

    b: float = 0.1
    p_thr: float = 0.99
    reward_norm: str = "fixed_bounds"
    bounds: tuple[float, float] | None = None
    update_after_lock: bool = False

    def __post_init__(self) -> None:
        check_range("b", self.b, 0.0, 1.0, lo_open=True)
        check_range("p_thr", self.p_thr, 0.0, 1.0, lo_open=True)
        check_choice("reward_norm", self.reward_norm, NORMALISERS)
        if self.bounds is not None:
            if len(self.bounds) != 2:
                fail("bounds", self.bounds, "a pair (R_lo, R_hi)")
            lo, hi = check_finite("bounds[0]", self.bounds[0]), check_finite("bounds[1]", self.bounds[1])
            if not hi > lo:
                fail("bounds", self.bounds, "(R_lo, R_hi) with R_hi > R_lo")
            object.__setattr__(self, "bounds", (lo, hi))
        elif self.reward_norm in ("fixed_bounds", "max_ratio"):
            pass  # checked when the router is built (make_normaliser names the missing bounds)


def lri_update(P: np.ndarray, i: np.ndarray | int, r: np.ndarray | float, b: float) -> np.ndarray:
    """One L_R-I step: ``P + b*r*(e_i - P)`` for P of shape (M,) or (S, M) (i, r per row). Returns a new array."""
    P = np.asarray(P, dtype=float)
    e = np.zeros_like(P)
    if P.ndim == 1:
        e[int(i)] = 1.0
        return P + (b * float(r)) * (e - P)
    e[np.arange(P.shape[0]), np.asarray(i)] = 1.0
    return P + (b * np.asarray(r, dtype=float))[:, None] * (e - P)


def sample_categorical(P: np.ndarray, u: np.ndarray | float) -> np.ndarray | int:
    """Inverse-CDF draw from P with uniform ``u``: the number of cumulative probabilities <= u (clipped)."""
    P = np.asarray(P, dtype=float)
    cum = np.cumsum(P, axis=-1)
    k = (cum <= np.asarray(u, dtype=float)[..., None]).sum(axis=-1)
    k = np.minimum(k, P.shape[-1] - 1)
    return int(k) if np.ndim(k) == 0 else k


class PickLLMLRI(Router):
    """PickLLM with the Linear Reward-Inaction (L_R-I) learning automaton (one session per :meth:`reset`)."""

    learns = True

    def __init__(self, reward_cfg: RewardConfig | None = None, params: LRIParams | None = None,
                 name: str | None = None) -> None:
        self.reward_cfg = reward_cfg or RewardConfig()
        self.params = params or LRIParams()
        self.norm = make_normaliser(self.params.reward_norm, self.params.bounds)
        self.name = name or f"PickLLM L_R-I (b={self.params.b:g})"

    def reset(self, zoo: ZooInfo, rng: np.random.Generator) -> None:
        super().reset(zoo, rng)
        if not self.params.p_thr > 1.0 / zoo.n_models:
            fail("p_thr", self.params.p_thr, f"> 1/M = {1.0 / zoo.n_models:.6g} (else the automaton is locked at t=0)")
        self.cost_ref = float(np.max(zoo.list_cost)) if zoo.list_cost is not None else None
        self.P = np.full(zoo.n_models, 1.0 / zoo.n_models)
        self.norm.reset(())
        self.locked = False
        self.t = 0
        self.t_star: int | None = None
        self.i_star: int | None = None
        self.last_R = np.nan
        self.last_r = np.nan

    def choose(self, request: Request) -> int:
        u = self.rng.random()
        if self.locked:
            return int(self.i_star)
        return sample_categorical(self.P, u)

    def observe(self, request: Request, feedback: Feedback) -> None:
        self.t += 1
        if not feedback.labelled:
            return  # sparse feedback: no accuracy, nothing to learn (never a NaN reward)
        k = feedback.query.index(feedback.serve)
        R = reward(feedback.quality[k], feedback.cost[k], feedback.latency[k], self.reward_cfg,
                   cost_ref=self.cost_ref, warn=False)
        r = self.norm(R)
        self.last_R, self.last_r = float(R), float(r)
        if not self.locked or self.params.update_after_lock:
            self.P = lri_update(self.P, feedback.serve, float(r), self.params.b)
        if not self.locked and self.P.max() >= self.params.p_thr:
            self.locked = True
            self.t_star = self.t
            self.i_star = int(np.argmax(self.P))

    def state(self) -> dict[str, float]:
        out = {f"P_{m}": float(p) for m, p in zip(self.models, self.P)}
        out.update(R=self.last_R, r=self.last_r, locked=float(self.locked),
                   t_star=float(self.t_star) if self.t_star is not None else np.nan,
                   i_star=float(self.i_star) if self.i_star is not None else np.nan)
        return out


def __getattr__(name: str) -> Any:
    """``PickLLMSLA``: the deprecated former name of :class:`PickLLMLRI` (the same class)."""
    if name == "PickLLMSLA":
        warnings.warn("PickLLMSLA is deprecated: the router is the L_R-I automaton, use PickLLMLRI "
                      "(the same class)", DeprecationWarning, stacklevel=2)
        return PickLLMLRI
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
