"""One registry of every router: names, get with settings, applicability with reasons, your own via register."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import llmroute.routers as R
from llmroute.data import Outcomes
from llmroute.replay import replay

BUILTIN = ("cheapest", "most-accurate", "single", "random", "oracle", "oracle-cost-oblivious", "educated-guessing",
           "routellm-threshold", "routerdc", "mess+", "pickllm-lri", "pickllm-q", "game-optimal", "game-cascade")


def zoo(rng: np.random.Generator, n: int = 120, text: bool = True, latency: bool = True) -> Outcomes:
    acc = np.array([0.4, 0.6, 0.85])
    words = np.array(["sum", "prove", "code", "list", "sort", "graph", "integral", "story"])
    return Outcomes(name="z", models=("s", "m", "l"), quality=(rng.random((n, 3)) < acc).astype(float),
                    cost=np.array([1.0, 3.0, 9.0]) * rng.uniform(0.8, 1.2, (n, 3)), cost_unit="USD",
                    latency=np.array([0.5, 1.5, 4.0]) * rng.uniform(0.8, 1.2, (n, 3)) if latency else None,
                    request_id=np.arange(n).astype(str), domain=np.where(np.arange(n) % 2, "a", "b"),
                    text=np.array([" ".join(rng.choice(words, 5)) for _ in range(n)], dtype=object) if text else None)


def test_every_router_is_registered_and_runs(rng) -> None:
    assert set(BUILTIN) <= set(R.names())
    o = zoo(rng)
    assert all(why is None for why in R.applicable(o).values())
    for name in R.names():
        r = R.get(name, outcomes=o, **({"model": "m"} if name == "single" else {}))
        s = replay(o, r, seed=1).summary()
        assert 0.0 <= s["mean_quality"] <= 1.0 and s["cost_per_request"] > 0, name
    assert R.get("single", model="m").name == "only m"
    assert R.get("most-accurate", outcomes=o).name == "only l"
    # settings reach the router
    assert R.get("mess+", outcomes=o, alpha=0.8).settings.alpha == 0.8
    assert R.get("educated-guessing", outcomes=o, alpha=0.5).alpha == 0.5
    assert R.spec("mess+").uses_alpha and not R.spec("random").uses_alpha


def test_applicability_gives_reasons(rng) -> None:
    o = zoo(rng, text=False, latency=False)
    why = R.applicable(o)
    assert why["cheapest"] is None and why["mess+"] is None and why["game-optimal"] is None
    assert "needs per-request text or features" in why["routellm-threshold"]
    assert "needs latency" in why["pickllm-lri"] and "needs latency" in why["pickllm-q"]
    with pytest.raises(ValueError, match=r"router 'routerdc' does not apply to z: needs per-request text"):
        R.get("routerdc", outcomes=o)


def test_unknown_names_settings_and_missing_outcomes_are_clear_errors(rng) -> None:
    with pytest.raises(KeyError, match=r"unknown router 'mess'; registered routers: cheapest, most-accurate"):
        R.get("mess")
    with pytest.raises(TypeError, match=r"router 'random'"):
        R.get("random", outcomes=zoo(rng), alpha=0.5)
    with pytest.raises(ValueError, match=r"router 'oracle' is built from the outcome table: pass outcomes"):
        R.get("oracle")


def test_register_your_own(rng) -> None:
    class ShortToSmall(R.Router):
        name = "short-to-small"
        learns = False

        def __init__(self, limit: int = 20) -> None:
            self.limit = limit

        def choose(self, request):
            return "s" if len(request.text or "") < self.limit else "l"

    R.register("short-to-small", ShortToSmall, description="short prompts to the small model")
    try:
        with pytest.raises(ValueError, match="already registered"):
            R.register("short-to-small", ShortToSmall)
        o = zoo(rng)
        r = R.get("short-to-small", outcomes=o, limit=30)
        log = replay(o, r, order="given").log
        lens = np.array([len(t) for t in o.text])
        assert (log["served"].to_numpy() == np.where(lens < 30, 0, 2)).all()
        R.register("by-lambda", lambda outcomes, k=1: R.SingleModel(k))
        assert R.get("by-lambda", k=2).model == 2
        assert "short-to-small" in R.names(family="user")
    finally:
        for n in ("short-to-small", "by-lambda"):
            if n in R.names():
                R.unregister(n)
    assert "short-to-small" not in R.names()


def test_importing_the_registry_stays_light() -> None:
    code = ("import sys, llmroute, llmroute.routers as r; r.names(); "
            "print(sorted(m for m in sys.modules if m.split('.')[:2] in (['llmroute', 'messplus'], "
            "['llmroute', 'pickllm'], ['llmroute', 'arena'], ['llmroute', 'game'])))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
