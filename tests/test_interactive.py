"""llmroute.interactive: the regime-map table and chart, and the ipywidgets explorer (no display needed)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from llmroute._validate import ParameterError
from llmroute.game.params import GameParams
from llmroute.game.provider import CANDIDATES, solve_closed_form
from llmroute.interactive import MapPair, policy_shares, real_pairs, regime_explorer, regime_table, spec_pairs

ROOT = Path(__file__).resolve().parents[1]
PAIRS_CSV = ROOT / "results" / "game_real_pairs" / "pair_measurements.csv"


def test_regime_table_matches_solver_pointwise() -> None:
    pair = spec_pairs()[1]   # cfgB: has the cascade (1,s0)
    tab = regime_table(pair, 9, 7)
    assert len(tab) == 63
    for _, row in tab.iloc[::5].iterrows():
        g = GameParams.make(row.V, row.P, c=pair.c, t=pair.t, p=pair.p)
        sol = solve_closed_form(g)
        assert str(sol.labels()) == row.policy
        assert float(sol.J) == pytest.approx(row.J, abs=1e-12)
        assert float(sol.U) == pytest.approx(row.U, abs=1e-12)
    assert "(1,s0)" in set(tab.policy)


def test_regime_table_cells_tile_the_axes() -> None:
    for pair in (spec_pairs()[0], MapPair("log", c=(1, 2), t=(1, 3), p=(0.5, 0.8), V_range=(0.1, 10), P_range=(0.01, 1), log=True)):
        tab = regime_table(pair, 6, 5)
        V = np.sort(tab.V.unique())
        lo = tab.groupby("V").V_lo.first().to_numpy()
        hi = tab.groupby("V").V_hi.first().to_numpy()
        assert np.all(lo < V) and np.all(V < hi)
        np.testing.assert_allclose(hi[:-1], lo[1:])   # adjacent cells share an edge
        assert (tab.P_lo >= 0).all()


def test_regime_table_regimes_follow_xi_signs() -> None:
    pair = spec_pairs()[0]
    tab = regime_table(pair, 12, 3)
    x1, x2 = tab.V * pair.p[0] - pair.t[0], tab.V * pair.p[1] - pair.t[1]
    both_pos = (x1 > 0) & (x2 > 0)
    assert (tab.regime[both_pos] == "++").all()
    assert (tab.regime[(x1 < 0) & (x2 < 0)] == "--").all()


def test_spec_shares_close_to_the_papers_figure() -> None:
    """On a 60 x 60 grid the shares are near the 200 x 201 reference shares of game_provider (cfgA 0.833 / 0.133)."""
    sh = policy_shares(regime_table(spec_pairs()[0], 60, 60)).iloc[0]
    assert list(sh.index) == list(CANDIDATES)
    assert sh["(1,0)"] == pytest.approx(0.833, abs=0.01)
    assert sh["(2,0)"] == pytest.approx(0.133, abs=0.01)
    assert sh.sum() == pytest.approx(1.0)


def test_map_pair_validation() -> None:
    with pytest.raises(ParameterError, match="p\\[1\\]"):
        MapPair("x", c=(1, 2), t=(1, 3), p=(0.8, 0.5), V_range=(0.1, 10), P_range=(0, 10))
    with pytest.raises(ParameterError, match="P_range\\[0\\]"):
        MapPair("x", c=(1, 2), t=(1, 3), p=(0.5, 0.8), V_range=(0.1, 10), P_range=(0, 10), log=True)
    with pytest.raises(ParameterError, match="V_range\\[1\\]"):
        MapPair("x", c=(1, 2), t=(1, 3), p=(0.5, 0.8), V_range=(10, 1), P_range=(0, 10))
    with pytest.raises(ParameterError, match="c"):
        MapPair("x", c=(1, 2, 3), t=(1, 3), p=(0.5, 0.8), V_range=(0.1, 10), P_range=(0, 10))
    with pytest.raises(ParameterError, match="n_V"):
        spec_pairs()[0].grid(1, 5)


@pytest.mark.skipif(not PAIRS_CSV.exists(), reason="results/game_real_pairs/pair_measurements.csv absent")
def test_real_pairs_from_committed_results() -> None:
    pairs = real_pairs(PAIRS_CSV, rate=0.01)
    names = [p.name for p in pairs]
    assert "OmnisBench all" in names
    om = pairs[names.index("OmnisBench all")]
    assert om.t[0] > om.t[1]   # the cheap model is the slower one: t1 < t2 fails and the map still solves
    tab = regime_table(om, 10, 10)
    assert set(tab.policy) <= set(CANDIDATES)
    with pytest.raises(FileNotFoundError):
        real_pairs(ROOT / "no_such.csv")


def test_regime_map_chart_spec() -> None:
    pytest.importorskip("altair")
    from llmroute.interactive import regime_map_chart

    spec = regime_map_chart(spec_pairs(), n_V=8, n_P=8, param_name="cfg").to_dict()
    params = spec["params"]
    assert params[0]["name"] == "cfg" and params[0]["bind"]["options"] == ["cfgA", "cfgB"]
    assert spec["encoding"]["color"]["scale"]["domain"] == list(CANDIDATES)
    data = next(iter(spec["datasets"].values()))
    assert len(data) == 2 * 64 and {d["pair"] for d in data} == {"cfgA", "cfgB"}
    with pytest.raises(ParameterError, match="same axis type"):
        regime_map_chart([spec_pairs()[0], MapPair("l", c=(1, 2), t=(1, 3), p=(0.5, 0.8), V_range=(0.1, 10),
                                                   P_range=(0.1, 10), log=True)])


def test_explorer_updates_without_display() -> None:
    pytest.importorskip("ipywidgets")
    ex = regime_explorer("cfgA", n=20)
    assert ex.table is not None and len(ex.table) == 400
    png0 = ex.image.value
    assert png0[:8] == b"\x89PNG\r\n\x1a\n"
    assert "(1,0)" in ex.status.value
    shares0 = policy_shares(ex.table).iloc[0]
    ex.sliders["t1"].value = 4.0        # breaks t1 < t2: still solved, with a warning
    assert ex.updates == 2
    assert "t1 &lt; t2" in ex.status.value and "broken" in ex.status.value
    assert ex.image.value != png0
    assert not policy_shares(ex.table).iloc[0].equals(shares0)
    assert ex.pair is not None and ex.pair.t[0] == 4.0
    ex.sliders["p1"].value = 0.95       # p1 > p2: not a game; the explorer says so instead of raising
    assert ex.table is None and "not a valid game" in ex.status.value and "p[1]" in ex.status.value
    ex.sliders["p1"].value = 0.5
    ex.sliders["t1"].value = 1.0
    assert policy_shares(ex.table).iloc[0].equals(shares0)
    with pytest.raises(ParameterError, match="config"):
        regime_explorer("cfgZ")
