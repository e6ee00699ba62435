"""Figures A-F and the weight phase diagram of the PickLLM reproduction (spec §5), drawn with the project theme.

Every function returns a matplotlib Figure; the notebooks save them with :func:`llmroute.plotting.savefig`.
``tag`` (e.g. "SYNTHETIC world (illustrative)" or "REAL data: OmnisBench") goes into every title.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch

from .. import plotting as lp


def fig_lri_trajectories(traces: dict, b_grid, models, context: str, tag: str) -> plt.Figure:
    """Fig. A: P_i(t) of the first session, one panel per learning rate b, t* marked."""
    cols = lp.palette(len(models))
    fig, axes = plt.subplots(1, len(b_grid), figsize=(3.0 * len(b_grid), 3.0), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, b in zip(axes, b_grid):
        P, ch, ts, ist = traces[f"PickLLM L_R-I (b={b:g})"]
        t = np.arange(1, P.shape[0] + 1)
        for m, name in enumerate(models):
            ax.plot(t, P[:, m], color=cols[m], lw=1.4, label=name)
        if np.isfinite(ts):
            ax.axvline(ts, color="0.3", ls="--", lw=1)
            ax.text(ts, 1.02, f"t*={int(ts)}", ha="center", va="bottom", fontsize="small")
        else:
            ax.text(0.5, 1.02, "no lock-in", transform=ax.transAxes, ha="center", fontsize="small")
        ax.set_title(f"b = {b:g}", pad=14)
        ax.set_xlabel("query index t (queries)")
        ax.set_ylim(0, 1.08)
    axes[0].set_ylabel("action probability P_i(t)")
    axes[-1].legend(loc="center right")
    fig.suptitle(f"Fig. A - L_R-I convergence, context {context}, session 1 ({tag})", y=1.06)
    return fig


def fig_q_trajectories(traces: dict, alpha_grid, decays, models, context: str, tag: str) -> plt.Figure:
    """Fig. B: Q_i(t) of the first session per alpha (columns) and epsilon decay (rows), lock-in marked."""
    cols = lp.palette(len(models))
    fig, axes = plt.subplots(len(decays), len(alpha_grid), figsize=(3.0 * len(alpha_grid), 2.6 * len(decays)),
                             sharex=True, squeeze=False)
    for r, d in enumerate(decays):
        for c, a in enumerate(alpha_grid):
            ax = axes[r, c]
            Q, ch, ts, ist = traces[f"PickLLM Q (alpha={a:g}, decay={d:g})"]
            t = np.arange(1, Q.shape[0] + 1)
            for m, name in enumerate(models):
                ax.plot(t, Q[:, m], color=cols[m], lw=1.2, label=name)
            if np.isfinite(ts):
                ax.axvline(ts, color="0.3", ls="--", lw=1)
            ax.set_title(f"alpha={a:g}, decay={d:g}" + (f", lock t*={int(ts)}" if np.isfinite(ts) else ", no lock"),
                         fontsize="small")
            if c == 0:
                ax.set_ylabel("action value Q_i (reward units)")
            if r == len(decays) - 1:
                ax.set_xlabel("query index t (queries)")
    axes[0, -1].legend(loc="lower right", fontsize="x-small")
    fig.suptitle(f"Fig. B - Q-learning convergence, context {context}, session 1 ({tag})", y=1.02)
    fig.tight_layout()
    return fig


def fig_tstar_vs_lr(sessions: pd.DataFrame, tag: str, T: int) -> plt.Figure:
    """Fig. C: distribution of t* over sessions (box plots, locked sessions) against the learning rate, with
    P(i* = best fixed model) on a twin axis; one panel for L_R-I and one per Q-learning epsilon decay."""
    panels = [("L_R-I", None)] + [("Q-learning", d) for d in sorted(sessions["decay"].dropna().unique(), reverse=True)]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4))
    axes = np.atleast_1d(axes)
    for ax, (algo, d) in zip(axes, panels):
        g = sessions[sessions["algo"] == algo]
        if d is not None:
            g = g[g["decay"] == d]
        lrs = sorted(g["lr"].unique())
        data = [g.loc[g["lr"] == lr, "t_star"].dropna().to_numpy() for lr in lrs]
        pos = np.arange(len(lrs))
        ax.boxplot([x if x.size else [np.nan] for x in data], positions=pos, widths=0.5, showfliers=False)
        for p, x, lr in zip(pos, data, lrs):
            share = x.size / max(int((g["lr"] == lr).sum()), 1)
            ax.text(p, T * 1.02, f"{share:.0%}\nlocked", ha="center", va="bottom", fontsize="x-small")
        ax.set_xticks(pos, [f"{lr:g}" for lr in lrs])
        ax.set_ylim(0, T * 1.18)
        ax.set_xlabel("learning rate b" if algo == "L_R-I" else "learning rate alpha")
        ax.set_ylabel("convergence query index t* (queries)")
        ax.set_title(algo + ("" if d is None else f" (epsilon decay {d:g})"))
        ax2 = ax.twinx()
        pb = [g.loc[g["lr"] == lr, "hit_best"].mean() for lr in lrs]
        ax2.plot(pos, pb, "o-", color=lp.OKABE_ITO[3])
        ax2.set_ylim(0, 1.05)
        ax2.set_ylabel("P(i* = best fixed model)", color=lp.OKABE_ITO[3])
        ax2.grid(False)
    fig.suptitle(f"Fig. C - convergence speed vs learning rate, all contexts pooled ({tag})", y=1.03)
    fig.tight_layout()
    return fig


def fig_bars(t1: pd.DataFrame, metric: str, ylabel: str, title: str, tag: str, *, log: bool = False,
             routers: list[str] | None = None) -> plt.Figure:
    """Figs. D-F: grouped bars (mean and 95 % CI over sessions) per context and router."""
    routers = routers or list(dict.fromkeys(t1["router"]))
    contexts = list(dict.fromkeys(t1["context"]))
    cols = lp.palette(len(routers))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(contexts) + 2), 3.6))
    w = 0.8 / len(routers)
    for j, rt in enumerate(routers):
        g = t1[t1["router"] == rt].set_index("context").reindex(contexts)
        x = np.arange(len(contexts)) + (j - (len(routers) - 1) / 2) * w
        err = np.vstack([g[metric] - g[f"{metric}_lo"], g[f"{metric}_hi"] - g[metric]])
        ax.bar(x, g[metric], width=w, color=cols[j], label=rt, yerr=err, capsize=2, error_kw={"lw": 0.8})
    ax.set_xticks(np.arange(len(contexts)), contexts)
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.set_xlabel("context (one session = T queries of one context)")
    ax.set_title(f"{title} ({tag}); bars: mean over sessions, whiskers: 95 % CI")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def fig_phase(phase: pd.DataFrame, models, second: str, second_label: str, tag: str,
              value: str = "best_fixed") -> plt.Figure:
    """Weight phase diagram: which model the reward selects for every (w_c, second) pair, per context."""
    contexts = list(dict.fromkeys(phase["context"]))
    cmap = ListedColormap(lp.palette(len(models)))
    norm = BoundaryNorm(np.arange(len(models) + 1) - 0.5, len(models))
    fig, axes = plt.subplots(1, len(contexts), figsize=(2.8 * len(contexts) + 1.5, 3.0), sharey=True)
    axes = np.atleast_1d(axes)
    wc = np.sort(phase["w_c"].unique())
    sv = np.sort(phase[second].unique())
    for ax, ctx in zip(axes, contexts):
        g = phase[phase["context"] == ctx].pivot(index=second, columns="w_c", values=value).reindex(index=sv, columns=wc)
        ax.pcolormesh(np.arange(len(wc) + 1), np.arange(len(sv) + 1), g.to_numpy(), cmap=cmap, norm=norm)
        ax.set_xticks(np.arange(len(wc)) + 0.5, [f"{v:g}" for v in wc], rotation=90, fontsize="x-small")
        ax.set_yticks(np.arange(len(sv)) + 0.5, [f"{v:g}" for v in sv], fontsize="x-small")
        ax.set_title(ctx, fontsize="small")
        ax.set_xlabel("cost weight w_c (per unit of cost)")
    axes[0].set_ylabel(second_label)
    fig.legend(handles=[Patch(color=cmap(k), label=m) for k, m in enumerate(models)], loc="center left",
               bbox_to_anchor=(1.0, 0.5))
    what = "best fixed model (b -> 0 limit)" if value == "best_fixed" else "modal converged model of L_R-I"
    fig.suptitle(f"Weight phase diagram: {what} vs (w_c, {second}) ({tag})", y=1.04)
    fig.tight_layout()
    return fig
