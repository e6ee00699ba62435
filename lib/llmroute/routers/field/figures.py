"""One figure per dataset: every router's cost-quality frontier on held-out requests, with the single models and
the per-request oracle (the notebook ``arena_routers``)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ... import metrics as M

#: marker per router family (colour is per router)
MARKERS = {"field": "o", "learned baseline": "s", "MESS+": "D", "PickLLM": "P", "game": "^", "random": "v",
           "single model": "X", "oracle": "*"}


def router_colours(routers: list[str]) -> dict[str, tuple]:
    """One distinct colour per router (matplotlib's 20-colour qualitative map in a fixed order, without its greys,
    which mark the single models)."""
    cmap = plt.get_cmap("tab20")
    order = [0, 2, 4, 6, 8, 10, 12, 16, 18, 1, 3, 5, 7, 9, 11, 13, 17, 19]
    return {r: cmap(order[i % len(order)]) for i, r in enumerate(routers)}


def frontier_figure(points: pd.DataFrame, title: str, cost_unit: str, colours: dict[str, tuple],
                    labels: dict[str, str] | None = None) -> plt.Figure:
    """Seed-mean cost per request (log x) vs mean quality on held-out rows: a field router's swept knob as its
    upper convex hull (line) and its points (small markers); every other router as one marker; single models as
    grey crosses; the per-request oracle as a black star. Legend outside the axes."""
    from ...arena.figures import place_labels

    labels = labels or {}
    m = points.groupby(["router", "family", "knob_value"], dropna=False, sort=False)[
        ["mean_quality", "cost_per_request"]].mean().reset_index()
    fig, ax = plt.subplots(figsize=(9.5, 5.2))
    singles = m[m.router.str.startswith("model: ")]
    for router, g in m.groupby("router", sort=False):
        fam = g.family.iloc[0]
        lab = labels.get(router, router)
        c, q = g.cost_per_request.to_numpy(), g.mean_quality.to_numpy()
        if fam == "single model":  # the models' own points; the registry's "cheapest"/"most-accurate" coincide
            if router.startswith("model: "):
                ax.scatter(c, q, marker="X", s=45, color="0.55", zorder=3)
            continue
        if router.startswith("oracle"):
            ax.scatter(c, q, marker="*", s=150, color="black" if router == "oracle" else "0.4", zorder=5, label=lab)
            continue
        col = colours[router]
        if fam == "field" and len(g) > 1:
            hx, hy = M.hull(c, q)
            ax.plot(hx, hy, color=col, lw=1.8, label=lab, zorder=4)
            ax.scatter(c, q, color=col, s=9, zorder=4)
        else:
            ax.scatter(c, q, color=col, marker=MARKERS.get(fam, "o"), s=55, edgecolor="white", linewidth=0.6,
                       zorder=5, label=lab)
    ax.scatter([], [], marker="X", s=45, color="0.55", label="single models")
    ax.set_xscale("log")
    ax.set_xlabel(f"cost per request ({cost_unit}, log scale; held-out requests, mean over seeds)")
    ax.set_ylabel("mean quality on held-out requests (share correct)")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    place_labels(ax, singles.cost_per_request.to_numpy(), singles.mean_quality.to_numpy(),
                 [r.removeprefix("model: ").split("/")[-1] for r in singles.router], fontsize=8)
    return fig
