"""Shared checks for the real-data loaders: missing files, missing columns, wrong types, NaN.

Every error names the file, the column and the first bad row (0-based data row, header excluded), so a
malformed download is found in one look. Missing files raise ``FileNotFoundError`` with
:data:`llmroute.paths.SHARED_DATA_HINT` and the original source of the data.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..paths import SHARED_DATA_HINT, VENDORED_DATA
from .schema import DataError, Outcomes

_TRUE = {"true", "1", "1.0", "yes"}
_FALSE = {"false", "0", "0.0", "no"}


def require_file(path: str | Path, source: str) -> Path:
    """Return ``path`` as a ``Path``; raise ``FileNotFoundError`` naming it and where the data comes from."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p} does not exist. This data comes from {source}. {SHARED_DATA_HINT}")
    return p


def vendored(*parts: str) -> Path:
    """Path inside the vendored data folder ``<repo>/data``."""
    return VENDORED_DATA.joinpath(*parts)


def require_columns(df: pd.DataFrame, columns: Iterable[str], file: str | Path) -> None:
    """Raise :class:`DataError` naming the file and the first missing column."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"{file}: missing column {missing[0]!r} (columns present: {', '.join(map(str, df.columns))})")


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def as_bool(df: pd.DataFrame, col: str, file: str | Path) -> np.ndarray:
    """Column ``col`` as booleans (True/False, 1/0, "True"/"False"); NaN or anything else -> DataError."""
    s = df[col]
    if s.dtype == bool:
        return s.to_numpy()
    vals = s.to_numpy(dtype=object)
    isna = pd.isna(s).to_numpy()
    if isna.any():
        r = _first(isna)
        raise DataError(f"{file}: column {col!r} is NaN at row {r}; a boolean is required")
    out = np.empty(len(vals), dtype=bool)
    for i, v in enumerate(vals):
        if isinstance(v, (bool, np.bool_)):
            out[i] = bool(v)
            continue
        t = str(v).strip().lower()
        if t in _TRUE:
            out[i] = True
        elif t in _FALSE:
            out[i] = False
        else:
            raise DataError(f"{file}: column {col!r} has {v!r} at row {i}; a boolean (True/False) is required")
    return out


def as_float(df: pd.DataFrame, col: str, file: str | Path, *, allow_nan: bool = False,
             lo: float | None = None, hi: float | None = None) -> np.ndarray:
    """Column ``col`` as floats; a non-number, NaN (unless allowed) or a value outside [lo, hi] -> DataError."""
    s = df[col]
    if s.dtype == bool or s.dtype == object and any(isinstance(v, (bool, np.bool_)) for v in s):
        r = 0 if s.dtype == bool else _first(np.array([isinstance(v, (bool, np.bool_)) for v in s]))
        raise DataError(f"{file}: column {col!r} has boolean {s.iloc[r]!r} at row {r}; a number is required")
    num = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    bad_type = np.isnan(num) & ~pd.isna(s).to_numpy()
    if bad_type.any():
        r = _first(bad_type)
        raise DataError(f"{file}: column {col!r} has {s.iloc[r]!r} at row {r}; a number is required")
    if not allow_nan and np.isnan(num).any():
        r = _first(np.isnan(num))
        raise DataError(f"{file}: column {col!r} is NaN at row {r}; NaN is not allowed here")
    if np.isinf(num).any():
        r = _first(np.isinf(num))
        raise DataError(f"{file}: column {col!r} is {num[r]} at row {r}; must be finite")
    fin = ~np.isnan(num)
    if lo is not None and (fin & (num < lo)).any():
        r = _first(fin & (num < lo))
        raise DataError(f"{file}: column {col!r} is {num[r]:g} at row {r}; must be >= {lo:g}")
    if hi is not None and (fin & (num > hi)).any():
        r = _first(fin & (num > hi))
        raise DataError(f"{file}: column {col!r} is {num[r]:g} at row {r}; must be <= {hi:g}")
    return num


def as_str(df: pd.DataFrame, col: str, file: str | Path) -> np.ndarray:
    """Column ``col`` as strings; NaN -> DataError."""
    s = df[col]
    isna = pd.isna(s).to_numpy()
    if isna.any():
        r = _first(isna)
        raise DataError(f"{file}: column {col!r} is missing (NaN) at row {r}; a string is required")
    return s.astype(str).to_numpy(dtype=object)


def cost_order(models: Sequence[str], cost: np.ndarray) -> np.ndarray:
    """Column order putting models in ascending mean cost (ties broken by model name)."""
    mean = np.asarray(cost, dtype=float).mean(axis=0)
    return np.array(sorted(range(len(models)), key=lambda k: (mean[k], models[k])), dtype=int)


def build(name: str, models: Sequence[str], quality: np.ndarray, cost: np.ndarray, *, cost_unit: str,
          request_id, domain, latency=None, tokens=None, text=None, source: str = "",
          meta: dict | None = None) -> Outcomes:
    """Assemble an :class:`Outcomes` with the models re-ordered by ascending mean cost."""
    order = cost_order(models, cost)

    def cols(a):
        return None if a is None else np.asarray(a, dtype=float)[:, order]

    meta = dict(meta or {})
    meta.setdefault("synthetic", False)
    meta["model_order"] = "ascending mean cost per request (ties by name)"
    return Outcomes(name=name, models=tuple(models[k] for k in order), quality=cols(quality), cost=cols(cost),
                    cost_unit=cost_unit, request_id=np.asarray(request_id), domain=np.asarray(domain),
                    latency=cols(latency), tokens=cols(tokens),
                    text=None if text is None else np.asarray(text, dtype=object), source=source, meta=meta)
