"""Render README.md's generated blocks from ``results/`` (numbers are pulled from files, never typed).

    python scripts/render_readme.py          # rewrite README.md in place
    python scripts/render_readme.py --check  # exit 1 if README.md is out of date

Blocks: ``<!-- claims:start -->...<!-- claims:end -->`` (the tally by kind of every ``results/*/claims.json`` and
the table of the papers' own claims); also writes the full ledger ``CLAIMS.md`` and
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


KIND_ORDER = ("paper-number", "paper-statement", "derivation", "data-check", "finding")
KIND_TEXT = {"paper-number": "a number printed in the paper",
             "paper-statement": "a qualitative statement of the paper (a theorem, a figure's shape)",
             "derivation": "our reconstruction or the spec's derivation checked against itself",
             "data-check": "a dataset matches its own README or the paper's table of it",
             "finding": "something we found beyond the papers"}


def load_claims() -> list[dict]:
    """Every claim of every ``results/*/claims.json``, with its notebook under ``notebook``."""
    out = []
    for path in sorted(RES.glob("*/claims.json")):
        for c in json.loads(path.read_text(encoding="utf-8")):
            out.append({"notebook": path.parent.name, **c})
    return out


def _value(x: object) -> str:
    if isinstance(x, float):
        return f"{x:.4g}"
    if isinstance(x, list):
        return ", ".join(_value(v) for v in x)
    return str(x)


def _margin(c: dict) -> str:
    m = c.get("margin")
    if m is None:
        return ""
    if c["criterion"].startswith("ours <=") or c["criterion"].startswith("ours >="):
        return f"slack {m:.3g}"
    return f"{m:.3g} of tol"


def claims_tally(claims: list[dict]) -> str:
    """Passed / total per kind, the five kinds in a fixed order."""
    rows = ["| kind | what it means | passed / total |", "|---|---|---|"]
    for k in KIND_ORDER:
        sel = [c for c in claims if c["kind"] == k]
        rows.append(f"| `{k}` | {KIND_TEXT[k]} | {sum(c['passed'] for c in sel)} / {len(sel)} |")
    rows.append(f"| all | | {sum(c['passed'] for c in claims)} / {len(claims)} |")
    return "\n".join(rows)


def paper_claims_table(claims: list[dict]) -> str:
    """The paper's own numbers and statements, failures first (the full ledger is CLAIMS.md)."""
    sel = [c for c in claims if c["kind"] in ("paper-number", "paper-statement")]
    sel.sort(key=lambda c: (c["passed"], KIND_ORDER.index(c["kind"]), c["notebook"]))
    rows = ["| verdict | claim | paper's value | ours | criterion | source | why not / note |",
            "|---|---|---|---|---|---|---|"]
    for c in sel:
        mark = "pass" if c["passed"] else "**FAIL**"
        rows.append("| " + " | ".join([mark, f"{_cell(c['claim'])} ([{c['notebook']}](CLAIMS.md#{c['id']}))",
                                       _cell(_value(c["reference"])), _cell(_value(c["ours"])), _cell(c["criterion"]),
                                       _cell(c["source"]), _cell(c.get("note", ""))]) + " |")
    return "\n".join(rows)


#: The verdict table at the top of the README: (paper, what the paper says, the paper's value in words, how ours
#: reads, claim ids). ``{ours}`` and ``{ci}`` are filled from results/*/claims.json; a row with several ids
#: summarises them (range of ours, how many pass).
HEADLINE: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("Routing game", "Theorem 3: both models value-dominated (or both latency-dominated) means static routing",
     "statement", "{ours} counterexamples (random games)", ("game-provider-theorem3-static",)),
    ("Routing game", "Theorem 5: a cascade is used only inside the band min t/p < V < max t/p", "statement",
     "{ours} grid cells outside the band", ("game-provider-cascade-in-band",)),
    ("Routing game", "Propositions 1-2: misalignment iff the cost and latency rankings differ; throttling pays iff P < min c/p",
     "statements", "{ours} counterexamples", ("game-misalignment-throttling-proposition1",
                                               "game-misalignment-throttling-proposition2")),
    ("Routing game on measured pairs", "the provider-optimal policy is static on real model pairs (ours, beyond the paper)",
     "statement", "{ours} datasets with a cascade", ("arena-main-game-optimum-static",)),
    ("MESS+", "about 2x cheaper than RouteLLM at the same SLA", "about 2x", "{ours}x{ci} (our RouteLLM-style stand-in)",
     ("messplus-main-saving-vs-routellm-equal-sla",)),
    ("MESS+", "about 2x cheaper than RouterDC at the same SLA", "about 2x", "{ours}x{ci} (our RouterDC-style stand-in)",
     ("messplus-main-saving-vs-routerdc-equal-sla",)),
    ("MESS+", "meets the SLA target alpha on every benchmark", "every benchmark", "missed on {ours} benchmarks",
     ("messplus-main-meets-alpha",)),
    ("PickLLM (third-party report, not in the paper)", "session cost reduction vs always the most expensive model",
     "60 %", "{ours} %", ("pickllm-synthetic-cost-reduction", "pickllm-real-omnisbench-cost-reduction",
                          "pickllm-real-llmrouter-cost-reduction", "pickllm-real-routerbench-cost-reduction",
                          "pickllm-real-messplus-cost-reduction")),
    ("PickLLM (third-party report, not in the paper)", "mean latency reduction vs random selection", "52 %", "{ours} %",
     ("pickllm-synthetic-latency-reduction", "pickllm-real-omnisbench-latency-reduction",
      "pickllm-real-messplus-latency-reduction")),
    ("PickLLM", "custom weights steer the converged model", "statement", "weights change nothing in {ours} of 5 contexts",
     ("pickllm-synthetic-weights-steer-within-context",)),
)


def _interval(c: dict) -> str:
    d = c.get("detail") or {}
    lo, hi = d.get("ci_low"), d.get("ci_high")
    if lo is None and isinstance(d.get("ci95"), list):
        lo, hi = d["ci95"]
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
        return f" [{lo:.3g}, {hi:.3g}]"
    return ""


def _num(x: object) -> str:
    return f"{x:.3g}" if isinstance(x, float) else str(x)


def headline_table(claims: list[dict]) -> str:
    """About ten rows: what each paper says, the paper's value, ours (with a 95 % interval where computed), verdict."""
    by_id = {c["id"]: c for c in claims}
    rows = ["| paper | claim | the paper says | ours (95 % CI) | verdict | details |", "|---|---|---|---|---|---|"]
    for paper, text, says, fmt, ids in HEADLINE:
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise SystemExit(f"README headline row {text!r}: {missing} not in results/*/claims.json")
        sel = [by_id[i] for i in ids]
        if len(sel) == 1:
            ours = fmt.format(ours=_num(sel[0]["ours"]), ci=_interval(sel[0]))
            verdict = "reproduced" if sel[0]["passed"] else "**not reproduced**"
        else:
            vals = [float(c["ours"]) for c in sel]
            rng = f"{min(vals):.3g}" if min(vals) == max(vals) else f"{min(vals):.3g} to {max(vals):.3g}"
            ours = fmt.format(ours=rng, ci="") + f" ({len(sel)} checks)"
            k = sum(c["passed"] for c in sel)
            verdict = "reproduced" if k == len(sel) else f"**{k} of {len(sel)}** within tolerance"
        links = {}
        for c in sel:
            links.setdefault(c["notebook"], c["id"])
        where = ", ".join(f"[{nb}](CLAIMS.md#{cid})" for nb, cid in sorted(links.items()))
        rows.append("| " + " | ".join([paper, _cell(text), says, _cell(ours), verdict, where]) + " |")
    return "\n".join(rows)


def claims_block() -> str:
    claims = load_claims()
    return (f"{sum(c['passed'] for c in claims)} of {len(claims)} declared claims pass; by kind:\n\n"
            + claims_tally(claims) + "\n\nThe paper's own numbers and statements (failures first); every claim, "
            "with its criterion, margin and source, is in [CLAIMS.md](CLAIMS.md):\n\n" + paper_claims_table(claims))


def claims_md() -> str:
    """The full ledger: every claim by id, grouped by notebook and kind."""
    claims = load_claims()
    lines = ["# The claims ledger", "",
             "Generated by `make claims` (`scripts/render_readme.py`) from `results/*/claims.json`; do not edit by hand.",
             "Each claim is declared before the run in `notebooks/claims/<notebook>.yaml` (text, kind, source, reference,",
             "tolerance, criterion); the notebook supplies only `ours`, and the verdict is computed by `llmroute.ledger`.",
             "", "**margin**: for two-sided criteria `|ours - reference| / tolerance` (passes when <= 1, shown as "
             "\"x of tol\"); for one-sided criteria the slack to the threshold in the claim's units (passes when >= 0). "
             "A bound claim is declared on the ratio measured / bound, so `ours` is its tightness.", "",
             claims_tally(claims), ""]
    for nb in sorted({c["notebook"] for c in claims}):
        sel = [c for c in claims if c["notebook"] == nb]
        lines += [f"## {nb}", "", f"{sum(c['passed'] for c in sel)} of {len(sel)} pass. Results: "
                  f"[results/{nb}/](results/{nb}/), executed notebook: [results/{nb}/{nb}.ipynb](results/{nb}/{nb}.ipynb), "
                  f"declarations: [notebooks/claims/{nb}.yaml](notebooks/claims/{nb}.yaml).", ""]
        for k in KIND_ORDER:
            ks = [c for c in sel if c["kind"] == k]
            if not ks:
                continue
            lines += [f"### {nb}: {k}", "", "| id | claim | reference | ours | criterion | verdict | margin | source | note |",
                      "|---|---|---|---|---|---|---|---|---|"]
            for c in ks:
                lines.append("| " + " | ".join([f'<a id="{c["id"]}"></a>`{c["id"]}`', _cell(c["claim"]),
                                                _cell(_value(c["reference"])), _cell(_value(c["ours"])), _cell(c["criterion"]),
                                                "pass" if c["passed"] else "**FAIL**", _margin(c), _cell(c["source"]),
                                                _cell(c.get("note", ""))]) + " |")
            lines.append("")
    return "\n".join(lines)


def messplus_mean() -> pd.DataFrame:
    """MESS+ at equal SLA, mean over the 8 benchmarks (messplus_main/main_table.csv, built from equal_sla.csv)."""
    df = pd.read_csv(RES / "messplus_main" / "main_table.csv")
    m = df[df["benchmark"] == "Mean"]
    n_bench = df.loc[df["benchmark"] != "Mean", "benchmark"].nunique()
    mcr = [c for c in df.columns if c.startswith("mcr_pct_")]
    return pd.DataFrame({
        "router": m["router"], "operating cost (MJ, mean of benchmarks)": m["cost_MJ"].round(3),
        "request satisfaction (%)": m["satisfaction_pct"].round(2), "target alpha (%)": m["alpha_pct"].round(2),
        "benchmarks meeting alpha": [f"{int(k)} of {n_bench}" for k in m["n_benchmarks_meeting_alpha"]],
        "model calls " + " / ".join(c.replace("mcr_pct_", "") for c in mcr) + " (%)":
            m[mcr].round(0).astype(int).astype(str).agg(" / ".join, axis=1)})


def messplus_savings() -> pd.DataFrame:
    """Cost-saving factor of MESS+ (baseline cost / MESS+ cost) where both meet alpha (messplus_main/saving_summary.csv)."""
    df = pd.read_csv(RES / "messplus_main" / "saving_summary.csv")
    fmt = [("" if pd.isna(r["mean"]) else f"{r['mean']:.2f}x [{r['ci_low']:.2f}, {r['ci_high']:.2f}]") for _, r in df.iterrows()]
    return pd.DataFrame({"baseline": df["router"], "baseline cost / MESS+ cost (95 % CI)": fmt,
                         "benchmarks where both meet alpha": [f"{int(a)} of {int(b)}" for a, b in
                                                               zip(df["n_equal_sla"], df["n_benchmarks"])]})


def pickllm_headline() -> pd.DataFrame:
    """PickLLM headline ratios per world/dataset (pickllm_*/headline.csv): the pooled "all contexts" row for
    cost and latency (as reductions, the sign the claims use: a negative latency reduction is slower than random),
    the worst single context for accuracy."""
    parts = []
    for nb, col in (("pickllm_synthetic", "data"), ("pickllm_real", "dataset")):
        df = pd.read_csv(RES / nb / "headline.csv").rename(columns={col: "world"})
        pooled = df[df["context"] == "all contexts"].set_index(["world", "router"])
        per = df[df["context"] != "all contexts"].groupby(["world", "router"], sort=False)
        parts.append(pd.DataFrame({
            "world / dataset": [w for w, _ in pooled.index], "router": [r for _, r in pooled.index],
            "contexts": per["context"].nunique().reindex(pooled.index).to_numpy(),
            "session cost reduction vs most expensive (%)": (100 * pooled["cost_reduction_vs_expensive"]).round(1).to_numpy(),
            "mean latency reduction vs random (%)": (100 * pooled["latency_reduction_vs_random"]).round(1).to_numpy(),
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


def messplus_auc() -> pd.DataFrame:
    """How good the satisfaction predictor must be for MESS+ to beat the cheapest single model meeting alpha
    (messplus_predictors/auc_thresholds*.csv)."""
    a = pd.read_csv(RES / "messplus_predictors" / "auc_thresholds.csv")
    f = pd.read_csv(RES / "messplus_predictors" / "auc_thresholds_fixed_V.csv").set_index("benchmark")
    yes = {True: "yes", False: "no"}
    return pd.DataFrame({
        "benchmark": a["benchmark"], "alpha": a["alpha"],
        "cheapest single model meeting alpha (MJ)": [f"{m} ({c:.3f})" for m, c in zip(a["single_model"], a["single_cost_mj"])],
        "learned predictor pays": a["learned_pays"].map(yes), "shrinkage predictor pays": a["shrinkage_pays"].map(yes),
        "AUC needed (V per predictor)": a["crossing_auc"].round(2),
        "AUC needed (the paper's V)": f.loc[a["benchmark"], "crossing_auc"].round(2).to_numpy()})


def field_winners() -> pd.DataFrame:
    """Who wins where (arena_routers/winners.csv): by AIQ on held-out requests, and for users who leave."""
    w = pd.read_csv(RES / "arena_routers" / "winners.csv")
    lb = pd.read_csv(RES / "arena_routers" / "leaderboard.csv")
    seeds = int(lb["seeds"].min())

    def margin(m, lo, hi):
        return f"+{m:.4f} [{lo:.4f}, {hi:.4f}]"

    return pd.DataFrame({
        "dataset": w["dataset"],
        f"best AIQ (held-out, {seeds} seeds)": [f"{a} ({v:.3f})" for a, v in zip(w["aiq_winner"], w["aiq"])],
        "AIQ margin over runner-up (95 % CI)": [f"{r}: " + margin(m, lo, hi) for r, m, lo, hi in
                                                zip(w["aiq_runner_up"], w["aiq_margin"], w["aiq_margin_ci_low"],
                                                    w["aiq_margin_ci_high"])],
        "best for users who leave (utility per task)": [f"{a} ({v:.3f})" for a, v in zip(w["user_winner"], w["user_utility"])],
        "AIQ winner's rank for users": w["aiq_winner_rank_user"].astype(int),
        "Spearman(AIQ rank, user rank)": w["spearman_aiq_user"].round(2)})


TABLES: dict[str, Callable[[], pd.DataFrame]] = {"field_winners": field_winners, "messplus_auc": messplus_auc, "messplus_mean": messplus_mean, "messplus_savings": messplus_savings, "pickllm_headline": pickllm_headline,
                                                  "arena_utility": arena_utility}


def render(text: str) -> str:
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} ... {END} block")
    pre, rest = text.split(START, 1)
    _, post = rest.split(END, 1)
    text = pre + START + "\n" + claims_block() + "\n" + END + post
    hs, he = "<!-- headline:start -->", "<!-- headline:end -->"
    if hs in text and he in text:
        pre, rest = text.split(hs, 1)
        _, post = rest.split(he, 1)
        text = pre + hs + "\n" + headline_table(load_claims()) + "\n" + he + post
    for name, fn in TABLES.items():
        pat = re.compile(rf"(<!-- table:{name} -->)(.*?)(<!-- /table:{name} -->)", re.S)
        if pat.search(text):
            text = pat.sub(lambda m: m.group(1) + "\n" + markdown(fn()) + "\n" + m.group(3), text)
    return text


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    readme, ledger = ROOT / "README.md", ROOT / "CLAIMS.md"
    text = readme.read_text(encoding="utf-8")
    new, new_ledger = render(text), claims_md()
    old_ledger = ledger.read_text(encoding="utf-8") if ledger.exists() else ""
    if args.check:
        stale = [p.name for p, a, b in ((readme, new, text), (ledger, new_ledger, old_ledger)) if a != b]
        if stale:
            print(f"out of date with results/: {', '.join(stale)} (run `make claims`)", file=sys.stderr)
        return 1 if stale else 0
    readme.write_text(new, encoding="utf-8")
    ledger.write_text(new_ledger, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
