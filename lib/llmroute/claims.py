"""Paper claims checked by the notebooks, written to ``results/<notebook>/claims.json``.

A claim is an object with the fields ``claim`` (text), ``paper`` (the paper's value or statement),
``ours`` (our value), ``tolerance``, ``passed`` (computed here, never typed in) and ``note`` (a one-line
reason, required when the claim cannot be confirmed). ``scripts/render_claims.py`` renders every
``claims.json`` into the README table.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np


def _plain(x: Any) -> Any:
    """numpy scalars/arrays -> plain JSON values, floats rounded to 10 significant digits (byte-stable)."""
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        if not math.isfinite(v):
            return str(v)
        return float(f"{v:.10g}")
    if isinstance(x, np.ndarray):
        return [_plain(v) for v in x.tolist()]
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    return x


@dataclass(frozen=True)
class Claim:
    """One checked claim. Build it with :meth:`numeric`, :meth:`at_most`, :meth:`at_least` or :meth:`holds`."""

    claim: str
    paper: Any
    ours: Any
    tolerance: Any
    passed: bool
    note: str = ""

    @classmethod
    def numeric(cls, claim: str, paper: float, ours: float, tol: float, *, relative: bool = False,
                note: str = "") -> "Claim":
        """Passed iff ``|ours - paper| <= tol`` (or ``<= tol*|paper|`` with ``relative=True``)."""
        bound = tol * abs(paper) if relative else tol
        ok = bool(np.isfinite(ours) and abs(float(ours) - float(paper)) <= bound + 1e-12)
        tol_txt = f"{tol:g} (relative)" if relative else tol
        return cls(claim, _plain(paper), _plain(ours), _plain(tol_txt), ok, note)

    @classmethod
    def at_least(cls, claim: str, paper: Any, ours: float, threshold: float, note: str = "") -> "Claim":
        """Passed iff ``ours >= threshold``; ``paper`` is the paper's wording or value."""
        ok = bool(np.isfinite(ours) and float(ours) >= threshold)
        return cls(claim, _plain(paper), _plain(ours), f">= {threshold:g}", ok, note)

    @classmethod
    def at_most(cls, claim: str, paper: Any, ours: float, threshold: float, note: str = "") -> "Claim":
        """Passed iff ``ours <= threshold``."""
        ok = bool(np.isfinite(ours) and float(ours) <= threshold)
        return cls(claim, _plain(paper), _plain(ours), f"<= {threshold:g}", ok, note)

    @classmethod
    def holds(cls, claim: str, paper: Any, ours: Any, ok: bool, tolerance: Any = "exact",
              note: str = "") -> "Claim":
        """A qualitative claim; ``ok`` must be computed from ``ours`` by the caller's code."""
        return cls(claim, _plain(paper), _plain(ours), _plain(tolerance), bool(ok), note)

    def __post_init__(self) -> None:
        if not self.passed and not self.note:
            object.__setattr__(self, "note", "not confirmed by our run (see the notebook)")


def write_claims(out_dir: str | Path, claims: list[Claim]) -> Path:
    """Write ``claims.json`` (a list of claim objects, stable key order and float format)."""
    path = Path(out_dir) / "claims.json"
    payload = [_plain(asdict(c)) for c in claims]
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_claims(path: str | Path) -> list[dict[str, Any]]:
    """Read a ``claims.json`` back as a list of dicts."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
