"""Smoke run of every notebook with its quick parameters (papermill), and the shape of what it writes."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from run_notebook import execute  # noqa: E402

NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
AREAS = ("game_", "data_", "messplus_", "pickllm_", "arena_")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_has_one_parameters_cell_with_quick(name: str) -> None:
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name}: expected one cell tagged 'parameters', found {len(tagged)}"
    assert "quick" in tagged[0].source and "out_dir" in tagged[0].source
    assert name.startswith(AREAS), f"{name}: notebook names start with one of {AREAS}"
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "source notebooks carry no outputs"


@pytest.mark.notebook
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_smoke(name: str, tmp_path: Path) -> None:
    out = execute(name, quick=True, out_root=tmp_path)
    folder = out.parent
    claims = json.loads((folder / "claims.json").read_text())
    assert isinstance(claims, list) and claims, "claims.json must list at least one claim"
    for c in claims:
        assert set(c) >= {"id", "claim", "kind", "source", "reference", "ours", "tolerance", "passed", "margin", "note"}
        assert isinstance(c["passed"], bool)
    assert list(folder.glob("*.png")), "a notebook writes at least one PNG figure"
    assert list(folder.glob("*.svg")) or list(folder.glob("*.pdf")), "and its SVG/PDF twin"
    assert list(folder.glob("*.csv")), "and at least one CSV table"
