"""Pluggable request featurizers: an :class:`Outcomes` (and row selection) -> a dense float matrix.

* :class:`SyntheticFeatures`: the synthetic zoo's own ``outcomes.features``.
* :class:`TextHashingFeatures`: prompt text -> hashed word/bigram counts -> TF-IDF -> TruncatedSVD to a small dense
  dimension (plus, optionally, the log prompt length). Offline (no vocabulary download, no model hub) and
  deterministic for a fixed ``seed``.
* :func:`default_featurizer`: the synthetic features when the outcomes have them, else the text featurizer.

Usage: ``f = default_featurizer(train).fit(train); X = f.transform(test)``. Fit on training rows only
(``fit(outcomes, rows)``) when the evaluation must not see the test prompts.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from .._validate import check_int
from .schema import DataError, Outcomes


def _rows(outcomes: Outcomes, rows) -> np.ndarray:
    if rows is None:
        return np.arange(outcomes.n_requests)
    r = np.asarray(rows)
    if r.dtype == bool:
        if r.shape != (outcomes.n_requests,):
            raise DataError(f"{outcomes.name}: boolean rows must have {outcomes.n_requests} entries, got {r.shape}")
        return np.flatnonzero(r)
    r = r.astype(int, copy=False)
    if r.size and (r.min() < 0 or r.max() >= outcomes.n_requests):
        raise DataError(f"{outcomes.name}: row index out of range 0..{outcomes.n_requests - 1}")
    return r


@runtime_checkable
class Featurizer(Protocol):
    """Maps requests of an :class:`Outcomes` to a dense ``(len(rows), dim)`` float array."""

    def fit(self, outcomes: Outcomes, rows: Sequence[int] | np.ndarray | None = None) -> "Featurizer": ...

    def transform(self, outcomes: Outcomes, rows: Sequence[int] | np.ndarray | None = None) -> np.ndarray: ...


class SyntheticFeatures:
    """Returns ``outcomes.features`` (the synthetic zoo's feature vectors)."""

    name = "synthetic"

    def __init__(self) -> None:
        self.dim: int | None = None

    def fit(self, outcomes: Outcomes, rows=None) -> "SyntheticFeatures":
        if outcomes.features is None:
            raise DataError(f"{outcomes.name}: has no features (only the synthetic zoo carries them); "
                            "use TextHashingFeatures for real data with text")
        self.dim = int(outcomes.features.shape[1])
        return self

    def transform(self, outcomes: Outcomes, rows=None) -> np.ndarray:
        if self.dim is None:
            raise RuntimeError("SyntheticFeatures.transform called before fit")
        if outcomes.features is None or outcomes.features.shape[1] != self.dim:
            raise DataError(f"{outcomes.name}: features missing or of a different dimension than fitted ({self.dim})")
        return np.array(outcomes.features[_rows(outcomes, rows)], dtype=float)


class TextHashingFeatures:
    """Hashed word 1-2-grams -> TF-IDF -> TruncatedSVD(dim) [+ standardised log length]. Offline, deterministic."""

    name = "text-hashing-svd"

    def __init__(self, dim: int = 32, n_hash: int = 2 ** 15, ngram_max: int = 2, add_length: bool = True,
                 seed: int = 0) -> None:
        self.dim_requested = check_int("dim", dim, lo=1)
        self.n_hash = check_int("n_hash", n_hash, lo=16)
        self.ngram_max = check_int("ngram_max", ngram_max, lo=1, hi=3)
        self.add_length = bool(add_length)
        self.seed = check_int("seed", seed, lo=0)
        self._fitted = False

    @staticmethod
    def _texts(outcomes: Outcomes, idx: np.ndarray) -> list[str]:
        if outcomes.text is None:
            raise DataError(f"{outcomes.name}: has no text; TextHashingFeatures needs prompts")
        return ["" if t is None else str(t) for t in outcomes.text[idx]]

    def _hash(self, texts: list[str]):
        from sklearn.feature_extraction.text import HashingVectorizer

        hv = HashingVectorizer(n_features=self.n_hash, ngram_range=(1, self.ngram_max), alternate_sign=False,
                               norm=None, lowercase=True)
        return hv.transform(texts)

    def fit(self, outcomes: Outcomes, rows=None) -> "TextHashingFeatures":
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfTransformer

        texts = self._texts(outcomes, _rows(outcomes, rows))
        if len(texts) < 2:
            raise DataError(f"{outcomes.name}: need at least 2 texts to fit TextHashingFeatures")
        H = self._hash(texts)
        self._tfidf = TfidfTransformer(sublinear_tf=True).fit(H)
        T = self._tfidf.transform(H)
        k = max(1, min(self.dim_requested, T.shape[0] - 1, T.shape[1] - 1))
        self._svd = TruncatedSVD(n_components=k, algorithm="randomized", n_iter=5, random_state=self.seed).fit(T)
        Z = self._svd.transform(T)
        self._mean = Z.mean(axis=0)
        sd = Z.std(axis=0)
        self._sd = np.where(sd > 0, sd, 1.0)
        ll = np.log1p([len(t) for t in texts])
        self._len_mean, self._len_sd = float(ll.mean()), float(ll.std() or 1.0)
        self.dim = k + int(self.add_length)
        self._fitted = True
        return self

    def transform(self, outcomes: Outcomes, rows=None) -> np.ndarray:
        if not self._fitted:
            raise RuntimeError("TextHashingFeatures.transform called before fit")
        texts = self._texts(outcomes, _rows(outcomes, rows))
        Z = (self._svd.transform(self._tfidf.transform(self._hash(texts))) - self._mean) / self._sd
        if self.add_length:
            ll = (np.log1p([len(t) for t in texts]) - self._len_mean) / self._len_sd
            Z = np.column_stack([np.asarray(ll, dtype=float), Z])
        return np.asarray(Z, dtype=float)


def default_featurizer(outcomes: Outcomes) -> Featurizer:
    """An unfitted featurizer suited to ``outcomes``: its synthetic features if present, else its text."""
    if outcomes.features is not None:
        return SyntheticFeatures()
    if outcomes.text is not None:
        return TextHashingFeatures()
    raise DataError(f"{outcomes.name}: has neither features nor text; no featurizer applies")
