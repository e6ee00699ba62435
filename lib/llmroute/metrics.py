"""The field's standard metrics of a router on an outcome table, with 95 % intervals over seeds.

Points are (cost per request, mean quality) pairs, one per router (or per operating point of a router).

* :func:`pareto_front` — the cost-quality frontier: the points no other point beats on both axes.
* :func:`hull` / :func:`aiq` — **AIQ** (RouterBench, Hu et al. 2024, arXiv 2403.12031 §4): the area under the
  non-decreasing convex hull ``R~(c)`` of the points (mixing two routers at random reaches every point of the
  segment between them, and paying more can never lower the best quality reachable, so the hull is extended
  flat from the best point to the largest cost), divided by the cost range:
  ``AIQ = 1/(c_max - c_min) * integral_{c_min}^{c_max} R~(c) dc``, ``c_min``/``c_max`` the smallest/largest cost.
* :func:`apgr` and :func:`cpt` — RouteLLM (Ong et al. 2024, arXiv 2406.18665 §5.1), defined for a weak/strong
  pair: ``PGR(x) = (q(x) - q_weak) / (q_strong - q_weak)`` where ``x`` is the share of calls to the strong model;
  ``APGR = integral_0^1 PGR(x) dx = (AUC_router - AUC_weak) / (AUC_strong - AUC_weak)`` with ``AUC_weak = q_weak``
  and ``AUC_strong = q_strong`` (the flat lines of always-weak and always-strong); ``CPT(p)`` = the smallest
  ``x`` with ``PGR(x) >= p``. The curve is the polyline through the router's operating points and the two
  end points ``(0, q_weak)``, ``(1, q_strong)`` (with one operating point: the router mixed at random with the
  weak or the strong model). **N models**: ``x`` becomes the normalised cost ``(c - c_weak) / (c_strong -
  c_weak)``, clipped to [0, 1], with weak = the cheapest model and strong = the most accurate one; for two models
  whose per-request costs are constant this is exactly the share of strong calls.
* :func:`oracle_gap` — mean quality of the per-request oracle (the best model of every request) minus the router's.
* :func:`routing_entropy` — entropy (bits) of the distribution of served models: 0 for one model, log2(M) for
  a uniform spread.
* :func:`mean_ci` — mean and 95 % Student-t interval over seeds (``scipy.stats.t``).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .data.schema import Outcomes


def _points(cost, quality) -> tuple[np.ndarray, np.ndarray]:
    c = np.asarray(cost, dtype=float).ravel()
    q = np.asarray(quality, dtype=float).ravel()
    if c.shape != q.shape or c.size == 0:
        raise ValueError(f"cost and quality must be non-empty and of equal length, got {c.size} and {q.size}")
    if not (np.isfinite(c).all() and np.isfinite(q).all()):
        raise ValueError("cost and quality must be finite")
    return c, q


def pareto_front(cost, quality) -> np.ndarray:
    """Indices of the points not dominated (no other point has lower-or-equal cost and higher quality), by cost."""
    c, q = _points(cost, quality)
    order = np.lexsort((-q, c))
    front, best = [], -np.inf
    for i in order:
        if q[i] > best:
            front.append(int(i))
            best = q[i]
    return np.asarray(front, dtype=int)


def hull(cost, quality, c_max: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (cost, quality) of the non-decreasing convex hull of the points, from the cheapest point (its
    best quality) to ``c_max`` (default: the largest cost), flat after the best point."""
    c, q = _points(cost, quality)
    c_max = float(c.max()) if c_max is None else float(c_max)
    if c_max < c.max():
        raise ValueError(f"c_max = {c_max:g} is below the largest cost {c.max():g}")
    best = int(np.argmax(q))
    pts = sorted({(float(x), float(y)) for x, y in zip(c, q)} | {(c_max, float(q[best]))})
    # keep the best quality at each cost, then the upper hull (monotone chain) from the cheapest point
    by_cost: dict[float, float] = {}
    for x, y in pts:
        by_cost[x] = max(by_cost.get(x, -np.inf), y)
    xs = sorted(by_cost)
    up: list[tuple[float, float]] = []
    for x in xs:
        p = (x, by_cost[x])
        while len(up) >= 2:
            (x1, y1), (x2, y2) = up[-2], up[-1]
            if (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) >= 0:  # up[-1] on or below the chord
                up.pop()
            else:
                break
        up.append(p)
    hx = np.array([p[0] for p in up])
    hy = np.array([p[1] for p in up])
    return hx, hy


def aiq(cost, quality, c_max: float | None = None) -> float:
    """Average improvement in quality (RouterBench): area under :func:`hull` over [c_min, c_max] divided by
    ``c_max - c_min``; with all points at one cost, the best quality."""
    c, q = _points(cost, quality)
    hx, hy = hull(c, q, c_max)
    width = hx[-1] - hx[0]
    if width <= 0:
        return float(hy.max())
    return float(np.trapezoid(hy, hx) / width)


def _curve(x, quality, q_weak: float, q_strong: float) -> tuple[np.ndarray, np.ndarray]:
    xs = np.clip(np.asarray(x, dtype=float).ravel(), 0.0, 1.0)
    qs = np.asarray(quality, dtype=float).ravel()
    if xs.shape != qs.shape:
        raise ValueError("x and quality must have equal length")
    order = np.lexsort((qs, xs))
    return (np.concatenate([[0.0], xs[order], [1.0]]), np.concatenate([[q_weak], qs[order], [q_strong]]))


def apgr(x, quality, q_weak: float, q_strong: float) -> float:
    """Average performance gap recovered (RouteLLM) of the curve through the operating points ``(x, quality)``
    (``x`` = share of strong calls, or normalised cost for N models) and the end points; NaN when
    ``q_strong == q_weak``."""
    if q_strong == q_weak:
        return float("nan")
    xs, ys = _curve(x, quality, q_weak, q_strong)
    auc = float(np.trapezoid(ys, xs))
    return (auc - q_weak) / (q_strong - q_weak)


def cpt(x, quality, q_weak: float, q_strong: float, pgr: float = 0.5) -> float:
    """Call-performance threshold (RouteLLM): the smallest ``x`` (share of strong calls, or normalised cost) at
    which the curve recovers ``pgr`` of the weak-strong gap; NaN when ``q_strong == q_weak``."""
    if q_strong == q_weak:
        return float("nan")
    xs, ys = _curve(x, quality, q_weak, q_strong)
    g = (ys - q_weak) / (q_strong - q_weak)
    if g[0] >= pgr:
        return 0.0
    for k in range(1, xs.size):
        if g[k] >= pgr:
            if g[k] == g[k - 1]:
                return float(xs[k])
            return float(xs[k - 1] + (pgr - g[k - 1]) / (g[k] - g[k - 1]) * (xs[k] - xs[k - 1]))
    return float("nan")  # pragma: no cover - the end point (1, q_strong) always reaches PGR 1


def normalised_cost(cost, c_weak: float, c_strong: float) -> np.ndarray:
    """``(cost - c_weak) / (c_strong - c_weak)`` clipped to [0, 1] (the x axis of APGR for N models)."""
    if c_strong <= c_weak:
        raise ValueError(f"the strong model's cost {c_strong:g} must exceed the weak model's {c_weak:g}")
    return np.clip((np.asarray(cost, dtype=float) - c_weak) / (c_strong - c_weak), 0.0, 1.0)


def oracle_quality(outcomes: Outcomes) -> float:
    """Mean quality of the per-request oracle: the best model of every request."""
    return float(outcomes.quality.max(axis=1).mean())


def oracle_gap(outcomes: Outcomes, quality: float | np.ndarray) -> float | np.ndarray:
    """Per-request oracle quality minus the router's mean quality (>= 0 on the full table)."""
    gap = oracle_quality(outcomes) - np.asarray(quality, dtype=float)
    return float(gap) if gap.ndim == 0 else gap


def routing_entropy(shares) -> float:
    """Entropy in bits of the served-model distribution ``shares`` (normalised to sum to 1): -sum p log2 p."""
    p = np.asarray(shares, dtype=float).ravel()
    if (p < 0).any() or p.sum() <= 0:
        raise ValueError(f"shares must be non-negative with a positive sum, got {p.tolist()}")
    p = p / p.sum()
    nz = p[p > 0]
    return float(-(nz * np.log2(nz)).sum()) + 0.0


def mean_ci(values, conf: float = 0.95) -> tuple[float, float, float]:
    """Mean and the Student-t ``conf`` interval over seeds: (mean, low, high); NaN bounds for one seed."""
    x = np.asarray(values, dtype=float).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(x.mean())
    if x.size == 1:
        return m, float("nan"), float("nan")
    se = float(x.std(ddof=1) / np.sqrt(x.size))
    if se == 0.0:
        return m, m, m
    h = float(stats.t.ppf(0.5 + conf / 2.0, x.size - 1)) * se
    return m, m - h, m + h


def reference_pair(outcomes: Outcomes) -> tuple[int, int]:
    """(weak, strong) columns: the cheapest model and the most accurate one (the most expensive on ties)."""
    acc = outcomes.mean_quality()
    strong = int(np.flatnonzero(acc == acc.max())[-1])
    return 0, strong


def router_metrics(runs: pd.DataFrame, outcomes: Outcomes, *, conf: float = 0.95,
                   alphas: dict[str, float] | None = None,
                   reference: tuple[float, float, float, float] | None = None,
                   oracle: float | None = None) -> pd.DataFrame:
    """Per router, the metrics of this module with ``conf`` intervals over seeds.

    ``runs``: one row per (router, seed) with ``router``, ``seed``, ``mean_quality``, ``cost_per_request`` and
    ``served_<model>`` shares (as :meth:`llmroute.replay.ReplayResult.summary` gives). Per seed: AIQ of the
    router's point with the weak and strong models' points (the mixtures reachable from them), APGR, CPT(50 %),
    CPT(80 %) on the normalised cost, the oracle gap and the routing entropy; then the mean and interval of
    each. ``alphas``: the SLA target of routers that have one (adds ``alpha`` and ``meets_alpha``: the mean
    quality over seeds >= alpha). ``reference``: (q_weak, c_weak, q_strong, c_strong) when the weak and strong
    points are not the table's single-pass means (e.g. measured with reactive users); ``oracle``: the oracle
    quality to compare with (default :func:`oracle_quality`; NaN gives NaN gaps).
    """
    weak, strong = reference_pair(outcomes)
    mq, mc = outcomes.mean_quality(), outcomes.mean_cost()
    if reference is None:
        qw, cw, qs, cs = float(mq[weak]), float(mc[weak]), float(mq[strong]), float(mc[strong])
    else:
        qw, cw, qs, cs = (float(v) for v in reference)
    oq = oracle_quality(outcomes) if oracle is None else float(oracle)
    served_cols = [f"served_{m}" for m in outcomes.models]
    rows = []
    for router, g in runs.groupby("router", sort=False):
        per: dict[str, list[float]] = {k: [] for k in ("quality", "cost", "aiq", "apgr", "cpt50", "cpt80",
                                                       "oracle_gap", "entropy")}
        for _, r in g.iterrows():
            q, c = float(r["mean_quality"]), float(r["cost_per_request"])
            per["quality"].append(q)
            per["cost"].append(c)
            per["aiq"].append(aiq([cw, cs, c], [qw, qs, q], c_max=max(cs, c)))
            if strong != weak and cs > cw:
                x = normalised_cost([c], cw, cs)
                per["apgr"].append(apgr(x, [q], qw, qs))
                per["cpt50"].append(cpt(x, [q], qw, qs, 0.5))
                per["cpt80"].append(cpt(x, [q], qw, qs, 0.8))
            per["oracle_gap"].append(oq - q)
            per["entropy"].append(routing_entropy(r[served_cols].to_numpy(dtype=float)))
        row: dict[str, object] = {"router": router, "n_seeds": len(g)}
        for k, v in per.items():
            m, lo, hi = mean_ci(v, conf) if v else (float("nan"),) * 3
            row[k], row[f"{k}_lo"], row[f"{k}_hi"] = m, lo, hi
        if alphas and router in alphas:
            row["alpha"] = float(alphas[router])
            row["meets_alpha"] = bool(row["quality"] >= alphas[router])
        rows.append(row)
    out = pd.DataFrame(rows)
    if "meets_alpha" in out:
        out["meets_alpha"] = out["meets_alpha"].astype(object)
    return out


def zoo_aiq(outcomes: Outcomes) -> float:
    """AIQ of the single models alone (RouterBench's "zero router": random mixtures of models)."""
    return aiq(outcomes.mean_cost(), outcomes.mean_quality())


__all__: Sequence[str] = ("pareto_front", "hull", "aiq", "apgr", "cpt", "normalised_cost", "oracle_quality",
                          "oracle_gap", "routing_entropy", "mean_ci", "reference_pair", "router_metrics", "zoo_aiq")
