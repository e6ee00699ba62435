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

As a knob: ``MessPlusSettings(alpha, V=0.2, V_unit="unitless")`` means V_unitless = 0.2 whatever the cost unit;
the router maps it to ``V / E_ref`` at :meth:`~llmroute.messplus.router.MessPlus.reset` with E_ref the largest
of the zoo's list costs (by default the replayed table's per-model mean cost), and
:func:`~llmroute.messplus.grid.simulate_grid` does the same with ``V_unit="unitless"`` (E_ref = the table's
largest per-model mean cost). ``V_unit="per-cost-unit"`` (default) is the paper's V (1/J on the energy tables).
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

#: The unit of ``MessPlusSettings.V``: ``per-cost-unit`` - 1/(the outcomes' cost unit), the paper's V (1/J);
#: ``unitless`` - V_unitless = V * E_ref, E_ref = the zoo's largest per-model mean cost per request
#: (:func:`unitless_V`), the same on any cost unit.
V_UNITS = ("per-cost-unit", "unitless")


@dataclass(frozen=True)
class MessPlusSettings:
    """alpha: SLA target in (0, 1), unitless (a satisfaction rate); V > 0: cost weight, in the unit ``V_unit``
    (one of :data:`V_UNITS`: ``per-cost-unit`` (default) - 1/(the outcomes' cost unit), the paper's V, e.g. 1e-4 per J;
    ``unitless`` - V times the zoo's largest per-model mean cost, so one value means the same on J, USD or any
    unit; the paper's 1e-4 per J on ARC-Challenge is 0.200 unitless); c >= 0: exploration constant
    (p_t = min(1, c / max(t, 1)^power), t 0-based); cost_estimate: one of :data:`COST_ESTIMATES`;
    e_init >= 0: initial cost estimate (1 for the simulator, 1e-6 for the live code); power in (0, 1]: the
    exponent of the exploration schedule (1/4 in the paper); serve_on_explore: one of :data:`SERVE_ON_EXPLORE`
    (default ``largest``, the paper's rule).

    Units: ``V`` is in 1/cost-unit (``V_unit="per-cost-unit"``) or unitless, ``e_init`` in the cost unit; moving to a cost unit k times the current one
    (costs x k) gives the same decisions with ``V / k`` and ``e_init * k`` (module docstring, :func:`unitless_V`)."""

    alpha: float
    V: float
    c: float = 0.1
    cost_estimate: str = "last_explored"
    e_init: float = 1.0
    power: float = 0.25
    serve_on_explore: str = "largest"
    V_unit: str = "per-cost-unit"

    def __post_init__(self) -> None:
        check_prob("alpha", self.alpha, open_=True)
        check_positive("V", self.V)
        check_nonneg("c", self.c)
        check_choice("cost_estimate", self.cost_estimate, COST_ESTIMATES)
        check_nonneg("e_init", self.e_init)
        check_range("power", self.power, 0.0, 1.0, lo_open=True)
        check_choice("serve_on_explore", self.serve_on_explore, SERVE_ON_EXPLORE)
        check_choice("V_unit", self.V_unit, V_UNITS)
        if self.cost_estimate == "running_mean" and self.e_init <= 0:
            fail("e_init", self.e_init, "> 0 with cost_estimate='running_mean' (it seeds the running mean)")

    def V_per_cost_unit(self, mean_cost) -> float:
        """V in 1/cost-unit, the value the rule ``V * E_hat + Q (alpha - s_hat)`` uses: ``V`` itself when
        ``V_unit="per-cost-unit"``, else ``V / E_ref`` (:func:`V_from_unitless`) with E_ref = max(``mean_cost``),
        the zoo's per-model mean cost per request in the cost unit of the replayed table."""
        return float(self.V) if self.V_unit == "per-cost-unit" else V_from_unitless(self.V, mean_cost)

    @classmethod
    def simulator(cls, alpha: float, V: float, c: float = 0.1, V_unit: str = "per-cost-unit") -> "MessPlusSettings":
        """The authors' simulator.py: last-explored costs, initialised to 1."""
        return cls(alpha=alpha, V=V, c=c, cost_estimate="last_explored", e_init=1.0, V_unit=V_unit)

    @classmethod
    def live(cls, alpha: float, V: float, c: float = 0.1, V_unit: str = "per-cost-unit") -> "MessPlusSettings":
        """The authors' main.py: running mean of all measured costs, seeded with 1e-6."""
        return cls(alpha=alpha, V=V, c=c, cost_estimate="running_mean", e_init=1e-6, V_unit=V_unit)


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
