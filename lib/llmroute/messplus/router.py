"""The MESS+ router on the shared :class:`~llmroute.routers.base.Router` interface (spec §1.3-1.7).

Per request t (0-based):

* explore with probability p_t = min(1, c / max(t, 1)^(1/4)): query **all** models (the engine charges the sum of
  their costs), serve the largest model (``serve_on_explore="largest"``, the paper's rule) or the model with the
  best running quality estimate from earlier labelled explorations (``"best_estimate"``), learn from the full label vector (one predictor step), update the cost
  estimates;
* otherwise serve m* = argmin_m V * E_hat_m + Q_t * (alpha - s_hat_m) (ties to the lowest index, the cheapest);
* after the outcome: Q_{t+1} = max(0, Q_t + alpha - s_t), s_t the served answer's satisfaction. Under sparse
  feedback the router only sees labels of some requests: its queue (Q_tracked in the authors' code) moves only
  on labelled requests, and an unlabelled exploration step teaches the predictor nothing (costs are still
  observed). The engine's log holds the true s_t, from which the always-updated queue can be recomputed.

Randomness: at :meth:`reset` the engine's router generator is split in two (``rng.spawn(2)``): the first gives
one uniform per request for the exploration coin, the second initialises the predictor. The vectorised
:func:`llmroute.messplus.grid.simulate_grid` uses the same streams and so takes the same decisions.
"""
from __future__ import annotations

import numpy as np

from ..routers.base import Decision, Feedback, Request, Router, ZooInfo
from .predictors import SatisfactionPredictor
from .settings import MessPlusSettings, explore_prob


def drift_plus_penalty_choice(V: float, e_hat: np.ndarray, Q: float, alpha: float, s_hat: np.ndarray) -> int:
    """argmin_m V * e_hat_m + Q * (alpha - s_hat_m); ties go to the lowest index (the cheapest model)."""
    return int(np.argmin(V * e_hat + Q * (alpha - s_hat)))


def explore_serve(q_sum: np.ndarray, n: int, rule: str) -> int:
    """The model served on an exploration step: the largest (``rule="largest"``, the paper's) or, with
    ``rule="best_estimate"``, the highest running mean label q_sum / n over n earlier labelled explorations
    (ties to the larger model; the largest while n = 0)."""
    M = len(q_sum)
    if rule == "largest" or n == 0:
        return M - 1
    est = np.asarray(q_sum, dtype=float) / n
    return int(M - 1 - np.argmax(est[::-1]))


def queue_update(Q: float, alpha: float, s: float) -> float:
    """Q_{t+1} = max(0, Q_t + alpha - s_t)."""
    return max(0.0, Q + alpha - s)


class MessPlus(Router):
    """MESS+ with a pluggable satisfaction predictor (see :mod:`llmroute.messplus.predictors`)."""

    learns = True

    def __init__(self, settings: MessPlusSettings, predictor: SatisfactionPredictor, name: str = "MESS+") -> None:
        self.settings = settings
        self.predictor = predictor
        self.name = name

    def bind(self, outcomes) -> None:
        """Bind the predictor to the replayed table (:meth:`SatisfactionPredictor.bind`: rows of ``outcomes`` are
        mapped to the predictor's by request id, or refused with a clear error). Called by the replay engine."""
        self.predictor.bind(outcomes)

    def reset(self, zoo: ZooInfo, rng: np.random.Generator) -> None:
        super().reset(zoo, rng)
        s = self.settings
        self._explore_rng, pred_rng = rng.spawn(2)
        self.predictor.reset(zoo.n_models, pred_rng)
        #: V in 1/cost-unit (the settings' V, or its unitless value mapped through the zoo's largest list cost)
        self.V = s.V_per_cost_unit(zoo.list_cost)
        M = zoo.n_models
        if s.cost_estimate == "list":
            self.e_hat = np.asarray(zoo.list_cost, dtype=float).copy()
        else:
            self.e_hat = np.full(M, float(s.e_init))
        self._e_sum = np.full(M, float(s.e_init))
        self._e_cnt = np.ones(M)
        self.Q = 0.0
        self._q_sum = np.zeros(M)
        self._q_n = 0
        self.n_explored = 0
        self.n_steps = 0
        self._p = float("nan")
        self._explore = False
        self._loss = float("nan")

    def choose(self, request: Request) -> int | Decision:
        s = self.settings
        self._p = explore_prob(request.t, s.c, s.power)
        self._explore = bool(self._explore_rng.random() < self._p)
        if self._explore:
            M = self.n_models
            return Decision(serve=explore_serve(self._q_sum, self._q_n, s.serve_on_explore), query=tuple(range(M)))
        s_hat = self.predictor.predict(np.array([request.row]))[0]
        return drift_plus_penalty_choice(self.V, self.e_hat, self.Q, s.alpha, s_hat)

    def observe(self, request: Request, feedback: Feedback) -> None:
        s = self.settings
        self._loss = float("nan")
        if self._explore:
            self.n_explored += 1
            if feedback.labelled and self.predictor.learns:
                self._loss = self.predictor.update(request.row, np.asarray(feedback.quality, dtype=float))
            if feedback.labelled:
                self._q_sum += np.asarray(feedback.quality, dtype=float)
                self._q_n += 1
            if s.cost_estimate == "last_explored":
                self.e_hat = np.asarray(feedback.cost, dtype=float).copy()
        if s.cost_estimate == "running_mean":
            q = np.asarray(feedback.query)
            self._e_sum[q] += feedback.cost
            self._e_cnt[q] += 1
            self.e_hat = self._e_sum / self._e_cnt
        if feedback.labelled:
            self.Q = queue_update(self.Q, s.alpha, feedback.served_quality)
        self.n_steps += 1

    def state(self) -> dict[str, float]:
        return {"Q": self.Q, "p_explore": self._p, "explored": float(self._explore),
                "exploration_ratio": self.n_explored / max(self.n_steps, 1), "predictor_loss": self._loss}
