"""RouteLLM-style and RouterDC-style baselines for the MESS+ comparison - **our stand-ins**, not the originals.

The MESS+ authors ran the published RouteLLM and RouterDC routers outside their repository (spec §3.6, §6.8):
which RouteLLM router (mf / bert / sw_ranking / causal_llm) and how RouterDC was trained are not recorded, and no
router checkpoint is reachable from here. What we build instead, on the same request features as MESS+'s
predictor (:mod:`llmroute.messplus.features`):

* :class:`RouteLLMStyle` - RouteLLM's decision rule: two models only (weak = cheapest, 1B; strong = largest,
  70B); a per-request *strong-win score* (probability that the strong model is right where the weak one is
  wrong) from a **fixed** logistic regression; route to strong iff score >= threshold.
* :class:`RouterDCStyle` - RouterDC's decision rule (spec §3.6): a fixed learned multi-model router that serves
  the model of **highest predicted score** among all models (1B / 8B / 70B), with **no cost term and no alpha
  knob** (identical routing for every alpha): ``m_t = argmax_m p_{t,m}`` (:func:`argmax_choice`; ties to the
  cheaper). The scores are per-model correctness probabilities from the same held-out logistic regressions;
  RouterDC's dual-contrastive training of an encoder against model embeddings is not reproduced.
  The former stand-in rule - the cheapest model with p >= 0.5 (:func:`cheapest_confident_choice`, formerly
  ``routerdc_choice``) - is **not** RouterDC's (it adds a cost preference RouterDC does not have) and is kept
  only as ``RouterDCStyle(probs, rule="cheapest_confident")`` for comparison with earlier results.

Training without leakage (ours; issue 13): both routers are scored only on requests their models never saw.
:func:`crossfit_baselines` deals the requests to ``n_folds`` per-domain stratified, seeded folds
(:func:`llmroute.routers.field.splits.crossfit_folds`); for fold f the featurizer (hashed TF-IDF + SVD of the
prompt text, :class:`~llmroute.data.features.TextHashingFeatures`, or the synthetic zoo's own features) **and** the
logistic regressions are fitted on the other folds only, then applied to fold f. Every request thus gets an
out-of-fold score (cross-fitting), and the evaluated stream is still the whole benchmark, as for MESS+.

Threshold calibration - what is the spec's and what is ours:

* spec §3.6 [CODE: run_baselines.ipynb]: "for each alpha the largest threshold whose running satisfaction averaged
  over the last 30 steps is >= alpha is selected" - the authors swept thresholds over the benchmark stream itself
  and picked the one that met alpha on that same stream (hindsight: the threshold sees the labels it is scored on).
  :func:`calibrate_threshold` is that rule, applied to whatever rows it is given.
* ours (the default): the rule is applied to **training rows only**. For fold f, the training rows get
  out-of-fold scores of their own from an inner cross-fit (featurizer and regressions refitted inside the
  training part, :attr:`CrossfitScores.calib_win`), the rule picks the threshold on those rows (in the seed's
  stream order restricted to them) and fold f's held-out rows are routed with it
  (:meth:`CrossfitScores.thresholds`). The threshold of a held-out request never depends on that request's label.
  The former hindsight calibration on the evaluated stream is not kept: no notebook needs it (its numbers are in
  the git history of ``results/messplus_*``).

Router energy: the authors added the routers' measured GPU energy to each request's cost (spec §3.6). We cannot
measure it; :class:`~llmroute.messplus.settings.RoutingOverhead` (off by default) charges an estimate, applied by
:func:`llmroute.messplus.experiments.baseline_runs` (``overhead=``) to the two learned routers only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_int, check_prob, fail
from ..data.schema import Outcomes
from ..routers.base import Request, RequestBatch, Router, ZooInfo
from ..routers.field.splits import HeldOutPlan, crossfit_folds


def _fit_predict(x_tr, y_tr, x_te, C: float) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    if np.all(y_tr == y_tr[0]):
        return np.full(x_te.shape[0], float(y_tr[0]))
    clf = LogisticRegression(C=C, max_iter=2000)
    clf.fit(x_tr, y_tr)
    return clf.predict_proba(x_te)[:, 1]


def _labels(quality: np.ndarray, weak: int, strong: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    y = np.asarray(quality, dtype=float) >= 0.5
    if y.ndim != 2 or y.shape[1] < 2:
        fail("quality", f"array of shape {y.shape}", "a (requests, models) array with at least two models")
    M = y.shape[1]
    strong = M - 1 if strong is None else int(strong) % M
    weak = int(weak) % M
    return y, (y[:, strong] & ~y[:, weak]).astype(int), strong


def _scores_on(x_tr: np.ndarray, x_te: np.ndarray, y_tr: np.ndarray, ywin_tr: np.ndarray,
               C: float) -> tuple[np.ndarray, np.ndarray]:
    probs = np.column_stack([_fit_predict(x_tr, y_tr[:, m].astype(int), x_te, C) for m in range(y_tr.shape[1])])
    return probs, _fit_predict(x_tr, ywin_tr, x_te, C)


def fold_features(outcomes: Outcomes, train: np.ndarray, test: np.ndarray, *, dim: int = 32,
                  n_hash: int = 2 ** 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Features of ``train`` and ``test`` rows from a featurizer fitted on the ``train`` rows only, z-scored with
    the training rows' mean and standard deviation. Text: :class:`~llmroute.data.features.TextHashingFeatures`
    with the MESS+ predictor's settings (:func:`llmroute.data.features.request_features`: 32 SVD dimensions,
    2^16 hash buckets, log length); the synthetic zoo: its own features; a table with neither features nor at least
    two distinct training prompts: the domain one-hot (nothing fitted; per-domain routing only, as
    :func:`~llmroute.data.features.feature_table` with ``no_text="domain"``)."""
    from ..data.features import SyntheticFeatures, TextHashingFeatures

    train, test = np.asarray(train, dtype=np.int64), np.asarray(test, dtype=np.int64)
    if outcomes.features is not None:
        f = SyntheticFeatures().fit(outcomes, train)
    elif outcomes.text is not None and len({str(t) for t in outcomes.text[train]}) > 1:
        f = TextHashingFeatures(dim=dim, n_hash=n_hash, seed=seed).fit(outcomes, train)
    else:
        doms, idx = np.unique(np.asarray(outcomes.domain).astype(str), return_inverse=True)
        x = np.zeros((outcomes.n_requests, doms.size))
        x[np.arange(outcomes.n_requests), idx] = 1.0
        return x[train], x[test]
    x_tr, x_te = f.transform(outcomes, train), f.transform(outcomes, test)
    mu, sd = x_tr.mean(axis=0), x_tr.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    return (x_tr - mu) / sd, (x_te - mu) / sd


@dataclass(frozen=True)
class CrossfitScores:
    """Out-of-fold scores of the learned baselines on every request of a table (see the module docstring).

    ``plan``: the per-domain stratified folds; ``probs`` (n, M): per-model P(correct) and ``win`` (n,): the
    strong-win score, each from the fold models that never saw the row; ``calib_win[f]`` (n,): for fold f's
    **training** rows, their inner out-of-fold strong-win scores (NaN elsewhere), used to calibrate fold f's
    threshold; ``weak``/``strong``: the two RouteLLM models."""

    plan: HeldOutPlan
    probs: np.ndarray
    win: np.ndarray
    calib_win: tuple[np.ndarray, ...]
    weak: int
    strong: int

    def __post_init__(self) -> None:
        n = self.plan.n_rows
        if self.probs.ndim != 2 or self.probs.shape[0] != n or self.win.shape != (n,):
            raise ValueError(f"probs/win must have {n} rows, got {self.probs.shape} / {self.win.shape}")
        if len(self.calib_win) != len(self.plan.folds):
            raise ValueError(f"calib_win needs one array per fold ({len(self.plan.folds)}), got {len(self.calib_win)}")
        if (self.plan.fold_id < 0).any():
            raise ValueError("every row must be held out in one fold (cross-fitting)")
        for (tr, te), c in zip(self.plan.folds, self.calib_win):
            if np.isnan(c[tr]).any() or not np.isnan(c[te]).all():
                raise ValueError("calib_win must be defined exactly on each fold's training rows")

    def fold_thresholds(self, quality: np.ndarray, alpha: float, order: np.ndarray | None = None, *,
                        window: int = 30, n_grid: int = 201, transfer: str = "share") -> np.ndarray:
        """Per fold f, :func:`calibrate_threshold` on fold f's **training rows** only (their inner out-of-fold
        scores ``calib_win[f]`` and their labels), taken in the stream order ``order`` (default: ascending rows)
        restricted to them. A held-out row's label never enters its fold's threshold.

        ``transfer`` says how the training threshold is carried to the held-out rows (ours):
        ``"share"`` (default) keeps its *share of strong calls*: the held-out threshold is the (1 - share)
        quantile of the held-out rows' scores (labels unused), as RouteLLM calibrates its threshold to a target
        share of strong calls on unlabelled queries; this removes the scale difference between the inner scores
        (fitted on smaller training sets) and the outer ones. ``"score"`` uses the training threshold's value as
        it is (it overshoots alpha when the two score scales differ)."""
        check_choice("transfer", transfer, ("share", "score"))
        n = self.plan.n_rows
        order = np.arange(n) if order is None else np.asarray(order, dtype=np.int64)
        if np.sort(order).tolist() != list(range(n)):
            fail("order", f"an array of {order.size} rows", f"a permutation of the table's {n} rows")
        out = []
        for f, (tr, te) in enumerate(self.plan.folds):
            rows = order[np.isin(order, tr)]
            thr = calibrate_threshold(self.calib_win[f], quality, rows, alpha, weak=self.weak, strong=self.strong,
                                      window=window, n_grid=n_grid)
            if transfer == "share":
                share = float(np.mean(self.calib_win[f][tr] >= thr))
                held = np.sort(self.win[te])
                k = int(round(share * held.size))  # route the k highest-scoring held-out rows to the strong model
                thr = float(np.inf) if k == 0 else float(held[held.size - k])
            out.append(thr)
        return np.array(out)

    def thresholds(self, quality: np.ndarray, alpha: float, order: np.ndarray | None = None, **kw) -> np.ndarray:
        """Per row, the threshold of the fold holding it out (:meth:`fold_thresholds`): input of
        :class:`RouteLLMStyle`."""
        return self.fold_thresholds(quality, alpha, order, **kw)[self.plan.fold_id]


_CROSSFIT_CACHE: dict[tuple, CrossfitScores] = {}


def _fingerprint(outcomes: Outcomes) -> str:
    """A digest of what the scores depend on: request ids, text or features, quality and domain."""
    import hashlib

    h = hashlib.sha256()
    h.update("\x1f".join(map(str, outcomes.request_id)).encode())
    h.update("\x1f".join(map(str, outcomes.domain)).encode())
    if outcomes.text is not None:
        h.update("\x1f".join(map(str, outcomes.text)).encode())
    if outcomes.features is not None:
        h.update(np.ascontiguousarray(outcomes.features, dtype=float).tobytes())
    h.update(np.ascontiguousarray(outcomes.quality, dtype=float).tobytes())
    return h.hexdigest()


def crossfit_baselines(outcomes: Outcomes, *, n_folds: int = 2, seed: int = 0, C: float = 1.0, weak: int = 0,
                       strong: int | None = None, dim: int = 32, n_hash: int = 2 ** 16) -> CrossfitScores:
    """Leakage-free scores of the learned baselines (ours; see the module docstring). Deterministic, so the result
    is cached per process on a digest of the table and the settings (the arrays are shared: do not modify them).

    Folds: ``crossfit_folds(outcomes.domain, n_folds, seed)`` (per-domain stratified, seeded). For fold f with
    training rows tr_f and held-out rows te_f: :func:`fold_features` fitted on tr_f; L2 logistic regressions
    (scikit-learn, ``C``) on tr_f for P(correct) of each model (label ``quality >= 0.5``) and for the strong-win
    label "strong right and weak wrong"; applied to te_f. Calibration scores of tr_f: the same procedure repeated
    inside tr_f (inner folds ``crossfit_folds(domain[tr_f], n_folds, seed + 1 + f)``, featurizer and regressions
    refitted on each inner training part)."""
    check_int("n_folds", n_folds, 2)
    key = (_fingerprint(outcomes), n_folds, seed, float(C), weak, strong, dim, n_hash)
    if key not in _CROSSFIT_CACHE:
        _CROSSFIT_CACHE[key] = _crossfit_baselines(outcomes, n_folds, seed, C, weak, strong, dim, n_hash)
    return _CROSSFIT_CACHE[key]


def _crossfit_baselines(outcomes: Outcomes, n_folds: int, seed: int, C: float, weak: int, strong: int | None,
                        dim: int, n_hash: int) -> CrossfitScores:
    y, ywin, strong_i = _labels(outcomes.quality, weak, strong)
    n, M = y.shape
    plan = crossfit_folds(outcomes.domain, n_folds, seed)
    probs, win = np.zeros((n, M)), np.zeros(n)
    calib = []
    for f, (tr, te) in enumerate(plan.folds):
        x_tr, x_te = fold_features(outcomes, tr, te, dim=dim, n_hash=n_hash)
        probs[te], win[te] = _scores_on(x_tr, x_te, y[tr], ywin[tr], C)
        c = np.full(n, np.nan)
        inner = crossfit_folds(np.asarray(outcomes.domain)[tr], n_folds, seed + 1 + f)
        for itr, ite in inner.folds:
            a, b = tr[itr], tr[ite]
            xa, xb = fold_features(outcomes, a, b, dim=dim, n_hash=n_hash)
            c[b] = _fit_predict(xa, ywin[a], xb, C)
        calib.append(c)
    return CrossfitScores(plan, probs, win, tuple(calib), int(weak) % M, strong_i)


def crossfit_scores(data: Outcomes | np.ndarray, quality: np.ndarray | None = None, *, domain=None,
                    n_folds: int = 2, seed: int = 0, C: float = 1.0, weak: int = 0,
                    strong: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold scores: per-model P(correct) (n, M) and the strong-win score (n,).

    * ``data`` an :class:`Outcomes` (the leakage-free path): :func:`crossfit_baselines` (featurizer fitted per
      fold; ``quality``/``domain`` must be left out, they come from the table).
    * ``data`` a precomputed feature matrix (n, d) with ``quality`` (n, M): folds
      ``crossfit_folds(domain, n_folds, seed).fold_id`` (``domain`` None: one domain), regressions trained on the
      other folds only. The labels never leak; the features are the caller's - if they were fitted on every row
      (e.g. :func:`~llmroute.data.features.request_features`) the test prompts took part in the TF-IDF/SVD fit.
    """
    if isinstance(data, Outcomes):
        if quality is not None or domain is not None:
            fail("quality/domain", "given with an Outcomes", "left out (they are read from the Outcomes)")
        cs = crossfit_baselines(data, n_folds=n_folds, seed=seed, C=C, weak=weak, strong=strong)
        return cs.probs, cs.win
    check_int("n_folds", n_folds, 2)
    if quality is None:
        fail("quality", None, "a (requests, models) array when data is a feature matrix")
    x = np.asarray(data, dtype=float)
    y, ywin, _ = _labels(quality, weak, strong)
    n, M = y.shape
    if x.shape[0] != n:
        fail("data", f"{x.shape[0]} rows", f"one row per request of quality ({n})")
    plan = crossfit_folds(np.zeros(n, dtype=int) if domain is None else domain, n_folds, seed)
    probs, win = np.zeros((n, M)), np.zeros(n)
    for tr, te in plan.folds:
        probs[te], win[te] = _scores_on(x[tr], x[te], y[tr], ywin[tr], C)
    return probs, win


def calibrate_threshold(score: np.ndarray, quality: np.ndarray, rows: np.ndarray, alpha: float, *,
                        weak: int = 0, strong: int | None = None, window: int = 30,
                        n_grid: int = 201) -> float:
    """The largest threshold whose running satisfaction, averaged over the last ``window`` steps of the stream
    ``rows``, is >= alpha (the authors' rule, spec §3.6). Candidates: ``n_grid`` quantiles of the scores of
    ``rows`` plus +inf (all weak); if none meets alpha, the smallest candidate (almost all strong) is returned.
    Only ``score[rows]`` and ``quality[rows]`` are read: pass training rows (:meth:`CrossfitScores.fold_thresholds`)
    for a leakage-free threshold; passing the evaluated stream is the authors' hindsight calibration."""
    check_prob("alpha", alpha)
    q = np.asarray(quality, dtype=float)
    strong = q.shape[1] - 1 if strong is None else strong
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size == 0:
        fail("rows", "an empty array", "at least one row to calibrate on")
    sc = np.asarray(score, dtype=float)[rows]
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
    """Two-model threshold router: strong iff score[row] >= threshold (see the module docstring). ``threshold``:
    one number, or one per row (:meth:`CrossfitScores.thresholds`: each row gets its fold's threshold)."""

    learns = False

    def __init__(self, score: np.ndarray, threshold: float | np.ndarray, weak: int = 0, strong: int = -1,
                 name: str = "RouteLLM-style") -> None:
        self.score = np.asarray(score, dtype=float)
        thr = np.asarray(threshold, dtype=float)
        if thr.ndim == 0:
            thr = np.full(self.score.shape, float(thr))
        if thr.shape != self.score.shape:
            fail("threshold", f"an array of shape {thr.shape}", f"a number or one per row {self.score.shape}")
        self.threshold = thr
        self.weak, self.strong_arg = int(weak), int(strong)
        self.name = name

    def reset(self, zoo: ZooInfo, rng: np.random.Generator) -> None:
        super().reset(zoo, rng)
        self.strong = self.strong_arg % zoo.n_models

    def choose(self, request: Request) -> int:
        return self.strong if self.score[request.row] >= self.threshold[request.row] else self.weak

    def choose_batch(self, batch: RequestBatch) -> np.ndarray:
        return np.where(self.score[batch.rows] >= self.threshold[batch.rows], self.strong, self.weak).astype(np.int64)


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
