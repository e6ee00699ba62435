"""Dated price tables (USD per 1M input / output tokens), one YAML file per snapshot in ``data/prices/``.

File format (the OmnisBench convention)::

    snapshot_date: "2024-06-30"        # ISO date (YYYY-MM-DD or YYYY-MM) or "unknown"
    source: "where the prices come from"
    models:
      "model-name":
        input_per_mtok: 10.0           # USD per 1,000,000 input tokens, finite, >= 0
        output_per_mtok: 30.0

:func:`load_price_table` validates every entry; a bad one raises :class:`PriceError` naming the file,
the model and the field. Files never change once committed: a new snapshot is a new file.

Several sources report no token counts per request; for them :func:`estimate_tokens` gives the documented
estimate ``ceil(len(text) / chars_per_token)`` (default 4 characters per token, the usual rule of thumb for
English text with BPE tokenizers), at least 1.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from .._validate import check_range
from ..paths import VENDORED_DATA
from .schema import DataError

PRICES_DIR: Path = VENDORED_DATA / "prices"
_DATE = re.compile(r"^(\d{4}-\d{2}(-\d{2})?|unknown)$")


class PriceError(DataError):
    """A malformed price table (names the file, the model and the field)."""


@dataclass(frozen=True)
class Price:
    """USD per 1M input and output tokens of one model."""

    input_per_mtok: float
    output_per_mtok: float

    def cost(self, input_tokens, output_tokens):
        """USD for the given token counts (scalars or arrays)."""
        return (np.asarray(input_tokens, dtype=float) * self.input_per_mtok
                + np.asarray(output_tokens, dtype=float) * self.output_per_mtok) / 1e6


@dataclass(frozen=True)
class PriceTable:
    """One dated snapshot of list prices."""

    name: str
    snapshot_date: str
    source: str
    models: Mapping[str, Price] = field(default_factory=dict)
    path: str = ""

    def __getitem__(self, model: str) -> Price:
        try:
            return self.models[model]
        except KeyError:
            raise KeyError(f"price table {self.name} ({self.path}) has no price for model {model!r}; "
                           f"priced models: {', '.join(self.models)}") from None

    def __contains__(self, model: str) -> bool:
        return model in self.models

    def cost(self, model: str, input_tokens, output_tokens):
        """USD of ``model`` for the given token counts."""
        return self[model].cost(input_tokens, output_tokens)

    def describe(self) -> dict:
        """Provenance fields for ``Outcomes.meta`` / provenance.json."""
        return {"name": self.name, "snapshot_date": self.snapshot_date, "path": self.path,
                "source": " ".join(self.source.split())}


def available_price_tables() -> tuple[str, ...]:
    """Names (file stems) of the committed price tables."""
    return tuple(sorted(p.stem for p in PRICES_DIR.glob("*.yaml")))


def _resolve(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        if not p.exists():
            raise FileNotFoundError(f"price table {p} does not exist; committed tables: "
                                    f"{', '.join(available_price_tables())} (in {PRICES_DIR})")
        return p
    q = PRICES_DIR / f"{name_or_path}.yaml"
    if not q.exists():
        raise FileNotFoundError(f"no price table named {name_or_path!r} in {PRICES_DIR}; committed tables: "
                                f"{', '.join(available_price_tables())}")
    return q


def parse_price_table(doc, file: str, name: str | None = None) -> PriceTable:
    """Validate a parsed YAML document (a dict) and return the :class:`PriceTable`."""
    if not isinstance(doc, dict):
        raise PriceError(f"{file}: a price table must be a mapping with snapshot_date, source, models")
    for key in ("snapshot_date", "source", "models"):
        if key not in doc:
            raise PriceError(f"{file}: missing field {key!r}")
    date = str(doc["snapshot_date"])
    if not _DATE.match(date):
        raise PriceError(f"{file}: snapshot_date = {date!r} must be YYYY-MM-DD, YYYY-MM or 'unknown'")
    source = doc["source"]
    if not isinstance(source, str) or not source.strip():
        raise PriceError(f"{file}: source must name where the prices come from")
    models = doc["models"]
    if not isinstance(models, dict) or not models:
        raise PriceError(f"{file}: models must be a non-empty mapping model -> prices")
    out: dict[str, Price] = {}
    for model, entry in models.items():
        if not isinstance(entry, dict):
            raise PriceError(f"{file}: model {model!r}: entry must be a mapping with input_per_mtok, output_per_mtok")
        vals = []
        for fld in ("input_per_mtok", "output_per_mtok"):
            if fld not in entry:
                raise PriceError(f"{file}: model {model!r}: missing field {fld!r}")
            v = entry[fld]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
                raise PriceError(f"{file}: model {model!r}: {fld} = {v!r} must be a finite number >= 0 "
                                 "(USD per 1M tokens)")
            vals.append(float(v))
        out[str(model)] = Price(*vals)
    return PriceTable(name=name or Path(file).stem, snapshot_date=date, source=str(source), models=out, path=file)


def load_price_table(name_or_path: str | Path) -> PriceTable:
    """Load a committed table by name (e.g. ``"routellm_2024-06-30"``) or any YAML file by path."""
    p = _resolve(name_or_path)
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise PriceError(f"{p}: not valid YAML ({e})") from None
    return parse_price_table(doc, str(p), name=p.stem)


def estimate_tokens(texts: Sequence[str] | np.ndarray, chars_per_token: float = 4.0) -> np.ndarray:
    """Estimated token counts ``max(1, ceil(len(text) / chars_per_token))`` of each text."""
    cpt = check_range("chars_per_token", chars_per_token, 0.0, math.inf, lo_open=True)
    lens = np.fromiter((len(str(t)) for t in texts), dtype=float, count=len(texts))
    return np.maximum(1.0, np.ceil(lens / cpt))
