"""The split utility of the field routers: per-domain stratified, seeded, disjoint; cross-fitting covers every row."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute._validate import ParameterError
from llmroute.routers.field.splits import HeldOutPlan, crossfit_folds, heldout_plan, stratified_split


def domains(n: int = 203) -> np.ndarray:
    return np.array(["a"] * (n // 2) + ["b"] * (n // 3) + ["c"] * (n - n // 2 - n // 3) + ["solo"])


def test_split_is_disjoint_covering_stratified_and_seeded() -> None:
    d = domains()
    p = stratified_split(d, test_frac=0.3, seed=7)
    (tr, te), = p.folds
    assert np.intersect1d(tr, te).size == 0
    assert np.array_equal(np.union1d(tr, te), np.arange(d.size))
    for dom in ("a", "b", "c"):
        idx = np.flatnonzero(d == dom)
        assert np.isin(idx, te).sum() == round(0.3 * idx.size)   # per-domain share, rounded
    assert np.flatnonzero(d == "solo")[0] in tr                    # a one-row domain trains
    again = stratified_split(d, test_frac=0.3, seed=7)
    assert np.array_equal(again.folds[0][1], te)
    assert not np.array_equal(stratified_split(d, test_frac=0.3, seed=8).folds[0][1], te)
    assert np.array_equal(p.eval_rows, te)
    assert set(np.unique(p.fold_id[tr])) == {-1}


def test_crossfit_every_row_tested_once_never_trained_on_in_its_fold() -> None:
    d = domains()
    p = crossfit_folds(d, n_folds=4, seed=3)
    seen = np.zeros(d.size, dtype=int)
    for tr, te in p.folds:
        assert np.intersect1d(tr, te).size == 0
        assert np.array_equal(np.union1d(tr, te), np.arange(d.size))
        seen[te] += 1
    assert (seen == 1).all()
    assert np.array_equal(p.eval_rows, np.arange(d.size))
    for dom in ("a", "b", "c"):  # balanced within every domain
        counts = np.bincount(p.fold_id[d == dom], minlength=4)
        assert counts.max() - counts.min() <= 1
    assert np.array_equal(crossfit_folds(d, 4, 3).fold_id, p.fold_id)
    assert not np.array_equal(crossfit_folds(d, 4, 4).fold_id, p.fold_id)


def test_plan_rule_and_validation() -> None:
    assert heldout_plan(domains(203), 0, min_split_rows=204).kind == "split"
    assert heldout_plan(domains(203), 0, min_split_rows=205).kind == "crossfit"
    with pytest.raises(ParameterError, match="test_frac"):
        stratified_split(domains(), test_frac=1.0)
    with pytest.raises(ParameterError, match="n_folds"):
        crossfit_folds(domains(), n_folds=1)
    with pytest.raises(ParameterError, match="seed"):
        stratified_split(domains(), seed=-1)
    with pytest.raises(ValueError, match="overlap"):
        HeldOutPlan("split", 4, 0, ((np.array([0, 1]), np.array([1, 2])),))
