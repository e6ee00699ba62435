"""Provenance identifies a run: data files read (with SHA-256), code commit, package versions."""
from __future__ import annotations

import hashlib
import json
import re

import pandas as pd

from llmroute import provenance as pv
from llmroute.outputs import write_provenance
from llmroute.paths import VENDORED_DATA


def test_reading_a_data_file_records_its_checksum(tmp_path) -> None:
    csv = VENDORED_DATA / "calibration" / "models.csv"
    pd.read_csv(csv)
    files = pv.data_files_read()
    key = "data/calibration/models.csv"
    assert files[key] == hashlib.sha256(csv.read_bytes()).hexdigest()
    (tmp_path / "scratch.csv").write_text("a\n1\n")  # files outside the data folders are not recorded
    pd.read_csv(tmp_path / "scratch.csv")
    assert not any("scratch" in k for k in pv.data_files_read())


def test_provenance_json_has_commit_versions_and_data(tmp_path) -> None:
    prov = json.loads(write_provenance(tmp_path, quick=True).read_text())
    run = prov["run"]
    assert re.fullmatch(r"[0-9a-f]{40}", run["code"]["commit"]) or run["code"]["commit"].startswith("unknown")
    assert run["packages"]["numpy"] and run["packages"]["python"].startswith("3.")
    assert isinstance(run["data_files_sha256"], dict)
