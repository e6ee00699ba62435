"""Ours, beyond the paper: K = 3 chains via the LP, a population of user types, measured-pair entry point."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute.game.calibrate import game_from_pair, pair_predictions
from llmroute.game.kchain import ChainGame, kchain_brute
from llmroute.game.lp import ProviderLP
from llmroute.game.params import GameParams
from llmroute.game.population import PopulationLP, UserTypes, population_brute
from llmroute.game.provider import solve_closed_form
from llmroute._validate import ParameterError


def test_k3_lp_matches_brute_force(rng: np.random.Generator) -> None:
    lp = ProviderLP(3)
    for _ in range(5):
        p = np.sort(rng.uniform(0.1, 0.95, 3))
        c, t = np.sort(rng.uniform(0.1, 5, 3)), np.sort(rng.uniform(0.1, 5, 3))
        g = ChainGame(tuple(c), tuple(t), tuple(p), float(rng.uniform(0.5, 10)), float(rng.uniform(0, 10)))
        a, b = lp.solve(p, c, t, g.V, g.P), kchain_brute(g, n_s=21, n_q=201)
        assert a.J <= b["J"] + 1e-9            # the LP is at least as good as any grid policy
        assert a.J == pytest.approx(b["J"], abs=1e-6)


def test_k2_chain_lp_equals_two_model_solver() -> None:
    g = GameParams.make(5, 6, c=(1, 5), t=(2, 3), p=(0.3, 0.9))
    sol = ProviderLP(2).solve(np.array([0.3, 0.9]), np.array([1, 5.0]), np.array([2, 3.0]), 5, 6)
    assert sol.J == pytest.approx(float(solve_closed_form(g).J), abs=1e-9)


def test_population_lp_equals_brute_force(rng: np.random.Generator) -> None:
    lp = PopulationLP(3)
    for _ in range(12):
        w = rng.dirichlet(np.ones(3))
        V = rng.uniform(0.5, 10, 3)
        t = np.sort(rng.uniform(0.1, 5, (3, 2)), 1)
        types = UserTypes(tuple(w), tuple(V), tuple(t[:, 0]), tuple(t[:, 1]), tuple(rng.uniform(0, 10, 3)))
        p, c = tuple(np.sort(rng.uniform(0.05, 0.95, 2))), tuple(np.sort(rng.uniform(0.1, 5, 2)))
        a, b = lp.solve(types, c, p), population_brute(types, c, p)
        assert a.J == pytest.approx(b.J, abs=1e-6)


def test_population_of_one_type_is_the_single_user_game() -> None:
    g = GameParams.make(5, 6, c=(1, 5), t=(2, 3), p=(0.3, 0.9))
    types = UserTypes((1.0,), (5.0,), (2.0,), (3.0,), (6.0,))
    sol = PopulationLP(1).solve(types, (1, 5), (0.3, 0.9))
    assert sol.J == pytest.approx(float(solve_closed_form(g).J), abs=1e-7)
    assert sol.s == pytest.approx(0.230769, abs=1e-6)


def test_game_from_pair_and_predictions() -> None:
    g = game_from_pair(c=(0.001, 0.03), t=(2.0, 8.0), p=(0.6, 0.85), V=1.0, latency_rate=0.01)
    assert g.t1 == pytest.approx(0.02) and g.t2 == pytest.approx(0.08)
    df = pair_predictions(g, [0.05, 0.5, 5.0], [0.0, 1.0])
    assert len(df) == 6 and set(df["regime"]) <= {"++", "--", "-+", "+-"}
    with pytest.raises(ParameterError, match="p2"):
        game_from_pair(c=(0.001, 0.03), t=(2.0, 8.0), p=(0.9, 0.85), V=1.0)
