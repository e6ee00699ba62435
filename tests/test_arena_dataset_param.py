"""arena_main runs on a user's own outcome file: `papermill ... -p dataset my.csv -p quick True -p out_dir DIR`."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_arena_main_runs_on_a_generated_csv(tmp_path) -> None:
    papermill = pytest.importorskip("papermill")
    rng = np.random.default_rng(0)
    n, models = 120, {"cheap": (0.55, 0.001, 1.0), "mid": (0.7, 0.004, 2.0), "big": (0.85, 0.02, 4.0)}
    rows = []
    for i in range(n):
        dom = "math" if i % 2 else "code"
        text = f"task {i} about {dom} number {rng.integers(1000)}"
        for m, (p, c, lat) in models.items():
            rows.append({"request_id": f"r{i}", "model": m, "quality": float(rng.random() < p),
                         "cost": c * rng.uniform(0.5, 1.5), "latency": lat * rng.lognormal(0, 0.3), "domain": dom,
                         "text": text})
    csv = tmp_path / "mine.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    out = tmp_path / "out"
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = f"{ROOT / 'lib'}{os.pathsep}{env_path}" if env_path else str(ROOT / "lib")
    papermill.execute_notebook(str(ROOT / "notebooks" / "arena_main.ipynb"), str(tmp_path / "out.ipynb"),
                               parameters={"dataset": str(csv), "quick": True, "out_dir": str(out)},
                               kernel_name="llmroute", progress_bar=False, cwd=str(ROOT / "notebooks"))
    runs = pd.read_csv(out / "arena_runs.csv")
    assert set(runs["dataset"]) == {str(csv)} and set(runs["user"]) == {"passive", "reactive, independent",
                                                                      "reactive, same"}
    assert (out / "lambda_sweep.csv").exists() and (out / "arena_glance.png").exists()
    assert not (out / "claims.json").exists()  # claims are about the built-in datasets
