"""Deterministic writers for a notebook's tables and provenance (``results/<notebook>/``)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from .claims import _plain


def write_table(df: pd.DataFrame, out_dir: str | Path, name: str, *, index: bool = False,
                float_format: str = "%.6g") -> Path:
    """Write ``<name>.csv`` with a fixed float format so that re-runs are byte-identical."""
    path = Path(out_dir) / f"{name}.csv"
    df.to_csv(path, index=index, float_format=float_format, lineterminator="\n")
    return path


def write_provenance(out_dir: str | Path, **fields: Any) -> Path:
    """Write ``provenance.json``: which data, parameters and library version produced the folder."""
    from . import __version__

    payload = {"llmroute_version": __version__, **fields}
    path = Path(out_dir) / "provenance.json"
    path.write_text(json.dumps(_plain(payload), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
