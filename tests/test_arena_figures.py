"""The arena's figures: one colour per router, no yellow, no text under 8 pt, legend outside the panels."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.colors as mcolors  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from llmroute.arena.figures import ROUTER_COLOURS, glance_figure, lambda_figure, router_colours  # noqa: E402


def _texts(fig):
    return [t for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text"))
            if t.get_visible() and str(t.get_text()).strip()]


def _agg() -> pd.DataFrame:
    rows = []
    for d in ("a", "b"):
        for user in ("reactive, independent", "reactive, same"):
            for k, r in enumerate(["only x", "only y", "random", "MESS+", "PickLLM L_R-I", "PickLLM Q-learning"]):
                rows.append({"dataset": d, "user": user, "router": r, "cost_per_solved": 1.0 + k,
                             "cost_per_solved_ci": 0.1, "user_utility": 0.5 - 0.05 * k, "user_utility_ci": 0.02})
    return pd.DataFrame(rows)


class _D:
    cost_unit, meta = "USD", {}


def test_router_colours_distinct_and_not_yellow() -> None:
    cols = router_colours(["only a", "random", "PickLLM L_R-I", "PickLLM Q-learning", "MESS+", "random"])
    assert "only a" not in cols and len(set(cols.values())) == len(cols) == 4
    for c in ROUTER_COLOURS:
        r, g, b = mcolors.to_rgb(c)
        assert not (r > 0.8 and g > 0.8 and b < 0.4), c  # yellow on white is unreadable
    with pytest.raises(ValueError, match="distinct colours"):
        router_colours([f"r{k}" for k in range(len(ROUTER_COLOURS) + 1)])


def test_glance_and_lambda_figures_fonts_and_legend_outside() -> None:
    agg = _agg()
    fig = glance_figure(agg, {"a": _D(), "b": _D()}, {"a": "A", "b": "B"}, max_attempts=5)
    assert min(t.get_fontsize() for t in _texts(fig)) >= 8
    leg = fig.legends[0]
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    assert all(not leg.get_window_extent(r).overlaps(ax.get_window_extent(r)) for ax in fig.axes if ax.axison)
    labels = [t.get_text() for t in leg.get_texts()]
    assert "PickLLM L_R-I" in labels and "PickLLM Q-learning" in labels  # two variants, two colours
    means = pd.DataFrame([{"dataset": "a", "redraw": rd, "router": rt, "lambda_over_V": lv, "U": 1 - lv, "U_ci": 0.01}
                          for rd in ("independent", "same") for rt in ("only x", "random") for lv in (0.1, 0.5)])
    th = pd.DataFrame({"dataset": ["a", "a"], "redraw": ["independent", "same"], "threshold_lambda_over_V": [0.3, np.nan]})
    fig2 = lambda_figure(means, {"a": "A"}, th)
    assert min(t.get_fontsize() for t in _texts(fig2)) >= 8
