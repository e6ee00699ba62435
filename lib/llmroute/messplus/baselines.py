"""RouteLLM-style and RouterDC-style baselines for the MESS+ comparison - **our stand-ins**, not the originals.

The MESS+ authors ran the published RouteLLM and RouterDC routers outside their repository (spec §3.6, §6.8):
which RouteLLM router (mf / bert / sw_ranking / causal_llm) and how RouterDC was trained are not recorded, and no
router checkpoint is reachable from here. What we build instead, on the same request features as MESS+'s
predictor (:mod:`llmroute.messplus.features`):

* :class:`RouteLLMStyle` - RouteLLM's decision rule: two models only (weak = cheapest, 1B; strong = largest,
  70B); a per-request *strong-win score* (probability that the strong model is right where the weak one is
  wrong) from a **fixed** logistic regression trained offline on a separate split (:func:`crossfit_scores`,
  2-fold cross-fitting: every request is scored by a model that never saw it); route to strong iff
  score >= threshold. The threshold is calibrated to alpha as the authors did (spec §3.6), in hindsight on the
  stream itself: the **largest** threshold whose running satisfaction, averaged over the last 30 steps, is
  >= alpha (:func:`calibrate_threshold`). This hindsight calibration favours the baseline.
* :class:`RouterDCStyle` - RouterDC's decision rule (spec §3.6): a fixed learned multi-model router that serves
  the model of **highest predicted score** among all models (1B / 8B / 70B), with **no cost term and no alpha
  knob** (identical routing for every alpha): ``m_t = argmax_m p_{t,m}`` (:func:`argmax_choice`; ties to the
  cheaper). The scores are per-model correctness probabilities from the same cross-fitted logistic regressions;
  RouterDC's dual-contrastive training of an encoder against model embeddings is not reproduced.
  The former stand-in rule - the cheapest model with p >= 0.5 (:func:`cheapest_confident_choice`, formerly
  ``routerdc_choice``) - is **not** RouterDC's (it adds a cost preference RouterDC does not have) and is kept
  only as ``RouterDCStyle(probs, rule="cheapest_confident")`` for comparison with earlier results.

Router energy: the authors added the routers' measured GPU energy to each request's cost (spec §3.6). We cannot
measure it; :class:`~llmroute.messplus.settings.RoutingOverhead` (off by default) charges an estimate, applied by
:func:`llmroute.messplus.experiments.baseline_runs` (``overhead=``) to the two learned routers only.
"""
from __future__ import annotations

import numpy as np

from .._validate import check_choice, check_int, check_prob
from ..routers.base import Request, RequestBatch, Router, ZooInfo


def _fit_predict(x_tr, y_tr, x_te, C: float) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    if np.all(y_tr == y_tr[0]):
        return np.full(x_te.shape[0], float(y_tr[0]))
    clf = LogisticRegression(C=C, max_iter=2000)
    clf.fit(x_tr, y_tr)
    return clf.predict_proba(x_te)[:, 1]


def crossfit_scores(features: np.ndarray, quality: np.ndarray, *, n_folds: int = 2, seed: int = 0,
                    C: float = 1.0, weak: int = 0, strong: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Cross-fitted (out-of-fold) scores: per-model P(correct) (n, M) and the strong-win score (n,).

    Folds are a seeded random partition of the rows; each fold is scored by logistic regressions
    (scikit-learn, L2, ``C``) trained on the other folds only. Labels: ``quality >= 0.5`` per model, and
    "strong right and weak wrong" for the strong-win score.
    """
    check_int("n_folds", n_folds, 2)
    x = np.asarray(features, dtype=float)
    y = np.asarray(quality, dtype=float) >= 0.5
    n, M = y.shape
    strong = M - 1 if strong is None else strong
    fold = np.random.default_rng(seed).permutation(n) % n_folds
    probs = np.zeros((n, M))
    win = np.zeros(n)
    ywin = (y[:, strong] & ~y[:, weak]).astype(int)
    for f in range(n_folds):
        te, tr = fold == f, fold != f
        for m in range(M):
            probs[te, m] = _fit_predict(x[tr], y[tr, m].astype(int), x[te], C)
        win[te] = _fit_predict(x[tr], ywin[tr], x[te], C)
    return probs, win


def calibrate_threshold(score: np.ndarray, quality: np.ndarray, rows: np.ndarray, alpha: float, *,
                        weak: int = 0, strong: int | None = None, window: int = 30,
                        n_grid: int = 201) -> float:
    """The largest threshold whose running satisfaction, averaged over the last ``window`` steps of the stream
    ``rows``, is >= alpha (spec §3.6). Candidates: ``n_grid`` quantiles of the scores plus +inf (all weak);
    if none meets alpha, the smallest candidate (almost all strong) is returned."""
    check_prob("alpha", alpha)
    q = np.asarray(quality, dtype=float)
    strong = q.shape[1] - 1 if strong is None else strong
    sc = np.asarray(score)[rows]
    qw, qs = q[rows, weak], q[rows, strong]
    T = rows.size
    cands = np.unique(np.concatenate([np.quantile(sc, np.linspace(0, 1, n_grid)), [np.inf]]))
    t = np.arange(1, T + 1)
    w = min(window, T)
    best = float(cands[0])
    for thr in cands:  # ascending: keep the largest that meets alpha
        s = np.where(sc >= thr, qs, qw)
        run = np.cumsum(s) / t
        if run[-w:].mean() >= alpha:
            best = float(thr)
    return best


class RouteLLMStyle(Router):
    """Two-model threshold router: strong iff score >= threshold (see the module docstring)."""

    learns = False

    def __init__(self, score: np.ndarray, threshold: float, weak: int = 0, strong: int = -1,
                 name: str = "RouteLLM-style") -> None:
        self.score = np.asarray(score, dtype=float)
        self.threshold = float(threshold)
        self.weak, self.strong_arg = int(weak), int(strong)
        self.name = name

    def reset(self, zoo: ZooInfo, rng: np.random.Generator) -> None:
        super().reset(zoo, rng)
        self.strong = self.strong_arg % zoo.n_models

    def choose(self, request: Request) -> int:
        return self.strong if self.score[request.row] >= self.threshold else self.weak

    def choose_batch(self, batch: RequestBatch) -> np.ndarray:
        return np.where(self.score[batch.rows] >= self.threshold, self.strong, self.weak).astype(np.int64)


def cheapest_confident_choice(probs: np.ndarray, cut: float = 0.5) -> np.ndarray:
    """The former RouterDC stand-in (not RouterDC's rule): cheapest model with p >= cut; the most probable (ties:
    the larger) when none is."""
    p = np.asarray(probs, dtype=float)
    ok = p >= cut
    M = p.shape[1]
    best = M - 1 - np.argmax(p[:, ::-1], axis=1)
    return np.where(ok.any(axis=1), np.argmax(ok, axis=1), best).astype(np.int64)


#: Former name of :func:`cheapest_confident_choice` (kept so earlier code keeps working).
routerdc_choice = cheapest_confident_choice

#: Decision rules of :class:`RouterDCStyle`: ``argmax`` is RouterDC's; ``cheapest_confident`` the former stand-in.
ROUTERDC_RULES = ("argmax", "cheapest_confident")


def argmax_choice(probs: np.ndarray) -> np.ndarray:
    """RouterDC's rule: m_t = argmax_m p_{t,m} over all models, no cost term (ties to the lowest index, the
    cheaper model)."""
    p = np.asarray(probs, dtype=float)
    if p.ndim != 2 or p.shape[1] < 1:
        raise ValueError(f"probs must be a (requests, models) array, got shape {p.shape}")
    return np.argmax(p, axis=1).astype(np.int64)


class RouterDCStyle(Router):
    """Fixed learned router with no alpha knob: the highest-scoring model (RouterDC's rule, the default), or the
    former stand-in rule ``cheapest_confident`` (see the module docstring)."""

    learns = False

    def __init__(self, probs: np.ndarray, cut: float = 0.5, name: str = "RouterDC-style", rule: str = "argmax") -> None:
        check_choice("rule", rule, ROUTERDC_RULES)
        self.rule = rule
        if rule == "argmax":
            self.choice = argmax_choice(probs)
        else:
            self.choice = cheapest_confident_choice(probs, check_prob("cut", cut))
        self.name = name

    def choose(self, request: Request) -> int:
        return int(self.choice[request.row])

    def choose_batch(self, batch: RequestBatch) -> np.ndarray:
        return self.choice[batch.rows]
