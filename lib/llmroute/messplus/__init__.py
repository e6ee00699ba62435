"""MESS+ (Woisetschläger et al., 2025): SLA-constrained, cost-minimising routing with a virtual queue.

* :mod:`.settings` - :class:`MessPlusSettings` (alpha, V, c, cost estimate, what to serve on exploration), the
  exploration schedule, the cost-unit mapping of V and :class:`RoutingOverhead` (router energy, off by default);
* :mod:`.predictors` - satisfaction predictors (online numpy MLP / logistic, oracle, constant);
* :mod:`.router` - :class:`MessPlus` on the shared router interface;
* :mod:`.grid` - :func:`simulate_grid`, the vectorised many-runs simulator (same decisions as the router);
* :mod:`.baselines` - RouteLLM-style and RouterDC-style baselines (our stand-ins, see there);
* :mod:`.equal_sla` - the equal-SLA protocol: V per benchmark, seed means with 95 % t-intervals, saving factors;
* :mod:`.theory` - the LP optimum E* and the reconstructed bounds checked in the theory notebook;
* :mod:`.features` - request features for the predictors (text stand-in for the frozen ModernBERT embedding).
"""
from .grid import (ExplorationAssumptionWarning, GridResult, Trajectory, exploration_assumption, simulate_grid,
                   trajectory)
from .predictors import (ConstantPredictor, OnlineMLPPredictor, OraclePredictor, SatisfactionPredictor,
                         SGDSettings, bce_with_logits)
from .router import MessPlus, drift_plus_penalty_choice, queue_update
from .settings import (COST_ESTIMATES, SERVE_ON_EXPLORE, MessPlusSettings, RoutingOverhead, V_from_unitless,
                       explore_prob, unitless_V)

__all__ = ["COST_ESTIMATES", "SERVE_ON_EXPLORE", "ConstantPredictor", "ExplorationAssumptionWarning", "GridResult",
           "MessPlus", "MessPlusSettings", "RoutingOverhead", "V_from_unitless", "exploration_assumption",
           "unitless_V",
           "OnlineMLPPredictor", "OraclePredictor", "SGDSettings", "SatisfactionPredictor", "Trajectory",
           "bce_with_logits", "drift_plus_penalty_choice", "explore_prob", "queue_update", "simulate_grid",
           "trajectory"]
