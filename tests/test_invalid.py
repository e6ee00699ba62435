"""Shared validation helpers: the error names the parameter, its value and what is allowed."""
from __future__ import annotations

import pytest

from llmroute._validate import (ParameterError, check_choice, check_increasing, check_int, check_positive,
                                check_prob, check_vector)


@pytest.mark.parametrize("call, match", [
    (lambda: check_prob("alpha", 1.2), r"alpha = 1.2 is not allowed: must be in \[0, 1\]"),
    (lambda: check_prob("eps", 0.0, open_=True), r"eps = 0 is not allowed: must be in \(0, 1\)"),
    (lambda: check_positive("V", -1), r"V = -1 is not allowed"),
    (lambda: check_positive("V", float("nan")), r"V = nan is not allowed: must be a finite real number"),
    (lambda: check_int("n", 2.5), r"n = 2.5 is not allowed: must be an integer"),
    (lambda: check_choice("order", "x", ("a", "b")), r"order = 'x' is not allowed: must be one of 'a', 'b'"),
    (lambda: check_vector("p", [0.5, 1.5], 0, 1), r"p\[1\] = 1.5 is not allowed"),
    (lambda: check_increasing("t", [1, 3, 2]), r"strictly increasing"),
])
def test_errors_name_parameter_value_and_range(call, match) -> None:
    with pytest.raises(ParameterError, match=match):
        call()


def test_parameter_error_is_a_value_error() -> None:
    assert issubclass(ParameterError, ValueError)
