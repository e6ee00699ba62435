"""The routing arena: every router on every dataset, with users who re-prompt or abandon (issue 6).

* :mod:`.users` — the reactive-user layer on the replay engine (:class:`ArenaUser`, :func:`run_arena`).
* :mod:`.metrics` — per-router metrics, the user-provider misalignment gap and the exact expected utility of a
  static route under the arena's rules.
* :mod:`.catalog` — every dataset and router of the repository set up for the arena, and its users.
* :mod:`.findings` — the arena notebook's claims as tested functions of the run tables.
* :mod:`.game_routers` — the game's static and cascade policies as routers.
* :mod:`.grid` — sweeps on all cores.
"""
from .game_routers import GameCascade, GamePolicy, GameStatic, game_optimal_router, measure_pair
from .grid import arena_task, run_arena_grid
from .metrics import (measured_params, misalignment, per_domain_static_utility, static_expected_utility,
                      static_game_table, summarise)
from .users import ArenaResult, ArenaUser, domain_success_rates, latency_cost_table, run_arena

__all__ = ["ArenaResult", "ArenaUser", "GameCascade", "GamePolicy", "GameStatic", "arena_task",
           "domain_success_rates", "game_optimal_router", "latency_cost_table", "measure_pair", "measured_params",
           "misalignment", "per_domain_static_utility", "run_arena", "run_arena_grid", "static_expected_utility",
           "static_game_table", "summarise"]
