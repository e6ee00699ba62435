"""PickLLM Algorithm 2 (stateless epsilon-greedy Q-learning): hand step, epsilon schedule, lock-in, errors."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute._validate import ParameterError
from llmroute.pickllm import PickLLMQ, QParams, RewardConfig, egreedy_choice, epsilon_schedule, greedy_choice, q_update
from llmroute.pickllm.sessions import run_sessions
from test_pickllm_automaton import toy


def test_q_update_hand_computed() -> None:
    np.testing.assert_allclose(q_update(np.zeros(4), 2, 0.25, 0.1), [0, 0, 0.025, 0])
    # gamma: 0.1 + 0.1*(0.3 + 0.5*max(Q)=0.1 - 0.1) = 0.13
    np.testing.assert_allclose(q_update(np.array([0.2, 0.0, 0.1, 0.0]), 2, 0.3, 0.1, 0.5), [0.2, 0, 0.13, 0])
    Qv = q_update(np.zeros((2, 3)), np.array([0, 2]), np.array([1.0, -0.5]), 0.5)
    np.testing.assert_allclose(Qv, [[0.5, 0, 0], [0, 0, -0.25]])


def test_epsilon_schedule() -> None:
    p = QParams(eps0=1.0, decay=0.99, eps_min=0.01)
    assert epsilon_schedule(0, p) == 1.0
    assert epsilon_schedule(1, p) == pytest.approx(0.99)
    assert epsilon_schedule(10, p) == pytest.approx(0.99 ** 10)
    assert epsilon_schedule(298, p) > 0.05 >= epsilon_schedule(299, p)   # first t with eps <= 0.05 is 299
    assert epsilon_schedule(5000, p) == 0.01                            # floor eps_min
    np.testing.assert_allclose(epsilon_schedule(np.arange(4), QParams(eps0=0.2, decay=1.0, eps_min=0.0)), 0.2)


def test_greedy_tiebreak_and_egreedy() -> None:
    Q = np.array([1.0, 3.0, 3.0, 2.0])
    assert greedy_choice(Q, 0.2) == 1 and greedy_choice(Q, 0.7) == 2
    assert egreedy_choice(Q, np.array([0.5, 0.1, 0.9]), eps=0.6) == 0     # explores: floor(0.1*4) = 0
    assert egreedy_choice(Q, np.array([0.7, 0.1, 0.9]), eps=0.6) == 2     # greedy, tie-break u=0.9
    np.testing.assert_array_equal(greedy_choice(np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([0.6, 0.6])), [1, 0])


def test_lock_in_rule_on_toy() -> None:
    res = run_sessions(toy(), PickLLMQ(RewardConfig.paper(), QParams(alpha=0.1)), T=600, seeds=range(50))
    s = res.summary
    assert s["locked"].all() and (s["t_star"] >= 299).all()   # eps must first fall to eps_lock = 0.05
    assert (s["t_star"] == 299).mean() >= 0.9                    # and the greedy arm is long stable
    assert s["hit_best"].mean() >= 0.95
    for k in range(50):
        ts = int(s["t_star"][k])
        assert (res.choices[k, ts:] == s["i_star"][k]).all()


def test_lock_needs_k_consecutive_same_greedy() -> None:
    # eps0 = eps_min = 0 (pure greedy, eps <= eps_lock from the start): lock after exactly lock_k queries
    p = QParams(alpha=0.5, eps0=0.0, decay=1.0, eps_min=0.0, eps_lock=0.05, lock_k=7)
    s = run_sessions(toy(), PickLLMQ(RewardConfig.paper(), p), T=100, seeds=range(5)).summary
    assert (s["t_star"] == 7).all()


@pytest.mark.parametrize("kw, name", [
    ({"alpha": 0.0}, "alpha"), ({"alpha": 1.2}, "alpha"), ({"eps0": -0.1}, "eps0"), ({"eps0": 1.5}, "eps0"),
    ({"decay": 0.0}, "decay"), ({"decay": 1.01}, "decay"), ({"eps0": 0.1, "eps_min": 0.2}, "eps_min"),
    ({"eps_lock": 2.0}, "eps_lock"), ({"lock_k": 0}, "lock_k"), ({"lock_k": 2.5}, "lock_k"),
    ({"gamma": 1.0}, "gamma"), ({"q0": np.inf}, "q0"), ({"reward_norm": "softmax"}, "reward_norm"),
])
def test_invalid_q_params_raise(kw: dict, name: str) -> None:
    with pytest.raises(ParameterError, match=name):
        QParams(**kw)
