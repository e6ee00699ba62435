"""What identifies a run: the code's git commit, key package versions, and a checksum of every data file read.

Importing :mod:`llmroute` installs a Python audit hook (PEP 578) that notes every file *opened for reading*
under the repository's ``data/`` folder or the shared real-data folder (``../shared/data`` or
``$LLMROUTE_DATA``), so loaders need no bookkeeping. :func:`run_provenance` returns those files with their
SHA-256, the commit of the last change to the code and inputs (``lib``, ``notebooks``, ``scripts``, ``data``,
``pyproject.toml``: results committed afterwards do not change it, so re-runs stay byte-stable) and whether
those inputs had uncommitted changes.
"""
from __future__ import annotations

import hashlib
import importlib.metadata as md
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

from .paths import REPO_ROOT, VENDORED_DATA, portable, shared_data_dir

KEY_PACKAGES = ("numpy", "scipy", "pandas", "cvxpy", "scikit-learn", "matplotlib", "seaborn", "papermill")
CODE_PATHS = ("lib", "notebooks", "scripts", "data", "pyproject.toml")
_READ: set[str] = set()
_HASHES: dict[tuple[str, int, int], str] = {}


def _roots() -> list[str]:
    roots = [str(VENDORED_DATA.resolve())]
    shared = shared_data_dir()
    if shared is not None:
        roots.append(str(shared.resolve()))
    return roots


def _audit(event: str, args: tuple) -> None:
    if event != "open" or not args:
        return
    path, mode = args[0], args[1] if len(args) > 1 else "r"
    if not isinstance(path, (str, bytes, os.PathLike)) or isinstance(path, int):
        return
    if mode is not None and any(ch in str(mode) for ch in "wax+"):
        return
    try:
        p = os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return
    if any(p.startswith(r + os.sep) for r in _ROOTS) and os.path.isfile(p):
        _READ.add(p)


_ROOTS = _roots()


def install() -> None:
    """Install the audit hook once per process (called by ``import llmroute``)."""
    if not getattr(sys, "_llmroute_audit", False):
        sys.addaudithook(_audit)
        sys._llmroute_audit = True  # type: ignore[attr-defined]


def sha256(path: str | Path) -> str:
    """SHA-256 of a file (cached on path, size and modification time)."""
    st = os.stat(path)
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _HASHES:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        _HASHES[key] = h.hexdigest()
    return _HASHES[key]


def data_files_read() -> dict[str, str]:
    """``{portable path: sha256}`` of every data file read so far in this process, sorted by path."""
    return {portable(p): sha256(p) for p in sorted(_READ) if os.path.isfile(p)}


def _git(*args: str) -> str:
    try:
        r = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return ""
    return r.stdout.strip() if r.returncode == 0 else ""


def code_commit() -> dict[str, Any]:
    """The commit of the last change to the code and inputs, and whether they have uncommitted changes."""
    commit = _git("log", "-1", "--format=%H", "--", *CODE_PATHS)
    dirty = bool(_git("status", "--porcelain", "--", *CODE_PATHS)) if commit else None
    return {"commit": commit or "unknown (not a git checkout)", "uncommitted_changes": dirty}


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def run_provenance() -> dict[str, Any]:
    """Everything that identifies a run (written into every ``provenance.json`` by ``write_provenance``)."""
    return {"code": code_commit(), "packages": package_versions(), "data_files_sha256": data_files_read()}
