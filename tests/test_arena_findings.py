"""The arena notebook's findings (llmroute.arena.findings) and the exact static-route expectation, on tiny
hand-made tables whose answers are computed by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmroute.arena import ArenaUser, GameCascade, GamePolicy, GameStatic, run_arena
from llmroute.arena.catalog import (GAME_CASCADE, MESSPLUS, USER_MODES, arena_users, churn_penalty,
                                    single_model_name)
from llmroute.arena.findings import (MEAN_COLUMNS, aggregate_runs, cascade_cost_ratio, cascading_optima,
                                     game_table, passive_replay_differences, passive_replay_max_difference,
                                     preferred_routes, sla_misses, static_gap_check)
from llmroute.arena.metrics import static_expected_utility
from llmroute.data.schema import Outcomes
from llmroute.routers import SingleModel, UniformRandom

from conftest import tiny_outcomes


# ---- the exact expectation of a static route --------------------------------------------------------------

@pytest.mark.parametrize("redraw, q, expected", [
    # model "s" on tiny: rows a..d stored (0,1,0,0), domains x,x,y,y -> redraw rates x: 1/2, y: 0; latency
    # (.1,.2,.1,.3) s at 1 per second; cap 3 passes.
    # independent re-prompts redraw latency too: they cost the domain mean (x: .15 s, y: .2 s)
    # q=0: a: S=.5+.5*.5=.75, 1.5 re-prompts, U=.75-.1-.15*1.5=.425; b: .8; c: -.1-.2*2=-.5; d: -.3-.4=-.7
    ("independent", 0.0, 0.00625),
    # q=.5: a: g=(.5,.125): S=.3125, R=.625, U=.11875; b: .8; c: g=(.5,.25), U=-.25; d: -.45 -> .0546875
    ("independent", 0.5, 0.0546875),
    # stored outcome again: failed rows never succeed: a -.3, b .8, c -.3, d -.9 -> -.175
    ("same", 0.0, -0.175),
])
def test_static_expected_utility_hand_computed(redraw, q, expected) -> None:
    user = ArenaUser(V=1.0, latency_rate=1.0, max_attempts=3, redraw=redraw)
    assert static_expected_utility(tiny_outcomes(), user, "s", q) == pytest.approx(expected)


def test_static_expected_utility_matches_the_arena_monte_carlo() -> None:
    rng = np.random.default_rng(3)
    n = 3000
    dom = np.where(rng.random(n) < 0.4, "hard", "easy")
    p = np.where(dom == "hard", 0.3, 0.8)
    qual = np.column_stack([(rng.random(n) < p).astype(float), np.ones(n)])
    lat = np.column_stack([rng.lognormal(0.0, 0.5, n) * (1 + (qual[:, 0] == 0)), np.full(n, 0.5)])
    o = Outcomes(name="mc", models=("a", "b"), quality=qual, cost=np.ones((n, 2)), cost_unit="USD", latency=lat,
                 request_id=np.arange(n).astype(str), domain=dom)
    for q in (0.0, 0.3):
        user = ArenaUser(V=2.0, latency_rate=0.2, q=q, max_attempts=4, redraw="independent")
        u = np.concatenate([run_arena(o, SingleModel(0), user, seed=s).tasks["utility"].to_numpy() for s in range(3)])
        se = u.std(ddof=1) / np.sqrt(u.size)
        assert abs(u.mean() - static_expected_utility(o, user, 0, q)) <= 5 * se


def test_static_gap_check_reports_z_and_the_closed_forms() -> None:
    o = _pair_zoo()
    user = ArenaUser(V=1.0, latency_rate=0.1, q=0.0, max_attempts=3)
    f = static_gap_check(o, user, "b", "a", seeds=range(6))
    d = f.detail
    exact = static_expected_utility(o, user, "b", 0.0) - static_expected_utility(o, user, "a", 0.0)
    assert d["exact_expected_gap"] == pytest.approx(exact) and d["n_seeds"] == 6 and d["q"] == 0.0
    assert f.value == pytest.approx((d["measured_gap"] - exact) / d["standard_error"])
    with pytest.raises(ValueError, match="at least 2 seeds"):
        static_gap_check(o, user, "b", "a", seeds=[0])


# ---- the run table ------------------------------------------------------------------------------------------

def _raw() -> pd.DataFrame:
    rows = []
    for seed, (u_a, u_b, u_r) in enumerate(((1.0, 2.0, 0.5), (3.0, 2.0, 1.5))):
        for router, fam, u in (("only a", "single model", u_a), ("only b", "single model", u_b),
                               ("random", "random", u_r)):
            rows.append({"dataset": "d", "user": "passive", "router": router, "family": fam, "redraw": "independent",
                         "q_source": f"best response: p_eff={seed}", "seed": seed, "user_utility": u,
                         "sla_pass_ok": seed == 0, "sla_first_ok": True, "sla_task_ok": False,
                         **{c: float(seed) for c in MEAN_COLUMNS if c not in
                            ("user_utility", "sla_pass_ok", "sla_first_ok", "sla_task_ok")}})
    return pd.DataFrame(rows)


def test_aggregate_runs_seed_means_and_regret() -> None:
    agg = aggregate_runs(_raw()).set_index("router")
    assert agg["user_utility"].to_dict() == {"only a": 2.0, "only b": 2.0, "random": 1.0}
    assert agg["user_regret"].to_dict() == {"only a": 0.0, "only b": 0.0, "random": 1.0}
    assert agg.loc["random", "sla_pass_ok"] == 0.5 and agg.loc["random", "q"] == 0.5
    assert (agg["q_source"] == "best response").all()
    with pytest.raises(KeyError, match="missing columns"):
        aggregate_runs(_raw().drop(columns="provider_J"))


def _agg(user: str, ratio_d2: float) -> pd.DataFrame:
    rows = []
    for d, opt_cost, cas_cost in (("d1", 2.0, 3.0), ("d2", 4.0, 4.0 * ratio_d2)):
        rows += [{"dataset": d, "user": user, "router": "game-optimal (1,0)", "cost_per_solved": opt_cost,
                  "success_rate": 0.5},
                 {"dataset": d, "user": user, "router": GAME_CASCADE, "cost_per_solved": cas_cost,
                  "success_rate": 0.9}]
    return pd.DataFrame(rows)


def test_cascade_cost_ratio_minimum_over_datasets() -> None:
    f, tab = cascade_cost_ratio(_agg("u", 1.25), "u")
    assert f.value == 1.25 and f.note == "" and tab["ratio"].tolist() == [1.5, 1.25]
    f, _ = cascade_cost_ratio(pd.concat([_agg("u", 0.5), _agg("v", 2.0)]), "u")
    assert f.value == 0.5 and "d2 (ratio 0.5000)" in f.note
    with pytest.raises(KeyError, match="no dataset"):
        cascade_cost_ratio(_agg("u", 1.0), "v")


def test_sla_misses_counts_datasets_missed_in_any_seed() -> None:
    agg = pd.DataFrame({"dataset": ["d1", "d2", "d3", "d1"], "user": ["p", "p", "p", "p"],
                        "router": [MESSPLUS, MESSPLUS, MESSPLUS, "random"], "sla_pass_ok": [1.0, 0.5, 0.0, 0.0],
                        "quality_per_pass": [0.8, 0.61, 0.5, 0.1]})
    f = sla_misses(agg, {"d1": 0.7, "d2": 0.6, "d3": 0.6}, "p")
    assert f.value == 2 and f.note == ("missed on: d2 (below alpha 0.60 in 50% of seeds; seed-mean per-pass quality "
                                       "0.6100), d3 (below alpha 0.60 in 100% of seeds; seed-mean per-pass quality 0.5000)")
    assert f.detail["d1"] == {"quality_per_pass": 0.8, "alpha": 0.7, "share_of_seeds_ok": 1.0}
    with pytest.raises(KeyError, match="no 'MESS\\+' rows"):
        sla_misses(agg, {}, "q")


def test_passive_replay_differences_are_zero_and_detected() -> None:
    o = tiny_outcomes()
    routers = {"t": {"only s": SingleModel(0), "random": UniformRandom()}}
    user = ArenaUser.passive(V=1.0, latency_rate=0.1)
    raw = pd.DataFrame([{**run_arena(o, r, user, seed=3).summary(), "dataset": "t", "user": "passive", "router": n}
                        for n, r in (("only s", SingleModel(0)), ("random", UniformRandom()))])
    diffs = passive_replay_differences({"t": o}, routers, raw, seed=3)
    f = passive_replay_max_difference(diffs)
    assert f.value == 0.0 and f.detail["pairs"] == 2 and f.note == ""
    raw.loc[raw["router"] == "random", "cost_per_task"] += 1.0
    f = passive_replay_max_difference(passive_replay_differences({"t": o}, routers, raw, seed=3))
    assert f.value == pytest.approx(1.0) and f.note == "differ on: t/random"


# ---- the game on measured pairs -----------------------------------------------------------------------------

def _pair_zoo() -> Outcomes:
    # cheap "a": right on 2 of 4 (p = .5), cost 1, latency 1 s; big "b": right on 3 of 4 (p = .75), cost 4, 3 s
    return Outcomes(name="pair", models=("a", "b"), quality=np.array([[1, 1], [0, 1], [1, 1], [0, 0.0]]),
                    cost=np.tile([1.0, 4.0], (4, 1)), cost_unit="USD", latency=np.tile([1.0, 3.0], (4, 1)),
                    request_id=np.array(list("wxyz")), domain=np.full(4, "d"))


@pytest.mark.parametrize("P, pays", [(1.9, True), (2.1, False)])
def test_throttling_pays_exactly_below_the_best_cost_of_pass(P, pays) -> None:
    """Proposition 2 through llmroute.game.throttling: G > 0 iff P < min_i c_i/p_i (= 1/.5 = 2 here)."""
    o = _pair_zoo()
    user = ArenaUser(V=10.0, latency_rate=0.1, q="best_response", P=P)
    row = game_table({"z": o}, {"z": user}).iloc[0]
    assert row["min_cost_of_pass"] == pytest.approx(2.0)
    # G = min(2, 4/.75) - min(1 + .5 P, 4 + .25 P)
    assert row["throttling_gain"] == pytest.approx(2.0 - min(1 + 0.5 * P, 4 + 0.25 * P))
    assert bool(row["throttling_pays"]) is pays is bool(P < row["min_cost_of_pass"])


def test_game_table_static_optimum_and_preferred_routes() -> None:
    o = _pair_zoo()
    user = ArenaUser(V=10.0, latency_rate=1.0, q="best_response", P=1.0)
    tab = game_table({"z": o}, {"z": user})
    r = tab.iloc[0]
    # xi = (10*.5 - 1, 10*.75 - 3) = (4, 4.5): both value-dominated -> static on the better cost-of-pass "a"
    assert (r["xi_small"], r["xi_large"]) == pytest.approx((4.0, 4.5))
    assert (r["policy_i"], r["policy_s"], bool(r["cascades"])) == (1, 0.0, False)
    f = cascading_optima(tab)
    assert f.value == 0 and f.detail == {"datasets": 1, "regimes": {"z": "++"}, "same_sign": 1}
    # user: t/p = (2, 4) -> prefers "a" too: no misalignment
    routes = preferred_routes(tab, "z")
    assert routes.value == {"provider": "a", "user": "a"} and routes.detail["delta_U"] == 0.0


def test_cascading_optima_names_the_cascading_dataset() -> None:
    tab = pd.DataFrame({"dataset": ["d1", "d2"], "cascades": [False, True], "xi_small": [1.0, 1.0],
                        "xi_large": [1.0, -1.0], "policy_i": [1, 1], "policy_s": [0.0, 0.36]})
    f = cascading_optima(tab)
    assert f.value == 1 and f.note == "cascades on: d2 (1,0.36), regime +-" and f.detail["same_sign"] == 1


def test_cascade_solves_at_least_as_many_as_static_with_deterministic_models() -> None:
    """With redraw="same" and q = 0, the cascade (1,1) on (small, large) solves every task that either static
    route solves: a by-construction fact, so it is a test and not a claim of the notebook."""
    o = tiny_outcomes()
    pol = dict(small=0, large=2, c=(1.75, 21.5), t=(0.2, 2.1), p=(0.25, 0.75))
    user = ArenaUser(V=10.0, latency_rate=0.1, q=0.0, max_attempts=3, redraw="same")
    cas = run_arena(o, GameCascade(GamePolicy(i=1, s=1.0, **pol)), user, seed=0).tasks
    for i in (1, 2):
        st = run_arena(o, GameStatic(GamePolicy(i=i, s=0.0, **pol)), user, seed=0).tasks
        assert (cas.set_index("row")["solved"] >= st.set_index("row")["solved"]).all()


# ---- catalog helpers ----------------------------------------------------------------------------------------

def test_arena_users_and_names() -> None:
    o = tiny_outcomes()
    us = arena_users(o, V=2.0, latency_rate=0.1, max_attempts=4)
    assert tuple(us) == USER_MODES and churn_penalty(o) == 21.5
    assert us["passive"].is_passive and us["passive"].P == 21.5
    assert (us["reactive, same"].redraw, us["reactive, same"].q, us["reactive, same"].max_attempts) == \
        ("same", "best_response", 4)
    assert us["reactive, independent"].redraw == "independent" and us["reactive, independent"].V == 2.0
    assert single_model_name("anthropic/claude-opus-5") == "only claude-opus-5"
