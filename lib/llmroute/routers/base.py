"""The one router interface every router implements, so any router runs in any experiment.

A router sees a stream of :class:`Request`s. For each it returns the model to serve (an ``int`` column of the
zoo, cheapest first) or a :class:`Decision` naming every model it queries (MESS+ exploration queries all and
serves the largest). After the replay engine charged the queried models it calls :meth:`Router.observe` with
their :class:`Feedback`. A custom router is a few lines::

    class ShortToSmall(Router):
        name = "short-to-small"
        learns = False
        def choose(self, request):
            return 0 if len(request.text or "") < 300 else self.n_models - 1

Routers that do not learn may also implement :meth:`Router.choose_batch`, which the engine then uses to route
a whole stream at once (vectorised fast path).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class ZooInfo:
    """What a router knows before the stream: the models (cheapest first), the cost unit, list costs."""

    models: tuple[str, ...]
    cost_unit: str
    list_cost: np.ndarray  # known per-model mean cost per request (a price list), in cost_unit

    @property
    def n_models(self) -> int:
        return len(self.models)


@dataclass(frozen=True)
class Request:
    """One request as a router sees it. ``attempt`` > 0 marks a re-prompt of the same task (arena)."""

    t: int                         # position in the stream (0-based)
    row: int                       # row of the outcome table (oracles look outcomes up by it)
    domain: str
    features: np.ndarray | None = None
    text: str | None = None
    attempt: int = 0
    tried: tuple[int, ...] = ()    # models already tried on this task (re-prompts)


@dataclass(frozen=True)
class RequestBatch:
    """A whole stream at once, for the vectorised path of non-learning routers."""

    rows: np.ndarray
    domain: np.ndarray
    features: np.ndarray | None = None
    text: np.ndarray | None = None


@dataclass(frozen=True)
class Decision:
    """Serve ``serve``'s answer; charge every model in ``query`` (which includes ``serve``)."""

    serve: int
    query: tuple[int, ...] = field(default=())

    def __post_init__(self) -> None:
        q = tuple(int(k) for k in self.query) or (int(self.serve),)
        if int(self.serve) not in q:
            q = q + (int(self.serve),)
        object.__setattr__(self, "serve", int(self.serve))
        object.__setattr__(self, "query", q)


@dataclass(frozen=True)
class Feedback:
    """Outcomes of the queried models. ``labelled`` is False under sparse feedback: quality is then NaN."""

    query: tuple[int, ...]
    quality: np.ndarray
    cost: np.ndarray
    latency: np.ndarray
    serve: int
    labelled: bool = True

    @property
    def served_quality(self) -> float:
        return float(self.quality[self.query.index(self.serve)])


class Router:
    """Base class: override :meth:`choose`; override :meth:`observe` to learn; :meth:`state` to log."""

    name: str = "router"
    learns: bool = True

    def reset(self, zoo: ZooInfo, rng: np.random.Generator) -> None:
        """Start a new stream (called by the engine before the first request)."""
        self.zoo = zoo
        self.models = zoo.models
        self.n_models = zoo.n_models
        self.rng = rng

    def choose(self, request: Request) -> int | Decision:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} must implement choose(request)")

    def observe(self, request: Request, feedback: Feedback) -> None:
        """Learn from the outcome of the queried models (default: nothing)."""

    def state(self) -> dict[str, float]:
        """Scalars to log after each step (e.g. MESS+'s queue length); default none."""
        return {}

    def choose_batch(self, batch: RequestBatch) -> np.ndarray | None:
        """Served model for every request of ``batch`` (non-learning routers only), or None."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"
