"""LLMRouter routing data: 6,108 questions x 9 open models (7B-70B) with per-model scores.

Source: github.com/ulab-uiuc/LLMRouter (MIT): ``train.json.gz`` (5,608 rows ``{question, scores, cluster_id}``)
and ``test.json`` (500 rows ``{question, scores}``); ``default_llm.json`` gives USD per 1M input / output
tokens per model (copied to ``data/prices/llmrouter_default_llm.yaml``; where a model's free-text ``feature``
quotes another price, e.g. qwen2.5-7b-instruct "$0.30", the numeric ``input_price``/``output_price`` fields are
used). A reduced copy (split, cluster_id, question, 9 score columns) is vendored in ``data/llmrouter/`` by
``scripts/vendor_open_data.py``.

quality = the score as given: mostly 0/1, but 2.4 % of the scores are fractions in (0, 1) (partial credit);
``domain = "llmrouter"`` (the data names no benchmark); ``request_id = "<split>/<row>"``. 119 test questions
also occur in the train split (69 of them with identical scores); they are kept, so ``split="all"`` holds both
copies (counted in ``meta["n_test_questions_in_train"]``).

Cost (USD) is an ESTIMATE, because the data has no token counts per request:
``input_tokens = ceil(len(question) / chars_per_token)`` (default 4 characters per token) and a fixed
``output_tokens`` per request for every model (default 256, an assumption of ours; pass a dict
``{model: tokens}`` for per-model values); ``cost = (input_tokens * input_price + output_tokens *
output_price) / 1e6``. Both rules are recorded in ``meta["cost_estimate"]``. Because several models share a
price, ties in mean cost are broken by model name. No latency.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from .._validate import check_choice, check_int
from ._io import as_float, as_str, build, require_columns, require_file, vendored
from .prices import estimate_tokens, load_price_table
from .schema import DataError, Outcomes

MODELS = ("codegemma-7b", "gemma-2-9b-it", "llama-3.1-8b-instruct", "llama-3.1-nemotron-51b-instruct",
          "llama-3.3-nemotron-super-49b-v1", "llama3-chatqa-1.5-70b", "llama3-chatqa-1.5-8b",
          "mistral-7b-instruct-v0.3", "qwen2.5-7b-instruct")
SPLITS = ("all", "train", "test")
SOURCE = "github.com/ulab-uiuc/LLMRouter (MIT); shared copy: llmrouter/train.json.gz, test.json, default_llm.json"
LICENSE = "MIT"
PRICE_TABLE = "llmrouter_default_llm"
VENDORED_FILE = "llmrouter.csv.gz"
ORIGINAL_FILES = {"train": "train.json.gz", "test": "test.json"}


def _read_json_rows(file: Path, split: str) -> pd.DataFrame:
    opener = gzip.open if file.name.endswith(".gz") else open
    try:
        with opener(file, "rt", encoding="utf-8") as fh:
            rows = json.load(fh)
    except (json.JSONDecodeError, OSError, UnicodeDecodeError) as e:
        raise DataError(f"{file}: not valid JSON ({e})") from None
    if not isinstance(rows, list):
        raise DataError(f"{file}: expected a list of {{question, scores}} records")
    recs = []
    for i, r in enumerate(rows):
        if not isinstance(r, dict) or "question" not in r:
            raise DataError(f"{file}: missing column 'question' at row {i}")
        sc = r.get("scores")
        if not isinstance(sc, dict):
            raise DataError(f"{file}: missing column 'scores' at row {i}")
        for m in MODELS:
            if m not in sc:
                raise DataError(f"{file}: missing column 'scores.{m}' at row {i}")
        recs.append({"split": split, "cluster_id": r.get("cluster_id", -1), "question": r["question"],
                     **{m: sc[m] for m in MODELS}})
    return pd.DataFrame(recs, columns=["split", "cluster_id", "question", *MODELS])


def read_original(folder: str | Path) -> pd.DataFrame:
    """``train.json.gz`` + ``test.json`` of a folder as the tidy vendored frame (train rows first)."""
    d = require_file(folder, SOURCE)
    parts = [_read_json_rows(require_file(d / f, SOURCE), s) for s, f in ORIGINAL_FILES.items()]
    return pd.concat(parts, ignore_index=True)


def load_llmrouter(split: str = "all", path: str | Path | None = None, *, chars_per_token: float = 4.0,
                   output_tokens: int | Mapping[str, int] = 256,
                   price_table: str | Path = PRICE_TABLE) -> Outcomes:
    """LLMRouter outcomes (see the module docstring for quality and the cost estimate).

    ``path``: ``None`` reads the vendored ``data/llmrouter/llmrouter.csv.gz``; otherwise the original folder
    (``train.json.gz`` + ``test.json``), or a vendored-format CSV.
    """
    check_choice("split", split, SPLITS)
    if isinstance(output_tokens, Mapping):
        out_tok = {m: check_int(f"output_tokens[{m!r}]", output_tokens.get(m, -1), lo=0) for m in MODELS}
    else:
        v = check_int("output_tokens", output_tokens, lo=0)
        out_tok = {m: v for m in MODELS}
    if path is None:
        file = require_file(vendored("llmrouter", VENDORED_FILE), SOURCE)
        raw = pd.read_csv(file, keep_default_na=False, na_values=[""])
    else:
        file = require_file(path, SOURCE)
        raw = read_original(file) if file.is_dir() else pd.read_csv(file, keep_default_na=False, na_values=[""])
    label = str(file)
    require_columns(raw, ("split", "cluster_id", "question", *MODELS), label)
    splits = as_str(raw, "split", label)
    bad = ~np.isin(splits, ["train", "test"])
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise DataError(f"{label}: column 'split' is {splits[r]!r} at row {r}; must be 'train' or 'test'")
    question = as_str(raw, "question", label)
    quality = np.column_stack([as_float(raw, m, label, lo=0.0, hi=1.0) for m in MODELS])
    pos = np.zeros(len(raw), dtype=int)
    for s in ("train", "test"):
        pos[splits == s] = np.arange((splits == s).sum())
    rid = np.array([f"{s}/{i}" for s, i in zip(splits, pos)])
    train_q = set(question[splits == "train"])
    n_overlap = int(sum(q in train_q for q in question[splits == "test"]))
    if split != "all":
        keep = splits == split
        question, quality, rid = question[keep], quality[keep], rid[keep]
    prices = load_price_table(price_table)
    tin = estimate_tokens(question, chars_per_token)
    cost = np.column_stack([prices.cost(m, tin, out_tok[m]) for m in MODELS])
    frac = (quality > 0) & (quality < 1)
    meta = {
        "synthetic": False, "path": label, "source": SOURCE, "license": LICENSE, "split": split,
        "price_table": prices.describe(), "n_test_questions_in_train": n_overlap,
        "fraction_partial_scores": float(frac.mean()),
        "quality": "score as given (0/1, some partial-credit fractions)",
        "cost_estimate": (f"USD = (input_tokens * input_price + output_tokens * output_price) / 1e6 with "
                          f"input_tokens = ceil(len(question) / {chars_per_token:g}) estimated from the question "
                          f"text and fixed output_tokens per request {out_tok} (assumed); the data has no "
                          "token counts"),
    }
    return build(f"llmrouter/{split}", list(MODELS), quality, cost, cost_unit="USD", request_id=rid,
                 domain=np.array(["llmrouter"] * len(rid)), text=question, source=SOURCE, meta=meta)
