"""Settings of the MESS+ router (spec messplus.md §1.3-1.7), validated once, immutable.

Cost units and V (spec §1.4, §6.9)
----------------------------------
The per-request rule ``argmin_m V * E_hat_m + Q_t * (alpha - s_hat_m)`` compares a cost (in the outcomes' cost
unit: J for the paper's energy tables, USD for the API-pricing variant, or any unit of the user's) with a
satisfaction rate (unitless). V therefore has the unit 1/cost-unit, and the **same decisions** result in another
unit only if V is rescaled with it: if every cost (measured costs, list costs and the initial estimate
``e_init``) is multiplied by k (e.g. k = 1e-6 from J to MJ, or k = USD per J), then V must be divided by k::

    V_new = V_old / k        so that  V_new * (k * E) = V_old * E   (identical scores, identical argmin).

A unit-free way to say the same: ``V_unitless = V * E_ref`` with ``E_ref`` the largest per-model mean cost per
request of the zoo in the cost unit used (:func:`unitless_V`, :func:`V_from_unitless`); ``V_unitless`` is the
cost weight of the most expensive model in units of "one satisfied request". The paper's V values stay in 1/J
(e.g. V = 1e-4 on ARC-Challenge, E_ref = 2002.6 J -> V_unitless = 0.200); mapping a unitless V back to J
reproduces them (tested: identical decisions).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_nonneg, check_positive, check_prob, check_range, fail

#: How the router estimates each model's cost before running it (spec §1.4, §6b):
#: ``last_explored`` - the authors' simulator: start at ``e_init`` for every model, overwrite with the measured
#: costs of the most recently explored request; ``running_mean`` - the authors' live code: running mean of every
#: measured cost of the model (exploration and exploitation), seeded with one value ``e_init`` (1e-6 there);
#: ``list`` - the known list costs of :class:`~llmroute.routers.base.ZooInfo`, never updated.
COST_ESTIMATES = ("last_explored", "running_mean", "list")

#: Which answer MESS+ serves on an exploration step, where it queries every model (spec §1.5):
#: ``largest`` - the paper's rule: the last (most expensive) model, assumed the most accurate;
#: ``best_estimate`` - the model with the highest running quality estimate (mean label over the earlier labelled
#: explorations, ties to the larger model); the largest model until the first labelled exploration.
SERVE_ON_EXPLORE = ("largest", "best_estimate")


@dataclass(frozen=True)
class MessPlusSettings:
    """alpha: SLA target in (0, 1); V > 0: cost weight (in 1/cost-unit); c >= 0: exploration constant
    (p_t = min(1, c / max(t, 1)^power), t 0-based); cost_estimate: one of :data:`COST_ESTIMATES`;
    e_init >= 0: initial cost estimate (1 for the simulator, 1e-6 for the live code); power in (0, 1]: the
    exponent of the exploration schedule (1/4 in the paper); serve_on_explore: one of :data:`SERVE_ON_EXPLORE`
    (default ``largest``, the paper's rule).

    Units: ``V`` is in 1/cost-unit and ``e_init`` in the cost unit; moving to a cost unit k times the current one
    (costs x k) gives the same decisions with ``V / k`` and ``e_init * k`` (module docstring, :func:`unitless_V`)."""

    alpha: float
    V: float
    c: float = 0.1
    cost_estimate: str = "last_explored"
    e_init: float = 1.0
    power: float = 0.25
    serve_on_explore: str = "largest"

    def __post_init__(self) -> None:
        check_prob("alpha", self.alpha, open_=True)
        check_positive("V", self.V)
        check_nonneg("c", self.c)
        check_choice("cost_estimate", self.cost_estimate, COST_ESTIMATES)
        check_nonneg("e_init", self.e_init)
        check_range("power", self.power, 0.0, 1.0, lo_open=True)
        check_choice("serve_on_explore", self.serve_on_explore, SERVE_ON_EXPLORE)
        if self.cost_estimate == "running_mean" and self.e_init <= 0:
            fail("e_init", self.e_init, "> 0 with cost_estimate='running_mean' (it seeds the running mean)")

    @classmethod
    def simulator(cls, alpha: float, V: float, c: float = 0.1) -> "MessPlusSettings":
        """The authors' simulator.py: last-explored costs, initialised to 1."""
        return cls(alpha=alpha, V=V, c=c, cost_estimate="last_explored", e_init=1.0)

    @classmethod
    def live(cls, alpha: float, V: float, c: float = 0.1) -> "MessPlusSettings":
        """The authors' main.py: running mean of all measured costs, seeded with 1e-6."""
        return cls(alpha=alpha, V=V, c=c, cost_estimate="running_mean", e_init=1e-6)


def explore_prob(t, c: float, power: float = 0.25):
    """p_t = min(1, c / max(t, 1)^power) for 0-based t (scalar or array)."""
    import numpy as np

    tt = np.maximum(np.asarray(t, dtype=float), 1.0)
    p = np.minimum(1.0, c / tt ** power)
    return float(p) if p.ndim == 0 else p


def unitless_V(V: float, mean_cost) -> float:
    """V_unitless = V * E_ref, E_ref = max_m (mean cost per request of model m) in the unit V refers to."""
    return check_positive("V", V) * _e_ref(mean_cost)


def V_from_unitless(V_unitless: float, mean_cost) -> float:
    """V = V_unitless / E_ref (inverse of :func:`unitless_V`; E_ref in the target cost unit)."""
    return check_positive("V_unitless", V_unitless) / _e_ref(mean_cost)


def _e_ref(mean_cost) -> float:
    e = np.asarray(mean_cost, dtype=float)
    if e.ndim != 1 or e.size == 0 or not np.all(np.isfinite(e)) or e.max() <= 0:
        fail("mean_cost", e, "a non-empty vector of finite per-model mean costs with a positive maximum")
    return float(e.max())


@dataclass(frozen=True)
class RoutingOverhead:
    """Router energy added to the LLM cost (spec §3.4: MESS+'s predictor; §3.6: the baselines' routers), in the
    outcomes' cost unit. **Off by default** (all zero): none of it is measured here.

    router_per_request: charged to the learned baselines (RouteLLM-style, RouterDC-style) on every request (one
    router forward pass); predictor_per_request: charged to MESS+ on every exploitation step (one predictor
    forward pass for s_hat); predictor_per_update: charged to MESS+ on every labelled exploration step (one
    online training step). Single models and educated guessing have no router and are never charged.
    """

    router_per_request: float = 0.0
    predictor_per_request: float = 0.0
    predictor_per_update: float = 0.0

    def __post_init__(self) -> None:
        check_nonneg("router_per_request", self.router_per_request)
        check_nonneg("predictor_per_request", self.predictor_per_request)
        check_nonneg("predictor_per_update", self.predictor_per_update)

    @property
    def enabled(self) -> bool:
        return self.router_per_request > 0 or self.predictor_per_request > 0 or self.predictor_per_update > 0

    @classmethod
    def encoder_estimate(cls, small_model_cost: float, *, encoder_params: float = 149e6,
                         small_params: float = 1.24e9, update_factor: float = 3.0) -> "RoutingOverhead":
        """An order-of-magnitude estimate from the data, not a measurement: one forward pass of an encoder with
        ``encoder_params`` parameters (ModernBERT-base, 149M, the MESS+ predictor's backbone; used for every
        router so that no side is favoured) costs ``small_model_cost * encoder_params / small_params``, i.e. the
        measured mean energy of one request to the smallest zoo model (Llama-3.2-1B, 1.24B parameters) scaled by
        parameter count (an over-estimate: that request runs one forward pass per answer choice). A training step
        is charged ``update_factor`` forward passes (forward + full backward; the authors' backbone is frozen, so
        this over-charges MESS+)."""
        f = check_positive("small_model_cost", small_model_cost) * check_positive("encoder_params", encoder_params) \
            / check_positive("small_params", small_params)
        return cls(router_per_request=f, predictor_per_request=f,
                   predictor_per_update=f * check_positive("update_factor", update_factor))
