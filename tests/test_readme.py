"""The README's Python examples run as written (the ten-line custom router among them)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_python_examples() -> None:
    assert BLOCKS, "README.md shows at least one Python example"


@pytest.mark.parametrize("k", range(len(BLOCKS)))
def test_readme_example_runs(k: int, capsys) -> None:
    exec(compile(BLOCKS[k], f"README.md block {k}", "exec"), {"__name__": "readme_example"})
    out = capsys.readouterr().out
    if "summary()" in BLOCKS[k]:
        assert "'router'" in out and "'cost_per" in out


def test_readme_generated_blocks_match_results() -> None:
    """The claims table and result tables in README.md are those rendered from results/ (make claims)."""
    import subprocess
    import sys

    root = README.parent
    r = subprocess.run([sys.executable, str(root / "scripts" / "render_readme.py"), "--check"], cwd=root)
    assert r.returncode == 0, "README.md is out of date with results/: run `make claims`"
