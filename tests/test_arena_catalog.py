"""The arena catalog and module structure: learned routers warn on data with nothing to learn from (issue 11,
pitfall 5), the arena's imports go one way, one pass-rate definition (game.calibrate.measure_pair), datasets
given as files."""
from __future__ import annotations

import ast
import warnings
from pathlib import Path

import numpy as np
import pytest

from llmroute.arena import ArenaUser, pair_params
from llmroute.data.schema import Outcomes

ARENA = Path(__file__).resolve().parents[1] / "lib" / "llmroute" / "arena"


def _zoo(rng: np.random.Generator, n: int = 400, features: bool = False) -> Outcomes:
    acc = np.array([0.45, 0.6, 0.85])
    return Outcomes(name="plain", models=("a", "b", "c"), quality=(rng.random((n, 3)) < acc).astype(float),
                    cost=np.tile([1.0, 3.0, 9.0], (n, 1)) * rng.uniform(0.9, 1.1, (n, 3)), cost_unit="USD",
                    latency=rng.gamma(2.0, 1.0, (n, 3)), request_id=np.arange(n).astype(str),
                    domain=np.full(n, "only"), features=rng.normal(size=(n, 4)) if features else None)


def test_learned_routers_warn_and_name_their_fallback_without_text_or_features(rng) -> None:
    from llmroute.arena.catalog import LearnedRouterFallback, arena_routers

    o = _zoo(rng)
    with pytest.warns(LearnedRouterFallback) as rec:
        arena_routers(o, ArenaUser(latency_rate=0.1), include=("routellm", "routerdc", "messplus"))
    msgs = [str(w.message) for w in rec if issubclass(w.category, LearnedRouterFallback)]
    assert any(m.startswith("RouteLLM-style threshold on plain") and "falls back to" in m for m in msgs)
    assert any(m.startswith("RouterDC-style on plain") for m in msgs)
    # one domain, no text: the RouterDC rule picks one model for every request and says which
    assert any("a single model: it serves" in m for m in msgs if m.startswith("RouterDC"))
    assert any(m.startswith("MESS+ on plain") for m in msgs)


def test_no_fallback_warning_with_features(rng) -> None:
    from llmroute.arena.catalog import LearnedRouterFallback, arena_routers

    with warnings.catch_warnings():
        warnings.simplefilter("error", LearnedRouterFallback)
        arena_routers(_zoo(rng, features=True), ArenaUser(latency_rate=0.1), include=("routellm", "routerdc"))


def _imports(path: Path) -> set[str]:
    """Arena modules imported anywhere in ``path`` (module level or inside functions)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            out.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level == 2 and node.module == "arena":
            out.update(a.name for a in node.names)
    return out - {""}


def test_arena_imports_have_no_cycle() -> None:
    """users <- metrics <- game_routers / catalog / findings: no cycle, function-local imports included."""
    graph = {p.stem: _imports(p) for p in ARENA.glob("*.py") if p.stem != "__init__"}
    assert graph["users"] == set(), graph["users"]
    seen: dict[str, int] = {}

    def visit(m: str, stack: tuple[str, ...]) -> None:
        assert m not in stack, f"import cycle: {' -> '.join(stack + (m,))}"
        if seen.get(m):
            return
        for d in graph.get(m, ()):
            visit(d, stack + (m,))
        seen[m] = 1

    for m in graph:
        visit(m, ())


def test_one_pass_rate_definition(rng) -> None:
    """Graded quality: the game notebooks' pass rate is the mean quality, the arena's the share >= threshold;
    both come from llmroute.game.calibrate.measure_pair."""
    from llmroute.game.calibrate import measure_pair

    n = 500
    qual = np.column_stack([rng.uniform(0, 0.8, n), rng.uniform(0.2, 1.0, n)])
    o = Outcomes(name="graded", models=("s", "l"), quality=qual, cost=np.tile([1.0, 2.0], (n, 1)),
                 cost_unit="USD", latency=np.tile([1.0, 3.0], (n, 1)), request_id=np.arange(n).astype(str),
                 domain=np.full(n, "d"))
    assert measure_pair(o).p == pytest.approx(tuple(qual.mean(0)))
    thr = measure_pair(o, pass_rate="threshold", threshold=0.6).p
    assert thr == pytest.approx(tuple((qual >= 0.6).mean(0)))
    m = pair_params(o, ArenaUser(latency_rate=0.5, success_threshold=0.6), "s", "l")
    assert m["p"] == thr and m["t"] == pytest.approx((0.5, 1.5)) and m["c"] == pytest.approx((1.0, 2.0))
    with pytest.raises(Exception, match="pass_rate"):
        measure_pair(o, pass_rate="median")


def test_dataset_keys_and_files(tmp_path) -> None:
    from llmroute.arena.catalog import ARENA_DATASETS, dataset_keys

    assert dataset_keys(None) == ARENA_DATASETS == dataset_keys("all")
    assert dataset_keys("omnisbench") == ("omnisbench",)
    f = tmp_path / "mine.csv"
    f.write_text("request_id,model,quality,cost\n")
    assert dataset_keys(str(f)) == (str(f),)
    with pytest.raises(ValueError, match="dataset="):
        dataset_keys("no-such-thing")
