"""The arena's reactive-user layer: hand-computed tasks, passive users == plain replay, parameter errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import tiny_outcomes

from llmroute._validate import ParameterError
from llmroute.arena import ArenaUser, GameCascade, GamePolicy, GameStatic, run_arena
from llmroute.data.schema import Outcomes
from llmroute.replay import replay
from llmroute.routers import (CheapestCorrectOracle, Decision, EducatedGuessing, Router, SingleModel,
                              UniformRandom)


tiny = tiny_outcomes


def random_zoo(rng: np.random.Generator, n: int = 300, m: int = 4) -> Outcomes:
    acc = np.linspace(0.3, 0.9, m)
    return Outcomes(name="rz", models=tuple(f"m{k}" for k in range(m)),
                    quality=(rng.random((n, m)) < acc).astype(float),
                    cost=rng.gamma(2.0, 1.0, (n, m)) * (1 + np.arange(m)), cost_unit="USD",
                    latency=rng.gamma(2.0, 0.5, (n, m)), request_id=np.arange(n).astype(str),
                    domain=np.where(rng.random(n) < 0.5, "a", "b"), features=rng.normal(size=(n, 3)))


class EpsGreedy(Router):
    """A small learning router: epsilon-greedy on quality - cost/10, exploring with the router rng."""

    name = "eps-greedy"

    def reset(self, zoo, rng):
        super().reset(zoo, rng)
        self.sum = np.zeros(self.n_models)
        self.cnt = np.zeros(self.n_models)

    def choose(self, request):
        if self.rng.random() < 0.2 or self.cnt.min() == 0:
            if request.t % 7 == 0:
                return Decision(serve=self.n_models - 1, query=tuple(range(self.n_models)))
            return int(self.rng.integers(self.n_models))
        return int(np.argmax(self.sum / self.cnt))

    def observe(self, request, feedback):
        for k, qv, c in zip(feedback.query, feedback.quality, feedback.cost):
            if np.isfinite(qv):
                self.sum[k] += qv - c / 10
                self.cnt[k] += 1

    def state(self):
        return {"n_obs": float(self.cnt.sum())}


REPLAY_COLS = ["t", "row", "request_id", "domain", "served", "queried_mask", "n_queried", "quality", "cost",
               "latency_s", "running_quality", "running_cost"]


@pytest.mark.parametrize("make", [
    lambda o: SingleModel(2), lambda o: UniformRandom(), lambda o: EducatedGuessing(o.mean_quality(), 0.6),
    lambda o: CheapestCorrectOracle(o), lambda o: EpsGreedy()])
@pytest.mark.parametrize("feedback_rate", [1.0, 0.6])
def test_passive_user_reproduces_plain_replay(rng, make, feedback_rate) -> None:
    o = random_zoo(rng)
    user = ArenaUser.passive(V=2.0, latency_rate=0.1, max_attempts=5)
    for seed in (0, 7):
        plain = replay(o, make(o), seed=seed, n=250, feedback_rate=feedback_rate)
        arena = run_arena(o, make(o), user, seed=seed, n=250, feedback_rate=feedback_rate)
        cols = REPLAY_COLS + [c for c in plain.log.columns if c not in REPLAY_COLS]
        pd.testing.assert_frame_equal(arena.passes[cols].reset_index(drop=True), plain.log[cols])
        s, ps = arena.summary(), plain.summary()
        assert s["cost_per_task"] == ps["cost_per_request"]
        assert s["quality_per_pass"] == ps["mean_quality"]
        assert s["mean_attempts"] == 1.0 and s["n_passes"] == 250
        assert arena.tasks["solved"].tolist() == (plain.log["quality"] >= 0.5).tolist()
        assert s["abandon_rate"] == 1.0 - s["success_rate"]


def test_hand_computed_single_model_same_outcome() -> None:
    # "always s" with stored outcomes (redraw="same"): a failed row fails again until the cap of 3
    o = tiny()
    user = ArenaUser(V=10.0, t=(1.0, 2.0, 5.0), q=0.0, max_attempts=3, redraw="same", P=4.0)
    res = run_arena(o, SingleModel(0), user, order="given")
    tk = res.tasks
    assert tk["attempts"].tolist() == [3, 1, 3, 3]
    assert tk["solved"].tolist() == [False, True, False, False]
    assert tk["capped"].tolist() == [True, False, True, True]
    assert tk["total_cost"].tolist() == [3.0, 2.0, 3.0, 9.0]
    assert tk["latency_cost"].tolist() == [3.0, 1.0, 3.0, 3.0]
    assert tk["utility"].tolist() == [-3.0, 9.0, -3.0, -3.0]
    assert tk["total_latency_s"].tolist() == pytest.approx([0.3, 0.2, 0.3, 0.9])
    s = res.summary(sla_alpha=0.5)
    assert s["cost_per_task"] == 17 / 4 and s["cost_per_solved"] == 17.0 and s["n_passes"] == 10
    assert s["provider_J"] == 17 / 4 + 4.0 * 0.75
    assert s["quality_per_pass"] == 0.1 and s["quality_first_pass"] == 0.25
    assert (s["sla_pass_ok"], s["sla_first_ok"], s["sla_task_ok"]) == (False, False, False)


def test_hand_computed_full_cascade_same_outcome() -> None:
    # cascade (1, s=1) on the pair (s, l): a failure on "s" escalates to "l" and stays there
    o = tiny()
    pol = GamePolicy(i=1, s=1.0, small=0, large=2, c=(1.75, 21.5), t=(1.0, 5.0), p=(0.25, 0.75))
    user = ArenaUser(V=10.0, t=(1.0, 2.0, 5.0), q=0.0, max_attempts=5, redraw="same")
    res = run_arena(o, GameCascade(pol), user, order="given")
    tk = res.tasks
    assert tk["attempts"].tolist() == [2, 1, 2, 5]
    assert tk["solved"].tolist() == [True, True, True, False]
    assert tk["total_cost"].tolist() == [21.0, 2.0, 23.0, 3.0 + 4 * 23.0]
    assert tk["utility"].tolist() == [10 - 6.0, 10 - 1.0, 10 - 6.0, -(1.0 + 4 * 5.0)]
    assert tk["models_tried"].tolist() == ["0>2", "0", "0>2", "0>2>2>2>2"]
    # request 3 has no measured latency on "l": the pass log keeps NaN (the latency cost here is t, given)
    assert res.passes.loc[res.passes["row"] == 3, "latency_s"].isna().sum() == 4


def test_abandon_after_first_failure_with_q_one_and_static_large() -> None:
    o = tiny()
    pol = GamePolicy(i=2, s=0.0, small=0, large=2, c=(1.75, 21.5), t=(1.0, 5.0), p=(0.25, 0.75))
    res = run_arena(o, GameStatic(pol), ArenaUser(V=1.0, q=1.0, max_attempts=9), order="given")
    assert res.tasks["attempts"].tolist() == [1, 1, 1, 1]
    assert res.tasks["abandoned"].tolist() == [False, False, False, True]
    assert res.tasks["capped"].tolist() == [False] * 4


def test_latency_rate_uses_measured_seconds() -> None:
    o = tiny()
    user = ArenaUser(V=1.0, latency_rate=2.0, q=0.0, max_attempts=2, redraw="same")
    res = run_arena(o, SingleModel(1), user, order="given")
    # model "m": rows 0,1 solved at once; rows 2,3 fail twice
    assert res.tasks["latency_cost"].tolist() == pytest.approx([1.0, 1.2, 2.8, 3.2])
    assert res.tasks["utility"].tolist() == pytest.approx([0.0, -0.2, -2.8, -3.2])


def test_independent_redraw_is_seeded_and_common_across_routers(rng) -> None:
    o = random_zoo(rng, n=400)
    user = ArenaUser(V=1.0, q=0.3, max_attempts=6, redraw="independent")
    a = run_arena(o, SingleModel(1), user, seed=3)
    b = run_arena(o, SingleModel(1), user, seed=3)
    pd.testing.assert_frame_equal(a.tasks, b.tasks)
    c = run_arena(o, SingleModel(1), user, seed=4)
    assert not a.tasks["attempts"].equals(c.tasks["attempts"])
    assert a.meta["redraw"] == "independent" and a.summary()["redraw"] == "independent"


def test_best_response_gives_up_when_retrying_the_same_model_cannot_help() -> None:
    """Stored outcomes (redraw="same"): a row "always l" failed fails again, so every re-prompt only costs
    latency and the user leaves at once (q* = 1); the former effective-model rule said q* = 0 (xi = 2.5 > 0)."""
    o = tiny()
    same = run_arena(o, SingleModel(2), ArenaUser(V=10.0, t=(1, 2, 5), q="best_response", max_attempts=3,
                                                  redraw="same"), order="given")
    assert same.q_used == 1.0 and "simulated" in same.q_source
    assert same.tasks["attempts"].tolist() == [1, 1, 1, 1]
    assert same.tasks["abandoned_by_choice"].tolist() == [False, False, False, True]
    # the escalating custom router of the notebook: a re-prompt goes one model up; on row "c" model "l" solves
    esc = run_arena(o, Escalate(), ArenaUser(V=10.0, t=(1, 2, 5), q="best_response", max_attempts=3,
                                             redraw="same"), order="given")
    assert esc.q_used == 0.0 and esc.tasks["solved"].tolist() == [True, True, True, False]


class Escalate(Router):
    """Cheapest model first; each re-prompt one model up (no randomness, learns nothing)."""

    name = "escalate"
    learns = False

    def choose(self, request):
        return min(request.attempt, self.n_models - 1)


@pytest.mark.parametrize("make", [lambda: SingleModel(0), lambda: SingleModel(3), lambda: Escalate()])
@pytest.mark.parametrize("redraw", ["independent", "same"])
def test_expected_under_q_equals_the_runs_at_both_ends(rng, make, redraw) -> None:
    """From the q = 0 run, expected_under_q gives exactly the q = 0 run's metrics and, for a router without
    randomness, exactly the q = 1 run's (the same first passes)."""
    from llmroute.arena import expected_under_q, retry_curves

    o = random_zoo(rng, n=300)
    kw = dict(V=2.0, latency_rate=0.3, max_attempts=4, redraw=redraw, P=1.5)
    for q in (0.0, 1.0):
        res = run_arena(o, make(), ArenaUser(q=q, **kw), seed=5)
        s = res.summary()
        curves = retry_curves(run_arena(o, make(), ArenaUser(q=0.0, **kw), seed=5))
        e = expected_under_q(curves, q)
        assert float(e["U"]) == pytest.approx(s["user_utility"], abs=1e-12)
        assert float(e["J"]) == pytest.approx(s["provider_J"], abs=1e-12)
        assert float(e["S"]) == pytest.approx(s["success_rate"], abs=1e-12)
        assert float(e["passes"]) == pytest.approx(s["mean_attempts"], abs=1e-12)
        assert float(e["capped"]) == pytest.approx(s["capped_rate"], abs=1e-12)
        assert float(e["abandon_choice"]) == pytest.approx(s["abandon_choice_rate"], abs=1e-12)
        # the latency rate rescales seconds: the same run priced at 0.3 / s
        assert float(expected_under_q(curves, q, latency_rate=0.3)["U"]) == pytest.approx(s["user_utility"])


def _cascade(o):
    pol = GamePolicy(i=1, s=1.0, small=0, large=3, c=(1.0, 4.0), t=(1.0, 1.0), p=(0.3, 0.9))
    return GameCascade(pol, "cascade (1,1)")


@pytest.mark.parametrize("make, redraw, rate", [
    (lambda o: SingleModel(0), "same", 0.3),         # retrying the same failed row: leave
    (lambda o: SingleModel(0), "independent", 0.05),  # cheap retries that succeed 30 %: stay
    (lambda o: SingleModel(0), "independent", 1.5),   # slow retries: leave
    (lambda o: Escalate(), "same", 0.3),              # retries go to better models: stay
    (_cascade, "same", 0.3), (_cascade, "independent", 2.0)])
def test_best_response_equals_the_search_on_common_random_numbers(rng, make, redraw, rate) -> None:
    """The arena's q* against a search: run the arena at every q of a grid with the same seed (common random
    numbers: the same abandonment coins and redraws) and take the q of highest mean utility."""
    o = random_zoo(rng, n=2000)
    kw = dict(V=1.0, latency_rate=rate, max_attempts=5, redraw=redraw)
    best = run_arena(o, make(o), ArenaUser(q="best_response", **kw), seed=11)
    grid = np.linspace(0, 1, 11)
    U = np.array([run_arena(o, make(o), ArenaUser(q=float(q), **kw), seed=11).summary()["user_utility"]
                  for q in grid])
    assert best.q_used == grid[int(np.argmax(U))]
    assert best.summary()["user_utility"] == pytest.approx(U.max(), abs=1e-12)


def test_independent_redraws_are_iid_per_model_with_their_own_latency(rng) -> None:
    """Two models with identical stored outcomes on every row: a re-prompt that queries both must see them
    disagree about half the time (independent draws per model; a shared uniform never would), and its latency
    must be a donor row's of the same domain (failed rows here are slower)."""
    n = 2000
    right = rng.random(n) < 0.5
    qual = np.column_stack([right, right]).astype(float)
    lat = np.where(right, 1.0, 9.0)[:, None] * np.array([[1.0, 1.0]])
    dom = np.where(np.arange(n) < n // 2, "a", "b")
    o = Outcomes(name="twin", models=("x", "y"), quality=qual, cost=np.ones((n, 2)), cost_unit="USD", latency=lat,
                 request_id=np.arange(n).astype(str), domain=dom)

    class Both(Router):
        name = "both"

        def reset(self, zoo, r):
            super().reset(zoo, r)
            self.seen = []

        def choose(self, request):
            return Decision(serve=1, query=(0, 1))

        def observe(self, request, feedback):
            if request.attempt > 0:
                self.seen.append(tuple(feedback.quality))

    r = Both()
    res = run_arena(o, r, ArenaUser(V=1.0, latency_rate=0.0, q=0.0, max_attempts=4, redraw="independent"), seed=1)
    seen = np.array(r.seen)
    assert abs((seen[:, 0] != seen[:, 1]).mean() - 0.5) < 0.05
    re = res.passes[res.passes["attempt"] > 0]
    # each model's latency follows its own redrawn correctness (1 s right, 9 s wrong), not the task's row; the
    # pass takes the slower of the two queried models
    assert np.array_equal(re["latency_s"].to_numpy(), np.where(seen.min(axis=1) == 1, 1.0, 9.0))


def test_missing_latency_counts_the_model_mean_in_seconds_and_cost() -> None:
    o = tiny()  # row "d" has no latency on "l": the model mean (2.1 s) is used in both
    res = run_arena(o, SingleModel(2), ArenaUser(V=1.0, latency_rate=2.0, q=1.0), order="given")
    assert res.tasks["total_latency_s"].tolist() == pytest.approx([2.0, 2.1, 2.2, 2.1])
    s = res.summary()
    assert s["latency_cost_per_task"] == pytest.approx(2.0 * s["latency_s_per_task"])


def test_abandonment_by_choice_and_capped_are_reported_apart() -> None:
    o = tiny()
    stay = run_arena(o, SingleModel(0), ArenaUser(V=1.0, q=0.0, max_attempts=2, redraw="same"), order="given")
    leave = run_arena(o, SingleModel(0), ArenaUser(V=1.0, q=1.0, max_attempts=2, redraw="same"), order="given")
    assert (stay.summary()["capped_rate"], stay.summary()["abandon_choice_rate"]) == (0.75, 0.0)
    assert (leave.summary()["capped_rate"], leave.summary()["abandon_choice_rate"]) == (0.0, 0.75)


@pytest.mark.parametrize("kw", [dict(V=0.0), dict(q=1.5), dict(q="nash"), dict(max_attempts=0),
                                dict(redraw="fresh"), dict(t=(1, 2), latency_rate=1.0), dict(P=-1.0),
                                dict(t=(1.0, -2.0))])
def test_invalid_user_parameters(kw) -> None:
    with pytest.raises(ParameterError):
        ArenaUser(**kw)


def test_latency_needed_when_data_has_none(rng) -> None:
    o = random_zoo(rng, n=20)
    o2 = Outcomes(name="nolat", models=o.models, quality=o.quality, cost=o.cost, cost_unit="USD",
                  request_id=o.request_id, domain=o.domain)
    with pytest.raises(ValueError, match="latency_s"):
        run_arena(o2, SingleModel(0), ArenaUser(latency_rate=1.0))
    with pytest.raises(ParameterError, match="t ="):
        run_arena(o2, SingleModel(0), ArenaUser(t=(1.0, 2.0)))
    res = run_arena(o2, SingleModel(0), ArenaUser(latency_rate=1.0, latency_s=(1, 2, 3, 4), q=1.0))
    assert np.allclose(res.tasks["latency_cost"], 1.0)


class EscalateBatch(Escalate):
    """The same policy with a vectorised first pass: the arena takes its attempt-by-attempt path."""

    def choose_batch(self, batch):
        return np.zeros(batch.rows.shape[0], dtype=np.int64)


@pytest.mark.parametrize("redraw", ["independent", "same"])
@pytest.mark.parametrize("q", [0.0, 0.35, 1.0])
def test_vectorised_reprompts_equal_the_task_by_task_path(rng, redraw, q) -> None:
    o = random_zoo(rng, n=300)
    user = ArenaUser(V=1.0, latency_rate=0.2, q=q, max_attempts=4, redraw=redraw)
    a = run_arena(o, Escalate(), user, seed=2)
    b = run_arena(o, EscalateBatch(), user, seed=2)
    pd.testing.assert_frame_equal(a.tasks, b.tasks)
    pd.testing.assert_frame_equal(a.passes.reset_index(drop=True), b.passes.reset_index(drop=True))


def test_run_user_modes_equals_separate_runs(rng) -> None:
    """Sharing runs across user modes (the q = 1 run reused when q* = 1) gives what run_arena gives per user."""
    from llmroute.arena.grid import run_user_modes

    o = random_zoo(rng, n=300)
    common = dict(V=1.0, latency_rate=0.4, P=2.0)
    users = {"passive": ArenaUser.passive(**common),
             "same": ArenaUser(q="best_response", max_attempts=4, redraw="same", **common),
             "indep": ArenaUser(q="best_response", max_attempts=4, redraw="independent", **common)}
    for make in (lambda: SingleModel(0), lambda: Escalate(), lambda: EpsGreedy()):
        shared = run_user_modes(o, make(), users, seed=3)
        if isinstance(make(), SingleModel):
            assert shared["same"].q_used == 1.0  # retrying the same row never helps a single model
        for mode, u in users.items():
            alone = run_arena(o, make(), u, seed=3)
            pd.testing.assert_frame_equal(shared[mode].tasks, alone.tasks)
            assert shared[mode].summary() == alone.summary()
