"""The arena's figures: cost per solved task against user utility (one panel per dataset), and the user's
utility across latency costs. One colour per router (no yellow), legends outside the data, no text under 8 pt,
95 % intervals over seeds as error bars."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

#: Colours of the non-single-model routers, one each (Okabe-Ito without its yellow, then Paul Tol's dark ones).
ROUTER_COLOURS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000",
                                   "#332288", "#882255", "#117733", "#AA4499", "#661100")
#: Grey shades of the single-model routers (named in the panel: which models they are differs by dataset).
SINGLE_GREYS: tuple[str, ...] = ("#4d4d4d", "#7a7a7a", "#a6a6a6", "#2b2b2b", "#8f8f8f")
FONT = 8.0
#: label offsets tried in turn (points): right-up, right-down, left-up, left-down
_OFFSETS = ((4, 3, "left", "bottom"), (4, -3, "left", "top"), (-4, 3, "right", "bottom"), (-4, -3, "right", "top"))


def router_colours(routers: Sequence[str]) -> dict[str, str]:
    """One colour per router name: single models ("only ...") get grey shades in order of appearance within the
    caller's panel; every other router its own colour from :data:`ROUTER_COLOURS`, in order of first appearance
    (raises when there are more routers than colours)."""
    others = [r for r in dict.fromkeys(routers) if not r.startswith("only ")]
    if len(others) > len(ROUTER_COLOURS):
        raise ValueError(f"{len(others)} routers but {len(ROUTER_COLOURS)} distinct colours: {others}")
    return dict(zip(others, ROUTER_COLOURS))


def place_labels(ax: plt.Axes, x: np.ndarray, y: np.ndarray, labels: list[str], *, fontsize: float = FONT,
                 renderer=None) -> int:
    """Annotate points without overlapping text: each label takes the first of four offsets whose box is free
    (boxes from the rendered text extents); a label with no free place is left out (the point stays).
    Returns the number of labels placed. ``renderer``: of a figure already drawn once (else the figure is drawn)."""
    if renderer is None:
        ax.figure.canvas.draw()
        renderer = ax.figure.canvas.get_renderer()
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


MODES: tuple[tuple[str, str, str], ...] = (("reactive, independent", "o", "independent re-prompts"),
                                           ("reactive, same", "s", "re-prompts return the stored outcome"))


def glance_figure(agg: pd.DataFrame, data: Mapping[str, object], labels: Mapping[str, str], *,
                  max_attempts: int, colours: Mapping[str, str] | None = None) -> plt.Figure:
    """Cost per solved task (log x, dataset cost unit) vs user utility per task, seed means with 95 % intervals
    (``<col>_ci``) as error bars; circles: independent re-prompts, squares: the stored outcome again; one
    colour per router (``colours``, default :func:`router_colours`; legend outside, right); single models in
    grey, named in their panel."""
    colours = dict(colours) if colours is not None else router_colours(list(agg["router"]))
    n = len(data)
    ncol = min(3, n)
    nrow = int(np.ceil(n / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.6 * ncol + 2.8, 4.0 * nrow), squeeze=False,
                             layout="none")
    for ax, k in zip(axes.ravel(), data):
        sub_all = agg[(agg.dataset == k) & agg.user.isin([m for m, _, _ in MODES])]
        singles = list(dict.fromkeys(r for r in sub_all.router if r.startswith("only ")))
        greys = dict(zip(singles, SINGLE_GREYS))
        for mode, marker, _ in MODES:
            sub = sub_all[sub_all.user == mode]
            for _, r in sub.iterrows():
                c = greys.get(r.router, colours.get(r.router, "#000000"))
                ax.errorbar(r.cost_per_solved, r.user_utility, xerr=r.cost_per_solved_ci, yerr=r.user_utility_ci,
                            fmt=marker if not r.router.startswith("only ") else "^", color=c, ms=6, lw=0.9,
                            capsize=2, mfc=c if mode == MODES[0][0] else "white", mec=c)
        ax.set_xscale("log")
        meta = getattr(data[k], "meta", {})
        ax.set_title(f"{labels[k]}{' (synthetic)' if meta.get('synthetic') else ''}", fontsize=FONT + 1)
        ax.set_xlabel(f"provider cost per solved task ({getattr(data[k], 'cost_unit', '')}, log)", fontsize=FONT)
        ax.set_ylabel("user utility per task (value units)", fontsize=FONT)
        ax.tick_params(labelsize=FONT)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.tight_layout(rect=(0, 0, 1 - 2.8 / (4.6 * ncol + 2.8), 0.95))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax, k in zip(axes.ravel(), data):
        sub = agg[(agg.dataset == k) & (agg.user == MODES[0][0]) & agg.router.str.startswith("only ")]
        place_labels(ax, sub.cost_per_solved.to_numpy(), sub.user_utility.to_numpy(),
                     [r.replace("only ", "")[:22] for r in sub.router], renderer=renderer)
    handles = [plt.Line2D([], [], marker="o", ls="", color=c, label=r) for r, c in colours.items()]
    handles += [plt.Line2D([], [], marker="^", ls="", color=SINGLE_GREYS[0], label="single models (named)")]
    handles += [plt.Line2D([], [], marker=m, ls="", mfc=f, mec="black", color="black", label=lab)
                for (_, m, lab), f in zip(MODES, ("black", "white"))]
    fig.legend(handles=handles, loc="center right", fontsize=FONT, frameon=False)
    fig.suptitle(f"Reactive users at their best response (at most {max_attempts} passes per task); seed means, "
                 "95 % intervals", fontsize=FONT + 2)
    return fig


def lambda_figure(means: pd.DataFrame, labels: Mapping[str, str], thresholds: pd.DataFrame,
                  colours: Mapping[str, str] | None = None) -> plt.Figure:
    """User utility at the best response against the latency cost ``lambda/V`` (seed means, 95 % intervals as
    bands): one column per dataset, one row per redraw mode; dotted line: the dataset's abandonment threshold
    (:func:`~.findings.abandonment_thresholds`); single models grey and dashed, named at their right end."""
    colours = dict(colours) if colours is not None else router_colours(list(means["router"]))
    ds = list(dict.fromkeys(means["dataset"]))
    modes = list(dict.fromkeys(means["redraw"]))
    fig, axes = plt.subplots(len(modes), len(ds), figsize=(3.3 * len(ds) + 2.8, 3.6 * len(modes)), squeeze=False,
                             sharex=True, layout="none")
    for i, rd in enumerate(modes):
        for j, d in enumerate(ds):
            ax = axes[i, j]
            sub = means[(means.dataset == d) & (means.redraw == rd)]
            singles = list(dict.fromkeys(r for r in sub.router if r.startswith("only ")))
            greys = dict(zip(singles, SINGLE_GREYS))
            for r, g in sub.groupby("router", sort=False):
                c = greys.get(r, colours.get(r, "#000000"))
                ls = "--" if r in greys else "-"
                ax.plot(g.lambda_over_V, g.U, ls, color=c, lw=1.1)
                ax.fill_between(g.lambda_over_V, g.U - g.U_ci, g.U + g.U_ci, color=c, alpha=0.15, lw=0)
            th = thresholds[(thresholds.dataset == d) & (thresholds.redraw == rd)]["threshold_lambda_over_V"]
            if len(th) and np.isfinite(th.iloc[0]):
                ax.axvline(th.iloc[0], color="black", ls=":", lw=1)
            ax.set_title(f"{labels.get(d, d)}\n{rd} re-prompts", fontsize=FONT)
            ax.tick_params(labelsize=FONT)
            if i == len(modes) - 1:
                ax.set_xlabel("latency cost λ/V (per second)", fontsize=FONT)
            if j == 0:
                ax.set_ylabel("user utility per task at q*", fontsize=FONT)
    fig.tight_layout(rect=(0, 0, 1 - 2.8 / (3.3 * len(ds) + 2.8), 1))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for i, rd in enumerate(modes):
        for j, d in enumerate(ds):
            sub = means[(means.dataset == d) & (means.redraw == rd) & means.router.str.startswith("only ")]
            last = sub[sub.lambda_over_V == sub.lambda_over_V.max()]
            place_labels(axes[i, j], last.lambda_over_V.to_numpy(), last.U.to_numpy(),
                         [r.replace("only ", "")[:18] for r in last.router], renderer=renderer)
    handles = [plt.Line2D([], [], color=c, label=r) for r, c in colours.items() if r in set(means["router"])]
    handles += [plt.Line2D([], [], ls="--", color=SINGLE_GREYS[0], label="single models (grey, dashed)"),
                plt.Line2D([], [], ls=":", color="black", label="first abandonment by choice")]
    fig.legend(handles=handles, loc="center right", fontsize=FONT, frameon=False)
    return fig
