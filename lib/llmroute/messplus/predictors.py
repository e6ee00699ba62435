"""Request-satisfaction predictors for MESS+ (spec §1.6): pluggable, bound to the outcome table they were built on.

A predictor holds the per-request inputs of one outcome table (features, or a table of probabilities) and
answers ``predict(rows) -> (k, M)`` satisfaction probabilities; ``update(row, labels)`` takes one labelled
example (the full label vector of an explored request) and returns the training loss on it *before* the step.
``reset(n_models, rng)`` starts a new stream (draws initial weights from ``rng``) and checks the zoo size.

**Rows and tables.** The router and the grid simulator address requests by their *row* in the outcome table
they replay. A predictor built on another table (a sub-table, a re-ordered table) would silently look up the
wrong requests. Therefore every table-backed predictor knows the shape of the table it was built on and checks
every row it is given (a clear error naming the predictor, the table shape it expects and the rows it received);
given the table's ``request_id`` (``request_id=`` or ``from_outcomes``) it is *keyed by request id*:
:meth:`SatisfactionPredictor.bind` re-keys it to any table whose requests it knows (``o.take(...)``,
a shuffled copy), and refuses a table with unknown requests. Without request ids, ``bind`` accepts only a
table of the same shape. The replay engine (through :meth:`MessPlus.bind <llmroute.messplus.router.MessPlus.bind>`)
and :func:`llmroute.messplus.grid.trajectory` call ``predictor.bind(outcomes)`` before the first request; other
code that drives a predictor directly should do the same.

* :class:`OnlineMLPPredictor` - ours, in numpy: the authors' multi-label head (Linear -> LayerNorm -> ReLU ->
  Linear, one logit per model; or logistic with ``hidden=0``) on fixed request features, BCE-with-logits loss,
  PyTorch-style SGD (lr 0.0606, momentum 0.9, weight decay 0.01 on every parameter, gradient-norm clipping at
  1.0), one SGD step per explored request, no replay buffer, no pre-training. Differences from the authors:
  the frozen ModernBERT-base CLS embedding is replaced by the features given (our text stand-in, see
  :func:`llmroute.data.features.request_features`), and dropout (0.1) is left out (one example per step; it would only add noise).
* :class:`OraclePredictor` - per-request true labels (or true probabilities) plus optional Gaussian noise, clipped
  to [0, 1]; it does not learn. It separates the algorithm's error from the predictor's.
* :class:`NoisyOraclePredictor` - ours: a calibrated noisy oracle of a chosen per-request AUC (label + Gaussian
  noise, turned into the exact posterior probability); for the predictor ladder.
* :class:`ConstantPredictor` - the same probabilities for every request (e.g. the benchmark's mean accuracies).
* :class:`ShrinkagePredictor` - ours: a learned predictor shrunk toward the running per-model mean by an
  empirical-Bayes weight estimated from its own held-out (prequential) errors.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._validate import check_int, check_nonneg, check_positive, check_prob, check_range

if TYPE_CHECKING:  # pragma: no cover
    from ..data.schema import Outcomes


class SatisfactionPredictor:
    """Interface: ``reset``, ``predict(rows)``, ``update(row, labels)``, ``bind(outcomes)``; ``learns`` says
    whether update does anything.

    Table-backed subclasses call :meth:`_init_table` in their constructor and pass every row through
    :meth:`_rows`, which checks it against the table and maps it through the binding (see the module docstring).
    """

    learns: bool = True
    name: str = "predictor"
    #: rows of the table the predictor was built on (None: no per-request table, e.g. a constant predictor)
    _n_rows: int | None = None
    _table_shape: tuple[int, ...] | None = None
    _request_id: np.ndarray | None = None
    #: after ``bind`` to another table: row of the bound table -> row of the built-on table
    _row_map: np.ndarray | None = None
    _bound_shape: tuple[int, ...] | None = None
    _n_models_reset: int | None = None

    # ---- identity and table binding ------------------------------------------------------------------
    def who(self) -> str:
        """The predictor as errors name it: class and name."""
        return f"{type(self).__name__}({self.name!r})"

    def _init_table(self, shape: tuple[int, ...], request_id: np.ndarray | None) -> None:
        self._table_shape = tuple(int(v) for v in shape)
        self._n_rows = self._table_shape[0]
        self._row_map = None
        self._bound_shape = None
        if request_id is None:
            self._request_id = None
            return
        rid = np.asarray(request_id).astype(str)
        if rid.shape != (self._n_rows,):
            raise ValueError(f"{self.who()}: request_id must have one entry per row of the table it is built on: "
                             f"expected shape ({self._n_rows},), received {rid.shape}")
        if np.unique(rid).size != rid.size:
            raise ValueError(f"{self.who()}: request_id has duplicates; it cannot key the predictor")
        self._request_id = rid

    @property
    def n_rows(self) -> int | None:
        """Rows the predictor accepts (of the bound table, else of the table it was built on); None: any."""
        if self._row_map is not None:
            return int(self._row_map.size)
        return self._n_rows

    def _expected_shape_text(self) -> str:
        if self._row_map is not None:
            return f"the table it is bound to, shape {self._bound_shape}"
        return f"the table it was built on, shape {self._table_shape}"

    def _rows(self, rows, what: str = "rows") -> np.ndarray:
        """Check ``rows`` (1-d integer row indices) against the table; return rows of the built-on table."""
        r = np.asarray(rows)
        if r.ndim != 1:
            raise ValueError(f"{self.who()}: {what} must be a 1-d array of row indices, received shape {r.shape}")
        if r.size and not np.issubdtype(r.dtype, np.integer):
            raise ValueError(f"{self.who()}: {what} must be integer row indices, received dtype {r.dtype} "
                             f"(shape {r.shape})")
        r = r.astype(np.int64, copy=False)
        n = self.n_rows
        if n is None or r.size == 0:
            return r
        bad = (r < 0) | (r >= n)
        if bad.any():
            b = int(r[np.argmax(bad)])
            raise ValueError(
                f"{self.who()}: row {b} is out of range for {self._expected_shape_text()} (rows 0..{n - 1}); "
                f"received {what} of shape {r.shape} with min {int(r.min())} and max {int(r.max())}. "
                "Build the predictor on the table you replay, or build it with request_id= and call "
                ".bind(outcomes) on the replayed table.")
        return r if self._row_map is None else self._row_map[r]

    def _check_models(self, n_models: int, where: str) -> None:
        """Subclasses with a per-model table check the zoo size here (default: any)."""

    def bind(self, outcomes: "Outcomes") -> "SatisfactionPredictor":
        """Bind the predictor to the outcome table it will be replayed on; returns ``self``.

        With request ids (``request_id=`` / ``from_outcomes``): the rows of ``outcomes`` are mapped to the rows
        of the built-on table by request id; a request the predictor does not know raises. Without request ids:
        ``outcomes`` must have exactly the built-on table's number of rows (a different table of the same
        size cannot be detected: build with request ids to be safe). The zoo size is checked too.
        """
        received = (outcomes.n_requests, outcomes.n_models)
        self._check_models(outcomes.n_models, f"bind to {outcomes.name!r}")
        if self._n_rows is None:
            return self
        if self._request_id is None:
            if outcomes.n_requests != self._n_rows:
                raise ValueError(
                    f"{self.who()}: built on a table of shape {self._table_shape}, cannot be bound to "
                    f"{outcomes.name!r} of shape {received} (requests x models): the rows would address other "
                    "requests. Build it on that table, or build it with request_id= so that it can be re-keyed.")
            self._row_map = None
            self._bound_shape = None
            return self
        if outcomes.n_requests == self._n_rows and np.array_equal(outcomes.request_id, self._request_id):
            self._row_map = None
            self._bound_shape = None
            return self
        index = {rid: k for k, rid in enumerate(self._request_id)}
        mapped = np.fromiter((index.get(str(rid), -1) for rid in outcomes.request_id), dtype=np.int64,
                             count=outcomes.n_requests)
        missing = np.flatnonzero(mapped < 0)
        if missing.size:
            ex = ", ".join(repr(str(outcomes.request_id[k])) for k in missing[:3])
            raise ValueError(
                f"{self.who()}: built on a table of shape {self._table_shape}; {missing.size} of the "
                f"{outcomes.n_requests} requests of {outcomes.name!r} (shape {received}) are unknown to it "
                f"(e.g. {ex}).")
        self._row_map = mapped
        self._bound_shape = received
        return self

    # ---- the interface -------------------------------------------------------------------------------
    def reset(self, n_models: int, rng: np.random.Generator) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def predict(self, rows: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def update(self, row: int, labels: np.ndarray) -> float:
        return float("nan")

    def _labels(self, labels, where: str = "labels") -> np.ndarray:
        y = np.asarray(labels, dtype=float)
        m = self._n_models_reset
        if m is not None and y.shape != (m,):
            raise ValueError(f"{self.who()}: {where} must have shape ({m},) (one per model of the zoo it was "
                             f"reset for), received shape {y.shape}")
        return y


def bce_with_logits(z: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy of logits ``z`` against labels ``y`` (numerically stable)."""
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@dataclass(frozen=True)
class SGDSettings:
    """The authors' optimiser: lr 0.0606, momentum 0.9, weight decay 0.01, grad-norm clip 1.0 (spec §1.6)."""

    lr: float = 0.0606
    momentum: float = 0.9
    weight_decay: float = 0.01
    clip_norm: float = 1.0

    def __post_init__(self) -> None:
        check_positive("lr", self.lr)
        check_prob("momentum", self.momentum)
        check_nonneg("weight_decay", self.weight_decay)
        check_positive("clip_norm", self.clip_norm)


class OnlineMLPPredictor(SatisfactionPredictor):
    """Multi-label MLP head (``hidden`` > 0) or logistic model (``hidden`` = 0) over fixed features, trained online.

    ``features``: (n_requests, d) array indexed by the row of the outcome table it was built on (give that
    table's ``request_id`` to key it by request id, see :meth:`SatisfactionPredictor.bind`). Initialisation as
    PyTorch's ``nn.Linear`` (uniform +-1/sqrt(fan_in) for weights and biases), LayerNorm gain 1 and bias 0.
    """

    name = "online MLP"

    def __init__(self, features: np.ndarray, hidden: int = 64, sgd: SGDSettings = SGDSettings(),
                 ln_eps: float = 1e-5, request_id: np.ndarray | None = None) -> None:
        x = np.asarray(features, dtype=float)
        self.hidden = check_int("hidden", hidden, 0)
        self.name = "online logistic" if self.hidden == 0 else f"online MLP (h={self.hidden})"
        if x.ndim != 2 or x.shape[0] == 0 or not np.all(np.isfinite(x)):
            raise ValueError(f"{self.who()}: features must be a finite (n_requests, d) array, got shape {x.shape}")
        self.X = np.ascontiguousarray(x)
        self.sgd = sgd
        self.ln_eps = ln_eps
        self._init_table(self.X.shape, request_id)

    # ---- parameters ----------------------------------------------------------------------------------
    def reset(self, n_models: int, rng: np.random.Generator) -> None:
        d, h, m = self.X.shape[1], self.hidden, check_int("n_models", n_models, 1)
        self._n_models_reset = m

        def lin(fan_in, shape):
            b = 1.0 / np.sqrt(fan_in)
            return rng.uniform(-b, b, size=shape)

        if h == 0:
            self.params = {"W": lin(d, (d, m)), "b": lin(d, (m,))}
        else:
            self.params = {"W1": lin(d, (d, h)), "b1": lin(d, (h,)), "g": np.ones(h), "beta": np.zeros(h),
                           "W2": lin(h, (h, m)), "b2": lin(h, (m,))}
        self.buf: dict[str, np.ndarray] | None = None
        self.n_updates = 0

    def _forward(self, x: np.ndarray):
        p = self.params
        if self.hidden == 0:
            return x @ p["W"] + p["b"], None
        z1 = x @ p["W1"] + p["b1"]
        mu = z1.mean(axis=-1, keepdims=True)
        zc = z1 - mu
        inv = 1.0 / np.sqrt((zc * zc).mean(axis=-1, keepdims=True) + self.ln_eps)
        xhat = zc * inv
        a = xhat * p["g"] + p["beta"]
        r = np.maximum(a, 0.0)
        return r @ p["W2"] + p["b2"], (xhat, inv, a, r)

    def logits(self, rows: np.ndarray) -> np.ndarray:
        return self._forward(self.X[self._rows(rows)])[0]

    def predict(self, rows: np.ndarray) -> np.ndarray:
        return _sigmoid(self.logits(rows))

    def gradients(self, x: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Loss and gradients of the mean BCE over the M labels for one example ``x`` (d,)."""
        z, cache = self._forward(x)
        loss = bce_with_logits(z, y)
        dz = (_sigmoid(z) - y) / y.size
        p = self.params
        if self.hidden == 0:
            return loss, {"W": np.outer(x, dz), "b": dz}
        xhat, inv, a, r = cache
        g = {"W2": np.outer(r, dz), "b2": dz}
        da = (p["W2"] @ dz) * (a > 0)
        g["g"] = da * xhat
        g["beta"] = da
        dxh = da * p["g"]
        dz1 = inv * (dxh - dxh.mean() - xhat * (dxh * xhat).mean())
        g["W1"] = np.outer(x, dz1)
        g["b1"] = dz1
        return loss, g

    def update(self, row: int, labels: np.ndarray) -> float:
        """One PyTorch-style SGD step on one labelled example; returns the loss before the step."""
        y = self._labels(labels)
        r = int(self._rows(np.array([row], dtype=np.int64), "row")[0])
        loss, grads = self.gradients(self.X[r], y)
        s = self.sgd
        norm = np.sqrt(sum(float(np.sum(v * v)) for v in grads.values()))
        coef = s.clip_norm / (norm + 1e-6)
        if coef < 1.0:  # torch.nn.utils.clip_grad_norm_
            grads = {k: v * coef for k, v in grads.items()}
        first = self.buf is None
        if first:
            self.buf = {}
        for k, prm in self.params.items():
            d_p = grads[k] + s.weight_decay * prm
            if s.momentum > 0:
                d_p = d_p if first else s.momentum * self.buf[k] + d_p
                self.buf[k] = d_p
            prm -= s.lr * d_p
        self.n_updates += 1
        return loss


class OraclePredictor(SatisfactionPredictor):
    """Per-request true labels (``quality``) or true probabilities, plus N(0, ``noise_sd``) noise, clipped to [0, 1].

    The noise is drawn once per (row, model) from ``rng`` at construction, so predictions do not depend on the
    order in which requests arrive. It never learns. ``request_id`` (one per row of ``quality``) keys it by
    request id (see :meth:`SatisfactionPredictor.bind`); :meth:`from_outcomes` does that for a table.
    """

    learns = False

    def __init__(self, quality: np.ndarray, noise_sd: float = 0.0, rng: np.random.Generator | None = None,
                 request_id: np.ndarray | None = None) -> None:
        q = np.asarray(quality, dtype=float)
        check_nonneg("noise_sd", noise_sd)
        self.noise_sd = float(noise_sd)
        self.name = "oracle" if noise_sd == 0 else f"oracle + N(0, {noise_sd:g})"
        if q.ndim != 2 or q.shape[0] == 0 or q.shape[1] == 0:
            raise ValueError(f"{self.who()}: quality must be a non-empty (n_requests, n_models) table, "
                             f"received shape {q.shape}")
        if noise_sd > 0:
            if rng is None:
                raise ValueError("OraclePredictor with noise_sd > 0 needs a seeded rng")
            q = q + noise_sd * rng.standard_normal(q.shape)
        self.table = np.clip(q, 0.0, 1.0)
        self._init_table(self.table.shape, request_id)

    @classmethod
    def from_outcomes(cls, outcomes: "Outcomes", noise_sd: float = 0.0,
                      rng: np.random.Generator | None = None) -> "OraclePredictor":
        """The oracle of ``outcomes``, keyed by its request ids."""
        return cls(outcomes.quality, noise_sd=noise_sd, rng=rng, request_id=outcomes.request_id)

    def _check_models(self, n_models: int, where: str) -> None:
        if self.table.shape[1] != n_models:
            raise ValueError(f"{self.who()}: {where}: the oracle table has shape {self.table.shape} "
                             f"({self.table.shape[1]} models), the zoo has {n_models} models: expected a table "
                             f"of shape ({self.table.shape[0]}, {n_models})")

    def reset(self, n_models: int, rng: np.random.Generator) -> None:
        self._check_models(n_models, "reset")
        self._n_models_reset = int(n_models)

    def predict(self, rows: np.ndarray) -> np.ndarray:
        return self.table[self._rows(rows)]


def auc_for_noise_sd(noise_sd: float) -> float:
    """Per-request AUC of the score ``label + N(0, noise_sd^2)`` for a binary label: Phi(1 / (noise_sd sqrt 2)).

    A positive's and a negative's scores differ by 1 + N(0, 2 sd^2), so P(positive ranked higher) =
    Phi(1 / (sd sqrt 2)) whatever the base rate.
    """
    from scipy.stats import norm

    sd = check_positive("noise_sd", noise_sd)
    return float(norm.cdf(1.0 / (sd * math.sqrt(2.0))))


def noise_sd_for_auc(auc: float) -> float:
    """The noise sd giving per-request AUC ``auc`` (the inverse of :func:`auc_for_noise_sd`):
    sd = 1 / (sqrt 2 * Phi^{-1}(auc)), for auc in (0.5, 1)."""
    from scipy.stats import norm

    a = check_range("auc", auc, 0.5, 1.0, lo_open=True, hi_open=True)
    return float(1.0 / (math.sqrt(2.0) * norm.ppf(a)))


class NoisyOraclePredictor(OraclePredictor):
    """A calibrated noisy oracle of per-request AUC ``auc`` (ours; for the predictor ladder).

    For binary labels y_{t,m}: score x = y + sd * z, z ~ N(0, 1) drawn once per (row, model) from ``rng``, with
    sd = :func:`noise_sd_for_auc` (auc), so that the AUC of x (and of any increasing function of it) is
    Phi(1 / (sd sqrt 2)) = ``auc`` in expectation. The score is turned into the exact posterior probability under
    this noise model, with base rate pi_m = the table's mean label of model m (oracle knowledge):

        s_hat = sigmoid( logit(pi_m) + (x - 1/2) / sd^2 )

    since log N(x; 1, sd^2) - log N(x; 0, sd^2) = (x - 1/2) / sd^2. So the predictions are calibrated and carry
    exactly the chosen amount of per-request signal. The noise is independent across models (a learned
    predictor's errors would be correlated across models): a limitation of the ladder.
    """

    def __init__(self, quality: np.ndarray, auc: float, rng: np.random.Generator,
                 request_id: np.ndarray | None = None) -> None:
        q = np.asarray(quality, dtype=float)
        self.target_auc = check_range("auc", auc, 0.5, 1.0, lo_open=True, hi_open=True)
        self.name = f"noisy oracle (AUC {self.target_auc:g})"
        if q.ndim != 2 or q.shape[0] == 0 or not np.all((q == 0) | (q == 1)):
            raise ValueError(f"{self.who()}: quality must be a non-empty (n_requests, n_models) table of 0/1 "
                             f"labels, received shape {q.shape}")
        if rng is None:
            raise ValueError(f"{self.who()}: needs a seeded rng (np.random.Generator) for its noise")
        sd = noise_sd_for_auc(self.target_auc)
        self.sd = sd
        x = q + sd * rng.standard_normal(q.shape)
        pi = np.clip(q.mean(axis=0), 1e-6, 1 - 1e-6)
        probs = _sigmoid(np.log(pi / (1 - pi))[None, :] + (x - 0.5) / sd ** 2)
        super().__init__(probs, request_id=request_id)
        self.name = f"noisy oracle (AUC {self.target_auc:g})"

    @classmethod
    def from_outcomes(cls, outcomes: "Outcomes", auc: float, rng: np.random.Generator) -> "NoisyOraclePredictor":
        """The noisy oracle of ``outcomes``, keyed by its request ids."""
        return cls(outcomes.quality, auc, rng, request_id=outcomes.request_id)


class ConstantPredictor(SatisfactionPredictor):
    """The same probabilities for every request (e.g. the benchmark's mean accuracies): no per-request signal."""

    learns = False
    name = "constant"

    def __init__(self, probs: np.ndarray) -> None:
        p = np.asarray(probs, dtype=float)
        if p.ndim != 1 or p.size == 0 or not np.all(np.isfinite(p)):
            raise ValueError(f"{self.who()}: probs must be a finite 1-d array with one probability per model, "
                             f"received shape {p.shape}")
        self.probs = np.clip(p, 0.0, 1.0)

    def _check_models(self, n_models: int, where: str) -> None:
        if self.probs.size != n_models:
            raise ValueError(f"{self.who()}: {where}: it holds {self.probs.size} probabilities, shape "
                             f"{self.probs.shape}, but the zoo has {n_models} models: expected shape ({n_models},)")

    def reset(self, n_models: int, rng: np.random.Generator) -> None:
        self._check_models(n_models, "reset")
        self._n_models_reset = int(n_models)

    def predict(self, rows: np.ndarray) -> np.ndarray:
        r = self._rows(rows)
        return np.broadcast_to(self.probs, (r.size, self.probs.size)).copy()


class ShrinkagePredictor(SatisfactionPredictor):
    """A learned predictor shrunk toward the running per-model mean by its own uncertainty (ours).

    Per model m, with f_m the inner predictor's estimate and p_m the running mean of the labels seen so far,

        p_m = (k * p0 + sum of labels) / (k + n)        (prior mean ``prior_mean`` = p0, prior count k)
        s_hat_m = p_m + w_m * (f_m - p_m),   w_m in [0, 1].

    The weight is an empirical-Bayes (positive-part James-Stein style) estimate from the inner predictor's
    *held-out* errors: on every update, before either learns from it, the example is predicted (prequential,
    so never seen): d = f - p (the predictor's deviation from the mean), r = y - p (the mean's error). Then

        w_hat = sum d r / sum d^2          (least-squares weight of the deviation: minimises sum (r - w d)^2)
        se^2  = sum d^2 (r - w_hat d)^2 / (sum d^2)^2     (its sandwich variance)
        w     = clip( w_hat * max(0, 1 - q^2 se^2 / w_hat^2), 0, 1 )   (0 when w_hat <= 0)

    with the small-sample corrections of n held-out examples: se^2 carries the factor n / (n - 1) (HC1), and
    q = the Student-t quantile with n - 1 degrees of freedom at the one-sided level Phi(z) (q -> z for large n);
    w = 0 before 2 held-out examples.
    The expected squared error of p + w d is that of the mean, E r^2, minus w (2 E[d r] - w E[d^2]); it is
    below the mean's exactly when 0 <= w <= 2 E[d r] / E[d^2]. w = 0 gives the mean itself, and the factor
    max(0, 1 - q^2 se^2 / w_hat^2) sends w to 0 whenever the held-out signal is within q standard errors of none
    (z = ``z``, default 2: a predictor at chance gets w > 0 with probability about Phi(-z) = 2 %, and then
    a small one), so the predictor does no worse than the running mean in expectation up to the estimation error
    of w (O(1/n) after n updates); at chance it *is* the running mean. The inner predictor is reset with the
    same generator (so it starts where the bare learned predictor with that generator starts).
    """

    def __init__(self, inner: SatisfactionPredictor, prior_mean: float = 0.5, prior_count: float = 1.0,
                 z: float = 2.0) -> None:
        if not isinstance(inner, SatisfactionPredictor):
            raise ValueError(f"inner must be a SatisfactionPredictor, received {type(inner).__name__}")
        self.inner = inner
        self.prior_mean = check_prob("prior_mean", prior_mean)
        self.prior_count = check_positive("prior_count", prior_count)
        self.z = check_nonneg("z", z)
        self.learns = True
        self.name = f"shrinkage[{inner.name}]"

    def bind(self, outcomes: "Outcomes") -> "ShrinkagePredictor":
        self.inner.bind(outcomes)
        return self

    @property
    def n_rows(self) -> int | None:
        return self.inner.n_rows

    def reset(self, n_models: int, rng: np.random.Generator) -> None:
        m = check_int("n_models", n_models, 1)
        self.inner.reset(m, rng)
        self._n_models_reset = m
        self.label_sum = np.zeros(m)
        self.n = 0
        self._sdd = np.zeros(m)
        self._sdr = np.zeros(m)
        self._sd2r2 = np.zeros(m)
        self._sd3r = np.zeros(m)
        self._sd4 = np.zeros(m)
        self.weights = np.zeros(m)

    @property
    def running_mean(self) -> np.ndarray:
        """p_m = (k p0 + sum of labels) / (k + n)."""
        return (self.prior_count * self.prior_mean + self.label_sum) / (self.prior_count + self.n)

    def _weights(self) -> np.ndarray:
        """w per model from the held-out sums (class docstring); zeros before 2 held-out examples."""
        n = self.n
        if n < 2:
            return np.zeros_like(self._sdd)
        from scipy.stats import norm, t as student_t

        q = float(student_t.ppf(norm.cdf(self.z), n - 1)) if self.z > 0 else 0.0
        sdd, sdr = self._sdd, self._sdr
        pos = sdd > 0
        safe = np.where(pos, sdd, 1.0)
        w_hat = np.where(pos, sdr / safe, 0.0)
        resid = np.maximum(self._sd2r2 - 2 * w_hat * self._sd3r + w_hat ** 2 * self._sd4, 0.0)
        se2 = n / (n - 1) * resid / safe ** 2
        up = pos & (w_hat > 0)
        factor = np.where(up, np.maximum(0.0, 1.0 - q * q * se2 / np.where(up, w_hat, 1.0) ** 2), 0.0)
        return np.clip(w_hat * factor, 0.0, 1.0)

    def predict(self, rows: np.ndarray) -> np.ndarray:
        f = self.inner.predict(rows)
        p = self.running_mean
        return p[None, :] + self.weights[None, :] * (f - p[None, :])

    def update(self, row: int, labels: np.ndarray) -> float:
        """Record the held-out errors of this example, then update the inner predictor and the running mean;
        returns the inner predictor's loss (before its step)."""
        y = self._labels(labels)
        f = self.inner.predict(np.array([row], dtype=np.int64))[0]
        p = self.running_mean
        d, r = f - p, y - p
        self._sdd += d * d
        self._sdr += d * r
        self._sd2r2 += d * d * r * r
        self._sd3r += d ** 3 * r
        self._sd4 += d ** 4
        loss = self.inner.update(row, y) if self.inner.learns else float("nan")
        self.label_sum += y
        self.n += 1
        self.weights = self._weights()
        return loss
