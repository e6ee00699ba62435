"""Render README.md's generated blocks from ``results/`` (numbers are pulled from files, never typed).

    python scripts/render_readme.py          # rewrite README.md in place
    python scripts/render_readme.py --check  # exit 1 if README.md is out of date

Blocks: ``<!-- claims:start -->...<!-- claims:end -->`` (every ``results/*/claims.json``) and
``<!-- table:NAME -->...<!-- /table:NAME -->`` for each NAME of :data:`TABLES`.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
RES = ROOT / "results"
START, END = "<!-- claims:start -->", "<!-- claims:end -->"


def _cell(x: object) -> str:
    if isinstance(x, float):
        x = f"{x:.4g}"
    return str(x).replace("|", "\\|").replace("\n", " ")


def markdown(df: pd.DataFrame) -> str:
    """A pipe table (no dependency on tabulate)."""
    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "|" + "---|" * len(df.columns)
    rows = ["| " + " | ".join(_cell(v) for v in r) + " |" for r in df.itertuples(index=False)]
    return "\n".join([head, sep, *rows])


def claims_table() -> str:
    rows = ["| notebook | claim | paper | ours | tolerance | passed | note |",
            "|---|---|---|---|---|---|---|"]
    n_pass = n_all = 0
    for path in sorted(RES.glob("*/claims.json")):
        for c in json.loads(path.read_text(encoding="utf-8")):
            n_all += 1
            n_pass += bool(c["passed"])
            mark = "yes" if c["passed"] else "**no**"
            rows.append("| " + " | ".join([f"[{path.parent.name}](results/{path.parent.name}/)", _cell(c["claim"]),
                                           _cell(c["paper"]), _cell(c["ours"]), _cell(c["tolerance"]), mark,
                                           _cell(c.get("note", ""))]) + " |")
    head = f"{n_pass} of {n_all} checked claims pass (rendered from `results/*/claims.json` by `make claims`).\n\n"
    return head + "\n".join(rows)


def messplus_mean() -> pd.DataFrame:
    """MESS+ main table, mean over the 8 benchmarks (messplus_main/main_table.csv)."""
    df = pd.read_csv(RES / "messplus_main" / "main_table.csv")
    m = df[df["benchmark"] == "Mean"]
    mcr = [c for c in df.columns if c.startswith("mcr_pct_")]
    out = pd.DataFrame({"router": m["router"], "operating cost (MJ)": m["cost_MJ"].round(3),
                        "request satisfaction (%)": m["satisfaction_pct"].round(2),
                        "target alpha (%)": m["alpha_pct"].round(2), "meets alpha": m["meets_alpha"],
                        "model calls " + " / ".join(c.replace("mcr_pct_", "") for c in mcr) + " (%)":
                            m[mcr].round(0).astype(int).astype(str).agg(" / ".join, axis=1)})
    return out


def pickllm_headline() -> pd.DataFrame:
    """PickLLM headline ratios per world/dataset (pickllm_*/headline.csv): the pooled "all contexts" row for
    cost and latency, the worst single context for accuracy."""
    parts = []
    for nb, col in (("pickllm_synthetic", "data"), ("pickllm_real", "dataset")):
        df = pd.read_csv(RES / nb / "headline.csv").rename(columns={col: "world"})
        pooled = df[df["context"] == "all contexts"].set_index(["world", "router"])
        per = df[df["context"] != "all contexts"].groupby(["world", "router"], sort=False)
        parts.append(pd.DataFrame({
            "world / dataset": [w for w, _ in pooled.index], "router": [r for _, r in pooled.index],
            "contexts": per["context"].nunique().reindex(pooled.index).to_numpy(),
            "session cost vs most expensive (%)": (-100 * pooled["cost_reduction_vs_expensive"]).round(1).to_numpy(),
            "mean latency vs random (%)": (-100 * pooled["latency_reduction_vs_random"]).round(1).to_numpy(),
            "min accuracy / best single model": per["accuracy_ratio_to_best_single"].min()
                                                .reindex(pooled.index).round(3).to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def arena_utility() -> pd.DataFrame:
    """User utility per task (reactive users, independent re-prompts), router x dataset (arena_main)."""
    df = pd.read_csv(RES / "arena_main" / "arena_table.csv")
    df = df[df["user"] == "reactive, independent"].copy()
    single = df["router"].str.startswith("only ")
    name = df["router"].where(~df["router"].str.startswith("game-optimal"), "game-optimal static")
    name = name.where(~name.str.startswith("game cascade"), "game cascade (1,1)")
    df["router"] = name
    best = df[single].groupby("dataset")["user_utility"].max().rename("best single model")
    piv = df[~single].pivot_table(index="router", columns="dataset", values="user_utility", aggfunc="first")
    piv = pd.concat([piv, best.to_frame().T])
    piv = piv.round(3).reset_index().rename(columns={"index": "router (user utility per task, V = 1)"})
    return piv


TABLES: dict[str, Callable[[], pd.DataFrame]] = {"messplus_mean": messplus_mean, "pickllm_headline": pickllm_headline,
                                                  "arena_utility": arena_utility}


def render(text: str) -> str:
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} block")
    pre, rest = text.split(START, 1)
    _, post = rest.split(END, 1)
    text = pre + START + "\n" + claims_table() + "\n" + END + post
    for name, fn in TABLES.items():
        pat = re.compile(rf"(<!-- table:{name} -->)(.*?)(<!-- /table:{name} -->)", re.S)
        if pat.search(text):
            text = pat.sub(lambda m: m.group(1) + "\n" + markdown(fn()) + "\n" + m.group(3), text)
    return text


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = render(text)
    if args.check:
        return 0 if new == text else 1
    readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
