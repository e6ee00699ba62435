"""RouterBench zero-shot rows (RouterDC's ``routerbench_zs`` split): 11 models, ARC-C, MBPP, Winogrande.

Source: github.com/shuhao02/RouterDC, ``datasets/routerbench_zs/`` (derived from RouterBench). **No licence
is declared**, so this data is never vendored: it is read only from the shared data
(``routerbench_zs/routerbench_zs.tar.gz``, or an extracted folder of its CSVs, or one CSV).

Each CSV row: ``sample_id, prompt, eval_name``, per-model correctness (0/1), ``<model>|model_response``,
``<model>|total_cost`` (USD, as recorded by RouterBench), ``oracle_model_to_route_to``. The six files
(``<task>_train.csv`` / ``<task>_test.csv``) are stacked (train then test, tasks alphabetical).
quality = correctness; cost = ``<model>|total_cost``; ``domain`` = ``eval_name`` (``"arc-challenge"``,
``"mbpp"``, ``"winogrande"``); ``request_id`` = ``sample_id``; text = prompt. No latency.

Split rows: 14 ARC-Challenge ``sample_id`` s occur as two rows (in train and test, or twice in one file)
whose outcomes are complementary: one row holds only ``gpt-3.5-turbo-1106``'s correctness (NaN for the
others), the other row the other 10 models' (NaN for gpt-3.5), each with its own prompt rendering and costs.
They are merged into the row with 10 outcomes (its prompt, file and split are kept); every model's outcome
and cost come from the row that holds its outcome (``meta["n_split_rows_merged"]``). This leaves 3,164
requests (ARC-C 1,470, MBPP 427, Winogrande 1,267). Any other NaN or repeated ``sample_id`` is a
:class:`DataError`. ``split`` filters after merging.
"""
from __future__ import annotations

import io
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd

from .._validate import check_choice
from ..paths import SHARED_DATA_HINT, shared_data_dir
from ._io import as_float, as_str, build, require_columns, require_file
from .schema import DataError, Outcomes

MODELS = ("WizardLM/WizardLM-13B-V1.2", "claude-instant-v1", "claude-v1", "claude-v2", "gpt-3.5-turbo-1106",
          "gpt-4-1106-preview", "meta/code-llama-instruct-34b-chat", "meta/llama-2-70b-chat",
          "mistralai/mistral-7b-chat", "mistralai/mixtral-8x7b-chat", "zero-one-ai/Yi-34B-Chat")
EVAL_NAMES = ("arc-challenge", "mbpp", "winogrande")
SPLITS = ("all", "train", "test")
SOURCE = ("github.com/shuhao02/RouterDC, datasets/routerbench_zs/ (no licence declared: read from the shared "
          "data only, never vendored); shared copy: routerbench_zs/routerbench_zs.tar.gz")
LICENSE = "none declared (not redistributable; read from ../shared/data only)"
SHARED = ("routerbench_zs", "routerbench_zs.tar.gz")


def default_path() -> Path | None:
    """``<shared data>/routerbench_zs/routerbench_zs.tar.gz`` (may not exist), or ``None`` without shared data."""
    root = shared_data_dir()
    return None if root is None else root.joinpath(*SHARED)


def _csv_members(p: Path) -> list[tuple[str, bytes]]:
    if p.is_dir():
        return [(str(f), f.read_bytes()) for f in sorted(p.glob("*.csv"))]
    if p.suffix == ".csv":
        return [(str(p), p.read_bytes())]
    try:
        with tarfile.open(p, "r:*") as tar:
            out = []
            for m in sorted(tar.getmembers(), key=lambda m: m.name):
                if m.isfile() and m.name.endswith(".csv"):
                    out.append((f"{p}!{m.name.removeprefix('./')}", tar.extractfile(m).read()))
            return out
    except tarfile.TarError as e:
        raise DataError(f"{p}: not a readable tar archive ({e})") from None


def _split_of(label: str) -> str:
    stem = Path(label.split("!")[-1]).stem
    return "test" if stem.endswith("_test") else "train" if stem.endswith("_train") else "all"


def _order_key(item):
    label = item[0]
    return (Path(label.split("!")[-1]).stem.rsplit("_", 1)[0], 0 if _split_of(label) == "train" else 1)


def load_routerbench(eval_name: str | None = None, path: str | Path | None = None, *,
                     split: str = "all") -> Outcomes:
    """RouterBench zero-shot outcomes of 11 models (one ``eval_name`` or all three)."""
    if eval_name is not None:
        check_choice("eval_name", eval_name, EVAL_NAMES)
    check_choice("split", split, SPLITS)
    if path is None and default_path() is None:
        raise FileNotFoundError(f"shared data folder not found (looked at $LLMROUTE_DATA and ../shared/data); "
                                f"RouterBench comes from {SOURCE}. {SHARED_DATA_HINT}")
    p = require_file(default_path() if path is None else path, SOURCE)
    members = sorted(_csv_members(p), key=_order_key)
    if not members:
        raise FileNotFoundError(f"{p}: no CSV files found ({SOURCE})")
    frames = []
    for label, raw in members:
        df = pd.read_csv(io.BytesIO(raw), keep_default_na=False, na_values=["", "nan", "NaN"])
        cost_cols = [f"{m}|total_cost" for m in MODELS]
        require_columns(df, ("sample_id", "prompt", "eval_name", *MODELS, *cost_cols), label)
        q = np.column_stack([as_float(df, m, label, allow_nan=True, lo=0.0, hi=1.0) for m in MODELS])
        c = np.column_stack([as_float(df, col, label, lo=0.0) for col in cost_cols])
        frames.append(pd.DataFrame({
            "file": label, "split": _split_of(label), "row": np.arange(len(df)),
            "sample_id": as_str(df, "sample_id", label), "prompt": as_str(df, "prompt", label),
            "eval_name": as_str(df, "eval_name", label), "q": list(q), "c": list(c)}))
    df = pd.concat(frames, ignore_index=True)
    q, c = np.stack(df["q"].to_numpy()), np.stack(df["c"].to_numpy())
    # a sample_id split over two rows with complementary outcomes is merged into the row holding more of them
    drop = np.zeros(len(df), dtype=bool)
    merged_evals = []
    for _, idx in df.groupby(["eval_name", "sample_id"], sort=False).indices.items():
        if len(idx) == 1:
            continue
        have = ~np.isnan(q[idx])
        if len(idx) == 2 and (have.sum(axis=0) == 1).all():
            main, other = idx[np.argsort(-have.sum(axis=1), kind="stable")]
            take = np.isnan(q[main])
            q[main, take], c[main, take] = q[other, take], c[other, take]
            drop[other] = True
            merged_evals.append(df["eval_name"][main])
            continue
        i = int(idx[1])
        raise DataError(f"{df['file'][i]}: column 'sample_id' repeats {df['sample_id'][i]!r} at row {df['row'][i]} "
                        "and the copies are not complementary (each model's outcome in exactly one copy)")
    keep = ~drop
    df, q, c = df[keep].reset_index(drop=True), q[keep], c[keep]
    nan = np.isnan(q)
    if nan.any():
        i, k = (int(v) for v in np.argwhere(nan)[0])
        raise DataError(f"{df['file'][i]}: column {MODELS[k]!r} is NaN at row {df['row'][i]} (sample_id "
                        f"{df['sample_id'][i]!r}); NaN correctness is not allowed")
    unknown = ~df["eval_name"].isin(EVAL_NAMES).to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise DataError(f"{df['file'][i]}: column 'eval_name' is {df['eval_name'][i]!r} at row {df['row'][i]}; "
                        f"known: {', '.join(EVAL_NAMES)}")
    keep = np.ones(len(df), dtype=bool)
    if eval_name is not None:
        keep &= (df["eval_name"] == eval_name).to_numpy()
    if split != "all":
        keep &= (df["split"] == split).to_numpy()
    n_merged = sum(1 for e in merged_evals if eval_name is None or e == eval_name)
    df, q, c = df[keep].reset_index(drop=True), q[keep], c[keep]
    if df.empty:
        raise DataError(f"{p}: no rows of eval_name={eval_name!r}, split={split!r}")
    meta = {"synthetic": False, "path": str(p), "source": SOURCE, "license": LICENSE, "split": split,
            "n_split_rows_merged": n_merged,
            "merge_rule": ("a sample_id stored as two rows with complementary outcomes (one row holds only "
                           "gpt-3.5-turbo-1106's, the other the other 10 models') is merged into the row with more "
                           "outcomes; each model's outcome and cost come from the row holding its outcome"),
            "quality": "correct (0/1)", "cost": "<model>|total_cost as recorded (USD)"}
    return build(f"routerbench{'/' + eval_name if eval_name else ''}", list(MODELS), q, c, cost_unit="USD",
                 request_id=df["sample_id"].to_numpy(), domain=df["eval_name"].to_numpy(),
                 text=df["prompt"].to_numpy(dtype=object), source=SOURCE, meta=meta)
