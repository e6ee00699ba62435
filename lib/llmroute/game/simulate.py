"""Monte-Carlo simulation of the interaction chain (spec §2.3), vectorised over episodes.

Every episode starts on model ``start``; each visit to ``Mk`` is one pass (cost ``c_k`` to the provider,
latency ``t_k`` to the user). The pass succeeds with ``p_k``; after a failure the user abandons with ``q``
(the provider pays ``P``); otherwise the re-prompt escalates to ``M(k+1)`` with ``s_k`` (a fresh coin at
every re-prompt), else stays on ``Mk``. Episodes still running after ``max_steps`` passes raise an error.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_int, check_prob, fail
from .closed_forms import Game
from .params import Policy, as_arrays


@dataclass(frozen=True)
class MCResult:
    """Sample means and standard errors of ``S, L, C, U, J`` over ``n`` episodes."""

    n: int
    mean: dict[str, float]
    se: dict[str, float]

    def z(self, exact: dict[str, float]) -> dict[str, float]:
        """``(mean - exact) / se`` for each quantity present in ``exact``."""
        return {k: (self.mean[k] - float(v)) / max(self.se[k], 1e-300) for k, v in exact.items()}


def simulate_chain(p: np.ndarray, t: np.ndarray, c: np.ndarray, V: float, P: float, s: np.ndarray, q: float,
                   start: int, n: int, rng: np.random.Generator, max_steps: int = 100_000) -> MCResult:
    """Simulate ``n`` episodes of a K-model escalation chain (``start`` 0-based; ``s`` of length K, last
    entry ignored)."""
    check_int("n", n, 2)
    q = check_prob("q", q)
    p, t, c = (np.asarray(v, float) for v in (p, t, c))
    s = np.asarray(s, float).copy()
    K = p.size
    s[-1] = 0.0
    state = np.full(n, start, dtype=np.int64)
    alive = np.ones(n, bool)
    solved = np.zeros(n, bool)
    lat = np.zeros(n)
    cost = np.zeros(n)
    for _ in range(max_steps):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        k = state[idx]
        lat[idx] += t[k]
        cost[idx] += c[k]
        u = rng.random((3, idx.size))
        win = u[0] < p[k]
        quit_ = ~win & (u[1] < q)
        esc = ~win & ~quit_ & (u[2] < s[k])
        solved[idx[win]] = True
        alive[idx[win | quit_]] = False
        state[idx[esc]] = np.minimum(k[esc] + 1, K - 1)
    else:
        fail("max_steps", max_steps, "large enough for every episode to end (raise it or q)")
    S = solved.astype(float)
    U = V * S - lat
    J = cost + P * (1.0 - S)
    vals = {"S": S, "L": lat, "C": cost, "U": U, "J": J}
    return MCResult(n=n, mean={k: float(v.mean()) for k, v in vals.items()},
                    se={k: float(v.std(ddof=1) / np.sqrt(n)) for k, v in vals.items()})


def simulate(g: Game, policy: Policy, q: float, n: int, rng: np.random.Generator) -> MCResult:
    """Simulate the two-model game under ``policy`` and abandonment probability ``q`` (``g`` a single game)."""
    a = as_arrays(g)
    if a.shape != ():
        fail("g", a.shape, "a single game (shape ())")
    return simulate_chain(np.array([a.p1, a.p2]), np.array([a.t1, a.t2]), np.array([a.c1, a.c2]), float(a.V),
                          float(a.P), np.array([policy.s, 0.0]), q, policy.initial - 1, n, rng)
