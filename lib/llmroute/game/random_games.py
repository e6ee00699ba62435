"""Random games satisfying the standing assumptions (for tests, Monte-Carlo checks and notebooks)."""
from __future__ import annotations

import numpy as np

from .params import GameArrays


def random_games(rng: np.random.Generator, n: int, *, V_max: float = 10.0, P_max: float = 10.0) -> GameArrays:
    """``n`` games with ``0 < p1 < p2 < 1``, ``t1 < t2``, ``c1 < c2`` drawn uniformly (spec §2.1), all four
    xi-sign regimes represented."""
    p = np.sort(rng.uniform(0.05, 0.95, (n, 2)), axis=1)
    t = np.sort(rng.uniform(0.1, 5.0, (n, 2)), axis=1)
    c = np.sort(rng.uniform(0.1, 5.0, (n, 2)), axis=1)
    V = rng.uniform(0.1, V_max, n)
    P = rng.uniform(0.0, P_max, n)
    return GameArrays(V=V, P=P, c1=c[:, 0], c2=c[:, 1], t1=t[:, 0], t2=t[:, 1], p1=p[:, 0], p2=p[:, 1])
