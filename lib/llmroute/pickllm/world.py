"""A synthetic, HC3-like routing world for PickLLM (spec §6.3). ILLUSTRATIVE: not the paper's data or pool.

Five contexts named after HC3-English's splits (reddit_eli5, open_qa, wiki_csai, medicine, finance; that the
paper used HC3 is unverified) x four hypothetical models (cheapest first): small-8B, moe-47B, large-70B,
frontier-API. Per query q of context k and model m:

* tokens: n_in ~ 70 * f_k * LogNormal(0, 0.4) (f_k the context's prompt-length factor); n_out ~ 250 * v_m *
  LogNormal(0, 0.4) (v_m the model's verbosity);
* cost (USD) = n_in * p_in(m) + n_out * p_out(m), with recalled late-2024 list prices per 1M tokens
  (illustrative): 0.18/0.18, 0.60/0.60, 0.88/0.88, 2.50/10.00;
* latency (s) = (TTFT_m + n_out / throughput_m) * LogNormal(0, 0.3), optionally x3 spikes;
* accuracy score (similarity-like, [0, 1]) = clip(mu_{k,m} - d_q * s_m + e, 0, 1), d_q ~ N(0, 1) shared by
  the models (cross-model correlation), e ~ N(0, 0.05). mu_{k,m} ranks the models differently per context
  (frontier best on average; large best on medicine; small within 0.01 of the best on reddit_eli5).

The result is an :class:`~llmroute.data.schema.Outcomes` (latency in seconds, tokens = n_in + n_out), so the
replay engine and every router run on it. :func:`calibration_report` checks the §6.3 targets.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validate import check_int, check_nonneg, check_positive, check_prob, check_vector, fail
from ..data.schema import Outcomes
from .reward import RewardConfig, reward_matrix

HC3_CONTEXTS: tuple[str, ...] = ("reddit_eli5", "open_qa", "wiki_csai", "medicine", "finance")
WORLD_MODELS: tuple[str, ...] = ("small-8B", "moe-47B", "large-70B", "frontier-API")

#: mean accuracy score mu[k, m] (contexts x models), illustrative
DEFAULT_MU: tuple[tuple[float, ...], ...] = (
    (0.80, 0.79, 0.80, 0.81),   # reddit_eli5: small within 0.01 of the best -> small wins on reward
    (0.74, 0.795, 0.80, 0.84),  # open_qa: small and moe nearly tied on reward (the hard context)
    (0.62, 0.80, 0.83, 0.86),   # wiki_csai: moe wins
    (0.55, 0.66, 0.84, 0.83),   # medicine: large is the most accurate and wins on reward
    (0.72, 0.75, 0.78, 0.85),   # finance: small wins on reward, frontier is the most accurate
)


@dataclass(frozen=True)
class WorldParams:
    """Every knob of the synthetic world (illustrative values of spec §6.3)."""

    contexts: tuple[str, ...] = HC3_CONTEXTS
    models: tuple[str, ...] = WORLD_MODELS
    n_per_context: int = 1000
    mu: tuple[tuple[float, ...], ...] = DEFAULT_MU
    prompt_factor: tuple[float, ...] = (0.6, 0.5, 0.7, 1.5, 1.2)
    n_in_median: float = 70.0
    n_out_median: float = 250.0
    token_sigma: float = 0.4
    verbosity: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)
    price_in: tuple[float, ...] = (0.18, 0.60, 0.88, 2.50)     # USD per 1M tokens (illustrative)
    price_out: tuple[float, ...] = (0.18, 0.60, 0.88, 10.00)
    ttft_ms: tuple[float, ...] = (200.0, 300.0, 450.0, 500.0)
    throughput: tuple[float, ...] = (250.0, 150.0, 80.0, 70.0)  # tokens/s
    latency_sigma: float = 0.3
    difficulty_slope: tuple[float, ...] = (0.05, 0.05, 0.05, 0.05)
    score_noise: float = 0.05
    spike_prob: float = 0.0
    spike_factor: float = 3.0
    free_models: tuple[str, ...] = field(default=())   # locally hosted, c = 0 (tests the sign trap)

    def __post_init__(self) -> None:
        K, M = len(self.contexts), len(self.models)
        if K < 1 or M < 2:
            fail("models", self.models, "at least 2 models and 1 context")
        check_int("n_per_context", self.n_per_context, 1)
        mu = np.asarray(self.mu, dtype=float)
        if mu.shape != (K, M):
            fail("mu", self.mu, f"a {K} x {M} table (contexts x models)")
        check_vector("mu", mu.ravel(), 0.0, 1.0)
        check_vector("prompt_factor", self.prompt_factor, 0.0, lo_open=True, length=K)
        for name in ("verbosity", "ttft_ms", "throughput"):
            check_vector(name, getattr(self, name), 0.0, lo_open=True, length=M)
        for name in ("price_in", "price_out", "difficulty_slope"):
            check_vector(name, getattr(self, name), 0.0, length=M)
        for name in ("n_in_median", "n_out_median", "spike_factor"):
            check_positive(name, getattr(self, name))
        for name in ("token_sigma", "latency_sigma", "score_noise"):
            check_nonneg(name, getattr(self, name))
        check_prob("spike_prob", self.spike_prob)
        for m in self.free_models:
            if m not in self.models:
                fail("free_models", self.free_models, f"names among {self.models}")


def make_world(params: WorldParams | None = None, *, rng: np.random.Generator) -> Outcomes:
    """Draw the synthetic HC3-like outcome table (contexts stacked; ``domain`` = context)."""
    p = params or WorldParams()
    K, M, n = len(p.contexts), len(p.models), p.n_per_context
    N = K * n
    ctx = np.repeat(np.arange(K), n)
    pf = np.asarray(p.prompt_factor)[ctx]
    n_in = np.round(p.n_in_median * pf * rng.lognormal(0.0, p.token_sigma, N)).clip(1)
    n_out = np.round(p.n_out_median * np.asarray(p.verbosity)[None, :]
                     * rng.lognormal(0.0, p.token_sigma, (N, M))).clip(1)
    pin = np.asarray(p.price_in) / 1e6
    pout = np.asarray(p.price_out) / 1e6
    if p.free_models:
        free = np.isin(np.asarray(p.models), np.asarray(p.free_models))
        pin, pout = np.where(free, 0.0, pin), np.where(free, 0.0, pout)
    cost = n_in[:, None] * pin[None, :] + n_out * pout[None, :]
    lat_ms = (np.asarray(p.ttft_ms)[None, :] + 1000.0 * n_out / np.asarray(p.throughput)[None, :]) \
        * rng.lognormal(0.0, p.latency_sigma, (N, M))
    if p.spike_prob > 0:
        lat_ms = lat_ms * np.where(rng.random((N, M)) < p.spike_prob, p.spike_factor, 1.0)
    d = rng.standard_normal(N)
    mu = np.asarray(p.mu)[ctx]
    q = np.clip(mu - d[:, None] * np.asarray(p.difficulty_slope)[None, :]
                + p.score_noise * rng.standard_normal((N, M)), 0.0, 1.0)
    dom = np.asarray(p.contexts)[ctx]
    rid = np.array([f"{c}-{i:05d}" for c, i in zip(dom, np.tile(np.arange(n), K))])
    feats = np.column_stack([np.eye(K)[ctx], np.log(n_in)])
    return Outcomes(name="synthetic HC3-like world (illustrative)", models=p.models, quality=q, cost=cost,
                    cost_unit="USD", request_id=rid, domain=dom, latency=lat_ms / 1000.0,
                    tokens=n_in[:, None] + n_out, features=feats, source="llmroute.pickllm.world (synthetic)",
                    meta={"synthetic": True, "illustrative": True, "world": "HC3-like (spec §6.3)",
                          "prices": "recalled late-2024 list prices, illustrative, not the paper's pool"})


def expected_rewards(outcomes: Outcomes, cfg: RewardConfig) -> pd.DataFrame:
    """Mean reward per (context, model) -- what L_R-I converges to as b -> 0 is the row's argmax."""
    import warnings

    from .reward import NegativeNumeratorWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NegativeNumeratorWarning)
        R = reward_matrix(outcomes, cfg)
    df = pd.DataFrame(R, columns=outcomes.models)
    df["domain"] = outcomes.domain
    return df.groupby("domain", sort=False).mean()


def calibration_report(outcomes: Outcomes, cfg: RewardConfig) -> dict:
    """The §6.3 calibration targets for the reward-best ("converged") model of each context.

    (i) the reward-best model differs across contexts (count of contexts whose best differs from the modal
    best, and number of distinct best models; target: >= 2 contexts differ... i.e. >= 2 distinct bests);
    (ii) always-most-expensive session cost / best model's session cost (target >= 2.5);
    (iii) random's mean latency / best model's mean latency (target about 2).
    """
    ER = expected_rewards(outcomes, cfg)
    best = ER.values.argmax(axis=1)
    rows = []
    for k, dom in enumerate(ER.index):
        sub = outcomes.by_domain(dom)
        c, lat = sub.mean_cost(), sub.mean_latency()
        b = int(best[k])
        rows.append({"context": dom, "best_model": outcomes.models[b],
                     "reward_gap": float(np.sort(ER.values[k])[-1] - np.sort(ER.values[k])[-2]),
                     "cost_ratio_expensive_over_best": float(c[-1] / c[b]),
                     "latency_ratio_random_over_best": float(lat.mean() / lat[b]),
                     "quality_best_model": float(sub.mean_quality()[b]),
                     "quality_most_accurate": float(sub.mean_quality().max())})
    df = pd.DataFrame(rows)
    modal = df["best_model"].mode().iloc[0]
    return {"table": df, "n_distinct_best": int(df["best_model"].nunique()),
            "n_contexts_best_differs_from_modal": int((df["best_model"] != modal).sum()),
            "min_cost_ratio": float(df["cost_ratio_expensive_over_best"].min()),
            "mean_latency_ratio": float(df["latency_ratio_random_over_best"].mean()),
            "target_i": bool((df["best_model"] != modal).sum() >= 2),
            "target_ii": bool(df["cost_ratio_expensive_over_best"].min() >= 2.5),
            "target_iii": bool(1.5 <= df["latency_ratio_random_over_best"].mean() <= 2.5)}
