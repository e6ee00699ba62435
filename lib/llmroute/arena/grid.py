"""Arena sweeps: routers x datasets x users x seeds on all cores (:func:`llmroute.replay.run_grid`)."""
from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from ..data.schema import Outcomes
from ..replay import run_grid
from ..routers.base import Router
from .users import ArenaUser, run_arena


def arena_task(outcomes: Outcomes, router: Router | Callable[[Outcomes], Router], user: ArenaUser, seed: int,
               n: int | None = None, sla_alpha: float | None = None, labels: dict[str, Any] | None = None,
               feedback_rate: float = 1.0) -> dict[str, Any]:
    """One arena run -> its summary row (module-level so joblib can ship it). ``router`` is a Router (copied)
    or a factory ``f(outcomes) -> Router``; ``labels`` are extra columns (e.g. dataset and user labels)."""
    r = copy.deepcopy(router) if isinstance(router, Router) else router(outcomes)
    res = run_arena(outcomes, r, user, seed=seed, n=n, feedback_rate=feedback_rate)
    row = res.summary(sla_alpha=sla_alpha)
    row.update(labels or {})
    return row


def run_arena_grid(tasks: Sequence[dict[str, Any]], *, n_jobs: int = -1, progress: bool = True) -> pd.DataFrame:
    """Run :func:`arena_task` for every task dict on all cores with a progress bar; rows in task order."""
    return run_grid(tasks, arena_task, n_jobs=n_jobs, progress=progress, desc="arena")
