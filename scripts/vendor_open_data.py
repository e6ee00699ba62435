#!/usr/bin/env python
"""Write the reduced, open-licence copies of the real data into ``data/`` (run from the repository root).

Reads ``../shared/data`` (or ``$LLMROUTE_DATA``) and writes, for the three sources whose licence allows it
(RouteLLM Apache-2.0, OmnisBench Apache-2.0, LLMRouter MIT):

* ``data/routellm/{mmlu,gsm8k,mt_bench}.csv.gz``: prompts, per-model outcomes, a ``contaminated`` flag
  (model responses and judge texts removed);
* ``data/omnisbench/outcomes_2026-08-19.csv.gz``: the always_cheap / always_big items, 8 columns
  (reference solutions, responses and item metadata removed);
* ``data/llmrouter/llmrouter.csv.gz``: split, cluster_id, question and the 9 score columns;
* each folder's ``LICENSE`` (copied unchanged) and ``ATTRIBUTION.md`` (source, commit, licence, reduction);
* the dated price tables ``data/prices/omnisbench_2026-08-18.yaml`` and ``data/prices/llmrouter_default_llm.yaml``
  converted from the sources' own price files.

RouterBench (``routerbench_zs``) and MESS+ declare no licence and are never vendored. The output is
byte-stable (gzip mtime 0, fixed row order), so re-running it changes nothing. The reading and validation
code is the loaders' own (``llmroute.data.<source>.read_original``).

Usage: ``.venv/bin/python scripts/vendor_open_data.py [--shared ../shared/data] [--out data]``
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import yaml

from llmroute.data import llmrouter, omnisbench, routellm
from llmroute.data.prices import parse_price_table
from llmroute.paths import REPO_ROOT, shared_data_dir

GZ = {"method": "gzip", "mtime": 0, "compresslevel": 9}
SCRIPT = "scripts/vendor_open_data.py"


def sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def write_csv(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, compression=GZ, lineterminator="\n")
    print(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}  "
          f"({len(df)} rows, {path.stat().st_size / 1e3:.0f} kB)")


def attribution(out: Path, *, title: str, repo: str, commit: str, licence: str, originals: list[Path],
                reduced: str, files: list[str]) -> None:
    lines = [f"# {title}: vendored reduced copy", "",
             f"- Source repository: https://{repo}", f"- Commit: `{commit}`", f"- Licence: {licence} "
             "(the source's `LICENSE` file is copied unchanged beside this file)",
             f"- Reduced by: `{SCRIPT}` (re-run it to regenerate these files byte for byte)", "",
             "## Original files (SHA-256)", ""]
    lines += [f"- `{p.name}`: `{sha256(p)}`" for p in originals]
    lines += ["", "## What was reduced", "", reduced, "", "## Files here", ""]
    lines += [f"- `{f}`" for f in files]
    lines += ["", "The data is redistributed under the licence above; the reduction (column selection, "
              "re-encoding as gzip CSV) is ours and adds no information.", ""]
    (out / "ATTRIBUTION.md").write_text("\n".join(lines), encoding="utf-8")


def write_yaml(path: Path, header: str, doc: dict) -> None:
    text = header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)
    parse_price_table(yaml.safe_load(text), str(path))   # validate before writing
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path}")


def vendor_routellm(shared: Path, out: Path) -> None:
    src = shared / "routellm"
    archive = src / "routellm_evals.tar.gz"
    dst = out / "routellm"
    files = []
    for b in routellm.BENCHMARKS:
        df = routellm.read_original(archive, b)
        write_csv(df, dst / routellm.VENDORED_FILES[b])
        files.append(routellm.VENDORED_FILES[b])
    shutil.copyfile(src / "LICENSE", dst / "LICENSE")
    attribution(dst, title="RouteLLM evaluation outcomes", repo="github.com/lm-sys/RouteLLM",
                commit=(src / "COMMIT").read_text().strip(), licence="Apache-2.0", originals=[archive],
                reduced=("From `routellm/evals/` in the archive: `mmlu/responses/mmlu_<subject>.csv` (57 files) -> "
                         "`mmlu.csv.gz` with columns subject, prompt, the two model correctness columns; "
                         "`gsm8k/gsm8k_responses.csv` -> `gsm8k.csv.gz` without the two model response columns; "
                         "`mt_bench/question.jsonl` + `judgements.jsonl` -> `mt_bench.csv.gz`, one row per "
                         "(question_id, turn) with category, the turn's prompt and each model's GPT-4 judge score "
                         "(judge prompts and judgement texts removed). Every file gains a boolean `contaminated` "
                         "column: the prompt (for MT-Bench, the question's first turn) is listed in the benchmark's "
                         "`contaminated_prompts.jsonl` (eval_prompt). No row is removed here; the loader drops "
                         "contaminated rows by default."),
                files=files)


def vendor_omnisbench(shared: Path, out: Path) -> None:
    src = shared / "omnisbench"
    results = src / f"results_{omnisbench.RUN}.json"
    pricing = src / "pricing_2026-08-18.yaml"
    dst = out / "omnisbench"
    df = omnisbench.read_original(results)
    write_csv(df, dst / omnisbench.VENDORED_FILE)
    shutil.copyfile(src / "LICENSE", dst / "LICENSE")
    commit = (src / "COMMIT").read_text().strip()
    attribution(dst, title="OmnisBench per-item results", repo="github.com/Fortitude-Group/OmnisBench",
                commit=commit, licence="Apache-2.0", originals=[results, pricing],
                reduced=(f"From `results_{omnisbench.RUN}.json`, the items of policies `always_cheap` "
                         "(openai/gpt-5-nano) and `always_big` (anthropic/claude-opus-5), 364 items each, with "
                         "columns dataset, item_id, model (= chosen_model), passed, cost_usd, input_tokens, "
                         "output_tokens, latency_ms. Removed: the other (partial) policies, the leaderboard, "
                         "reference solutions, model responses, grader and item metadata. The price table "
                         "`pricing_2026-08-18.yaml` is copied (same numbers, project format) to "
                         "`data/prices/omnisbench_2026-08-18.yaml`."),
                files=[omnisbench.VENDORED_FILE])
    doc = yaml.safe_load(pricing.read_text(encoding="utf-8"))
    table = {"snapshot_date": str(doc["snapshot_date"]),
             "source": (f"OmnisBench pricing_2026-08-18.yaml (github.com/Fortitude-Group/OmnisBench, commit "
                        f"{commit}, Apache-2.0), the price table of its {omnisbench.RUN} run"),
             "models": {m: {"input_per_mtok": float(v["input_per_mtok"]), "output_per_mtok": float(v["output_per_mtok"])}
                        for m, v in doc["models"].items()}}
    write_yaml(out / "prices" / "omnisbench_2026-08-18.yaml",
               "# USD per 1,000,000 tokens. Snapshot date is the filename. Written by scripts/vendor_open_data.py.\n",
               table)


def vendor_llmrouter(shared: Path, out: Path) -> None:
    src = shared / "llmrouter"
    dst = out / "llmrouter"
    df = llmrouter.read_original(src)
    write_csv(df, dst / llmrouter.VENDORED_FILE)
    shutil.copyfile(src / "LICENSE", dst / "LICENSE")
    commit = (src / "COMMIT").read_text().strip()
    attribution(dst, title="LLMRouter routing data", repo="github.com/ulab-uiuc/LLMRouter", commit=commit,
                licence="MIT", originals=[src / "train.json.gz", src / "test.json", src / "default_llm.json"],
                reduced=("`train.json.gz` (5,608 records) and `test.json` (500 records) -> `llmrouter.csv.gz` with "
                         "columns split (train/test), cluster_id (-1 for test, which has none), question and one "
                         "score column per model (9 models); records are kept in file order, train first. "
                         "`default_llm.json` -> `data/prices/llmrouter_default_llm.yaml` (the numeric "
                         "input_price / output_price fields; descriptions removed)."),
                files=[llmrouter.VENDORED_FILE])
    doc = json.loads((src / "default_llm.json").read_text(encoding="utf-8"))
    table = {"snapshot_date": "unknown",
             "source": (f"LLMRouter default_llm.json (github.com/ulab-uiuc/LLMRouter, commit {commit}, MIT): "
                        "input_price / output_price in USD per 1M tokens (NVIDIA-hosted endpoints). The file "
                        "carries no date; the commit identifies the snapshot."),
             "notes": ("qwen2.5-7b-instruct's description text quotes $0.30 per 1M tokens while its numeric fields "
                       "say $0.20; the numeric fields are used."),
             "models": {m: {"input_per_mtok": float(v["input_price"]), "output_per_mtok": float(v["output_price"])}
                        for m, v in doc.items()}}
    write_yaml(out / "prices" / "llmrouter_default_llm.yaml",
               "# USD per 1,000,000 tokens. Written by scripts/vendor_open_data.py from LLMRouter's default_llm.json.\n",
               table)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=None, help="shared data folder (default: ../shared/data)")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "data", help="output folder (default: data/)")
    args = ap.parse_args()
    shared = args.shared or shared_data_dir()
    if shared is None or not Path(shared).is_dir():
        raise SystemExit("shared data folder not found: pass --shared or set LLMROUTE_DATA")
    shared, out = Path(shared), args.out
    (out / "prices").mkdir(parents=True, exist_ok=True)
    vendor_routellm(shared, out)
    vendor_omnisbench(shared, out)
    vendor_llmrouter(shared, out)


if __name__ == "__main__":
    main()
