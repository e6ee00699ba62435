"""Plotting helpers of the routing-game notebooks (llmroute.game.figures)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from llmroute import plotting  # noqa: E402
from llmroute._validate import ParameterError  # noqa: E402
from llmroute.game import figures as gf  # noqa: E402
from llmroute.game.provider import CANDIDATES  # noqa: E402


def test_used_codes_ignores_missing_and_merges_maps() -> None:
    a = np.array([[0, 0], [2, -1]])
    b = np.array([np.nan, 3.0, 0.0])
    assert gf.used_codes(a, b) == [0, 2, 3]


def test_policy_legend_lists_only_used_policies() -> None:
    cmap, norm = gf.policy_colours(CANDIDATES)
    assert [int(norm(k)) for k in range(len(CANDIDATES))] == list(range(len(CANDIDATES)))
    handles, labels = gf.policy_handles(CANDIDATES, cmap, [3, 0, 0])
    assert labels == [CANDIDATES[0], CANDIDATES[3]]
    assert [h.get_facecolor() for h in handles] == [cmap(0), cmap(3)]
    with pytest.raises(ParameterError, match="used"):
        gf.policy_handles(CANDIDATES, cmap, [len(CANDIDATES)])
    with pytest.raises(ParameterError, match="names"):
        gf.policy_colours([])


def test_legend_below_collects_each_label_once_outside_the_axes() -> None:
    plotting.use_theme()
    fig, axes = plt.subplots(1, 2, figsize=(6, 3))
    for ax in axes:
        ax.plot([0, 1], [0, 1], label="same series")
    axes[1].plot([0, 1], [1, 0], label="other")
    gf.legend_below(fig)
    (leg,) = fig.legends
    assert [t.get_text() for t in leg.get_texts()] == ["same series", "other"]
    fig.canvas.draw()
    box = leg.get_window_extent()
    assert all(box.y1 <= ax.get_window_extent().y0 + 1e-6 for ax in axes)   # under the axes, not on the data
    with pytest.raises(ParameterError, match="labels"):
        gf.legend_below(fig, [plt.Line2D([], [])], ["a", "b"])
    plt.close(fig)


def test_table_figure_wraps_long_cells_and_keeps_width() -> None:
    plotting.use_theme()
    df = pd.DataFrame({"short": ["a", "b"], "long": ["word " * 30, "x"]})
    fig = gf.table_figure(df, [6, 20], title="t", fig_width=5.0)
    assert fig.get_size_inches()[0] == pytest.approx(5.0)
    texts = fig.axes[0].tables[0].get_celld()[(1, 1)].get_text().get_text().split("\n")
    assert len(texts) >= 7 and max(len(t) for t in texts) <= 20
    assert plotting.min_font_pt(fig) >= plotting.MIN_FONT_PT
    with pytest.raises(ParameterError, match="widths"):
        gf.table_figure(df, [6])
    plt.close(fig)
