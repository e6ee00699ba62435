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


def test_best_response_effective_model() -> None:
    o = tiny()
    # "always l": p = .75; t = 5 per pass -> xi = V p - t; V = 10 gives 2.5 > 0 -> stay (q* = 0)
    stay = run_arena(o, SingleModel(2), ArenaUser(V=10.0, t=(1, 2, 5), q="best_response", max_attempts=3,
                                                  redraw="same"), order="given")
    assert stay.q_used == 0.0 and "effective model" in stay.q_source
    assert stay.tasks["attempts"].tolist() == [1, 1, 1, 3]
    leave = run_arena(o, SingleModel(2), ArenaUser(V=6.0, t=(1, 2, 5), q="best_response", max_attempts=3,
                                                   redraw="same"), order="given")
    assert leave.q_used == 1.0
    assert leave.tasks["attempts"].tolist() == [1, 1, 1, 1]


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
