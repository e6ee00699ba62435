"""Your own outcome data: read a long-format file (CSV, Parquet, JSON Lines) or a pandas table into :class:`Outcomes`.

The **long format** has one row per (request, model):

==============  ========  =========================================================================
column          required  meaning
==============  ========  =========================================================================
``request_id``  yes       identifier of the request (any string; the same for all models' rows)
``model``       yes       model name
``quality``     yes       quality of that model's answer in [0, 1] (0/1 correctness, True/False, or a score)
``cost``        yes       cost of that answer (>= 0) in one unit for the whole file (``cost_unit``)
``latency``     no        seconds (``latency_s`` is read as the same column); empty = unknown
``tokens``      no        tokens used (>= 0); empty = unknown
``domain``      no        benchmark / domain of the request (default ``"all"``); one value per request
``text``        no        the prompt; one value per request
==============  ========  =========================================================================

Rows may come in any order and the models in any order: the models are put **cheapest first** (ascending mean
cost per request, ties by name), as every router of the repository expects; ``meta["model_order"]`` and
``meta["mean_cost"]`` record it. Requests keep the order of their first row. Every (request, model) pair must
have exactly one row: missing cells are an error that counts them (``missing="drop"`` drops the incomplete
requests instead, recorded in ``meta["dropped_requests"]``), duplicates are an error naming both lines.
Every error is a :class:`~llmroute.data.schema.DataError` that names the file, the column, the request id and
the line (CSV, JSON Lines: 1-based line of the file; Parquet and DataFrames: 0-based row).

* :func:`read` ``(path)`` — a file; the format comes from the suffix (``.csv``, ``.parquet``/``.pq``,
  ``.jsonl``/``.ndjson``).
* :func:`from_frame` ``(df)`` (also :meth:`Outcomes.from_frame`) — a long table, or a **wide** one whose columns
  are a two-level index ``(field, model)`` with the request id as the index, as made by
  ``long.pivot(index="request_id", columns="model", values=["quality", "cost"])`` (per-request ``domain`` and
  ``text`` as columns ``("domain", "")``, ``("text", "")``).
"""
from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from ._io import build
from .schema import DataError, Outcomes

REQUIRED: tuple[str, ...] = ("request_id", "model", "quality", "cost")
OPTIONAL: tuple[str, ...] = ("latency", "tokens", "domain", "text")
ALIASES: dict[str, str] = {"latency_s": "latency"}
MISSING: tuple[str, ...] = ("error", "drop")
FORMATS: dict[str, str] = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl",
                           ".ndjson": "jsonl"}
_TRUE = {"true", "yes"}
_FALSE = {"false", "no"}


# ---------------------------------------------------------------------------------------------- reading files
def _csv_lines(path: Path) -> np.ndarray:
    """1-based line of the file on which each data record starts (blank lines skipped as pandas does)."""
    starts = []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader, None)
        prev = reader.line_num
        for rec in reader:
            if rec and any(v != "" for v in rec):
                starts.append(prev + 1)
            prev = reader.line_num
    return np.asarray(starts, dtype=np.int64)


def _read_jsonl(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    records, lines = [], []
    with open(path, encoding="utf-8") as f:
        for i, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
            except json.JSONDecodeError as e:
                raise DataError(f"{path}: line {i} is not valid JSON ({e.msg})") from None
            if not isinstance(rec, dict):
                raise DataError(f"{path}: line {i} is a JSON {type(rec).__name__}, not an object with the "
                                f"columns {', '.join(REQUIRED)}")
            records.append(rec)
            lines.append(i)
    return pd.DataFrame.from_records(records), np.asarray(lines, dtype=np.int64)


def read(path: str | Path, *, name: str | None = None, cost_unit: str = "USD", missing: str = "error",
         format: str | None = None) -> Outcomes:
    """Read a long-format outcome file (module docstring) into an :class:`Outcomes`, models cheapest first.

    ``name`` defaults to the file's stem; ``cost_unit`` is the unit of the ``cost`` column ("USD", "J", ...);
    ``missing``: ``"error"`` (default) or ``"drop"`` (drop requests without a row for every model);
    ``format``: ``"csv"``, ``"parquet"`` or ``"jsonl"`` (default: from the suffix).
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p} does not exist")
    fmt = format or FORMATS.get(p.suffix.lower())
    if fmt not in set(FORMATS.values()):
        raise DataError(f"{p}: cannot tell the format from the suffix {p.suffix!r}; use one of "
                        f"{', '.join(FORMATS)} or pass format='csv' | 'parquet' | 'jsonl'")
    if fmt == "csv":
        try:
            df = pd.read_csv(p, dtype={"request_id": str, "model": str, "domain": str, "text": str},
                             keep_default_na=True)
        except pd.errors.ParserError as e:
            raise DataError(f"{p}: not a readable CSV file ({e})") from None
        lines = _csv_lines(p)
        where = _where_lines(lines) if lines.size == len(df) else _where_rows
    elif fmt == "jsonl":
        df, lines = _read_jsonl(p)
        where = _where_lines(lines)
    else:
        try:
            df = pd.read_parquet(p)
        except ImportError as e:
            raise ImportError(f"reading {p} needs a Parquet engine: pip install pyarrow ({e})") from None
        where = _where_rows
    return _from_long(df, label=str(p), where=where, name=name or p.name.split(".")[0], cost_unit=cost_unit,
                      missing=missing, source=str(p), meta={"path": str(p), "format": fmt})


def _where_lines(lines: np.ndarray) -> Callable[[int], str]:
    return lambda i: f"line {int(lines[i])}"


def _where_rows(i: int) -> str:
    return f"row {int(i)}"


# ---------------------------------------------------------------------------------------------- data frames
def from_frame(df: pd.DataFrame, *, name: str = "frame", cost_unit: str = "USD", layout: str = "auto",
               missing: str = "error", source: str = "") -> Outcomes:
    """An :class:`Outcomes` from a long or wide pandas table (module docstring), models cheapest first.

    ``layout``: ``"long"``, ``"wide"`` or ``"auto"`` (wide when the columns are a two-level index).
    ``missing``: ``"error"`` or ``"drop"`` as in :func:`read`.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"from_frame needs a pandas DataFrame, got {type(df).__name__}")
    if layout not in ("auto", "long", "wide"):
        raise DataError(f"layout = {layout!r} is not allowed: must be one of 'auto', 'long', 'wide'")
    wide = isinstance(df.columns, pd.MultiIndex) if layout == "auto" else layout == "wide"
    label = f"{name} (DataFrame)"
    if wide:
        df = _wide_to_long(df, label)
        where = lambda i: f"request {df['request_id'].iloc[i]!r}, model {df['model'].iloc[i]!r}"  # noqa: E731
    else:
        df = df.reset_index(drop=True)
        where = _where_rows
    return _from_long(df, label=label, where=where, name=name, cost_unit=cost_unit, missing=missing,
                      source=source or "pandas DataFrame", meta={"layout": "wide" if wide else "long"})


def _wide_to_long(df: pd.DataFrame, label: str) -> pd.DataFrame:
    if not isinstance(df.columns, pd.MultiIndex) or df.columns.nlevels != 2:
        raise DataError(f"{label}: a wide table needs two-level columns (field, model), e.g. from "
                        f"long.pivot(index='request_id', columns='model', values=['quality', 'cost']); got "
                        f"columns {list(df.columns)[:6]}")
    fields = set(df.columns.get_level_values(0))
    for col in ("quality", "cost"):
        if col not in fields:
            raise DataError(f"{label}: missing column group {col!r} (groups present: {', '.join(map(str, fields))})")
    models = [m for m in df["quality"].columns]
    rid = df.index.astype(str).to_numpy() if ("request_id", "") not in df.columns \
        else df[("request_id", "")].astype(str).to_numpy()
    parts = []
    for m in models:
        part = {"request_id": rid, "model": np.full(len(df), str(m), dtype=object)}
        for f in ("quality", "cost", "latency", "tokens"):
            if f in fields:
                if m not in df[f].columns:
                    raise DataError(f"{label}: column ({f!r}, {m!r}) is missing (every model of 'quality' needs "
                                    f"one in {f!r})")
                part[f] = df[(f, m)].to_numpy()
        for f in ("domain", "text"):
            if (f, "") in df.columns:
                part[f] = df[(f, "")].to_numpy()
        block = pd.DataFrame(part)
        present = ~(pd.isna(block["quality"]) & pd.isna(block["cost"]))
        parts.append(block[present.to_numpy()])
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------------------------------------- the long path
def _numeric(df: pd.DataFrame, col: str, rid: np.ndarray, where, label: str, *, lo: float,
             hi: float = np.inf, allow_nan: bool = False) -> np.ndarray:
    s = df[col]
    if s.dtype == bool:
        out = s.to_numpy(dtype=float)
    else:
        out = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        unparsed = np.isnan(out) & ~pd.isna(s).to_numpy()
        for i in np.flatnonzero(unparsed):
            v = s.iloc[i]
            t = str(v).strip().lower()
            if isinstance(v, (bool, np.bool_)) and col == "quality":
                out[i] = float(v)
            elif col == "quality" and t in _TRUE | _FALSE:
                out[i] = 1.0 if t in _TRUE else 0.0
            else:
                raise DataError(f"{label}: column {col!r} has {v!r} for request {rid[i]!r} ({where(i)}); a number "
                                f"is required")
    nan = np.isnan(out)
    if nan.any() and not allow_nan:
        i = int(np.flatnonzero(nan)[0])
        raise DataError(f"{label}: column {col!r} is empty/NaN for request {rid[i]!r} ({where(i)}); a value is "
                        f"required")
    bad = ~nan & ((out < lo) | (out > hi) | np.isinf(out))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        allowed = f"in [{lo:g}, {hi:g}]" if np.isfinite(hi) else f"finite and >= {lo:g}"
        raise DataError(f"{label}: column {col!r} is {out[i]:g} for request {rid[i]!r} ({where(i)}); must be "
                        f"{allowed}")
    return out


def _strings(df: pd.DataFrame, col: str, where, label: str, rid: np.ndarray | None = None) -> np.ndarray:
    s = df[col]
    na = pd.isna(s).to_numpy()
    if na.any():
        i = int(np.flatnonzero(na)[0])
        who = f"request {rid[i]!r}, " if rid is not None else ""
        raise DataError(f"{label}: column {col!r} is empty for {who}{where(i)}; a value is required")
    return s.astype(str).to_numpy(dtype=object)


def _per_request(values: np.ndarray, codes: np.ndarray, n: int, col: str, rid_of: np.ndarray, where,
                 label: str) -> np.ndarray:
    """One value per request (from its first row); a request whose rows disagree raises naming two lines."""
    first = np.full(n, -1, dtype=np.int64)
    idx = np.arange(codes.size)
    first[codes[::-1]] = idx[::-1]
    out = values[first]
    differ = values != out[codes]
    if differ.any():
        i = int(np.flatnonzero(differ)[0])
        j = int(first[codes[i]])
        raise DataError(f"{label}: column {col!r} must have one value per request, but request {rid_of[i]!r} has "
                        f"{out[codes[i]]!r} ({where(j)}) and {values[i]!r} ({where(i)})")
    return out


def _from_long(df: pd.DataFrame, *, label: str, where, name: str, cost_unit: str, missing: str, source: str,
               meta: dict) -> Outcomes:
    if missing not in MISSING:
        raise DataError(f"missing = {missing!r} is not allowed: must be one of 'error', 'drop'")
    df = df.rename(columns={a: c for a, c in ALIASES.items() if a in df.columns and c not in df.columns})
    absent = [c for c in REQUIRED if c not in df.columns]
    if absent:
        raise DataError(f"{label}: missing column {absent[0]!r}; a long-format table needs the columns "
                        f"{', '.join(REQUIRED)} (optional: {', '.join(OPTIONAL)}); columns present: "
                        f"{', '.join(map(str, df.columns))}")
    if len(df) == 0:
        raise DataError(f"{label}: no data rows")
    rid = _strings(df, "request_id", where, label)
    model = _strings(df, "model", where, label, rid)
    quality = _numeric(df, "quality", rid, where, label, lo=0.0, hi=1.0)
    cost = _numeric(df, "cost", rid, where, label, lo=0.0)
    latency = _numeric(df, "latency", rid, where, label, lo=0.0, allow_nan=True) if "latency" in df else None
    tokens = _numeric(df, "tokens", rid, where, label, lo=0.0, allow_nan=True) if "tokens" in df else None

    rcode, requests = pd.factorize(rid)
    mcode, models = pd.factorize(model)
    n, m = len(requests), len(models)
    flat = rcode.astype(np.int64) * m + mcode
    seen = np.full(n * m, -1, dtype=np.int64)
    order = np.arange(flat.size)
    dup = pd.Series(flat).duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        j = int(np.flatnonzero(flat == flat[i])[0])
        raise DataError(f"{label}: request {rid[i]!r} has two rows for model {model[i]!r} ({where(j)} and "
                        f"{where(i)}); each (request, model) needs exactly one row")
    seen[flat] = order

    def grid(v: np.ndarray | None) -> np.ndarray | None:
        if v is None:
            return None
        g = np.full(n * m, np.nan)
        g[flat] = v
        return g.reshape(n, m)

    Q, C, L, K = grid(quality), grid(cost), grid(latency), grid(tokens)
    hole = (seen < 0).reshape(n, m)
    keep = ~hole.any(axis=1)
    meta = dict(meta)
    if hole.any():
        r, k = (int(x) for x in np.argwhere(hole)[0])
        first_line = where(int(np.flatnonzero(rcode == r)[0]))
        if missing == "error":
            raise DataError(
                f"{label}: {int(hole.sum())} (request, model) cells are missing (no row), in "
                f"{int((~keep).sum())} of {n} requests; e.g. request {requests[r]!r} ({first_line}) has no row for "
                f"model {models[k]!r}. Every request needs one row per model ({', '.join(map(str, models))}); "
                f"pass missing='drop' (command line: --drop-incomplete) to drop the incomplete requests")
        if not keep.any():
            raise DataError(f"{label}: every one of the {n} requests misses at least one model; nothing is left "
                            f"after dropping incomplete requests")
        meta["dropped_requests"] = int((~keep).sum())
        meta["dropped_cells_missing"] = int(hole.sum())

    domain = (_per_request(_strings(df, "domain", where, label, rid), rcode, n, "domain", rid, where, label)
              if "domain" in df else np.full(n, "all", dtype=object))
    text = None
    if "text" in df:
        tv = df["text"].to_numpy(dtype=object)
        na = pd.isna(df["text"]).to_numpy()
        if na.any():
            meta["text_missing_rows"] = int(na.sum())
        tv = np.where(na, "", df["text"].astype(str).to_numpy(dtype=object))
        text = _per_request(tv, rcode, n, "text", rid, where, label)
    extra = sorted(set(map(str, df.columns)) - set(REQUIRED) - set(OPTIONAL))
    if extra:
        meta["ignored_columns"] = extra

    rows = np.flatnonzero(keep)
    sub = (lambda a: None if a is None else a[rows])  # noqa: E731
    if latency is not None and np.isnan(L[rows]).all():
        L = None
    if tokens is not None and np.isnan(K[rows]).all():
        K = None
    models_s = [str(x) for x in models]
    out = build(name, models_s, Q[rows], C[rows], cost_unit=cost_unit, request_id=np.asarray(requests)[rows],
                domain=domain[rows], latency=sub(L), tokens=sub(K), text=sub(text), source=source, meta=meta)
    out.meta["mean_cost"] = {mdl: float(c) for mdl, c in zip(out.models, out.mean_cost())}
    out.meta["model_order"] = ("cheapest first: ascending mean cost per request (ties by name): "
                               + ", ".join(out.models))
    return out
