"""MESS+ grid throughput: 8 benchmarks x 3 alpha x 5 V x 3 c x 3 seeds (~1.8M decisions) with the online MLP
predictor (it learns only on exploration steps), vectorised by :func:`llmroute.messplus.simulate_grid`; then the
equal-SLA protocol of ``messplus_main`` (8 benchmarks x 20 per-benchmark seeds x 3 c x 5 V at the bold alpha, plus
the baselines replayed on the same seeds).

Uses the real MESS+ data when ../shared/data is present, else the calibrated synthetic zoo (said in the output).
Aim (issue 4): the whole grid in under 30 s on 2 cores. Featurisation (text -> features) is timed separately.
"""
from __future__ import annotations

import time

import pandas as pd

from llmroute.messplus.equal_sla import equal_sla_table
from llmroute.messplus.experiments import (ALPHA_GRID, BENCHMARKS, BOLD_ALPHA, C_GRID, PAPER_V_GRID, SEEDS, V_GRID,
                                           baseline_runs, benchmark_seeds, load_benchmark, run_messplus)
from llmroute.messplus.features import request_features


def main() -> None:
    t0 = time.perf_counter()
    data = {b: load_benchmark(b) for b in BENCHMARKS}
    feats = {b: request_features(o) for b, o in data.items()}
    t_feat = time.perf_counter() - t0
    kind = "synthetic" if next(iter(data.values())).meta.get("synthetic") else "real"
    print(f"data: MESS+ Llama zoo, {len(BENCHMARKS)} benchmarks ({kind}); load + featurise {t_feat:.1f} s")
    t0 = time.perf_counter()
    n_dec = 0
    for b, o in data.items():
        g = run_messplus(o, alphas=ALPHA_GRID[b], Vs=V_GRID, cs=C_GRID, seeds=SEEDS, predictor="mlp",
                         features=feats[b])
        n_dec += int(g.runs["T"].sum())
    wall = time.perf_counter() - t0
    runs = len(BENCHMARKS) * 3 * len(V_GRID) * len(C_GRID) * len(SEEDS)
    print(f"grid: {runs} runs, {n_dec:,} decisions in {wall:.1f} s -> {n_dec / wall:,.0f} decisions/s "
          f"(aim: < 30 s: {'yes' if wall < 30 else 'NO'})")
    t0 = time.perf_counter()
    seeds = list(range(20))
    mp, bl, n_dec = [], [], 0
    for b, o in data.items():
        rs = benchmark_seeds(seeds, b)
        g = run_messplus(o, alphas=[BOLD_ALPHA[b]], Vs=V_GRID, cs=C_GRID, seeds=rs, features=feats[b])
        n_dec += int(g.runs["T"].sum())
        mp.append(g.runs)
        x = baseline_runs(o, BOLD_ALPHA[b], seeds=rs, features=feats[b])
        x.insert(0, "benchmark", b)
        bl.append(x)
    t_mp = time.perf_counter() - t0
    equal_sla_table(pd.concat(mp), pd.concat(bl), BOLD_ALPHA, PAPER_V_GRID)
    wall = time.perf_counter() - t0
    print(f"equal-SLA protocol: {sum(len(m) for m in mp)} MESS+ runs ({n_dec:,} decisions, 20 seeds x 3 c x "
          f"{len(V_GRID)} V per benchmark) + {sum(len(x) for x in bl)} baseline replays in {wall:.1f} s "
          f"(MESS+ and baselines {t_mp:.1f} s)")


if __name__ == "__main__":
    main()
