"""Small helpers for the MESS+ notebooks' tables and figures: V in scientific notation, per-step means with
Student-t bands over seeds, and seed-interval summaries of run tables.

* :func:`fmt_V` — V (the Lyapunov weight of the MESS+ rule ``argmin_m V*E_hat_m + Q_t*(alpha - s_hat_m)``,
  MESS+ paper §3, spec messplus.md §1.4) spans 1e-6 ... 1e-1 per joule: a fixed-point format prints it as 0.0,
  so every table and label prints it as ``1e-4``.
* :func:`step_band` — per-step mean over seeds of a curve and its ``level`` Student-t interval,
  mean +- t_{n-1,(1+level)/2} * s / sqrt(n) (``scipy.stats.t``), for the bands of the per-step figures.
* :func:`seed_summary` — per group, the mean over seeds of columns of a run table with the same t-interval
  (the seed's value is its mean over any other rows, e.g. over c).
* :func:`band` — draw a mean curve and its band on an axis with one colour.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .._validate import check_range


def fmt_V(v: float) -> str:
    """V in short scientific notation: ``1e-4``, ``3e-4``, ``2.5e-5``; ``nan`` -> ``""``; 0 -> ``0``.

    >>> fmt_V(1e-4), fmt_V(3e-4), fmt_V(2.5e-05), fmt_V(0.1)
    ('1e-4', '3e-4', '2.5e-5', '1e-1')
    """
    x = float(v)
    if not np.isfinite(x):
        return ""
    if x == 0:
        return "0"
    mant, exp = f"{x:.6e}".split("e")
    mant = mant.rstrip("0").rstrip(".")
    return f"{mant}e{int(exp)}"


def with_sci(df: pd.DataFrame, columns: Sequence[str] = ("V",)) -> pd.DataFrame:
    """A copy of ``df`` whose ``columns`` (those present) are strings in :func:`fmt_V` notation, for display."""
    out = df.copy()
    for c in columns:
        if c in out.columns:
            out[c] = [fmt_V(v) if v == v else "" for v in out[c]]
    return out


def _t_half(sd: np.ndarray, n: int, level: float) -> np.ndarray:
    if n < 2:
        return np.full_like(np.asarray(sd, dtype=float), np.nan)
    return float(stats.t.ppf((1 + level) / 2, n - 1)) * np.asarray(sd, dtype=float) / np.sqrt(n)


def step_band(curves: Sequence[np.ndarray] | np.ndarray, level: float = 0.95
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, low, high) per step over the rows of ``curves`` (one row per seed, equal lengths): the Student-t
    ``level`` interval mean +- t_{n-1,(1+level)/2} * s / sqrt(n); NaN bounds for one seed."""
    check_range("level", level, 0.0, 1.0, lo_open=True, hi_open=True)
    y = np.asarray(curves, dtype=float)
    if y.ndim != 2 or y.shape[0] == 0:
        raise ValueError(f"step_band: curves must be a non-empty (seeds x steps) array, got shape {y.shape}")
    m = y.mean(axis=0)
    h = _t_half(y.std(axis=0, ddof=1) if y.shape[0] > 1 else np.zeros_like(m), y.shape[0], level)
    return m, m - h, m + h


def seed_summary(runs: pd.DataFrame, by: Sequence[str], columns: Sequence[str], *, seed: str = "seed",
                 level: float = 0.95, scale: dict[str, float] | None = None) -> pd.DataFrame:
    """Per group ``by``: for each of ``columns`` the mean over seeds and its Student-t ``level`` interval
    (``<col>``, ``<col>_lo``, ``<col>_hi``) and the number of seeds ``n_seeds``. A seed's value is the mean of its
    rows within the group (e.g. over c); ``scale`` multiplies a column first (e.g. ``{"total_cost": 1e-6}``)."""
    check_range("level", level, 0.0, 1.0, lo_open=True, hi_open=True)
    missing = [c for c in [*by, *columns, seed] if c not in runs.columns]
    if missing:
        raise ValueError(f"seed_summary: runs have no column(s) {missing}; columns are {list(runs.columns)}")
    scale = scale or {}
    per = runs.groupby([*by, seed], sort=False)[list(columns)].mean().reset_index()
    recs = []
    for key, g in per.groupby(list(by), sort=False):
        key = key if isinstance(key, tuple) else (key,)
        rec = dict(zip(by, key))
        n = len(g)
        rec["n_seeds"] = n
        for c in columns:
            x = g[c].to_numpy(dtype=float) * scale.get(c, 1.0)
            m = float(x.mean())
            h = float(_t_half(x.std(ddof=1) if n > 1 else 0.0, n, level))
            rec[c], rec[f"{c}_lo"], rec[f"{c}_hi"] = m, m - h, m + h
        recs.append(rec)
    return pd.DataFrame(recs)


def band(ax, x: np.ndarray, curves: Sequence[np.ndarray] | np.ndarray, *, color: str, label: str | None = None,
         level: float = 0.95, alpha: float = 0.2, **line_kw):
    """Plot the per-step mean of ``curves`` (seeds x steps) against ``x`` with its ``level`` t-band (same colour);
    returns the mean curve's Line2D."""
    m, lo, hi = step_band(curves, level)
    (ln,) = ax.plot(x, m, color=color, label=label, **line_kw)
    if np.isfinite(lo).any():
        ax.fill_between(x, lo, hi, color=color, alpha=alpha, lw=0)
    return ln


def ragged_band(curves: Sequence[np.ndarray], min_n: int = 5, level: float = 0.95
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(n, mean, low, high) per step k over the curves that have a step k (curves of different lengths, e.g. the
    predictor loss per exploration step, whose count differs between runs), kept while at least ``min_n``
    curves contribute; the interval is Student-t over the contributing curves."""
    check_range("level", level, 0.0, 1.0, lo_open=True, hi_open=True)
    if min_n < 2:
        raise ValueError(f"ragged_band: min_n must be at least 2 (an interval needs two values), got {min_n}")
    arrs = [np.asarray(c, dtype=float) for c in curves]
    L = max((a.size for a in arrs), default=0)
    n = np.array([sum(a.size > k for a in arrs) for k in range(L)], dtype=int)
    keep = int(np.sum(n >= min_n)) if L else 0  # n is non-increasing in k: the first ``keep`` steps
    m, lo, hi = (np.empty(keep) for _ in range(3))
    for k in range(keep):
        x = np.array([a[k] for a in arrs if a.size > k])
        m[k] = x.mean()
        h = float(_t_half(x.std(ddof=1), x.size, level))
        lo[k], hi[k] = m[k] - h, m[k] + h
    return n[:keep], m, lo, hi
