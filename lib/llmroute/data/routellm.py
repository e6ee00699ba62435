"""RouteLLM evaluation outcomes: Mixtral-8x7B-Instruct vs GPT-4-1106-preview on MMLU, GSM8K and MT-Bench.

Source: github.com/lm-sys/RouteLLM (Apache-2.0), folder ``routellm/evals`` (``routellm_evals.tar.gz`` in the
shared data). A reduced copy (prompts, per-model outcomes, a contamination flag; no model responses or judge
texts) is vendored in ``data/routellm/`` by ``scripts/vendor_open_data.py``; :func:`load_routellm` reads it by
default and reads the original archive (or its extracted ``evals`` folder) when given ``path``.

Per benchmark:

* ``"mmlu"``: the 57 subject CSVs (``prompt`` + one boolean column per model), 14,042 questions;
  ``domain = "mmlu/<subject>"``; quality = correctness (0/1). 105 prompts occur in more than one subject file;
  they are different MMLU items and are kept (counted in ``meta["n_repeated_prompts"]``).
* ``"gsm8k"``: 1,319 problems, quality = correctness; ``domain = "gsm8k"``.
* ``"mt_bench"``: 80 questions x 2 turns, GPT-4 judge score 1-10 per model and turn; quality = score / 10;
  one row per (question, turn), ``request_id = "<question_id>/t<turn>"``, ``domain = "mt_bench/<category>"``.

Contamination: each benchmark's ``contaminated_prompts.jsonl`` lists evaluation prompts found in RouteLLM's
router training data; they are dropped (as RouteLLM does) unless ``drop_contaminated=False``, and the number
dropped is in ``meta["n_contaminated_dropped"]`` (MMLU 5, GSM8K 12, MT-Bench 8 questions = 16 rows).
The README's MMLU facts (Mixtral .681, GPT-4 .806; both right 8,818, only GPT-4 2,497, only Mixtral 742,
both wrong 1,985) hold BEFORE that removal (all 14,042 rows); after it: 8,816 / 2,496 / 742 / 1,983.

Cost (USD): the data has no token counts, so cost is an estimate from the dated price table
``data/prices/routellm_2024-06-30.yaml`` (the paper's Appendix D prices): input tokens =
``ceil(len(prompt) / chars_per_token)`` (default 4 characters per token) and a fixed ``output_tokens`` per
request (default 264, the paper's mean response length), so ``cost = (in * p_in + out * p_out) / 1e6``.
Both assumptions are recorded in ``meta``. No latency.
"""
from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pandas as pd

from .._validate import check_choice, check_int
from ._io import as_bool, as_float, as_str, build, require_columns, require_file, vendored
from .prices import estimate_tokens, load_price_table
from .schema import DataError, Outcomes

MODELS = ("mistralai/Mixtral-8x7B-Instruct-v0.1", "gpt-4-1106-preview")
BENCHMARKS = ("mmlu", "gsm8k", "mt_bench")
SOURCE = "github.com/lm-sys/RouteLLM (routellm/evals, Apache-2.0); shared copy: routellm/routellm_evals.tar.gz"
LICENSE = "Apache-2.0"
PRICE_TABLE = "routellm_2024-06-30"
VENDORED_FILES = {b: f"{b}.csv.gz" for b in BENCHMARKS}


# ---- reading the original layout ------------------------------------------------------------------
class _Tree:
    """Uniform access to ``evals/...`` files in the tar.gz or in an extracted folder."""

    def __init__(self, path: Path):
        self.path = path
        self.tar = tarfile.open(path, "r:gz") if path.is_file() else None
        if self.tar is not None:
            self.names = {n.split("evals/", 1)[1]: n for n in self.tar.getnames() if "evals/" in n}
        else:
            root = path / "routellm" / "evals" if (path / "routellm" / "evals").is_dir() else path
            self.root = root
            self.names = {str(p.relative_to(root)): str(p) for p in root.rglob("*") if p.is_file()}

    def label(self, rel: str) -> str:
        return f"{self.path}!evals/{rel}" if self.tar is not None else str(self.root / rel)

    def exists(self, rel: str) -> bool:
        return rel in self.names

    def read(self, rel: str) -> bytes:
        if rel not in self.names:
            raise FileNotFoundError(f"{self.label(rel)} does not exist in the RouteLLM evals ({SOURCE})")
        if self.tar is not None:
            return self.tar.extractfile(self.names[rel]).read()
        return Path(self.names[rel]).read_bytes()

    def listdir(self, prefix: str) -> list[str]:
        return sorted(n for n in self.names if n.startswith(prefix))


def _contaminated(tree: _Tree, bench: str) -> set[str]:
    rel = f"{bench}/contaminated_prompts.jsonl"
    out = set()
    for i, line in enumerate(tree.read(rel).decode("utf-8").splitlines()):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{tree.label(rel)}: row {i} is not valid JSON ({e.msg})") from None
        if not isinstance(rec, dict) or not isinstance(rec.get("eval_prompt"), str):
            raise DataError(f"{tree.label(rel)}: column 'eval_prompt' missing or not a string at row {i}")
        out.add(rec["eval_prompt"])
    return out


def _bool_frame(raw: bytes, label: str) -> pd.DataFrame:
    df = pd.read_csv(io.BytesIO(raw), keep_default_na=False, na_values=[""])
    require_columns(df, ("prompt", *MODELS), label)
    out = pd.DataFrame({"prompt": as_str(df, "prompt", label)})
    for m in MODELS:
        out[m] = as_bool(df, m, label)
    return out


def read_original(path: str | Path, benchmark: str) -> pd.DataFrame:
    """One benchmark of the original RouteLLM evals as the tidy frame that is vendored.

    ``path``: ``routellm_evals.tar.gz`` or a folder holding ``evals/`` (or ``routellm/evals/``).
    Columns: mmlu ``subject, prompt, <models>, contaminated``; gsm8k ``prompt, <models>, contaminated``;
    mt_bench ``question_id, turn, category, prompt, <models>, contaminated`` (models hold judge scores 1-10).
    """
    check_choice("benchmark", benchmark, BENCHMARKS)
    p = require_file(path, SOURCE)
    tree = _Tree(p)
    bad = _contaminated(tree, benchmark)
    if benchmark == "mmlu":
        files = [f for f in tree.listdir("mmlu/responses/") if f.endswith(".csv")]
        if not files:
            raise FileNotFoundError(f"{tree.label('mmlu/responses/')}: no subject CSVs found ({SOURCE})")
        parts = []
        for rel in files:
            subject = Path(rel).stem.removeprefix("mmlu_")
            f = _bool_frame(tree.read(rel), tree.label(rel))
            f.insert(0, "subject", subject)
            parts.append(f)
        df = pd.concat(parts, ignore_index=True)
    elif benchmark == "gsm8k":
        rel = "gsm8k/gsm8k_responses.csv"
        df = _bool_frame(tree.read(rel), tree.label(rel))
    else:
        df = _read_mt_bench(tree)
    if benchmark != "mt_bench":
        df["contaminated"] = df["prompt"].isin(bad).to_numpy()
    return df


def _jsonl(tree: _Tree, rel: str) -> list[dict]:
    rows = []
    for i, line in enumerate(tree.read(rel).decode("utf-8").splitlines()):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise DataError(f"{tree.label(rel)}: row {i} is not valid JSON ({e.msg})") from None
    return rows


def _read_mt_bench(tree: _Tree) -> pd.DataFrame:
    qrel, jrel = "mt_bench/question.jsonl", "mt_bench/judgements.jsonl"
    questions = pd.DataFrame(_jsonl(tree, qrel))
    require_columns(questions, ("question_id", "category", "turns"), tree.label(qrel))
    judg = pd.DataFrame(_jsonl(tree, jrel))
    require_columns(judg, ("question_id", "model", "turn", "score"), tree.label(jrel))
    score = as_float(judg, "score", tree.label(jrel), lo=1.0, hi=10.0)
    judg = judg.assign(score=score)
    bad = _contaminated(tree, "mt_bench")
    rows = []
    for i, q in questions.iterrows():
        turns = q["turns"]
        if not isinstance(turns, list) or len(turns) != 2:
            raise DataError(f"{tree.label(qrel)}: column 'turns' at row {i} must be a list of 2 prompts")
        for t in (1, 2):
            row = {"question_id": int(q["question_id"]), "turn": t, "category": str(q["category"]),
                   "prompt": str(turns[t - 1]), "contaminated": turns[0] in bad}
            rows.append(row)
    df = pd.DataFrame(rows)
    for m in MODELS:
        s = judg[judg["model"] == m]
        dup = s.duplicated(["question_id", "turn"])
        if dup.any():
            r = int(s.index[np.flatnonzero(dup.to_numpy())[0]])
            raise DataError(f"{tree.label(jrel)}: duplicate judgement of model {m!r} at row {r}")
        key = dict(zip(zip(s["question_id"].astype(int), s["turn"].astype(int)), s["score"]))
        vals = [key.get((q, t), np.nan) for q, t in zip(df["question_id"], df["turn"])]
        if np.isnan(vals).any():
            r = int(np.flatnonzero(np.isnan(vals))[0])
            raise DataError(f"{tree.label(jrel)}: column 'score' has no judgement of model {m!r} for question "
                            f"{df['question_id'][r]} turn {df['turn'][r]} (row {r} of the question table)")
        df[m] = vals
    return df[["question_id", "turn", "category", "prompt", *MODELS, "contaminated"]]


# ---- the loader ---------------------------------------------------------------------------------------
def _read_vendored(file: Path, benchmark: str) -> pd.DataFrame:
    df = pd.read_csv(file, keep_default_na=False, na_values=[""])
    label = str(file)
    base = {"mmlu": ("subject", "prompt"), "gsm8k": ("prompt",),
            "mt_bench": ("question_id", "turn", "category", "prompt")}[benchmark]
    require_columns(df, (*base, *MODELS, "contaminated"), label)
    out = pd.DataFrame({c: as_str(df, c, label) for c in base if c in ("subject", "prompt", "category")})
    if benchmark == "mt_bench":
        out.insert(0, "question_id", as_float(df, "question_id", label).astype(int))
        out.insert(1, "turn", as_float(df, "turn", label, lo=1, hi=2).astype(int))
        for m in MODELS:
            out[m] = as_float(df, m, label, lo=1.0, hi=10.0)
    else:
        for m in MODELS:
            out[m] = as_bool(df, m, label)
    out["contaminated"] = as_bool(df, "contaminated", label)
    return out[[c for c in df.columns if c in out.columns]]


def load_routellm(benchmark: str = "mmlu", path: str | Path | None = None, *, drop_contaminated: bool = True,
                  chars_per_token: float = 4.0, output_tokens: int = 264,
                  price_table: str | Path = PRICE_TABLE) -> Outcomes:
    """RouteLLM outcomes of one benchmark (see the module docstring for rows, quality and the cost estimate).

    ``path``: ``None`` reads the vendored copy ``data/routellm/<benchmark>.csv.gz``; otherwise the original
    ``routellm_evals.tar.gz``, an extracted folder holding ``evals/``, or a vendored-format ``.csv.gz``.
    """
    check_choice("benchmark", benchmark, BENCHMARKS)
    output_tokens = check_int("output_tokens", output_tokens, lo=0)
    if path is None:
        file = require_file(vendored("routellm", VENDORED_FILES[benchmark]), SOURCE)
        df, where = _read_vendored(file, benchmark), str(file)
    else:
        p = require_file(path, SOURCE)
        if p.name.endswith(".csv.gz") or p.suffix == ".csv":
            df, where = _read_vendored(p, benchmark), str(p)
        else:
            df, where = read_original(p, benchmark), str(p)
    n_total = len(df)
    contaminated = df["contaminated"].to_numpy(dtype=bool)
    # request ids index the full file, so they do not shift when contaminated rows are dropped
    if benchmark == "mmlu":
        idx = df.groupby("subject").cumcount().to_numpy()
        rid = np.array([f"mmlu/{s}/{i}" for s, i in zip(df["subject"], idx)])
        dom = np.array([f"mmlu/{s}" for s in df["subject"]])
    elif benchmark == "gsm8k":
        rid = np.array([f"gsm8k/{i}" for i in range(n_total)])
        dom = np.array(["gsm8k"] * n_total)
    else:
        rid = np.array([f"mt_bench/{q}/t{t}" for q, t in zip(df["question_id"], df["turn"])])
        dom = np.array([f"mt_bench/{c}" for c in df["category"]])
    n_bad_questions = int(df.loc[contaminated, "question_id"].nunique()) if benchmark == "mt_bench" else None
    if drop_contaminated:
        keep = ~contaminated
        df, rid, dom = df[keep].reset_index(drop=True), rid[keep], dom[keep]
    prompts = df["prompt"].to_numpy(dtype=object)
    if benchmark == "mt_bench":
        quality = np.column_stack([df[m].to_numpy(dtype=float) / 10.0 for m in MODELS])
    else:
        quality = np.column_stack([df[m].to_numpy(dtype=float) for m in MODELS])
    prices = load_price_table(price_table)
    tin = estimate_tokens(prompts, chars_per_token)
    cost = np.column_stack([prices.cost(m, tin, output_tokens) for m in MODELS])
    meta = {
        "synthetic": False, "path": where, "source": SOURCE, "license": LICENSE, "benchmark": benchmark,
        "n_rows_in_file": int(n_total), "n_contaminated": int(contaminated.sum()),
        "n_contaminated_dropped": int(contaminated.sum()) if drop_contaminated else 0,
        "price_table": prices.describe(),
        "cost_estimate": (f"USD = (input_tokens * input_price + output_tokens * output_price) / 1e6 with "
                          f"input_tokens = ceil(len(prompt) / {chars_per_token:g}) estimated from the prompt "
                          f"text and a fixed output_tokens = {output_tokens} per request (RouteLLM paper, "
                          "Appendix D mean response length); the data has no token counts"),
        "quality": "judge score / 10 (GPT-4 judge, 1-10)" if benchmark == "mt_bench" else "correct (0/1)",
    }
    if benchmark == "mmlu":
        meta["n_repeated_prompts"] = int(df["prompt"].duplicated().sum())
    if benchmark == "mt_bench":
        meta["n_contaminated_questions"] = n_bad_questions
    return build(f"routellm/{benchmark}", list(MODELS), quality, cost, cost_unit="USD", request_id=rid,
                 domain=dom, text=prompts, source=SOURCE, meta=meta)
