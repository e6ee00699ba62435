"""The MESS+ predictor ladder (llmroute.messplus.ladder): in-loop AUC, the V protocol, intervals, the threshold."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmroute._validate import ParameterError
from llmroute.data.schema import Outcomes
from llmroute.messplus.grid import Trajectory
from llmroute.messplus.ladder import (PAPER_V_GRID, LadderSettings, auc_threshold, cheapest_single, cost_vs_auc,
                                      in_loop_auc, ladder_names, make_predictor, mean_ci, oracle_family,
                                      protocol_v_grid, run_ladder, running_mean_predictions, select_V,
                                      stream_seed)
from llmroute.messplus.predictors import ShrinkagePredictor


def _table(n: int = 400, seed: int = 0) -> Outcomes:
    rng = np.random.default_rng(seed)
    d = rng.standard_normal(n)
    q = (np.array([-0.4, 0.3, 0.8])[None] - d[:, None] + 0.5 * rng.standard_normal((n, 3)) > 0).astype(float)
    c = np.array([50.0, 250.0, 1200.0])[None] * np.exp(0.2 * rng.standard_normal((n, 3)))
    return Outcomes(name="toy", models=("s", "m", "l"), quality=q, cost=c, cost_unit="J",
                    request_id=np.array([f"r{k}" for k in range(n)]), domain=np.full(n, "x"),
                    features=np.c_[d + 0.5 * rng.standard_normal(n), rng.standard_normal((n, 3))])


def test_protocol_grid_contains_the_papers_values() -> None:
    g = protocol_v_grid("arc_challenge")
    assert len(g) == 9 and g[0] == 1e-5 and g[-1] == 1e-3 and g[4] == 1e-4
    for b, vs in PAPER_V_GRID.items():
        assert set(vs) <= set(protocol_v_grid(b))
    assert protocol_v_grid("sciq", per_decade=1) == (1e-6, 1e-5, 1e-4)
    with pytest.raises(ValueError, match="benchmark = 'nope'"):
        protocol_v_grid("nope")


def test_stream_seed_is_deterministic_and_differs_across_benchmarks() -> None:
    assert stream_seed(3, "piqa") == stream_seed(3, "piqa")
    assert len({stream_seed(s, b) for s in range(5) for b in PAPER_V_GRID}) == 5 * len(PAPER_V_GRID)


def test_in_loop_auc_uses_exploit_steps_only() -> None:
    q = np.array([[1, 0], [0, 0], [1, 1], [0, 1], [1, 0]], float)
    s = np.array([[0.9, 0.1], [0.2, 0.3], [0.1, 0.9], [0.3, 0.2], [0.8, 0.4]])
    tr = Trajectory(seed=0, c=1.0, rows=np.arange(5), p=np.ones(5), explore=np.array([0, 0, 1, 0, 0], bool),
                    labelled=np.ones(5, bool), s_hat=s, loss=np.full(5, np.nan))
    auc = in_loop_auc(tr, q)
    # model 0 on steps 0, 1, 3, 4: positives 0.9, 0.8 vs negatives 0.2, 0.3 -> 1.0 (step 2's 0.1 is excluded)
    # model 1: positive 0.2 (step 3) vs negatives 0.1, 0.3, 0.4 -> 1 of 3 pairs -> 1/3
    np.testing.assert_allclose(auc, [1.0, 1 / 3])
    tr2 = Trajectory(**{**tr.__dict__, "explore": np.array([0, 1, 1, 1, 1], bool)})
    assert np.isnan(in_loop_auc(tr2, q)).all()       # one exploit step: labels constant -> undefined


def test_running_mean_path_matches_the_shrinkage_predictor() -> None:
    o = _table()
    from llmroute.messplus.grid import trajectory

    pred = make_predictor("shrinkage", o, o.features, 11)
    tr = trajectory(o, pred, 11, 0.5)
    assert isinstance(pred, ShrinkagePredictor) and pred.n == tr.explore.sum()
    path = running_mean_predictions(tr, o.quality)
    last = (1.0 * 0.5 + o.quality[tr.rows[tr.explore]].sum(axis=0)) / (1.0 + tr.explore.sum())
    np.testing.assert_allclose(pred.running_mean, last)
    first = np.flatnonzero(tr.explore)[0]
    np.testing.assert_allclose(path[first], 0.5)
    np.testing.assert_allclose(path[first + 1], (0.5 + o.quality[tr.rows[first]]) / 2)


def test_make_predictor_names_and_errors() -> None:
    o = _table()
    for n in ladder_names():
        p = make_predictor(n, o, o.features, 1)
        p.reset(3, np.random.default_rng(0))
        assert p.predict(np.arange(5)).shape == (5, 3)
    with pytest.raises(ValueError, match="predictor = 'magic' is not allowed"):
        make_predictor("magic", o, o.features, 1)
    with pytest.raises(ValueError, match="needs request features"):
        make_predictor("learned", o, None, 1)
    assert oracle_family(ladder_names()) == ["oracle-mean", "noisy-oracle-0.6", "noisy-oracle-0.7",
                                             "noisy-oracle-0.8", "noisy-oracle-0.9", "oracle-perfect"]


def test_settings_are_validated() -> None:
    with pytest.raises(ParameterError, match="alpha"):
        LadderSettings(alpha=1.2, Vs=(1e-3,))
    with pytest.raises(ParameterError, match="target_aucs"):
        LadderSettings(alpha=0.5, Vs=(1e-3,), target_aucs=(0.5,))
    with pytest.raises(ParameterError, match="Vs"):
        LadderSettings(alpha=0.5, Vs=())


def test_ladder_run_is_seeded_and_measures_the_noisy_oracles() -> None:
    o = _table()
    s = LadderSettings(alpha=0.6, Vs=(1e-4, 1e-3), c=0.3, seeds=(0, 1, 2), hidden=0)
    runs = run_ladder(o, "toy", s, o.features)
    again = run_ladder(o, "toy", s, o.features)
    pd.testing.assert_frame_equal(runs, again)
    assert len(runs) == len(ladder_names()) * 3 * 2
    auc = runs.groupby("predictor")["auc_in_loop"].mean()
    assert auc["oracle-perfect"] == 1.0 and auc["oracle-mean"] == 0.5
    for a in (0.6, 0.7, 0.8, 0.9):
        assert auc[f"noisy-oracle-{a:g}"] == pytest.approx(a, abs=0.06)     # ~300 exploit steps x 3 seeds
    tab = cost_vs_auc(runs)
    assert list(tab.columns[:7]) == ["benchmark", "predictor", "auc_in_loop", "cost_mj", "satisfaction", "alpha",
                                     "meets_alpha"]
    assert (tab["cost_mj_lo"] <= tab["cost_mj"]).all() and (tab["cost_mj"] <= tab["cost_mj_hi"]).all()


def test_select_V_takes_the_largest_V_meeting_alpha_else_the_smallest() -> None:
    runs = pd.DataFrame({"benchmark": "b", "predictor": ["p"] * 6 + ["q"] * 2, "alpha": 0.5,
                         "V": [1e-4, 1e-4, 1e-3, 1e-3, 1e-2, 1e-2, 1e-4, 1e-3],
                         "satisfaction": [0.6, 0.56, 0.52, 0.49, 0.4, 0.45, 0.4, 0.3]})
    ch = select_V(runs).set_index("predictor")
    assert ch.loc["p", "V"] == 1e-3 and ch.loc["p", "v_meets_alpha"]          # mean 0.505 >= 0.5
    assert ch.loc["q", "V"] == 1e-4 and not ch.loc["q", "v_meets_alpha"]


def test_mean_ci_hand_computed() -> None:
    m, lo, hi = mean_ci(np.array([1.0, 2.0, 3.0]))
    # sd = 1, n = 3, t_{0.975, 2} = 4.302653
    assert m == 2.0 and hi - m == pytest.approx(4.302653 / np.sqrt(3), abs=1e-6) and m - lo == pytest.approx(hi - m)
    assert np.isnan(mean_ci(np.array([1.0]))[1])


def _tab(costs, meets, aucs=(0.5, 0.6, 0.7, 0.8, 0.9, 1.0)):
    names = oracle_family(ladder_names())
    return pd.DataFrame({"predictor": names + ["learned"], "auc_in_loop": list(aucs) + [0.5],
                         "cost_mj": list(costs) + [0.1], "meets_alpha": list(meets) + [True]})


def test_auc_threshold_cases() -> None:
    ok = [True] * 6
    t = auc_threshold(_tab([1.0, 0.9, 0.7, 0.5, 0.4, 0.3], ok), 0.8)
    # lowest rung from which on all pay: noisy 0.7 (cost 0.7 < 0.8); the learned row is ignored
    assert t.rung == "noisy-oracle-0.7" and t.auc == 0.7 and t.below_rung == "noisy-oracle-0.6"
    assert t.crossing_auc == pytest.approx(0.6 + (0.9 - 0.8) * 0.1 / 0.2)
    t = auc_threshold(_tab([0.5] * 6, ok), 0.8)
    assert t.rung == "oracle-mean" and t.auc == 0.5 and t.below_rung is None
    t = auc_threshold(_tab([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], ok[:5] + [False]), 0.8)
    assert t.rung is None and np.isnan(t.auc)
    t = auc_threshold(_tab([0.5, 0.9, 0.5, 0.5, 0.5, 0.5], ok), 0.8)  # a rung that does not pay breaks the run
    assert t.rung == "noisy-oracle-0.7"


def test_cheapest_single() -> None:
    o = _table()
    acc = o.mean_quality()
    k, c = cheapest_single(o, float(acc[1]) - 1e-9)
    assert k == 1 and c == pytest.approx(o.cost[:, 1].sum() / 1e6)
    k, c = cheapest_single(o, 0.999)
    assert k is None and np.isnan(c)
