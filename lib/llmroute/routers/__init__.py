"""Routers: one interface (:class:`Router`) and every router of the repository."""
from .base import Decision, Feedback, Request, RequestBatch, Router, ZooInfo
from .baselines import (CheapestCorrectOracle, CostObliviousOracle, EducatedGuessing, SingleModel,
                        UniformRandom, educated_guessing_mixture)

__all__ = ["Decision", "Feedback", "Request", "RequestBatch", "Router", "ZooInfo", "CheapestCorrectOracle",
           "CostObliviousOracle", "EducatedGuessing", "SingleModel", "UniformRandom", "educated_guessing_mixture"]
