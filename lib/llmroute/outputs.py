"""Deterministic writers for a notebook's tables and provenance (``results/<notebook>/``)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from .jsonable import _plain
from .paths import portable


def _portable(x: Any) -> Any:
    if isinstance(x, str):
        return portable(x)
    if isinstance(x, dict):
        return {k: _portable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_portable(v) for v in x]
    return x


def write_table(df: pd.DataFrame, out_dir: str | Path, name: str, *, index: bool = False,
                float_format: str = "%.6g") -> Path:
    """Write ``<name>.csv`` with a fixed float format so that re-runs are byte-identical."""
    path = Path(out_dir) / f"{name}.csv"
    df = df.copy()
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            df[col] = df[col].map(lambda v: portable(v) if isinstance(v, str) else v)
    df.to_csv(path, index=index, float_format=float_format, lineterminator="\n")
    return path


def write_provenance(out_dir: str | Path, **fields: Any) -> Path:
    """Write ``provenance.json``: which data, parameters and library version produced the folder, plus the run's
    identity under ``run`` (code commit, package versions, SHA-256 of every data file read: :mod:`.provenance`;
    paths made relative to the repository / ``../shared/data`` so that the file does not depend on the clone's location)."""
    from . import __version__
    from .provenance import run_provenance

    payload = _portable(_plain({"llmroute_version": __version__, **fields, "run": run_provenance()}))
    path = Path(out_dir) / "provenance.json"
    path.write_text(json.dumps(_plain(payload), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
