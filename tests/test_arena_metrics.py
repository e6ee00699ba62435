"""Arena metrics: the static-route misalignment gap against the game's worked numbers (spec §4.3)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmroute.arena import ArenaUser, measured_params, misalignment, static_game_table
from llmroute.data.schema import Outcomes


def params(c, t, p):
    return pd.DataFrame({"model": ["M1", "M2"], "c": c, "t": t, "p": p})


def test_misalignment_spec_example() -> None:
    # p=(.5,.8), t=(1,3), c=(1.2,1.2), V=6: provider picks M2 (c/p 1.5 < 2.4), U=2.25 vs user optimum 4.0
    tab = static_game_table(params([1.2, 1.2], [1.0, 3.0], [0.5, 0.8]), V=6.0, P=0.0)
    m = misalignment(tab)
    assert (m["model_provider"], m["model_user"]) == ("M2", "M1")
    assert m["U_provider_pref"] == pytest.approx(2.25) and m["U_user_pref"] == pytest.approx(4.0)
    assert m["delta_U"] == pytest.approx(1.75)
    # both value-dominated: Delta_U = |t1/p1 - t2/p2| when rankings differ; V cancels
    for V in (6.0, 20.0):
        assert misalignment(static_game_table(params([1.2, 1.2], [1.0, 3.0], [0.5, 0.8]), V, 0.0))["delta_U"] \
            == pytest.approx(abs(1 / 0.5 - 3 / 0.8))


def test_no_misalignment_when_rankings_agree() -> None:
    tab = static_game_table(params([1.0, 2.0], [1.0, 3.0], [0.5, 0.8]), V=6.0, P=0.0)  # example C
    m = misalignment(tab)
    assert m["delta_U"] == 0.0 and m["model_provider"] == "M1"
    assert tab["U"].tolist() == pytest.approx([4.0, 2.25]) and tab["J"].tolist() == pytest.approx([2.0, 2.5])


def test_latency_dominated_model_is_abandoned() -> None:
    # example B: p=(.3,.9), t=(2,3), V=5 -> xi=(-.5, 1.5): "always M1" gives U = xi1, J = c1 + P(1-p1)
    tab = static_game_table(params([1.0, 5.0], [2.0, 3.0], [0.3, 0.9]), V=5.0, P=4.0)
    assert tab["q_star"].tolist() == [1.0, 0.0]
    assert tab["U"].tolist() == pytest.approx([-0.5, 1.5 / 0.9])
    assert tab["J"].tolist() == pytest.approx([1.0 + 4.0 * 0.7, 5.0 / 0.9])
    m = misalignment(tab)
    assert m["model_provider"] == "M1" and m["delta_U"] == pytest.approx(1.5 / 0.9 + 0.5)  # = xi2/p2 - xi1


def test_measured_params() -> None:
    o = Outcomes(name="x", models=("a", "b"), quality=np.array([[1, 1], [0, 1], [0, 0], [1, 1]], float),
                 cost=np.array([[1, 2], [3, 4], [1, 2], [3, 4]], float), cost_unit="USD",
                 latency=np.array([[1, 2], [1, 4], [1, 2], [1, 4]], float), request_id=np.arange(4).astype(str),
                 domain=np.full(4, "d"))
    tab = measured_params(o, ArenaUser(latency_rate=0.5))
    assert tab["c"].tolist() == [2.0, 3.0] and tab["t"].tolist() == [0.5, 1.5] and tab["p"].tolist() == [0.5, 0.75]


def test_per_domain_static_utility_hand_computed() -> None:
    """Two domains of two requests; model 0 right on 1 of 2 in d1 and 2 of 2 in d2, latency 1 s, rate 0.1:
    U_0 = .5*(1 - .1/.5) + .5*(1 - .1/1) = .85; model 1 always right, latency 2 s: U_1 = 1 - .2 = .8."""
    import numpy as np

    from llmroute.arena import ArenaUser, per_domain_static_utility
    from llmroute.data.schema import Outcomes

    o = Outcomes(name="two-domain", models=("a", "b"), quality=np.array([[1, 1], [0, 1], [1, 1], [1, 1.0]]),
                 cost=np.ones((4, 2)), cost_unit="USD", request_id=np.array(list("wxyz")),
                 domain=np.array(["d1", "d1", "d2", "d2"]), latency=np.array([[1, 2.0]] * 4))
    u = per_domain_static_utility(o, ArenaUser(V=1.0, latency_rate=0.1))
    assert u["a"] == pytest.approx(0.85) and u["b"] == pytest.approx(0.8)
