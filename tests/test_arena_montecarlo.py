"""Monte Carlo check of the reactive-user layer against the game's closed forms (spec §3).

A synthetic two-model zoo with known per-pass success probabilities, ``redraw="independent"``: the arena is
then the game's Markov chain (spec §2.3) with the *empirical* success rates p_hat of the table (the first pass
uses the stored outcome, whose rate is p_hat; re-prompts redraw with p_hat), so the closed forms are evaluated
at p_hat. Bound: 5 standard errors of the per-task mean. The closed forms are written out here, independent of
the library (and compared with llmroute.game when it is installed).
"""
from __future__ import annotations

import numpy as np
import pytest

from llmroute.arena import ArenaUser, GameCascade, GamePolicy, GameStatic, run_arena
from llmroute.data.schema import Outcomes
from llmroute.routers import SingleModel

V, T, C, P = 10.0, (1.0, 3.0), (1.0, 4.0), 5.0
P_TRUE = (0.4, 0.8)
N = 40_000
K_SE = 5.0


def closed_form(p, t, c, V, P, i, s, q):
    """U, J, S and expected passes of policy (i, s) under abandonment q (spec §3)."""
    p1, p2 = p
    a, b = (1 - p1) * (1 - q), (1 - p2) * (1 - q)
    if i == 2:
        n11, n12 = 0.0, 1.0 / (1 - b)
    else:
        n11 = 1.0 / (1 - a * (1 - s))
        n12 = a * s / ((1 - a * (1 - s)) * (1 - b))
    S = p1 * n11 + p2 * n12
    U = V * S - (t[0] * n11 + t[1] * n12)
    J = c[0] * n11 + c[1] * n12 + P * (1 - S)
    return U, J, S, n11 + n12


def pair_zoo(seed: int) -> Outcomes:
    rng = np.random.default_rng(seed)
    qual = (rng.random((N, 2)) < np.array(P_TRUE)).astype(float)
    return Outcomes(name="pair", models=("M1", "M2"), quality=qual, cost=np.tile(C, (N, 1)), cost_unit="USD",
                    latency=np.tile([0.5, 1.5], (N, 1)), request_id=np.arange(N).astype(str),
                    domain=np.full(N, "d"))


def test_spec_example_closed_form() -> None:
    U, J, _, _ = closed_form((0.4, 0.8), T, C, V, P, 1, 0.3, 0.2)
    assert U == pytest.approx(5.809, abs=5e-4) and J == pytest.approx(3.494, abs=5e-4)


def _check(res, p_hat, i, s, q):
    U, J, S, npass = closed_form(p_hat, T, C, V, P, i, s, q)
    tk = res.tasks
    n = len(tk)
    j = tk["total_cost"] + P * (~tk["solved"])
    for name, x, ref in (("U", tk["utility"], U), ("J", j, J), ("S", tk["solved"].astype(float), S),
                         ("passes", tk["attempts"].astype(float), npass)):
        se = float(x.std(ddof=1)) / np.sqrt(n)
        assert abs(float(x.mean()) - ref) <= K_SE * se, (name, float(x.mean()), ref, se)


@pytest.mark.parametrize("i,s,q", [(1, 0.0, 0.2), (2, 0.0, 0.2), (1, 0.3, 0.2), (1, 1.0, 0.0), (1, 0.5, 0.6)])
def test_arena_matches_closed_form(i, s, q) -> None:
    o = pair_zoo(11)
    p_hat = tuple(o.quality.mean(axis=0))
    pol = GamePolicy(i=i, s=s, small=0, large=1, c=C, t=T, p=p_hat, P=P)
    router = GameCascade(pol) if (i == 1 and s > 0) else GameStatic(pol)
    user = ArenaUser(V=V, t=T, q=q, max_attempts=80, redraw="independent", P=P)
    res = run_arena(o, router, user, seed=5)
    assert res.tasks["capped"].sum() == 0
    _check(res, p_hat, i, s, q)


@pytest.mark.parametrize("p,q", [(0.4, 0.2), (0.8, 0.5), (0.25, 0.0)])
def test_single_model_attempts_and_abandonment(p, q) -> None:
    # one model: E[attempts] = 1/(p + q(1-p)); P(abandon) = q(1-p)/(p + q(1-p))
    rng = np.random.default_rng(3)
    n = 30_000
    o = Outcomes(name="one", models=("m",), quality=(rng.random((n, 1)) < p).astype(float),
                 cost=np.ones((n, 1)), cost_unit="USD", request_id=np.arange(n).astype(str), domain=np.full(n, "d"))
    ph = float(o.quality.mean())
    res = run_arena(o, SingleModel(0), ArenaUser(V=1.0, q=q, max_attempts=200), seed=1)
    tk = res.tasks
    att, ab = tk["attempts"].astype(float), tk["abandoned"].astype(float)
    e_att = 1.0 / (ph + q * (1 - ph))
    e_ab = q * (1 - ph) / (ph + q * (1 - ph))
    assert abs(att.mean() - e_att) <= K_SE * att.std(ddof=1) / np.sqrt(n)
    if q > 0:
        assert abs(ab.mean() - e_ab) <= K_SE * ab.std(ddof=1) / np.sqrt(n)
    else:
        assert ab.sum() == 0
    # cost per task = passes (cost 1 per pass) and cost per solved = passes / S
    s = res.summary()
    assert s["cost_per_task"] == pytest.approx(att.mean())
    assert s["cost_per_solved"] == pytest.approx(att.sum() / tk["solved"].sum())


def test_game_module_agrees_with_local_closed_form() -> None:
    pytest.importorskip("llmroute.game")
    from llmroute.arena.game_routers import game_closed_form

    for i, s, q in [(1, 0.3, 0.2), (2, 0.0, 0.5), (1, 1.0, 0.0)]:
        pol = GamePolicy(i=i, s=s, small=0, large=1, c=C, t=T, p=P_TRUE, P=P)
        ref = game_closed_form(pol, V, q)
        U, J, S, _ = closed_form(P_TRUE, T, C, V, P, i, s, q)
        assert (ref["U"], ref["J"], ref["S"]) == pytest.approx((U, J, S), rel=1e-12)


def test_best_response_game_router_example_B() -> None:
    # spec example B: p=(.3,.9), t=(2,3), c=(1,5), V=5 -> s0 = 0.230769: the user stays iff s > s0
    pytest.importorskip("llmroute.game")
    from llmroute.arena.game_routers import game_best_response

    for s, q in [(0.2, 1.0), (0.3, 0.0), (1.0, 0.0), (0.0, 1.0)]:
        pol = GamePolicy(i=1, s=s, small=0, large=1, c=(1, 5), t=(2, 3), p=(0.3, 0.9), P=5.0)
        assert game_best_response(pol, 5.0) == q
    # with the arena: its simulated best response agrees with the game's on an i.i.d. pair (p = .3, .9)
    rng = np.random.default_rng(2)
    qual = (rng.random((4000, 2)) < np.array([0.3, 0.9])).astype(float)
    o = Outcomes(name="B", models=("M1", "M2"), quality=qual, cost=np.tile((1.0, 5.0), (4000, 1)), cost_unit="USD",
                 request_id=np.arange(4000).astype(str), domain=np.full(4000, "d"))
    for s, q in [(0.05, 1.0), (1.0, 0.0)]:
        pol = GamePolicy(i=1, s=s, small=0, large=1, c=(1, 5), t=(2, 3), p=(0.3, 0.9))
        res = run_arena(o, GameCascade(pol), ArenaUser(V=5.0, t=(2, 3), q="best_response", max_attempts=30),
                        seed=0)
        assert res.q_used == q == game_best_response(pol, 5.0) and "simulated" in res.q_source


def test_game_optimal_router_on_measured_pair() -> None:
    pytest.importorskip("llmroute.game")
    from llmroute.arena import game_optimal_router

    o = pair_zoo(4)  # p ~ (.4,.8), c = (1,4): cost-of-pass 2.5 < 5 -> both value-dominated at V=10: (1,0)
    r = game_optimal_router(o, ArenaUser(V=10.0, t=T, P=P), 0, 1)
    assert isinstance(r, GameStatic) and r.game_policy.i == 1 and r.game_policy.s == 0.0
    # expensive small model: c = (3.9, 4) -> c1/p1 = 9.75 > c2/p2 = 5 -> (2,0)
    o2 = Outcomes(name="pair2", models=("M1", "M2"), quality=o.quality, cost=np.tile((3.9, 4.0), (N, 1)),
                  cost_unit="USD", request_id=o.request_id, domain=o.domain)
    r2 = game_optimal_router(o2, ArenaUser(V=10.0, t=T, P=P), 0, 1)
    assert r2.game_policy.i == 2
