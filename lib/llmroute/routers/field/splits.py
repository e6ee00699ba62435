"""Leakage-free evaluation plans for trained routers: a per-domain stratified train/test split, or cross-fitting.

A trained router must be scored only on requests its model never saw. A :class:`HeldOutPlan` is a list of
folds ``(train_rows, test_rows)``; every row of ``eval_rows`` is in the test part of exactly one fold and never
in that fold's training part, so a prediction for an evaluation row always comes from a model fitted without it.

* :func:`stratified_split` — one fold: in every domain a seeded share ``test_frac`` of the rows is held out
  (at least one row per domain on each side when the domain has two or more rows);
* :func:`crossfit_folds` — ``n_folds`` folds: in every domain the rows are dealt round-robin, in a seeded
  random order, to the folds; fold ``f`` is tested on its rows and trained on all the others
  (cross-fitting: every row gets an out-of-fold prediction);
* :func:`heldout_plan` — the rule used by the field routers: a split when the table has at least
  ``min_split_rows`` rows, cross-fitting otherwise (small tables would leave too little to train on).

Every draw comes from ``numpy.random.default_rng(SeedSequence([seed, 0x5EED]))``, so a seed gives the same plan
bit for bit and the plan does not consume the caller's stream.

Adoption by other trained routers (e.g. the cross-fitted stand-ins of :mod:`llmroute.messplus.baselines`): pass
``crossfit_folds(outcomes.domain, n_folds, seed).fold_id`` where they draw ``permutation(n) % n_folds`` today.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..._validate import check_int, check_range, fail

_TAG = 0x5EED  # separates the plan's stream from other uses of the same seed


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([check_int("seed", seed, 0), _TAG]))


def _groups(domain: np.ndarray) -> list[np.ndarray]:
    d = np.asarray(domain)
    if d.ndim != 1 or d.size == 0:
        fail("domain", f"array of shape {d.shape}", "a non-empty one-dimensional array (one domain per request)")
    _, idx = np.unique(d.astype(str), return_inverse=True)
    return [np.flatnonzero(idx == g) for g in range(idx.max() + 1)]


@dataclass(frozen=True)
class HeldOutPlan:
    """Folds ``(train_rows, test_rows)`` over ``n_rows`` requests; ``kind`` is "split" or "crossfit"."""

    kind: str
    n_rows: int
    seed: int
    folds: tuple[tuple[np.ndarray, np.ndarray], ...]

    def __post_init__(self) -> None:
        if self.kind not in ("split", "crossfit"):
            fail("kind", self.kind, "'split' or 'crossfit'")
        seen = np.zeros(self.n_rows, dtype=int)
        for tr, te in self.folds:
            if np.intersect1d(tr, te).size:
                raise ValueError("a fold's training and test rows overlap")
            seen[te] += 1
        if seen.max() > 1:
            raise ValueError("a row is in the test part of more than one fold")

    @property
    def eval_rows(self) -> np.ndarray:
        """The rows scored (the union of the folds' test rows), ascending."""
        return np.sort(np.concatenate([te for _, te in self.folds]))

    @property
    def fold_id(self) -> np.ndarray:
        """Per row, the fold whose test part holds it (-1: never tested, i.e. training only)."""
        out = np.full(self.n_rows, -1, dtype=np.int64)
        for f, (_, te) in enumerate(self.folds):
            out[te] = f
        return out

    def describe(self) -> str:
        if self.kind == "split":
            tr, te = self.folds[0]
            return f"per-domain stratified split (seed {self.seed}): {tr.size} training, {te.size} held-out rows"
        return (f"{len(self.folds)}-fold per-domain stratified cross-fitting (seed {self.seed}): every one of "
                f"{self.n_rows} rows scored out of fold")


def stratified_split(domain, test_frac: float = 0.5, seed: int = 0) -> HeldOutPlan:
    """One fold: per domain, ``round(test_frac * n_d)`` rows (clipped to [1, n_d - 1] when ``n_d >= 2``) drawn
    without replacement for the test part; the rest train. A one-row domain goes to training."""
    check_range("test_frac", test_frac, 0.0, 1.0, lo_open=True, hi_open=True)
    rng = _rng(seed)
    groups = _groups(np.asarray(domain))
    n = int(sum(g.size for g in groups))
    test = []
    for g in groups:
        if g.size < 2:
            continue
        k = int(min(max(round(test_frac * g.size), 1), g.size - 1))
        test.append(rng.choice(g, size=k, replace=False))
    te = np.sort(np.concatenate(test)) if test else np.empty(0, dtype=np.int64)
    if te.size == 0:
        raise ValueError("stratified_split: no domain has two or more rows, nothing can be held out")
    tr = np.setdiff1d(np.arange(n), te)
    return HeldOutPlan("split", n, int(seed), ((tr, te),))


def crossfit_folds(domain, n_folds: int = 5, seed: int = 0) -> HeldOutPlan:
    """``n_folds`` folds: per domain a seeded permutation of its rows is dealt round-robin to the folds, with
    a seeded starting fold per domain (so small domains do not all land in fold 0)."""
    check_int("n_folds", n_folds, 2)
    rng = _rng(seed)
    groups = _groups(np.asarray(domain))
    n = int(sum(g.size for g in groups))
    if n < n_folds:
        fail("n_folds", n_folds, f"at most the number of rows ({n})")
    fid = np.empty(n, dtype=np.int64)
    for g in groups:
        perm = rng.permutation(g)
        fid[perm] = (np.arange(perm.size) + int(rng.integers(n_folds))) % n_folds
    folds = tuple((np.flatnonzero(fid != f), np.flatnonzero(fid == f)) for f in range(n_folds))
    return HeldOutPlan("crossfit", n, int(seed), folds)


def heldout_plan(domain, seed: int = 0, *, min_split_rows: int = 1000, test_frac: float = 0.5,
                 n_folds: int = 5) -> HeldOutPlan:
    """:func:`stratified_split` when there are at least ``min_split_rows`` rows, else :func:`crossfit_folds`."""
    check_int("min_split_rows", min_split_rows, 2)
    n = np.asarray(domain).size
    if n >= min_split_rows:
        return stratified_split(domain, test_frac, seed)
    return crossfit_folds(domain, n_folds, seed)
