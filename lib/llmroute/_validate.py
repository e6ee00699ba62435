"""Validation helpers shared by every parameter dataclass.

Every check raises :class:`ParameterError` (a ``ValueError``) whose message names the parameter,
the value it was given and what is allowed, e.g.
``alpha = 1.5 is not allowed: must be in (0, 1)``.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np


class ParameterError(ValueError):
    """A parameter value outside its allowed range (names the parameter, the value and the range)."""


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)


def fail(name: str, value: Any, allowed: str) -> None:
    """Raise the project's standard error for ``name = value``."""
    raise ParameterError(f"{name} = {_fmt(value)} is not allowed: must be {allowed}")


def check_finite(name: str, value: float) -> float:
    """Require a finite real number; return it as ``float``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        fail(name, value, "a finite real number")
    if not math.isfinite(v):
        fail(name, value, "a finite real number")
    return v


def check_range(
    name: str,
    value: float,
    lo: float = -math.inf,
    hi: float = math.inf,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """Require ``lo <= value <= hi`` (with ``lo_open``/``hi_open`` making that end strict)."""
    v = check_finite(name, value)
    lo_ok = v > lo if lo_open else v >= lo
    hi_ok = v < hi if hi_open else v <= hi
    if not (lo_ok and hi_ok):
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        fail(name, value, f"in {left}{_fmt(lo)}, {_fmt(hi)}{right}")
    return v


def check_positive(name: str, value: float) -> float:
    """Require ``value > 0``."""
    return check_range(name, value, 0.0, math.inf, lo_open=True)


def check_nonneg(name: str, value: float) -> float:
    """Require ``value >= 0``."""
    return check_range(name, value, 0.0, math.inf)


def check_prob(name: str, value: float, *, open_: bool = False) -> float:
    """Require a probability in [0, 1] (or (0, 1) with ``open_=True``)."""
    return check_range(name, value, 0.0, 1.0, lo_open=open_, hi_open=open_)


def check_int(name: str, value: Any, lo: int | None = None, hi: int | None = None) -> int:
    """Require an integer in [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        fail(name, value, "an integer")
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        fail(name, value, f"an integer in [{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]")
    return v


def check_choice(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Require ``value`` to be one of ``allowed``."""
    allowed = tuple(allowed)
    if value not in allowed:
        fail(name, value, "one of " + ", ".join(repr(a) for a in allowed))
    return value


def check_vector(
    name: str,
    values: Sequence[float] | np.ndarray,
    lo: float = -math.inf,
    hi: float = math.inf,
    *,
    lo_open: bool = False,
    hi_open: bool = False,
    length: int | None = None,
) -> tuple[float, ...]:
    """Check every entry of a vector like :func:`check_range`; return it as a tuple of floats."""
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.ndim != 1:
        fail(name, values, "a one-dimensional sequence of numbers")
    if length is not None and arr.size != length:
        fail(name, values, f"a sequence of length {length} (got {arr.size})")
    for k, v in enumerate(arr):
        check_range(f"{name}[{k}]", v, lo, hi, lo_open=lo_open, hi_open=hi_open)
    return tuple(float(v) for v in arr)


def check_increasing(name: str, values: Sequence[float], *, strict: bool = True) -> None:
    """Require a (strictly) increasing sequence."""
    arr = np.asarray(values, dtype=float)
    d = np.diff(arr)
    bad = np.flatnonzero(d <= 0) if strict else np.flatnonzero(d < 0)
    if bad.size:
        k = int(bad[0])
        fail(name, tuple(arr), f"{'strictly ' if strict else ''}increasing (entry {k + 1} = {arr[k + 1]:.6g} "
             f"follows {arr[k]:.6g})")
