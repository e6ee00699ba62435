"""The predictor ladder: how good must MESS+'s satisfaction predictor be for MESS+ to pay? (ours; issue 10 item 3)

MESS+ (spec §1.4, §1.7) runs at the SLA target alpha on one benchmark with each predictor of a ladder:

* ``learned`` - the paper's online predictor (our numpy MLP head on our text features, spec §1.6);
* ``shrinkage`` - the learned predictor shrunk toward its running per-model mean by its own held-out error
  (:class:`~llmroute.messplus.predictors.ShrinkagePredictor`);
* ``noisy-oracle-<a>`` - calibrated noisy oracles of per-request AUC a
  (:class:`~llmroute.messplus.predictors.NoisyOraclePredictor`);
* ``oracle-mean`` - the benchmark-mean accuracy of every model for every request (no per-request signal);
* ``oracle-perfect`` - the true outcome.

Every predictor's AUC is **measured inside the loop** (:func:`in_loop_auc`): on the exploit steps of the run
(where the router used the prediction), per model, the ROC AUC of the prediction s_hat_{t,m} against the true
label s_{t,m} (``sklearn.metrics.roc_auc_score``); ``auc_in_loop`` is the mean over the models with both labels
present. Predictions on exploit steps do not depend on V or alpha (the predictor learns only on exploration
steps), so the AUC belongs to (benchmark, predictor, seed).

V protocol (the same for every predictor, fixed before the results): for each (benchmark, predictor), the
**largest V whose mean satisfaction over seeds meets alpha**, searched on :func:`protocol_v_grid` - the range of
the paper's per-benchmark V grid (:data:`PAPER_V_GRID`, spec §3.5: two decades) at ``per_decade`` log-spaced
values per decade (default 4: 9 values, which include the paper's 3). When no V meets alpha, the smallest V
(the most SLA-conservative) is reported and the row says ``meets_alpha = False`` (:func:`select_V`). The finer
grid keeps the reported cost close to the cost *at* alpha; the paper's 3 decade-spaced values would make
predictors' costs jump by the factor between two decades of V.

Seeds: run seed s of benchmark b uses the stream seed :func:`stream_seed` (s, b) (a SeedSequence of s and a CRC
of b), so request orders, exploration draws and oracle noise are independent across benchmarks; the same
stream seed is used by every predictor (paired comparison) and by the baselines.
"""
from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validate import check_choice, check_int, check_nonneg, check_prob, fail
from ..data.schema import Outcomes
from .grid import Trajectory, simulate_grid
from .predictors import (ConstantPredictor, NoisyOraclePredictor, OnlineMLPPredictor, OraclePredictor,
                         SatisfactionPredictor, ShrinkagePredictor)
from .settings import COST_ESTIMATES, MessPlusSettings

#: V values per benchmark used in the authors' figures (Llama zoo), spec §3.5 [CODE + NB].
PAPER_V_GRID: dict[str, tuple[float, float, float]] = {
    "arc_challenge": (1e-3, 1e-4, 1e-5), "arc_easy": (1e-2, 1e-3, 1e-4), "boolq": (1e-2, 1e-3, 1e-4),
    "logiqa": (1e-3, 1e-4, 1e-5), "piqa": (1e-2, 1e-3, 1e-4), "sciq": (1e-4, 1e-5, 1e-6),
    "social_iqa": (1e-3, 1e-4, 1e-5), "winogrande": (1e-2, 1e-3, 1e-4)}
TARGET_AUCS: tuple[float, ...] = (0.6, 0.7, 0.8, 0.9)
#: The rungs with a controlled per-request signal, in increasing order: the threshold is read on these.
ORACLE_FAMILY_PREFIX = ("oracle-mean", "noisy-oracle-", "oracle-perfect")


def protocol_v_grid(benchmark: str, per_decade: int = 4) -> tuple[float, ...]:
    """V values searched by the protocol: 10^(k / per_decade) from the smallest to the largest V of the paper's
    grid for ``benchmark`` (so the paper's values are included), ascending."""
    if benchmark not in PAPER_V_GRID:
        raise ValueError(f"benchmark = {benchmark!r} is not allowed: must be one of {', '.join(PAPER_V_GRID)}")
    per = check_int("per_decade", per_decade, 1)
    lo, hi = np.log10(min(PAPER_V_GRID[benchmark])), np.log10(max(PAPER_V_GRID[benchmark]))
    n = int(round((hi - lo) * per)) + 1
    return tuple(float(f"{v:.6g}") for v in 10.0 ** np.linspace(lo, hi, n))


def ladder_names(target_aucs: Sequence[float] = TARGET_AUCS) -> tuple[str, ...]:
    """Predictor names of the ladder, in display order."""
    return ("learned", "shrinkage", *(f"noisy-oracle-{a:g}" for a in target_aucs), "oracle-mean",
            "oracle-perfect")


def oracle_family(names: Sequence[str]) -> list[str]:
    """The controlled rungs among ``names``: oracle-mean, the noisy oracles (by target AUC), oracle-perfect."""
    noisy = sorted((n for n in names if n.startswith("noisy-oracle-")), key=lambda n: float(n.rsplit("-", 1)[1]))
    return [n for n in ("oracle-mean",) if n in names] + noisy + [n for n in ("oracle-perfect",) if n in names]


@dataclass(frozen=True)
class LadderSettings:
    """alpha: SLA target; Vs: the V grid searched by the protocol (module docstring); c: exploration constant;
    seeds: run seeds (>= 1; 5 or more for intervals); target_aucs: noisy-oracle AUCs in (0.5, 1); hidden: the
    learned head's width (0 = logistic); cost_estimate / e_init: as :class:`MessPlusSettings` (the authors'
    simulator by default); prior_mean / prior_count: the shrinkage predictor's running-mean prior."""

    alpha: float
    Vs: tuple[float, ...]
    c: float = 0.1
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    target_aucs: tuple[float, ...] = TARGET_AUCS
    hidden: int = 64
    cost_estimate: str = "last_explored"
    e_init: float = 1.0
    prior_mean: float = 0.5
    prior_count: float = 1.0
    shrink_z: float = 2.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "Vs", tuple(float(v) for v in self.Vs))
        object.__setattr__(self, "seeds", tuple(int(s) for s in self.seeds))
        object.__setattr__(self, "target_aucs", tuple(float(a) for a in self.target_aucs))
        if not self.Vs:
            fail("Vs", self.Vs, "a non-empty sequence of V > 0")
        if not self.seeds:
            fail("seeds", self.seeds, "a non-empty sequence of integers >= 0")
        for V in self.Vs:
            MessPlusSettings(alpha=self.alpha, V=V, c=self.c, cost_estimate=self.cost_estimate, e_init=self.e_init)
        for s in self.seeds:
            check_int("seed", s, 0)
        for a in self.target_aucs:
            if not 0.5 < a < 1.0:
                fail("target_aucs", a, "in (0.5, 1)")
        check_int("hidden", self.hidden, 0)
        check_choice("cost_estimate", self.cost_estimate, COST_ESTIMATES)
        check_prob("prior_mean", self.prior_mean)
        check_nonneg("prior_count", self.prior_count)
        if self.prior_count <= 0:
            fail("prior_count", self.prior_count, "> 0")
        check_nonneg("shrink_z", self.shrink_z)

    @property
    def names(self) -> tuple[str, ...]:
        return ladder_names(self.target_aucs)


def stream_seed(seed: int, benchmark: str) -> int:
    """The integer seed of run ``seed`` on ``benchmark``: SeedSequence([seed, crc32(benchmark)]) -> 31 bits.
    Deterministic (no Python hash salt); independent draws across benchmarks."""
    ss = np.random.SeedSequence([check_int("seed", seed, 0), zlib.crc32(benchmark.encode("utf-8"))])
    return int(ss.generate_state(1)[0] & 0x7FFFFFFF)


def make_predictor(name: str, outcomes: Outcomes, features: np.ndarray | None, seed: int, *, hidden: int = 64,
                   prior_mean: float = 0.5, prior_count: float = 1.0, shrink_z: float = 2.0) -> SatisfactionPredictor:
    """A fresh predictor of the ladder, keyed by ``outcomes``' request ids and bound to it.

    ``seed``: the stream seed; the noisy oracles draw their noise from ``default_rng([seed, 7919, k])`` with k
    the per-mille target AUC (independent per seed and per rung)."""
    rid = outcomes.request_id
    if name in ("learned", "shrinkage"):
        if features is None:
            raise ValueError(f"predictor {name!r} needs request features (one row per request of {outcomes.name!r})")
        inner = OnlineMLPPredictor(features, hidden=hidden, request_id=rid)
        pred: SatisfactionPredictor = inner if name == "learned" else ShrinkagePredictor(
            inner, prior_mean=prior_mean, prior_count=prior_count, z=shrink_z)
    elif name == "oracle-mean":
        pred = ConstantPredictor(outcomes.mean_quality())
    elif name == "oracle-perfect":
        pred = OraclePredictor.from_outcomes(outcomes)
    elif name.startswith("noisy-oracle-"):
        auc = float(name.rsplit("-", 1)[1])
        rng = np.random.default_rng([seed, 7919, int(round(1000 * auc))])
        pred = NoisyOraclePredictor.from_outcomes(outcomes, auc, rng)
    else:
        raise ValueError(f"predictor = {name!r} is not allowed: must be one of {', '.join(ladder_names())} "
                         "(noisy-oracle-<AUC> for any AUC in (0.5, 1))")
    return pred.bind(outcomes)


def exploit_mask(traj: Trajectory) -> np.ndarray:
    """Steps where the router used the prediction (not exploring)."""
    return ~np.asarray(traj.explore, dtype=bool)


def in_loop_auc(traj: Trajectory, quality: np.ndarray) -> np.ndarray:
    """Per-model ROC AUC of the predictions on the exploit steps of ``traj`` against the true labels
    (``sklearn.metrics.roc_auc_score``); NaN for a model whose labels on those steps are all equal."""
    from sklearn.metrics import roc_auc_score

    ex = exploit_mask(traj)
    y = np.asarray(quality, dtype=float)[traj.rows[ex]] >= 0.5
    s = traj.s_hat[ex]
    out = np.full(y.shape[1], np.nan)
    for m in range(y.shape[1]):
        if 0 < y[:, m].sum() < y.shape[0]:
            out[m] = roc_auc_score(y[:, m], s[:, m])
    return out


def in_loop_brier(traj: Trajectory, quality: np.ndarray) -> float:
    """Mean squared error of the predictions on the exploit steps, over steps and models (Brier score)."""
    ex = exploit_mask(traj)
    return float(np.mean((traj.s_hat[ex] - np.asarray(quality, dtype=float)[traj.rows[ex]]) ** 2))


def running_mean_predictions(traj: Trajectory, quality: np.ndarray, prior_mean: float = 0.5,
                             prior_count: float = 1.0) -> np.ndarray:
    """(T, M) running per-model label mean before each step, as :class:`ShrinkagePredictor` keeps it:
    (k p0 + sum of labels of the labelled explored steps before t) / (k + their number)."""
    q = np.asarray(quality, dtype=float)[traj.rows]
    learn = np.asarray(traj.explore, dtype=bool) & np.asarray(traj.labelled, dtype=bool)
    s = np.cumsum(q * learn[:, None], axis=0) - q * learn[:, None]
    n = np.cumsum(learn) - learn
    return (prior_count * prior_mean + s) / (prior_count + n)[:, None]


def run_ladder(outcomes: Outcomes, benchmark: str, settings: LadderSettings,
               features: np.ndarray | None = None, names: Sequence[str] | None = None) -> pd.DataFrame:
    """MESS+ with every predictor of the ladder, every seed and every V of ``settings.Vs`` on ``outcomes``.

    One row per (predictor, seed, V): satisfaction (final stream mean), cost (total, in MJ when the unit is J),
    MCR, the in-loop AUC per model and its mean, the in-loop Brier score (and, for ``shrinkage``, the Brier
    score of its own running mean on the same steps)."""
    s = settings
    names = tuple(names) if names is not None else s.names
    scale = 1e6 if outcomes.cost_unit == "J" else 1.0
    recs = []
    for name in names:
        for seed in s.seeds:
            ss = stream_seed(seed, benchmark)
            pred = make_predictor(name, outcomes, features, ss, hidden=s.hidden, prior_mean=s.prior_mean,
                                  prior_count=s.prior_count, shrink_z=s.shrink_z)
            g = simulate_grid(outcomes, alphas=[s.alpha], Vs=s.Vs, cs=[s.c], seeds=[ss], predictor=pred,
                              cost_estimate=s.cost_estimate, e_init=s.e_init)
            tr = g.trajectories[0]
            auc = in_loop_auc(tr, outcomes.quality)
            brier = in_loop_brier(tr, outcomes.quality)
            brier_mean = float("nan")
            if name == "shrinkage":
                ex = exploit_mask(tr)
                pm = running_mean_predictions(tr, outcomes.quality, s.prior_mean, s.prior_count)[ex]
                brier_mean = float(np.mean((pm - outcomes.quality[tr.rows[ex]]) ** 2))
            for _, r in g.runs.iterrows():
                rec = {"benchmark": benchmark, "predictor": name, "seed": seed, "stream_seed": ss,
                       "alpha": s.alpha, "V": float(r["V"]), "c": s.c, "T": int(r["T"]),
                       "satisfaction": float(r["satisfaction"]), "cost_mj": float(r["total_cost"]) / scale,
                       "n_explored": int(r["n_explored"]), "n_exploit": int(exploit_mask(tr).sum()),
                       "auc_in_loop": float(np.nanmean(auc)) if np.isfinite(auc).any() else float("nan"),
                       "brier_in_loop": brier, "brier_running_mean": brier_mean}
                for k, m in enumerate(outcomes.models):
                    rec[f"auc_{m}"] = float(auc[k])
                for k, m in enumerate(outcomes.models):
                    rec[f"mcr_{m}"] = float(r[f"mcr_{m}"])
                recs.append(rec)
    return pd.DataFrame(recs)


def select_V(runs: pd.DataFrame) -> pd.DataFrame:
    """The V protocol (module docstring): per (benchmark, predictor) the largest V whose mean satisfaction over
    seeds meets alpha, else the smallest V. One row per (benchmark, predictor): V, mean satisfaction,
    ``v_meets_alpha``."""
    g = runs.groupby(["benchmark", "predictor", "V"], sort=False).agg(satisfaction=("satisfaction", "mean"),
                                                                      alpha=("alpha", "first")).reset_index()
    out = []
    for (b, p), sub in g.groupby(["benchmark", "predictor"], sort=False):
        ok = sub[sub["satisfaction"] >= sub["alpha"]]
        row = ok.loc[ok["V"].idxmax()] if len(ok) else sub.loc[sub["V"].idxmin()]
        out.append({"benchmark": b, "predictor": p, "V": float(row["V"]), "v_meets_alpha": bool(len(ok) > 0)})
    return pd.DataFrame(out)


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the Student-t interval mean -/+ t_{(1+level)/2, n-1} * sd / sqrt(n) (NaN bounds for n < 2)."""
    from scipy.stats import t as student_t

    v = np.asarray(x, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(v.mean())
    if v.size < 2:
        return m, float("nan"), float("nan")
    h = float(student_t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    return m, m - h, m + h


def cost_vs_auc(runs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """One row per (benchmark, predictor) at the V chosen by :func:`select_V`: in-loop AUC, cost (MJ) and
    satisfaction as mean over seeds with ``level`` intervals (``*_lo``/``*_hi``), alpha, ``meets_alpha`` (mean
    satisfaction >= alpha), V, number of seeds."""
    chosen = select_V(runs)
    out = []
    for _, ch in chosen.iterrows():
        sub = runs[(runs["benchmark"] == ch["benchmark"]) & (runs["predictor"] == ch["predictor"])
                   & (runs["V"] == ch["V"])]
        rec = {"benchmark": ch["benchmark"], "predictor": ch["predictor"]}
        for col in ("auc_in_loop", "cost_mj", "satisfaction"):
            m, lo, hi = mean_ci(sub[col].to_numpy(), level)
            rec[col], rec[f"{col}_lo"], rec[f"{col}_hi"] = m, lo, hi
        rec["alpha"] = float(sub["alpha"].iloc[0])
        rec["meets_alpha"] = bool(rec["satisfaction"] >= rec["alpha"])
        rec["V"] = float(ch["V"])
        rec["n_seeds"] = int(sub["seed"].nunique())
        for c in [c for c in runs.columns if c.startswith(("auc_", "mcr_")) and c != "auc_in_loop"]:
            rec[c] = float(np.nanmean(sub[c])) if np.isfinite(sub[c]).any() else float("nan")
        out.append(rec)
    cols = ["benchmark", "predictor", "auc_in_loop", "cost_mj", "satisfaction", "alpha", "meets_alpha"]
    df = pd.DataFrame(out)
    return df[cols + [c for c in df.columns if c not in cols]]


def cheapest_single(outcomes: Outcomes, alpha: float) -> tuple[int | None, float]:
    """The cheapest single model whose accuracy meets alpha and its total cost (MJ when the unit is J);
    (None, NaN) when no model meets alpha."""
    acc = outcomes.mean_quality()
    total = outcomes.cost.sum(axis=0) / (1e6 if outcomes.cost_unit == "J" else 1.0)
    ok = np.flatnonzero(acc >= alpha)
    if ok.size == 0:
        return None, float("nan")
    k = int(ok[np.argmin(total[ok])])
    return k, float(total[k])


@dataclass(frozen=True)
class Threshold:
    """Where MESS+ starts to pay on one benchmark (see :func:`auc_threshold`)."""

    rung: str | None          # lowest paying rung of the oracle family (None: never within the ladder)
    auc: float                # its measured in-loop AUC (NaN if none)
    below_rung: str | None    # the rung just below it (None if the lowest rung already pays)
    below_auc: float          # its measured in-loop AUC
    crossing_auc: float       # AUC where cost crosses the single-model cost, linear between the two rungs


def auc_threshold(table: pd.DataFrame, single_cost: float) -> Threshold:
    """On one benchmark's rows of :func:`cost_vs_auc`: the lowest rung of the oracle family (oracle-mean,
    noisy oracles, oracle-perfect; ordered by target signal) *from which on every rung* meets alpha and costs
    less than ``single_cost``. ``crossing_auc`` interpolates cost linearly in the measured AUC between that
    rung and the one below (the rung's own AUC when the one below misses alpha or there is none)."""
    t = table.set_index("predictor")
    fam = oracle_family(list(t.index))
    if not fam:
        raise ValueError(f"no oracle-family rung in the table (predictors: {', '.join(map(str, t.index))})")
    pays = [bool(t.loc[n, "meets_alpha"]) and float(t.loc[n, "cost_mj"]) < single_cost for n in fam]
    k = len(fam)
    while k > 0 and pays[k - 1]:
        k -= 1
    if k == len(fam):
        return Threshold(None, float("nan"), fam[-1], float(t.loc[fam[-1], "auc_in_loop"]), float("nan"))
    rung, a1, c1 = fam[k], float(t.loc[fam[k], "auc_in_loop"]), float(t.loc[fam[k], "cost_mj"])
    if k == 0:
        return Threshold(rung, a1, None, float("nan"), a1)
    below = fam[k - 1]
    a0, c0 = float(t.loc[below, "auc_in_loop"]), float(t.loc[below, "cost_mj"])
    cross = a1
    if bool(t.loc[below, "meets_alpha"]) and c0 > c1 and a1 > a0:
        cross = a0 + (c0 - single_cost) * (a1 - a0) / (c0 - c1)
    return Threshold(rung, a1, below, a0, float(cross))
