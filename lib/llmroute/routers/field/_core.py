"""Shared machinery of the field's trained routers: features per fold, held-out scores, knob sweeps, the router.

A field router is a *method* (a module with a settings dataclass, ``fit_predict`` and ``decide``):

* ``fit_predict(x_tr, q_tr, c_tr, x_te, settings, rng) -> dict`` — fit on the training rows' features
  ``x_tr``, qualities ``q_tr`` (n_tr, M) and costs ``c_tr`` (n_tr, M); return per-test-row scores (arrays whose
  first axis is the test rows);
* ``decide(scores, knob, settings) -> (serve, query_mask, scorer_calls)`` — vectorised decisions for a knob value
  (``query_mask`` bit k set when model k is queried and charged; ``scorer_calls`` the number of scorer runs);
* ``knob_grid(settings)`` — the knob values swept into a frontier; ``KNOB`` the knob's name.

:func:`heldout_scores` runs ``fit_predict`` fold by fold of a :class:`~.splits.HeldOutPlan`: the featurizer
(:func:`llmroute.data.features.default_featurizer`, the repository's one featurizer) and the model are both fitted
on the fold's training rows only; every scored row gets a prediction from a model that never saw it. Per-fold
quantities the decisions need (the training rows' mean cost per model, the most accurate model) are stored per
row, so folds can be concatenated.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from ...data.schema import Outcomes
from ..base import Decision, Request, RequestBatch, Router
from .splits import HeldOutPlan, heldout_plan


def needs_features(outcomes: Outcomes) -> str | None:
    """None when the table has features or at least two distinct prompt texts, else why a field router does not
    apply (it steps aside)."""
    if outcomes.features is not None:
        return None
    if outcomes.text is not None and len({str(t) for t in outcomes.text}) > 1:
        return None
    return ("needs per-request text or features to predict from (the table has neither); the field's trained "
            "routers step aside here")


def is_binary(q: np.ndarray) -> bool:
    """True when every quality is 0 or 1 (correctness labels)."""
    return bool(np.isin(np.asarray(q), (0.0, 1.0)).all())


def _shared_hashing(cache: dict):
    """The repository's text featurizer (:class:`llmroute.data.features.TextHashingFeatures`, default settings)
    with its hashing step memoised in ``cache`` (text -> hashed row): the hashed counts of a prompt do not depend
    on the training rows, so folds and seeds can share them; the TF-IDF and SVD are still fitted per fold. The
    output is identical to the plain featurizer's."""
    from scipy import sparse

    from ...data.features import TextHashingFeatures

    class SharedHashing(TextHashingFeatures):
        def _hash(self, texts: list[str]):
            index = cache.setdefault("index", {})
            missing = list(dict.fromkeys(t for t in texts if t not in index))
            if missing:
                H = super()._hash(missing)
                base = cache["H"].shape[0] if "H" in cache else 0
                cache["H"] = H.tocsr() if "H" not in cache else sparse.vstack([cache["H"], H]).tocsr()
                for i, t in enumerate(missing):
                    index[t] = base + i
            return cache["H"][np.fromiter((index[t] for t in texts), dtype=np.int64, count=len(texts))]

    return SharedHashing()


def fold_features(outcomes: Outcomes, train: np.ndarray, test: np.ndarray, hash_cache: dict | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Features of the training and test rows from the repository's featurizer
    (:func:`llmroute.data.features.default_featurizer`) fitted on ``train`` only, z-scored with the training
    rows' mean and standard deviation. ``hash_cache``: share the text hashing across calls (:func:`_shared_hashing`)."""
    from ...data.features import default_featurizer

    if outcomes.features is None and outcomes.text is not None and hash_cache is not None:
        f = _shared_hashing(hash_cache)
    else:
        f = default_featurizer(outcomes)
    f.fit(outcomes, train)
    x_tr, x_te = f.transform(outcomes, train), f.transform(outcomes, test)
    mu, sd = x_tr.mean(axis=0), x_tr.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    return (x_tr - mu) / sd, (x_te - mu) / sd


def sk_seed(rng: np.random.Generator) -> int:
    """A scikit-learn ``random_state`` drawn from ``rng``."""
    return int(rng.integers(2 ** 31 - 1))


@dataclass(frozen=True)
class HeldOutScores:
    """Out-of-sample scores of one method on a table: ``scores[key]`` has one row per table row (NaN / -1 on rows
    that were never held out); ``plan`` says how they were obtained."""

    method: str
    settings: Any
    plan: HeldOutPlan
    scores: dict[str, np.ndarray]

    @property
    def rows(self) -> np.ndarray:
        return self.plan.eval_rows

    def at(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        return {k: v[rows] for k, v in self.scores.items()}


def heldout_scores(outcomes: Outcomes, method: ModuleType, settings: Any, plan: HeldOutPlan,
                   rng: np.random.Generator, *, features: dict | None = None,
                   hash_cache: dict | None = None) -> HeldOutScores:
    """Fit ``method`` fold by fold of ``plan`` and collect its scores on every fold's test rows.

    Besides the method's own scores, ``list_cost`` (the fold's training mean cost per model, the price list a
    router is told) and ``strong`` (the fold's most accurate model on its training rows, the most expensive on
    ties) are stored per row. ``features``: an optional cache ``{fold index: (x_tr, x_te)}`` filled on first use
    (several methods on the same plan share it); ``hash_cache``: see :func:`fold_features`."""
    why = needs_features(outcomes)
    if why:
        raise ValueError(f"{method.NAME} does not apply to {outcomes.name}: {why}")
    n, M = outcomes.quality.shape
    out: dict[str, np.ndarray] = {}
    for f, (tr, te) in enumerate(plan.folds):
        if features is not None and f in features:
            x_tr, x_te = features[f]
        else:
            x_tr, x_te = fold_features(outcomes, tr, te, hash_cache)
            if features is not None:
                features[f] = (x_tr, x_te)
        q_tr, c_tr = outcomes.quality[tr], outcomes.cost[tr]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sc = method.fit_predict(x_tr, q_tr, c_tr, x_te, settings, rng)
        acc = q_tr.mean(axis=0)
        sc["list_cost"] = np.broadcast_to(c_tr.mean(axis=0), (te.size, M))
        sc["strong"] = np.full(te.size, int(np.flatnonzero(acc == acc.max())[-1]), dtype=np.int64)
        for k, v in sc.items():
            v = np.asarray(v)
            if k not in out:
                fill = -1 if v.dtype.kind in "iu" else np.nan
                out[k] = np.full((n,) + v.shape[1:], fill, dtype=v.dtype if v.dtype.kind in "iu" else float)
            out[k][te] = v
    return HeldOutScores(method.NAME, settings, plan, out)


def cost_of(outcomes: Outcomes, rows: np.ndarray, qmask: np.ndarray) -> np.ndarray:
    """Per row, the summed cost of the queried models (bits of ``qmask``)."""
    M = outcomes.n_models
    bits = ((qmask[:, None] >> np.arange(M)[None, :]) & 1).astype(float)
    return (bits * outcomes.cost[rows]).sum(axis=1)


def evaluate_knob(outcomes: Outcomes, method: ModuleType, held: HeldOutScores, knob: float,
                  rows: np.ndarray | None = None) -> dict[str, Any]:
    """Mean quality and cost per request (models queried plus scorer runs) of ``method`` at ``knob`` on ``rows``
    (default every held-out row), with the served shares."""
    rows = held.rows if rows is None else np.asarray(rows)
    sc = held.at(rows)
    serve, qmask, calls = method.decide(sc, knob, held.settings)
    cost = cost_of(outcomes, rows, qmask) + calls * scorer_unit(sc, held.settings)
    q = outcomes.quality[rows, serve]
    shares = np.bincount(serve, minlength=outcomes.n_models) / rows.size
    return {"knob": float(knob), "mean_quality": float(q.mean()), "cost_per_request": float(cost.mean()),
            "strong_share": float((serve == sc["strong"]).mean()), "scorer_calls": float(calls.mean()),
            **{f"served_{m}": float(s) for m, s in zip(outcomes.models, shares)}}


def scorer_unit(scores: dict[str, np.ndarray], settings: Any) -> np.ndarray:
    """Cost of one scorer run per row: ``settings.scorer_cost_frac`` x the cheapest model's list cost (0 for
    methods without a scorer)."""
    frac = float(getattr(settings, "scorer_cost_frac", 0.0))
    return frac * scores["list_cost"][:, 0]


def sweep(outcomes: Outcomes, method: ModuleType, held: HeldOutScores, knobs=None) -> pd.DataFrame:
    """One row per knob value of ``method.knob_grid`` (or ``knobs``): quality, cost, shares on the held-out rows."""
    grid = method.knob_grid(held.settings) if knobs is None else knobs
    return pd.DataFrame([evaluate_knob(outcomes, method, held, k) for k in grid])


class FieldRouter(Router):
    """A trained router's decisions, fixed per table row from out-of-sample predictions.

    ``serve[r]`` (-1: row ``r`` was a training row, never predicted out of sample: routing it raises),
    ``query_mask[r]`` (the models queried and charged; a cascade queries its earlier stages too) and
    ``scorer_cost[r]`` (the cost of the scorer runs on row ``r``, which the replay engine and the arena do not
    charge: add it from :attr:`scorer_cost` when totalling a run, as :func:`extra_cost_of_passes` does)."""

    learns = False

    def __init__(self, name: str, serve: np.ndarray, query_mask: np.ndarray, scorer_cost: np.ndarray,
                 description: str = "", request_id: np.ndarray | None = None) -> None:
        self.name = name
        self.request_id = None if request_id is None else np.asarray(request_id).astype(str)
        self.serve = np.asarray(serve, dtype=np.int64)
        self.query_mask = np.asarray(query_mask, dtype=np.int64)
        self.scorer_cost = np.asarray(scorer_cost, dtype=float)
        self.description = description
        self._single = self.query_mask == np.left_shift(1, np.maximum(self.serve, 0))

    def bind(self, outcomes: Outcomes) -> None:
        """Re-key the per-row decisions to ``outcomes`` by request id (a sub-table or a shuffled copy of the table
        the router was built for); requests it has no decision for become unroutable (they raise)."""
        if self.request_id is None:
            if outcomes.n_requests != self.serve.size:
                raise ValueError(f"{self.name} was built for a table of {self.serve.size} requests, not "
                                 f"{outcomes.n_requests}; build it for this table")
            return
        ids = np.asarray(outcomes.request_id).astype(str)
        if ids.size == self.request_id.size and np.array_equal(ids, self.request_id):
            return
        pos = {r: i for i, r in enumerate(self.request_id)}
        src = np.fromiter((pos.get(r, -1) for r in ids), dtype=np.int64, count=ids.size)
        ok = src >= 0
        serve = np.full(ids.size, -1, dtype=np.int64)
        qmask = np.zeros(ids.size, dtype=np.int64)
        extra = np.zeros(ids.size)
        serve[ok], qmask[ok], extra[ok] = self.serve[src[ok]], self.query_mask[src[ok]], self.scorer_cost[src[ok]]
        self.serve, self.query_mask, self.scorer_cost, self.request_id = serve, qmask, extra, ids
        self._single = self.query_mask == np.left_shift(1, np.maximum(self.serve, 0))

    def _check(self, rows: np.ndarray) -> None:
        bad = rows[self.serve[rows] < 0]
        if bad.size:
            raise ValueError(f"{self.name}: row {int(bad[0])} has no out-of-sample prediction (it was a training "
                             f"row); route only the held-out rows ({self.description})")

    def choose(self, request: Request) -> int | Decision:
        r = int(request.row)
        self._check(np.array([r]))
        if self._single[r]:
            return int(self.serve[r])
        m = int(self.query_mask[r])
        return Decision(serve=int(self.serve[r]), query=tuple(k for k in range(self.n_models) if (m >> k) & 1))

    def choose_batch(self, batch: RequestBatch) -> np.ndarray | None:
        rows = np.asarray(batch.rows, dtype=np.int64)
        self._check(rows)
        if not self._single[rows].all():
            return None
        return self.serve[rows]


def build_router(outcomes: Outcomes, method: ModuleType, held: HeldOutScores, knob: float,
                 name: str | None = None) -> FieldRouter:
    """A :class:`FieldRouter` routing every held-out row of ``held`` at ``knob``."""
    n = outcomes.n_requests
    rows = held.rows
    sc = held.at(rows)
    serve, qmask, calls = method.decide(sc, knob, held.settings)
    S = np.full(n, -1, dtype=np.int64)
    Q = np.zeros(n, dtype=np.int64)
    E = np.zeros(n)
    S[rows], Q[rows] = serve, qmask
    E[rows] = calls * scorer_unit(sc, held.settings)
    return FieldRouter(name or method.LABEL, S, Q, E, f"{held.plan.describe()}; {method.KNOB} = {knob:g}",
                       request_id=outcomes.request_id)


def extra_cost_of_passes(router: Router, passes: pd.DataFrame) -> float:
    """Total scorer cost of a run's passes (a :class:`FieldRouter`'s ``scorer_cost`` per pass; 0 otherwise)."""
    ec = getattr(router, "scorer_cost", None)
    if ec is None:
        return 0.0
    return float(np.asarray(ec)[passes["row"].to_numpy()].sum())


def registry_router(outcomes: Outcomes | None, method: ModuleType, settings: Any, seed: int = 0,
                    n_folds: int = 5) -> FieldRouter:
    """The registry's build: ``n_folds``-fold per-domain cross-fitting over the whole table (so every row is routed
    by a model that never saw it), decisions at the settings' knob. Warns and raises ``ValueError`` (the router
    steps aside) on a table without text or features."""
    if outcomes is None:
        raise ValueError(f"router {method.NAME!r} is trained on the outcome table: pass outcomes=...")
    why = needs_features(outcomes)
    if why:
        warnings.warn(f"{method.NAME}: {outcomes.name} {why}", stacklevel=3)
        raise ValueError(f"router {method.NAME!r} does not apply to {outcomes.name}: {why}")
    plan = heldout_plan(outcomes.domain, seed, min_split_rows=outcomes.n_requests + 1,
                        n_folds=min(n_folds, outcomes.n_requests))
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0xF1E1D]))
    held = heldout_scores(outcomes, method, settings, plan, rng)
    return build_router(outcomes, method, held, getattr(settings, method.KNOB))
