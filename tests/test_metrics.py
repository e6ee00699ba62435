"""The field's metrics, each against a hand computation."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from llmroute import metrics as M
from llmroute.data import Outcomes


def test_pareto_front_hand() -> None:
    cost = [1.0, 2.0, 3.0, 2.0, 4.0]
    q = [0.5, 0.7, 0.6, 0.4, 0.9]
    # (1,.5) kept; (2,.7) kept; (3,.6) dominated by (2,.7); (2,.4) dominated; (4,.9) kept
    assert M.pareto_front(cost, q).tolist() == [0, 1, 4]


def test_hull_and_aiq_hand() -> None:
    # (2,.6) lies below the chord (1,.5)-(3,.9) (.7 at c=2): hull is that chord; area 2*(.5+.9)/2 = 1.4; /2
    hx, hy = M.hull([1, 3, 2], [0.5, 0.9, 0.6])
    assert hx.tolist() == [1, 3] and hy.tolist() == [0.5, 0.9]
    assert M.aiq([1, 3, 2], [0.5, 0.9, 0.6]) == pytest.approx(0.7)
    # flat extension: (4,.8) is below the best (2,.9): hull (1,.5)-(2,.9)-(4,.9), area .7 + 1.8 = 2.5 over 3
    assert M.aiq([1, 2, 4], [0.5, 0.9, 0.8]) == pytest.approx(2.5 / 3)
    hx, hy = M.hull([1, 2, 4], [0.5, 0.9, 0.8])
    assert hx.tolist() == [1, 2, 4] and hy.tolist() == [0.5, 0.9, 0.9]
    # a point above the chord stays a vertex: (1,.5),(2,.8),(3,.9): area .65 + .85 = 1.5 over 2
    assert M.aiq([1, 2, 3], [0.5, 0.8, 0.9]) == pytest.approx(0.75)
    # c_max beyond the points extends flat: (1,.5)-(3,.9) then flat to 5: 1.4 + 1.8 = 3.2 over 4
    assert M.aiq([1, 3], [0.5, 0.9], c_max=5) == pytest.approx(0.8)
    assert M.aiq([2, 2], [0.3, 0.6]) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="c_max"):
        M.hull([1, 3], [0.5, 0.9], c_max=2)


def test_apgr_and_cpt_hand() -> None:
    qw, qs = 0.5, 0.9
    # one point (x=.5, q=.8): AUC = .5*(.5+.8)/2 + .5*(.8+.9)/2 = .325 + .425 = .75; APGR = (.75-.5)/.4
    assert M.apgr([0.5], [0.8], qw, qs) == pytest.approx(0.625)
    # the random router (linear between weak and strong) recovers half the gap
    assert M.apgr([0.25, 0.5], [0.6, 0.7], qw, qs) == pytest.approx(0.5)
    # PGR rises 0 -> .75 over x in [0, .5]: 50 % at x = .5 * .5/.75; 80 % on the second segment (.75 -> 1)
    assert M.cpt([0.5], [0.8], qw, qs, 0.5) == pytest.approx(1 / 3)
    assert M.cpt([0.5], [0.8], qw, qs, 0.8) == pytest.approx(0.5 + 0.5 * 0.05 / 0.25)
    assert np.isnan(M.apgr([0.5], [0.8], 0.7, 0.7))
    assert M.normalised_cost([1.0, 3.0, 6.0, 0.5], 1.0, 5.0).tolist() == [0.0, 0.5, 1.0, 0.0]


def test_oracle_gap_and_entropy_hand() -> None:
    o = Outcomes(name="h", models=("s", "l"), quality=np.array([[0, 1], [1, 1], [0, 0], [1, 0.0]]),
                 cost=np.array([[1, 5.0]] * 4), cost_unit="USD", request_id=list("abcd"), domain=["d"] * 4)
    assert M.oracle_quality(o) == pytest.approx(0.75)
    assert M.oracle_gap(o, 0.5) == pytest.approx(0.25)
    assert M.routing_entropy([0.5, 0.5]) == pytest.approx(1.0)
    assert M.routing_entropy([1.0, 0.0, 0.0]) == 0.0
    assert M.routing_entropy([1, 1, 1, 1]) == pytest.approx(2.0)
    assert M.routing_entropy([0.25, 0.75]) == pytest.approx(-(0.25 * np.log2(0.25) + 0.75 * np.log2(0.75)))


def test_mean_ci_is_student_t() -> None:
    x = [1.0, 2.0, 3.0, 4.0]
    m, lo, hi = M.mean_ci(x)
    h = stats.t.ppf(0.975, 3) * np.std(x, ddof=1) / 2.0
    assert (m, lo, hi) == pytest.approx((2.5, 2.5 - h, 2.5 + h))
    assert np.isnan(M.mean_ci([1.0])[1])
    assert M.mean_ci([2.0, 2.0]) == (2.0, 2.0, 2.0)


def test_router_metrics_table_hand() -> None:
    o = Outcomes(name="h", models=("s", "l"), quality=np.array([[0, 1], [1, 1], [0, 0], [1, 1.0]]),
                 cost=np.array([[1, 5.0]] * 4), cost_unit="USD", request_id=list("abcd"), domain=["d"] * 4)
    # weak s (q .5, c 1), strong l (q .75, c 5); a router at (c 3, q .7) in two seeds, served 50/50
    runs = pd.DataFrame({"router": ["r", "r"], "seed": [0, 1], "mean_quality": [0.7, 0.7],
                         "cost_per_request": [3.0, 3.0], "served_s": [0.5, 0.5], "served_l": [0.5, 0.5]})
    t = M.router_metrics(runs, o, alphas={"r": 0.6}).iloc[0]
    # AIQ: hull (1,.5)-(3,.7)-(5,.75): area .2*... = (1.2 + 1.45)/4
    assert t["aiq"] == pytest.approx((2 * (0.5 + 0.7) / 2 + 2 * (0.7 + 0.75) / 2) / 4)
    # APGR at x = .5: AUC = .5*(.5+.7)/2 + .5*(.7+.75)/2 = .6625; (.6625 - .5)/.25
    assert t["apgr"] == pytest.approx(0.65)
    assert t["oracle_gap"] == pytest.approx(0.75 - 0.7)
    assert t["entropy"] == pytest.approx(1.0)
    assert t["meets_alpha"] is True and t["alpha"] == 0.6
    assert t["quality_lo"] == t["quality_hi"] == pytest.approx(0.7)
