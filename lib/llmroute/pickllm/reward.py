"""PickLLM's reward (spec §1.2) and the reward normalisers of Algorithm 1 (spec §2.2).

The reward of model m on one query, as rendered by [EM] (spec §1.2)::

    R_m = t_scaling * (w_a * a_m - w_c * c_m) / (w_l * log10(l_m))

with a_m the accuracy score in [0, 1], c_m the query's cost (in the unit chosen by ``cost_unit``) and l_m the
latency in ``latency_unit`` (milliseconds by default). [ML]'s flattened rendering divides by t_scaling
instead of multiplying: for a fixed t_scaling > 0 both are the same function up to a positive constant, so
they have the same argmax. So is ``w_l``: it only rescales R, it never changes which model has the best
*expected* reward. Whether the *learners* are unchanged too depends on the normaliser: a rescaling of R leaves
the choices of L_R-I and Q-learning unchanged only when the normaliser is scale-equivariant (bounds computed
from R itself: ``default_bounds``, ``running_minmax``; Q-learning on the raw R) and Q-learning starts at
``Q0 = 0``; with user-set fixed bounds or ``Q0 != 0`` it is not (tested in ``tests/test_pickllm_edges.py``).

``latency_form="log_scaled_inside"`` (``R = (w_a a - w_c c) / (w_l log10(t_scaling * l))``) is an exploratory
reading no source supports literally; it is *not* a rescaling: ``log10(t_s * l) = log10(l / (1/t_s))`` is
exactly the paper's form with latency measured in units of ``1/t_s`` (of ``latency_unit``), so it moves the
pole of R from l = 1 to l = 1/t_s (e.g. t_s = 0.01 with ms: a unit of 100 ms, pole at 100 ms).

Guards (:class:`RewardDomainError`): a NaN or infinite accuracy or cost, a NaN, infinite or non-positive
latency, and ``log10(l) <= 0`` (l <= 1 in the unit used, or l <= 1/t_s inside the log) all raise; a negative
numerator (cost outweighs accuracy, where a *slower* model gets the larger reward -- the sign trap of the
paper's form) warns with :class:`NegativeNumeratorWarning` unless ``numerator_floor`` is set.

Latency in :class:`~llmroute.data.schema.Outcomes` is in **seconds**; :func:`reward` takes seconds and converts.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from .._validate import ParameterError, check_choice, check_finite, check_nonneg, check_positive, fail

LATENCY_UNITS: dict[str, float] = {"ms": 1000.0, "s": 1.0}  # multiply seconds by this
COST_UNITS: tuple[str, ...] = ("per_query", "per_1k_queries", "frac_of_max")
LATENCY_FORMS: tuple[str, ...] = ("log", "log_scaled_inside")
NORMALISERS: tuple[str, ...] = ("fixed_bounds", "running_minmax", "max_ratio")


class RewardDomainError(ValueError):
    """The reward is undefined for these inputs: NaN/infinite accuracy or cost, latency NaN, infinite or <= 0,
    or log10(latency) <= 0 (where the paper's reward is infinite or flips sign)."""


class NegativeNumeratorWarning(UserWarning):
    """w_a*a - w_c*c < 0: with a latency *divisor* a slower model then earns a larger (less negative) reward."""


@dataclass(frozen=True)
class RewardConfig:
    """Weights and units of the PickLLM reward (spec §1.2, §4; the weights are reconstructed, not printed).

    * ``w_a`` (>= 0, per unit of accuracy score), ``w_c`` (>= 0, per unit of cost *in* ``cost_unit``), ``w_l``
      (> 0; a pure scale), ``t_scaling`` (> 0; a pure scale in the default ``latency_form="log"``).
    * ``cost_unit``: ``frac_of_max`` (**default**: unitless, cost / the zoo's largest per-model mean cost per
      query, the same normalisation as MESS+'s unitless V, so one ``w_c`` means the same on USD, joules or a
      user's unit), ``per_query`` (the table's native unit per query: USD, or J for MESS+; the paper's
      reproduction, :meth:`paper`), ``per_1k_queries`` (native unit x 1000).
    * ``latency_unit``: ``ms`` (default; log10 is then about 2.5-4 for 0.3-10 s) or ``s``. Latency needs no zoo
      normalisation: :class:`~llmroute.data.schema.Outcomes` always holds it in seconds, whatever the source.
    * ``numerator_floor``: a number to clip w_a*a - w_c*c at (**default 1e-3**: a wrong answer earns about
      nothing, and the paper's sign trap -- a slower model earning more on a negative numerator -- cannot occur),
      or ``None`` (the paper's form; warn on a negative numerator).

    The default (w_a = 1, w_c = 0.5 on ``frac_of_max``, floor 1e-3) works on any cost unit: the most expensive
    model's mean cost weighs half a correct answer. :meth:`paper` gives the paper's reproduction (w_c = 100 on
    USD per query, no floor), which the PickLLM notebooks pass explicitly.
    """

    w_a: float = 1.0
    w_c: float = 0.5
    w_l: float = 1.0
    t_scaling: float = 1.0
    cost_unit: str = "frac_of_max"
    latency_unit: str = "ms"
    latency_form: str = "log"
    numerator_floor: float | None = 1e-3

    @classmethod
    def paper(cls, **overrides) -> "RewardConfig":
        """The paper's reproduction (spec §1.2, §4 [R]): w_a = 1, w_c = 100 on the native cost per query
        (``per_query``: USD in the paper), w_l = 1, t_scaling = 1, latency in ms, no numerator floor;
        ``overrides`` replace any field (e.g. ``RewardConfig.paper(w_c=0.0)``)."""
        base = dict(w_a=1.0, w_c=100.0, w_l=1.0, t_scaling=1.0, cost_unit="per_query", latency_unit="ms",
                    latency_form="log", numerator_floor=None)
        unknown = sorted(set(overrides) - set(base))
        if unknown:
            raise ParameterError(f"RewardConfig.paper: unknown field(s) {unknown}; allowed: {sorted(base)}")
        base.update(overrides)
        return cls(**base)

    def __post_init__(self) -> None:
        check_nonneg("w_a", self.w_a)
        check_nonneg("w_c", self.w_c)
        if not math.isfinite(float(self.w_l)) or float(self.w_l) == 0.0:
            fail("w_l", self.w_l, "> 0 (it divides the reward; w_l = 0 makes R infinite)")
        check_positive("w_l", self.w_l)
        check_positive("t_scaling", self.t_scaling)
        if float(self.w_a) == 0.0 and float(self.w_c) == 0.0:
            raise ParameterError("w_a = 0 and w_c = 0 is not allowed: at least one of the numerator weights "
                                 "must be > 0 (otherwise R = 0 for every model)")
        check_choice("cost_unit", self.cost_unit, COST_UNITS)
        check_choice("latency_unit", self.latency_unit, tuple(LATENCY_UNITS))
        check_choice("latency_form", self.latency_form, LATENCY_FORMS)
        if self.numerator_floor is not None:
            check_finite("numerator_floor", self.numerator_floor)

    def describe(self) -> str:
        """One line for figure captions and provenance."""
        formula = ("R = (w_a*a - w_c*c)/(w_l*log10(t_s*l))" if self.latency_form == "log_scaled_inside"
                   else "R = t_s*(w_a*a - w_c*c)/(w_l*log10(l))")
        return (f"{formula}, w_a={self.w_a:g}, w_c={self.w_c:g}, w_l={self.w_l:g}, "
                f"t_s={self.t_scaling:g}, cost={self.cost_unit}, latency={self.latency_unit}, form={self.latency_form}")


def cost_in_unit(c: np.ndarray, cfg: RewardConfig, cost_ref: float | None) -> np.ndarray:
    """Convert a per-query cost (native unit) to ``cfg.cost_unit``; ``frac_of_max`` needs ``cost_ref`` > 0."""
    c = np.asarray(c, dtype=float)
    if cfg.cost_unit == "per_query":
        return c
    if cfg.cost_unit == "per_1k_queries":
        return c * 1000.0
    if cost_ref is None or not np.isfinite(cost_ref) or cost_ref <= 0:
        raise ParameterError(f"cost_unit = 'frac_of_max' needs cost_ref = the most expensive model's mean cost "
                             f"per query (> 0), got {cost_ref!r}")
    return c / float(cost_ref)


def latency_log(l_s: np.ndarray, cfg: RewardConfig) -> np.ndarray:
    """The denominator's log term, log10(l) (or log10(t_s * l)); raises when it is <= 0 or unknown."""
    l_s = np.asarray(l_s, dtype=float)
    if np.isnan(l_s).any():
        raise RewardDomainError("latency is unknown (NaN): the PickLLM reward needs a latency per query; "
                                "synthesise one (llmroute.pickllm.sessions.with_synthetic_latency) and say so")
    if not (np.isfinite(l_s) & (l_s > 0)).all():
        bad = float(np.ravel(l_s)[np.argmax(~(np.isfinite(np.ravel(l_s)) & (np.ravel(l_s) > 0)))])
        raise RewardDomainError(f"latency = {bad:g} s is not allowed: the PickLLM reward needs a finite latency "
                                f"> 0 per query (log10 of a non-positive latency is undefined)")
    lu = l_s * LATENCY_UNITS[cfg.latency_unit]
    if cfg.latency_form == "log_scaled_inside":
        lu = lu * float(cfg.t_scaling)
    lg = np.log10(lu)
    if not (lg > 0).all():
        bad = float(np.ravel(lu)[np.argmax(~(np.ravel(lg) > 0))])
        raise RewardDomainError(
            f"log10(latency) <= 0 (latency = {bad:g} {cfg.latency_unit}"
            f"{' x t_scaling' if cfg.latency_form == 'log_scaled_inside' else ''}): the reward's denominator "
            f"w_l*log10(l) must be > 0, i.e. l > 1 in the unit used. Use latency_unit='ms' (default) or check "
            f"the latencies.")
    return lg


def numerator(a: np.ndarray, c: np.ndarray, cfg: RewardConfig, cost_ref: float | None = None,
              *, warn: bool = True) -> np.ndarray:
    """w_a*a - w_c*c (cost in ``cfg.cost_unit``), clipped at ``numerator_floor`` when set.

    A NaN or infinite accuracy ``a`` or cost ``c`` raises :class:`RewardDomainError` (never a NaN reward: an
    unlabelled query has no accuracy and must not be learned from)."""
    for name, x in (("accuracy", a), ("cost", c)):
        x = np.asarray(x, dtype=float)
        if not np.isfinite(x).all():
            bad = float(np.ravel(x)[np.argmax(~np.isfinite(np.ravel(x)))])
            raise RewardDomainError(f"{name} = {bad:g} is not allowed: the PickLLM reward needs a finite {name} per "
                                    f"query (an unlabelled query has no accuracy; skip it instead of learning)")
    num = float(cfg.w_a) * np.asarray(a, dtype=float) - float(cfg.w_c) * cost_in_unit(c, cfg, cost_ref)
    if cfg.numerator_floor is not None:
        return np.maximum(num, float(cfg.numerator_floor))
    if warn and (num < 0).any():
        warnings.warn(NegativeNumeratorWarning(
            f"{int((num < 0).sum())} of {num.size} reward numerators w_a*a - w_c*c are negative: with the "
            f"paper's latency divisor a slower model then earns a larger reward (spec §1.2 sign trap). "
            f"Set numerator_floor or choose weights with w_a*a > w_c*c."), stacklevel=3)
    return num


def reward(a, c, l_s, cfg: RewardConfig, *, cost_ref: float | None = None, warn: bool = True) -> np.ndarray:
    """The PickLLM reward for accuracy ``a``, cost ``c`` (native unit) and latency ``l_s`` (SECONDS).

    Broadcasts over arrays. ``cost_ref`` is the most expensive model's mean cost (``frac_of_max`` only).
    """
    num = numerator(a, c, cfg, cost_ref, warn=warn)
    lg = latency_log(l_s, cfg)
    if cfg.latency_form == "log_scaled_inside":
        return num / (float(cfg.w_l) * lg)
    return float(cfg.t_scaling) * num / (float(cfg.w_l) * lg)


def reward_matrix(outcomes, cfg: RewardConfig, *, warn: bool = True) -> np.ndarray:
    """R for every (request, model) of an :class:`~llmroute.data.schema.Outcomes` (needs latency)."""
    if outcomes.latency is None:
        raise RewardDomainError(f"{outcomes.name}: no latency column; synthesise one and say so")
    return reward(outcomes.quality, outcomes.cost, outcomes.latency, cfg,
                  cost_ref=float(outcomes.mean_cost().max()), warn=warn)


def reward_bounds(R: np.ndarray, q: tuple[float, float] = (1.0, 99.0)) -> tuple[float, float]:
    """(R_lo, R_hi) = the ``q`` percentiles of a reward sample (the fixed-bounds normaliser's config)."""
    lo, hi = (float(v) for v in np.percentile(np.asarray(R, dtype=float).ravel(), q))
    if not hi > lo:
        hi = lo + 1e-12 if lo == 0 else lo + abs(lo) * 1e-9
    return lo, hi


# ---------------------------------------------------------------------------------------------------------
# Normalisers N(R) -> r in [0, 1]. They work elementwise on arrays of a fixed shape (one entry per session),
# so the single-session router and the vectorised session runner share the same code.
# ---------------------------------------------------------------------------------------------------------
class Normaliser:
    kind = "none"

    def reset(self, shape: tuple[int, ...] = ()) -> None:
        """Start a new session (or ``shape`` sessions at once)."""

    def __call__(self, R: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class Raw(Normaliser):
    """r = R (Q-learning's default: it can use the raw reward)."""

    kind = "raw"

    def __call__(self, R):
        return np.asarray(R, dtype=float)


class FixedBounds(Normaliser):
    """r = clip((R - R_lo) / (R_hi - R_lo), 0, 1) with configured bounds (stationary, deterministic)."""

    kind = "fixed_bounds"

    def __init__(self, lo: float, hi: float) -> None:
        lo, hi = check_finite("bounds[0]", lo), check_finite("bounds[1]", hi)
        if not hi > lo:
            fail("bounds", (lo, hi), "(R_lo, R_hi) with R_hi > R_lo")
        self.lo, self.hi = lo, hi

    def __call__(self, R):
        return np.clip((np.asarray(R, dtype=float) - self.lo) / (self.hi - self.lo), 0.0, 1.0)


class RunningMinMax(Normaliser):
    """r = (R - min) / (max - min) over the session's rewards so far (R included); 0.5 while max == min."""

    kind = "running_minmax"

    def reset(self, shape=()):
        self.lo = np.full(shape, np.inf)
        self.hi = np.full(shape, -np.inf)

    def __call__(self, R):
        R = np.asarray(R, dtype=float)
        self.lo = np.minimum(self.lo, R)
        self.hi = np.maximum(self.hi, R)
        span = self.hi - self.lo
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(span > 0, (R - self.lo) / np.where(span > 0, span, 1.0), 0.5)
        return r


class MaxRatio(Normaliser):
    """r = min(R / R_max, 1) for R >= 0 (learning-automata convention); a negative R raises."""

    kind = "max_ratio"

    def __init__(self, r_max: float) -> None:
        self.r_max = check_positive("bounds[1] (R_max)", r_max)

    def __call__(self, R):
        R = np.asarray(R, dtype=float)
        if (R < 0).any():
            raise RewardDomainError("reward_norm = 'max_ratio' needs R >= 0, got a negative reward; use "
                                    "'fixed_bounds' or 'running_minmax'")
        return np.minimum(R / self.r_max, 1.0)


def make_normaliser(kind: str, bounds: tuple[float, float] | None, *, allow_raw: bool = False) -> Normaliser:
    """Build the normaliser ``kind``; ``fixed_bounds`` needs (R_lo, R_hi), ``max_ratio`` uses R_hi = bounds[1]."""
    kinds = (("raw",) if allow_raw else ()) + NORMALISERS
    check_choice("reward_norm", kind, kinds)
    if kind == "raw":
        return Raw()
    if kind == "running_minmax":
        return RunningMinMax()
    if bounds is None:
        raise ParameterError(f"reward_norm = {kind!r} needs bounds = (R_lo, R_hi); compute them with "
                             f"llmroute.pickllm.reward.reward_bounds(reward_matrix(outcomes, cfg))")
    if kind == "fixed_bounds":
        return FixedBounds(*bounds)
    return MaxRatio(bounds[1])
