"""Settings of the MESS+ router (spec messplus.md §1.3-1.7), validated once, immutable."""
from __future__ import annotations

from dataclasses import dataclass

from .._validate import check_choice, check_nonneg, check_positive, check_prob, check_range, fail

#: How the router estimates each model's cost before running it (spec §1.4, §6b):
#: ``last_explored`` - the authors' simulator: start at ``e_init`` for every model, overwrite with the measured
#: costs of the most recently explored request; ``running_mean`` - the authors' live code: running mean of every
#: measured cost of the model (exploration and exploitation), seeded with one value ``e_init`` (1e-6 there);
#: ``list`` - the known list costs of :class:`~llmroute.routers.base.ZooInfo`, never updated.
COST_ESTIMATES = ("last_explored", "running_mean", "list")


@dataclass(frozen=True)
class MessPlusSettings:
    """alpha: SLA target in (0, 1); V > 0: cost weight (in 1/cost-unit); c >= 0: exploration constant
    (p_t = min(1, c / max(t, 1)^power), t 0-based); cost_estimate: one of :data:`COST_ESTIMATES`;
    e_init >= 0: initial cost estimate (1 for the simulator, 1e-6 for the live code); power in (0, 1]: the
    exponent of the exploration schedule (1/4 in the paper)."""

    alpha: float
    V: float
    c: float = 0.1
    cost_estimate: str = "last_explored"
    e_init: float = 1.0
    power: float = 0.25

    def __post_init__(self) -> None:
        check_prob("alpha", self.alpha, open_=True)
        check_positive("V", self.V)
        check_nonneg("c", self.c)
        check_choice("cost_estimate", self.cost_estimate, COST_ESTIMATES)
        check_nonneg("e_init", self.e_init)
        check_range("power", self.power, 0.0, 1.0, lo_open=True)
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
