"""The claim numbers of the game notebooks (llmroute.game.checks), each on a case with a known answer."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute.game import checks as ck
from llmroute.game.closed_forms import C1_stay
from llmroute.game.params import GameArrays, GameParams
from llmroute.game.provider import ProviderSolution, solve_brute_force, solve_closed_form
from llmroute.game.random_games import random_games
from llmroute.game.response import s0

A = GameParams.make(3, 1, c=(1, 2), t=(1, 3), p=(0.5, 0.8))      # +- (example A)
B = GameParams.make(5, 1, c=(1, 5), t=(2, 3), p=(0.3, 0.9))      # -+ (example B)
C = GameParams.make(6, 1, c=(1, 2), t=(1, 3), p=(0.5, 0.8))      # ++ (example C)


def _sol(i: list[int], s: list[float], q: list[float], label: list[int]) -> ProviderSolution:
    n = np.zeros(len(i))
    return ProviderSolution(i=np.array(i), s=np.array(s, float), q=np.array(q, float), J=n, U=n, S=n,
                            label=np.array(label))


def test_fundamental_matrix_deviation_is_rounding(rng: np.random.Generator) -> None:
    g = random_games(rng, 300)
    assert ck.fundamental_matrix_deviation(g, rng.uniform(0, 1, 300), rng.uniform(0, 1, 300)) < 1e-10


def test_mc_check_rows_and_z(rng: np.random.Generator) -> None:
    tab = ck.mc_check(random_games(rng, 3), rng, 4000)
    assert len(tab) == 15 and list(tab.initial.unique()) == [2, 1]
    assert tab.z.abs().max() < 6 and np.allclose(tab.z, (tab.mc_mean - tab.exact) / tab.mc_se)


def test_threshold_order_violations_counts_pm_games_only() -> None:
    g = GameArrays(V=np.array([3.0, 6.0, 5.0]), P=1, c1=1, c2=2, t1=np.array([1.0, 1.0, 2.0]),
                   t2=np.array([3.0, 3.0, 3.0]), p1=np.array([0.5, 0.5, 0.3]), p2=np.array([0.8, 0.8, 0.9]))
    assert ck.threshold_order_violations(g) == (0, 1)


def test_grid_response_excess_is_at_most_rounding_and_near_zero() -> None:
    s = np.linspace(0, 1, 41)
    ex = ck.grid_response_excess(A, s)
    assert -1e-6 < ex <= 1e-12


def test_interior_response_outside_pm() -> None:
    s = np.linspace(0, 1, 11)
    assert ck.interior_response_outside_pm(B, s) == (0, 11)
    assert ck.interior_response_outside_pm(A, s) == (0, 0)       # A is +-: nothing outside


def test_candidate_violations_flags_a_cascade_in_the_same_sign_regime() -> None:
    g = GameArrays(V=np.array([6.0, 6.0]), P=1, c1=1, c2=2, t1=1, t2=3, p1=0.5, p2=0.8)   # both ++
    assert ck.candidate_violations(g, _sol([1, 1], [0.0, 1.0], [0, 0], [0, 2])) == (1, 2)
    assert ck.candidate_violations(g, _sol([1, 1], [0.0, 1.0], [0, 0], [0, 2]), regimes=("-+",)) == (0, 0)


def test_policy_shares_sum_to_one_and_count_cascades() -> None:
    sh = ck.policy_shares(_sol([1, 2, 1, 1], [0, 0, 0.3, 0.3], [0, 0, 0, 1], [0, 1, 3, -1]))
    assert sh["(1,0)"] == sh["(2,0)"] == sh["(1,s0)"] == 0.25 and sh["cascade"] == 0.25
    assert sum(v for k, v in sh.items() if k != "cascade") == 0.75     # one "other"


def test_switch_point_of_example_B_is_the_spec_formula() -> None:
    P = ck.switch_point(lambda P: B.with_(P=P), 4.0, 6.0)
    assert P == pytest.approx((float(C1_stay(B, s0(B))) - 1) / 0.7, abs=1e-9)
    with pytest.raises(ValueError, match="hi"):
        ck.switch_point(lambda P: B.with_(P=P), 1.0, 2.0)


def test_cascade_outside_band() -> None:
    g = GameArrays(V=np.array([5.0, 50.0]), P=1, c1=1, c2=5, t1=2, t2=3, p1=0.3, p2=0.9)   # band (3.33, 6.67)
    assert ck.cascade_outside_band(g, _sol([1, 1], [0.3, 0.3], [0, 0], [3, 3])) == (1, 2)


def test_max_rel_diff() -> None:
    assert ck.max_rel_diff([1.5, 200.0], [1.0, 100.0]) == 1.0


def test_gap_identity_and_misalignment_counts() -> None:
    g = GameArrays(V=6, P=1, c1=1.2, c2=1.2, t1=1, t2=3, p1=0.5, p2=0.8, require_order=False)
    err, n = ck.gap_identity_error(g)
    assert n == 1 and err < 1e-12
    assert ck.misaligned_without_gap(g) == (0, 1)
    assert ck.misaligned_without_gap(C) == (0, 0)                 # C: rankings agree


def test_throttle_sign_mismatches_on_example_C() -> None:
    g = C.arrays(P=np.array([0.5, 1.9, 2.5]))
    assert ck.throttle_sign_mismatches(g, n_t=11) == (0, 3, 2)


def test_brute_force_labels_stay_in_the_allowed_sets(rng: np.random.Generator) -> None:
    g = random_games(rng, 400)
    assert ck.candidate_violations(g, solve_brute_force(g))[0] == 0
    assert ck.candidate_violations(g, solve_closed_form(g))[0] == 0


def test_throttling_effect_on_example_C() -> None:
    eff = ck.throttling_effect(C.arrays(P=np.array([1.0, 2.5])), n_t=11)
    assert list(eff["pays"]) == [True, False]
    # baseline (1,0): U = xi1/p1 = 4; the cheapest throttle (M2 only, announce (1,1)) leaves U = xi1 = 2
    assert eff["U_before"][0] == pytest.approx(4.0) and eff["U_after"][0] == pytest.approx(2.0)
    assert eff["U_after"][1] == eff["U_before"][1] and eff["gain"][0] == pytest.approx(0.5, abs=1e-9)
