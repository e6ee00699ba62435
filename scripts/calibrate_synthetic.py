"""Derive the synthetic zoo's calibration aggregates from the real (unlicensed) MESS+ and RouterBench data.

Writes ONLY aggregates to ``data/calibration/`` (no request, prompt or per-request value):

* ``models.csv``      source, position, model (column order of the synthetic zoo: ascending mean cost)
* ``benchmarks.csv``  source, benchmark, n (after dedup), n_raw, dropped, per-model accuracy, within-pattern
                      sd of the length proxy
* ``patterns.csv``    source, benchmark, pattern (one 0/1 character per model, in models.csv order), count, freq,
                      z_mean (shrunk mean of the standardised log prompt length among requests with the pattern)
* ``costs.csv``       source, benchmark, model, quantity (cost | latency), unit, n, mean, std, median,
                      log_mu, log_sigma (moment-matched lognormal), rho_len (corr. of log value with the length proxy),
                      rho_cost (latency rows: corr. of log latency with log cost of the same model)
* ``provenance.yaml`` input files, their sha256 and source commits, and the fitting choices

Length proxy: z = standardised log(number of characters of the prompt) per benchmark. Lognormal fit: ``log_sigma``
= sd of log(value); ``log_mu`` = log(mean) - log_sigma^2 / 2, so the fitted distribution has the sample mean.
For MESS+ (3 models) all 8 correctness patterns are listed (zeros included); for RouterBench (11 models) the
observed patterns with their counts. Shrinkage of z_mean: sum(z) / (count + 5).

Usage (anyone holding the files):  .venv/bin/python scripts/calibrate_synthetic.py [--data DIR] [--out DIR]
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from llmroute.data.routerbench import load_routerbench
from llmroute.data.messplus import MESSPLUS_MODELS, load_messplus
from llmroute.paths import REPO_ROOT, shared_data_dir

Z_SHRINK = 5.0
ROUTERBENCH_FILE = ("routerbench_zs", "routerbench_zs.tar.gz")
MESSPLUS_FILE = ("messplus", "inference_outputs.tar.gz")
MESSPLUS_CAL_BENCHMARKS = ("arc_challenge", "arc_easy", "boolq", "logiqa", "piqa", "sciq", "social_iqa",
                           "winogrande", "mmlu_abstract_algebra")


def _sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _commit(p: Path) -> str:
    c = p.parent / "COMMIT"
    return c.read_text().strip() if c.exists() else "unknown"


def _zscore_loglen(texts) -> np.ndarray:
    lens = np.array([len(str(t)) for t in texts], dtype=float)
    x = np.log1p(lens)
    sd = x.std()
    return (x - x.mean()) / (sd if sd > 0 else 1.0)


def _pattern_strings(q: np.ndarray) -> np.ndarray:
    bits = (q > 0.5).astype(int).astype(str)
    return np.array(["".join(r) for r in bits])


def _lognormal(values: np.ndarray, z: np.ndarray) -> dict:
    v = np.asarray(values, dtype=float)
    lv = np.log(np.maximum(v, 1e-300))
    sigma = float(lv.std())
    mean = float(v.mean())
    rho = float(np.corrcoef(lv, z)[0, 1]) if sigma > 0 and z.std() > 0 else 0.0
    return {"n": len(v), "mean": mean, "std": float(v.std()), "median": float(np.median(v)),
            "log_mu": float(np.log(mean) - sigma ** 2 / 2), "log_sigma": sigma, "rho_len": rho}


def calibrate_one(source: str, bench: str, models: list[str], q: np.ndarray, cost: np.ndarray, cost_unit: str,
                  latency: np.ndarray | None, texts, n_raw: int, all_patterns: bool):
    n, m = q.shape
    z = _zscore_loglen(texts)
    pat = _pattern_strings(q)
    keys = ["".join(p) for p in product("01", repeat=m)] if all_patterns else sorted(set(pat))
    prow, within = [], []
    for k in keys:
        sel = pat == k
        cnt = int(sel.sum())
        zm = float(z[sel].sum() / (cnt + Z_SHRINK))
        prow.append({"source": source, "benchmark": bench, "pattern": k, "count": cnt, "freq": cnt / n,
                     "z_mean": zm})
        if cnt:
            within.append(z[sel] - z[sel].mean())
    zw = float(np.concatenate(within).std()) if within else 1.0
    brow = {"source": source, "benchmark": bench, "n": n, "n_raw": n_raw, "dropped": n_raw - n,
            "n_patterns_observed": int(len(set(pat))), "z_within_sd": zw}
    for j, mdl in enumerate(models):
        brow[f"acc_{j}"] = float(q[:, j].mean())
    crow = []
    for j, mdl in enumerate(models):
        crow.append({"source": source, "benchmark": bench, "model": mdl, "quantity": "cost", "unit": cost_unit,
                     **_lognormal(cost[:, j], z)})
        if latency is not None:
            lc, ll = np.log(np.maximum(cost[:, j], 1e-300)), np.log(np.maximum(latency[:, j], 1e-300))
            r = float(np.corrcoef(lc, ll)[0, 1]) if lc.std() > 0 and ll.std() > 0 else 0.0
            crow.append({"source": source, "benchmark": bench, "model": mdl, "quantity": "latency", "unit": "s",
                         **_lognormal(latency[:, j], z), "rho_cost": r})
    return brow, prow, crow


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=None, help="folder laid out like shared/data (default: llmroute.paths)")
    ap.add_argument("--out", default=str(REPO_ROOT / "data" / "calibration"))
    a = ap.parse_args(argv)
    root = Path(a.data) if a.data else shared_data_dir()
    if root is None:
        print("shared data folder not found: pass --data or set LLMROUTE_DATA", file=sys.stderr)
        return 2
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    mp_path = root.joinpath(*MESSPLUS_FILE)
    rb_path = root.joinpath(*ROUTERBENCH_FILE)
    B, P, C, M = [], [], [], []
    prov = {"script": "scripts/calibrate_synthetic.py", "aggregate_only": True,
            "length_proxy": "z = standardised log1p(characters of the prompt) per benchmark",
            "lognormal": "log_sigma = sd(log x); log_mu = log(mean x) - log_sigma^2/2 (keeps the sample mean)",
            "z_mean_shrinkage": f"sum(z)/(count+{Z_SHRINK:g})", "sources": {}}

    # ---- MESS+ ----
    for j, mdl in enumerate(MESSPLUS_MODELS):
        M.append({"source": "messplus", "position": j, "model": mdl})
    for b in MESSPLUS_CAL_BENCHMARKS:
        o = load_messplus(b, path=mp_path)
        n_raw = o.meta["raw_rows"][b]
        br, pr, cr = calibrate_one("messplus", b, list(o.models), o.quality, o.cost, "J", o.latency, o.text,
                                   n_raw, all_patterns=True)
        B.append(br); P += pr; C += cr
    prov["sources"]["messplus"] = {
        "file": "messplus/inference_outputs.tar.gz", "sha256": _sha256(mp_path), "commit": _commit(mp_path),
        "origin": "github.com/ryanzhangofficial/RouterDC data/inference_outputs.tar.gz", "licence": "none declared",
        "dedup": "doc_id, keep first in sorted member order (llmroute.data.messplus.load_messplus)",
        "quality": "acc_norm (ARC) / acc", "cost": "energy_consumption (J)", "latency": "inference_time (s)"}

    # ---- RouterBench (through the project's loader, so calibration and replay see the same rows) ----
    rb = load_routerbench(path=rb_path)
    order = list(rb.models)
    for j, mdl in enumerate(order):
        M.append({"source": "routerbench", "position": j, "model": mdl})
    for b in sorted(set(rb.domain)):
        g = rb.take(rb.domain == b)
        br, pr, cr = calibrate_one("routerbench", b, order, g.quality, g.cost, "USD", None, g.text,
                                   g.n_requests, all_patterns=False)
        B.append(br); P += pr; C += cr
    prov["sources"]["routerbench"] = {
        "file": "routerbench_zs/routerbench_zs.tar.gz", "sha256": _sha256(rb_path), "commit": _commit(rb_path),
        "origin": "github.com/shuhao02/RouterDC datasets/routerbench_zs/", "licence": "none declared",
        "cleaning": ("llmroute.data.routerbench.load_routerbench: " + str(rb.meta.get("merge_rule", "")) +
                     f" ({rb.meta.get('n_split_rows_merged', 0)} merged); train and test files pooled"),
        "quality": "per-model correctness column", "cost": "<model>|total_cost (USD)", "latency": "none"}

    bdf = pd.DataFrame(B)
    acc_cols = sorted([c for c in bdf.columns if c.startswith("acc_")], key=lambda s: int(s.split("_")[1]))
    bdf = bdf[[c for c in bdf.columns if not c.startswith("acc_")] + acc_cols]
    fmt = "%.10g"
    pd.DataFrame(M).to_csv(out / "models.csv", index=False)
    bdf.to_csv(out / "benchmarks.csv", index=False, float_format=fmt)
    pd.DataFrame(P).to_csv(out / "patterns.csv", index=False, float_format=fmt)
    pd.DataFrame(C).to_csv(out / "costs.csv", index=False, float_format=fmt)
    (out / "provenance.yaml").write_text(yaml.safe_dump(prov, sort_keys=True, width=110))
    print(f"wrote {out}: {len(bdf)} benchmarks, {len(P)} pattern rows, {len(C)} distribution rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
