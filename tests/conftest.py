"""Shared fixtures: seeded generators and the real-data skip rule."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute.data.schema import Outcomes

from llmroute.paths import shared_data_dir


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


def require_shared(*parts: str):
    """Skip (with the reason) unless ``../shared/data/<parts>`` exists; return its path."""
    root = shared_data_dir()
    if root is None:
        pytest.skip("real data absent: ../shared/data (or $LLMROUTE_DATA) not found")
    p = root.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"real data absent: {p} not found")
    return p


def tiny_outcomes() -> Outcomes:
    """A 4-request x 3-model table (cheapest first; latency in seconds) with hand-checkable outcomes."""
    return Outcomes(
        name="tiny", models=("s", "m", "l"),
        quality=np.array([[0, 1, 1], [1, 1, 1], [0, 0, 1], [0, 0, 0]], float),
        cost=np.array([[1, 4, 20], [2, 5, 21], [1, 6, 22], [3, 7, 23]], float), cost_unit="J",
        latency=np.array([[0.1, 0.5, 2.0], [0.2, 0.6, 2.1], [0.1, 0.7, 2.2], [0.3, 0.8, np.nan]]),
        request_id=np.array(["a", "b", "c", "d"]), domain=np.array(["x", "x", "y", "y"]))
