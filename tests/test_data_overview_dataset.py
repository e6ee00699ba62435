"""The data overview on a user's own file (issue 11, item 8) and the data layer's independence from the engine
(issue 11, item 10)."""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmroute.overview import entries_for

ROOT = Path(__file__).resolve().parents[1]


def _long_csv(path: Path, n: int = 120, seed: int = 0) -> Path:
    """A long-format file of a zoo the project has never seen: 4 models in no particular order, rows shuffled,
    cost in joules, no latency or text."""
    rng = np.random.default_rng(seed)
    models = {"m-large": (0.8, 900.0), "m-tiny": (0.35, 40.0), "m-mid": (0.7, 250.0), "m-small": (0.5, 90.0)}
    rows = [{"request_id": f"r{k}", "model": m, "quality": float(rng.random() < acc),
             "cost": float(c * rng.uniform(0.8, 1.2)), "domain": "d1" if k % 3 else "d2"}
            for k in range(n) for m, (acc, c) in models.items()]
    df = pd.DataFrame(rows).sample(frac=1.0, random_state=seed)
    df.to_csv(path, index=False)
    return path


def test_entries_for_a_file_and_a_builtin_name(tmp_path) -> None:
    f = _long_csv(tmp_path / "mine.csv")
    (e,) = entries_for(str(f), np.random.default_rng(0))
    assert e.label == "mine.csv" and e.family == "user" and not e.synthetic
    assert e.outcomes.models == ("m-tiny", "m-small", "m-mid", "m-large")  # cheapest first
    (b,) = entries_for("omnisbench", np.random.default_rng(0))
    assert b.family == "omnisbench" and b.outcomes.n_models == 2


def test_data_overview_notebook_runs_on_a_user_file(tmp_path) -> None:
    pm = pytest.importorskip("papermill")
    f = _long_csv(tmp_path / "mine.csv")
    out = tmp_path / "out"
    pm.execute_notebook(str(ROOT / "notebooks" / "data_overview.ipynb"), str(tmp_path / "executed.ipynb"),
                        parameters={"dataset": str(f), "out_dir": str(out), "quick": True},
                        kernel_name="llmroute", progress_bar=False, cwd=str(ROOT / "notebooks"))
    per_model = pd.read_csv(out / "per_model.csv")
    assert len(per_model) == 4 and set(per_model["model"]) == {"m-tiny", "m-small", "m-mid", "m-large"}
    for name in ("frontiers_1.png", "overlap.png", "overlap.csv", "baseline_points.csv", "provenance.json"):
        assert (out / name).exists(), name
    assert not (out / "claims.json").exists()  # the paper checks are about the built-in datasets only


def test_data_layer_does_not_import_the_engine() -> None:
    """No module of llmroute.data imports the replay engine, the routers or the experiment packages (the old
    data/overview.py imported replay and routers)."""
    engine = {"replay", "routers", "messplus", "pickllm", "arena", "game", "overview", "cli", "metrics"}
    bad = []
    for py in sorted((ROOT / "lib" / "llmroute" / "data").glob("*.py")):
        for node in ast.walk(ast.parse(py.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                top = (node.module or "").split(".")[0] or (node.names[0].name if node.names else "")
                if top in engine:
                    bad.append(f"{py.name}: from {'.' * node.level}{node.module or ''} import ...")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mod = node.module if isinstance(node, ast.ImportFrom) else None
                names = [mod] if mod else [a.name for a in node.names]
                for n in names:
                    parts = (n or "").split(".")
                    if parts[0] == "llmroute" and len(parts) > 1 and parts[1] in engine:
                        bad.append(f"{py.name}: import {n}")
    assert not bad, bad
