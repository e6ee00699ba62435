"""Routing-outcome data: the schema, loaders for the real data, the calibrated synthetic zoo, featurizers."""
from .schema import DataError, Outcomes, concat

__all__ = ["DataError", "Outcomes", "concat"]
