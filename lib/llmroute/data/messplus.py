"""The MESS+ authors' per-request lm-eval outputs (Llama zoo: 1B, 8B 4-bit, 70B 4-bit) as :class:`Outcomes`.

Source: ``inference_outputs.tar.gz`` from github.com/ryanzhangofficial/RouterDC (``data/``), commit in
``shared/data/messplus/COMMIT``. **No licence is declared**: the file is read from the shared data folder (or a
path you give) and never committed; the project commits only aggregates derived from it by
``scripts/calibrate_synthetic.py``.

Layout: one folder per benchmark (``inference_outputs/<benchmark>/*.csv``), each CSV with columns
``doc_id, input_text, benchmark_name, label_<m>, acc_<m>`` (``acc_norm_<m>`` for ARC),
``energy_consumption_<m>`` (GPU joules, Zeus) and ``inference_time_<m>`` (s), for m in small/medium/large.
The CSVs of one folder are read in memory (never extracted), in sorted member-name order, concatenated, and
deduplicated on ``doc_id`` keeping the first capture (ARC-Easy holds 500 doc_ids twice, LogiQA every doc_id three
times; correctness is identical across captures, energies differ by about 1 %). The numbers dropped are in
``meta["duplicates_dropped"]``.

The data has no token counts, so the USD variant of the paper (tokens x $0.06/$0.18/$0.88 per 1M) needs token
counts supplied by the caller: see :func:`messplus_usd`.
"""
from __future__ import annotations

import functools
import io
import tarfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..paths import shared_file
from .schema import DataError, Outcomes, concat

#: Model names in ascending cost order, and the CSV suffix of each.
MESSPLUS_MODELS: tuple[str, ...] = ("llama-3.2-1b", "llama-3.1-8b", "llama-3.3-70b")
MESSPLUS_SUFFIXES: tuple[str, ...] = ("small", "medium", "large")

#: The 8 benchmarks of the paper's tables (folder names), in the paper's order.
MESSPLUS_BENCHMARKS: tuple[str, ...] = (
    "arc_challenge", "arc_easy", "boolq", "logiqa", "piqa", "sciq", "social_iqa", "winogrande")
#: Benchmarks present in the file but not in the tables.
MESSPLUS_EXTRA_BENCHMARKS: tuple[str, ...] = ("mmlu_abstract_algebra",)

#: Per-model accuracy (fraction, 1B/8B/70B) of the paper's single-model rows (spec messplus.md §4.3).
MESSPLUS_PAPER_ACCURACY: dict[str, tuple[float, float, float]] = {
    "arc_challenge": (0.3788, 0.5444, 0.6084),
    "arc_easy": (0.6300, 0.7968, 0.8318),
    "boolq": (0.6917, 0.8416, 0.8878),
    "logiqa": (0.2661, 0.3172, 0.5245),
    "piqa": (0.7405, 0.7933, 0.8270),
    "sciq": (0.9380, 0.9700, 0.9710),
    "social_iqa": (0.4171, 0.4831, 0.4867),
    "winogrande": (0.5967, 0.7364, 0.7908),
}
#: Mean GPU joules per request (1B/8B/70B) of the paper's table (spec §4.3).
MESSPLUS_PAPER_JOULES: dict[str, tuple[float, float, float]] = {
    "arc_challenge": (79.9, 393.7, 2002.6),
    "arc_easy": (82.1, 390.9, 2029.8),
    "boolq": (43.6, 130.7, 1040.8),
    "logiqa": (83.0, 418.3, 2090.7),
    "piqa": (38.6, 198.3, 1000.3),
    "sciq": (97.5, 444.1, 2230.2),
    "social_iqa": (67.7, 301.8, 1534.3),
    "winogrande": (49.0, 200.5, 1018.4),
}
#: The SLA alpha the paper pairs with each benchmark (spec §4.3, "bench (alpha)"), as a fraction.
MESSPLUS_PAPER_ALPHA: dict[str, float] = {
    "arc_challenge": 0.50, "arc_easy": 0.75, "boolq": 0.80, "logiqa": 0.40, "piqa": 0.78, "sciq": 0.96,
    "social_iqa": 0.44, "winogrande": 0.70}
#: lm-eval split sizes (spec §3.3); ARC-E and LogiQA differ in the data (2000 unique docs; 651 after dedup).
MESSPLUS_SPLIT_SIZES: dict[str, int] = {
    "arc_challenge": 1172, "arc_easy": 2376, "boolq": 3270, "logiqa": 651, "piqa": 1838, "sciq": 1000,
    "social_iqa": 1954, "winogrande": 1267}

#: USD per 1M tokens of the paper's API-pricing variant (spec §5 (g)), 1B/8B/70B.
MESSPLUS_USD_PER_MTOK: tuple[float, float, float] = (0.06, 0.18, 0.88)

SOURCE = "github.com/ryanzhangofficial/RouterDC data/inference_outputs.tar.gz (MESS+ authors), no licence"
_WHERE = ("The MESS+ per-request outputs come from github.com/ryanzhangofficial/RouterDC "
          "(data/inference_outputs.tar.gz); they have no licence and are not part of this repository: place the "
          "file at ../shared/data/messplus/inference_outputs.tar.gz or pass path=.")


def _acc_col(benchmark: str, suffix: str) -> str:
    return f"acc_norm_{suffix}" if benchmark.startswith("arc") else f"acc_{suffix}"


def _required_columns(benchmark: str) -> list[str]:
    cols = ["doc_id", "input_text"]
    for s in MESSPLUS_SUFFIXES:
        cols += [_acc_col(benchmark, s), f"energy_consumption_{s}", f"inference_time_{s}"]
    return cols


def _check_frame(df: pd.DataFrame, where: str, benchmark: str) -> pd.DataFrame:
    """Validate one CSV; raise :class:`DataError` naming file, column and first bad row."""
    for col in _required_columns(benchmark):
        if col not in df.columns:
            raise DataError(f"{where}: column {col!r} missing (columns present: {', '.join(map(str, df.columns))})")
    out = {}
    ids = pd.to_numeric(df["doc_id"], errors="coerce")
    bad = ids.isna().to_numpy() | (ids.to_numpy() != np.round(ids.to_numpy()))
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise DataError(f"{where}: column 'doc_id' has non-integer value {df['doc_id'].iloc[r]!r} at row {r} "
                        f"(CSV line {r + 2})")
    out["doc_id"] = ids.to_numpy().astype(np.int64)
    out["input_text"] = df["input_text"].astype(object).where(df["input_text"].notna(), "").astype(str).to_numpy(object)
    for s in MESSPLUS_SUFFIXES:
        for col, lo, hi in ((_acc_col(benchmark, s), 0.0, 1.0), (f"energy_consumption_{s}", 0.0, np.inf),
                            (f"inference_time_{s}", 0.0, np.inf)):
            v = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(v) | (v < lo) | (v > hi)
            if bad.any():
                r = int(np.flatnonzero(bad)[0])
                rng = "in [0, 1]" if hi == 1.0 else "a finite number >= 0"
                raise DataError(f"{where}: column {col!r} has value {df[col].iloc[r]!r} at row {r} (CSV line "
                                f"{r + 2}); must be {rng}")
            out[col] = v
    tok = [f"tokens_{s}" for s in MESSPLUS_SUFFIXES]
    if all(t in df.columns for t in tok):
        for t in tok:
            out[t] = pd.to_numeric(df[t], errors="coerce").to_numpy(dtype=float)
    return pd.DataFrame(out)


def _resolve(path: str | Path | None) -> Path:
    if path is None:
        try:
            return shared_file("messplus", "inference_outputs.tar.gz")
        except FileNotFoundError as e:
            raise FileNotFoundError(f"{e} {_WHERE}") from None
    p = Path(path).expanduser()
    if not p.exists():
        raise FileNotFoundError(f"{p} does not exist. {_WHERE}")
    return p


@functools.lru_cache(maxsize=4)
def _read_tar(path: str, mtime_ns: int, size: int) -> dict[str, tuple[pd.DataFrame, int, int]]:
    """Parse every benchmark folder of the tarball: {benchmark: (deduplicated frame, raw rows, files)}."""
    del mtime_ns, size  # part of the cache key only: a changed file is re-read
    parts: dict[str, list[pd.DataFrame]] = {}
    try:
        tf = tarfile.open(path, mode="r:*")
    except (tarfile.TarError, OSError) as e:
        raise DataError(f"{path}: not a readable tar archive ({e})") from None
    with tf:
        members = sorted((m for m in tf.getmembers() if m.isfile() and m.name.endswith(".csv")), key=lambda m: m.name)
        for m in members:
            segs = Path(m.name).parts
            if len(segs) < 2:
                continue
            bench = segs[-2]
            raw = tf.extractfile(m).read()
            where = f"{path}::{m.name}"
            if not raw.strip():
                raise DataError(f"{where}: empty CSV")
            try:
                df = pd.read_csv(io.BytesIO(raw))
            except (pd.errors.ParserError, UnicodeDecodeError) as e:
                raise DataError(f"{where}: cannot parse CSV ({e})") from None
            parts.setdefault(bench, []).append(_check_frame(df, where, bench))
    if not parts:
        raise DataError(f"{path}: no '<benchmark>/*.csv' members found")
    out = {}
    for bench, frames in parts.items():
        df = pd.concat(frames, ignore_index=True)
        dedup = df.drop_duplicates("doc_id", keep="first").reset_index(drop=True)
        out[bench] = (dedup, len(df), len(frames))
    return out


def messplus_tables(path: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The parsed, deduplicated per-benchmark frames (copies; cached parse underneath)."""
    p = _resolve(path)
    st = p.stat()
    return {b: v[0].copy() for b, v in _read_tar(str(p.resolve()), st.st_mtime_ns, st.st_size).items()}


def _to_outcomes(bench: str, df: pd.DataFrame, raw_rows: int, n_files: int, path: Path) -> Outcomes:
    q = np.column_stack([df[_acc_col(bench, s)].to_numpy(float) for s in MESSPLUS_SUFFIXES])
    c = np.column_stack([df[f"energy_consumption_{s}"].to_numpy(float) for s in MESSPLUS_SUFFIXES])
    lat = np.column_stack([df[f"inference_time_{s}"].to_numpy(float) for s in MESSPLUS_SUFFIXES])
    tok_cols = [f"tokens_{s}" for s in MESSPLUS_SUFFIXES]
    tok = np.column_stack([df[t].to_numpy(float) for t in tok_cols]) if all(t in df for t in tok_cols) else None
    n = len(df)
    return Outcomes(
        name=f"messplus/{bench}", models=MESSPLUS_MODELS, quality=q, cost=c, cost_unit="J",
        request_id=np.char.add(f"{bench}/", df["doc_id"].to_numpy().astype(str)),
        domain=np.full(n, bench), latency=lat, tokens=tok, text=df["input_text"].to_numpy(object, copy=True),
        source=SOURCE,
        meta={"synthetic": False, "path": str(path), "licence": "none declared (do not commit)",
              "benchmarks": [bench], "raw_rows": {bench: raw_rows}, "files": {bench: n_files},
              "duplicates_dropped": {bench: raw_rows - n}, "dedup": "doc_id, keep first in sorted member order",
              "quality": "acc_norm (ARC) / acc, lm-eval 0-shot", "cost": "GPU energy (Zeus), J",
              "has_tokens": tok is not None})


def load_messplus(benchmark: str | Sequence[str] | None = None, path: str | Path | None = None) -> Outcomes:
    """Load the MESS+ per-request outcomes.

    ``benchmark``: a folder name (see :data:`MESSPLUS_BENCHMARKS`, plus ``mmlu_abstract_algebra``), a sequence
    of them (concatenated in the given order: a non-stationary stream), or ``None`` for the 8 table benchmarks
    in :data:`MESSPLUS_BENCHMARKS` order. ``path``: the tar.gz (default: the shared data folder).

    Columns are ("llama-3.2-1b", "llama-3.1-8b", "llama-3.3-70b"); quality = acc (acc_norm for ARC); cost = GPU
    joules; latency = inference time (s); text = input_text; request_id = "<benchmark>/<doc_id>".
    """
    p = _resolve(path)
    st = p.stat()
    tables = _read_tar(str(p.resolve()), st.st_mtime_ns, st.st_size)
    if benchmark is None:
        benches = list(MESSPLUS_BENCHMARKS)
    elif isinstance(benchmark, str):
        benches = [benchmark]
    else:
        benches = list(benchmark)
    for b in benches:
        if b not in tables:
            raise KeyError(f"unknown MESS+ benchmark {b!r}; the file {p} holds: {', '.join(sorted(tables))}")
    parts = [_to_outcomes(b, *tables[b], p) for b in benches]
    if len(parts) == 1:
        return parts[0]
    name = "messplus/all" if benchmark is None else "messplus/" + "+".join(benches)
    out = concat(parts, name=name)
    meta = {"synthetic": False, "path": str(p), "licence": "none declared (do not commit)", "benchmarks": benches,
            "raw_rows": {}, "files": {}, "duplicates_dropped": {}, "dedup": parts[0].meta["dedup"],
            "quality": parts[0].meta["quality"], "cost": parts[0].meta["cost"],
            "has_tokens": all(pt.meta["has_tokens"] for pt in parts)}
    for pt in parts:
        for k in ("raw_rows", "files", "duplicates_dropped"):
            meta[k].update(pt.meta[k])
    return replace(out, meta=meta)


def messplus_usd(outcomes: Outcomes, tokens: np.ndarray | float | None = None,
                 usd_per_mtok: Sequence[float] = MESSPLUS_USD_PER_MTOK) -> Outcomes:
    """The paper's API-pricing variant: cost = tokens x ($0.06, $0.18, $0.88) per 1M tokens, unit "USD".

    Token counts come from ``outcomes.tokens`` when the data has ``tokens_<m>`` columns. The released MESS+ file
    has **no token columns**, so then ``tokens`` must be given: a scalar (tokens per request, all models), an
    ``(n,)`` array (per request) or an ``(n, m)`` array. Without either a :class:`DataError` says so.
    """
    prices = np.asarray(usd_per_mtok, dtype=float)
    if prices.shape != (outcomes.n_models,) or np.any(prices < 0) or not np.all(np.isfinite(prices)):
        raise DataError(f"{outcomes.name}: usd_per_mtok must hold {outcomes.n_models} finite prices >= 0, "
                        f"got {usd_per_mtok!r}")
    if tokens is None:
        if outcomes.tokens is None:
            raise DataError(f"{outcomes.name}: the MESS+ data has no token columns (tokens_<m>), so USD costs "
                            "cannot be computed from it; pass tokens= (per request or per request and model)")
        tok = outcomes.tokens
    else:
        tok = np.asarray(tokens, dtype=float)
        if tok.ndim == 0:
            tok = np.full(outcomes.quality.shape, float(tok))
        elif tok.shape == (outcomes.n_requests,):
            tok = np.repeat(tok[:, None], outcomes.n_models, axis=1)
        elif tok.shape != outcomes.quality.shape:
            raise DataError(f"{outcomes.name}: tokens must be a scalar, shape ({outcomes.n_requests},) or "
                            f"{outcomes.quality.shape}, got {tok.shape}")
    if not np.all(np.isfinite(tok)) or np.any(tok < 0):
        r, k = np.argwhere(~np.isfinite(tok) | (tok < 0))[0]
        raise DataError(f"{outcomes.name}: tokens of model {outcomes.models[k]!r} is {tok[r, k]} at row {r}; "
                        "must be finite and >= 0")
    cost = tok * prices[None, :] / 1e6
    meta = dict(outcomes.meta, cost="tokens x USD per 1M tokens " + "/".join(f"{x:g}" for x in prices))
    return replace(outcomes, name=outcomes.name + " (USD)", cost=cost, cost_unit="USD", tokens=tok, meta=meta)
