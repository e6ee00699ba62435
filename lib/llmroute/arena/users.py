"""Reactive users on the replay engine: a request is a *task*; after a failed answer the user re-prompts or abandons.

The user follows the routing game's user model (``shared/specs/routing_game.md`` §2, Mahmood 2026):

* ``V`` — the value of a solved task to the user (value units).
* a **latency cost per pass**: either ``t`` (one number per model, value units per pass, "given directly") or
  ``latency_rate`` (value units per second) times the **measured latency of that pass** in seconds (the
  served request's stored ``latency`` for the queried models; when the data has no latency, ``latency_s`` gives
  seconds per model). Passes that query several models cost the slowest one (they run in parallel).
* a **stationary abandonment probability** ``q``: after every failed pass the user leaves with probability
  ``q`` and re-prompts otherwise. ``q`` is either a number (*given*) or ``"best_response"``: then the arena
  computes the user's best response to the policy the router induces from the game's closed forms
  (see :func:`best_response_q`; the chosen value and how it was obtained are recorded in the result).
* a cap ``max_attempts`` on passes per task (a user who would re-prompt after the cap is recorded as ``capped``).

A re-prompt is routed again: the router sees ``Request(attempt=a, tried=models so far)`` for the same row.
What a re-prompt returns on real data is the ``redraw`` parameter, recorded in every output:

* ``"independent"`` — a fresh Bernoulli draw with the model's per-domain success rate (the game's i.i.d.
  passes; needed for the game's closed forms to apply);
* ``"same"`` — the same request's stored outcome (deterministic models: the same model fails again, only a
  different model can help).

The **first** pass of every task always uses the stored outcome, so a *passive* user (``q = 1``: no
re-prompts) reproduces the plain :func:`llmroute.replay.replay` log bit for bit for the same seed
(same order, router and feedback streams; the user's draws come from further independent streams).

The provider is charged every pass's cost (the sum over queried models, as in replay). Per task the arena
records attempts, solved, abandoned (= ended unsolved, by choice or at the cap), capped, total cost, total
latency (seconds), latency cost and the user's utility ``V * solved - latency cost``.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._validate import check_choice, check_int, check_nonneg, check_positive, check_prob, check_vector, fail
from ..data.schema import Outcomes
from ..replay import _log_frame, batch_choices, latency_table, prepare_stream, replay, zoo_info
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


def domain_success_rates(outcomes: Outcomes, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-domain success rate of every model: returns (domain index per row, rates (n_domains, m))."""
    doms, idx = np.unique(outcomes.domain, return_inverse=True)
    solved = (outcomes.quality >= threshold).astype(float)
    rates = np.zeros((doms.size, outcomes.n_models))
    np.add.at(rates, idx, solved)
    rates /= np.bincount(idx, minlength=doms.size)[:, None]
    return idx.astype(np.int64), rates


@dataclass(frozen=True)
class ArenaResult:
    """One arena run: the per-pass log (replay's columns plus ``task``, ``attempt``, ``solved``,
    ``latency_cost``) and the per-task table."""

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
        from .metrics import summarise

        return summarise(self, sla_alpha=sla_alpha)


def _effective_q(outcomes: Outcomes, router: Router, user: ArenaUser, lat_cost: np.ndarray, *, seed: int,
                 rows: np.ndarray, feedback_rate: float, list_cost: np.ndarray | None) -> tuple[float, str]:
    if not isinstance(user.q, str):
        return float(user.q), "given"
    pol = getattr(router, "game_policy", None)
    if pol is not None:
        return best_response_q(pol, user.V), "best response (game closed form, two-model policy)"
    res = replay(outcomes, router, seed=seed, rows=rows, feedback_rate=feedback_rate, list_cost=list_cost)
    log = res.log
    p_eff = float((log["quality"].to_numpy() >= user.success_threshold).mean())
    t_eff = float(_pass_latency_cost(lat_cost, log["row"].to_numpy(), log["queried_mask"].to_numpy()).mean())
    xi = user.V * p_eff - t_eff
    return (1.0 if xi < 0 else 0.0), (f"best response to the router as one effective model (Theorem 1): "
                                      f"p_eff={p_eff:.4f}, t_eff={t_eff:.4g}, xi={xi:.4g}")


def best_response_q(policy: Any, V: float) -> float:
    """The user's best response ``q*`` to a game policy ``(i, s)`` on a measured pair, from the game module.

    ``policy`` is a :class:`~llmroute.arena.game_routers.GamePolicy`."""
    from .game_routers import game_best_response

    return float(game_best_response(policy, V))


def _pass_latency_cost(lat_cost: np.ndarray, rows: np.ndarray, qmask: np.ndarray) -> np.ndarray:
    m = lat_cost.shape[1]
    bits = ((qmask[:, None] >> np.arange(m)[None, :]) & 1).astype(bool)
    vals = np.where(bits, lat_cost[rows], -np.inf)
    return vals.max(axis=1)


def run_arena(outcomes: Outcomes, router: Router, user: ArenaUser, *, seed: int = 0, n: int | None = None,
              order: str = "shuffle", rows: np.ndarray | None = None, feedback_rate: float = 1.0,
              list_cost: np.ndarray | None = None) -> ArenaResult:
    """Stream ``outcomes`` as tasks through ``router`` with reactive ``user``s (see the module docstring).

    Randomness: ``SeedSequence(seed).spawn(3)`` gives the order, router and first-pass feedback streams exactly
    as :func:`llmroute.replay.replay`; a second ``spawn(3)`` gives the user's abandonment coins, the
    re-prompt redraws and the re-prompt feedback mask (drawn as common random numbers per (task, attempt),
    so two routers face the same user coins).
    """
    rows, ss, (order_rng, router_rng, fb_rng) = prepare_stream(outcomes, seed=seed, n=n, order=order, rows=rows,
                                                               feedback_rate=feedback_rate)
    user_rng, redraw_rng, fb2_rng = (np.random.default_rng(s) for s in ss.spawn(3))
    lat_cost = latency_cost_table(outcomes, user)
    q, q_source = _effective_q(outcomes, router, user, lat_cost, seed=seed, rows=rows,
                               feedback_rate=feedback_rate, list_cost=list_cost)
    router.reset(zoo_info(outcomes, list_cost), router_rng)
    lat_table = latency_table(outcomes)
    thr = user.success_threshold
    dom_idx, rates = domain_success_rates(outcomes, thr)
    T, A, M = rows.size, user.max_attempts, outcomes.n_models
    labelled0 = fb_rng.random(T) < feedback_rate if feedback_rate < 1.0 else np.ones(T, dtype=bool)
    abandon_u = user_rng.random((T, A))
    redraw_u = redraw_rng.random((T, A)) if user.redraw == "independent" else None
    labelled_u = fb2_rng.random((T, A)) if feedback_rate < 1.0 else None
    has_text, has_feat = outcomes.text is not None, outcomes.features is not None

    # first passes of a non-learning router with a batch path: exactly replay's vectorised path
    served0 = batch_choices(outcomes, router, rows)

    # pass log buffers
    P_task, P_att, P_row, P_served, P_mask, P_q, P_c, P_l, P_lc, P_solved, P_lab = ([] for _ in range(11))
    extra: dict[str, list[float]] = {}
    n_pass = 0

    def do_pass(t: int, r: int, a: int, d: Decision | int, labelled: bool, req: Request | None) -> bool:
        nonlocal n_pass
        d = d if isinstance(d, Decision) else Decision(serve=int(d))
        qidx = np.fromiter(d.query, dtype=np.int64)
        if qidx.min() < 0 or qidx.max() >= M:
            raise ValueError(f"{router.name} chose model(s) {d.query}; the zoo has models 0..{M - 1}")
        if a == 0 or redraw_u is None:
            qual = outcomes.quality[r, qidx]
        else:  # independent redraw for every queried model, common random number per (task, attempt)
            qual = (redraw_u[t, a] < rates[dom_idx[r], qidx]).astype(float)
        sq = float(qual[list(d.query).index(d.serve)])
        cost = outcomes.cost[r, qidx]
        lq = lat_table[r, qidx]
        P_task.append(t); P_att.append(a); P_row.append(r); P_served.append(d.serve)
        P_mask.append(int(np.bitwise_or.reduce(np.left_shift(1, qidx))))
        P_q.append(sq); P_c.append(float(cost.sum()))
        P_l.append(np.nan if np.isnan(lq).all() else float(np.nanmax(lq)))
        P_lc.append(float(lat_cost[r, qidx].max())); P_solved.append(sq >= thr); P_lab.append(labelled)
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
        # vectorised first passes, then re-prompts task by task (router rng: batch first, then re-prompts)
        q0 = outcomes.quality[rows, served0]
        ok0 = q0 >= thr
        need = ~ok0
        first_failed_continue = need & (abandon_u[:, 0] >= q)
        if not first_failed_continue.any():
            passes = _log_frame(outcomes, rows, served0, np.left_shift(1, served0), q0, outcomes.cost[rows, served0],
                                lat_table[rows, served0], {})
            passes.insert(0, "task", np.arange(T))
            passes.insert(1, "attempt", np.zeros(T, dtype=np.int64))
            passes["solved"] = ok0
            passes["latency_cost"] = lat_cost[rows, served0]
            attempts[:] = 1
            solved[:] = ok0
            capped[:] = need & (abandon_u[:, 0] >= q) & (A == 1)
            path = [str(k) for k in served0]
            return _finish(outcomes, router, user, seed, q, q_source, rows, passes, attempts, solved, capped, path,
                           lat_cost)
        for t in range(T):
            r = int(rows[t])
            ok = do_pass(t, r, 0, int(served0[t]), bool(labelled0[t]), None)
            continue_task(t, r, ok, int(served0[t]))
    else:
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
    return _finish(outcomes, router, user, seed, q, q_source, rows, passes, attempts, solved, capped, path, lat_cost)


def _finish(outcomes: Outcomes, router: Router, user: ArenaUser, seed: int, q: float, q_source: str,
            rows: np.ndarray, passes: pd.DataFrame, attempts: np.ndarray, solved: np.ndarray, capped: np.ndarray,
            path: list[str], lat_cost: np.ndarray) -> ArenaResult:
    T = rows.size
    task = passes["task"].to_numpy()
    tot_cost = np.bincount(task, weights=passes["cost"].to_numpy(), minlength=T)
    lat = passes["latency_s"].to_numpy()
    tot_lat = np.bincount(task, weights=np.nan_to_num(lat), minlength=T)
    if np.isnan(lat).all():
        tot_lat[:] = np.nan
    lc = np.bincount(task, weights=passes["latency_cost"].to_numpy(), minlength=T)
    tasks = pd.DataFrame({
        "task": np.arange(T), "row": rows, "request_id": outcomes.request_id[rows], "domain": outcomes.domain[rows],
        "attempts": attempts, "solved": solved, "abandoned": ~solved, "capped": capped,
        "total_cost": tot_cost, "total_latency_s": tot_lat, "latency_cost": lc,
        "utility": user.V * solved - lc, "models_tried": path,
    })
    return ArenaResult(router.name, outcomes.name, seed, outcomes.models, outcomes.cost_unit, user.describe(),
                       float(q), q_source, passes, tasks,
                       meta={"redraw": user.redraw, "synthetic": outcomes.meta.get("synthetic")})
