"""Plotting helpers shared by the routing-game notebooks (figure style: :mod:`llmroute.plotting`).

Only drawing conventions live here (which policies a categorical map legend lists, where legends go); every
number drawn is computed by the rest of :mod:`llmroute.game`.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap

from llmroute import plotting
from llmroute._validate import fail


def policy_colours(names: Sequence[str]) -> tuple[ListedColormap, BoundaryNorm]:
    """A categorical colour map with one colour per policy name (integer codes ``0 .. len(names) - 1``)."""
    if len(names) == 0:
        fail("names", names, "at least one policy name")
    n = len(names)
    return ListedColormap(plotting.palette(n)), BoundaryNorm(np.arange(-0.5, n + 0.5), n)


def used_codes(*codes: np.ndarray) -> list[int]:
    """The sorted integer policy codes that occur in any of ``codes`` (NaN and negative codes ignored)."""
    seen: set[int] = set()
    for c in codes:
        a = np.asarray(c, dtype=float).ravel()
        a = a[np.isfinite(a) & (a >= 0)]
        seen.update(int(v) for v in np.unique(a))
    return sorted(seen)


def policy_handles(names: Sequence[str], cmap: ListedColormap, used: Iterable[int]) -> tuple[list, list[str]]:
    """Legend handles and labels for the policies whose code is in ``used`` only (a legend entry for a colour
    that is not on the map would be noise)."""
    used = sorted(set(int(k) for k in used))
    for k in used:
        if not 0 <= k < len(names):
            fail("used", k, f"a policy code in 0..{len(names) - 1}")
    return [plt.Rectangle((0, 0), 1, 1, color=cmap(k)) for k in used], [str(names[k]) for k in used]


def legend_below(fig: plt.Figure, handles: Sequence | None = None, labels: Sequence[str] | None = None,
                 ncol: int | None = None, **kw) -> None:
    """A figure legend outside the data, under the axes (constrained layout makes room for it). Without
    ``handles`` the labelled artists of all axes are collected, each label once."""
    if handles is None:
        seen: dict[str, object] = {}
        for ax in fig.axes:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                seen.setdefault(lab, h)
        handles, labels = list(seen.values()), list(seen.keys())
    if labels is None or len(handles) != len(labels):
        fail("labels", labels, "one label per handle")
    if len(handles) == 0:
        fail("handles", handles, "at least one labelled artist")
    fig.legend(handles, labels, loc="outside lower center", ncol=ncol or min(len(handles), 3), **kw)


def table_figure(df, widths: Sequence[int], title: str = "", fig_width: float = 9.5, fontsize: float = 8.5,
                 line_height: float = 0.2) -> plt.Figure:
    """A table of ``df`` drawn as a figure no wider than ``fig_width`` inches: column ``k``'s text (header too) is
    wrapped at ``widths[k]`` characters and every row is as tall as its longest wrapped cell, so no text is cut.
    Column widths are proportional to ``widths``."""
    import textwrap

    if len(widths) != df.shape[1]:
        fail("widths", widths, f"one wrap width per column ({df.shape[1]} columns)")
    if any(int(w) < 4 for w in widths):
        fail("widths", widths, "wrap widths of at least 4 characters")

    def wrap(text, k):
        return "\n".join(textwrap.wrap(str(text), int(widths[k]), break_on_hyphens=False)) or " "

    header = [wrap(c, k) for k, c in enumerate(df.columns)]
    body = [[wrap(v, k) for k, v in enumerate(row)] for row in df.itertuples(index=False)]
    lines = [max(s.count("\n") + 1 for s in r) for r in [header, *body]]
    height = line_height * (sum(lines) + len(lines)) + (0.45 if title else 0.1)
    fig, ax = plt.subplots(figsize=(fig_width, height))
    ax.axis("off")
    total = float(sum(widths))
    tb = ax.table(cellText=body, colLabels=header, loc="upper center", cellLoc="left",
                  colWidths=[w / total for w in widths], bbox=[0, 0, 1, 1])
    tb.auto_set_font_size(False)
    tb.set_fontsize(fontsize)
    unit = 1.0 / (sum(lines) + len(lines))
    for (r, c), cell in tb.get_celld().items():
        cell.set_height(unit * (lines[r] + 1))
        cell.PAD = 0.02
        if r == 0:
            cell.set_text_props(weight="bold")
    if title:
        ax.set_title(title)
    return fig
