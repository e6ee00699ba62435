"""The routing arena: every router on every dataset, with users who re-prompt or abandon (issue 6).

* :mod:`.users` — the reactive-user layer on the replay engine (:class:`ArenaUser`, :func:`run_arena`) and the
  user's best response from the simulated environment (:func:`retry_curves`, :func:`expected_under_q`,
  :func:`best_response_q`). It imports no other arena module (imports go one way: users <- metrics <-
  game_routers/catalog/findings).
* :mod:`.metrics` — per-router metrics, the user-provider misalignment gap and the exact expected utility of a
  static route under the arena's rules.
* :mod:`.catalog` — every dataset and router of the repository set up for the arena, and its users.
* :mod:`.findings` — the arena notebook's claims as tested functions of the run tables.
* :mod:`.game_routers` — the game's static and cascade policies as routers.
* :mod:`.grid` — sweeps on all cores (:func:`run_user_modes` shares runs across users of one router and seed).
"""
from .game_routers import GameCascade, GamePolicy, GameStatic, game_optimal_router, pair_params
from .grid import arena_modes_task, arena_task, run_arena_grid, run_arena_modes_grid, run_user_modes
from .metrics import (measured_params, misalignment, per_domain_static_utility, static_expected_utility,
                      static_game_table, summarise)
from .users import (ArenaResult, ArenaUser, best_response_q, domain_success_rates, expected_under_q,
                    latency_cost_table, retry_curves, run_arena)

__all__ = ["ArenaResult", "ArenaUser", "GameCascade", "GamePolicy", "GameStatic", "arena_modes_task", "arena_task",
           "best_response_q", "run_arena_modes_grid", "run_user_modes",
           "domain_success_rates", "expected_under_q", "game_optimal_router", "latency_cost_table",
           "measured_params", "misalignment", "pair_params", "per_domain_static_utility", "retry_curves",
           "run_arena", "run_arena_grid", "static_expected_utility", "static_game_table", "summarise"]
