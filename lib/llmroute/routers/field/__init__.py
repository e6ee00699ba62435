"""The field's routers, trained without leakage: RouterBench's kNN and MLP, RouteLLM's matrix factorisation,
CARROT and a FrugalGPT-style cascade (one module each), the split utility, and their evaluation on frontiers.

Each router module has a frozen settings dataclass (validated), ``fit_predict`` (trained on training rows only),
``decide`` (vectorised decisions at a knob value) and ``knob_grid`` (the sweep); :mod:`._core` turns them into
held-out scores (:func:`heldout_scores`), cost-quality sweeps (:func:`sweep`) and routers (:func:`build_router`);
:mod:`.splits` gives the per-domain stratified split and cross-fitting; :mod:`.evaluate` the frontier metrics
and the arena comparison the notebook ``arena_routers`` reports.
"""
from types import ModuleType

from . import carrot, cascade, knn, mf, mlp
from ._core import (FieldRouter, HeldOutScores, build_router, evaluate_knob, extra_cost_of_passes, heldout_scores,
                    needs_features, registry_router, sweep)
from .splits import HeldOutPlan, crossfit_folds, heldout_plan, stratified_split

#: registry name -> method module
METHODS: dict[str, ModuleType] = {m.NAME: m for m in (knn, mlp, mf, carrot, cascade)}

__all__ = ["METHODS", "FieldRouter", "HeldOutPlan", "HeldOutScores", "build_router", "crossfit_folds",
           "evaluate_knob", "extra_cost_of_passes", "heldout_plan", "heldout_scores", "needs_features",
           "registry_router", "stratified_split", "sweep", "carrot", "cascade", "knn", "mf", "mlp"]
