"""The game solvers at their edges (issue 9 §4): LP answers re-checked against the user's exact best response,
tie tolerances scaled by the magnitudes involved, provider-cost ties broken for the user, validated functional
API. Each test failed on the code before the fix."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute._validate import ParameterError
from llmroute.game import provider as pv
from llmroute.game.closed_forms import J1, J2, U1, U2, outcome, visits, xi
from llmroute.game.kchain import ChainGame, kchain_brute
from llmroute.game.lp import chain_response, solve_lp
from llmroute.game.misalignment import misalignment_gap
from llmroute.game.params import GameParams, Policy
from llmroute.game.response import best_response, best_response_grid, q_interior, u_tol

CFG_A = dict(c=(1, 2), t=(1, 3), p=(0.5, 0.8))

LP_EDGES = [
    GameParams.make(1.950002, 1e4, c=(1, 2), t=(1, 2), p=(0.5, 0.999999)),
    GameParams.make(16.042334943839673, 1e4, c=(0.018284414554267707, 8.054761528417659),
                    t=(0.2287746417701562, 3.531112762011843), p=(0.014260682286637951, 0.038244056700976116)),
]


def _followed(g: GameParams, i: int, s: float, q: float, J: float) -> None:
    """The answer's q is the user's exact best response to (i, s), and J is the loss at that response."""
    assert float(best_response(g, Policy(i, s if i == 1 else 0.0))) == q
    assert float(outcome(g, i, s if i == 1 else 0.0, q).J) == pytest.approx(J, rel=1e-12)


@pytest.mark.parametrize("g", LP_EDGES, ids=["xi2=-5e-8", "xi1=-2.3e-13"])
def test_lp_answer_is_rechecked_against_the_exact_best_response(g: GameParams) -> None:
    lp = solve_lp(g)
    cf = pv.solve_closed_form(g)
    assert lp.J == pytest.approx(float(cf.J), rel=1e-9)
    s = 0.0 if lp.i == 2 else float(lp.s[0])
    _followed(g, lp.i, s, lp.q, lp.J)


def test_lp_repair_is_reported() -> None:
    sol = solve_lp(LP_EDGES[0])
    assert sol.repaired and sol.J_lp == pytest.approx(2.000002, rel=1e-6) and sol.J == pytest.approx(2.01, rel=1e-9)


def test_float_tie_near_zero_utility_is_a_tie_in_every_solver() -> None:
    """cfgA, P = 10: V = 1.9999999999999998 (a grid point of np.linspace(0.05, 10, 200), xi1 = -1.1e-16) must
    give the answer of V = 2 (xi1 = 0, the user indifferent, strong tie: stay), J = c1/p1 = 2."""
    V = np.linspace(0.05, 10, 200)[39]
    assert V == 1.9999999999999998 and float(xi(GameParams.make(V, 10, **CFG_A))[0]) == pytest.approx(-1.1e-16, abs=1e-17)
    for v in (V, 2.0):
        g = GameParams.make(v, 10, **CFG_A)
        Js = {"closed form": float(pv.solve_closed_form(g).J), "brute force": float(pv.solve_brute_force(g).J),
              "LP": solve_lp(g).J,
              "K-chain brute force": kchain_brute(ChainGame(g_c := (1.0, 2.0), (1.0, 3.0), (0.5, 0.8), v, 10.0),
                                                  n_s=11, n_q=101)["J"]}
        assert g_c and all(J == pytest.approx(2.0, rel=1e-12) for J in Js.values()), Js


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_tiny_xi2_is_treated_alike_by_exact_and_grid_responses(sign: float) -> None:
    """xi2 = +-4.6e-12: the exact best response and the K-chain grid response (the LP re-check for K > 2 and
    the K-chain brute force use the same rule) agree on (2,0) and on (1, s) for several s."""
    V = 5.0
    g = GameParams.make(V, 3.0, c=(1, 2), t=(1, V * 0.8 - sign * 4.6e-12), p=(0.5, 0.8))
    assert abs(float(xi(g)[1]) - sign * 4.6e-12) < 1e-15
    p, c, t = np.array([g.p1, g.p2]), np.array([g.c1, g.c2]), np.array([g.t1, g.t2])
    for i, s in ((2, 0.0), (1, 0.0), (1, 0.5), (1, 1.0)):
        q_exact = float(best_response(g, initial=i, s=s))
        q_grid = chain_response(p, c, t, V, g.P, np.array([s]), i)[0]
        assert q_exact == q_grid, (i, s)


def test_provider_cost_tie_goes_to_the_policy_the_user_prefers() -> None:
    """+- regime with c1/p1 > P: (1,1) and (2,0) both cost c_i + P(1-p_i) = 3.5 at P = (c2-c1)/(p2-p1) = 1;
    the user gets xi1 = 0.5 under (1,1) and xi2 = -0.6 under (2,0): every solver must return (1,1)-like U."""
    g = GameParams.make(3, 1.0, c=(3, 3.3), t=(1, 3), p=(0.5, 0.8))
    x1, x2 = (float(v) for v in xi(g))
    cf, bf, lp = pv.solve_closed_form(g), pv.solve_brute_force(g), solve_lp(g)
    assert float(cf.J) == pytest.approx(3.5) and str(cf.labels()) == "(1,1)"
    for sol_U, sol_J in ((float(cf.U), float(cf.J)), (float(bf.U), float(bf.J)), (lp.U, lp.J)):
        assert sol_U == pytest.approx(x1, abs=1e-12) and sol_J == pytest.approx(3.5, rel=1e-12)
    assert float(misalignment_gap(g, cf)) == pytest.approx(float(misalignment_gap(g, bf)), abs=1e-12)
    assert x2 < 0 < x1


G = GameParams.make(3, 1, **CFG_A)


@pytest.mark.parametrize("call, match", [
    (lambda: outcome(G, 3, 0, 0), r"initial = 3 is not allowed: must be one of 1, 2"),
    (lambda: visits(G, 0, 0, 0), r"initial = 0 is not allowed"),
    (lambda: U1(G, 2.0, 0.0), r"s = 2 is not allowed: must be in \[0, 1\]"),
    (lambda: U1(G, 0.5, -0.5), r"q = -0.5 is not allowed: must be in \[0, 1\]"),
    (lambda: J1(G, np.array([0.2, 1.5]), 0.0), r"s\[1\] = 1.5 is not allowed"),
    (lambda: U2(G, 1.2), r"q = 1.2 is not allowed"),
    (lambda: J2(G, float("nan")), r"q = nan is not allowed"),
    (lambda: best_response(G, initial=1, s=1.5), r"s = 1.5 is not allowed: must be in \[0, 1\]"),
    (lambda: best_response(G, initial=3, s=0.5), r"initial = 3 is not allowed"),
    (lambda: best_response_grid(G, 1, -0.1), r"s = -0.1 is not allowed"),
    (lambda: q_interior(G, 7.0), r"s = 7 is not allowed"),
])
def test_functional_api_validates_like_the_constructors(call, match) -> None:
    with pytest.raises(ParameterError, match=match):
        call()


def test_u_tol_scales_with_the_per_pass_magnitudes() -> None:
    g = GameParams.make(2.0, 10, **CFG_A)
    assert float(u_tol(g)) == pytest.approx(1e-12 * 3.0)
    assert float(u_tol(g.with_(V=100.0))) == pytest.approx(1e-12 * 80.0)


@pytest.mark.parametrize("g", LP_EDGES, ids=["xi2=-5e-8", "xi1=-2.3e-13"])
def test_population_lp_with_one_type_is_rechecked_too(g: GameParams) -> None:
    from llmroute.game.population import PopulationLP, UserTypes

    ty = UserTypes((1.0,), (g.V,), (g.t1,), (g.t2,), (g.P,))
    sol = PopulationLP(1).solve(ty, (g.c1, g.c2), (g.p1, g.p2))
    assert sol.J == pytest.approx(float(pv.solve_closed_form(g).J), rel=1e-9)
    _followed(g, sol.i, sol.s, float(sol.q[0]), sol.J)
