"""The llmroute command line end to end on a zoo the project has never seen: a long-format CSV with rows shuffled,
models in no particular order, no latency and no text (issue 11's done-when)."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from llmroute.cli import main

ROOT = Path(__file__).resolve().parents[1]


def unseen_zoo_csv(path: Path, rng: np.random.Generator, n: int = 1200) -> Path:
    """~1,200 requests x 4 models, correctness only, costs per request, rows shuffled, models listed in no order."""
    models = ["zeta-70b", "alpha-1b", "omega-405b", "mu-8b"]
    price = {"alpha-1b": 0.02, "mu-8b": 0.1, "zeta-70b": 0.8, "omega-405b": 3.0}
    skill = {"alpha-1b": -1.0, "mu-8b": 0.0, "zeta-70b": 1.0, "omega-405b": 1.8}
    difficulty = rng.normal(0.0, 1.5, n)
    rows = []
    for i in range(n):
        for m in models:
            p = 1.0 / (1.0 + np.exp(-(skill[m] - difficulty[i])))
            rows.append({"request_id": f"item-{i:05d}", "model": m, "quality": int(rng.random() < p),
                         "cost": price[m] * rng.lognormal(0.0, 0.3), "domain": ("algebra", "history", "code")[i % 3]})
    df = pd.DataFrame(rows).iloc[rng.permutation(n * len(models))]
    df.to_csv(path, index=False)
    return path


@pytest.fixture
def zoo_csv(tmp_path, rng) -> Path:
    return unseen_zoo_csv(tmp_path / "unseen.csv", rng)


def test_describe_lists_models_cheapest_first(zoo_csv, capsys) -> None:
    assert main(["describe", str(zoo_csv)]) == 0
    out = capsys.readouterr().out
    pos = [out.index(m) for m in ("alpha-1b", "mu-8b", "zeta-70b", "omega-405b")]
    assert pos == sorted(pos)
    assert "1200 requests x 4 models" in out
    assert "missing: latency" in out and "text" in out


def test_evaluate_writes_summary_with_six_routers_in_time(zoo_csv, tmp_path, capsys) -> None:
    out = tmp_path / "eval"
    t0 = time.perf_counter()
    assert main(["evaluate", str(zoo_csv), "--out", str(out), "--seeds", "3", "--no-progress"]) == 0
    elapsed = time.perf_counter() - t0
    assert elapsed < 120, f"evaluate took {elapsed:.1f} s"
    s = pd.read_csv(out / "summary.csv")
    assert len(s) >= 6
    assert {"router", "quality", "cost", "aiq", "apgr", "cpt50", "cpt80", "oracle_gap", "entropy",
            "meets_alpha", "quality_lo", "quality_hi"} <= set(s.columns)
    assert {"cheapest", "most-accurate", "random", "oracle", "educated-guessing", "mess+"} <= set(s["router"])
    assert set(s.loc[s["meets_alpha"].notna(), "router"]) == {"educated-guessing", "mess+"}
    cheap = s.set_index("router").loc["cheapest"]
    runs = pd.read_csv(out / "runs.csv")
    assert cheap["quality"] == pytest.approx(runs.loc[runs["router"] == "cheapest", "mean_quality"].mean())
    assert runs["seed"].nunique() == 3
    for f in ("frontier.png", "frontier.svg", "report.md"):
        assert (out / f).stat().st_size > 0
    report = (out / "report.md").read_text()
    assert "pickllm-lri" in report and "needs latency" in report  # the skipped routers say why


def test_evaluate_selected_routers_reactive_users(zoo_csv, tmp_path) -> None:
    out = tmp_path / "arena"
    assert main(["evaluate", str(zoo_csv), "--out", str(out), "--routers", "cheapest,game-cascade,mess+",
                 "--alpha", "0.6", "--seeds", "2", "--users", "reactive", "--scheduler", "serial",
                 "--no-progress"]) == 0
    s = pd.read_csv(out / "summary.csv").set_index("router")
    assert list(s.index) == ["cheapest", "most-accurate", "game-cascade", "mess+"]  # references added
    assert s["oracle_gap"].isna().all()
    assert s.loc["cheapest", "apgr"] == pytest.approx(0.5, abs=0.01)  # the weak reference itself (mean over seeds)
    # re-prompting on the most accurate model solves more tasks than staying on the cheapest one
    assert s.loc["game-cascade", "quality"] > s.loc["cheapest", "quality"]
    assert s.loc["mess+", "alpha"] == 0.6


def test_bad_input_exits_non_zero_with_file_column_request_line(tmp_path, rng, capsys) -> None:
    p = unseen_zoo_csv(tmp_path / "bad.csv", rng, n=20)
    df = pd.read_csv(p)
    df.loc[6, "quality"] = 150
    df.to_csv(p, index=False)
    assert main(["describe", str(p)]) == 2
    err = capsys.readouterr().err
    assert f"{p}: column 'quality' is 150 for request '{df.loc[6, 'request_id']}' (line 8)" in err
    assert main(["evaluate", str(p), "--out", str(tmp_path / "o"), "--routers", "mess"]) == 2
    assert main(["evaluate", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o")]) == 2
    assert "no such file, and not a built-in dataset" in capsys.readouterr().err


def test_console_entry_points(zoo_csv) -> None:
    r = subprocess.run([sys.executable, "-m", "llmroute", "describe", str(zoo_csv)], capture_output=True, text=True,
                       cwd=ROOT)
    assert r.returncode == 0 and "alpha-1b" in r.stdout
    r = subprocess.run([sys.executable, "-m", "llmroute", "datasets"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and "routellm" in r.stdout and "omnisbench" in r.stdout
    r = subprocess.run([sys.executable, "-m", "llmroute", "evaluate", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "example: llmroute evaluate" in r.stdout
    assert 'llmroute = "llmroute.cli:main"' in (ROOT / "pyproject.toml").read_text()
