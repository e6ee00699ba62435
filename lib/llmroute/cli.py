"""The ``llmroute`` command line: check your own outcome data and evaluate every router on it.

Examples::

    llmroute describe outcomes.csv
    llmroute evaluate outcomes.csv --out results/mine
    llmroute evaluate outcomes.csv --out results/mine --routers cheapest,mess+,educated-guessing --alpha 0.7
    llmroute evaluate routellm:gsm8k --out results/gsm8k --seeds 10 --users reactive
    llmroute evaluate outcomes.csv --out results/mine --scheduler tcp://10.0.0.5:8786
    llmroute datasets

``describe`` validates a file (long format, see :mod:`llmroute.data.tables`) and prints each model, cheapest
first, with its mean quality and cost and what the file lacks. ``evaluate`` replays every router that applies
to the data (or those of ``--routers``, names from :func:`llmroute.routers.names`) for ``--seeds`` seeds, through
the replay engine (``--users passive``) or the arena with re-prompting users (``--users reactive``), on local
processes or a Dask cluster (``--scheduler``), and writes ``summary.csv`` (one row per router: quality, cost,
AIQ, APGR, CPT(50 %), CPT(80 %), oracle gap, routing entropy with 95 % intervals over seeds, and ``meets_alpha``
for SLA routers), ``runs.csv`` (one row per router and seed), the cost-quality frontier (``frontier.png`` and
``.svg``) and ``report.md``. Bad input exits with status 2 and one line naming the file, column, request and line.

The command line calls the same library functions as the notebooks (:func:`llmroute.data.read`,
:func:`llmroute.routers.get`, :func:`llmroute.replay.replay`, :func:`llmroute.arena.run_arena`,
:func:`llmroute.replay.run_grid`, :mod:`llmroute.metrics`); it has no code path of its own.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: built-in datasets: name -> (loader name in llmroute.data.registry, description)
BUILTIN: dict[str, tuple[str, str]] = {
    "routellm": ("routellm", "RouteLLM: Mixtral vs GPT-4 (vendored; subsets mmlu, gsm8k, mt_bench), USD"),
    "omnisbench": ("omnisbench", "OmnisBench: gpt-5-nano vs claude-opus-5 (vendored), USD and latency"),
    "llmrouter": ("llmrouter", "LLMRouter: 9 models (vendored; split all, train, test), USD from a price table"),
    "messplus": ("messplus", "MESS+: 3 Llama sizes, 8 benchmarks, GPU energy in J, latency (needs ../shared/data)"),
    "routerbench": ("routerbench", "RouterBench: 11 models, USD (needs ../shared/data)"),
}
DEFAULT_SUBSET = {"routellm": "mmlu", "llmrouter": "all"}


class UsageError(Exception):
    """A bad command-line argument (exit status 2 with one line)."""


# -------------------------------------------------------------------------------------------------- loading
def load_source(source: str, *, cost_unit: str = "USD", missing: str = "error"):
    """A file path (read with :func:`llmroute.data.read`) or a built-in dataset ``name[:subset]``."""
    from .data import read

    p = Path(source)
    if p.exists():
        return read(p, cost_unit=cost_unit, missing=missing)
    name, _, subset = source.partition(":")
    if name in BUILTIN:
        from .data.registry import BENCHMARK_KW, load

        kw = {}
        sub = subset or DEFAULT_SUBSET.get(name)
        if sub:
            kw[BENCHMARK_KW[name]] = sub
        return load(BUILTIN[name][0], **kw)
    raise UsageError(f"{source}: no such file, and not a built-in dataset (llmroute datasets lists them: "
                     f"{', '.join(BUILTIN)})")


def describe_table(o) -> pd.DataFrame:
    """Per model, cheapest first: mean quality, mean cost, mean latency (NaN when missing)."""
    return pd.DataFrame({"model": o.models, "mean_quality": o.mean_quality(),
                         f"mean_cost_{o.cost_unit}": o.mean_cost(), "mean_latency_s": o.mean_latency()})


def missing_fields(o) -> list[str]:
    out = []
    if o.latency is None:
        out.append("latency (PickLLM needs it; the arena's latency costs are zero)")
    if o.text is None and o.features is None:
        out.append("text (RouteLLM-/RouterDC-style routers need it; MESS+ routes per domain)")
    if o.tokens is None:
        out.append("tokens")
    if len(o.domains) == 1:
        out.append("domain (one domain for every request)")
    return out


# -------------------------------------------------------------------------------------------------- one task
def evaluate_one(outcomes, router: str, settings: dict[str, Any], seed: int, users: str,
                 abandon: float, max_attempts: int) -> dict[str, Any]:
    """Build ``router`` from the registry, replay it (or run it in the arena) with ``seed``; one summary row."""
    from .routers import get

    r = get(router, outcomes=outcomes, **settings)
    if users == "passive":
        from .replay import replay

        s = replay(outcomes, r, seed=seed).summary()
        row = {"router": router, "label": r.name, "seed": seed, "mean_quality": s["mean_quality"],
               "cost_per_request": s["cost_per_request"], "mean_latency_s": s["mean_latency_s"]}
        row.update({k: v for k, v in s.items() if k.startswith("served_")})
        return row
    from .arena import ArenaUser, run_arena

    res = run_arena(outcomes, r, _arena_user(abandon, max_attempts), seed=seed)
    s = res.summary()
    row = {"router": router, "label": r.name, "seed": seed, "mean_quality": s["success_rate"],
           "cost_per_request": s["cost_per_task"], "mean_latency_s": s["latency_s_per_task"],
           "abandon_rate": s["abandon_rate"], "mean_attempts": s["mean_attempts"],
           "user_utility": s["user_utility"]}
    row.update({k: v for k, v in s.items() if k.startswith("served_")})
    return row


def _arena_user(abandon: float, max_attempts: int):
    from .arena import ArenaUser

    return ArenaUser(q=abandon, max_attempts=max_attempts)


# -------------------------------------------------------------------------------------------------- outputs
def _fmt(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (float, np.floating)):
        return "" if np.isnan(v) else f"{v:.4g}"
    return str(v)


def markdown_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for _, r in df.iterrows():
        lines.append("| " + " | ".join(_fmt(r[c]) for c in cols) + " |")
    return "\n".join(lines)


def frontier_figure(summary: pd.DataFrame, o, out: Path, title: str) -> list[Path]:
    """Cost-quality points of every router (95 % intervals over seeds), the routers' Pareto frontier and the
    non-decreasing convex hull of the single models."""
    from . import plotting as lp
    from .metrics import hull, pareto_front

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 5.0))
    fams = list(dict.fromkeys(summary["family"]))
    colours = dict(zip(fams, lp.palette(len(fams))))
    for _, r in summary.iterrows():
        xerr = None if np.isnan(r["cost_lo"]) else [[r["cost"] - r["cost_lo"]], [r["cost_hi"] - r["cost"]]]
        yerr = None if np.isnan(r["quality_lo"]) else [[r["quality"] - r["quality_lo"]], [r["quality_hi"] - r["quality"]]]
        ax.errorbar(r["cost"], r["quality"], xerr=xerr, yerr=yerr, fmt="o", color=colours[r["family"]],
                    label=r["family"], capsize=2, ms=6)
    # one label per distinct point (routers that coincide share it)
    at: dict[tuple[float, float], list[str]] = {}
    for _, r in summary.iterrows():
        at.setdefault((round(float(r["cost"]), 12), round(float(r["quality"]), 12)), []).append(str(r["router"]))
    for (x, y), names in at.items():
        ax.annotate(", ".join(names), (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8)
    ax.scatter(o.mean_cost(), o.mean_quality(), marker="s", s=18, color="0.55", zorder=1, label="single models")
    for m, x, y in zip(o.models, o.mean_cost(), o.mean_quality()):
        ax.annotate(m, (x, y), textcoords="offset points", xytext=(4, -10), fontsize=8, color="0.4")
    real = summary[summary["family"] != "oracle"]
    if len(real):
        f = pareto_front(real["cost"].to_numpy(), real["quality"].to_numpy())
        ax.plot(real["cost"].to_numpy()[f], real["quality"].to_numpy()[f], "-", color="0.3", lw=1,
                label="Pareto frontier (routers, oracles excluded)")
    hx, hy = hull(o.mean_cost(), o.mean_quality(), c_max=max(float(o.mean_cost().max()), float(summary["cost"].max())))
    ax.plot(hx, hy, "--", color="0.6", lw=1, label="hull of the single models")
    handles, labels = ax.get_legend_handles_labels()
    uniq = dict(zip(labels, handles))
    ax.legend(uniq.values(), uniq.keys(), loc="lower right")
    ax.set_xlabel(f"cost per request ({o.cost_unit})")
    ax.set_ylabel("mean quality")
    ax.set_title(title)
    paths = lp.savefig(fig, out, "frontier")
    plt.close(fig)
    return paths


def write_report(out: Path, o, summary: pd.DataFrame, skipped: dict[str, str], args: argparse.Namespace,
                 alpha: float, alpha_source: str, features: str) -> Path:
    from .metrics import oracle_quality, zoo_aiq

    cols = [c for c in ("router", "label", "quality", "quality_lo", "quality_hi", "cost", "aiq", "apgr", "cpt50",
                        "cpt80", "oracle_gap", "entropy", "alpha", "meets_alpha") if c in summary]
    lines = [f"# Routers on {o.name}", "",
             f"Data: `{o.source or o.name}`, {o.n_requests} requests, {o.n_models} models (cheapest first), cost in "
             f"{o.cost_unit}; {len(o.domains)} domain(s).", ""]
    if o.meta.get("dropped_requests"):
        lines += [f"Dropped {o.meta['dropped_requests']} requests without a row for every model.", ""]
    lines += [markdown_table(describe_table(o)), ""]
    miss = missing_fields(o)
    if miss:
        lines += ["Missing from the data: " + "; ".join(miss) + ".", ""]
    lines += [f"Users: {args.users}" + (f" (abandon probability {args.abandon:g} after a failed answer, at most "
                                        f"{args.max_attempts} attempts; quality = share of tasks solved, cost per task)"
                                        if args.users == "reactive" else " (one answer per request, the replay engine)")
              + ("; AIQ, APGR and CPT use the cheapest and the most accurate model measured with the same users, "
                 "and the oracle gap is not defined (the per-request oracle answers once)"
                 if args.users == "reactive" else "")
              + f". Seeds: {args.seeds}. SLA target alpha = {alpha:g} ({alpha_source}). Learned routers' features: "
              f"{features}.", "",
              markdown_table(summary[cols]), "",
              f"Per-request oracle quality: {oracle_quality(o):.4g}; AIQ of the single models alone: {zoo_aiq(o):.4g}.",
              "",
              "Metrics (llmroute.metrics): quality and cost are means over seeds with 95 % Student-t intervals; AIQ is "
              "the area under the non-decreasing convex hull of the router's point and the cheapest and most "
              "accurate models' points, over their cost range (RouterBench); APGR and CPT(50 %/80 %) are RouteLLM's, "
              "with the normalised cost (cheapest = 0, most accurate = 1) as the share of strong calls; oracle_gap "
              "is the per-request oracle's quality minus the router's; entropy is that of the served models in "
              "bits. meets_alpha: mean quality >= alpha (routers with an SLA target only). Oracles use hindsight "
              "and are references, not deployable routers.", ""]
    if skipped:
        lines += ["Routers that do not apply to this data:", ""]
        lines += [f"- `{k}`: {v}" for k, v in skipped.items()] + [""]
    p = out / "report.md"
    p.write_text("\n".join(lines), encoding="utf-8")
    return p


# -------------------------------------------------------------------------------------------------- commands
def cmd_describe(args: argparse.Namespace) -> int:
    o = load_source(args.source, cost_unit=args.cost_unit, missing="drop" if args.drop_incomplete else "error")
    print(f"{o.name}: {o.n_requests} requests x {o.n_models} models, cost in {o.cost_unit}, "
          f"{len(o.domains)} domain(s); models cheapest first:")
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(describe_table(o).to_string(index=False, float_format=lambda v: f"{v:.6g}"))
    if o.meta.get("dropped_requests"):
        print(f"dropped {o.meta['dropped_requests']} incomplete requests")
    miss = missing_fields(o)
    print("missing: " + ("; ".join(miss) if miss else "nothing"))
    if o.meta.get("ignored_columns"):
        print("ignored columns: " + ", ".join(o.meta["ignored_columns"]))
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    from .data.registry import available

    for name, (loader, text) in BUILTIN.items():
        print(f"{name:12s} {'available' if available(loader) else 'absent   '}  {text}")
    print("use as: llmroute evaluate NAME[:subset] --out DIR (or a file of your own)")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from . import routers as R
    from .metrics import router_metrics
    from .replay import run_grid

    t0 = time.perf_counter()
    o = load_source(args.source, cost_unit=args.cost_unit, missing="drop" if args.drop_incomplete else "error")
    if args.seeds < 1:
        raise UsageError(f"--seeds {args.seeds}: must be >= 1")
    if args.alpha is not None and not 0 < args.alpha < 1:
        raise UsageError(f"--alpha {args.alpha}: must be in (0, 1)")
    app = R.applicable(o)
    if args.routers:
        chosen = [r.strip() for r in args.routers.split(",") if r.strip()]
        for r in chosen:
            if r not in R.names():
                raise UsageError(f"--routers: unknown router {r!r}; known: {', '.join(R.names())}")
            why = app.get(r) if r in app else (R.spec(r).applies(o) if R.spec(r).applies else None)
            if why:
                raise UsageError(f"--routers: {r!r} does not apply to {o.name}: {why}")
        skipped = {}
    else:
        chosen = [r for r, why in app.items() if why is None]
        skipped = {r: why for r, why in app.items() if why}
    alpha = R.default_alpha(o) if args.alpha is None else float(args.alpha)
    alpha_source = ("default: midpoint of the cheapest and the most accurate model's mean quality"
                    if args.alpha is None else "--alpha")
    if args.users == "reactive":
        # the weak/strong reference points of AIQ/APGR/CPT must be measured with the same users
        chosen = list(dict.fromkeys(["cheapest", "most-accurate"] + chosen)) if o.n_models > 1 else chosen
    tasks = []
    alphas = {}
    for r in chosen:
        settings: dict[str, Any] = {}
        if R.spec(r).uses_alpha:
            settings["alpha"] = alpha
            alphas[r] = alpha
        if R.spec(r).family == "game" and args.users == "reactive":
            settings["user"] = _arena_user(args.abandon, args.max_attempts)
        for s in range(args.seeds):
            tasks.append({"outcomes": o, "router": r, "settings": settings, "seed": s, "users": args.users,
                          "abandon": args.abandon, "max_attempts": args.max_attempts})
    runs = run_grid(tasks, evaluate_one, n_jobs=args.n_jobs, progress=not args.no_progress,
                    desc=f"{len(chosen)} routers x {args.seeds} seeds", scheduler=args.scheduler)
    reference, oracle = None, None
    if args.users == "reactive":
        g = runs.groupby("router")[["mean_quality", "cost_per_request"]].mean()
        if o.n_models > 1:
            reference = (g.loc["cheapest", "mean_quality"], g.loc["cheapest", "cost_per_request"],
                         g.loc["most-accurate", "mean_quality"], g.loc["most-accurate", "cost_per_request"])
        oracle = float("nan")  # the per-request oracle is a one-answer notion: no gap with re-prompting users
    met = router_metrics(runs, o, alphas=alphas, reference=reference, oracle=oracle)
    labels = runs.groupby("router", sort=False)["label"].first()
    met.insert(1, "label", met["router"].map(labels))
    met.insert(2, "family", met["router"].map(lambda n: R.spec(n).family))
    lat = runs.groupby("router", sort=False)["mean_latency_s"].mean()
    met["latency_s"] = met["router"].map(lat)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    met.to_csv(out / "summary.csv", index=False)
    runs.to_csv(out / "runs.csv", index=False)
    from .routers.registry import features_for

    feats = features_for(o)[1] if any(R.spec(r).family in ("MESS+", "learned baseline") for r in chosen) else "none used"
    frontier_figure(met, o, out, f"{o.name}: {args.users} users, {args.seeds} seed(s)")
    write_report(out, o, met, skipped, args, alpha, alpha_source, feats)
    show = [c for c in ("router", "quality", "cost", "aiq", "apgr", "oracle_gap", "entropy", "meets_alpha") if c in met]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(met[show].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print(f"wrote {out / 'summary.csv'}, runs.csv, frontier.png/.svg, report.md "
          f"({len(chosen)} routers, {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="llmroute", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="examples:\n  llmroute describe outcomes.csv\n"
                                       "  llmroute evaluate outcomes.csv --out results/mine\n  llmroute datasets")
    sub = p.add_subparsers(dest="command", required=True)

    def data_args(sp):
        sp.add_argument("source", help="a long-format file (.csv, .parquet, .jsonl) or a built-in dataset "
                                       "NAME[:subset] (see `llmroute datasets`)")
        sp.add_argument("--cost-unit", default="USD", help="unit of the cost column (default USD)")
        sp.add_argument("--drop-incomplete", action="store_true",
                        help="drop requests without a row for every model (default: an error that counts them)")

    d = sub.add_parser("describe", help="validate a file and show its models, cheapest first",
                       epilog="example: llmroute describe outcomes.csv")
    data_args(d)
    d.set_defaults(func=cmd_describe)
    e = sub.add_parser("evaluate", help="replay every router on the data and write summary.csv, a frontier "
                                        "figure and report.md",
                       epilog="example: llmroute evaluate outcomes.csv --out results/mine --routers "
                              "cheapest,random,mess+ --alpha 0.7 --seeds 5")
    data_args(e)
    e.add_argument("--out", required=True, help="output folder")
    e.add_argument("--routers", help="comma-separated router names (default: every router that applies; "
                                     "`python -c 'import llmroute.routers as r; print(r.names())'`)")
    e.add_argument("--alpha", type=float, help="SLA target in (0, 1) for routers that take one (default: "
                                               "midpoint of the cheapest and the most accurate model's quality)")
    e.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    e.add_argument("--users", choices=("passive", "reactive"), default="passive",
                   help="passive: replay (one answer per request); reactive: the arena (users re-prompt)")
    e.add_argument("--abandon", type=float, default=0.5,
                   help="reactive users: probability of leaving after a failed answer (default 0.5)")
    e.add_argument("--max-attempts", type=int, default=5, help="reactive users: attempts per task (default 5)")
    e.add_argument("--scheduler", default="local",
                   help="'local' (processes, default), 'serial', or a Dask scheduler address tcp://HOST:PORT")
    e.add_argument("--n-jobs", type=int, default=-1, help="local processes (default: all cores)")
    e.add_argument("--no-progress", action="store_true", help="no progress bar")
    e.set_defaults(func=cmd_evaluate)
    ds = sub.add_parser("datasets", help="list the built-in datasets")
    ds.set_defaults(func=cmd_datasets)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``llmroute`` console script; returns the exit status."""
    from .data.schema import DataError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (DataError, UsageError, FileNotFoundError, KeyError) as e:
        msg = e.args[0] if isinstance(e, KeyError) and e.args else e
        print(f"llmroute {args.command}: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
