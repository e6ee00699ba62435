"""Where things live: the repository root, the shared real data, and the results folders.

The real data that may not be committed is looked up, in order, in
1. the environment variable ``LLMROUTE_DATA`` (a folder laid out like ``shared/data``),
2. ``<repo>/../shared/data`` (where CI and the developers' machines keep it).
Vendored open-licence data lives in ``<repo>/data``.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT: Path = Path(__file__).resolve().parents[2]
VENDORED_DATA: Path = REPO_ROOT / "data"
RESULTS: Path = REPO_ROOT / "results"

SHARED_DATA_HINT = (
    "The real routing-outcome data is not part of this repository (some of it has no licence). "
    "Put the folder `shared/data` beside the clone (../shared/data) or set LLMROUTE_DATA to a folder with "
    "the same layout; see README.md, section 'Data', for where each original lives."
)


def shared_data_dir() -> Path | None:
    """Return the folder holding the shared real data, or ``None`` when it is absent."""
    env = os.environ.get("LLMROUTE_DATA")
    if env:
        p = Path(env).expanduser()
        return p if p.is_dir() else None
    p = REPO_ROOT.parent / "shared" / "data"
    return p if p.is_dir() else None


def shared_file(*parts: str) -> Path:
    """Path of a file under the shared data folder; raises ``FileNotFoundError`` naming it when absent."""
    root = shared_data_dir()
    if root is None:
        raise FileNotFoundError(f"shared data folder not found (looked at $LLMROUTE_DATA and "
                                f"{REPO_ROOT.parent / 'shared' / 'data'}). {SHARED_DATA_HINT}")
    p = root.joinpath(*parts)
    if not p.exists():
        raise FileNotFoundError(f"{p} does not exist. {SHARED_DATA_HINT}")
    return p


def portable(text: str) -> str:
    """``text`` with machine-specific prefixes replaced, so that results do not depend on where the clone is:
    the repository root becomes relative (``results/...``, ``data/...``) and the shared data folder becomes
    ``../shared/data``."""
    shared = shared_data_dir()
    if shared is not None:
        text = text.replace(str(shared.resolve()), "../shared/data").replace(str(shared), "../shared/data")
    for root in {str(REPO_ROOT), str(REPO_ROOT.resolve())}:
        text = text.replace(root + os.sep, "").replace(root, ".")
    return text


def results_dir(notebook: str, out_dir: str | os.PathLike[str] | None = None) -> Path:
    """The output folder of a notebook: ``out_dir`` if given (smoke runs), else ``results/<notebook>``."""
    p = Path(out_dir) if out_dir else RESULTS / notebook
    p.mkdir(parents=True, exist_ok=True)
    return p
