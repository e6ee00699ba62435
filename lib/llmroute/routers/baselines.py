"""Baseline routers: each single model, uniform random, two oracles, and "educated guessing".

* :class:`SingleModel` always serves one model.
* :class:`UniformRandom` serves a uniformly drawn model.
* :class:`CostObliviousOracle` serves a model of highest quality for the request, whatever it costs
  (ties go to the most expensive, i.e. most capable, model).
* :class:`CheapestCorrectOracle` serves the cheapest model of highest quality for the request (for 0/1
  correctness: the cheapest correct model, or the cheapest model when none is correct).
* :class:`EducatedGuessing` ("random with constraint", MESS+ spec §3.6): from known mean accuracies ``a``
  it fits a mixture ``p`` with ``p·a >= alpha`` by the authors' multiplicative iteration and serves
  i.i.d. draws from ``p``.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_prob, check_vector
from ..data.schema import Outcomes
from .base import Request, RequestBatch, Router, ZooInfo


class SingleModel(Router):
    """Always serve ``model`` (a name or column index)."""

    learns = False

    def __init__(self, model: str | int) -> None:
        self.model = model
        self.name = f"only {model}" if isinstance(model, str) else f"only #{model}"

    def reset(self, zoo: ZooInfo, rng: np.random.Generator) -> None:
        super().reset(zoo, rng)
        if isinstance(self.model, str):
            if self.model not in zoo.models:
                raise KeyError(f"unknown model {self.model!r}; known models: {', '.join(zoo.models)}")
            self.k = zoo.models.index(self.model)
        else:
            if not 0 <= int(self.model) < zoo.n_models:
                raise KeyError(f"model index {self.model} out of range 0..{zoo.n_models - 1}")
            self.k = int(self.model)

    def choose(self, request: Request) -> int:
        return self.k

    def choose_batch(self, batch: RequestBatch) -> np.ndarray:
        return np.full(batch.rows.shape[0], self.k, dtype=np.int64)


class UniformRandom(Router):
    """Serve a model drawn uniformly at random."""

    name = "random"
    learns = False

    def choose(self, request: Request) -> int:
        return int(self.rng.integers(self.n_models))

    def choose_batch(self, batch: RequestBatch) -> np.ndarray:
        return self.rng.integers(self.n_models, size=batch.rows.shape[0])


class _Oracle(Router):
    learns = False

    def __init__(self, outcomes: Outcomes) -> None:
        self.outcomes = outcomes
        self.choice = self._table(outcomes.quality)

    def reset(self, zoo: ZooInfo, rng: np.random.Generator) -> None:
        super().reset(zoo, rng)
        if zoo.models != self.outcomes.models:
            raise ValueError(f"{self.name} was built for models {self.outcomes.models}, not {zoo.models}")

    def _table(self, quality: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def choose(self, request: Request) -> int:
        return int(self.choice[request.row])

    def choose_batch(self, batch: RequestBatch) -> np.ndarray:
        return self.choice[batch.rows]


class CostObliviousOracle(_Oracle):
    """Serve a best-quality model; ties go to the most expensive (last) column."""

    name = "oracle (cost-oblivious)"

    def _table(self, quality: np.ndarray) -> np.ndarray:
        m = quality.shape[1]
        return (m - 1 - np.argmax(quality[:, ::-1], axis=1)).astype(np.int64)


class CheapestCorrectOracle(_Oracle):
    """Serve the cheapest best-quality model (cheapest correct one for 0/1 quality)."""

    name = "oracle (cheapest correct)"

    def _table(self, quality: np.ndarray) -> np.ndarray:
        return np.argmax(quality, axis=1).astype(np.int64)


def educated_guessing_mixture(accuracy: np.ndarray, alpha: float, *, max_iter: int = 5000) -> np.ndarray:
    """The mixture of MESS+ spec §3.6: start uniform; while ``p·a < alpha - 1e-6`` multiply ``p_m`` by 1.01
    if ``a_m > p·a`` else by 0.99, renormalise (at most ``max_iter`` times). If the target is still out of
    reach, fall back to putting all mass on the most accurate model (the authors' heuristic fallback is not
    recorded; this is the most defensible one and is documented as ours)."""
    a = np.asarray(check_vector("accuracy", accuracy, 0.0, 1.0), dtype=float)
    check_prob("alpha", alpha)
    p = np.full(a.size, 1.0 / a.size)
    for _ in range(max_iter):
        mean = float(p @ a)
        if mean >= alpha - 1e-6:
            return p
        p = p * np.where(a > mean, 1.01, 0.99)
        p /= p.sum()
    if float(p @ a) >= alpha - 1e-6:
        return p
    out = np.zeros_like(p)
    out[int(np.argmax(a))] = 1.0
    return out


class EducatedGuessing(Router):
    """"Random with constraint": i.i.d. draws from the mixture meeting ``alpha`` on known mean accuracies."""

    name = "educated guessing"
    learns = False

    def __init__(self, accuracy: np.ndarray, alpha: float) -> None:
        self.alpha = check_prob("alpha", alpha)
        self.p = educated_guessing_mixture(np.asarray(accuracy, dtype=float), alpha)

    def reset(self, zoo: ZooInfo, rng: np.random.Generator) -> None:
        super().reset(zoo, rng)
        if self.p.size != zoo.n_models:
            raise ValueError(f"educated guessing fitted on {self.p.size} models, zoo has {zoo.n_models}")
        self._cdf = np.cumsum(self.p)
        self._cdf[-1] = 1.0

    def choose(self, request: Request) -> int:
        return int(np.searchsorted(self._cdf, self.rng.random(), side="right"))

    def choose_batch(self, batch: RequestBatch) -> np.ndarray:
        return np.searchsorted(self._cdf, self.rng.random(batch.rows.shape[0]), side="right").astype(np.int64)
