"""Arena sweeps: routers x datasets x users x seeds on all cores (:func:`llmroute.replay.run_grid`)."""
from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from ..data.schema import Outcomes
from ..replay import run_grid
from ..routers.base import Router
from .users import Q_GRID, ArenaResult, ArenaUser, best_response_q, retry_curves, run_arena


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


def _same_user_at_q1(a: ArenaUser, b: ArenaUser) -> bool:
    """Two users whose runs at ``q = 1`` coincide (no re-prompt happens: redraw mode and cap do not matter
    unless the cap is one pass, which makes a failed task capped rather than abandoned)."""
    keys = ("V", "t", "latency_rate", "latency_s", "P", "success_threshold")
    return all(getattr(a, k) == getattr(b, k) for k in keys) and (a.max_attempts == 1) == (b.max_attempts == 1)


def run_user_modes(outcomes: Outcomes, router: Router, users: Mapping[str, ArenaUser], seed: int,
                   n: int | None = None) -> dict[str, ArenaResult]:
    """Every user of ``users`` on one router and seed, sharing runs: :func:`~.users.run_arena` for given ``q``;
    for ``q="best_response"`` the ``q = 0`` run and its simulated ``U(q)`` (:func:`~.users.best_response_q`),
    then the run at ``q*`` -- taken from a given-``q = 1`` user of ``users`` when ``q* = 1`` and that user's run
    coincides (:func:`_same_user_at_q1`; the same seed gives the same log), else run. Each best-response
    result carries ``meta["retry_curves"]``. Identical to calling :func:`~.users.run_arena` per user."""
    out: dict[str, ArenaResult] = {}
    for mode, u in users.items():
        if not isinstance(u.q, str):
            out[mode] = run_arena(outcomes, copy.deepcopy(router), u, seed=seed, n=n)
    for mode, u in users.items():
        if not isinstance(u.q, str):
            continue
        res0 = run_arena(outcomes, copy.deepcopy(router), replace(u, q=0.0), seed=seed, n=n)
        curves = retry_curves(res0)
        q, U = best_response_q(curves)
        src = (f"best response (simulated U(q), q on a grid of {Q_GRID.size}, common random numbers): "
               f"U(0)={U[0]:.4g}, U(1)={U[-1]:.4g}, U(q*)={U.max():.4g}")
        if q == 0.0:
            res = res0
        else:
            twin = next((m for m, v in users.items() if not isinstance(v.q, str) and v.q == 1.0
                         and _same_user_at_q1(u, v)), None) if q == 1.0 else None
            res = out[twin] if twin is not None else \
                run_arena(outcomes, copy.deepcopy(router), replace(u, q=q), seed=seed, n=n)
        out[mode] = replace(res, user=u.describe(), q_used=q, q_source=src,
                            meta={**res.meta, "redraw": u.redraw, "retry_curves": curves})
    return {m: out[m] for m in users}


def arena_modes_task(outcomes: Outcomes, router: Router, users: Mapping[str, ArenaUser], seed: int,
                     sla_alpha: float | None = None, labels: dict[str, Any] | None = None,
                     n: int | None = None) -> dict[str, Any]:
    """:func:`run_user_modes` -> ``{"rows": [summary row per user mode (column "user"), with "_curves" for
    best-response users]}`` (module-level so joblib can ship it)."""
    rows = []
    for mode, res in run_user_modes(outcomes, router, users, seed, n=n).items():
        row = res.summary(sla_alpha=sla_alpha)
        row.update(labels or {})
        row["user"] = mode
        row["_curves"] = res.meta.get("retry_curves")
        rows.append(row)
    return {"rows": rows}


def run_arena_modes_grid(tasks: Sequence[dict[str, Any]], *, n_jobs: int = -1,
                         progress: bool = True) -> pd.DataFrame:
    """Run :func:`arena_modes_task` for every task on all cores; one row per (task, user mode), in task order."""
    df = run_grid(tasks, arena_modes_task, n_jobs=n_jobs, progress=progress, desc="arena")
    return pd.DataFrame([r for rs in df["rows"] for r in rs])
