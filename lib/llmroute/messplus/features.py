"""Request features for the MESS+ predictors: our stand-in for the authors' frozen ModernBERT-base embedding.

The authors feed the raw question text through a frozen ModernBERT-base and take the first-token vector (768-d);
no model hub is reachable here, so the predictor's input is :func:`llmroute.data.features.request_features`
(the repository's one featurizer, keyed by request id through :func:`llmroute.data.features.feature_table`):

* the synthetic zoo's own ``features`` when the table has them (z-scored);
* otherwise text features: TF-IDF of hashed word 1-2-grams (2^16 buckets) -> truncated SVD to 32 dimensions +
  log prompt length, fit on the benchmark's request texts only, never on labels (like a frozen backbone, it is
  unsupervised); then z-scored per dimension.

This is weaker than a pretrained encoder: predictor quality on the real data is a limitation of ours, and the
oracle predictor (:class:`~llmroute.messplus.predictors.OraclePredictor`) bounds what a perfect one would give.
This module only re-exports the data layer's function under its historical name.
"""
from __future__ import annotations

from ..data.features import RequestFeatures, feature_table, request_features

__all__ = ["RequestFeatures", "feature_table", "request_features"]
