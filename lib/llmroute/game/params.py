"""Parameters of the routing game (spec §2.1-2.2): models, the game, policies, and array-valued grids.

* :class:`Model` — one model's per-pass cost ``c`` (provider), latency cost ``t`` (user) and success
  probability ``p``.
* :class:`GameParams` — two models plus the task value ``V > 0`` and churn penalty ``P >= 0``, with the
  standing assumptions ``t1 < t2``, ``c1 < c2``, ``0 < p1 < p2 < 1`` (spec §2.1) checked in ``__post_init__``.
* :class:`Policy` — the provider's routing policy ``(i, s)``: initial model ``i`` and cascade probability ``s``
  (``s`` must be 0 when ``i = 2``, spec §2.2).
* :class:`GameArrays` — the same eight numbers as numpy arrays that broadcast against each other; every
  closed form of the package is written against it, so a grid over (V, P) is one call.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .._validate import check_choice, check_nonneg, check_positive, check_prob, check_range, fail


@dataclass(frozen=True)
class Model:
    """One model (spec §2.1): provider cost ``c >= 0``, user latency cost ``t >= 0``, pass rate ``p`` in (0, 1)."""

    c: float
    t: float
    p: float
    name: str = ""

    def __post_init__(self) -> None:
        tag = f"{self.name}." if self.name else ""
        object.__setattr__(self, "c", check_nonneg(f"{tag}c", self.c))
        object.__setattr__(self, "t", check_nonneg(f"{tag}t", self.t))
        object.__setattr__(self, "p", check_prob(f"{tag}p", self.p, open_=True))

    @property
    def cost_of_pass(self) -> float:
        """``c / p``: the provider's expected cost of one success when the user re-prompts this model."""
        return self.c / self.p

    @property
    def latency_of_pass(self) -> float:
        """``t / p``: the user's expected latency to one success on this model."""
        return self.t / self.p


@dataclass(frozen=True)
class GameParams:
    """The two-model game (spec §2.1). Build it with :meth:`make` from ``c=(c1,c2), t=(t1,t2), p=(p1,p2)``.

    Standing assumptions (checked, each error names the parameter, its value and the allowed range):
    ``t1 < t2``, ``c1 < c2``, ``0 < p1 < p2 < 1``, ``V > 0``, ``P >= 0``.
    """

    m1: Model
    m2: Model
    V: float
    P: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "V", check_positive("V", self.V))
        object.__setattr__(self, "P", check_nonneg("P", self.P))
        if not self.m1.t < self.m2.t:
            fail("t2", self.m2.t, f"> t1 = {self.m1.t:.6g} (standing assumption t1 < t2)")
        if not self.m1.c < self.m2.c:
            fail("c2", self.m2.c, f"> c1 = {self.m1.c:.6g} (standing assumption c1 < c2)")
        if not self.m1.p < self.m2.p:
            fail("p2", self.m2.p, f"in ({self.m1.p:.6g}, 1) (standing assumption 0 < p1 < p2 < 1)")

    @classmethod
    def make(cls, V: float, P: float = 0.0, *, c: tuple[float, float], t: tuple[float, float],
             p: tuple[float, float]) -> "GameParams":
        """``GameParams.make(V=10, P=5, c=(1, 4), t=(1, 3), p=(.4, .8))``."""
        for name, v in (("c", c), ("t", t), ("p", p)):
            if np.ndim(v) != 1 or len(v) != 2:
                fail(name, v, "a pair (value for M1, value for M2)")
        return cls(Model(c[0], t[0], p[0], "m1"), Model(c[1], t[1], p[1], "m2"), V, P)

    # flat accessors, so GameParams duck-types as GameArrays in the closed forms
    c1 = property(lambda self: self.m1.c)
    c2 = property(lambda self: self.m2.c)
    t1 = property(lambda self: self.m1.t)
    t2 = property(lambda self: self.m2.t)
    p1 = property(lambda self: self.m1.p)
    p2 = property(lambda self: self.m2.p)

    def with_(self, **changes: float) -> "GameParams":
        """A copy with some of ``V, P, c1, c2, t1, t2, p1, p2`` changed (re-validated)."""
        m1 = {k[0]: changes.pop(k) for k in ("c1", "t1", "p1") if k in changes}
        m2 = {k[0]: changes.pop(k) for k in ("c2", "t2", "p2") if k in changes}
        return replace(self, m1=replace(self.m1, **m1), m2=replace(self.m2, **m2), **changes)

    def arrays(self, **overrides: Any) -> "GameArrays":
        """This game as :class:`GameArrays`; ``overrides`` replace fields by arrays (e.g. a V x P grid)."""
        base = {k: getattr(self, k) for k in GameArrays.FIELDS}
        base.update(overrides)
        return GameArrays(**base)


@dataclass(frozen=True)
class GameArrays:
    """The game's numbers as broadcastable numpy arrays (a grid or a batch of random instances).

    Validation is elementwise: the first offending element is named, e.g. ``p1[3] = 1.2 is not allowed``.
    ``require_order=False`` drops the orderings ``t1 < t2`` and ``c1 < c2`` (used for throttled latencies,
    spec §4.4, where the provider may raise ``t1`` above ``t2``); ``p1 < p2`` is always required.
    """

    FIELDS = ("V", "P", "c1", "c2", "t1", "t2", "p1", "p2")
    V: Any
    P: Any
    c1: Any
    c2: Any
    t1: Any
    t2: Any
    p1: Any
    p2: Any
    require_order: bool = field(default=True, compare=False)

    def __post_init__(self) -> None:
        for k in self.FIELDS:
            object.__setattr__(self, k, np.asarray(getattr(self, k), dtype=float))
        rules = {"V": (0.0, np.inf, True, False), "P": (0.0, np.inf, False, False),
                 "c1": (0.0, np.inf, False, False), "c2": (0.0, np.inf, False, False),
                 "t1": (0.0, np.inf, False, False), "t2": (0.0, np.inf, False, False),
                 "p1": (0.0, 1.0, True, True), "p2": (0.0, 1.0, True, True)}
        for k, (lo, hi, lo_open, hi_open) in rules.items():
            a = getattr(self, k)
            ok = np.isfinite(a) & ((a > lo) if lo_open else (a >= lo)) & ((a < hi) if hi_open else (a <= hi))
            if not ok.all():
                idx = tuple(int(j) for j in np.argwhere(~ok)[0])
                check_range(f"{k}{list(idx) if idx else ''}", a[idx], lo, hi, lo_open=lo_open, hi_open=hi_open)
        pairs = [("p2", "p1")] + ([("t2", "t1"), ("c2", "c1")] if self.require_order else [])
        for hi_name, lo_name in pairs:
            a, b = np.broadcast_arrays(getattr(self, hi_name), getattr(self, lo_name))
            bad = ~(a > b)
            if bad.any():
                idx = tuple(int(j) for j in np.argwhere(bad)[0])
                fail(f"{hi_name}{list(idx) if idx else ''}", float(a[idx]),
                     f"> {lo_name} = {float(b[idx]):.6g} (standing assumption {lo_name} < {hi_name})")

    @property
    def shape(self) -> tuple[int, ...]:
        """The broadcast shape of all fields."""
        return np.broadcast_shapes(*(getattr(self, k).shape for k in self.FIELDS))

    def broadcast(self) -> "GameArrays":
        """Every field broadcast to :attr:`shape` (materialised copies)."""
        shp = self.shape
        vals = {k: np.broadcast_to(getattr(self, k), shp).copy() for k in self.FIELDS}
        return GameArrays(**vals, require_order=self.require_order)

    def flat(self) -> "GameArrays":
        """Broadcast and ravel to 1-D."""
        b = self.broadcast()
        return GameArrays(**{k: getattr(b, k).ravel() for k in self.FIELDS}, require_order=self.require_order)

    def at(self, idx: Any) -> "GameArrays":
        """The sub-array ``idx`` of the broadcast fields."""
        b = self.broadcast()
        return GameArrays(**{k: getattr(b, k)[idx] for k in self.FIELDS}, require_order=self.require_order)

    def params(self, idx: Any = ()) -> GameParams:
        """One element as a validated :class:`GameParams` (raises if it breaks a standing assumption)."""
        b = self.broadcast()
        v = {k: float(getattr(b, k)[idx]) for k in self.FIELDS}
        return GameParams.make(v["V"], v["P"], c=(v["c1"], v["c2"]), t=(v["t1"], v["t2"]), p=(v["p1"], v["p2"]))

    def with_(self, **changes: Any) -> "GameArrays":
        """A copy with some fields replaced."""
        cur = {k: getattr(self, k) for k in self.FIELDS}
        cur.update({k: v for k, v in changes.items() if k != "require_order"})
        return GameArrays(**cur, require_order=changes.get("require_order", self.require_order))


def check_unit_array(name: str, x: Any) -> np.ndarray:
    """``x`` as a float array with every element a finite probability in [0, 1]; otherwise
    :class:`ParameterError` naming the first offending element (``s[2] = 1.5 is not allowed: must be in [0, 1]``).
    Used by the functional API (``outcome``, ``U1``, ``best_response``, ...) for ``s`` and ``q``."""
    a = np.asarray(x, dtype=float)
    ok = np.isfinite(a) & (a >= 0.0) & (a <= 1.0)
    if not ok.all():
        idx = tuple(int(j) for j in np.argwhere(~ok)[0])
        check_range(f"{name}{list(idx) if idx else ''}", a[idx], 0.0, 1.0)
    return a


def check_initial(initial: Any) -> int:
    """The start model ``initial`` in {1, 2} (spec §2.2); :class:`ParameterError` otherwise."""
    if isinstance(initial, bool) or initial not in (1, 2):
        fail("initial", initial, "one of 1, 2 (the start model M1 or M2)")
    return int(initial)


def as_arrays(g: GameParams | GameArrays) -> GameArrays:
    """Accept either container; closed forms call this first."""
    if isinstance(g, GameArrays):
        return g
    if isinstance(g, GameParams):
        return g.arrays()
    raise TypeError(f"expected GameParams or GameArrays, got {type(g).__name__}")


@dataclass(frozen=True)
class Policy:
    """The provider's routing policy ``(initial, s)`` (spec §2.2): ``initial`` in {1, 2}; cascade probability
    ``s`` in [0, 1] is the chance a re-prompt after a failure of M1 is escalated to M2; ``s = 0`` when
    ``initial = 2``."""

    initial: int
    s: float = 0.0

    def __post_init__(self) -> None:
        check_choice("initial", self.initial, (1, 2))
        object.__setattr__(self, "s", check_prob("s", self.s))
        if self.initial == 2 and self.s != 0.0:
            fail("s", self.s, "0 when initial = 2 (the task stays on M2; the policy is written (2,0))")

    def __str__(self) -> str:
        return f"({self.initial},{self.s:.6g})"


