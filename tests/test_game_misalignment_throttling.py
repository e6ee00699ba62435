"""Misalignment gap (spec §4.3) and throttling gain (spec §4.4), closed forms against brute force."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute.game import response as br
from llmroute.game import throttling as th
from llmroute.game.misalignment import (gap_both_value_dominated, misalignment_gap, user_best_utility,
                                        user_best_utility_brute)
from llmroute.game.params import GameArrays, GameParams
from llmroute.game.provider import solve_closed_form
from llmroute.game.random_games import random_games

C = GameParams.make(6, 1, c=(1, 2), t=(1, 3), p=(0.5, 0.8))


def test_misalignment_example_1_75() -> None:
    # the spec's example has c1 = c2 = 1.2, outside the standing assumption c1 < c2: relax the ordering
    g = GameArrays(V=6, P=1, c1=1.2, c2=1.2, t1=1, t2=3, p1=0.5, p2=0.8, require_order=False)
    sol = solve_closed_form(g)
    assert int(sol.i) == 2 and float(sol.U) == pytest.approx(2.25, abs=1e-9)
    assert float(user_best_utility(g)) == pytest.approx(4.0)
    assert float(misalignment_gap(g, sol)) == pytest.approx(1.75, abs=1e-9)
    assert float(gap_both_value_dominated(g)) == pytest.approx(1.75, abs=1e-9)


def test_user_best_closed_form_equals_brute(rng: np.random.Generator) -> None:
    g = random_games(rng, 1500)
    np.testing.assert_allclose(user_best_utility(g), user_best_utility_brute(g), atol=1e-9)


def test_gap_nonnegative_and_both_positive_identity(rng: np.random.Generator) -> None:
    g = random_games(rng, 3000)
    gap = misalignment_gap(g)
    assert gap.min() >= -1e-12
    pp = br.regime(g) == 0
    np.testing.assert_allclose(gap[pp], gap_both_value_dominated(g)[pp], atol=1e-9)
    # V cancels: doubling V inside ++ leaves the gap unchanged
    g2 = g.with_(V=2 * g.V)
    both = pp & (br.regime(g2) == 0)
    np.testing.assert_allclose(misalignment_gap(g2)[both], gap[both], atol=1e-9)


def test_regime_gap_formulas(rng: np.random.Generator) -> None:
    g = random_games(rng, 3000)
    sol = solve_closed_form(g)
    gap = misalignment_gap(g, sol)
    x1, x2 = (g.V * g.p1 - g.t1, g.V * g.p2 - g.t2)
    lab = sol.labels()
    reg = br.regime(g)
    m = (reg == 2) & np.isin(lab, ["(1,0)", "(1,s0)"])
    np.testing.assert_allclose(gap[m], (x2 / g.p2 - x1)[m], atol=1e-9)
    m = (reg == 3) & (lab == "(1,1)")
    np.testing.assert_allclose(gap[m], (x1 * (1 - g.p1) / g.p1)[m], atol=1e-9)
    m = (reg == 3) & (lab == "(2,0)")
    np.testing.assert_allclose(gap[m], (x1 / g.p1 - x2)[m], atol=1e-9)
    np.testing.assert_allclose(gap[(reg == 3) & (lab == "(1,0)")], 0.0, atol=1e-12)


@pytest.mark.parametrize("P, J_thr, gain", [(0.5, 1.25, 0.75), (1.0, 1.5, 0.5), (1.9, 1.95, 0.05), (2.5, 2.25, -0.25)])
def test_example_C_throttling_gains(P: float, J_thr: float, gain: float) -> None:
    g = C.with_(P=P)
    base = solve_closed_form(g)
    assert base.labels() == "(1,0)" and float(base.J) == 2.0 and float(base.U) == 4.0
    assert float(th.throttling_gain(g)) == pytest.approx(gain, abs=1e-12)
    num = th.throttled_optimum(g)
    assert float(num["J_throttled"]) == pytest.approx(min(J_thr, 2.0), abs=1e-9)
    assert float(num["gain"]) == pytest.approx(max(gain, 0.0), abs=1e-9)


def test_throttling_sign_change_at_min_cost_of_pass(rng: np.random.Generator) -> None:
    g = random_games(rng, 2000)
    G = th.throttling_gain(g)
    thr = np.minimum(g.c1 / g.p1, g.c2 / g.p2)
    np.testing.assert_array_equal(G > 0, g.P < thr)
    np.testing.assert_allclose(th.throttling_gain(g.with_(P=thr)), 0.0, atol=1e-12)


def test_capped_gain_equals_numeric_optimum(rng: np.random.Generator) -> None:
    g = random_games(rng, 400)
    g = g.at(br.regime(g) == 0)          # both value-dominated baseline
    for t_max in (np.inf, 0.5 * (g.V * g.p1 + g.V * g.p2), 0.5 * g.V * g.p1):
        num = th.throttled_optimum(g, t_max=t_max, n_t=21)
        np.testing.assert_allclose(num["gain"], th.capped_gain(g, t_max), atol=1e-9)
    np.testing.assert_allclose(th.capped_gain(g), np.maximum(th.throttling_gain(g), 0), atol=1e-12)


def test_capped_gain_at_the_cap_equal_to_V_p1_is_a_strong_tie() -> None:
    """At t_max = V p1 the provider can make xi1 = 0 exactly: the indifferent user leaves (strong Stackelberg),
    so the closed form and the numeric search both give the gain of throttling M1 (issue 9 §4 consistency)."""
    g = C.arrays(P=np.array([0.5, 1.0]))
    num = th.throttled_optimum(g, t_max=float(C.V * C.p1), n_t=11)["gain"]
    np.testing.assert_allclose(th.capped_gain(g, float(C.V * C.p1)), num, atol=1e-12)
    assert (num > 0).all()
