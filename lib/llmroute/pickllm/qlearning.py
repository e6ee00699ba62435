"""PickLLM Algorithm 2: stateless Q-learning with epsilon-greedy selection (spec §3.2, reconstructed).

One action value per model, ``Q_i = Q0`` at the start of a session. At query t (0-based) the router explores
with probability ``eps_t = max(eps_min, eps0 * decay**t)`` (a uniform model) and otherwise serves a greedy
model (ties broken at random). After observing the reward::

    Q_i <- Q_i + alpha * (R + gamma * max_j Q_j - Q_i)      # stateless: gamma = 0 by default

(``gamma > 0`` only adds a common drift in a stateless problem; offered because some texts write it.)
Lock-in: after the update of query t, if ``eps_{t+1} <= eps_lock`` and the greedy model (first argmax) has
been the same for ``lock_k`` consecutive queries, every remaining query goes to i* = argmax Q; t* = t + 1.
A constant epsilon is ``decay = 1``.

Sparse feedback: an unlabelled query (``Feedback.labelled`` False, accuracy hidden as NaN) advances t and the
epsilon schedule but is never learned from (Q, the normaliser, the greedy streak and the lock-in test are left
untouched).

With the default schedule (eps0 = 1, decay = 0.99, eps_lock = 0.05) no session can lock before
:func:`earliest_lock_index` = 299: Q-learning's t* is then set by the epsilon schedule, not by alpha.

Randomness: exactly three ``rng.random()`` draws per query (explore?, which random model, tie-break), also
after lock-in, so the vectorised session runner reproduces this router draw for draw.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_finite, check_int, check_prob, check_range, fail
from ..routers.base import Feedback, Request, Router, ZooInfo
from .reward import NORMALISERS, RewardConfig, make_normaliser, reward


@dataclass(frozen=True)
class QParams:
    """Stateless epsilon-greedy Q-learning settings (all reconstructed, spec §3.2)."""

    alpha: float = 0.1
    eps0: float = 1.0
    decay: float = 0.99
    eps_min: float = 0.01
    eps_lock: float = 0.05
    lock_k: int = 20
    q0: float = 0.0
    gamma: float = 0.0
    reward_norm: str = "raw"
    bounds: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        check_range("alpha", self.alpha, 0.0, 1.0, lo_open=True)
        check_prob("eps0", self.eps0)
        check_range("decay", self.decay, 0.0, 1.0, lo_open=True)
        check_prob("eps_min", self.eps_min)
        if self.eps_min > self.eps0:
            fail("eps_min", self.eps_min, f"<= eps0 = {self.eps0:g}")
        check_prob("eps_lock", self.eps_lock)
        check_int("lock_k", self.lock_k, 1)
        check_finite("q0", self.q0)
        check_range("gamma", self.gamma, 0.0, 1.0, hi_open=True)
        check_choice("reward_norm", self.reward_norm, ("raw",) + NORMALISERS)
        if self.bounds is not None:
            lo, hi = check_finite("bounds[0]", self.bounds[0]), check_finite("bounds[1]", self.bounds[1])
            if not hi > lo:
                fail("bounds", self.bounds, "(R_lo, R_hi) with R_hi > R_lo")
            object.__setattr__(self, "bounds", (lo, hi))


def epsilon_schedule(t: np.ndarray | int, params: QParams) -> np.ndarray | float:
    """The exploration probability at query t (0-based): ``max(eps_min, eps0 * decay**t)``."""
    e = np.maximum(params.eps_min, params.eps0 * np.power(float(params.decay), np.asarray(t, dtype=float)))
    return float(e) if np.ndim(e) == 0 else e


def earliest_lock_index(params: QParams, max_t: int = 10**7) -> int:
    """The smallest t* the lock-in rule allows: the first t + 1 (t = 0-based query) with eps_{t+1} <= eps_lock,
    and at least ``lock_k`` (a greedy streak needs lock_k learning steps). ``eps_{t} = max(eps_min, eps0 *
    decay**t)``; raises :class:`~llmroute._validate.ParameterError` when eps never reaches eps_lock."""
    if params.eps_min > params.eps_lock:
        fail("eps_lock", params.eps_lock, f">= eps_min = {params.eps_min:g} (else the schedule never allows lock-in)")
    if params.eps0 <= params.eps_lock:
        n = 1
    elif params.decay == 1.0:
        fail("decay", params.decay, f"< 1 when eps0 = {params.eps0:g} > eps_lock = {params.eps_lock:g} "
             "(a constant epsilon above eps_lock never allows lock-in)")
    else:
        n = int(np.ceil(np.log(params.eps_lock / params.eps0) / np.log(params.decay)))
        while n > 1 and epsilon_schedule(n - 1, params) <= params.eps_lock:  # guard against rounding
            n -= 1
        while epsilon_schedule(n, params) > params.eps_lock and n < max_t:
            n += 1
        n = max(n, 1)
    return max(n, int(params.lock_k))


def q_update(Q: np.ndarray, i, R, alpha: float, gamma: float = 0.0) -> np.ndarray:
    """One stateless Q step for Q of shape (M,) or (S, M) (i, R per row). Returns a new array."""
    Q = np.array(Q, dtype=float, copy=True)
    if Q.ndim == 1:
        target = float(R) + gamma * float(Q.max())
        Q[int(i)] += alpha * (target - Q[int(i)])
        return Q
    s = np.arange(Q.shape[0])
    i = np.asarray(i)
    target = np.asarray(R, dtype=float) + gamma * Q.max(axis=1)
    Q[s, i] += alpha * (target - Q[s, i])
    return Q


def greedy_choice(Q: np.ndarray, u: np.ndarray | float) -> np.ndarray | int:
    """A maximiser of Q, ties broken by the uniform ``u``: the floor(u*n_ties)-th maximiser (row-wise)."""
    Q = np.asarray(Q, dtype=float)
    ties = Q == Q.max(axis=-1, keepdims=True)
    n = ties.sum(axis=-1)
    j = np.minimum(np.floor(np.asarray(u) * n).astype(np.int64), n - 1)
    k = np.argmax(np.cumsum(ties, axis=-1) == (j + 1)[..., None], axis=-1)
    return int(k) if np.ndim(k) == 0 else k


def egreedy_choice(Q: np.ndarray, u3: np.ndarray, eps) -> np.ndarray | int:
    """epsilon-greedy with three uniforms per decision (u3[..., 0]: explore?, [1]: random model, [2]: tie)."""
    Q = np.asarray(Q, dtype=float)
    u3 = np.asarray(u3, dtype=float)
    M = Q.shape[-1]
    explore = u3[..., 0] < eps
    rand = np.minimum(np.floor(u3[..., 1] * M).astype(np.int64), M - 1)
    greedy = greedy_choice(Q, u3[..., 2])
    k = np.where(explore, rand, greedy)
    return int(k) if np.ndim(k) == 0 else k


class PickLLMQ(Router):
    """PickLLM with stateless epsilon-greedy Q-learning (one session per :meth:`reset`)."""

    learns = True

    def __init__(self, reward_cfg: RewardConfig | None = None, params: QParams | None = None,
                 name: str | None = None) -> None:
        self.reward_cfg = reward_cfg or RewardConfig()
        self.params = params or QParams()
        self.norm = make_normaliser(self.params.reward_norm, self.params.bounds, allow_raw=True)
        self.name = name or f"PickLLM Q (alpha={self.params.alpha:g})"

    def reset(self, zoo: ZooInfo, rng: np.random.Generator) -> None:
        super().reset(zoo, rng)
        self.cost_ref = float(np.max(zoo.list_cost)) if zoo.list_cost is not None else None
        self.Q = np.full(zoo.n_models, float(self.params.q0))
        self.norm.reset(())
        self.t = 0
        self.eps = epsilon_schedule(0, self.params)
        self.locked = False
        self.t_star: int | None = None
        self.i_star: int | None = None
        self.prev_greedy = -1
        self.streak = 0
        self.last_R = np.nan

    def choose(self, request: Request) -> int:
        u3 = self.rng.random(3)
        if self.locked:
            return int(self.i_star)
        return egreedy_choice(self.Q, u3, self.eps)

    def observe(self, request: Request, feedback: Feedback) -> None:
        self.t += 1
        self.eps = epsilon_schedule(self.t, self.params)
        if not feedback.labelled:
            return  # sparse feedback: no accuracy, nothing to learn (never a NaN reward)
        k = feedback.query.index(feedback.serve)
        R = reward(feedback.quality[k], feedback.cost[k], feedback.latency[k], self.reward_cfg,
                   cost_ref=self.cost_ref, warn=False)
        self.last_R = float(R)
        if self.locked:
            return
        self.Q = q_update(self.Q, feedback.serve, float(self.norm(R)), self.params.alpha, self.params.gamma)
        g = int(np.argmax(self.Q))
        self.streak = self.streak + 1 if g == self.prev_greedy else 1
        self.prev_greedy = g
        if self.eps <= self.params.eps_lock and self.streak >= self.params.lock_k:
            self.locked, self.t_star, self.i_star = True, self.t, g

    def state(self) -> dict[str, float]:
        out = {f"Q_{m}": float(q) for m, q in zip(self.models, self.Q)}
        out.update(R=self.last_R, eps=float(self.eps), locked=float(self.locked),
                   t_star=float(self.t_star) if self.t_star is not None else np.nan,
                   i_star=float(self.i_star) if self.i_star is not None else np.nan)
        return out
