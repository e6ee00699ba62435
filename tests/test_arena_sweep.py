"""The arena's latency-cost sweep: best response and expected metrics at every lambda/V from one q = 0 run,
best routers, abandonment thresholds and the game's predictions on a measured pair."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmroute.arena import ArenaUser, GameCascade, GamePolicy, run_arena
from llmroute.arena.findings import (abandonment_thresholds, best_routers, ci95, lambda_sweep, pair_predictions,
                                     prediction_mismatches, sweep_means)
from llmroute.arena.grid import run_user_modes
from llmroute.data.schema import Outcomes
from llmroute.routers import SingleModel


def pair_zoo(n: int = 3000, seed: int = 0) -> Outcomes:
    rng = np.random.default_rng(seed)
    qual = (rng.random((n, 2)) < np.array([0.5, 0.9])).astype(float)
    return Outcomes(name="pz", models=("small", "large"), quality=qual, cost=np.tile([1.0, 6.0], (n, 1)),
                    cost_unit="USD", latency=np.tile([1.0, 3.0], (n, 1)) * rng.uniform(0.8, 1.2, (n, 2)),
                    request_id=np.arange(n).astype(str), domain=np.full(n, "d"))


def _raw(o: Outcomes, user: ArenaUser, seeds=(0, 1, 2, 3, 4)) -> pd.DataFrame:
    pol = GamePolicy(i=1, s=1.0, small=0, large=1, c=(1, 6), t=(0.1, 0.3), p=(0.5, 0.9))
    makers = {"only small": lambda: SingleModel(0), "only large": lambda: SingleModel(1),
              "game cascade (1,1)": lambda: GameCascade(pol, "game cascade (1,1)")}
    rows = []
    for name, mk in makers.items():
        for s in seeds:
            res = run_user_modes(o, mk(), {"r": user}, seed=s)["r"]
            row = res.summary()
            row.update(router=name, _curves=res.meta["retry_curves"], dataset="pz")
            rows.append(row)
    return pd.DataFrame(rows)


def test_sweep_at_the_run_latency_equals_the_run() -> None:
    """At the run's own lambda/V the sweep's q* and expected metrics are those of the run at q* (exact for
    routers without randomness when q* is 0 or 1)."""
    o = pair_zoo()
    user = ArenaUser(V=1.0, latency_rate=0.2, q="best_response", max_attempts=5, redraw="independent", P=2.0)
    raw = _raw(o, user)
    sw = lambda_sweep(raw, [0.2])
    for _, r in raw[raw.router != "game cascade (1,1)"].iterrows():
        s = sw[(sw.router == r.router) & (sw.seed == r.seed)].iloc[0]
        assert s.q_star == r.q and s.q_star in (0.0, 1.0)
        assert s.U == pytest.approx(r.user_utility, abs=1e-12) and s.J == pytest.approx(r.provider_J, abs=1e-12)
        assert s.abandon_choice == pytest.approx(r.abandon_choice_rate, abs=1e-12)
        assert s.capped == pytest.approx(r.capped_rate, abs=1e-12)


def test_thresholds_best_routers_and_single_model_theorem() -> None:
    """One model, i.i.d. passes: users leave iff xi = V p - lambda * latency < 0 (Theorem 1): "only small"
    (p = .5, 1 s) from lambda/V = .5 on, "only large" (p = .9, 3 s) from .3 on."""
    o = pair_zoo()
    user = ArenaUser(V=1.0, latency_rate=0.1, q="best_response", max_attempts=8, redraw="independent", P=2.0)
    grid = [0.1, 0.2, 0.28, 0.32, 0.45, 0.55, 0.7]
    means = sweep_means(lambda_sweep(_raw(o, user), grid))
    for name, th in (("only small", 0.5), ("only large", 0.3)):
        m = means[means.router == name].set_index("lambda_over_V")
        assert (m.loc[[g for g in grid if g < th - 0.03], "q_star"] == 0).all()
        assert (m.loc[[g for g in grid if g > th + 0.03], "q_star"] == 1).all()
    th = abandonment_thresholds(means)
    assert th.threshold_lambda_over_V.iloc[0] == 0.32 and th.grid_max.iloc[0] == 0.7
    b = best_routers(means).set_index("lambda_over_V")
    assert b.loc[0.1, "best_for_user"] == "only small"  # U = 1 - .1/.5 = .8 > 1 - .3/.9
    assert b.loc[0.1, "best_for_provider"] == "only small"  # c/p = 2 < 6.7
    assert (means["n_seeds"] == 5).all() and (means["U_ci"] > 0).all()


def test_game_predictions_hold_on_an_iid_pair() -> None:
    o = pair_zoo()
    user = ArenaUser(V=1.0, latency_rate=0.1, q="best_response", max_attempts=8, redraw="independent", P=2.0)
    sw = lambda_sweep(_raw(o, user), [0.05, 0.1, 0.2, 0.4])
    names = {"pz": {"small": "only small", "large": "only large", "cascade": "game cascade (1,1)"}}
    pred = pair_predictions({"pz": o}, {"pz": user}, sw, names)
    assert len(pred) == 4 and (pred.pred_provider == "small").all()
    for col in ("provider_mismatch", "user_mismatch", "throttling_mismatch"):
        f = prediction_mismatches(pred, "independent", col)
        assert f.value == 0 and f.detail["cells"] == 4


def test_prediction_mismatches_names_the_cells() -> None:
    pred = pd.DataFrame({"dataset": ["a", "a", "b"], "redraw": ["independent", "same", "independent"],
                         "lambda_over_V": [0.1, 0.1, 0.3], "user_mismatch": [False, True, True]})
    f = prediction_mismatches(pred, "independent", "user_mismatch")
    assert f.value == 1 and f.note == "fails on: b at lambda/V=0.3"


def test_ci95() -> None:
    assert ci95(np.array([1.0, 3.0])) == pytest.approx(12.706204736 * 1.0, rel=1e-6)
    assert np.isnan(ci95(np.array([1.0])))
