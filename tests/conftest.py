"""Shared fixtures: seeded generators and the real-data skip rule."""
from __future__ import annotations

import numpy as np
import pytest

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
