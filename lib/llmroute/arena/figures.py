"""The arena's at-a-glance figure: provider cost per solved task against user utility, one panel per dataset."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .. import plotting as lp

#: label offsets tried in turn (points): right-up, right-down, left-up, left-down
_OFFSETS = ((4, 3, "left", "bottom"), (4, -3, "left", "top"), (-4, 3, "right", "bottom"), (-4, -3, "right", "top"))


def place_labels(ax: plt.Axes, x: np.ndarray, y: np.ndarray, labels: list[str], *, fontsize: float = 6.5) -> int:
    """Annotate points without overlapping text: each label takes the first of four offsets whose box is free
    (boxes estimated from the rendered text extents); a label with no free place is left out (the point stays).
    Returns the number of labels placed."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    taken: list = []
    placed = 0
    for xi, yi, lab in zip(x, y, labels):
        for dx, dy, ha, va in _OFFSETS:
            t = ax.annotate(lab, (xi, yi), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                            ha=ha, va=va)
            box = t.get_window_extent(renderer).expanded(1.05, 1.15)
            inside = ax.get_window_extent(renderer).contains(box.x0, box.y0) and \
                ax.get_window_extent(renderer).contains(box.x1, box.y1)
            if inside and not any(box.overlaps(b) for b in taken):
                taken.append(box)
                placed += 1
                break
            t.remove()
    return placed


def glance_figure(agg: pd.DataFrame, data: Mapping[str, object], labels: Mapping[str, str], *,
                  max_attempts: int, annotate_families: tuple[str, ...] = ("game", "MESS+", "PickLLM",
                                                                          "learned baseline")) -> plt.Figure:
    """Cost per solved task (log x, dataset cost unit) vs user utility per task; filled markers: independent
    re-prompts, open: the same stored outcome. ``agg`` has columns dataset, user, family, router,
    cost_per_solved, user_utility."""
    fams = sorted(agg["family"].unique())
    col = dict(zip(fams, lp.palette(len(fams))))
    n = len(data)
    ncol = 3
    nrow = int(np.ceil(n / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(15, 4.4 * nrow), squeeze=False)
    for ax, k in zip(axes.ravel(), data):
        for mode, filled in (("reactive, independent", True), ("reactive, same", False)):
            sub = agg[(agg.dataset == k) & (agg.user == mode)]
            ax.scatter(sub.cost_per_solved, sub.user_utility, s=45, marker="o",
                       facecolors=[col[f] for f in sub.family] if filled else "none",
                       edgecolors=[col[f] for f in sub.family], linewidths=1.3)
        ax.set_xscale("log")
        meta = getattr(data[k], "meta", {})
        ax.set_title(f"{labels[k]}{' (synthetic)' if meta.get('synthetic') else ''}")
        ax.set_xlabel(f"provider cost per solved task ({getattr(data[k], 'cost_unit', '')})")
        ax.set_ylabel("user utility per task (value units, V = 1)")
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.tight_layout(rect=(0, 0.05, 1, 0.96))
    lp.tidy_log_axes(fig)
    for ax, k in zip(axes.ravel(), data):
        sub = agg[(agg.dataset == k) & (agg.user == "reactive, independent")]
        keep = sub[sub.family.isin(annotate_families) | sub.router.str.startswith("only")]
        keep = keep.sort_values("user_utility", ascending=False)
        names = [r.replace("only ", "").replace("game-optimal ", "game-opt ").replace(" threshold", "").split("/")[-1][:24]
                 for r in keep.router]
        place_labels(ax, keep.cost_per_solved.to_numpy(), keep.user_utility.to_numpy(), names)
    handles = [plt.Line2D([], [], marker="o", ls="", color=col[f], label=f) for f in fams]
    handles += [plt.Line2D([], [], marker="o", ls="", mfc="none", color="grey", label="redraw = same")]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), bbox_to_anchor=(0.5, 0.0))
    fig.suptitle(f"Arena: reactive users (q = best response, at most {max_attempts} attempts); filled: independent "
                 "re-prompts, open: same outcome")
    return fig
