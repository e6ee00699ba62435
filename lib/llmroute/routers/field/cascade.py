"""A FrugalGPT-style cascade (Chen, Zaharia & Zou 2023, arXiv 2305.05176 §3): answer with a cheap model, score the
answer, escalate to the next model when the score is below a threshold; the scorer's cost is charged.

Chain: ``chain="pair"`` — the cheapest model, then the most accurate one (on the training rows); ``chain="front"``
— every model on the training rows' cost-quality Pareto front, cheapest first. Scorer: FrugalGPT scores the
(query, answer) pair with a small learned model. With outcome tables there is no answer text, so **the scorer here
is a learned predictor of the stage model's correctness from the prompt**: one L2 logistic regression per
non-final stage on the repository's request features, labels ``1{quality >= 0.5}``, fitted on the training
rows. Escalate from stage ``k`` iff ``p̂_k(x) < τ``; the final stage always answers. Every queried stage is
charged (the replay engine charges the sum over queried models), and every scorer run costs
``scorer_cost_frac`` × the cheapest model's mean training cost (an assumption: a small classifier costs a
fraction of the cheapest LLM call; the replay engine and the arena do not charge it, so
:func:`~._core.extra_cost_of_passes` adds it). The knob is ``τ`` in [0, 1] (0: always the first stage's answer;
1: always escalate to the last).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..._validate import check_choice, check_nonneg, check_positive, check_prob

NAME = "cascade"
LABEL = "cascade (FrugalGPT-style)"
KNOB = "threshold"


@dataclass(frozen=True)
class CascadeSettings:
    """``chain`` ("pair" or "front"), scorer L2 ``C``, ``scorer_cost_frac`` (>= 0), knob ``threshold``."""

    chain: str = "pair"
    C: float = 1.0
    scorer_cost_frac: float = 0.1
    threshold: float = 0.5

    def __post_init__(self) -> None:
        check_choice("chain", self.chain, ("pair", "front"))
        check_positive("C", self.C)
        check_nonneg("scorer_cost_frac", self.scorer_cost_frac)
        check_prob("threshold", self.threshold)


Settings = CascadeSettings


def chain_models(q_tr: np.ndarray, c_tr: np.ndarray, chain: str) -> list[int]:
    """Stage models, cheapest first: (cheapest, most accurate) or the Pareto front of (mean cost, mean quality)."""
    acc, cost = q_tr.mean(axis=0), c_tr.mean(axis=0)
    strong = int(np.flatnonzero(acc == acc.max())[-1])
    if chain == "pair":
        return [0] if strong == 0 else [0, strong]
    order = np.lexsort((-acc, cost))
    out, best = [], -np.inf
    for k in order:
        if acc[k] > best:
            out.append(int(k))
            best = acc[k]
    return out


def fit_predict(x_tr: np.ndarray, q_tr: np.ndarray, c_tr: np.ndarray, x_te: np.ndarray, s: CascadeSettings,
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per test row: the stage models (``stages``, padded with -1) and the scorers' ``p_ok`` per stage."""
    from sklearn.linear_model import LogisticRegression

    M = q_tr.shape[1]
    stages = chain_models(q_tr, c_tr, s.chain)
    n_te = x_te.shape[0]
    p_ok = np.ones((n_te, M))  # the last stage is never scored
    for j, k in enumerate(stages[:-1]):
        y = (q_tr[:, k] >= 0.5).astype(int)
        if np.all(y == y[0]):
            p_ok[:, j] = float(y[0])
        else:
            p_ok[:, j] = LogisticRegression(C=s.C, max_iter=1000).fit(x_tr, y).predict_proba(x_te)[:, 1]
    st = np.full((n_te, M), -1, dtype=np.int64)
    st[:, :len(stages)] = stages
    return {"stages": st, "p_ok": p_ok}


def decide(sc: dict[str, np.ndarray], threshold: float, s: CascadeSettings):
    """Serve the first stage whose scorer says ``p_ok >= threshold`` (the last stage otherwise); query and charge
    every stage up to it; one scorer run per queried non-final stage."""
    st, p = sc["stages"], sc["p_ok"]
    n, M = st.shape
    L = (st >= 0).sum(axis=1)
    j = np.arange(M)[None, :]
    ok = ((p >= threshold) & (j < (L - 1)[:, None])) | (j == (L - 1)[:, None])
    stop = np.argmax(ok, axis=1).astype(np.int64)
    serve = st[np.arange(n), stop]
    qmask = np.zeros(n, dtype=np.int64)
    for k in range(M):
        on = k <= stop
        qmask[on] |= np.left_shift(1, np.maximum(st[on, k], 0))
    calls = np.minimum(stop + 1, L - 1).astype(float)
    return serve.astype(np.int64), qmask, calls


def knob_grid(s: CascadeSettings) -> tuple[float, ...]:
    return tuple(float(v) for v in np.linspace(0.0, 1.0, 41))
