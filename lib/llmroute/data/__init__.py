"""Routing-outcome data: the schema, your own files (:func:`read`, :meth:`Outcomes.from_frame`), loaders for the real
data, the calibrated synthetic zoo, featurizers."""
from .llmrouter import load_llmrouter
from .omnisbench import load_omnisbench
from .prices import PriceError, PriceTable, available_price_tables, estimate_tokens, load_price_table
from .registry import available, load, load_or_synthetic
from .routellm import load_routellm
from .routerbench import load_routerbench
from .schema import DataError, Outcomes, concat
from .tables import from_frame, read

__all__ = ["DataError", "Outcomes", "concat", "read", "from_frame",
           "load", "available", "load_or_synthetic",
           "load_routellm", "load_omnisbench", "load_llmrouter", "load_routerbench",
           "PriceError", "PriceTable", "load_price_table", "available_price_tables", "estimate_tokens"]
