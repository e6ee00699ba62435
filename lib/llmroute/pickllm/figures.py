"""Figures A-F and the weight phase diagram of the PickLLM reproduction, drawn with the project theme.

Every function returns a matplotlib Figure at most 10 in wide (the README shows figures at about that width, so
no text shrinks below 8 pt); legends sit outside the data. The notebooks save them with
:func:`llmroute.plotting.savefig` and show them inline. ``tag`` (e.g. "SYNTHETIC world, illustrative" or
"OmnisBench, REAL") goes into every title.
"""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy import stats

from .. import plotting as lp

#: Widest figure (inches); the README shows figures at about this width.
MAX_WIDTH_IN = 10.0


def share_ci(k: int, n: int, conf: float = 0.95) -> tuple[float, float, float]:
    """Share ``k/n`` and its exact (Clopper-Pearson) ``conf`` interval, via ``scipy.stats.binomtest``;
    NaN for ``n = 0``."""
    if n <= 0:
        return float("nan"), float("nan"), float("nan")
    ci = stats.binomtest(int(k), int(n)).proportion_ci(conf, method="exact")
    return k / n, float(ci.low), float(ci.high)


def _legend_axis(ax: plt.Axes, handles, labels, title: str | None = None) -> None:
    """Use an empty grid cell for the legend (outside every data panel)."""
    ax.axis("off")
    ax.legend(handles, labels, loc="center", title=title, frameon=False)


def fig_lri_trajectories(traces: dict, b_grid, models, context: str, tag: str) -> plt.Figure:
    """Fig. A: P_i(t) of the first session, one panel per learning rate b (2 x 3 grid, the legend in the spare
    cell), lock-in query t* marked."""
    cols = lp.palette(len(models))
    n = len(b_grid)
    ncol = 3
    nrow = int(np.ceil((n + 1) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(MAX_WIDTH_IN, 2.7 * nrow + 0.6), sharey=True, squeeze=False)
    flat = axes.ravel()
    for k, (ax, b) in enumerate(zip(flat, b_grid)):
        P, ch, ts, ist = traces[f"PickLLM L_R-I (b={b:g})"]
        t = np.arange(1, P.shape[0] + 1)
        for m, name in enumerate(models):
            ax.plot(t, P[:, m], color=cols[m], lw=1.4, label=name)
        lock = f"lock-in at t* = {int(ts)}" if np.isfinite(ts) else "no lock-in within T"
        if np.isfinite(ts):
            ax.axvline(ts, color="0.3", ls="--", lw=1)
        ax.set_title(f"b = {b:g}: {lock}", fontsize="small")
        ax.set_ylim(0, 1.02)
        if k % ncol == 0:
            ax.set_ylabel("probability P_i(t)")
        if k >= n - ncol:
            ax.set_xlabel("query index t")
    h = [Line2D([], [], color=cols[m], lw=1.6) for m in range(len(models))] + \
        [Line2D([], [], color="0.3", ls="--", lw=1)]
    _legend_axis(flat[n], h, list(models) + ["lock-in t* (max P_i >= 0.99)"], title="model")
    for ax in flat[n + 1:]:
        ax.axis("off")
    fig.suptitle(f"Fig. A - L_R-I action probabilities, context {context}, session 1\n({tag})")
    return fig


def fig_q_trajectories(traces: dict, alpha_grid, decays, models, context: str, tag: str) -> plt.Figure:
    """Fig. B: Q_i(t) of the first session per alpha (columns) and epsilon decay (rows), lock-in marked; the
    legend below the grid."""
    cols = lp.palette(len(models))
    fig, axes = plt.subplots(len(decays), len(alpha_grid), figsize=(MAX_WIDTH_IN, 2.5 * len(decays) + 1.0),
                             sharex=True, sharey="row", squeeze=False)
    for r, d in enumerate(decays):
        for c, a in enumerate(alpha_grid):
            ax = axes[r, c]
            Q, ch, ts, ist = traces[f"PickLLM Q (alpha={a:g}, decay={d:g})"]
            t = np.arange(1, Q.shape[0] + 1)
            for m, name in enumerate(models):
                ax.plot(t, Q[:, m], color=cols[m], lw=1.2, label=name)
            if np.isfinite(ts):
                ax.axvline(ts, color="0.3", ls="--", lw=1)
            ax.set_title(f"alpha={a:g}, decay={d:g}\n" + (f"lock-in t*={int(ts)}" if np.isfinite(ts) else "no lock-in"),
                         fontsize="small")
            if c == 0:
                ax.set_ylabel("Q_i (reward units)")
            if r == len(decays) - 1:
                ax.set_xlabel("query index t")
    h = [Line2D([], [], color=cols[m], lw=1.6) for m in range(len(models))] + \
        [Line2D([], [], color="0.3", ls="--", lw=1)]
    fig.legend(h, list(models) + ["lock-in t*"], loc="outside lower center", ncol=len(models) + 1)
    fig.suptitle(f"Fig. B - Q-learning action values, context {context}, session 1\n({tag})")
    return fig


def fig_tstar_vs_lr(sessions: pd.DataFrame, tag: str, T: int) -> plt.Figure:
    """Fig. C: lock-in query t* against the learning rate (box plots over the sessions that locked in; the share
    locked under each tick) and P(i* = best fixed model) with its exact 95 % binomial interval on a twin axis;
    one panel for L_R-I and one per Q-learning epsilon decay."""
    panels = [("L_R-I", None)] + [("Q-learning", d) for d in sorted(sessions["decay"].dropna().unique(), reverse=True)]
    fig, axes = plt.subplots(1, len(panels), figsize=(MAX_WIDTH_IN, 4.1), sharey=True)
    axes = np.atleast_1d(axes)
    red = lp.OKABE_ITO[3]
    for k, (ax, (algo, d)) in enumerate(zip(axes, panels)):
        g = sessions[sessions["algo"] == algo]
        if d is not None:
            g = g[g["decay"] == d]
        lrs = sorted(g["lr"].unique())
        data = [g.loc[g["lr"] == lr, "t_star"].dropna().to_numpy() for lr in lrs]
        pos = np.arange(len(lrs))
        ax.boxplot([x if x.size else [np.nan] for x in data], positions=pos, widths=0.5, showfliers=False,
                   medianprops={"color": "k", "lw": 1.5})
        labels = []
        for x, lr in zip(data, lrs):
            share = x.size / max(int((g["lr"] == lr).sum()), 1)
            labels.append(f"{lr:g}\n{share:.0%}")
        ax.set_xticks(pos, labels)
        ax.set_ylim(0, T * 1.05)
        ax.set_xlabel(("b" if algo == "L_R-I" else "alpha") + " (top)\nshare locked (bottom)")
        if k == 0:
            ax.set_ylabel(f"lock-in query t* (of T = {T})")
        ax.set_title(algo if d is None else f"Q-learning, decay {d:g}", fontsize="medium")
        ax2 = ax.twinx()
        ci = [share_ci(int(g.loc[g["lr"] == lr, "hit_best"].sum()), int((g["lr"] == lr).sum())) for lr in lrs]
        pb = np.array([c[0] for c in ci])
        err = np.vstack([pb - [c[1] for c in ci], [c[2] for c in ci] - pb])
        ax2.errorbar(pos, pb, yerr=err, fmt="o-", color=red, capsize=3, lw=1.5)
        ax2.set_ylim(0, 1.05)
        ax2.grid(False)
        if k == len(panels) - 1:
            ax2.set_ylabel("P(i* = best fixed model)", color=red)
            ax2.tick_params(axis="y", colors=red)
        else:
            ax2.tick_params(axis="y", right=False, labelright=False)
    h = [Line2D([], [], color="k", lw=1.5), Line2D([], [], color=red, marker="o", lw=1.5)]
    fig.legend(h, ["t* of the locked sessions (box: quartiles, whiskers: 1.5 IQR)",
                   "P(i* = best fixed model), 95 % CI (right axis)"], loc="outside lower center", ncol=2)
    fig.suptitle(f"Fig. C - lock-in time vs learning rate, all contexts pooled\n({tag})")
    return fig


def fig_bars(t1: pd.DataFrame, metric: str, ylabel: str, title: str, tag: str, *, log: bool = False,
             routers: list[str] | None = None) -> plt.Figure:
    """Figs. D-F: grouped bars (mean over sessions, whiskers: 95 % CI) per context and router; the legend below."""
    routers = routers or list(dict.fromkeys(t1["router"]))
    contexts = list(dict.fromkeys(t1["context"]))
    cols = lp.palette(len(routers))
    fig, ax = plt.subplots(figsize=(MAX_WIDTH_IN, 4.6))
    w = 0.8 / len(routers)
    for j, rt in enumerate(routers):
        g = t1[t1["router"] == rt].set_index("context").reindex(contexts)
        x = np.arange(len(contexts)) + (j - (len(routers) - 1) / 2) * w
        err = np.vstack([g[metric] - g[f"{metric}_lo"], g[f"{metric}_hi"] - g[metric]])
        ax.bar(x, g[metric], width=w, color=cols[j], label=rt, yerr=err, capsize=2, error_kw={"lw": 0.8})
    ax.set_xticks(np.arange(len(contexts)), contexts, rotation=20 if len(contexts) > 5 else 0,
                  ha="right" if len(contexts) > 5 else "center")
    if log:
        ax.set_yscale("log")
    ax.set_ylabel("\n".join(textwrap.wrap(ylabel, 32)))
    ax.set_xlabel("context (one session = T queries of one context)")
    ax.set_title(f"{title} ({tag})\nbars: mean over sessions; whiskers: 95 % CI", fontsize="medium")
    fig.legend(loc="outside lower center", ncol=3 if len(routers) > 4 else len(routers))
    return fig


def fig_phase(phase: pd.DataFrame, models, second: str, second_label: str, tag: str,
              value: str = "best_fixed") -> plt.Figure:
    """Weight phase diagram: which model the reward selects for every (w_c, second) pair, one panel per context
    (3 per row, the legend in a spare cell or below)."""
    contexts = list(dict.fromkeys(phase["context"]))
    cmap = ListedColormap(lp.palette(len(models)))
    norm = BoundaryNorm(np.arange(len(models) + 1) - 0.5, len(models))
    ncol = 3
    nrow = int(np.ceil((len(contexts) + 1) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(MAX_WIDTH_IN, 2.9 * nrow + 0.5), squeeze=False)
    flat = axes.ravel()
    wc = np.sort(phase["w_c"].unique())
    sv = np.sort(phase[second].unique())
    step = max(1, int(np.ceil(len(wc) / 6)))
    for k, (ax, ctx) in enumerate(zip(flat, contexts)):
        g = phase[phase["context"] == ctx].pivot(index=second, columns="w_c", values=value).reindex(index=sv, columns=wc)
        ax.pcolormesh(np.arange(len(wc) + 1), np.arange(len(sv) + 1), g.to_numpy(), cmap=cmap, norm=norm)
        ax.set_xticks(np.arange(0, len(wc), step) + 0.5, [f"{v:g}" for v in wc[::step]], rotation=45, ha="right")
        ax.set_yticks(np.arange(len(sv)) + 0.5, [f"{v:g}" for v in sv])
        ax.set_title(ctx, fontsize="medium")
        ax.grid(False)
        if k % ncol == 0:
            ax.set_ylabel(second_label)
        ax.set_xlabel("cost weight w_c")
    h = [Patch(color=cmap(k), label=m) for k, m in enumerate(models)]
    _legend_axis(flat[len(contexts)], h, list(models), title="model")
    for ax in flat[len(contexts) + 1:]:
        ax.axis("off")
    what = "best fixed model (b -> 0 limit)" if value == "best_fixed" else "modal converged model of L_R-I (b = 0.1)"
    fig.suptitle(f"Weight phase diagram: {what} vs (w_c, {second})\n({tag})")
    return fig
