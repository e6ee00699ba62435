"""The one router interface every router implements, so any router runs in any experiment.

A router sees a stream of :class:`Request`s. For each it returns the model to serve — its column of the zoo
(an ``int``, cheapest first) or its **name** (a ``str``) — or a :class:`Decision` naming every model it queries
(MESS+ exploration queries all and serves the largest; names or columns). Names are turned into columns by the
base class (every subclass's ``choose`` and ``choose_batch`` are wrapped by :meth:`Router.resolve`), so the replay
engine, the arena and any other engine see columns only. After the replay engine charged the queried models it calls :meth:`Router.observe` with
their :class:`Feedback`. A custom router is a few lines::

    class ShortToSmall(Router):
        name = "short-to-small"
        learns = False
        def choose(self, request):
            return "small" if len(request.text or "") < 300 else "large"

Routers that do not learn may also implement :meth:`Router.choose_batch`, which the engine then uses to route
a whole stream at once (vectorised fast path).
"""
from __future__ import annotations

import functools
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


def _model_key(k: int | str) -> int | str:
    """A model reference as given: a name (str) stays a name, anything else becomes an int column."""
    return k if isinstance(k, str) else int(k)


@dataclass(frozen=True)
class Decision:
    """Serve ``serve``'s answer; charge every model in ``query`` (which includes ``serve``). Models are columns
    (int) or names (str); :meth:`Router.resolve` turns names into columns."""

    serve: int | str
    query: tuple[int | str, ...] = field(default=())

    def __post_init__(self) -> None:
        serve = _model_key(self.serve)
        q = tuple(_model_key(k) for k in self.query) or (serve,)
        if serve not in q:
            q = q + (serve,)
        object.__setattr__(self, "serve", serve)
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


def _resolving_choose(fn):
    @functools.wraps(fn)
    def choose(self, request):
        return self.resolve(fn(self, request))
    choose._resolves = True
    return choose


def _resolving_batch(fn):
    @functools.wraps(fn)
    def choose_batch(self, batch):
        return self.resolve_batch(fn(self, batch))
    choose_batch._resolves = True
    return choose_batch


class Router:
    """Base class: override :meth:`choose`; override :meth:`observe` to learn; :meth:`state` to log.

    ``choose`` may return a column (int), a model name (str) or a :class:`Decision` of either; the base class
    wraps every subclass's ``choose``/``choose_batch`` so callers always get columns (:meth:`resolve`).
    """

    name: str = "router"
    learns: bool = True

    def __init_subclass__(cls, **kw) -> None:
        super().__init_subclass__(**kw)
        for attr, wrap in (("choose", _resolving_choose), ("choose_batch", _resolving_batch)):
            fn = cls.__dict__.get(attr)
            if fn is not None and callable(fn) and not getattr(fn, "_resolves", False):
                setattr(cls, attr, wrap(fn))

    def _column(self, model: int | str) -> int:
        if isinstance(model, str):
            try:
                return self.models.index(model)
            except ValueError:
                raise KeyError(f"{self.name} chose model {model!r}, which is not in the zoo; known models: "
                               f"{', '.join(self.models)}") from None
            except AttributeError:
                raise RuntimeError(f"{self.name} returned a model name before reset(zoo, rng) was called") from None
        return int(model)

    def resolve(self, choice: "int | str | Decision") -> "int | Decision":
        """A choice with model names replaced by their columns (ints and int Decisions pass unchanged)."""
        if isinstance(choice, (int, np.integer)) and not isinstance(choice, bool):
            return int(choice)
        if isinstance(choice, str):
            return self._column(choice)
        if isinstance(choice, Decision):
            if isinstance(choice.serve, int) and all(isinstance(k, int) for k in choice.query):
                return choice
            return Decision(serve=self._column(choice.serve), query=tuple(self._column(k) for k in choice.query))
        raise TypeError(f"{self.name}.choose returned {choice!r} ({type(choice).__name__}); expected a model "
                        f"column (int), a model name (str) or a Decision")

    def resolve_batch(self, served: "np.ndarray | None") -> "np.ndarray | None":
        """A batch of choices (columns or names) as an int64 array of columns (None passes unchanged)."""
        if served is None:
            return None
        arr = np.asarray(served)
        if arr.dtype.kind in "iu":
            return arr.astype(np.int64, copy=False)
        if arr.dtype.kind in "UO":
            lookup = {m: k for k, m in enumerate(self.models)}
            out = np.empty(arr.shape, dtype=np.int64)
            for i, v in enumerate(arr):
                out[i] = lookup[v] if isinstance(v, str) and v in lookup else self._column(v)
            return out
        return arr.astype(np.int64)

    def bind(self, outcomes) -> None:
        """Prepare for replaying ``outcomes`` (an :class:`~llmroute.data.schema.Outcomes`); called by the engine
        before :meth:`reset`. Default: nothing. A router holding per-request tables (a predictor, features
        indexed by row) binds them to the replayed table here, so that ``Request.row`` addresses the right
        request (e.g. MESS+ re-keys its predictor by request id)."""

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
