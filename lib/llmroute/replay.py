"""The replay engine: stream a dataset through a router and charge what the chosen models would have cost.

For every request of a seeded order the engine asks the router for a :class:`~llmroute.routers.base.Decision`,
charges the **sum of the costs of every queried model** (a router may query several, as MESS+ exploration
does), takes the latency as the **maximum** over the queried models (they are queried in parallel), serves
the chosen model's quality, and hands the queried models' outcomes back to the router (with the quality
hidden, NaN, on requests without feedback when ``feedback_rate < 1``).

Randomness: ``np.random.SeedSequence(seed)`` spawns three independent streams, for the request order, the
router and the feedback mask, so the same seed gives the same log bit for bit, and a router's draws do not
change the order.

Non-learning routers that implement ``choose_batch`` are replayed in one vectorised pass (same log
columns), which is what makes baseline sweeps fast (``make bench``).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ._validate import check_choice, check_int, check_prob
from .data.schema import Outcomes
from .routers.base import Decision, Feedback, Request, RequestBatch, Router, ZooInfo


def zoo_info(outcomes: Outcomes, list_cost: np.ndarray | None = None) -> ZooInfo:
    """The router-visible description of a dataset's zoo; list costs default to the per-model mean cost."""
    lc = outcomes.mean_cost() if list_cost is None else np.asarray(list_cost, dtype=float)
    return ZooInfo(models=outcomes.models, cost_unit=outcomes.cost_unit, list_cost=lc)


def stream_order(n_total: int, rng: np.random.Generator, order: str, n: int | None) -> np.ndarray:
    """Row order of a stream: ``shuffle`` (seeded permutation) or ``given`` (table order); first ``n`` rows."""
    rows = rng.permutation(n_total) if order == "shuffle" else np.arange(n_total)
    return rows[:n] if n is not None else rows


@dataclass(frozen=True)
class ReplayResult:
    """The per-step log of one replay (numpy columns; ``log`` is the same as a DataFrame) and its summary."""

    router: str
    dataset: str
    seed: int
    models: tuple[str, ...]
    cost_unit: str
    columns: dict[str, np.ndarray]

    @cached_property
    def log(self) -> pd.DataFrame:
        """One row per step: t, row, request_id, domain, served, queried_mask, n_queried, quality, cost,
        latency_s, running_quality, running_cost, and the router's own state columns."""
        return pd.DataFrame(self.columns)

    def summary(self) -> dict[str, Any]:
        """Mean quality, total and per-request cost, mean latency, served and queried model ratios."""
        c = self.columns
        lat = c["latency_s"]
        n = c["t"].size
        out: dict[str, Any] = {"router": self.router, "dataset": self.dataset, "seed": self.seed,
                               "n_requests": n, "mean_quality": float(c["quality"].mean()),
                               "total_cost": float(c["cost"].sum()), "cost_per_request": float(c["cost"].mean()),
                               "mean_latency_s": float(np.nanmean(lat)) if np.isfinite(lat).any() else float("nan")}
        served = np.bincount(c["served"], minlength=len(self.models)) / n
        mask = c["queried_mask"]
        for k, m in enumerate(self.models):
            out[f"served_{m}"] = float(served[k])
        for k, m in enumerate(self.models):
            out[f"queried_{m}"] = float(((mask >> k) & 1).mean())
        return out


def _log_columns(outcomes: Outcomes, rows: np.ndarray, served: np.ndarray, qmask: np.ndarray,
                 quality: np.ndarray, cost: np.ndarray, latency: np.ndarray,
                 extra: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    t = np.arange(rows.size)
    qmask = qmask.astype(np.int64)
    cols = {"t": t, "row": rows, "request_id": outcomes.request_id[rows], "domain": outcomes.domain[rows],
            "served": served.astype(np.int64), "queried_mask": qmask,
            "n_queried": np.bitwise_count(qmask).astype(np.int64),
            "quality": quality, "cost": cost, "latency_s": latency,
            "running_quality": np.cumsum(quality) / (t + 1), "running_cost": np.cumsum(cost) / (t + 1)}
    cols.update(extra)
    return cols


def _log_frame(outcomes: Outcomes, rows: np.ndarray, served: np.ndarray, qmask: np.ndarray,
               quality: np.ndarray, cost: np.ndarray, latency: np.ndarray,
               extra: dict[str, np.ndarray]) -> pd.DataFrame:
    """The per-step log as a DataFrame (see :func:`_log_columns`)."""
    return pd.DataFrame(_log_columns(outcomes, rows, served, qmask, quality, cost, latency, extra))


def prepare_stream(outcomes: Outcomes, *, seed: int, n: int | None, order: str, rows: np.ndarray | None,
                   feedback_rate: float) -> tuple[np.ndarray, np.random.SeedSequence, tuple[np.random.Generator, ...]]:
    """Validate the stream settings; return the row order, the seed sequence and its first three children
    (order, router and feedback generators). Callers that need more streams spawn again from the sequence."""
    check_choice("order", order, ("shuffle", "given"))
    check_prob("feedback_rate", feedback_rate)
    if n is not None:
        check_int("n", n, 1, outcomes.n_requests)
    ss = np.random.SeedSequence(check_int("seed", seed, 0))
    order_rng, router_rng, fb_rng = (np.random.default_rng(s) for s in ss.spawn(3))
    if rows is None:
        rows = stream_order(outcomes.n_requests, order_rng, order, n)
    else:
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0 or rows.min() < 0 or rows.max() >= outcomes.n_requests:
            raise ValueError(f"rows must be non-empty indices into {outcomes.name} (0..{outcomes.n_requests - 1})")
    return rows, ss, (order_rng, router_rng, fb_rng)


def start_router(router: Router, outcomes: Outcomes, list_cost: np.ndarray | None,
                 rng: np.random.Generator) -> None:
    """Prepare ``router`` for a stream of ``outcomes``: :meth:`Router.bind` (per-request tables such as MESS+'s
    predictor are bound to this table by request id), then :meth:`Router.reset` with the zoo and ``rng``.
    Every engine that streams an outcome table through a router calls this before the first request."""
    router.bind(outcomes)
    router.reset(zoo_info(outcomes, list_cost), rng)


def latency_table(outcomes: Outcomes) -> np.ndarray:
    """The (n, m) latency table in seconds, all NaN when the source has none."""
    return outcomes.latency if outcomes.latency is not None else np.full(outcomes.quality.shape, np.nan)


def batch_choices(outcomes: Outcomes, router: Router, rows: np.ndarray) -> np.ndarray | None:
    """Served models of a non-learning router's vectorised path (``choose_batch``), validated; else None."""
    if router.learns:
        return None
    batch = RequestBatch(rows=rows, domain=outcomes.domain[rows],
                         features=None if outcomes.features is None else outcomes.features[rows],
                         text=None if outcomes.text is None else outcomes.text[rows])
    served = router.resolve_batch(router.choose_batch(batch))
    if served is None:
        return None
    if served.shape != rows.shape or served.min() < 0 or served.max() >= outcomes.n_models:
        raise ValueError(f"{router.name}: choose_batch returned invalid model indices")
    return served


def replay(outcomes: Outcomes, router: Router, *, seed: int = 0, n: int | None = None, order: str = "shuffle",
           rows: np.ndarray | None = None, feedback_rate: float = 1.0, list_cost: np.ndarray | None = None,
           ) -> ReplayResult:
    """Replay ``outcomes`` through ``router``.

    Parameters: ``seed`` (order, router and feedback streams), ``n`` (first n requests of the order),
    ``order`` ("shuffle" or "given"), ``rows`` (an explicit row order, overriding both), ``feedback_rate``
    (probability that a request reveals its labels to the router), ``list_cost`` (per-model costs the router
    is told; default the dataset's means).
    """
    rows, ss, (order_rng, router_rng, fb_rng) = prepare_stream(outcomes, seed=seed, n=n, order=order, rows=rows,
                                                               feedback_rate=feedback_rate)
    start_router(router, outcomes, list_cost, router_rng)
    lat_table = latency_table(outcomes)
    served = batch_choices(outcomes, router, rows)
    if served is not None:
        return ReplayResult(router.name, outcomes.name, seed, outcomes.models, outcomes.cost_unit,
                            _log_columns(outcomes, rows, served, np.left_shift(1, served), outcomes.quality[rows, served],
                                         outcomes.cost[rows, served], lat_table[rows, served], {}))

    T = rows.size
    served = np.empty(T, dtype=np.int64)
    qmask = np.empty(T, dtype=np.int64)
    quality = np.empty(T)
    cost = np.empty(T)
    latency = np.empty(T)
    labelled = fb_rng.random(T) < feedback_rate if feedback_rate < 1.0 else np.ones(T, dtype=bool)
    extra: dict[str, list[float]] = {}
    has_text = outcomes.text is not None
    has_feat = outcomes.features is not None
    for t in range(T):
        r = int(rows[t])
        req = Request(t=t, row=r, domain=str(outcomes.domain[r]),
                      features=outcomes.features[r] if has_feat else None,
                      text=str(outcomes.text[r]) if has_text else None)
        d = router.resolve(router.choose(req))
        d = d if isinstance(d, Decision) else Decision(serve=d)
        q = np.fromiter(d.query, dtype=np.int64)
        if q.min() < 0 or q.max() >= outcomes.n_models:
            raise ValueError(f"{router.name} chose model(s) {d.query}; the zoo has models 0..{outcomes.n_models - 1}")
        served[t] = d.serve
        qmask[t] = int(np.bitwise_or.reduce(np.left_shift(1, q)))
        quality[t] = outcomes.quality[r, d.serve]
        cost[t] = outcomes.cost[r, q].sum()
        lq = lat_table[r, q]
        latency[t] = np.nan if np.isnan(lq).all() else np.nanmax(lq)
        fq = outcomes.quality[r, q] if labelled[t] else np.full(q.size, np.nan)
        router.observe(req, Feedback(query=d.query, quality=fq, cost=outcomes.cost[r, q], latency=lq,
                                     serve=d.serve, labelled=bool(labelled[t])))
        for key, val in router.state().items():
            extra.setdefault(key, [np.nan] * t).append(float(val))
    ext = {k: np.asarray(v + [np.nan] * (T - len(v))) for k, v in extra.items()}
    if feedback_rate < 1.0:
        ext["labelled"] = labelled
    return ReplayResult(router.name, outcomes.name, seed, outcomes.models, outcomes.cost_unit,
                        _log_columns(outcomes, rows, served, qmask, quality, cost, latency, ext))


SCHEDULERS = ("local", "serial", "dask")


def _dask_address(scheduler: str) -> str:
    """``dask://HOST:PORT`` -> ``tcp://HOST:PORT``; ``tcp://``/``tls://``/``inproc://`` addresses pass unchanged."""
    if scheduler.startswith("dask://"):
        return "tcp://" + scheduler[len("dask://"):]
    return scheduler


def is_dask_scheduler(scheduler: Any) -> bool:
    """True for a Dask address (``dask://host:port``, ``tcp://host:port``, ...) or a ``distributed.Client``."""
    if isinstance(scheduler, str):
        return scheduler.startswith(("dask://", "tcp://", "tls://", "inproc://", "ucx://"))
    return type(scheduler).__name__ == "Client" and type(scheduler).__module__.startswith("distributed")


def run_grid(tasks: Sequence[dict[str, Any]], run: Callable[..., dict[str, Any]], *, n_jobs: int = -1,
             progress: bool = True, desc: str = "replays", scheduler: Any = "local") -> pd.DataFrame:
    """Run ``run(**task)`` for every task with a progress bar; one row per task, in task order.

    ``scheduler`` says where the tasks run:

    * ``"local"`` (default) — local processes through joblib (loky), ``n_jobs`` of them (-1: all cores);
    * ``"serial"`` — one after the other in this process (debugging; same results);
    * a Dask distributed scheduler address (``"tcp://host:8786"``, or ``"dask://host:8786"``), or a
      ``distributed.Client`` — the tasks are submitted to that cluster (``pip install 'llmroute[distributed]'``),
      e.g. one started with ``dask scheduler`` and ``dask worker`` on the machines of a lab.

    ``run`` must be a module-level function returning a dict (e.g. ``ReplayResult.summary()`` plus the task's
    settings), and every random draw of a task must come from a seed in the task; then the result does not
    depend on where or in which order the tasks ran, so every scheduler gives the same table bit for bit.
    """
    from tqdm.auto import tqdm

    tasks = list(tasks)
    if is_dask_scheduler(scheduler):
        return pd.DataFrame(_run_dask(tasks, run, scheduler, progress=progress, desc=desc))
    if not isinstance(scheduler, str) or scheduler not in ("local", "serial"):
        raise ValueError(f"scheduler = {scheduler!r} is not allowed: must be 'local', 'serial', a Dask scheduler "
                         f"address ('tcp://host:port' or 'dask://host:port') or a distributed.Client")
    it: Iterable = tqdm(tasks, desc=desc, disable=not progress)
    if scheduler == "serial":
        return pd.DataFrame([run(**task) for task in it])
    from joblib import Parallel, delayed

    rows = Parallel(n_jobs=n_jobs, return_as="list")(delayed(run)(**task) for task in it)
    return pd.DataFrame(rows)


def _call(run: Callable[..., dict[str, Any]], task: dict[str, Any]) -> dict[str, Any]:
    return run(**task)


def _run_dask(tasks: list[dict[str, Any]], run: Callable[..., dict[str, Any]], scheduler: Any, *,
              progress: bool, desc: str) -> list[dict[str, Any]]:
    try:
        from distributed import Client
    except ImportError as e:
        raise ImportError("a Dask scheduler needs dask.distributed: pip install 'llmroute[distributed]' "
                          "(or pip install 'dask[distributed]')") from e
    from tqdm.auto import tqdm

    own = isinstance(scheduler, str)
    client = Client(_dask_address(scheduler), set_as_default=False) if own else scheduler
    try:
        futures = [client.submit(_call, run, task, pure=False) for task in tasks]
        rows = []
        for fut in tqdm(futures, desc=desc, disable=not progress):  # in task order
            rows.append(fut.result())
        return rows
    finally:
        if own:
            client.close()
