"""Pluggable request featurizers: an :class:`Outcomes` (and row selection) -> a dense float matrix.

* :class:`SyntheticFeatures`: the synthetic zoo's own ``outcomes.features``.
* :class:`TextHashingFeatures`: prompt text -> hashed word/bigram counts -> TF-IDF -> TruncatedSVD to a small dense
  dimension (plus, optionally, the log prompt length). Offline (no vocabulary download, no model hub) and
  deterministic for a fixed ``seed``.
* :func:`default_featurizer`: the synthetic features when the outcomes have them, else the text featurizer.
* :func:`feature_table` -> :class:`RequestFeatures`: the features of every request of a table **keyed by request
  id** (``feats.rows_for(o.take(...))`` gives the right rows of a sub-table or a shuffled copy; an unknown request
  raises, naming it). This is the repository's one TF-IDF + SVD path: the MESS+ predictors
  (:func:`request_features`, re-exported by :mod:`llmroute.messplus.features`) and the router registry
  (``llmroute.routers.registry.features_for``) both call it, each with its own documented settings.

Usage: ``f = default_featurizer(train).fit(train); X = f.transform(test)``. Fit on training rows only
(``fit(outcomes, rows)``) when the evaluation must not see the test prompts.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from .._validate import check_choice, check_int
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


# ---------------------------------------------------------------------------------------------------------
# Features of a whole table, keyed by request id
# ---------------------------------------------------------------------------------------------------------
#: What :func:`feature_table` does on a table with neither features nor (at least two distinct) texts:
#: ``error`` - raise :class:`DataError`; ``domain`` - the domain one-hot plus a constant (per-domain routing only).
NO_TEXT = ("error", "domain")


def zscore(x: np.ndarray) -> np.ndarray:
    """(x - column mean) / column sd (sd 0 -> 1), over the rows given."""
    x = np.asarray(x, dtype=float)
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


@dataclass(frozen=True)
class RequestFeatures:
    """Dense request features keyed by request id: row k of ``X`` belongs to request ``request_id[k]``.

    ``source`` says what they are (for reports). :meth:`rows_for` returns the rows of another table's requests
    (a sub-table, a shuffled copy) in that table's row order, so features are never addressed by a row
    position of another table."""

    request_id: np.ndarray
    X: np.ndarray
    source: str

    def __post_init__(self) -> None:
        rid = np.asarray(self.request_id).astype(str)
        X = np.asarray(self.X, dtype=float)
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise DataError(f"RequestFeatures: X must be a non-empty (n_requests, dim) array, received shape "
                            f"{X.shape}")
        if rid.shape != (X.shape[0],):
            raise DataError(f"RequestFeatures: request_id must have one entry per row of X: expected shape "
                            f"({X.shape[0]},), received {rid.shape}")
        if np.unique(rid).size != rid.size:
            raise DataError("RequestFeatures: request_id has duplicates; it cannot key the features")
        object.__setattr__(self, "request_id", rid)
        object.__setattr__(self, "X", X)

    @property
    def dim(self) -> int:
        return int(self.X.shape[1])

    def __len__(self) -> int:
        return int(self.X.shape[0])

    def rows_for(self, outcomes: Outcomes) -> np.ndarray:
        """The ``(outcomes.n_requests, dim)`` features of ``outcomes``' requests, looked up by request id; a
        request these features do not know raises :class:`DataError` naming how many and which."""
        rid = np.asarray(outcomes.request_id).astype(str)
        if rid.shape == self.request_id.shape and np.array_equal(rid, self.request_id):
            return self.X
        index = {r: k for k, r in enumerate(self.request_id)}
        idx = np.fromiter((index.get(r, -1) for r in rid), dtype=np.int64, count=rid.size)
        missing = np.flatnonzero(idx < 0)
        if missing.size:
            ex = ", ".join(repr(str(rid[k])) for k in missing[:3])
            raise DataError(f"{outcomes.name}: {missing.size} of its {rid.size} requests have no features here "
                            f"(e.g. request_id {ex}); the features cover {len(self)} requests ({self.source})")
        return self.X[idx]


def feature_table(outcomes: Outcomes, *, dim: int = 32, n_hash: int = 2 ** 16, ngram_max: int = 2,
                  add_length: bool = True, seed: int = 0, zscore_text: bool = True,
                  no_text: str = "error") -> RequestFeatures:
    """Features of every request of ``outcomes``, keyed by request id (see :class:`RequestFeatures`).

    * the table's own ``features`` (the synthetic zoo), z-scored per column;
    * else, with at least two distinct texts: :class:`TextHashingFeatures` (``dim``, ``n_hash``, ``ngram_max``,
      ``add_length``, ``seed``) fit on the table's texts only (never on labels: unsupervised, like a frozen
      encoder) and applied to them, then z-scored again over the table when ``zscore_text``;
    * else ``no_text`` (:data:`NO_TEXT`): ``error`` raises :class:`DataError`; ``domain`` gives the domain one-hot
      plus a constant column (per-domain routing only).

    Deterministic for fixed settings."""
    check_choice("no_text", no_text, NO_TEXT)
    rid = outcomes.request_id
    if outcomes.features is not None:
        return RequestFeatures(rid, zscore(outcomes.features), "the table's own features")
    if outcomes.text is not None and len({str(t) for t in outcomes.text}) > 1:
        f = TextHashingFeatures(dim=dim, n_hash=n_hash, ngram_max=ngram_max, add_length=add_length,
                                seed=seed).fit(outcomes)
        x = np.asarray(f.transform(outcomes), dtype=float)
        return RequestFeatures(rid, zscore(x) if zscore_text else x,
                               f"prompt text (hashed TF-IDF, SVD to {dim} dims)")
    if no_text == "error":
        raise DataError(f"{outcomes.name}: has neither features nor text (at least two distinct prompts); "
                        "no request features can be computed (no_text='domain' falls back to the domain one-hot)")
    doms, idx = np.unique(outcomes.domain, return_inverse=True)
    x = np.zeros((outcomes.n_requests, doms.size + 1))
    x[np.arange(outcomes.n_requests), idx] = 1.0
    x[:, -1] = 1.0
    return RequestFeatures(rid, x, f"no text or features: domain one-hot ({doms.size} domains) plus a constant, "
                                   "i.e. per-domain only")


def request_features(outcomes: Outcomes, dim: int = 32, seed: int = 0, n_hash: int = 2 ** 16) -> np.ndarray:
    """The MESS+ predictors' input (our stand-in for the authors' frozen ModernBERT-base embedding, spec §1.6):
    :func:`feature_table` with 32 SVD dimensions, 2^16 hash buckets, the log length, re-z-scored; one row per
    row of ``outcomes``. A table with neither features nor text raises :class:`DataError`."""
    return feature_table(outcomes, dim=dim, seed=seed, n_hash=n_hash).X
