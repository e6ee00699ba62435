"""User best response (Theorems 1-2, spec §4.1): thresholds, interior optimum, regimes, tie-breaking."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute.game import response as br
from llmroute.game import closed_forms as cf
from llmroute.game.params import GameParams, Policy
from llmroute.game.random_games import random_games

A = GameParams.make(3, 1, c=(1, 2), t=(1, 3), p=(0.5, 0.8))      # xi = (0.5, -0.6): regime +-
B = GameParams.make(5, 1, c=(1, 5), t=(2, 3), p=(0.3, 0.9))      # xi = (-0.5, 1.5): regime -+


def test_example_A_thresholds_and_q_star() -> None:
    assert float(br.s_low(A)) == pytest.approx(0.362905, abs=5e-7)
    assert float(br.s_high(A)) == pytest.approx(0.454545, abs=5e-7)
    assert float(br.best_response(A, Policy(1, 0.40))) == pytest.approx(0.428, abs=5e-4)
    assert float(br.best_response(A, Policy(1, 0.45))) == pytest.approx(0.954, abs=5e-4)
    assert float(cf.U1(A, 0, 0)) == pytest.approx(1.0, abs=1e-12)
    assert float(cf.U1(A, br.s_low(A), 0)) == pytest.approx(0.534, abs=5e-4)
    for s in (0.4546, 0.7, 1.0):
        assert float(br.best_response(A, Policy(1, s))) == 1.0
        assert float(cf.U1(A, s, 1.0)) == pytest.approx(0.5)
    assert float(br.best_response(A, Policy(1, 0.3))) == 0.0


def test_example_B_s0_and_equivalent_form() -> None:
    x1, x2 = cf.xi(B)
    assert float(br.s0(B)) == pytest.approx(0.230769, abs=5e-7)
    assert float(br.s0(B)) == pytest.approx(float(B.p2 * x1 / (B.p2 * x1 - x2)), rel=1e-12)
    assert float(cf.U1(B, br.s0(B), 0)) == pytest.approx(float(x1), abs=1e-12)   # indifference U1(s0,0)=xi1


def test_s0_tie_breaking_strong_vs_weak() -> None:
    g = B.with_(P=6.0)            # here the provider prefers the user to stay at s0
    pol = Policy(1, float(br.s0(g)))
    assert float(br.best_response(g, pol, tie_break="strong")) == 0.0
    assert float(br.best_response(g, pol, tie_break="weak")) == 1.0
    assert float(br.best_response(g, Policy(1, 0.2))) == 1.0
    assert float(br.best_response(g, Policy(1, 0.25))) == 0.0


def test_theorem1_route_to_M2(rng: np.random.Generator) -> None:
    g = random_games(rng, 400)
    q = br.best_response(g, initial=2, s=0.0)
    np.testing.assert_array_equal(q, (cf.xi(g)[1] < 0).astype(float))


def test_thresholds_ordered_in_the_two_threshold_regime(rng: np.random.Generator) -> None:
    g = random_games(rng, 5000)
    m = br.regime(g) == 3
    sl, sh = br.s_low(g)[m], br.s_high(g)[m]
    assert m.sum() > 300
    assert np.all((0 < sl) & (sl < sh) & (sh < 1))
    # s_L is where dU1/dq at q=0 vanishes: the quadratic's value there is 0
    gm = g.at(m)
    x1, x2 = cf.xi(gm)
    quad = ((1 - gm.p1) * (1 - gm.p2) * x2 * sl ** 2 + ((gm.p1 + gm.p2 - gm.p1 * gm.p2) * x2 - gm.p2 ** 2 * x1) * sl
            + gm.p2 ** 2 * x1)
    assert np.abs(quad).max() < 1e-12


def test_best_response_matches_dense_q_grid(rng: np.random.Generator) -> None:
    """Theorems 1-2 against argmax over 2001 q values, on random games of all four regimes."""
    g = random_games(rng, 1500)
    s = rng.uniform(0, 1, 1500)
    # put a third of the points inside the mixed interval of +- games
    pm = br.regime(g) == 3
    mid = np.where(pm, br.s_low(g) + rng.uniform(0, 1, 1500) * (br.s_high(g) - br.s_low(g)), s)
    s = np.where(np.arange(1500) % 3 == 0, mid, s)
    assert np.bincount(br.regime(g), minlength=4).min() > 100
    q = br.best_response(g, initial=1, s=s)
    qg = br.best_response_grid(g, 1, s, n_q=2001)
    # utilities agree to grid resolution; the exact answer is never beaten by the grid
    Ue, Ug = cf.U1(g, s, q), cf.U1(g, s, qg)
    assert np.all(Ue >= Ug - 1e-12)
    assert np.abs(Ue - Ug).max() < 1e-5
    interior = (q > 0.01) & (q < 0.99)
    assert interior.sum() > 50
    assert np.abs(q - qg)[interior].max() <= 1e-3
    assert np.all(br.regime(g)[interior] == 3)       # mixed responses only in the +- regime


def test_regime_rules_constant_responses(rng: np.random.Generator) -> None:
    g = random_games(rng, 2000)
    s = rng.uniform(0, 1, 2000)
    q = br.best_response(g, initial=1, s=s)
    reg = br.regime(g)
    assert np.all(q[reg == 0] == 0.0)
    assert np.all(q[reg == 1] == 1.0)
    sz = br.s0(g)
    m = reg == 2
    np.testing.assert_array_equal(q[m], np.where(s[m] > sz[m], 0.0, 1.0))
    assert np.all(np.isin(q[m], (0.0, 1.0)))          # interior never optimal in -+


def test_regime_codes() -> None:
    assert br.REGIMES[int(br.regime(A))] == "+-"
    assert br.REGIMES[int(br.regime(B))] == "-+"
    assert br.REGIMES[int(br.regime(A.with_(V=10.0)))] == "++"
    assert br.REGIMES[int(br.regime(A.with_(V=1.0)))] == "--"
    assert np.isnan(br.s0(A)) and np.isnan(br.s_low(B)) and np.isnan(br.s_high(B))
