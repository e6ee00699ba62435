"""Plain JSON values for results files: numpy scalars and arrays become Python values, floats are rounded to
10 significant digits so that re-runs write the same bytes."""
from __future__ import annotations

import math
from typing import Any

import numpy as np


def plain(x: Any) -> Any:
    """numpy scalars/arrays -> plain JSON values, floats rounded to 10 significant digits (byte-stable)."""
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        if not math.isfinite(v):
            return str(v)
        return float(f"{v:.10g}")
    if isinstance(x, np.ndarray):
        return [_plain(v) for v in x.tolist()]
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    return x


_plain = plain  # the name used inside the package
