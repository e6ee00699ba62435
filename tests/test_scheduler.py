"""Sweeps run on an existing engine: local processes (joblib) or a Dask cluster give the same table bit for bit."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from llmroute.cli import evaluate_one
from llmroute.data import Outcomes
from llmroute.replay import is_dask_scheduler, run_grid


def _zoo() -> Outcomes:
    rng = np.random.default_rng(7)
    n = 150
    return Outcomes(name="z", models=("s", "m", "l"), quality=(rng.random((n, 3)) < [0.4, 0.6, 0.85]).astype(float),
                    cost=np.array([1.0, 3.0, 9.0]) * rng.uniform(0.8, 1.2, (n, 3)), cost_unit="USD",
                    request_id=np.arange(n).astype(str), domain=np.where(np.arange(n) % 2, "a", "b"))


def _tasks() -> list[dict]:
    o = _zoo()
    return [{"outcomes": o, "router": r, "settings": {"alpha": 0.6} if r in ("mess+", "educated-guessing") else {},
             "seed": s, "users": "passive", "abandon": 0.5, "max_attempts": 3}
            for r in ("random", "educated-guessing", "mess+") for s in range(3)]


def test_local_and_serial_agree_bit_for_bit() -> None:
    a = run_grid(_tasks(), evaluate_one, n_jobs=2, progress=False)
    b = run_grid(_tasks(), evaluate_one, progress=False, scheduler="serial")
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a["router"].tolist() == [t["router"] for t in _tasks()]


def test_unknown_scheduler_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"scheduler = 'slurm' is not allowed: must be 'local', 'serial', a Dask"):
        run_grid(_tasks()[:1], evaluate_one, scheduler="slurm")
    assert is_dask_scheduler("tcp://127.0.0.1:8786") and is_dask_scheduler("dask://127.0.0.1:8786")
    assert not is_dask_scheduler("local")


def test_dask_cluster_equals_local_run_bit_for_bit() -> None:
    distributed = pytest.importorskip("distributed", reason="dask.distributed not installed "
                                                            "(pip install 'llmroute[distributed]')")
    local = run_grid(_tasks(), evaluate_one, n_jobs=1, progress=False, scheduler="serial")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, host="127.0.0.1",
                                  protocol="tcp://", dashboard_address=None) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        remote = run_grid(_tasks(), evaluate_one, progress=False, scheduler=cluster.scheduler_address)
        with distributed.Client(cluster, set_as_default=False) as client:
            via_client = run_grid(_tasks(), evaluate_one, progress=False, scheduler=client)
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    pd.testing.assert_frame_equal(local, via_client, check_exact=True)
