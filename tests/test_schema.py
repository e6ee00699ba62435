"""The outcome schema rejects malformed tables with errors naming dataset, column and row."""
from __future__ import annotations

import numpy as np
import pytest

from llmroute.data.schema import DataError, Outcomes, concat


def make(**kw) -> Outcomes:
    base = dict(name="t", models=("a", "b"), quality=np.array([[0, 1], [1, 1.0]]), cost=np.array([[1, 2], [1, 2.0]]),
                cost_unit="USD", request_id=np.array(["r0", "r1"]), domain=np.array(["d", "e"]))
    base.update(kw)
    return Outcomes(**base)


def test_valid_table_and_accessors() -> None:
    o = make()
    assert o.n_requests == 2 and o.n_models == 2
    assert o.mean_quality().tolist() == [0.5, 1.0]
    assert o.model_index("b") == 1
    assert o.by_domain("e").request_id.tolist() == ["r1"]
    assert o.select_models(["b"]).quality.tolist() == [[1.0], [1.0]]
    assert len(o.to_frame()) == 4
    assert concat([o, o], "twice").n_requests == 4


@pytest.mark.parametrize("kw, match", [
    (dict(quality=np.array([[0, 1.5], [1, 1.0]])), r"quality of model 'b' is 1.5 at row 0"),
    (dict(cost=np.array([[1, 2], [-1, 2.0]])), r"cost of model 'a' is -1 at row 1"),
    (dict(quality=np.array([[0, 1], [np.nan, 1.0]])), r"quality of model 'a' is nan at row 1"),
    (dict(quality=np.zeros((0, 2)), cost=np.zeros((0, 2)), request_id=np.array([]), domain=np.array([])), "empty dataset"),
    (dict(models=("a", "a")), "duplicate model names"),
    (dict(cost=np.ones((2, 3))), "cost shape"),
])
def test_malformed_tables_raise(kw, match) -> None:
    with pytest.raises(DataError, match=match):
        make(**kw)


def test_unknown_model_and_domain_name_the_known_ones() -> None:
    o = make()
    with pytest.raises(KeyError, match="known models: a, b"):
        o.model_index("c")
    with pytest.raises(KeyError, match="known: d, e"):
        o.by_domain("z")


def test_select_models_keeps_cheapest_first_and_refuses_duplicates() -> None:
    o = make()
    assert o.select_models(["b", "a"]).models == ("a", "b")
    with pytest.raises(DataError, match="select_models got a model twice"):
        o.select_models(["a", "a"])
