"""The one outcome schema: a table of requests x models.

An :class:`Outcomes` holds, for ``n`` requests and ``m`` models (columns in **ascending mean-cost order**, which the
constructor enforces; :meth:`Outcomes.from_frame` and :func:`llmroute.data.read` sort them for you):

================  ==========  =====================================================================
field             shape       meaning
================  ==========  =====================================================================
``models``        (m,)        model names, cheapest first
``quality``       (n, m)      per (request, model) quality: 0/1 correctness or a score in [0, 1]
``cost``          (n, m)      per (request, model) cost in ``cost_unit`` ("J", "USD", ...), >= 0
``latency``       (n, m)      seconds; NaN where unknown (``None`` when the source has none)
``tokens``        (n, m)      tokens used where known (NaN otherwise), or ``None``
``request_id``    (n,)        request identifier (string)
``domain``        (n,)        benchmark / domain of each request (string)
``text``          (n,)        prompt text where available, or ``None``
``features``      (n, d)      numeric request features (the synthetic zoo's), or ``None``
================  ==========  =====================================================================

Everything is numpy/pandas; nothing is pickled. Construction validates every field and a bad value raises
:class:`DataError` naming the dataset, the column (model) and the first bad row.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd


class DataError(ValueError):
    """A malformed outcome table: names the dataset/file, the column and the first bad row."""


def _first_bad(mask: np.ndarray) -> tuple[int, int]:
    r, c = np.argwhere(mask)[0]
    return int(r), int(c)


def _rid(request_id, r: int) -> str:
    """The id of row ``r`` for an error message (the row number when ids are not usable yet)."""
    try:
        return repr(str(np.asarray(request_id)[r]))
    except (IndexError, TypeError):
        return f"#{r}"


#: ``meta`` key of a table whose model order is that of the table it was cut from (a subset of requests, or a
#: synthetic sample of a real zoo), where its own mean costs need not be ascending.
ORDER_FROM = "model_order_from"


def _order_violation(cost: np.ndarray) -> int | None:
    """First column ``k`` whose successor has a lower mean cost (ties up to a relative 1e-9 allowed), or None."""
    mean = cost.mean(axis=0)
    for k in range(mean.size - 1):
        if mean[k + 1] < mean[k] and not np.isclose(mean[k + 1], mean[k], rtol=1e-9, atol=0.0):
            return k
    return None


def _check_cost_order(name: str, models: tuple[str, ...], cost: np.ndarray, meta: dict) -> None:
    """Models must be cheapest first: mean cost per request non-decreasing along the columns (ties, up to a
    relative 1e-9, allowed). Routers rely on it (MESS+ explores by serving the last column, synthetic latency
    makes the last column the slowest), so a table in any other order is refused. A table cut from another one
    (``meta[ORDER_FROM]`` names it) keeps that table's order."""
    if ORDER_FROM in meta:
        return
    k = _order_violation(cost)
    if k is not None:
        mean = cost.mean(axis=0)
        raise DataError(
            f"{name}: models must be in ascending mean-cost order (cheapest first), but {models[k + 1]!r} "
            f"(mean cost {mean[k + 1]:.6g}) comes after {models[k]!r} (mean cost {mean[k]:.6g}); "
            f"order given: {', '.join(models)}. Build the table with Outcomes.from_frame(...) or "
            f"llmroute.data.read(path), which put the models in cost order, or reorder the columns")


@dataclass(frozen=True, eq=False)
class Outcomes:
    """Per-request outcomes of a model zoo (see the module docstring for the schema)."""

    name: str
    models: tuple[str, ...]
    quality: np.ndarray
    cost: np.ndarray
    cost_unit: str
    request_id: np.ndarray
    domain: np.ndarray
    latency: np.ndarray | None = None
    tokens: np.ndarray | None = None
    text: np.ndarray | None = None
    features: np.ndarray | None = None
    source: str = ""
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        name = self.name
        models = tuple(str(m) for m in self.models)
        object.__setattr__(self, "models", models)
        m = len(models)
        if m == 0:
            raise DataError(f"{name}: no models")
        if len(set(models)) != m:
            raise DataError(f"{name}: duplicate model names in {models}")
        q = np.asarray(self.quality, dtype=float)
        c = np.asarray(self.cost, dtype=float)
        if q.ndim != 2 or q.shape[1] != m:
            raise DataError(f"{name}: quality must have shape (n_requests, {m}), got {q.shape}")
        n = q.shape[0]
        if n == 0:
            raise DataError(f"{name}: empty dataset (0 requests)")
        if c.shape != q.shape:
            raise DataError(f"{name}: cost shape {c.shape} differs from quality shape {q.shape}")
        for label, arr, lo, hi in (("quality", q, 0.0, 1.0), ("cost", c, 0.0, np.inf)):
            bad = ~np.isfinite(arr) if hi == np.inf else ~np.isfinite(arr)
            if bad.any():
                r, k = _first_bad(bad)
                raise DataError(f"{name}: {label} of model {models[k]!r} is {arr[r, k]} at row {r} "
                                f"(request {_rid(self.request_id, r)}); NaN/inf not allowed")
            bad = (arr < lo) | (arr > hi)
            if bad.any():
                r, k = _first_bad(bad)
                rng_txt = "[0, 1]" if label == "quality" else ">= 0"
                raise DataError(f"{name}: {label} of model {models[k]!r} is {arr[r, k]:g} at row {r} "
                                f"(request {_rid(self.request_id, r)}); must be {rng_txt}")
        for label in ("latency", "tokens"):
            arr = getattr(self, label)
            if arr is None:
                continue
            arr = np.asarray(arr, dtype=float)
            if arr.shape != q.shape:
                raise DataError(f"{name}: {label} shape {arr.shape} differs from quality shape {q.shape}")
            bad = np.isfinite(arr) & (arr < 0)
            if bad.any():
                r, k = _first_bad(bad)
                raise DataError(f"{name}: {label} of model {models[k]!r} is {arr[r, k]:g} at row {r}; must be >= 0")
            object.__setattr__(self, label, arr)
        rid = np.asarray(self.request_id).astype(str)
        dom = np.asarray(self.domain).astype(str)
        for label, arr in (("request_id", rid), ("domain", dom)):
            if arr.shape != (n,):
                raise DataError(f"{name}: {label} must be a 1-d array of {n} entries (one per request, as many as "
                                f"the rows of quality), got shape {arr.shape}")
        if self.text is not None:
            txt = np.asarray(self.text, dtype=object)
            if txt.shape != (n,):
                raise DataError(f"{name}: text must be a 1-d array of {n} entries (one per request), got shape "
                                f"{txt.shape}")
            object.__setattr__(self, "text", txt)
        if self.features is not None:
            f = np.asarray(self.features, dtype=float)
            if f.ndim != 2 or f.shape[0] != n:
                raise DataError(f"{name}: features must have shape ({n}, d), got {f.shape}")
            object.__setattr__(self, "features", f)
        _check_cost_order(name, models, c, self.meta)
        object.__setattr__(self, "quality", q)
        object.__setattr__(self, "cost", c)
        object.__setattr__(self, "request_id", rid)
        object.__setattr__(self, "domain", dom)

    # ---- construction from a table ------------------------------------------------------------------
    @classmethod
    def from_frame(cls, df: pd.DataFrame, *, name: str = "frame", cost_unit: str = "USD", layout: str = "auto",
                   missing: str = "error", source: str = "") -> "Outcomes":
        """From a long (one row per request and model) or wide (columns ``(field, model)``) pandas table, with
        the models put cheapest first; see :func:`llmroute.data.tables.from_frame` for the columns."""
        from .tables import from_frame

        return from_frame(df, name=name, cost_unit=cost_unit, layout=layout, missing=missing, source=source)

    # ---- shape -------------------------------------------------------------------------------------
    @property
    def n_requests(self) -> int:
        return int(self.quality.shape[0])

    @property
    def n_models(self) -> int:
        return len(self.models)

    def __len__(self) -> int:
        return self.n_requests

    @property
    def domains(self) -> tuple[str, ...]:
        """The distinct domains in order of first appearance."""
        _, idx = np.unique(self.domain, return_index=True)
        return tuple(self.domain[np.sort(idx)])

    def model_index(self, model: str | int) -> int:
        """Column of ``model`` (a name or an index); an unknown one raises naming the known models."""
        if isinstance(model, (int, np.integer)):
            if not 0 <= int(model) < self.n_models:
                raise KeyError(f"{self.name}: model index {model} out of range 0..{self.n_models - 1}")
            return int(model)
        try:
            return self.models.index(model)
        except ValueError:
            raise KeyError(f"{self.name}: unknown model {model!r}; known models: {', '.join(self.models)}") from None

    # ---- summaries ---------------------------------------------------------------------------------
    def mean_quality(self) -> np.ndarray:
        return self.quality.mean(axis=0)

    def mean_cost(self) -> np.ndarray:
        return self.cost.mean(axis=0)

    def mean_latency(self) -> np.ndarray:
        if self.latency is None:
            return np.full(self.n_models, np.nan)
        with np.errstate(all="ignore"):
            return np.nanmean(self.latency, axis=0) if np.isfinite(self.latency).any() else np.full(self.n_models, np.nan)

    def summary(self) -> pd.DataFrame:
        """Per-model accuracy, mean cost and mean latency."""
        return pd.DataFrame({"model": self.models, "quality": self.mean_quality(),
                             f"cost_{self.cost_unit}": self.mean_cost(), "latency_s": self.mean_latency()})

    # ---- slicing -----------------------------------------------------------------------------------
    def take(self, rows: np.ndarray | Sequence[int], name: str | None = None) -> "Outcomes":
        """The sub-table of the given rows (indices or a boolean mask)."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)

        def sub(a):
            return None if a is None else a[rows]

        meta = self.meta
        if ORDER_FROM not in meta and rows.size and _order_violation(self.cost[rows]) is not None:
            meta = {**meta, ORDER_FROM: f"{self.name} (a subset of its requests keeps its model order)"}
        return replace(self, name=name or self.name, quality=self.quality[rows], cost=self.cost[rows],
                       request_id=self.request_id[rows], domain=self.domain[rows], latency=sub(self.latency),
                       tokens=sub(self.tokens), text=sub(self.text), features=sub(self.features), meta=meta)

    def by_domain(self, domain: str) -> "Outcomes":
        """The requests of one domain; an unknown domain raises naming the known ones."""
        mask = self.domain == domain
        if not mask.any():
            raise KeyError(f"{self.name}: unknown domain {domain!r}; known: {', '.join(self.domains)}")
        return self.take(mask, name=f"{self.name}/{domain}")

    def select_models(self, models: Sequence[str | int]) -> "Outcomes":
        """Keep only the given models (names or indices), kept cheapest first (their order in this table,
        which is ascending mean cost), whatever the order given."""
        cols = sorted({self.model_index(m) for m in models})
        if len(cols) != len(models):
            raise DataError(f"{self.name}: select_models got a model twice: {list(models)}")

        def sub(a):
            return None if a is None else a[:, cols]

        return replace(self, models=tuple(self.models[k] for k in cols), quality=self.quality[:, cols],
                       cost=self.cost[:, cols], latency=sub(self.latency), tokens=sub(self.tokens))

    def to_frame(self) -> pd.DataFrame:
        """Long format: one row per (request, model)."""
        n, m = self.quality.shape
        df = pd.DataFrame({
            "request_id": np.repeat(self.request_id, m), "domain": np.repeat(self.domain, m),
            "model": np.tile(np.asarray(self.models, dtype=object), n),
            "quality": self.quality.ravel(), "cost": self.cost.ravel(),
            "latency_s": (self.latency.ravel() if self.latency is not None else np.nan),
        })
        return df


def concat(parts: Sequence[Outcomes], name: str) -> Outcomes:
    """Stack outcome tables with the same models (e.g. benchmarks chained into one non-stationary stream)."""
    if not parts:
        raise DataError(f"{name}: nothing to concatenate")
    models = parts[0].models
    for p in parts[1:]:
        if p.models != models:
            raise DataError(f"{name}: cannot concatenate {p.name} (models {p.models}) with models {models}")
        if p.cost_unit != parts[0].cost_unit:
            raise DataError(f"{name}: cost units differ ({p.cost_unit} vs {parts[0].cost_unit})")

    def cat(attr):
        vals = [getattr(p, attr) for p in parts]
        return None if any(v is None for v in vals) else np.concatenate(vals)

    meta: dict = {}
    inherited = [p.meta[ORDER_FROM] for p in parts if ORDER_FROM in p.meta]
    if inherited or _order_violation(cat("cost")) is not None:
        meta[ORDER_FROM] = inherited[0] if inherited else f"{parts[0].name} (the parts' model order)"
    return Outcomes(name=name, models=models, quality=cat("quality"), cost=cat("cost"),
                    cost_unit=parts[0].cost_unit, request_id=cat("request_id"), domain=cat("domain"),
                    latency=cat("latency"), tokens=cat("tokens"), text=cat("text"), features=cat("features"),
                    source="; ".join(sorted({p.source for p in parts})), meta=meta)
