"""Tabulate every dataset: per-model accuracy, cost, latency, correctness overlap, and baseline frontiers.

Used by ``notebooks/data_overview.ipynb``. :func:`catalog` lists every dataset the repository can read here
(real when the files are present, the calibrated synthetic zoo otherwise for MESS+ and RouterBench, always one
synthetic benchmark as the embedded default); :func:`baseline_points` replays every baseline router on one
table and returns its (cost per request, mean quality) point.

It lives at the package root, not in :mod:`llmroute.data`, because it replays routers: the data layer does not
depend on the engine (issue 11). :func:`pareto_front` is :func:`llmroute.metrics.pareto_front`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import routers
from .data.registry import load, load_or_synthetic
from .data.schema import Outcomes
from .metrics import mean_ci, pareto_front
from .replay import replay

__all__ = ["Entry", "baseline_points", "catalog", "entries_for", "messplus_data_note", "frontier_groups", "messplus_model_means", "model_table",
           "overlap", "overlap_long", "pareto_front", "pattern_counts"]


@dataclass(frozen=True)
class Entry:
    """One dataset of the catalogue: a label, its table and whether it is real or synthetic."""

    label: str
    family: str
    outcomes: Outcomes
    synthetic: bool


def catalog(rng: np.random.Generator, *, messplus_benchmarks: tuple[str, ...] | None = None,
            n_synthetic: int | None = None) -> list[Entry]:
    """Every dataset: MESS+ per benchmark, RouteLLM (MMLU, GSM8K, MT-Bench), OmnisBench, LLMRouter,
    RouterBench per eval, and the synthetic MESS+ ARC-C zoo (the embedded default).

    ``messplus_benchmarks`` restricts MESS+ (quick runs); ``n_synthetic`` caps synthetic sample sizes.
    """
    from .data.messplus import MESSPLUS_BENCHMARKS
    from .data.routerbench import EVAL_NAMES

    out: list[Entry] = []
    for b in messplus_benchmarks or MESSPLUS_BENCHMARKS:
        o = load_or_synthetic("messplus", b, rng)
        out.append(Entry(f"MESS+ {b}", "messplus", o, bool(o.meta.get("synthetic"))))
    for b in ("mmlu", "gsm8k", "mt_bench"):
        out.append(Entry(f"RouteLLM {b}", "routellm", load("routellm", benchmark=b), False))
    out.append(Entry("OmnisBench", "omnisbench", load("omnisbench"), False))
    out.append(Entry("LLMRouter", "llmrouter", load("llmrouter"), False))
    for e in EVAL_NAMES:
        o = load_or_synthetic("routerbench", e, rng)
        out.append(Entry(f"RouterBench {e}", "routerbench", o, bool(o.meta.get("synthetic"))))
    from .data.synthetic import synthetic_zoo
    o = synthetic_zoo("messplus", "arc_challenge", n=n_synthetic, rng=rng)
    out.append(Entry("synthetic MESS+ arc_challenge", "synthetic", o, True))
    return out


def entries_for(dataset: str | None, rng: np.random.Generator, *, quick: bool = False) -> list[Entry]:
    """The datasets of the data overview: every built-in one (:func:`catalog`; ``quick``: two MESS+ benchmarks and
    2,000 synthetic requests) when ``dataset`` is None, else the one table ``dataset`` names: a file path (read with
    :func:`llmroute.data.read`: CSV, Parquet or JSON Lines in long format) or a built-in ``name[:subset]`` (as
    ``llmroute datasets`` lists them)."""
    if dataset is None:
        from .data.messplus import MESSPLUS_BENCHMARKS

        return catalog(rng, messplus_benchmarks=MESSPLUS_BENCHMARKS[:2] if quick else None,
                       n_synthetic=2000 if quick else None)
    from pathlib import Path

    from .cli import load_source

    o = load_source(str(dataset))
    is_file = Path(dataset).exists()
    label = Path(dataset).name if is_file else str(dataset)
    return [Entry(label, "user" if is_file else str(dataset).partition(":")[0], o, bool(o.meta.get("synthetic")))]


def model_table(entries: list[Entry]) -> pd.DataFrame:
    """Per dataset and model: accuracy (mean quality over the table's requests) with its 95 % Student-t interval
    over requests (:func:`llmroute.metrics.mean_ci`: the sampling uncertainty of a benchmark of this size), mean
    cost per request with unit, mean latency (s)."""
    rows = []
    for e in entries:
        o = e.outcomes
        for k, m in enumerate(o.models):
            acc, lo, hi = mean_ci(o.quality[:, k])
            rows.append({"dataset": e.label, "data": "synthetic" if e.synthetic else "real", "model": m,
                         "cost_rank": k, "n_requests": o.n_requests, "accuracy": acc, "accuracy_lo": lo,
                         "accuracy_hi": hi, "mean_cost": o.mean_cost()[k], "cost_unit": o.cost_unit,
                         "mean_latency_s": o.mean_latency()[k]})
    return pd.DataFrame(rows)


def overlap(outcomes: Outcomes, threshold: float = 0.5) -> pd.DataFrame:
    """``P(model j correct | model i correct)`` (row i, column j); quality > ``threshold`` counts as correct."""
    c = outcomes.quality > threshold
    both = c.T.astype(float) @ c.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        cond = both / c.sum(axis=0)[:, None]
    return pd.DataFrame(cond, index=outcomes.models, columns=outcomes.models)


def pattern_counts(outcomes: Outcomes, threshold: float = 0.5, *, normalize: bool = True) -> pd.Series:
    """Frequencies (``normalize=True``) or counts of the joint correctness patterns, one character per model
    in column order (e.g. '011': cheapest wrong, the others right); quality > ``threshold`` counts as correct.
    Patterns that never occur are absent."""
    c = (outcomes.quality > threshold).astype(int)
    keys = ["".join(map(str, r)) for r in c]
    return pd.Series(keys).value_counts(normalize=normalize).sort_index()


def overlap_long(entries: list[Entry], threshold: float = 0.5) -> pd.DataFrame:
    """:func:`overlap` of every entry in long form: ``dataset, model_i, model_j, p_j_given_i``."""
    parts = []
    for e in entries:
        ov = overlap(e.outcomes, threshold)
        parts.append(ov.stack().rename("p_j_given_i").rename_axis(["model_i", "model_j"]).reset_index()
                     .assign(dataset=e.label))
    return pd.concat(parts, ignore_index=True)


def messplus_model_means(rng: np.random.Generator, benchmarks: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Per MESS+ benchmark and model: accuracy (mean correctness) and mean GPU joules per request, with the
    data's provenance: ``n_docs`` (rows after de-duplication on ``doc_id``), ``raw_rows`` (rows in the authors'
    file), ``duplicate_rows = raw_rows - n_docs``, ``captures = raw_rows / n_docs``, ``split_size`` (the lm-eval split, spec messplus.md §3.3), ``synthetic`` and a ``note`` from
    :func:`messplus_data_note`. Every benchmark of the paper's table unless ``benchmarks`` is given; the real
    data when present, else the calibrated synthetic zoo (drawn with ``rng``)."""
    from .data.messplus import MESSPLUS_BENCHMARKS, MESSPLUS_SPLIT_SIZES

    rows = []
    for b in benchmarks or MESSPLUS_BENCHMARKS:
        o = load_or_synthetic("messplus", b, rng)
        note = messplus_data_note(o, b, MESSPLUS_SPLIT_SIZES[b])
        acc, joules = o.mean_quality(), o.mean_cost()
        raw = int(o.meta.get("raw_rows", {}).get(b, o.n_requests))
        for k, m in enumerate(o.models):
            rows.append({"benchmark": b, "model": m, "accuracy": float(acc[k]), "mean_joules": float(joules[k]),
                         "n_docs": o.n_requests, "raw_rows": raw, "duplicate_rows": raw - o.n_requests,
                         "captures": raw / o.n_requests, "split_size": MESSPLUS_SPLIT_SIZES[b],
                         "synthetic": bool(o.meta.get("synthetic")), "note": note})
    return pd.DataFrame(rows)


def messplus_data_note(outcomes: Outcomes, benchmark: str, split_size: int) -> str:
    """What differs between the MESS+ file of ``benchmark`` and the lm-eval split (empty when nothing does):
    synthetic data, duplicate captures dropped (``meta["raw_rows"]`` vs rows kept), or fewer documents than the
    split's ``split_size``. Computed from the table's metadata, never typed."""
    if outcomes.meta.get("synthetic"):
        return "Real data absent: synthetic zoo calibrated to the MESS+ aggregates."
    n = outcomes.n_requests
    raw = int(outcomes.meta.get("raw_rows", {}).get(benchmark, n))
    parts = []
    if raw != n:
        parts.append(f"The authors' file holds {raw:,} rows for {n:,} distinct doc_ids ({raw / n:.2f} captures per "
                     f"document on average); we de-duplicate on doc_id, so accuracies and energies are over {n:,} "
                     f"documents")
    if n != split_size:
        parts.append(f"It holds {n:,} documents of the {split_size:,} in the lm-eval split")
    return "".join(f"{p}. " for p in parts).strip()


def baseline_points(outcomes: Outcomes, *, seed: int = 0, alphas: tuple[float, ...] = (), n_seeds: int = 5,
                    conf: float = 0.95) -> pd.DataFrame:
    """(cost per request, mean quality) of every single model, random, both oracles and educated guessing
    at each target ``alpha`` (defaults: midway between the cheapest and the best model's accuracy).

    Each router is replayed with the ``n_seeds`` seeds ``seed, seed + 1, ...`` (they change the stream order and
    the random router's draws); cost, quality and latency are means over seeds. ``mean_quality_lo/_hi``: the
    Student-t ``conf`` interval over requests of each request's quality averaged over the seeds, i.e. the
    sampling uncertainty of a benchmark of this size (:func:`llmroute.metrics.mean_ci`).
    """
    if n_seeds < 1:
        raise ValueError(f"n_seeds must be >= 1, got {n_seeds}")
    acc = outcomes.mean_quality()
    rts = [routers.get("single", outcomes, model=k) for k in range(outcomes.n_models)]
    names = [f"only {m}" for m in outcomes.models]
    rts += [routers.get(n, outcomes) for n in ("random", "oracle", "oracle-cost-oblivious")]
    names += ["random", "oracle (cheapest correct)", "oracle (cost-oblivious)"]
    for a in alphas or (float(acc[0] + 0.5 * (acc.max() - acc[0])),):
        rts.append(routers.get("educated-guessing", outcomes, alpha=a))
        names.append(f"educated guessing (alpha={a:.2f})")
    rows = []
    for name, r in zip(names, rts):
        sums, per_req = [], np.zeros(outcomes.n_requests)
        for s in range(seed, seed + n_seeds):
            res = replay(outcomes, r, seed=s)
            sums.append(res.summary())
            q = np.zeros(outcomes.n_requests)
            q[res.columns["row"]] = res.columns["quality"]
            per_req += q / n_seeds
        _, lo, hi = mean_ci(per_req, conf)
        kind = "single model" if name.startswith("only ") else name.split(" (")[0]
        rows.append({"router": name, "kind": kind, "n_seeds": n_seeds,
                     "cost_per_request": float(np.mean([x["cost_per_request"] for x in sums])),
                     "mean_quality": float(np.mean([x["mean_quality"] for x in sums])),
                     "mean_quality_lo": lo, "mean_quality_hi": hi,
                     "mean_latency_s": float(np.mean([x["mean_latency_s"] for x in sums]))})
    return pd.DataFrame(rows)


def frontier_groups(entries: list[Entry], per_figure: int = 4) -> list[list[Entry]]:
    """The entries split, in catalogue order, into figures of at most ``per_figure`` panels (readable at 10 in)."""
    if per_figure < 1:
        raise ValueError(f"per_figure must be >= 1, got {per_figure}")
    return [entries[k:k + per_figure] for k in range(0, len(entries), per_figure)]
