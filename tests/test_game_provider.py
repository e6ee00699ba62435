"""Provider problem (spec §4.2, §4.5): worked numbers of §7.8, closed form == brute force == cvxpy LP."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute.game import provider as pv
from llmroute.game import response as br
from llmroute.game.closed_forms import C1_stay
from llmroute.game.lp import ProviderLP, solve_lp, solve_lp_grid
from llmroute.game.misalignment import misalignment_gap
from llmroute.game.params import GameParams
from llmroute.game.random_games import random_games

A = GameParams.make(3, 1, c=(1, 2), t=(1, 3), p=(0.5, 0.8))
B = GameParams.make(5, 1, c=(1, 5), t=(2, 3), p=(0.3, 0.9))
CFG_A = dict(c=(1, 2), t=(1, 3), p=(0.5, 0.8))
CFG_B = dict(c=(1, 5), t=(2, 3), p=(0.3, 0.9))


@pytest.fixture(scope="module")
def lp2() -> ProviderLP:
    return ProviderLP(2)


def test_example_A_optimum_at_P1_is_11() -> None:
    sol = pv.solve_closed_form(A)
    assert sol.labels() == "(1,1)"
    assert float(sol.J) == pytest.approx(1.5, abs=1e-12)
    assert float(sol.U) == pytest.approx(0.5, abs=1e-12)
    assert float(misalignment_gap(A, sol)) == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize("P", [0.0, 0.5, 1.5, 1.99])
def test_example_A_below_P2_J_is_c1_plus_P_times_1_minus_p1(P: float) -> None:
    sol = pv.solve_closed_form(A.with_(P=P))
    assert sol.labels() == "(1,1)" and float(sol.J) == pytest.approx(1 + 0.5 * P, abs=1e-12)


@pytest.mark.parametrize("P", [2.0, 2.5, 4.0, 10.0])
def test_example_A_from_P2_on_optimum_is_10(P: float) -> None:
    sol = pv.solve_closed_form(A.with_(P=P))
    assert sol.labels() == "(1,0)"
    assert float(sol.J) == pytest.approx(2.0, abs=1e-12) and float(sol.U) == pytest.approx(1.0, abs=1e-12)


def test_example_B_numbers() -> None:
    sz = float(br.s0(B))
    assert sz == pytest.approx(0.230769, abs=5e-7)
    assert float(C1_stay(B, sz)) == pytest.approx(4.11111, abs=5e-6)
    switch = (float(C1_stay(B, sz)) - 1.0) / (1 - 0.3)
    assert switch == pytest.approx(4.44444, abs=5e-6)
    for P in (1.0, 4.4):
        sol = pv.solve_closed_form(B.with_(P=P))
        assert sol.labels() == "(1,0)" and float(sol.J) == pytest.approx(1 + 0.7 * P, abs=1e-12)
        assert float(sol.U) == pytest.approx(-0.5, abs=1e-12)
    for P in (4.45, 6.0, 10.0):
        g = B.with_(P=P)
        sol = pv.solve_closed_form(g)
        assert sol.labels() == "(1,s0)" and float(sol.s) == pytest.approx(sz, abs=1e-12)
        assert float(sol.J) == pytest.approx(4.11111, abs=5e-6) and float(sol.U) == pytest.approx(-0.5, abs=1e-9)
        assert float(misalignment_gap(g, sol)) == pytest.approx(2.16667, abs=5e-6)


def test_same_sign_theorem3_rules(rng: np.random.Generator) -> None:
    g = random_games(rng, 3000)
    sol = pv.solve_closed_form(g)
    reg = br.regime(g)
    pp, mm = reg == 0, reg == 1
    np.testing.assert_allclose(sol.J[pp], np.minimum(g.c1 / g.p1, g.c2 / g.p2)[pp], rtol=1e-12)
    to2 = g.P > (g.c2 - g.c1) / (g.p2 - g.p1)
    np.testing.assert_array_equal(sol.i[mm], np.where(to2, 2, 1)[mm])
    assert np.all(sol.s[pp | mm] == 0.0)


def test_closed_form_equals_brute_force_random(rng: np.random.Generator) -> None:
    g = random_games(rng, 4000)
    c, b = pv.solve_closed_form(g), pv.solve_brute_force(g, n_s=801)
    np.testing.assert_allclose(c.J, b.J, atol=1e-9)
    np.testing.assert_allclose(c.U, b.U, atol=1e-6)
    # the mixed interval is never strictly optimal: brute force never beats the candidates
    assert np.all(b.J >= c.J - 1e-9)


@pytest.mark.parametrize("cfg", [CFG_A, CFG_B])
def test_closed_form_equals_brute_force_on_V_P_grid(cfg: dict) -> None:
    base = GameParams.make(1.0, 0.0, **cfg)
    g = base.arrays(V=np.linspace(0.05, 10, 40)[:, None], P=np.linspace(0, 10, 41)[None, :])
    c, b = pv.solve_closed_form(g), pv.solve_brute_force(g, n_s=801)
    np.testing.assert_allclose(c.J, b.J, atol=1e-9)


def test_lp_equals_threshold_rule_on_grid(lp2: ProviderLP) -> None:
    for cfg in (CFG_A, CFG_B):
        base = GameParams.make(1.0, 0.0, **cfg)
        g = base.arrays(V=np.linspace(0.3, 9.7, 9)[:, None], P=np.linspace(0.25, 9.75, 9)[None, :])
        c, L = pv.solve_closed_form(g), solve_lp_grid(g, lp2)
        np.testing.assert_allclose(L["J"], c.J, atol=1e-6)
        np.testing.assert_allclose(L["U"], c.U, atol=1e-6)
        np.testing.assert_array_equal(L["i"], c.i)
        np.testing.assert_array_equal(L["q"], c.q)


def test_lp_equals_closed_form_random(rng: np.random.Generator, lp2: ProviderLP) -> None:
    g = random_games(rng, 150)
    c, L = pv.solve_closed_form(g), solve_lp_grid(g, lp2)
    np.testing.assert_allclose(L["J"], c.J, atol=1e-6)
    np.testing.assert_allclose(L["U"], c.U, atol=1e-6)


def test_lp_recovers_minimal_cascade_s0_and_s_L(lp2: ProviderLP) -> None:
    sol = solve_lp(B.with_(P=6.0), lp2)
    assert sol.i == 1 and sol.q == 0.0 and sol.s[0] == pytest.approx(float(br.s0(B)), abs=1e-7)
    assert sol.J == pytest.approx(4.111111, abs=1e-6) and sol.U == pytest.approx(-0.5, abs=1e-6)
    # +- regime with c1/p1 > c2/p2: the stay candidate is (1, s_L)
    g = GameParams.make(3, 10, c=(1.8, 2.0), t=(1, 3), p=(0.5, 0.8))
    cf = pv.solve_closed_form(g)
    assert cf.labels() == "(1,s_L)"
    sol = solve_lp(g, lp2)
    assert sol.s[0] == pytest.approx(float(br.s_low(g)), abs=1e-7) and sol.J == pytest.approx(float(cf.J), abs=1e-7)


def test_lp_status_error_is_explicit(lp2: ProviderLP) -> None:
    from llmroute.game.lp import LPError

    class Broken:
        status = "unbounded"

        def solve(self, **_: object) -> None:
            return None

    with pytest.raises(LPError, match="status 'unbounded'"):
        lp2._run(Broken(), "test case")  # type: ignore[arg-type]


def test_policy_fractions_cfgA_match_spec_reference_up_to_the_rounding_column() -> None:
    """The spec's prototype shares (§5, cfgA) are reproduced when the grid point V = 2 - 2e-16 (xi1 = -1.1e-16,
    a tie since issue 9 §4, so it now gets the policy of V = 2 exactly) is read as a strictly latency-dominated
    M1 (V = 2 - 1e-9), as the prototype evidently did; the committed shares differ from the spec by that column."""
    base = GameParams.make(1.0, 0.0, **CFG_A)
    Vs = np.linspace(0.05, 10, 200)
    Ps = np.linspace(0, 10, 201)
    assert Vs[39] == 1.9999999999999998
    lab = pv.solve_closed_form(base.arrays(V=Vs[:, None], P=Ps[None, :])).labels()
    assert list(lab[39]) == list(pv.solve_closed_form(base.arrays(V=2.0, P=Ps)).labels())
    strict = Vs.copy()
    strict[39] = 2.0 - 1e-9
    lab_s = pv.solve_closed_form(base.arrays(V=strict[:, None], P=Ps[None, :])).labels()
    assert np.sum(lab != lab_s) == np.sum(lab[39] != lab_s[39]) > 0
    frac = {k: float(np.mean(lab_s == k)) for k in pv.CANDIDATES}
    assert frac["(1,0)"] == pytest.approx(0.833, abs=0.0015)
    assert frac["(2,0)"] == pytest.approx(0.133, abs=0.0015)
    assert frac["(1,1)"] == pytest.approx(0.034, abs=0.0015)


def test_rule_table_marks_the_games_regime() -> None:
    rows = pv.rule_table(A)
    assert len(rows) == 4 and [r["this game"] for r in rows] == ["", "", "", "yes"]
