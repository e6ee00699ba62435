"""Replay throughput of the non-learning routers (requests per second, replay plus summary), over the whole MESS+ data.

Uses the real MESS+ Llama-zoo data when ../shared/data is present (all benchmarks concatenated), else the
calibrated synthetic zoo of the same size (said in the output). Aim (issue 3): >= 1,000,000 requests/s for
the single-model and random routers, which the engine replays in one vectorised pass.
"""
from __future__ import annotations

import time

import numpy as np

from llmroute.data import concat
from llmroute.replay import replay
from llmroute.routers import EducatedGuessing, SingleModel, UniformRandom


def messplus_all() -> tuple[object, str]:
    from llmroute.data import registry
    from llmroute.data.messplus import MESSPLUS_BENCHMARKS

    rng = np.random.default_rng(0)
    parts = [registry.load_or_synthetic("messplus", b, rng) for b in MESSPLUS_BENCHMARKS]
    kind = "synthetic" if parts[0].meta.get("synthetic") else "real"
    return concat(parts, "messplus (8 benchmarks)"), kind


def rate(outcomes, router, repeats: int = 20) -> float:
    replay(outcomes, router, seed=0)  # warm-up
    t0 = time.perf_counter()
    for s in range(repeats):
        replay(outcomes, router, seed=s).summary()
    return repeats * outcomes.n_requests / (time.perf_counter() - t0)


def main() -> None:
    data, kind = messplus_all()
    print(f"data: {data.name}, {data.n_requests} requests x {data.n_models} models ({kind})")
    routers = [SingleModel(0), SingleModel(data.n_models - 1), UniformRandom(),
               EducatedGuessing(data.mean_quality(), 0.6)]
    for r in routers:
        rps = rate(data, r)
        print(f"  {r.name:28s} {rps:14,.0f} requests/s   ({rps / 1e6:5.2f}x the 1,000,000/s aim)")


if __name__ == "__main__":
    main()
