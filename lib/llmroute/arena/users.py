"""Reactive users on the replay engine: a request is a *task*; after a failed answer the user re-prompts or abandons.

The user follows the routing game's user model (``shared/specs/routing_game.md`` §2, Mahmood 2026):

* ``V`` — the value of a solved task to the user (value units).
* a **latency cost per pass**: either ``t`` (one number per model, value units per pass, "given directly") or
  ``latency_rate`` (value units per second) times the **measured latency of that pass** in seconds (the
  served request's stored ``latency`` for the queried models; when the data has no latency, ``latency_s`` gives
  seconds per model). Passes that query several models cost the slowest one (they run in parallel).
* a **stationary abandonment probability** ``q``: after every failed pass the user leaves with probability
  ``q`` and re-prompts otherwise. ``q`` is either a number (*given*) or ``"best_response"``: then the arena
  computes the user's best response **from the simulated environment itself** (:func:`best_response_q`): it
  runs the task stream once with ``q = 0`` (every re-prompt that the cap allows happens; redraw mode, retry
  routing, cap and per-row latency all as in the real run) and evaluates the user's expected utility ``U(q)`` of
  every ``q`` on a grid from that run's passes (:func:`retry_curves`, :func:`expected_under_q`: the path of a
  task under ``q`` is the ``q = 0`` path cut at the first failure where the user leaves, so the expectation over
  the abandonment coins is exact given the run's draws — common random numbers for every ``q``); ``q*`` is the
  grid point of highest ``U`` (the smallest such ``q`` on ties) and the run is repeated with ``q*`` on the same
  seed. The chosen value and its source are recorded in the result.
* a cap ``max_attempts`` on passes per task. A task ends **abandoned by choice** when the user leaves after a
  failure, and **capped** when the user would re-prompt but the cap is reached; both end unsolved.

A re-prompt is routed again: the router sees ``Request(attempt=a, tried=models so far)`` for the same row.
What a re-prompt returns on real data is the ``redraw`` parameter, recorded in every output:

* ``"independent"`` — a fresh i.i.d. pass (the game's passes): for **each** queried model separately, a donor
  request is drawn uniformly from the task's domain and the model's stored correctness **and latency** on that
  donor are returned (so a re-prompt succeeds with the model's per-domain success rate, the latency of failed
  and solved answers keeps its own distribution, and models are drawn independently of each other). The
  provider's cost of the pass stays the task's own row (the prompt is the same);
* ``"same"`` — the same request's stored outcome (deterministic models: the same model fails again, only a
  different model can help).

The **first** pass of every task always uses the stored outcome, so a *passive* user (``q = 1``: no
re-prompts) reproduces the plain :func:`llmroute.replay.replay` log bit for bit for the same seed
(same order, router and feedback streams; the user's draws come from further independent streams).

The provider is charged every pass's cost (the sum over queried models, as in replay). Per task the arena
records attempts, solved, abandoned (= ended unsolved, by choice or at the cap), abandoned_by_choice, capped,
total cost, total latency (the seconds the latency cost used: a pass with missing latency counts the model's
mean, in both), latency cost and the user's utility ``V * solved - latency cost``.

This module is the bottom of the arena's imports: it imports nothing from :mod:`.metrics` or
:mod:`.game_routers` (both import it).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from .._validate import check_choice, check_int, check_nonneg, check_positive, check_prob, check_vector, fail
from ..data.schema import Outcomes
from ..replay import _log_frame, batch_choices, latency_table, prepare_stream, start_router, zoo_info
from ..routers.base import Decision, Feedback, Request, Router

REDRAW = ("independent", "same")


@dataclass(frozen=True)
class ArenaUser:
    """The user model of the arena (game §2) plus the provider's churn penalty ``P`` used in ``J``.

    Exactly one of ``t`` (value units per pass, per model) and ``latency_rate`` (value units per second) may be
    given; with neither, latency costs nothing. ``q`` is a probability or ``"best_response"``.
    ``success_threshold``: a pass solves the task iff its quality >= this (exact for 0/1 correctness).
    """

    V: float = 1.0
    t: tuple[float, ...] | None = None
    latency_rate: float | None = None
    latency_s: tuple[float, ...] | None = None
    q: float | str = 0.0
    max_attempts: int = 10
    redraw: str = "independent"
    P: float = 0.0
    success_threshold: float = 0.5

    def __post_init__(self) -> None:
        check_positive("V", self.V)
        if self.t is not None and self.latency_rate is not None:
            fail("t", self.t, "None when latency_rate is given (give one of t and latency_rate)")
        if self.t is not None:
            object.__setattr__(self, "t", check_vector("t", self.t, 0.0))
        if self.latency_rate is not None:
            check_nonneg("latency_rate", self.latency_rate)
        if self.latency_s is not None:
            object.__setattr__(self, "latency_s", check_vector("latency_s", self.latency_s, 0.0))
        if isinstance(self.q, str):
            check_choice("q", self.q, ("best_response",))
        else:
            check_prob("q", self.q)
        check_int("max_attempts", self.max_attempts, 1)
        check_choice("redraw", self.redraw, REDRAW)
        check_nonneg("P", self.P)
        check_prob("success_threshold", self.success_threshold)

    @classmethod
    def passive(cls, **kw: Any) -> "ArenaUser":
        """A user who never re-prompts (the game's ``q = 1``): the plain replay engine's user."""
        kw = {**kw, "q": 1.0}
        return cls(**kw)

    @property
    def is_passive(self) -> bool:
        return not isinstance(self.q, str) and self.q >= 1.0

    def describe(self) -> dict[str, Any]:
        d = asdict(self)
        d["t"] = None if self.t is None else list(self.t)
        d["latency_s"] = None if self.latency_s is None else list(self.latency_s)
        return d


#: The grid of abandonment probabilities the simulated best response searches (steps of 0.01, both ends).
Q_GRID: np.ndarray = np.linspace(0.0, 1.0, 101)


def latency_cost_table(outcomes: Outcomes, user: ArenaUser) -> np.ndarray:
    """Per (request, model) latency cost of one pass, in value units (see the module docstring)."""
    n, m = outcomes.quality.shape
    if user.t is not None:
        if len(user.t) != m:
            fail("t", user.t, f"a sequence of length {m} (one per model of {outcomes.name})")
        return np.broadcast_to(np.asarray(user.t, dtype=float), (n, m)).copy()
    if user.latency_rate is None:
        return np.zeros((n, m))
    lat = latency_seconds(outcomes, user)
    return user.latency_rate * lat


def latency_seconds(outcomes: Outcomes, user: ArenaUser) -> np.ndarray:
    """Per (request, model) seconds of one pass: measured latency, NaN filled by the model's mean or by
    ``user.latency_s``; raises when neither exists."""
    n, m = outcomes.quality.shape
    if outcomes.latency is not None and np.isfinite(outcomes.latency).any(axis=0).all():
        lat = outcomes.latency.copy()
        means = np.nanmean(np.where(np.isfinite(lat), lat, np.nan), axis=0)
        bad = ~np.isfinite(lat)
        lat[bad] = np.broadcast_to(means, (n, m))[bad]
        return lat
    if user.latency_s is None:
        raise ValueError(f"{outcomes.name} has no measured latency for every model; give latency_s (seconds per "
                         f"model) or t (value units per pass) to the ArenaUser")
    if len(user.latency_s) != m:
        fail("latency_s", user.latency_s, f"a sequence of length {m} (one per model of {outcomes.name})")
    return np.broadcast_to(np.asarray(user.latency_s, dtype=float), (n, m)).copy()


def _seconds_used(outcomes: Outcomes, user: ArenaUser) -> np.ndarray:
    """Seconds per (request, model) that the task's latency counts: :func:`latency_seconds` when it exists
    (missing cells = the model's mean, as in the latency cost), else the measured table (NaN where missing)."""
    try:
        return latency_seconds(outcomes, user)
    except ValueError:
        return latency_table(outcomes)


def domain_success_rates(outcomes: Outcomes, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-domain success rate of every model: returns (domain index per row, rates (n_domains, m))."""
    doms, idx = np.unique(outcomes.domain, return_inverse=True)
    solved = (outcomes.quality >= threshold).astype(float)
    rates = np.zeros((doms.size, outcomes.n_models))
    np.add.at(rates, idx, solved)
    rates /= np.bincount(idx, minlength=doms.size)[:, None]
    return idx.astype(np.int64), rates


def domain_rows(outcomes: Outcomes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows grouped by domain, for independent redraws: (domain index per row, rows sorted by domain, start
    offset of each domain in that order and the end as the last entry)."""
    _, idx = np.unique(outcomes.domain, return_inverse=True)
    order = np.argsort(idx, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(idx))])
    return idx.astype(np.int64), order.astype(np.int64), starts.astype(np.int64)


@dataclass(frozen=True)
class ArenaResult:
    """One arena run: the per-pass log (replay's columns plus ``task``, ``attempt``, ``solved``,
    ``latency_cost``, ``latency_s_used``) and the per-task table. ``meta["retry_curves"]`` holds the
    :func:`retry_curves` of the ``q = 0`` run when the best response was computed."""

    router: str
    dataset: str
    seed: int
    models: tuple[str, ...]
    cost_unit: str
    user: dict[str, Any]
    q_used: float
    q_source: str
    passes: pd.DataFrame
    tasks: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self, sla_alpha: float | None = None) -> dict[str, Any]:
        return summarise(self, sla_alpha=sla_alpha)


def summarise(res: ArenaResult, sla_alpha: float | None = None) -> dict[str, Any]:
    """One row of arena metrics for a run (see :mod:`.metrics` for the definitions)."""
    tk, ps = res.tasks, res.passes
    n = len(tk)
    total = float(tk["total_cost"].sum())
    n_solved = int(tk["solved"].sum())
    S = n_solved / n
    P = float(res.user.get("P", 0.0))
    out: dict[str, Any] = {
        "router": res.router, "dataset": res.dataset, "seed": res.seed, "redraw": res.meta.get("redraw"),
        "q": res.q_used, "q_source": res.q_source, "V": res.user["V"], "max_attempts": res.user["max_attempts"],
        "n_tasks": n, "n_passes": len(ps), "mean_attempts": float(tk["attempts"].mean()),
        "success_rate": S, "abandon_rate": 1.0 - S, "abandon_choice_rate": float(tk["abandoned_by_choice"].mean()),
        "capped_rate": float(tk["capped"].mean()),
        "cost_per_task": total / n, "cost_per_pass": total / len(ps),
        "cost_per_solved": total / n_solved if n_solved else float("inf"),
        "user_utility": float(tk["utility"].mean()), "user_utility_se": float(tk["utility"].std(ddof=1) / np.sqrt(n))
        if n > 1 else float("nan"),
        "latency_cost_per_task": float(tk["latency_cost"].mean()),
        "latency_s_per_task": float(tk["total_latency_s"].mean()),
        "provider_J": total / n + P * (1.0 - S),
        "quality_per_pass": float(ps["quality"].mean()),
        "quality_first_pass": float(ps.loc[ps["attempt"] == 0, "quality"].mean()),
        "cost_unit": res.cost_unit,
    }
    if sla_alpha is not None:
        out["sla_alpha"] = float(sla_alpha)
        out["sla_pass_ok"] = bool(out["quality_per_pass"] >= sla_alpha)
        out["sla_first_ok"] = bool(out["quality_first_pass"] >= sla_alpha)
        out["sla_task_ok"] = bool(S >= sla_alpha)
    served = np.bincount(ps["served"].to_numpy(), minlength=len(res.models)) / len(ps)
    for k, m in enumerate(res.models):
        out[f"served_{m}"] = float(served[k])
    return out


# ---- the user's best response, from the simulated environment ---------------------------------------------

def retry_curves(res: ArenaResult) -> dict[str, Any]:
    """Per-attempt sums of a run with ``q = 0`` (every re-prompt the cap allows), from which the expected
    metrics at any ``q`` follow (:func:`expected_under_q`). For attempt ``a = 0..A-1`` over the run's ``n``
    tasks: ``reach[a]`` tasks with a pass ``a``, ``solved_at[a]`` tasks solved at pass ``a``, ``cost[a]``,
    ``latency_cost[a]`` and ``seconds[a]`` summed over those passes; ``unsolved`` tasks that failed every pass
    (capped under ``q = 0``)."""
    if res.q_used != 0.0:
        raise ValueError(f"retry_curves needs a run with q = 0 (every re-prompt happens); this run used q={res.q_used}")
    A = int(res.user["max_attempts"])
    ps = res.passes
    a = ps["attempt"].to_numpy()

    def by_attempt(w: np.ndarray) -> np.ndarray:
        return np.bincount(a, weights=w, minlength=A)[:A]

    sec = ps["latency_s_used"].to_numpy(dtype=float)
    return {"n": int(len(res.tasks)), "A": A, "V": float(res.user["V"]), "P": float(res.user.get("P", 0.0)),
            "reach": by_attempt(np.ones(a.size)), "solved_at": by_attempt(ps["solved"].to_numpy(dtype=float)),
            "cost": by_attempt(ps["cost"].to_numpy(dtype=float)),
            "latency_cost": by_attempt(ps["latency_cost"].to_numpy(dtype=float)),
            "seconds": by_attempt(np.nan_to_num(sec)) if np.isfinite(sec).any() else np.full(A, np.nan),
            "unsolved": int((~res.tasks["solved"].to_numpy(dtype=bool)).sum())}


def expected_under_q(curves: dict[str, Any], q: np.ndarray | float, *, latency_rate: float | None = None,
                     V: float | None = None, P: float | None = None) -> dict[str, np.ndarray]:
    """Expected per-task metrics of the run of ``curves`` (:func:`retry_curves`) when the user abandons with
    probability ``q`` after each failure, the expectation taken over the abandonment coins (the run's other
    draws held: common random numbers for every ``q``). With ``x = 1 - q``, pass ``a`` of a task happens with
    probability ``x^a``, a task failed at every one of the ``A`` passes is capped with probability ``x^A``:

        S = sum_a x^a solved_at[a] / n,   E[passes] = sum_a x^a reach[a] / n,
        U = V S - sum_a x^a lc[a] / n,    J = sum_a x^a cost[a] / n + P (1 - S),
        capped = x^A unsolved / n,        abandoned by choice = q sum_a x^a (reach[a] - solved_at[a]) / n,

    ``lc`` the latency cost of the run, or ``latency_rate * seconds`` when ``latency_rate`` is given (the path at
    ``q = 0`` does not depend on the latency cost, so one run serves every rate); ``V`` and ``P`` default to the
    run's. Returns arrays of ``q``'s shape."""
    q = np.asarray(q, dtype=float)
    if np.any((q < 0) | (q > 1)):
        raise ValueError(f"q={q} is not allowed: must be probabilities in [0, 1]")
    A, n = curves["A"], curves["n"]
    V = curves["V"] if V is None else float(V)
    P = curves["P"] if P is None else float(P)
    lc = curves["latency_cost"] if latency_rate is None else float(latency_rate) * curves["seconds"]
    x = 1.0 - q[..., None]
    w = x ** np.arange(A)
    S = (w * curves["solved_at"]).sum(-1) / n
    capped = (1.0 - q) ** A * curves["unsolved"] / n
    cost = (w * curves["cost"]).sum(-1) / n
    # the user leaves after a failed pass a with probability q (at the last pass too: then it is not capped)
    choice = q * (w * (curves["reach"] - curves["solved_at"])).sum(-1) / n
    return {"q": q, "S": S, "U": V * S - (w * lc).sum(-1) / n, "J": cost + P * (1.0 - S), "cost_per_task": cost,
            "passes": (w * curves["reach"]).sum(-1) / n, "capped": capped, "abandon_choice": choice}


def best_response_q(curves: dict[str, Any], *, latency_rate: float | None = None, V: float | None = None,
                    grid: np.ndarray = Q_GRID) -> tuple[float, np.ndarray]:
    """The user's best response: the ``q`` of ``grid`` with the highest expected utility
    :func:`expected_under_q` (the smallest such ``q`` on ties, within 1e-12 of the maximum). Returns ``(q*,
    U(grid))``."""
    U = expected_under_q(curves, grid, latency_rate=latency_rate, V=V)["U"]
    k = int(np.flatnonzero(U >= U.max() - 1e-12)[0])
    return float(grid[k]), U


def run_arena(outcomes: Outcomes, router: Router, user: ArenaUser, *, seed: int = 0, n: int | None = None,
              order: str = "shuffle", rows: np.ndarray | None = None, feedback_rate: float = 1.0,
              list_cost: np.ndarray | None = None) -> ArenaResult:
    """Stream ``outcomes`` as tasks through ``router`` with reactive ``user``s (see the module docstring).

    Randomness: ``SeedSequence(seed).spawn(3)`` gives the order, router and first-pass feedback streams exactly
    as :func:`llmroute.replay.replay`; a second ``spawn(3)`` gives the user's abandonment coins, the
    re-prompt redraws and the re-prompt feedback mask (drawn as common random numbers per (task, attempt[, model]),
    so two routers, and two values of ``q``, face the same user coins and the same redraws).
    With ``q="best_response"`` the stream runs first with ``q = 0`` (:func:`best_response_q`), then with the
    chosen ``q*`` on the same seed (once, when ``q* = 0``); the router must be fresh (it is reset either way).
    """
    if not isinstance(user.q, str):
        return _run(outcomes, router, user, float(user.q), "given", seed=seed, n=n, order=order, rows=rows,
                    feedback_rate=feedback_rate, list_cost=list_cost)
    import copy

    fresh = copy.deepcopy(router)
    res0 = _run(outcomes, router, user, 0.0, "", seed=seed, n=n, order=order, rows=rows,
                feedback_rate=feedback_rate, list_cost=list_cost)
    curves = retry_curves(res0)
    q, U = best_response_q(curves)
    src = (f"best response (simulated U(q), q on a grid of {Q_GRID.size}, common random numbers): "
           f"U(0)={U[0]:.4g}, U(1)={U[-1]:.4g}, U(q*)={U.max():.4g}")
    if q == 0.0:
        return replace(res0, q_source=src, meta={**res0.meta, "retry_curves": curves})
    res = _run(outcomes, fresh, user, q, src, seed=seed, n=n, order=order, rows=rows, feedback_rate=feedback_rate,
               list_cost=list_cost)
    return replace(res, meta={**res.meta, "retry_curves": curves})


def _pass_latency_cost(lat_cost: np.ndarray, rows: np.ndarray, qmask: np.ndarray) -> np.ndarray:
    m = lat_cost.shape[1]
    bits = ((qmask[:, None] >> np.arange(m)[None, :]) & 1).astype(bool)
    vals = np.where(bits, lat_cost[rows], -np.inf)
    return vals.max(axis=1)


def _run(outcomes: Outcomes, router: Router, user: ArenaUser, q: float, q_source: str, *, seed: int,
         n: int | None, order: str, rows: np.ndarray | None, feedback_rate: float,
         list_cost: np.ndarray | None) -> ArenaResult:
    """One pass of the stream with a fixed abandonment probability ``q`` (see :func:`run_arena`)."""
    rows, ss, (order_rng, router_rng, fb_rng) = prepare_stream(outcomes, seed=seed, n=n, order=order, rows=rows,
                                                               feedback_rate=feedback_rate)
    user_rng, redraw_rng, fb2_rng = (np.random.default_rng(s) for s in ss.spawn(3))
    lat_cost = latency_cost_table(outcomes, user)
    sec_used = _seconds_used(outcomes, user)
    start_router(router, outcomes, list_cost, router_rng)  # bind (request-id keyed tables), then reset
    lat_table = latency_table(outcomes)
    thr = user.success_threshold
    T, A, M = rows.size, user.max_attempts, outcomes.n_models
    labelled0 = fb_rng.random(T) < feedback_rate if feedback_rate < 1.0 else np.ones(T, dtype=bool)
    abandon_u = user_rng.random((T, A))
    if user.redraw == "independent":
        dom_idx, dom_order, dom_start = domain_rows(outcomes)
        d = dom_idx[rows]
        size = (dom_start[d + 1] - dom_start[d])[:, None, None]
        # a donor row per (task, attempt, model): uniform within the task's domain, independent across models
        donors = dom_order[dom_start[d][:, None, None] + np.minimum((redraw_rng.random((T, A, M)) * size)
                                                                    .astype(np.int64), size - 1)]
    else:
        donors = None
    labelled_u = fb2_rng.random((T, A)) if feedback_rate < 1.0 else None
    has_text, has_feat = outcomes.text is not None, outcomes.features is not None

    # first passes of a non-learning router with a batch path: exactly replay's vectorised path
    served0 = batch_choices(outcomes, router, rows)

    # pass log buffers
    P_task, P_att, P_row, P_served, P_mask, P_q, P_c, P_l, P_lc, P_sec, P_solved, P_lab = ([] for _ in range(12))
    extra: dict[str, list[float]] = {}
    n_pass = 0

    def do_pass(t: int, r: int, a: int, d: Decision | int, labelled: bool, req: Request | None) -> bool:
        nonlocal n_pass
        d = d if isinstance(d, Decision) else Decision(serve=int(d))
        qidx = np.fromiter(d.query, dtype=np.int64)
        if qidx.min() < 0 or qidx.max() >= M:
            raise ValueError(f"{router.name} chose model(s) {d.query}; the zoo has models 0..{M - 1}")
        # the row each queried model's outcome comes from: the task's own on the first pass and with
        # redraw="same", else the model's own donor row (independent redraws)
        src = np.full(qidx.size, r) if (a == 0 or donors is None) else donors[t, a, qidx]
        qual = outcomes.quality[src, qidx]
        sq = float(qual[list(d.query).index(d.serve)])
        cost = outcomes.cost[r, qidx]
        lq = lat_table[src, qidx]
        P_task.append(t); P_att.append(a); P_row.append(r); P_served.append(d.serve)
        P_mask.append(int(np.bitwise_or.reduce(np.left_shift(1, qidx))))
        P_q.append(sq); P_c.append(float(cost.sum()))
        P_l.append(np.nan if np.isnan(lq).all() else float(np.nanmax(lq)))
        P_lc.append(float(lat_cost[src, qidx].max()))
        sv = sec_used[src, qidx]
        P_sec.append(np.nan if np.isnan(sv).all() else float(np.nanmax(sv)))
        P_solved.append(sq >= thr); P_lab.append(labelled)
        if req is not None:
            fq = qual if labelled else np.full(qidx.size, np.nan)
            router.observe(req, Feedback(query=d.query, quality=fq, cost=cost, latency=lq, serve=d.serve,
                                         labelled=labelled))
            for key, val in router.state().items():
                extra.setdefault(key, [np.nan] * n_pass).append(float(val))
        n_pass += 1
        return sq >= thr

    def make_req(t: int, r: int, a: int, tried: tuple[int, ...]) -> Request:
        return Request(t=t, row=r, domain=str(outcomes.domain[r]),
                       features=outcomes.features[r] if has_feat else None,
                       text=str(outcomes.text[r]) if has_text else None, attempt=a, tried=tried)

    # per task
    attempts = np.zeros(T, dtype=np.int64)
    solved = np.zeros(T, dtype=bool)
    capped = np.zeros(T, dtype=bool)
    path: list[str] = []

    def continue_task(t: int, r: int, first_ok: bool, first_model: int) -> None:
        tried = (first_model,)
        ok, a = first_ok, 0
        while not ok:
            if abandon_u[t, a] < q:
                break
            if a + 1 >= A:
                capped[t] = True
                break
            a += 1
            req = make_req(t, r, a, tried)
            d = router.choose(req)
            lab = bool(labelled_u[t, a] < feedback_rate) if labelled_u is not None else True
            ok = do_pass(t, r, a, d, lab, req)
            tried = tried + ((d.serve if isinstance(d, Decision) else int(d)),)
        attempts[t] = a + 1
        solved[t] = ok
        path.append(">".join(str(k) for k in tried))

    if served0 is not None:
        # a router that does not learn: first passes vectorised exactly as replay's, then re-prompts attempt by
        # attempt (the router is asked task by task, the outcomes are drawn vectorised; it observes nothing, as
        # in replay's vectorised path)
        return _run_nonlearning(outcomes, router, user, seed, q, q_source, rows, served0, abandon_u, donors,
                                lat_cost, sec_used, lat_table, make_req)
    for t in range(T):
        r = int(rows[t])
        req = make_req(t, r, 0, ())
        d = router.choose(req)
        ok = do_pass(t, r, 0, d, bool(labelled0[t]), req)
        continue_task(t, r, ok, d.serve if isinstance(d, Decision) else int(d))

    n_p = len(P_task)
    ext = {k: np.asarray(v + [np.nan] * (n_p - len(v))) for k, v in extra.items()}
    if feedback_rate < 1.0:
        ext["labelled"] = np.asarray(P_lab, dtype=bool)
    prow = np.asarray(P_row, dtype=np.int64)
    passes = _log_frame(outcomes, prow, np.asarray(P_served), np.asarray(P_mask), np.asarray(P_q),
                        np.asarray(P_c), np.asarray(P_l, dtype=float), ext)
    passes.insert(0, "task", np.asarray(P_task, dtype=np.int64))
    passes.insert(1, "attempt", np.asarray(P_att, dtype=np.int64))
    passes["solved"] = np.asarray(P_solved, dtype=bool)
    passes["latency_cost"] = np.asarray(P_lc)
    passes["latency_s_used"] = np.asarray(P_sec, dtype=float)
    return _finish(outcomes, router, user, seed, q, q_source, rows, passes, attempts, solved, capped, path)


def _run_nonlearning(outcomes: Outcomes, router: Router, user: ArenaUser, seed: int, q: float, q_source: str,
                     rows: np.ndarray, served0: np.ndarray, abandon_u: np.ndarray, donors: np.ndarray | None,
                     lat_cost: np.ndarray, sec_used: np.ndarray, lat_table: np.ndarray, make_req: Any) -> ArenaResult:
    """:func:`_run` for a router that does not learn and has a vectorised first pass (``served0``): the same
    rules, with every attempt's outcomes drawn at once. Passes are logged in (task, attempt) order."""
    T, A, M = rows.size, user.max_attempts, outcomes.n_models
    thr = user.success_threshold
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("task", "attempt", "row", "served", "mask", "quality",
                                                         "cost", "lat", "lc", "sec")}

    def log(task, a, r, served, mask, qual, cost, lat, lc, sec):
        for k, v in zip(cols, (task, np.full(task.size, a), r, served, mask, qual, cost, lat, lc, sec)):
            cols[k].append(np.asarray(v))

    q0 = outcomes.quality[rows, served0]
    ok0 = q0 >= thr
    log(np.arange(T), 0, rows, served0, np.left_shift(1, served0), q0, outcomes.cost[rows, served0],
        lat_table[rows, served0], lat_cost[rows, served0], sec_used[rows, served0])
    attempts = np.ones(T, dtype=np.int64)
    solved = ok0.copy()
    capped = np.zeros(T, dtype=bool)
    tried: list[list[int]] = [[int(k)] for k in served0]
    fail = np.flatnonzero(~ok0)
    active = fail[abandon_u[fail, 0] >= q]
    if A == 1:
        capped[active] = True
        active = active[:0]
    for a in range(1, A):
        if active.size == 0:
            break
        ds = [router.choose(make_req(int(t), int(rows[t]), a, tuple(tried[t]))) for t in active]
        r_act = rows[active]
        if all(not isinstance(d, Decision) or len(d.query) == 1 for d in ds):
            k = np.fromiter((d.serve if isinstance(d, Decision) else d for d in ds), dtype=np.int64, count=len(ds))
            if k.min() < 0 or k.max() >= M:
                raise ValueError(f"{router.name} chose model(s) outside 0..{M - 1}")
            src = r_act if donors is None else donors[active, a, k]
            qual, lat, lc, sec = (outcomes.quality[src, k], lat_table[src, k], lat_cost[src, k], sec_used[src, k])
            cost, mask = outcomes.cost[r_act, k], np.left_shift(1, k)
        else:  # a Decision that queries several models: one pass at a time
            vals = [_multi_pass(outcomes, d, int(t), int(r), a, donors, lat_cost, sec_used, lat_table, M, router.name)
                    for d, t, r in zip(ds, active, r_act)]
            k, mask, qual, cost, lat, lc, sec = (np.asarray(v) for v in zip(*vals))
        log(active, a, r_act, k, mask, qual, cost, lat, lc, sec)
        for t, kk in zip(active, k):
            tried[t].append(int(kk))
        ok = qual >= thr
        attempts[active] = a + 1
        solved[active[ok]] = True
        fail = active[~ok]
        active = fail[abandon_u[fail, a] >= q]
        if a == A - 1:
            capped[active] = True
    c = {k: np.concatenate(v) for k, v in cols.items()}
    order = np.lexsort((c["attempt"], c["task"]))
    c = {k: v[order] for k, v in c.items()}
    passes = _log_frame(outcomes, c["row"], c["served"], c["mask"], c["quality"].astype(float),
                        c["cost"].astype(float), c["lat"].astype(float), {})
    passes.insert(0, "task", c["task"].astype(np.int64))
    passes.insert(1, "attempt", c["attempt"].astype(np.int64))
    passes["solved"] = c["quality"] >= thr
    passes["latency_cost"] = c["lc"].astype(float)
    passes["latency_s_used"] = c["sec"].astype(float)
    path = [">".join(str(k) for k in ks) for ks in tried]
    return _finish(outcomes, router, user, seed, q, q_source, rows, passes, attempts, solved, capped, path)


def _multi_pass(outcomes: Outcomes, d: Decision, t: int, r: int, a: int, donors: np.ndarray | None,
                lat_cost: np.ndarray, sec_used: np.ndarray, lat_table: np.ndarray, M: int, name: str) -> tuple:
    """One re-prompt that queries several models: (served, mask, quality, cost, latency, latency cost, seconds)."""
    qidx = np.fromiter(d.query, dtype=np.int64)
    if qidx.min() < 0 or qidx.max() >= M:
        raise ValueError(f"{name} chose model(s) {d.query}; the zoo has models 0..{M - 1}")
    src = np.full(qidx.size, r) if donors is None else donors[t, a, qidx]
    sq = float(outcomes.quality[src, qidx][list(d.query).index(d.serve)])
    lq, sv = lat_table[src, qidx], sec_used[src, qidx]
    return (d.serve, int(np.bitwise_or.reduce(np.left_shift(1, qidx))), sq, float(outcomes.cost[r, qidx].sum()),
            np.nan if np.isnan(lq).all() else float(np.nanmax(lq)), float(lat_cost[src, qidx].max()),
            np.nan if np.isnan(sv).all() else float(np.nanmax(sv)))


def _finish(outcomes: Outcomes, router: Router, user: ArenaUser, seed: int, q: float, q_source: str,
            rows: np.ndarray, passes: pd.DataFrame, attempts: np.ndarray, solved: np.ndarray, capped: np.ndarray,
            path: list[str]) -> ArenaResult:
    T = rows.size
    task = passes["task"].to_numpy()
    tot_cost = np.bincount(task, weights=passes["cost"].to_numpy(), minlength=T)
    lat = passes["latency_s_used"].to_numpy(dtype=float)
    tot_lat = np.bincount(task, weights=np.nan_to_num(lat), minlength=T)
    if np.isnan(lat).all():
        tot_lat[:] = np.nan
    lc = np.bincount(task, weights=passes["latency_cost"].to_numpy(), minlength=T)
    tasks = pd.DataFrame({
        "task": np.arange(T), "row": rows, "request_id": outcomes.request_id[rows], "domain": outcomes.domain[rows],
        "attempts": attempts, "solved": solved, "abandoned": ~solved, "abandoned_by_choice": ~solved & ~capped,
        "capped": capped, "total_cost": tot_cost, "total_latency_s": tot_lat, "latency_cost": lc,
        "utility": user.V * solved - lc, "models_tried": path,
    })
    return ArenaResult(router.name, outcomes.name, seed, outcomes.models, outcomes.cost_unit, user.describe(),
                       float(q), q_source, passes, tasks,
                       meta={"redraw": user.redraw, "synthetic": outcomes.meta.get("synthetic")})
