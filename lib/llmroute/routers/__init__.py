"""Routers: one interface (:class:`Router`), the baselines, and one registry of every router of the repository.

``get(name, outcomes=..., **settings)``, ``names()``, ``register(name, factory)`` and ``applicable(outcomes)``
come from :mod:`.registry` (router modules are imported only when a router is built).
"""
from .base import Decision, Feedback, Request, RequestBatch, Router, ZooInfo
from .baselines import (CheapestCorrectOracle, CostObliviousOracle, EducatedGuessing, SingleModel,
                        UniformRandom, educated_guessing_mixture)
from .registry import RouterSpec, applicable, default_alpha, get, names, register, spec, unregister

__all__ = ["Decision", "Feedback", "Request", "RequestBatch", "Router", "ZooInfo", "CheapestCorrectOracle",
           "CostObliviousOracle", "EducatedGuessing", "SingleModel", "UniformRandom", "educated_guessing_mixture",
           "RouterSpec", "applicable", "default_alpha", "get", "names", "register", "spec", "unregister"]
