"""The routing game of Mahmood (2026), "Routing, Cascades, and User Choice for LLMs" (spec: routing_game.md).

One provider (leader) routes a task to a standard model M1 or a reasoning model M2 and may cascade M1 -> M2
with probability ``s`` at every re-prompt; one user (follower) abandons after each failure with probability
``q``. Modules, one job each:

* :mod:`params` — :class:`Model`, :class:`GameParams`, :class:`Policy`, :class:`GameArrays` (§2.1-2.2)
* :mod:`closed_forms` — ``S, L, C, U, J`` for (1,s) and (2,0) (§3); :mod:`chain` — the same via N = (I-Q)^-1
* :mod:`simulate` — Monte-Carlo of the chain (§2.3)
* :mod:`best_response` — s0, s_L, s_H, interior q*, regimes, tie-breaking (§4.1)
* :mod:`provider` — closed-form candidates and brute force (§4.2); :mod:`lp` — the cvxpy LPs (§4.5)
* :mod:`misalignment` (§4.3), :mod:`throttling` (§4.4, plus a regulator's latency cap, ours)
* ours: :mod:`kchain` (K > 2), :mod:`population` (user types), :mod:`calibrate` (measured model pairs)
"""
from .response import REGIMES, best_response, q_interior, regime, s0, s_high, s_low
from .calibrate import game_from_pair, pair_predictions
from .closed_forms import J1, J2, U1, U2, Outcome, outcome, xi
from .params import GameArrays, GameParams, Model, Policy
from .provider import CANDIDATES, ProviderSolution, solve_brute_force, solve_closed_form

__all__ = ["REGIMES", "CANDIDATES", "GameArrays", "GameParams", "J1", "J2", "Model", "Outcome", "Policy",
           "ProviderSolution", "U1", "U2", "best_response", "game_from_pair", "outcome", "pair_predictions",
           "q_interior", "regime", "s0", "s_high", "s_low", "solve_brute_force", "solve_closed_form", "xi"]
