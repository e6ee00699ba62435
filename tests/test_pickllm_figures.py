"""The PickLLM figures read at README size (at most 10 in wide, no text under 8 pt, legends outside the panels)
and the chosen-model distribution / weight-profile tables carry intervals."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmroute import plotting as lp
from llmroute.pickllm.experiment import chosen_model_distribution
from llmroute.pickllm.figures import MAX_WIDTH_IN, fig_bars, fig_tstar_vs_lr, share_ci


def _sessions(n: int = 20) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for algo, lrs, decays in (("L_R-I", (0.01, 0.1, 0.5), (np.nan,)), ("Q-learning", (0.1, 0.5), (0.99, 0.95))):
        for lr in lrs:
            for d in decays:
                for s in range(n):
                    locked = rng.random() < 0.7
                    rows.append({"algo": algo, "lr": lr, "decay": d, "router": f"{algo} {lr} {d}",
                                 "t_star": float(rng.integers(10, 300)) if locked else np.nan,
                                 "hit_best": bool(rng.random() < 0.6), "context": "c1",
                                 "share_a": 0.25, "share_b": float(rng.random())})
    return pd.DataFrame(rows)


def test_fig_c_reads_at_readme_size() -> None:
    fig = fig_tstar_vs_lr(_sessions(), "test", 300)
    assert fig.get_size_inches()[0] <= MAX_WIDTH_IN
    assert lp.min_font_pt(fig) >= lp.MIN_FONT_PT
    assert fig.legends and not any(ax.get_legend() for ax in fig.axes)  # legend outside the panels


def test_fig_bars_width_and_fonts() -> None:
    t1 = pd.DataFrame([{"context": c, "router": r, "m": 1.0 + k, "m_lo": 0.5 + k, "m_hi": 1.5 + k}
                       for c in [f"ctx{j}" for j in range(8)] for k, r in enumerate("ABCDEFG")])
    fig = fig_bars(t1, "m", "a rather long y label that would collide with the title", "Fig. X", "tag")
    assert fig.get_size_inches()[0] <= MAX_WIDTH_IN and lp.min_font_pt(fig) >= lp.MIN_FONT_PT
    assert fig.legends and fig.axes[0].get_legend() is None


def test_share_ci_exact_binomial() -> None:
    p, lo, hi = share_ci(7, 10)
    assert p == 0.7 and lo == pytest.approx(0.3475, abs=1e-4) and hi == pytest.approx(0.9333, abs=1e-4)
    assert np.isnan(share_ci(0, 0)[0])


def test_chosen_model_distribution_interval() -> None:
    s = _sessions()
    rt = "L_R-I 0.1 nan"
    d = chosen_model_distribution(s, [rt], ["a", "b"]).iloc[0]
    x = s.loc[s["router"] == rt, "share_b"]
    assert d["share_b"] == pytest.approx(x.mean()) and d["share_b_lo"] < x.mean() < d["share_b_hi"]
    assert d["share_a"] == d["share_a_lo"] == d["share_a_hi"] == 0.25  # no spread, no width
    with pytest.raises(ValueError, match="not in the sessions"):
        chosen_model_distribution(s, ["nope"], ["a"])
