"""Request features for the MESS+ predictors: our stand-in for the authors' frozen ModernBERT-base embedding.

The authors feed the raw question text through a frozen ModernBERT-base and take the first-token vector (768-d);
no model hub is reachable here, so the predictor's input is instead:

* the synthetic zoo's own ``features`` when the table has them;
* otherwise text features: the data layer's ``TextHashingFeatures`` (``llmroute.data.features``: TF-IDF of
  hashed word 1-2-grams -> truncated SVD to 32 dimensions + log prompt length), with 2^16 hash buckets (4x
  faster than its default 2^18, same features up to hash collisions), fit on the benchmark's request texts
  only, never on labels: like a frozen backbone, it is unsupervised; then z-scored per dimension. Without
  the data layer: our own TF-IDF + SVD (:func:`text_features`).

This is weaker than a pretrained encoder: predictor quality on the real data is a limitation of ours, and the
oracle predictor (:class:`~llmroute.messplus.predictors.OraclePredictor`) bounds what a perfect one would give.
"""
from __future__ import annotations

import numpy as np

from ..data.schema import Outcomes


def _zscore(x: np.ndarray) -> np.ndarray:
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def _reduce(x, dim: int, seed: int) -> np.ndarray:
    from sklearn.decomposition import TruncatedSVD

    k = min(dim, min(x.shape) - 1)
    return TruncatedSVD(n_components=k, random_state=seed, algorithm="randomized", n_iter=5).fit_transform(x)


def text_features(texts, dim: int = 64, seed: int = 0) -> np.ndarray:
    """TF-IDF (hashed word 1-2-grams) -> truncated SVD to ``dim`` -> z-score. Deterministic for a seed."""
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

    hv = HashingVectorizer(n_features=2 ** 18, ngram_range=(1, 2), alternate_sign=False, norm=None)
    x = TfidfTransformer(sublinear_tf=True).fit_transform(hv.transform([str(t) for t in texts]))
    return _zscore(_reduce(x, dim, seed))


def request_features(outcomes: Outcomes, dim: int = 32, seed: int = 0, use_shared: bool = True,
                     n_hash: int = 2 ** 16) -> np.ndarray:
    """Dense features of every row of ``outcomes`` (see the module docstring)."""
    if outcomes.features is not None:
        return _zscore(np.asarray(outcomes.features, dtype=float))
    if outcomes.text is None:
        raise ValueError(f"{outcomes.name}: neither features nor text; the predictor has no input")
    if use_shared:
        try:
            from ..data.features import TextHashingFeatures
        except ImportError:
            TextHashingFeatures = None
        if TextHashingFeatures is not None:
            f = TextHashingFeatures(dim=dim, n_hash=n_hash, seed=seed).fit(outcomes)
            return _zscore(np.asarray(f.transform(outcomes), dtype=float))
    return text_features(outcomes.text, dim=dim, seed=seed)
