"""Closed forms of spec §3 against the fundamental matrix, special cases and the spec's worked example."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute.game import closed_forms as cf
from llmroute.game.chain import chain_outcome, outcome_fundamental
from llmroute.game.params import GameParams
from llmroute.game.random_games import random_games

EX = GameParams.make(10, 5, c=(1, 4), t=(1, 3), p=(0.4, 0.8))


def test_spec_example_U_and_J() -> None:
    o = cf.outcome(EX, 1, 0.3, 0.2)
    assert o.U == pytest.approx(5.809, abs=5e-4)
    assert o.J == pytest.approx(3.494, abs=5e-4)
    # hand computation: a = .6*.8 = .48, b = .2*.8 = .16, n11 = 1/(1-.48*.7), n12 = .48*.3 n11/(.84)
    n11 = 1 / (1 - 0.48 * 0.7)
    n12 = 0.48 * 0.3 * n11 / 0.84
    assert o.S == pytest.approx(0.4 * n11 + 0.8 * n12, rel=1e-14)
    assert o.U == pytest.approx(3 * n11 + 5 * n12, rel=1e-14)


@pytest.mark.parametrize("initial", [1, 2])
def test_closed_forms_equal_fundamental_matrix(rng: np.random.Generator, initial: int) -> None:
    g = random_games(rng, 500)
    s = rng.uniform(0, 1, 500) if initial == 1 else np.zeros(500)
    q = rng.uniform(0, 1, 500)
    a, b = cf.outcome(g, initial, s, q), outcome_fundamental(g, initial, s, q)
    for k in ("S", "L", "C", "U", "J"):
        np.testing.assert_allclose(getattr(a, k), getattr(b, k), rtol=1e-10, err_msg=k)


def test_U2_J2_formulas_match_outcome(rng: np.random.Generator) -> None:
    g = random_games(rng, 200)
    q = rng.uniform(0, 1, 200)
    o = cf.outcome(g, 2, 0.0, q)
    np.testing.assert_allclose(cf.U2(g, q), o.U, rtol=1e-12)
    np.testing.assert_allclose(cf.J2(g, q), o.J, rtol=1e-12)
    np.testing.assert_allclose(cf.U1(g, q, q), cf.outcome(g, 1, q, q).U, rtol=1e-12)


def test_q0_convex_combination_forms(rng: np.random.Generator) -> None:
    g = random_games(rng, 300)
    s = rng.uniform(0, 1, 300)
    o = cf.outcome(g, 1, s, 0.0)
    np.testing.assert_allclose(o.S, 1.0, rtol=1e-12)
    np.testing.assert_allclose(cf.U1_stay(g, s), o.U, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(cf.C1_stay(g, s), o.J, rtol=1e-10)
    w = cf.cascade_weight(g, s)
    assert np.all((w >= 0) & (w <= 1 - g.p1 + 1e-15))
    # s = 1: U = xi1 + (1-p1) xi2/p2, C = c1 + (1-p1) c2/p2
    x1, x2 = cf.xi(g)
    np.testing.assert_allclose(cf.U1_stay(g, 1.0), x1 + (1 - g.p1) * x2 / g.p2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(cf.C1_stay(g, 1.0), g.c1 + (1 - g.p1) * g.c2 / g.p2, rtol=1e-12)


def test_q1_abandon_after_first_failure(rng: np.random.Generator) -> None:
    g = random_games(rng, 100)
    s = rng.uniform(0, 1, 100)
    x1, x2 = cf.xi(g)
    np.testing.assert_allclose(cf.U1(g, s, 1.0), x1, rtol=1e-12)
    np.testing.assert_allclose(cf.J1(g, s, 1.0), g.c1 + g.P * (1 - g.p1), rtol=1e-12)
    np.testing.assert_allclose(cf.U2(g, 1.0), x2, rtol=1e-12)
    np.testing.assert_allclose(cf.J2(g, 1.0), g.c2 + g.P * (1 - g.p2), rtol=1e-12)


def test_broadcasting_over_a_V_by_P_grid() -> None:
    grid = EX.arrays(V=np.linspace(1, 10, 7)[:, None], P=np.linspace(0, 5, 4)[None, :])
    J = cf.J1(grid, 0.3, 0.2)
    assert J.shape == (7, 4)
    assert J[6, 3] == pytest.approx(float(cf.J1(EX.with_(V=10.0, P=5.0), 0.3, 0.2)))
    # J does not depend on V, U does not depend on P
    assert np.ptp(J, axis=0).max() < 1e-12
    assert np.ptp(cf.U1(grid, 0.3, 0.2), axis=1).max() < 1e-12


def test_chain_with_three_models_reduces_to_two_when_never_escalating() -> None:
    p, t, c = np.array([0.4, 0.8, 0.9]), np.array([1.0, 3.0, 5.0]), np.array([1.0, 4.0, 9.0])
    o3 = chain_outcome(p, t, c, 10.0, 5.0, np.array([0.3, 0.0, 0.0]), 0.2, 0)
    o2 = cf.outcome(EX, 1, 0.3, 0.2)
    assert o3.U == pytest.approx(float(o2.U), rel=1e-12)
    assert o3.J == pytest.approx(float(o2.J), rel=1e-12)
