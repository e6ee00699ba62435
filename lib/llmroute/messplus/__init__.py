"""MESS+ (Woisetschläger et al., 2025): SLA-constrained, cost-minimising routing with a virtual queue.

* :mod:`.settings` - :class:`MessPlusSettings` (alpha, V, c, cost estimate, what to serve on exploration), the
  exploration schedule, the cost-unit mapping of V and :class:`RoutingOverhead` (router energy, off by default);
* :mod:`.predictors` - satisfaction predictors (online numpy MLP / logistic, oracle, noisy oracle, constant,
  shrinkage), bound to the replayed table by request id;
* :mod:`.router` - :class:`MessPlus` on the shared router interface;
* :mod:`.grid` - :func:`simulate_grid`, the vectorised many-runs simulator (same decisions as the router);
* :mod:`.baselines` - RouteLLM-style and RouterDC-style baselines (our stand-ins, see there);
* :mod:`.equal_sla` - the equal-SLA protocol: V per benchmark, seed means with 95 % t-intervals, saving factors;
* :mod:`.theory` - the LP optimum E* and the reconstructed bounds checked in the theory notebook;
* :mod:`.features` - request features for the predictors (text stand-in for the frozen ModernBERT embedding;
  a re-export of :func:`llmroute.data.features.request_features`).
"""
from .grid import (ExplorationAssumptionWarning, GridResult, Trajectory, exploration_assumption, simulate_grid,
                   trajectory)
from .predictors import (ConstantPredictor, NoisyOraclePredictor, OnlineMLPPredictor, OraclePredictor,
                         SatisfactionPredictor, SGDSettings, ShrinkagePredictor, auc_for_noise_sd, bce_with_logits,
                         noise_sd_for_auc)
from .router import MessPlus, drift_plus_penalty_choice, queue_update
from .settings import (COST_ESTIMATES, SERVE_ON_EXPLORE, V_UNITS, MessPlusSettings, RoutingOverhead,
                       V_from_unitless, explore_prob, unitless_V)

__all__ = ["COST_ESTIMATES", "SERVE_ON_EXPLORE", "ConstantPredictor", "ExplorationAssumptionWarning", "GridResult",
           "MessPlus", "MessPlusSettings", "RoutingOverhead", "V_from_unitless", "exploration_assumption",
           "unitless_V", "V_UNITS", "NoisyOraclePredictor", "ShrinkagePredictor", "auc_for_noise_sd",
           "noise_sd_for_auc",
           "OnlineMLPPredictor", "OraclePredictor", "SGDSettings", "SatisfactionPredictor", "Trajectory",
           "bce_with_logits", "drift_plus_penalty_choice", "explore_prob", "queue_update", "simulate_grid",
           "trajectory"]
