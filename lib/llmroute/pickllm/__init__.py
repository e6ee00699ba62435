"""PickLLM (Sikeridis, Ramdass & Pareek, arXiv 2412.12170): RL-assisted per-session LLM routing, reconstructed.

* :mod:`.reward` -- the reward R = t_s (w_a a - w_c c) / (w_l log10 l) and its normalisers;
* :mod:`.automaton` -- Algorithm 1, the L_R-I learning automaton (:class:`PickLLMLRI`;
  ``PickLLMSLA`` is its deprecated former name);
* :mod:`.qlearning` -- Algorithm 2, stateless epsilon-greedy Q-learning (:class:`PickLLMQ`);
* :mod:`.world` -- the synthetic HC3-like world (illustrative);
* :mod:`.sessions` -- many seeded sessions at once (vectorised), baselines, synthetic latency for real data.
"""
from typing import Any as _Any

from .automaton import LRIParams, PickLLMLRI, lri_update, sample_categorical
from .qlearning import (PickLLMQ, QParams, earliest_lock_index, egreedy_choice, epsilon_schedule, greedy_choice,
                        q_update)
from .reward import (NegativeNumeratorWarning, RewardConfig, RewardDomainError, make_normaliser, reward,
                     reward_bounds, reward_matrix)
from .world import HC3_CONTEXTS, WORLD_MODELS, WorldParams, calibration_report, expected_rewards, make_world

__all__ = ["LRIParams", "PickLLMLRI", "lri_update", "sample_categorical", "PickLLMQ", "QParams", "earliest_lock_index", "egreedy_choice",
           "epsilon_schedule", "greedy_choice", "q_update", "NegativeNumeratorWarning", "RewardConfig",
           "RewardDomainError", "make_normaliser", "reward", "reward_bounds", "reward_matrix", "HC3_CONTEXTS",
           "WORLD_MODELS", "WorldParams", "calibration_report", "expected_rewards", "make_world"]


def __getattr__(name: str) -> _Any:
    """``PickLLMSLA``: the deprecated former name of :class:`PickLLMLRI`, served (with its warning) by the module
    that defines the class."""
    if name == "PickLLMSLA":
        from . import automaton

        return automaton.__getattr__(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
