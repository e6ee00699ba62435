"""Monte-Carlo simulation of the chain (spec §2.3) against every closed form."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute.game.closed_forms import outcome
from llmroute.game.params import GameParams, Policy
from llmroute.game.random_games import random_games
from llmroute.game.simulate import simulate, simulate_chain
from llmroute.game.chain import chain_outcome

Z = 5.0   # statistical bound: |MC mean - exact| <= 5 standard errors


def test_spec_example_by_simulation() -> None:
    g = GameParams.make(10, 5, c=(1, 4), t=(1, 3), p=(0.4, 0.8))
    mc = simulate(g, Policy(1, 0.3), 0.2, 100_000, np.random.default_rng(7))
    exact = outcome(g, 1, 0.3, 0.2)
    assert float(exact.U) == pytest.approx(5.809, abs=5e-4) and float(exact.J) == pytest.approx(3.494, abs=5e-4)
    for k, z in mc.z({k: getattr(exact, k) for k in "SLCUJ"}).items():
        assert abs(z) < Z, (k, z)
    assert abs(mc.mean["U"] - 5.809) / 5.809 < 0.01 and abs(mc.mean["J"] - 3.494) / 3.494 < 0.01


@pytest.mark.parametrize("initial", [1, 2])
def test_random_games_all_closed_forms_within_5_se(initial: int) -> None:
    rng = np.random.default_rng(100 + initial)
    g = random_games(rng, 6)
    for n in range(6):
        one = g.at(n)
        s = float(rng.uniform()) if initial == 1 else 0.0
        q = float(rng.uniform(0.0, 0.6))
        mc = simulate(one, Policy(initial, s), q, 40_000, rng)
        exact = outcome(one, initial, s, q)
        for k, z in mc.z({k: getattr(exact, k) for k in "SLCUJ"}).items():
            assert abs(z) < Z, (n, k, z)


def test_three_model_chain_simulation() -> None:
    rng = np.random.default_rng(3)
    p, t, c = np.array([0.3, 0.6, 0.9]), np.array([1.0, 2.0, 4.0]), np.array([0.5, 1.0, 3.0])
    s = np.array([0.4, 0.5, 0.0])
    mc = simulate_chain(p, t, c, 6.0, 2.0, s, 0.1, 0, 50_000, rng)
    ex = chain_outcome(p, t, c, 6.0, 2.0, s, 0.1, 0)
    for k, z in mc.z({k: getattr(ex, k) for k in "SLCUJ"}).items():
        assert abs(z) < Z, (k, z)


def test_simulation_is_seed_deterministic() -> None:
    g = GameParams.make(10, 5, c=(1, 4), t=(1, 3), p=(0.4, 0.8))
    a = simulate(g, Policy(1, 0.3), 0.2, 1000, np.random.default_rng(1))
    b = simulate(g, Policy(1, 0.3), 0.2, 1000, np.random.default_rng(1))
    assert a.mean == b.mean
