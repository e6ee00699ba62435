"""The typed claims ledger: declared before the run, computed by the notebook, written to ``claims.json``.

Every notebook has one reviewed declaration file, ``notebooks/claims/<notebook>.yaml``: a list of entries

.. code-block:: yaml

    - id: game-provider-example-a-jstar      # stable slug, unique across the repository
      claim: "Example A at P = 1: the provider's optimal loss J* equals 1.5 (|ours - 1.5| <= 1e-9)"
      kind: derivation                       # paper-number | paper-statement | derivation | data-check | finding
      source: "spec routing_game.md §7.8, worked example A [D]"
      reference: 1.5
      tolerance: 1.0e-9
      criterion: abs                         # abs | rel | at_most | at_least | equals
      note: ""                               # optional caveat shown with the verdict (e.g. why a mismatch is expected)

The notebook supplies only ``ours`` (``ledger.record(id, ours)``); the verdict is computed here from the
declaration by one of five criteria, each a pure function of ``(reference, tolerance, ours)``:

========== ====================================== =============================================================
criterion  passes iff                             margin written beside the verdict
========== ====================================== =============================================================
abs        ``|ours - reference| <= tolerance``    ``|ours - reference| / tolerance`` (passes iff <= 1)
rel        ``|ours - reference| <= tol*|ref|``    ``|ours - reference| / (tol*|ref|)`` (passes iff <= 1)
at_most    ``ours <= reference + tolerance``      slack ``reference + tolerance - ours`` (passes iff >= 0)
at_least   ``ours >= reference - tolerance``      slack ``ours - reference + tolerance`` (passes iff >= 0)
equals     ``ours == reference`` (any JSON value) none
========== ====================================== =============================================================

A bound claim ("measured <= theoretical bound") is declared as ``at_most`` on the ratio measured/bound with
reference 1, so that ``ours`` *is* the tightness. A computed claim without a declaration, or a declaration
never computed, is an error at :meth:`Ledger.write`; so is a failed claim without a note (full runs).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .jsonable import _plain
from .paths import REPO_ROOT

KINDS = ("paper-number", "paper-statement", "derivation", "data-check", "finding")
CRITERIA = ("abs", "rel", "at_most", "at_least", "equals")
NUMERIC_CRITERIA = ("abs", "rel", "at_most", "at_least")
DECLARATIONS_DIR = REPO_ROOT / "notebooks" / "claims"
_FIELDS = ("id", "claim", "kind", "source", "reference", "tolerance", "criterion")
_OPTIONAL = ("note",)


class LedgerError(ValueError):
    """A declaration file or a recorded claim is malformed, missing or undeclared."""


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


@dataclass(frozen=True)
class Declaration:
    """One declared claim (see the module docstring for the fields)."""

    id: str
    claim: str
    kind: str
    source: str
    reference: Any
    tolerance: Any
    criterion: str
    note: str = ""
    origin: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        where = f"{self.origin}: claim {self.id!r}" if self.origin else f"claim {self.id!r}"
        if not self.id or not all(ch.isalnum() or ch in "-_." for ch in self.id) or self.id != self.id.lower():
            raise LedgerError(f"{where}: id must be a lower-case slug of letters, digits, '-', '_' or '.'")
        if self.kind not in KINDS:
            raise LedgerError(f"{where}: kind={self.kind!r}; allowed: {', '.join(KINDS)}")
        if self.criterion not in CRITERIA:
            raise LedgerError(f"{where}: criterion={self.criterion!r}; allowed: {', '.join(CRITERIA)}")
        if not str(self.claim).strip() or not str(self.source).strip():
            raise LedgerError(f"{where}: 'claim' and 'source' must be non-empty")
        if self.criterion in NUMERIC_CRITERIA:
            if not _is_number(self.reference):
                raise LedgerError(f"{where}: criterion {self.criterion} needs a numeric reference, got {self.reference!r}")
            tol = 0.0 if self.tolerance is None else self.tolerance
            if not _is_number(tol) or tol < 0 or not math.isfinite(tol):
                raise LedgerError(f"{where}: tolerance must be a finite number >= 0, got {self.tolerance!r}")
            if self.criterion in ("abs", "rel") and tol == 0:
                raise LedgerError(f"{where}: criterion {self.criterion} needs a tolerance > 0 (use 'equals' for exact)")
            if self.criterion == "rel" and self.reference == 0:
                raise LedgerError(f"{where}: criterion rel needs a non-zero reference")
            object.__setattr__(self, "tolerance", float(tol))
        elif self.tolerance not in (None, "exact"):
            raise LedgerError(f"{where}: criterion equals takes no tolerance (got {self.tolerance!r})")

    @property
    def numeric(self) -> bool:
        return self.criterion in NUMERIC_CRITERIA

    def criterion_text(self) -> str:
        """The computed criterion in words (written into claims.json and CLAIMS.md)."""
        r, t = self.reference, self.tolerance
        return {"abs": f"|ours - {r:g}| <= {t:g}" if self.numeric else "",
                "rel": f"|ours - {r:g}| <= {t:g} * |{r:g}|" if self.numeric else "",
                "at_most": (f"ours <= {r:g}" + (f" + {t:g}" if t else "")) if self.numeric else "",
                "at_least": (f"ours >= {r:g}" + (f" - {t:g}" if t else "")) if self.numeric else "",
                "equals": f"ours == {json.dumps(_plain(r), ensure_ascii=False)}"}[self.criterion]

    def evaluate(self, ours: Any) -> tuple[bool, float | None]:
        """``(passed, margin)`` for a value ``ours`` (margin ``None`` for ``equals``)."""
        if self.criterion == "equals":
            return _plain(ours) == _plain(self.reference), None
        try:
            x = float(ours)
        except (TypeError, ValueError) as exc:
            raise LedgerError(f"claim {self.id!r}: criterion {self.criterion} needs a number, got {ours!r}") from exc
        if not math.isfinite(x):
            return False, None
        r, t = float(self.reference), float(self.tolerance)
        if self.criterion == "abs":
            m = abs(x - r) / t
            return m <= 1.0, m
        if self.criterion == "rel":
            m = abs(x - r) / (t * abs(r))
            return m <= 1.0, m
        if self.criterion == "at_most":
            s = r + t - x
            return s >= 0.0, s
        s = x - r + t
        return s >= 0.0, s


def load_declarations(notebook: str, directory: Path | None = None) -> dict[str, Declaration]:
    """Read ``<directory>/<notebook>.yaml`` (default ``notebooks/claims/``) into ``{id: Declaration}``."""
    path = Path(directory or DECLARATIONS_DIR) / f"{notebook}.yaml"
    if not path.exists():
        raise LedgerError(f"no claim declarations for notebook {notebook!r}: expected {path}")
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(items, list):
        raise LedgerError(f"{path}: expected a YAML list of claims, got {type(items).__name__}")
    out: dict[str, Declaration] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise LedgerError(f"{path}: entry {i} is not a mapping")
        missing = [f for f in _FIELDS if f not in item]
        extra = sorted(set(item) - set(_FIELDS) - set(_OPTIONAL))
        if missing or extra:
            raise LedgerError(f"{path}: entry {i} ({item.get('id', '?')}): missing fields {missing}, unknown fields {extra}")
        d = Declaration(**{k: item[k] for k in (*_FIELDS, *_OPTIONAL) if k in item}, origin=path.name)
        if d.id in out:
            raise LedgerError(f"{path}: claim id {d.id!r} is declared twice")
        out[d.id] = d
    return out


def all_declarations(directory: Path | None = None) -> dict[str, dict[str, Declaration]]:
    """Every declaration file, ``{notebook: {id: Declaration}}``; ids must be unique across the repository."""
    directory = Path(directory or DECLARATIONS_DIR)
    out: dict[str, dict[str, Declaration]] = {}
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        decl = load_declarations(path.stem, directory)
        for cid in decl:
            if cid in seen:
                raise LedgerError(f"claim id {cid!r} is declared in both {seen[cid]}.yaml and {path.name}")
            seen[cid] = path.stem
        out[path.stem] = decl
    return out


@dataclass
class Ledger:
    """Claims of one notebook: ``record`` each declared id once, then ``write`` ``claims.json``.

    ``quick=True`` (smoke runs) still requires every declaration to be recorded, but does not require a note
    on failed claims (small runs are not expected to reproduce anything).
    """

    notebook: str
    quick: bool = False
    directory: Path | None = None
    declarations: dict[str, Declaration] = field(init=False)
    records: dict[str, dict[str, Any]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.declarations = load_declarations(self.notebook, self.directory)

    def record(self, claim_id: str, ours: Any, *, note: str = "", detail: dict[str, Any] | None = None) -> dict[str, Any]:
        """Evaluate declared claim ``claim_id`` on ``ours``; ``note`` explains a failure (computed text, not
        typed numbers); ``detail`` holds context values shown in CLAIMS.md (e.g. the bound and the measured
        value behind a tightness ratio). Returns the written entry."""
        if claim_id not in self.declarations:
            raise LedgerError(f"{self.notebook}: claim {claim_id!r} is not declared in notebooks/claims/{self.notebook}.yaml")
        if claim_id in self.records:
            raise LedgerError(f"{self.notebook}: claim {claim_id!r} recorded twice (one fact is checked once)")
        d = self.declarations[claim_id]
        passed, margin = d.evaluate(ours)
        notes = [n for n in (d.note, note) if n]
        entry: dict[str, Any] = {
            "id": d.id, "claim": d.claim, "kind": d.kind, "source": d.source, "reference": _plain(d.reference),
            "ours": _plain(ours), "tolerance": _plain(d.tolerance) if d.numeric else "exact",
            "criterion": d.criterion_text(), "passed": bool(passed),
            "margin": None if margin is None else _plain(margin), "note": " ".join(notes),
        }
        if detail:
            entry["detail"] = _plain(detail)
        self.records[claim_id] = entry
        return entry

    def entries(self) -> list[dict[str, Any]]:
        """Recorded entries in declaration order."""
        return [self.records[i] for i in self.declarations if i in self.records]

    def check_complete(self) -> None:
        missing = [i for i in self.declarations if i not in self.records]
        if missing:
            raise LedgerError(f"{self.notebook}: declared claims never computed: {', '.join(missing)}")
        if not self.quick:
            silent = [e["id"] for e in self.entries() if not e["passed"] and not e["note"]]
            if silent:
                raise LedgerError(f"{self.notebook}: failed claims need a note (declared or recorded): {', '.join(silent)}")

    def write(self, out_dir: str | Path) -> Path:
        """Check completeness and write ``<out_dir>/claims.json`` (stable key order and float format)."""
        self.check_complete()
        path = Path(out_dir) / "claims.json"
        path.write_text(json.dumps(self.entries(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    def table(self):
        """The recorded claims as a DataFrame (for display in the notebook)."""
        import pandas as pd

        cols = ["id", "kind", "reference", "ours", "criterion", "passed", "margin", "note"]
        return pd.DataFrame(self.entries(), columns=cols)
