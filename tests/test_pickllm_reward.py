"""PickLLM reward (spec §1.2): hand values, units, guards, scale invariance, normalisers, invalid weights."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from llmroute._validate import ParameterError
from llmroute.pickllm.reward import (FixedBounds, MaxRatio, NegativeNumeratorWarning, RewardConfig,
                                     RewardDomainError, RunningMinMax, make_normaliser, reward, reward_bounds)


def test_reward_hand_value_ms() -> None:
    # a = 0.8, c = $0.001, l = 2 s = 2000 ms, w_c = 100: (0.8 - 0.1) / log10(2000) = 0.7 / 3.30103
    assert reward(0.8, 0.001, 2.0, RewardConfig.paper()) == pytest.approx(0.21205502552823652, rel=1e-12)


def test_reward_hand_value_seconds_and_weights() -> None:
    cfg = RewardConfig.paper(w_a=2.0, w_c=50.0, w_l=0.5, t_scaling=3.0, latency_unit="s")
    # 3 * (2*0.8 - 50*0.001) / (0.5 * log10(20)) = 3 * 1.55 / (0.5 * 1.30103) = 7.147
    assert reward(0.8, 0.001, 20.0, cfg) == pytest.approx(3 * 1.55 / (0.5 * 1.3010299956639813), rel=1e-12)


def test_cost_units() -> None:
    base = RewardConfig.paper(w_c=1.0)
    assert reward(0.5, 2e-4, 10.0, RewardConfig.paper(w_c=1.0, cost_unit="per_1k_queries")) == pytest.approx(
        (0.5 - 0.2) / 4.0)
    assert reward(0.5, 2e-4, 10.0, RewardConfig.paper(w_c=1.0, cost_unit="frac_of_max"), cost_ref=4e-4) == pytest.approx(
        (0.5 - 0.5) / 4.0)
    assert reward(0.5, 2e-4, 10.0, base) == pytest.approx((0.5 - 2e-4) / 4.0)
    with pytest.raises(ParameterError, match="cost_ref"):
        reward(0.5, 2e-4, 10.0, RewardConfig.paper(cost_unit="frac_of_max"))


def test_argmax_invariant_under_t_scaling_and_w_l(rng: np.random.Generator) -> None:
    a = rng.uniform(0.5, 1.0, (200, 4))
    c = rng.uniform(1e-5, 1e-3, (200, 4))
    l_s = rng.uniform(0.3, 10.0, (200, 4))
    ref = reward(a, c, l_s, RewardConfig.paper()).argmax(axis=1)
    for ts in (0.01, 0.5, 3.0, 250.0):
        R = reward(a, c, l_s, RewardConfig.paper(t_scaling=ts))
        np.testing.assert_array_equal(R.argmax(axis=1), ref)
        np.testing.assert_allclose(R, ts * reward(a, c, l_s, RewardConfig.paper()), rtol=1e-12)
        # [ML]'s reading divides by t_scaling: the same function up to a positive constant
        R_ml = reward(a, c, l_s, RewardConfig.paper()) / ts
        np.testing.assert_array_equal(R_ml.argmax(axis=1), ref)
    for wl in (0.1, 7.0):
        np.testing.assert_array_equal(reward(a, c, l_s, RewardConfig.paper(w_l=wl)).argmax(axis=1), ref)


def test_log_scaled_inside_is_not_a_rescaling() -> None:
    cfg = RewardConfig.paper(t_scaling=0.01, latency_form="log_scaled_inside")
    l_s = np.array([1.2, 4.5])
    ratio = reward(0.8, 0.0, l_s, cfg) / reward(0.8, 0.0, l_s, RewardConfig.paper())
    assert abs(ratio[0] - ratio[1]) > 0.1   # log10(0.01*l) vs log10(l): not a constant factor


@pytest.mark.parametrize("l_s, unit", [(0.001, "ms"), (0.0005, "ms"), (1.0, "s"), (0.4, "s")])
def test_log_latency_nonpositive_raises(l_s: float, unit: str) -> None:
    with pytest.raises(RewardDomainError, match=r"log10\(latency\) <= 0"):
        reward(0.8, 0.001, l_s, RewardConfig.paper(latency_unit=unit))


def test_unknown_latency_raises() -> None:
    with pytest.raises(RewardDomainError, match="unknown"):
        reward(0.8, 0.001, np.nan, RewardConfig.paper())


def test_negative_numerator_warns_and_floor_clips() -> None:
    with pytest.warns(NegativeNumeratorWarning, match="sign trap"):
        R = reward(np.array([0.1, 0.1]), np.array([0.01, 0.01]), np.array([1.0, 10.0]), RewardConfig.paper())
    assert R[1] > R[0]  # the sign trap: the slower model earns the larger (less negative) reward
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Rf = reward(0.1, 0.01, 1.0, RewardConfig.paper(numerator_floor=0.0))
    assert Rf == 0.0


@pytest.mark.parametrize("kw, name", [
    ({"w_a": -1.0}, "w_a"), ({"w_c": -0.1}, "w_c"), ({"w_l": 0.0}, "w_l"), ({"w_l": -2.0}, "w_l"),
    ({"t_scaling": 0.0}, "t_scaling"), ({"t_scaling": -1.0}, "t_scaling"), ({"w_a": np.inf}, "w_a"),
    ({"cost_unit": "EUR"}, "cost_unit"), ({"latency_unit": "min"}, "latency_unit"),
    ({"latency_form": "linear"}, "latency_form"), ({"w_a": 0.0, "w_c": 0.0}, "w_a"),
    ({"numerator_floor": np.nan}, "numerator_floor"),
])
def test_invalid_weights_raise(kw: dict, name: str) -> None:
    with pytest.raises(ParameterError, match=name):
        RewardConfig.paper(**kw)


def test_config_is_frozen() -> None:
    with pytest.raises(Exception):
        RewardConfig.paper().w_c = 1.0  # type: ignore[misc]


def test_fixed_bounds_normaliser() -> None:
    n = FixedBounds(0.1, 0.3)
    np.testing.assert_allclose(n(np.array([0.0, 0.1, 0.15, 0.3, 0.5])), [0.0, 0.0, 0.25, 1.0, 1.0])
    with pytest.raises(ParameterError, match="bounds"):
        FixedBounds(0.3, 0.3)


def test_running_minmax_normaliser() -> None:
    n = RunningMinMax()
    n.reset(())
    out = [float(n(x)) for x in (1.0, 3.0, 2.0, 0.0)]
    assert out == [0.5, 1.0, 0.5, 0.0]
    n.reset((2,))  # vectorised: one state per session
    np.testing.assert_allclose(n(np.array([1.0, 5.0])), [0.5, 0.5])
    np.testing.assert_allclose(n(np.array([2.0, 4.0])), [1.0, 0.0])


def test_max_ratio_normaliser() -> None:
    n = MaxRatio(0.4)
    np.testing.assert_allclose(n(np.array([0.1, 0.4, 0.8])), [0.25, 1.0, 1.0])
    with pytest.raises(RewardDomainError, match="R >= 0"):
        n(np.array([-0.1]))


def test_make_normaliser_needs_bounds() -> None:
    with pytest.raises(ParameterError, match="bounds"):
        make_normaliser("fixed_bounds", None)
    with pytest.raises(ParameterError, match="reward_norm"):
        make_normaliser("zscore", (0, 1))
    assert reward_bounds(np.arange(101.0), (1, 99)) == (1.0, 99.0)
