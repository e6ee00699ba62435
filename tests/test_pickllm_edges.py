"""PickLLM's edges (issue 9 §5): sparse feedback, reward domain, best_arm, describe(), w_l invariance and its
limits, t_s inside the log, censoring-aware t*, the Q-learning lock floor, the deprecated PickLLMSLA name, and
the small library functions the notebooks' claims are computed with."""
from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from llmroute._validate import ParameterError
from llmroute.data.schema import Outcomes
from llmroute.pickllm import (LRIParams, PickLLMLRI, PickLLMQ, QParams, RewardConfig, RewardDomainError, WorldParams,
                              earliest_lock_index, make_world, reward)
from llmroute.pickllm.experiment import (negative_numerator_share, phase_dependence, speed_violations,
                                         steering_within_context, worst_context)
from llmroute.pickllm.sessions import default_bounds, run_sessions, tstar_survival
from llmroute.replay import replay
from llmroute.routers.base import Feedback, Request


@pytest.fixture(scope="module")
def medicine() -> Outcomes:
    w = make_world(WorldParams(), rng=np.random.default_rng(0))
    return replace(w.by_domain("medicine"), name="medicine")


def _learners(ctx: Outcomes) -> dict[str, object]:
    """Every learning router of the repository with its default-style settings (built fresh per call)."""
    from llmroute.messplus import MessPlus, MessPlusSettings
    from llmroute.messplus.predictors import OnlineMLPPredictor

    cfg = RewardConfig.paper()
    bd = default_bounds(ctx, cfg)
    feats = np.random.default_rng(0).normal(size=(ctx.n_requests, 8))
    return {
        "lri-fixed": PickLLMLRI(cfg, LRIParams(b=0.1, bounds=bd)),
        "lri-running": PickLLMLRI(cfg, LRIParams(b=0.1, reward_norm="running_minmax")),
        "q-raw": PickLLMQ(cfg),
        "q-fixed": PickLLMQ(cfg, QParams(reward_norm="fixed_bounds", bounds=bd)),
        "messplus": MessPlus(MessPlusSettings(alpha=0.75, V=1.0), OnlineMLPPredictor(feats)),
    }


# ------------------------------------------------------------------------------------------- sparse feedback
@pytest.mark.parametrize("key", ["lri-fixed", "lri-running", "q-raw", "q-fixed", "messplus"])
@pytest.mark.parametrize("rate", [0.5, 0.1])
def test_sparse_feedback_never_poisons_a_learner(medicine: Outcomes, key: str, rate: float) -> None:
    """Old code: replay(..., feedback_rate=0.5) ended with P = [nan nan nan nan] (model 0 served 99 %) and
    Q all NaN with locked = True. Now every state is finite and unlabelled steps leave the learner unchanged."""
    router = _learners(medicine)[key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        log = replay(medicine, router, seed=3, feedback_rate=rate).log
    state = [c for c in log.columns if c[:2] in ("P_", "Q_")] or ["Q"]
    X = log[state].to_numpy(float)
    assert np.isfinite(X).all(), f"{key}: non-finite learner state under feedback_rate={rate}"
    unl = ~log["labelled"].to_numpy(bool)
    assert unl.sum() > 0
    if key != "messplus":
        prev = np.vstack([np.full(len(state), 1.0 / len(state) if key.startswith("lri") else 0.0), X[:-1]])
        np.testing.assert_array_equal(X[unl], prev[unl])       # unlabelled: exactly no update
        was_locked = np.concatenate([[0.0], log["locked"].to_numpy(float)[:-1]]) > 0
        learn = ~unl & ~was_locked
        assert learn.sum() >= 20 and (X[learn] != prev[learn]).any(axis=1).mean() > 0.5  # labelled: learning
    if key.startswith("lri"):
        np.testing.assert_allclose(X.sum(axis=1), 1.0, atol=1e-12)
        assert log["served"].value_counts(normalize=True).max() < 0.99


def test_labelled_nan_quality_is_rejected_not_learned() -> None:
    router = PickLLMLRI(RewardConfig.paper(), LRIParams(b=0.1, bounds=(0.0, 0.3)))
    from llmroute.routers.base import ZooInfo

    router.reset(ZooInfo(("a", "b"), "USD", np.array([1e-4, 2e-4])), np.random.default_rng(0))
    fb = Feedback(query=(0,), quality=np.array([np.nan]), cost=np.array([1e-4]), latency=np.array([1.0]), serve=0)
    with pytest.raises(RewardDomainError, match="accuracy"):
        router.observe(Request(t=0, row=0, domain="x"), fb)
    np.testing.assert_array_equal(router.P, [0.5, 0.5])


# ------------------------------------------------------------------------------------------- reward domain
@pytest.mark.parametrize("a, c, l_s, match", [
    (np.nan, 1e-3, 2.0, "accuracy"), (0.5, np.nan, 2.0, "cost"), (np.inf, 1e-3, 2.0, "accuracy"),
    (0.5, 1e-3, -2.0, "latency"), (0.5, 1e-3, 0.0, "latency"), (0.5, 1e-3, np.inf, "latency"),
    (np.array([0.5, np.nan]), 1e-3, 2.0, "accuracy"), (0.5, 1e-3, np.array([2.0, -0.5]), "latency")])
def test_reward_domain_errors(a, c, l_s, match: str) -> None:
    """Old code returned NaN (or 0 for an infinite latency) for each of these."""
    with pytest.raises(RewardDomainError, match=match):
        reward(a, c, l_s, RewardConfig.paper())


def test_run_sessions_best_arm_out_of_range(medicine: Outcomes) -> None:
    """Old code: a bare IndexError from numpy."""
    rt = PickLLMLRI(RewardConfig.paper(), LRIParams(b=0.1, bounds=default_bounds(medicine, RewardConfig.paper())))
    with pytest.raises(ParameterError, match=r"best_arm = 7 .*\[0, 3\]"):
        run_sessions(medicine, rt, T=10, seeds=[0], best_arm=7)
    with pytest.raises(ParameterError, match="best_arm = -1"):
        run_sessions(medicine, rt, T=10, seeds=[0], best_arm=-1)


# ------------------------------------------------------------------------------------------- describe, units
def test_describe_names_the_formula_in_use() -> None:
    """Old code printed t_s*(...)/(w_l*log10(l)) also for the form with t_s inside the log."""
    inside = RewardConfig.paper(latency_form="log_scaled_inside", t_scaling=0.01).describe()
    assert inside.startswith("R = (w_a*a - w_c*c)/(w_l*log10(t_s*l))") and "t_s*(" not in inside
    assert RewardConfig.paper().describe().startswith("R = t_s*(w_a*a - w_c*c)/(w_l*log10(l))")


def test_t_s_inside_the_log_is_a_change_of_latency_unit(rng: np.random.Generator) -> None:
    a, c, l_s = rng.uniform(0.5, 1, 50), rng.uniform(0, 1e-3, 50), rng.uniform(1.5, 9.0, 50)
    # t_s = 1e-3 with ms: log10(1e-3 * l[ms]) = log10(l[s]) -- exactly the paper's form in seconds
    np.testing.assert_allclose(reward(a, c, l_s, RewardConfig.paper(latency_form="log_scaled_inside", t_scaling=1e-3)),
                               reward(a, c, l_s, RewardConfig.paper(latency_unit="s")), rtol=1e-12)
    # the pole moves to l = 1/t_s: t_s = 0.01 -> 100 ms
    cfg = RewardConfig.paper(latency_form="log_scaled_inside", t_scaling=0.01)
    with pytest.raises(RewardDomainError):
        reward(0.8, 0.0, 0.1, cfg)
    assert np.isfinite(reward(0.8, 0.0, 0.1001, cfg))


# ------------------------------------------------------------------------------------------- w_l invariance
def _choices(ctx: Outcomes, router, T: int = 120) -> np.ndarray:
    return run_sessions(ctx, router, T=T, seeds=range(8)).choices


def test_w_l_only_rescales_for_scale_equivariant_normalisers_with_q0_zero(medicine: Outcomes) -> None:
    c1, c10 = RewardConfig.paper(), RewardConfig.paper(w_l=10.0)
    lri = lambda cfg: PickLLMLRI(cfg, LRIParams(b=0.2, bounds=default_bounds(medicine, cfg)))
    np.testing.assert_array_equal(_choices(medicine, lri(c1)), _choices(medicine, lri(c10)))
    run = lambda cfg: PickLLMLRI(cfg, LRIParams(b=0.2, reward_norm="running_minmax"))
    np.testing.assert_array_equal(_choices(medicine, run(c1)), _choices(medicine, run(c10)))
    q = lambda cfg, q0=0.0: PickLLMQ(cfg, QParams(decay=0.95, q0=q0))
    np.testing.assert_array_equal(_choices(medicine, q(c1)), _choices(medicine, q(c10)))


def test_w_l_changes_the_learners_otherwise(medicine: Outcomes) -> None:
    """Not in general: with user-set (not rescaled) fixed bounds, or Q0 != 0, w_l changes the choices."""
    c1, c10 = RewardConfig.paper(), RewardConfig.paper(w_l=10.0)
    bd = default_bounds(medicine, c1)
    lri = lambda cfg: PickLLMLRI(cfg, LRIParams(b=0.2, bounds=bd))
    assert (_choices(medicine, lri(c1)) != _choices(medicine, lri(c10))).any()
    q = lambda cfg: PickLLMQ(cfg, QParams(decay=0.95, q0=0.1))
    assert (_choices(medicine, q(c1)) != _choices(medicine, q(c10))).any()


# ------------------------------------------------------------------------------------------- t* statistics
def test_tstar_survival_hand_values() -> None:
    s = tstar_survival(np.array([5, 7, 9, np.nan, np.nan]), np.array([1, 1, 1, 0, 0], bool), 10)
    assert (s["km_q25"], s["km_median"], s["km_q75"]) == (7.0, 9.0, np.inf)  # S: .8 .6 .4 (at 5, 7, 9)
    assert s["rmst"] == pytest.approx((5 + 7 + 9 + 10 + 10) / 5)             # E[min(t*, T)]
    assert s["locked_share"] == 0.6 and s["median_locked"] == 7.0
    few = tstar_survival(np.array([20.0] + [np.nan] * 9), np.array([1] + [0] * 9, bool), 300)
    assert few["km_median"] == np.inf and few["median_locked"] == 20.0     # the median among locked misleads
    assert few["rmst"] == pytest.approx((20 + 9 * 300) / 10)
    none = tstar_survival(np.full(3, np.nan), np.zeros(3, bool), 50)
    assert none["km_median"] == np.inf and none["rmst"] == 50.0 and np.isnan(none["median_locked"])
    with pytest.raises(ValueError, match="t_star"):
        tstar_survival(np.array([400.0]), np.array([True]), 300)


def test_tstar_survival_matches_rmst_of_sessions(medicine: Outcomes) -> None:
    bd = default_bounds(medicine, RewardConfig.paper())
    s = run_sessions(medicine, PickLLMLRI(RewardConfig.paper(), LRIParams(b=0.1, bounds=bd)), T=150, seeds=range(40)).summary
    sv = tstar_survival(s["t_star"].to_numpy(), s["locked"].to_numpy(bool), 150)
    assert sv["rmst"] == pytest.approx(np.where(s["locked"], s["t_star"], 150).mean(), rel=1e-12)
    assert sv["locked_share"] == pytest.approx(s["locked"].mean())


@pytest.mark.parametrize("decay, floor", [(0.99, 299), (0.95, 59)])
def test_q_learning_lock_floor_is_set_by_the_epsilon_schedule(medicine: Outcomes, decay: float, floor: int) -> None:
    p = QParams(decay=decay)
    assert earliest_lock_index(p) == floor
    assert p.eps0 * decay ** floor <= p.eps_lock < p.eps0 * decay ** (floor - 1)
    s = run_sessions(medicine, PickLLMQ(RewardConfig.paper(), p), T=floor + 40, seeds=range(20)).summary
    assert s.loc[s["locked"], "t_star"].min() >= floor and s["locked"].any()
    with pytest.raises(ParameterError, match="decay"):
        earliest_lock_index(QParams(decay=1.0, eps0=0.5, eps_min=0.01))


# ------------------------------------------------------------------------------------------- naming
def test_pickllmsla_is_a_deprecated_alias() -> None:
    import llmroute.pickllm as pk
    import llmroute.pickllm.automaton as au

    with pytest.warns(DeprecationWarning, match="PickLLMLRI"):
        from llmroute.pickllm import PickLLMSLA
    assert PickLLMSLA is PickLLMLRI
    with pytest.warns(DeprecationWarning):
        assert au.PickLLMSLA is PickLLMLRI
    assert "PickLLMSLA" not in pk.__all__
    with pytest.raises(AttributeError):
        pk.PickLLMNope  # noqa: B018


# ------------------------------------------------------------------------------------------- claim helpers
def test_negative_numerator_share_hand_values() -> None:
    # context x: cost_ref = max mean cost = 10; frac costs [.1 .2 | 1 1] ... numerator = a - 0.5*c/10
    o = Outcomes(name="t", models=("s", "l"), quality=np.array([[0, 1], [1, 0], [1, 1], [0, 1]], float),
                 cost=np.array([[1, 10], [1, 10], [2, 4], [2, 4]], float), cost_unit="USD",
                 request_id=np.array(list("abcd")), domain=np.array(["x", "x", "y", "y"]),
                 latency=np.full((4, 2), 2.0))
    df = negative_numerator_share(o, RewardConfig.paper(w_c=0.5, cost_unit="frac_of_max", numerator_floor=0.1))
    # x: pairs (0,s): 0 - .05 < 0; (0,l): 1 - .5 > 0; (1,s): 1 - .05; (1,l): 0 - .5 < 0 -> 2/4
    # y (cost_ref 4): (2,s): 1 - .25; (2,l): 1 - .5; (3,s): 0 - .25 < 0; (3,l): 1 - .5 -> 1/4
    assert df["share_negative"].tolist() == [0.5, 0.25, 0.375]
    assert df["share_negative_s"].tolist() == [0.5, 0.5, 0.5] and df["share_negative_l"].tolist() == [0.5, 0.0, 0.25]


def test_speed_violations_and_worst_context() -> None:
    conv = pd.DataFrame({"context": "all contexts", "algo": "L_R-I", "lr": [0.2, 0.01, 0.1, 0.5],
                         "t_star_rmst": [80.0, 300.0, 150.0, 20.0], "t_star_km_median": [70, np.inf, np.inf, 17]})
    assert speed_violations(conv) == (0, [0.01, 0.1, 0.2, 0.5], [300.0, 150.0, 80.0, 20.0])
    assert speed_violations(conv, stat="t_star_km_median")[0] == 1        # inf -> inf is not a decrease
    with pytest.raises(ValueError, match="algo"):
        speed_violations(conv, algo="Q")
    hl = pd.DataFrame({"router": "r", "context": ["a", "b", "all contexts"], "accuracy_ratio_to_best_single": [0.9, 0.8, 0.1]})
    assert worst_context(hl, "r") == (0.8, "b")


def test_steering_and_phase_dependence() -> None:
    t2 = pd.DataFrame({"profile": ["p1", "p2", "p1", "p2"], "context": ["a", "a", "b", "b"],
                       "converged_mode": ["m1", "m2", "m3", "m3"]})
    st = steering_within_context(t2)
    assert st["n_distinct"].tolist() == [2, 1] and st["n_profiles"].tolist() == [2, 2]
    assert steering_within_context(t2, ["p1"])["n_distinct"].tolist() == [1, 1]
    ph = pd.DataFrame({"context": ["a"] * 4, "w_c": [1, 1, 2, 2], "w_l": [1, 10, 1, 10], "best_fixed": [0, 0, 1, 2]})
    assert phase_dependence(ph, "w_l") == 1
