"""Arena metrics per router, and the user-provider misalignment gap on measured model parameters.

Per run (:func:`summarise`), over the ``n`` tasks of the stream:

* ``cost_per_task`` — total provider cost (every pass, every queried model) / n; with passive users this is
  the plain replay engine's ``cost_per_request``. ``cost_per_pass``; ``cost_per_solved`` — total cost / solved
  tasks (the empirical cost-of-pass of the whole policy; ``inf`` when nothing is solved).
* ``success_rate`` (the game's ``S``), ``abandon_rate = 1 - S`` (ended unsolved, by choice or at the cap),
  ``abandon_choice_rate`` (the user left after a failure), ``capped_rate`` (the user would have re-prompted but
  the attempt cap was reached), ``mean_attempts``.
* ``user_utility`` — mean of ``V * solved - latency cost`` per task (the game's ``U``);
  ``provider_J`` — ``cost_per_task + P * abandon_rate`` (the game's ``J``).
* ``quality_per_pass`` (mean served quality over passes: the quantity MESS+'s SLA controls, re-prompts being
  requests to the provider), ``quality_first_pass``.
* SLA, where a target ``alpha`` applies: ``sla_pass_ok`` (per-pass mean quality >= alpha, the provider's view),
  ``sla_first_ok`` (first answers), ``sla_task_ok`` (task success >= alpha, the user's view).
* served shares per model (per pass).

**Misalignment** (:func:`static_game_table`, :func:`misalignment`). Following the game's ``Delta_U`` (spec §4.3)
restricted to the static routes "always model k" (the user-preferred route is always static in the game), with
every model's measured per-pass parameters ``c_k`` (mean cost), ``t_k`` (mean latency cost per pass),
``p_k`` (success rate): under "always k" the user best-responds with ``q*_k = 1{xi_k < 0}``,
``xi_k = V p_k - t_k`` (Theorem 1), giving

    U_k = xi_k / p_k  if xi_k >= 0 else xi_k,      J_k = c_k / p_k  if xi_k >= 0 else c_k + P (1 - p_k).

The provider-cheapest route is ``k_prov = argmin_k J_k`` (ties to the user's better one: strong Stackelberg);
the user-preferred one ``k_user = argmax_k U_k``; the gap is ``Delta_U = U_{k_user} - U_{k_prov} >= 0``
(value units per task). With two value-dominated models it is ``|t1/p1 - t2/p2|`` when the cost-of-pass and
latency-of-pass rankings differ, else 0. Per router, ``user_regret = U_{k_user} - U(router)`` (closed form for
the benchmark, measured for the router) says how far a router's users are from their preferred static route.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.schema import Outcomes
from .users import ArenaUser, domain_success_rates, latency_cost_table, summarise  # noqa: F401 (summarise re-exported)


def measured_params(outcomes: Outcomes, user: ArenaUser) -> pd.DataFrame:
    """Per model: mean cost ``c`` per pass, mean latency cost ``t`` per pass, success rate ``p``."""
    lc = latency_cost_table(outcomes, user)
    p = (outcomes.quality >= user.success_threshold).mean(axis=0)
    return pd.DataFrame({"model": outcomes.models, "c": outcomes.cost.mean(axis=0), "t": lc.mean(axis=0), "p": p})


def static_game_table(params: pd.DataFrame, V: float, P: float) -> pd.DataFrame:
    """Closed-form user best response, ``U_k`` and ``J_k`` of every static route "always k" (module docstring)."""
    c, t, p = (params[k].to_numpy(dtype=float) for k in ("c", "t", "p"))
    xi = V * p - t
    stay = xi >= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        U = np.where(stay, xi / p, xi)
        J = np.where(stay, c / p, c + P * (1.0 - p))
    out = params.copy()
    out["xi"] = xi
    out["q_star"] = np.where(stay, 0.0, 1.0)
    out["U"] = U
    out["J"] = J
    out["cost_of_pass"] = c / p
    out["latency_of_pass"] = t / p
    return out


def per_domain_static_utility(outcomes: Outcomes, user: ArenaUser) -> dict[str, float]:
    """Closed-form utility of every static route "always k" for a user who never abandons (``q* = 0``), with
    success rate and latency cost taken **per domain** (re-prompts redraw within the task's domain):
    ``U_k = sum_d w_d (V - t_kd / p_kd)``, ``w_d`` the share of requests in domain ``d`` (game spec §3,
    ``U_2(0) = xi_2 / p_2``, applied per domain)."""
    lc = latency_cost_table(outcomes, user)
    out: dict[str, float] = {}
    for j, m in enumerate(outcomes.models):
        tot = 0.0
        for d in outcomes.domains:
            sel = outcomes.domain == d
            tot += sel.mean() * (user.V - lc[sel, j].mean() / (outcomes.quality[sel, j] >= user.success_threshold).mean())
        out[m] = float(tot)
    return out


def misalignment(table: pd.DataFrame) -> dict[str, Any]:
    """``Delta_U`` between the user-preferred and the provider-cheapest static route (module docstring)."""
    U, J = table["U"].to_numpy(), table["J"].to_numpy()
    k_user = int(np.argmax(U))
    cand = np.flatnonzero(np.isclose(J, J.min(), rtol=1e-12, atol=0.0))
    k_prov = int(cand[np.argmax(U[cand])])
    return {"model_user": str(table["model"].iloc[k_user]), "model_provider": str(table["model"].iloc[k_prov]),
            "U_user_pref": float(U[k_user]), "U_provider_pref": float(U[k_prov]),
            "delta_U": float(U[k_user] - U[k_prov]),
            "J_provider_pref": float(J[k_prov]), "J_user_pref": float(J[k_user]),
            "delta_J": float(J[k_user] - J[k_prov])}


def static_expected_utility(outcomes: Outcomes, user: ArenaUser, k: int | str, q: float) -> float:
    """The arena's **exact** expected mean utility per task of the static route "always model ``k``", given the
    user's abandonment probability ``q`` (the expectation is over the arena's random draws, the requests held
    fixed; game spec §2.2-2.3 with the arena's rules of :mod:`.users`).

    For request ``r`` with latency cost ``t_r`` per pass (:func:`~.users.latency_cost_table`): the first pass
    returns the stored outcome ``x_r``; after a failure the user abandons with probability ``q``, else
    re-prompts, up to ``A = user.max_attempts`` passes; a re-prompt succeeds with probability ``pi_r`` (the
    model's success rate in the request's domain for ``redraw="independent"``, ``0`` for ``"same"`` since the
    stored outcome failed) and costs the user ``tbar_r`` (the model's mean latency cost in the request's domain for
    ``"independent"``, whose re-prompts redraw the latency too; ``t_r`` for ``"same"``). With
    ``g_j = (1-q)^j (1-pi_r)^(j-1)`` the probability that re-prompt ``j`` happens,

        S_r = x_r + (1 - x_r) sum_{j=1}^{A-1} g_j pi_r,     R_r = (1 - x_r) sum_{j=1}^{A-1} g_j,
        U = mean_r [V S_r - t_r - tbar_r R_r].

    Unlike the game's closed form ``U_k = xi_k / p_k`` (no cap, i.i.d. first pass), this keeps the attempt cap
    and the correlation of the stored first outcome with the request's latency and domain.
    """
    k = outcomes.model_index(k)
    q = float(q)
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q={q} is not allowed: must be a probability in [0, 1]")
    thr = user.success_threshold
    x = (outcomes.quality[:, k] >= thr).astype(float)
    t = latency_cost_table(outcomes, user)[:, k]
    if user.redraw == "independent":
        dom, rates = domain_success_rates(outcomes, thr)
        pi = rates[dom, k]
        tbar = (np.bincount(dom, weights=t) / np.bincount(dom))[dom]
    else:
        pi = np.zeros(outcomes.n_requests)
        tbar = t
    j = np.arange(1, user.max_attempts)[None, :]
    g = (1.0 - q) ** j * (1.0 - pi[:, None]) ** (j - 1)
    S = x + (1.0 - x) * (g * pi[:, None]).sum(axis=1)
    R = (1.0 - x) * g.sum(axis=1)
    return float(np.mean(user.V * S - t - tbar * R))
