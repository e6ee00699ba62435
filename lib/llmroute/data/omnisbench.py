"""OmnisBench per-item outcomes of a cheap and a big model, with measured USD cost and latency.

Source: github.com/Fortitude-Group/OmnisBench (Apache-2.0), run ``results_2026-08-19.json`` priced with
``pricing_2026-08-18.yaml`` (copied to ``data/prices/omnisbench_2026-08-18.yaml``). The policies
``always_cheap`` (every item answered by ``openai/gpt-5-nano``) and ``always_big`` (every item answered by
``anthropic/claude-opus-5``) each cover all 364 items (GSM8K 200 + HumanEval 164), so together they give the
full outcome table of these two models; the other policies (oracle, random) are partial and not used.
A reduced copy (one row per item and model: dataset, item_id, model, passed, cost_usd, input_tokens,
output_tokens, latency_ms) is vendored in ``data/omnisbench/`` by ``scripts/vendor_open_data.py``.

quality = passed (0/1); cost = ``cost_usd`` as recorded (it equals tokens x the dated price table to 1e-17,
checked in the tests); latency = ``latency_ms / 1000`` seconds; tokens = input + output tokens;
``domain`` = dataset (``"gsm8k"``, ``"humaneval"``); ``request_id = "<dataset>/<item_id>"``.
README facts: big passes .992 vs cheap .945; mean cost $0.00625 vs $0.00043; mean latency 3.3 s vs 7.2 s
(the cheap model is the slower one).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .._validate import check_choice
from ._io import as_bool, as_float, as_str, build, require_columns, require_file, vendored
from .schema import DataError, Outcomes

RUN = "2026-08-19"
POLICIES = {"always_cheap": "openai/gpt-5-nano", "always_big": "anthropic/claude-opus-5"}
DATASETS = ("gsm8k", "humaneval")
SOURCE = ("github.com/Fortitude-Group/OmnisBench (Apache-2.0); shared copy: omnisbench/results_2026-08-19.json "
          "with pricing_2026-08-18.yaml")
LICENSE = "Apache-2.0"
PRICE_TABLE = "omnisbench_2026-08-18"
VENDORED_FILE = f"outcomes_{RUN}.csv.gz"
COLUMNS = ("dataset", "item_id", "model", "passed", "cost_usd", "input_tokens", "output_tokens", "latency_ms")


def read_original(path: str | Path) -> pd.DataFrame:
    """The ``always_cheap`` / ``always_big`` items of an OmnisBench results JSON as the tidy vendored frame."""
    p = require_file(path, SOURCE)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise DataError(f"{p}: not valid JSON ({e.msg} at line {e.lineno})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise DataError(f"{p}: missing column 'items' (a list of per-item results)")
    items = pd.DataFrame(doc["items"])
    require_columns(items, ("policy", "chosen_model", *[c for c in COLUMNS if c != "model"]), p)
    items = items[items["policy"].isin(list(POLICIES))].reset_index(drop=True)
    if items.empty:
        raise DataError(f"{p}: column 'policy' has no rows of policies {', '.join(POLICIES)}")
    expected = items["policy"].map(POLICIES)
    wrong = (items["chosen_model"] != expected).to_numpy()
    if wrong.any():
        r = int(np.flatnonzero(wrong)[0])
        raise DataError(f"{p}: column 'chosen_model' is {items['chosen_model'][r]!r} at row {r} of policy "
                        f"{items['policy'][r]!r}; expected {expected[r]!r}")
    return items.rename(columns={"chosen_model": "model"})[list(COLUMNS)]


def _validate(df: pd.DataFrame, label: str) -> pd.DataFrame:
    require_columns(df, COLUMNS, label)
    out = pd.DataFrame({"dataset": as_str(df, "dataset", label), "item_id": as_str(df, "item_id", label),
                        "model": as_str(df, "model", label), "passed": as_bool(df, "passed", label)})
    for c in ("cost_usd", "input_tokens", "output_tokens", "latency_ms"):
        out[c] = as_float(df, c, label, lo=0.0)
    dup = out.duplicated(["dataset", "item_id", "model"]).to_numpy()
    if dup.any():
        r = int(np.flatnonzero(dup)[0])
        raise DataError(f"{label}: column 'item_id' repeats {out['item_id'][r]!r} for model {out['model'][r]!r} "
                        f"at row {r}")
    return out


def load_omnisbench(dataset: str | None = None, path: str | Path | None = None) -> Outcomes:
    """OmnisBench outcomes of gpt-5-nano and claude-opus-5 (all 364 items, or one ``dataset``).

    ``path``: ``None`` reads the vendored ``data/omnisbench/outcomes_2026-08-19.csv.gz``; otherwise the
    original ``results_*.json`` or a vendored-format CSV.
    """
    if dataset is not None:
        check_choice("dataset", dataset, DATASETS)
    if path is None:
        file = require_file(vendored("omnisbench", VENDORED_FILE), SOURCE)
        raw = pd.read_csv(file, keep_default_na=False, na_values=[""])
    else:
        file = require_file(path, SOURCE)
        raw = read_original(file) if file.suffix == ".json" else pd.read_csv(file, keep_default_na=False,
                                                                             na_values=[""])
    label = str(file)
    df = _validate(raw, label)
    models = sorted(df["model"].unique())
    if set(models) != set(POLICIES.values()):
        raise DataError(f"{label}: column 'model' holds {models}; expected exactly {sorted(POLICIES.values())}")
    items = df.drop_duplicates(["dataset", "item_id"])[["dataset", "item_id"]].reset_index(drop=True)
    key = items.set_index(["dataset", "item_id"]).index
    mats = {}
    for c in ("passed", "cost_usd", "latency_ms", "input_tokens", "output_tokens"):
        wide = df.pivot(index=["dataset", "item_id"], columns="model", values=c).reindex(key)[models]
        mats[c] = wide.to_numpy(dtype=float)
    missing = np.isnan(mats["cost_usd"])
    if missing.any():
        r, k = np.argwhere(missing)[0]
        raise DataError(f"{label}: column 'model' lacks a row of model {models[k]!r} for item "
                        f"{items['item_id'][r]!r} (item {r} in file order); each item needs both models")
    if dataset is not None:
        keep = (items["dataset"] == dataset).to_numpy()
        if not keep.any():
            raise DataError(f"{label}: column 'dataset' has no rows of {dataset!r}")
        items = items[keep].reset_index(drop=True)
        mats = {c: m[keep] for c, m in mats.items()}
    meta = {"synthetic": False, "path": label, "source": SOURCE, "license": LICENSE, "run_date": RUN,
            "price_table": PRICE_TABLE, "policies": dict(POLICIES),
            "quality": "passed (0/1)", "cost": "cost_usd as recorded by OmnisBench",
            "latency": "latency_ms / 1000 (s)", "tokens": "input_tokens + output_tokens"}
    return build(f"omnisbench{'/' + dataset if dataset else ''}", models, mats["passed"], mats["cost_usd"],
                 cost_unit="USD", request_id=(items["dataset"] + "/" + items["item_id"]).to_numpy(),
                 domain=items["dataset"].to_numpy(), latency=mats["latency_ms"] / 1000.0,
                 tokens=mats["input_tokens"] + mats["output_tokens"], source=SOURCE, meta=meta)
