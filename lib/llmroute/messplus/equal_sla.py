"""The equal-SLA protocol for the MESS+ comparison (issue 10; spec §3.5, §3.6, §4.2, §7).

A cost-saving factor "baseline cost / MESS+ cost" answers the paper's question only when both sides meet the SLA
target alpha; this module builds the table that says so per benchmark.

* **V per benchmark** (:func:`select_V`): MESS+ uses the **largest** V of the paper's per-benchmark V grid
  (:data:`~llmroute.messplus.experiments.PAPER_V_GRID`, spec §3.5) whose **mean satisfaction over all runs**
  (seeds x c) meets alpha; larger V is cheaper (spec §1.4), so this is the cheapest V of the grid that meets the
  SLA. When no V meets alpha, the smallest V of the grid is reported and the row says MESS+ misses alpha.
  V is chosen on the same streams it is scored on (in-sample; :func:`heldout_V_check` shows what changes when V
  is chosen on the first half of the seeds and scored on the other half).
* **Means and 95 % intervals over seeds** (:func:`mean_ci`): every router is replayed on the same per-benchmark
  seeds (:func:`~llmroute.messplus.experiments.benchmark_seed`); a seed's value is its mean over the c values
  pooled (the paper's tables average over seeds x c, spec §3.5), and the interval is Student's t over seeds
  (``scipy.stats.t.interval``): mean +- t_{n-1, 0.975} * s / sqrt(n).
* **Saving factor** (:func:`ratio_ci`): R = mean baseline cost / mean MESS+ cost over the paired seeds, with a
  delta-method t-interval on log R, reported **only where both sides meet alpha**; elsewhere
  ``not_at_equal_sla`` says which side misses.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from .._validate import check_range

#: Columns of ``results/messplus_main/equal_sla.csv`` (issue 10; satisfaction with its t-interval over seeds),
#: then the factor's interval and the reason a factor is missing.
EQUAL_SLA_COLUMNS = ("benchmark", "router", "V", "seeds", "cost_mj", "cost_mj_ci_low", "cost_mj_ci_high",
                     "satisfaction", "satisfaction_ci_low", "satisfaction_ci_high", "alpha", "meets_alpha",
                     "saving_factor", "saving_factor_ci_low",
                     "saving_factor_ci_high", "not_at_equal_sla")
MESSPLUS = "MESS+"


def mean_ci(x: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high): Student-t interval mean +- t_{n-1,(1+level)/2} * s / sqrt(n) (``scipy.stats.t``).

    One value, or values without spread, give a zero-width interval (the deterministic routers)."""
    from scipy import stats

    check_range("level", level, 0.0, 1.0, lo_open=True, hi_open=True)
    a = np.asarray(x, dtype=float)
    if a.size == 0:
        raise ValueError("mean_ci needs at least one value")
    m = float(a.mean())
    sd = float(a.std(ddof=1)) if a.size > 1 else 0.0
    if sd == 0.0:
        return m, m, m
    lo, hi = stats.t.interval(level, a.size - 1, loc=m, scale=sd / np.sqrt(a.size))
    return m, float(lo), float(hi)


def ratio_ci(num: Sequence[float], den: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """R = mean(num) / mean(den) over paired seeds, with a delta-method t-interval on log R:

    Var(log R) ~ Var(num_bar)/num_bar^2 + Var(den_bar)/den_bar^2 - 2 Cov(num_bar, den_bar)/(num_bar den_bar),
    interval exp(log R +- t_{n-1,(1+level)/2} * sd(log R)). Zero spread gives a zero-width interval."""
    from scipy import stats

    check_range("level", level, 0.0, 1.0, lo_open=True, hi_open=True)
    a, b = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"ratio_ci needs paired non-empty samples, got {a.shape} and {b.shape}")
    ma, mb = float(a.mean()), float(b.mean())
    if ma <= 0 or mb <= 0:
        raise ValueError("ratio_ci needs positive means")
    r = ma / mb
    n = a.size
    if n < 2:
        return r, r, r
    cov = np.cov(a, b, ddof=1)
    var = (cov[0, 0] / ma ** 2 + cov[1, 1] / mb ** 2 - 2 * cov[0, 1] / (ma * mb)) / n
    if var <= 0:
        return r, r, r
    h = float(stats.t.ppf((1 + level) / 2, n - 1)) * np.sqrt(var)
    return r, float(r * np.exp(-h)), float(r * np.exp(h))


def select_V(runs: pd.DataFrame, alpha: float, V_grid: Sequence[float]) -> tuple[float, bool]:
    """(V, meets): the largest V of ``V_grid`` whose mean satisfaction over ``runs`` (all seeds x c of one
    benchmark at this alpha) is >= alpha; when none is, the smallest V of the grid and ``False``."""
    grid = sorted(float(v) for v in V_grid)
    means = runs.groupby("V")["satisfaction"].mean()
    missing = [v for v in grid if v not in means.index]
    if missing:
        raise ValueError(f"select_V: no runs at V = {missing} (runs have V = {sorted(means.index)})")
    ok = [v for v in grid if means.loc[v] >= alpha]
    return (max(ok), True) if ok else (grid[0], False)


def per_seed(runs: pd.DataFrame, column: str) -> pd.Series:
    """A column's per-seed mean (over c and any other rows of the seed), indexed by seed."""
    return runs.groupby("seed")[column].mean()


def charge_messplus_overhead(runs: pd.DataFrame, overhead) -> pd.DataFrame:
    """MESS+ runs with the predictor's energy added (``RoutingOverhead``; spec §3.4): every exploitation step
    ``predictor_per_request`` (one forward pass), every labelled exploration ``predictor_per_update`` (one
    training step). Column ``router_overhead`` holds what was added."""
    out = runs.copy()
    n_upd = out["n_updates"] if "n_updates" in out else out["n_explored"]
    add = (out["T"] - out["n_explored"]) * overhead.predictor_per_request + n_upd * overhead.predictor_per_update
    out["router_overhead"] = add.astype(float)
    out["total_cost"] = out["total_cost"] + out["router_overhead"]
    return out


def _missing_side(mp_ok: bool, bl_ok: bool) -> str:
    if mp_ok and bl_ok:
        return ""
    if not mp_ok and not bl_ok:
        return "both miss alpha"
    return "MESS+ misses alpha" if not mp_ok else "baseline misses alpha"


def equal_sla_table(mp_runs: pd.DataFrame, bl_runs: pd.DataFrame, alpha: Mapping[str, float],
                    V_grid: Mapping[str, Sequence[float]], *, routers: Sequence[str] | None = None,
                    level: float = 0.95, cost_scale: float = 1e-6) -> pd.DataFrame:
    """One row per benchmark x router (``routers`` order, then MESS+): see the module docstring.

    ``mp_runs``: MESS+ runs (columns benchmark, seed, c, V, total_cost, satisfaction) at each benchmark's alpha;
    ``bl_runs``: baseline runs (benchmark, router, seed, total_cost, satisfaction) on the same seeds.
    ``cost_scale`` converts the cost unit to the table's (1e-6: J -> MJ). ``saving_factor`` = baseline cost /
    MESS+ cost, only where both meet alpha (satisfaction = mean over seeds (x c) >= alpha)."""
    rows = []
    names = list(routers) if routers is not None else list(dict.fromkeys(bl_runs["router"]))
    for b in dict.fromkeys(mp_runs["benchmark"]):
        a = float(alpha[b])
        mpb = mp_runs[mp_runs["benchmark"] == b]
        V, mp_ok = select_V(mpb, a, V_grid[b])
        sel = mpb[mpb["V"] == V]
        mp_cost = per_seed(sel, "total_cost")
        mp_sat = float(sel["satisfaction"].mean())
        mp_ok = mp_sat >= a
        m, lo, hi = mean_ci(mp_cost.to_numpy() * cost_scale, level)
        _, slo, shi = mean_ci(per_seed(sel, "satisfaction").to_numpy(), level)
        mp_row = {"benchmark": b, "router": MESSPLUS, "V": V, "seeds": int(mp_cost.size), "cost_mj": m,
                  "cost_mj_ci_low": lo, "cost_mj_ci_high": hi, "satisfaction": mp_sat,
                  "satisfaction_ci_low": slo, "satisfaction_ci_high": shi, "alpha": a,
                  "meets_alpha": bool(mp_ok), "saving_factor": np.nan, "saving_factor_ci_low": np.nan,
                  "saving_factor_ci_high": np.nan, "not_at_equal_sla": "" if mp_ok else "MESS+ misses alpha"}
        blb = bl_runs[bl_runs["benchmark"] == b]
        for r in names:
            g = blb[blb["router"] == r]
            if g.empty:
                raise ValueError(f"equal_sla_table: no runs of router {r!r} on {b}")
            cost = per_seed(g, "total_cost")
            if set(cost.index) != set(mp_cost.index):
                raise ValueError(f"equal_sla_table: {r} on {b} ran seeds {sorted(cost.index)}, MESS+ "
                                 f"{sorted(mp_cost.index)}: the comparison must be paired")
            sat = float(g["satisfaction"].mean())
            ok = sat >= a
            m, lo, hi = mean_ci(cost.to_numpy() * cost_scale, level)
            _, slo, shi = mean_ci(per_seed(g, "satisfaction").to_numpy(), level)
            f = flo = fhi = np.nan
            why = _missing_side(mp_ok, ok)
            if not why:
                f, flo, fhi = ratio_ci(cost.loc[mp_cost.index].to_numpy(), mp_cost.to_numpy(), level)
            rows.append({"benchmark": b, "router": r, "V": np.nan, "seeds": int(cost.size), "cost_mj": m,
                         "cost_mj_ci_low": lo, "cost_mj_ci_high": hi, "satisfaction": sat,
                         "satisfaction_ci_low": slo, "satisfaction_ci_high": shi, "alpha": a,
                         "meets_alpha": bool(ok), "saving_factor": f, "saving_factor_ci_low": flo,
                         "saving_factor_ci_high": fhi, "not_at_equal_sla": why})
        rows.append(mp_row)
    return pd.DataFrame(rows, columns=list(EQUAL_SLA_COLUMNS))


def mean_saving(table: pd.DataFrame, router: str, level: float = 0.95) -> dict:
    """Mean over benchmarks of the saving factors vs ``router`` **at equal SLA only**, with an interval from the
    per-benchmark intervals (independent seeds per benchmark: se of the mean = sqrt(sum se_b^2) / n, se_b from
    each log-scale half width; t quantile with the smallest seed count - 1 degrees of freedom), the number of
    benchmarks at equal SLA and, per benchmark, the factor or the side that misses alpha."""
    from scipy import stats

    t = table[table["router"] == router]
    eq = t[t["saving_factor"].notna()]
    per = {str(r.benchmark): (round(float(r.saving_factor), 4) if pd.notna(r.saving_factor) else r.not_at_equal_sla)
           for r in t.itertuples()}
    if eq.empty:
        return {"router": router, "mean": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"),
                "n_equal_sla": 0, "n_benchmarks": int(len(t)), "per_benchmark": per}
    q = float(stats.t.ppf((1 + level) / 2, int(eq["seeds"].min()) - 1)) if eq["seeds"].min() > 1 else np.inf
    se_b = eq["saving_factor"] * (np.log(eq["saving_factor_ci_high"]) - np.log(eq["saving_factor_ci_low"])) / (2 * q)
    m = float(eq["saving_factor"].mean())
    se = float(np.sqrt((se_b ** 2).sum()) / len(eq))
    return {"router": router, "mean": m, "ci_low": m - q * se, "ci_high": m + q * se, "n_equal_sla": int(len(eq)),
            "n_benchmarks": int(len(t)), "per_benchmark": per}


def heldout_V_check(mp_runs: pd.DataFrame, alpha: Mapping[str, float], V_grid: Mapping[str, Sequence[float]],
                    n_select: int, level: float = 0.95) -> pd.DataFrame:
    """V chosen (as :func:`select_V`) on the first ``n_select`` seeds of each benchmark (in run order), its
    satisfaction scored on the remaining seeds (mean and ``level`` t-interval over those seeds): shows how
    optimistic the in-sample choice is. One row per benchmark."""
    rows = []
    for b in dict.fromkeys(mp_runs["benchmark"]):
        a = float(alpha[b])
        mpb = mp_runs[mp_runs["benchmark"] == b]
        seeds = list(dict.fromkeys(mpb["seed"]))
        if not 0 < n_select < len(seeds):
            raise ValueError(f"heldout_V_check: n_select = {n_select} must be in [1, {len(seeds) - 1}] on {b}")
        sel_s, score_s = seeds[:n_select], seeds[n_select:]
        V, ok_sel = select_V(mpb[mpb["seed"].isin(sel_s)], a, V_grid[b])
        sc = mpb[mpb["seed"].isin(score_s) & (mpb["V"] == V)]
        sat = float(sc["satisfaction"].mean())
        _, lo, hi = mean_ci(per_seed(sc, "satisfaction").to_numpy(), level)
        rows.append({"benchmark": b, "alpha": a, "V_selected": V, "seeds_selection": len(sel_s),
                     "seeds_scored": len(score_s), "meets_on_selection_seeds": bool(ok_sel),
                     "satisfaction_scored": sat, "satisfaction_scored_ci_low": lo, "satisfaction_scored_ci_high": hi,
                     "meets_on_scored_seeds": bool(sat >= a)})
    return pd.DataFrame(rows)


def savings(table: pd.DataFrame, routers: Sequence[str] = ("RouteLLM-style", "RouterDC-style")) -> pd.DataFrame:
    """Per benchmark: MESS+'s V, whether it meets alpha, and each baseline's saving factor (empty where not at
    equal SLA) with the side that misses - the wide view of :func:`equal_sla_table`."""
    mp = table[table["router"] == MESSPLUS].set_index("benchmark")
    out = pd.DataFrame({"V": mp["V"], "messplus_meets_alpha": mp["meets_alpha"]})
    for r in routers:
        t = table[table["router"] == r].set_index("benchmark")
        key = r.split("-")[0]
        out[f"vs_{key}"] = t["saving_factor"]
        out[f"vs_{key}_ci_low"] = t["saving_factor_ci_low"]
        out[f"vs_{key}_ci_high"] = t["saving_factor_ci_high"]
        out[f"{key.lower()}_meets_alpha"] = t["meets_alpha"]
        out[f"vs_{key}_missing"] = t["not_at_equal_sla"]
    return out.reset_index()


def main_table(table: pd.DataFrame, mp_runs: pd.DataFrame, bl_runs: pd.DataFrame,
               models: Sequence[str]) -> pd.DataFrame:
    """The main table (spec §4.2) rebuilt from the equal-SLA table: per benchmark x router the mean cost (MJ),
    satisfaction (%), alpha (%), meets_alpha and model-call ratios (%); MESS+ at its selected V; then a ``Mean``
    row per router over the benchmarks (columns as read by the README renderer)."""
    mcr = [f"mcr_{m}" for m in models]
    recs = []
    for r in table.itertuples():
        if r.router == MESSPLUS:
            src = mp_runs[(mp_runs["benchmark"] == r.benchmark) & (mp_runs["V"] == r.V)]
        else:
            src = bl_runs[(bl_runs["benchmark"] == r.benchmark) & (bl_runs["router"] == r.router)]
        rec = {"benchmark": r.benchmark, "router": r.router, "V": r.V, "cost_MJ": r.cost_mj,
               "cost_MJ_ci_low": r.cost_mj_ci_low, "cost_MJ_ci_high": r.cost_mj_ci_high,
               "satisfaction_pct": 100 * r.satisfaction, "satisfaction_pct_ci_low": 100 * r.satisfaction_ci_low,
               "satisfaction_pct_ci_high": 100 * r.satisfaction_ci_high,
               "satisfaction_timemean_pct": 100 * float(src["satisfaction_timemean"].mean()),
               "alpha_pct": 100 * r.alpha, "meets_alpha": bool(r.meets_alpha), "seeds": r.seeds}
        for c in mcr:
            rec[c.replace("mcr_", "mcr_pct_")] = 100 * float(src[c].mean())
        recs.append(rec)
    t = pd.DataFrame(recs)
    order = list(dict.fromkeys(t["router"]))
    num = ["cost_MJ", "satisfaction_pct", "satisfaction_timemean_pct", "alpha_pct"] + \
        [c.replace("mcr_", "mcr_pct_") for c in mcr]
    mean = t.groupby("router", sort=False)[num].mean().reindex(order).reset_index()
    mean.insert(0, "benchmark", "Mean")
    mean["meets_alpha"] = mean["satisfaction_pct"] >= mean["alpha_pct"]
    mean["n_benchmarks_meeting_alpha"] = t.groupby("router", sort=False)["meets_alpha"].sum().reindex(order).to_numpy()
    return pd.concat([t, mean], ignore_index=True)
