"""Invalid game parameters raise ParameterError naming the parameter, the value and the allowed range."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute._validate import ParameterError
from llmroute.game.kchain import ChainGame
from llmroute.game.params import GameArrays, GameParams, Model, Policy
from llmroute.game.population import UserTypes
from llmroute.game.response import best_response

OK = dict(c=(1, 2), t=(1, 3), p=(0.5, 0.8))


@pytest.mark.parametrize("call, match", [
    (lambda: GameParams.make(0.0, 1, **OK), r"V = 0 is not allowed: must be in \(0, inf\]"),
    (lambda: GameParams.make(3, -1, **OK), r"P = -1 is not allowed"),
    (lambda: GameParams.make(3, 1, c=(1, 2), t=(3, 1), p=(0.5, 0.8)), r"t2 = 1 is not allowed: must be > t1 = 3"),
    (lambda: GameParams.make(3, 1, c=(2, 1), t=(1, 3), p=(0.5, 0.8)), r"c2 = 1 is not allowed: must be > c1 = 2"),
    (lambda: GameParams.make(3, 1, c=(1, 2), t=(1, 3), p=(0.8, 0.5)), r"p2 = 0.5 is not allowed: must be in \(0.8, 1\)"),
    (lambda: GameParams.make(3, 1, c=(1, 2), t=(1, 3), p=(0.5, 1.0)), r"m2.p = 1 is not allowed: must be in \(0, 1\)"),
    (lambda: GameParams.make(3, 1, c=(1, 2), t=(1, 3), p=(0.0, 0.8)), r"m1.p = 0 is not allowed"),
    (lambda: GameParams.make(3, 1, c=(-1, 2), t=(1, 3), p=(0.5, 0.8)), r"m1.c = -1 is not allowed"),
    (lambda: GameParams.make(float("nan"), 1, **OK), r"V = nan is not allowed: must be a finite real number"),
    (lambda: GameParams.make(3, 1, c=(1, 2, 3), t=(1, 3), p=(0.5, 0.8)), r"c = .* is not allowed: must be a pair"),
    (lambda: Model(1, 1, 1.5), r"p = 1.5 is not allowed"),
    (lambda: Policy(3, 0.0), r"initial = 3 is not allowed: must be one of 1, 2"),
    (lambda: Policy(1, 1.2), r"s = 1.2 is not allowed: must be in \[0, 1\]"),
    (lambda: Policy(2, 0.5), r"s = 0.5 is not allowed: must be 0 when initial = 2"),
    (lambda: GameArrays(V=np.array([1, -2.0]), P=0, c1=1, c2=2, t1=1, t2=3, p1=.5, p2=.8), r"V\[1\] = -2 is not allowed"),
    (lambda: GameArrays(V=1, P=0, c1=1, c2=2, t1=1, t2=3, p1=np.array([.5, .9]), p2=.8), r"p2\[1\] = 0.8 is not allowed"),
    (lambda: best_response(GameParams.make(3, 1, **OK), Policy(1, .3), tie_break="lazy"), r"tie_break = 'lazy'"),
    (lambda: ChainGame((1, 2, 3), (1, 2, 3), (0.5, 0.4, 0.9), 3, 1), r"p = .* strictly increasing"),
    (lambda: UserTypes((0.5, 0.6), (1, 2), (1, 1), (2, 2), (0, 0)), r"w = .* summing to 1"),
    (lambda: UserTypes((1.0,), (1,), (2,), (1,), (0,)), r"t2\[0\] = 1 is not allowed"),
])
def test_invalid_parameters_are_named(call, match) -> None:
    with pytest.raises(ParameterError, match=match):
        call()


def test_with_revalidates() -> None:
    g = GameParams.make(3, 1, **OK)
    with pytest.raises(ParameterError, match="t2"):
        g.with_(t2=0.5)
