"""Wall time of training and scoring every router on every arena dataset with 5 seeds, on 2 worker processes.

Issue 13 asks for at most 3 minutes on 2 cores for the frontier part (the five field routers trained on held-out
splits and swept, every other registered router replayed on the held-out rows, 5 seeds, every dataset of
``llmroute.arena.catalog.ARENA_DATASETS`` at up to 2,000 requests). The arena runs at the operating points are
timed separately (``--arena``).
"""
from __future__ import annotations

import argparse
import time

from llmroute.arena.catalog import ARENA_DATASETS
from llmroute.routers.field.evaluate import compare


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--n-max", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--arena", action="store_true", help="also run the arena at the operating points")
    a = ap.parse_args()
    t0 = time.perf_counter()
    out = compare(ARENA_DATASETS, range(a.seeds), n_max=a.n_max, n_jobs=a.jobs, arena=a.arena)
    dt = time.perf_counter() - t0
    n_pts = sum(len(o["points"]) for o in out.values())
    n_routers = sum(o["front"].router.nunique() for o in out.values())
    print(f"{len(out)} datasets x {a.seeds} seeds, {n_routers} (dataset, router) pairs, {n_pts} cost-quality points"
          f"{' + arena runs' if a.arena else ''}: {dt:.1f} s on {a.jobs} processes (target: <= 180 s)")


if __name__ == "__main__":
    main()
