"""The MESS+ experiment grid of the paper (spec §3.5) and the pieces the notebooks and the benchmark share:
loading a benchmark (real when present, else the calibrated synthetic zoo), predictor factories, baseline runs
and summary rows. Everything is seeded; nothing here prints."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..data.messplus import MESSPLUS_BENCHMARKS, MESSPLUS_PAPER_ALPHA
from ..data.schema import Outcomes
from ..replay import replay
from ..routers import EducatedGuessing, SingleModel
from .baselines import CrossfitScores, RouteLLMStyle, RouterDCStyle, crossfit_baselines
from .settings import RoutingOverhead
from ..data.features import request_features
from .grid import GridResult, simulate_grid
from .predictors import OnlineMLPPredictor, OraclePredictor

BENCHMARKS: tuple[str, ...] = MESSPLUS_BENCHMARKS
#: Llama-zoo alpha grid per benchmark (spec §3.5); the middle value is the main-table ("bold") alpha.
ALPHA_GRID: dict[str, tuple[float, float, float]] = {
    "arc_challenge": (0.40, 0.50, 0.60), "arc_easy": (0.65, 0.75, 0.80), "boolq": (0.70, 0.80, 0.85),
    "logiqa": (0.30, 0.40, 0.45), "piqa": (0.75, 0.78, 0.81), "sciq": (0.95, 0.96, 0.97),
    "social_iqa": (0.42, 0.44, 0.46), "winogrande": (0.65, 0.70, 0.75)}
BOLD_ALPHA: dict[str, float] = dict(MESSPLUS_PAPER_ALPHA)
V_GRID: tuple[float, ...] = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2)
C_GRID: tuple[float, ...] = (0.01, 0.1, 1.0)
SEEDS: tuple[int, ...] = (42, 43, 44)
#: The paper's per-benchmark V values used in its figures (Llama zoo, spec §3.5), in 1/J.
PAPER_V_GRID: dict[str, tuple[float, ...]] = {
    "arc_challenge": (1e-5, 1e-4, 1e-3), "arc_easy": (1e-4, 1e-3, 1e-2), "boolq": (1e-4, 1e-3, 1e-2),
    "logiqa": (1e-5, 1e-4, 1e-3), "piqa": (1e-4, 1e-3, 1e-2), "sciq": (1e-6, 1e-5, 1e-4),
    "social_iqa": (1e-5, 1e-4, 1e-3), "winogrande": (1e-4, 1e-3, 1e-2)}


def benchmark_seed(seed: int, benchmark: str) -> int:
    """An independent run seed per (seed, benchmark): ``SeedSequence(seed, spawn_key=(crc32(benchmark),))``'s
    first 63-bit word. With it the request order and the exploration draws of one seed are independent across
    benchmarks (with the bare seed every benchmark's first exploration came at the same step). Stable across
    Python processes (crc32, not ``hash``)."""
    import zlib

    from .._validate import check_int

    ss = np.random.SeedSequence(check_int("seed", seed, 0), spawn_key=(zlib.crc32(str(benchmark).encode()),))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def benchmark_seeds(seeds: Sequence[int], benchmark: str) -> list[int]:
    """:func:`benchmark_seed` for each seed."""
    return [benchmark_seed(s, benchmark) for s in seeds]
SHORT = {"arc_challenge": "ARC-C", "arc_easy": "ARC-E", "boolq": "BoolQ", "logiqa": "LogiQA", "piqa": "PIQA",
         "sciq": "SciQ", "social_iqa": "SocialIQA", "winogrande": "Winogrande"}


def load_benchmark(benchmark: str, *, force_synthetic: bool = False, seed: int = 0) -> Outcomes:
    """Real MESS+ outcomes of ``benchmark`` when the shared data is present (unless ``force_synthetic``), else the
    calibrated synthetic zoo (``meta["synthetic"]`` says which)."""
    rng = np.random.default_rng(seed)
    if force_synthetic:
        from ..data.synthetic import synthetic_zoo

        out = synthetic_zoo("messplus", benchmark, rng=rng)
        out.meta["synthetic"] = True
        return out
    from ..data.registry import load_or_synthetic

    return load_or_synthetic("messplus", benchmark, rng)


def data_statement(outcomes: Outcomes) -> str:
    """The one-line statement every notebook output starts with."""
    if outcomes.meta.get("synthetic"):
        return ("DATA: calibrated SYNTHETIC zoo (the real MESS+ file was not found); numbers are not the "
                "paper's data")
    return f"DATA: REAL MESS+ per-request outputs ({outcomes.meta.get('path', '?')})"


def mlp_factory(features: np.ndarray, hidden: int = 64):
    """A factory of fresh online predictors (the grid needs one per (seed, c))."""
    return lambda: OnlineMLPPredictor(features, hidden=hidden)


def run_messplus(outcomes: Outcomes, *, alphas: Sequence[float], Vs: Sequence[float] = V_GRID,
                 cs: Sequence[float] = C_GRID, seeds: Sequence[int] = SEEDS, predictor: str = "mlp",
                 features: np.ndarray | None = None, hidden: int = 64, oracle_noise: float = 0.0,
                 **kw) -> GridResult:
    """MESS+ grid on one benchmark with the online MLP (``predictor="mlp"``) or the oracle (``"oracle"``)."""
    if predictor == "oracle":
        pred = OraclePredictor.from_outcomes(outcomes, noise_sd=oracle_noise,
                                             rng=np.random.default_rng(1) if oracle_noise > 0 else None)
    elif predictor in ("mlp", "logistic"):
        x = request_features(outcomes) if features is None else features
        pred = mlp_factory(x, hidden=0 if predictor == "logistic" else hidden)
    else:
        raise ValueError(f"predictor = {predictor!r} is not allowed: must be one of 'mlp', 'logistic', 'oracle'")
    g = simulate_grid(outcomes, alphas=alphas, Vs=Vs, cs=cs, seeds=seeds, predictor=pred, **kw)
    g.runs.insert(0, "benchmark", outcomes.domain[0] if len(set(outcomes.domain)) == 1 else outcomes.name)
    return g


def _summ(res, alpha: float, models) -> dict:
    s = res.summary()
    out = {"router": res.router, "seed": res.seed, "satisfaction": s["mean_quality"],
           "satisfaction_timemean": float(res.log["running_quality"].mean()), "total_cost": s["total_cost"],
           "meets_alpha": bool(s["mean_quality"] >= alpha)}
    for m in models:
        out[f"mcr_{m}"] = s[f"served_{m}"]
    return out


def baseline_logs(outcomes: Outcomes, alpha: float, seeds: Sequence[int] = SEEDS, crossfit_seed: int = 0,
                  scores: CrossfitScores | None = None, routerdc_rule: str = "argmax", single_models: bool = True):
    """Replays of the baselines on the seeded request orders MESS+ uses: ``({router: [ReplayResult per seed]},
    thresholds)`` for the single models (if ``single_models``), educated guessing, RouterDC-style
    (``routerdc_rule``, default RouterDC's argmax) and RouteLLM-style. ``scores``: the leakage-free out-of-fold
    scores (:func:`~llmroute.messplus.baselines.crossfit_baselines` with ``crossfit_seed`` when not given).
    RouteLLM-style's threshold is calibrated per seed and per fold on that fold's **training rows**, in that seed's
    order (the authors' rule, spec §3.6, moved off the evaluated rows: ours); ``thresholds`` lists, per seed, the
    array of fold thresholds."""
    cs = crossfit_baselines(outcomes, seed=crossfit_seed) if scores is None else scores
    M = outcomes.n_models
    out: dict[str, list] = {}
    thresholds: list[np.ndarray] = []
    for seed in seeds:
        routers = []
        if single_models:
            routers = [SingleModel(k) for k in range(M)]
            for r, m in zip(routers, outcomes.models):
                r.name = m
        routers += [EducatedGuessing(outcomes.mean_quality(), alpha), RouterDCStyle(cs.probs, rule=routerdc_rule)]
        first = None
        for r in routers:
            res = replay(outcomes, r, seed=seed)
            first = res if first is None else first
            out.setdefault(r.name, []).append(res)
        order = first.log["row"].to_numpy()
        fold_thr = cs.fold_thresholds(outcomes.quality, alpha, order)
        thresholds.append(fold_thr)
        router = RouteLLMStyle(cs.win, fold_thr[cs.plan.fold_id], weak=cs.weak, strong=cs.strong)
        out.setdefault("RouteLLM-style", []).append(replay(outcomes, router, seed=seed))
    return out, thresholds


#: Baselines that run a learned router on every request (charged ``RoutingOverhead.router_per_request``).
LEARNED_BASELINES = ("RouteLLM-style", "RouterDC-style")


def baseline_runs(outcomes: Outcomes, alpha: float, seeds: Sequence[int] = SEEDS, crossfit_seed: int = 0,
                  return_scores: bool = False, overhead: RoutingOverhead | None = None,
                  routerdc_rule: str = "argmax", scores: CrossfitScores | None = None):
    """Single models, educated guessing, RouteLLM-style and RouterDC-style (RouterDC's argmax rule by default),
    replayed on the same seeded orders as MESS+; one row per (router, seed). The learned baselines are scored out
    of fold with a featurizer and regressions fitted without the scored rows, and RouteLLM-style's threshold is
    calibrated on training rows only (:func:`baseline_logs`); its rows carry ``threshold_fold<f>`` columns.
    ``overhead`` (off by default) adds ``router_per_request`` x T to the learned baselines' ``total_cost``
    (``router_overhead`` column). ``return_scores``: also return the :class:`CrossfitScores`."""
    cs = crossfit_baselines(outcomes, seed=crossfit_seed) if scores is None else scores
    logs, thresholds = baseline_logs(outcomes, alpha, seeds, scores=cs, routerdc_rule=routerdc_rule)
    rows = []
    for name, results in logs.items():
        for i, res in enumerate(results):
            rec = _summ(res, alpha, outcomes.models)
            if name == "RouteLLM-style":
                for f, thr in enumerate(thresholds[i]):
                    rec[f"threshold_fold{f}"] = float(thr)
            rec["router_overhead"] = 0.0
            if overhead is not None and name in LEARNED_BASELINES:
                rec["router_overhead"] = overhead.router_per_request * len(res.log)
                rec["total_cost"] += rec["router_overhead"]
            rows.append(rec)
    order = {n: i for i, n in enumerate(logs)}
    df = pd.DataFrame(rows)
    df = df.assign(_o=df["router"].map(order)).sort_values(["seed", "_o"], kind="stable").drop(columns="_o")
    df = df.reset_index(drop=True)
    df.insert(0, "alpha", alpha)
    return (df, cs) if return_scores else df


def _mcr_cols(models) -> list[str]:
    return [f"mcr_{m}" for m in models]


def summarise(df: pd.DataFrame, models, by: list[str]) -> pd.DataFrame:
    """Mean (and std over runs) of cost (MJ when the unit is J), satisfaction (%), MCR (%), per group."""
    g = df.groupby(by, sort=False)
    out = pd.DataFrame({
        "cost_MJ": g["total_cost"].mean() / 1e6, "cost_MJ_sd": g["total_cost"].std(ddof=0) / 1e6,
        "satisfaction_pct": 100 * g["satisfaction"].mean(), "satisfaction_pct_sd": 100 * g["satisfaction"].std(ddof=0),
        "satisfaction_timemean_pct": 100 * g["satisfaction_timemean"].mean(), "n_runs": g.size()})
    for c in _mcr_cols(models):
        out[c.replace("mcr_", "mcr_pct_")] = 100 * g[c].mean()
    return out.reset_index()


def token_estimate(outcomes: Outcomes) -> np.ndarray:
    """Our token-count estimate for the USD variant (the data has no token columns): ceil(characters / 4) of the
    request text, the same for every model (one Llama-3 tokenizer). A stand-in, documented as such."""
    return np.ceil(np.array([len(str(t)) for t in outcomes.text]) / 4.0)


def usd_outcomes(outcomes: Outcomes) -> Outcomes:
    """The API-pricing variant: cost = estimated tokens x $0.06 / $0.18 / $0.88 per 1M tokens."""
    from ..data.messplus import messplus_usd

    if outcomes.tokens is not None:
        return messplus_usd(outcomes)
    if outcomes.text is None:  # synthetic zoo: scale its joules to the same mean per-request price
        tok = np.full(outcomes.n_requests, 100.0)
    else:
        tok = token_estimate(outcomes)
    return messplus_usd(outcomes, tokens=tok)


def queue_path(s: np.ndarray, alpha: float) -> np.ndarray:
    """Q_{t+1} = max(0, Q_t + alpha - s_t) along a sequence of realised satisfactions (Q after each step)."""
    Q, out = 0.0, np.empty(len(s))
    for t, v in enumerate(np.asarray(s, dtype=float)):
        Q = max(0.0, Q + alpha - v)
        out[t] = Q
    return out


def chained_rows(parts_n: Sequence[int], seed: int) -> np.ndarray:
    """Row order of a non-stationary chain: each benchmark's block shuffled with ``seed``, blocks in order."""
    rng = np.random.default_rng(seed)
    rows, off = [], 0
    for n in parts_n:
        rows.append(off + rng.permutation(n))
        off += n
    return np.concatenate(rows)
