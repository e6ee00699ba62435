"""Synthetic zoo: matches the committed aggregates, features carry (partial) signal, determinism, errors.

Bounds used (stated so they can be checked):
* pattern frequencies: every committed pattern's sampled frequency within 4 binomial standard errors,
  |f_hat - f| <= 4 sqrt(f (1 - f) / n), at n = 200,000;
* mean cost / latency: within 5 standard errors of the fitted lognormal, 5 * mean * sqrt(exp(sigma^2) - 1) / sqrt(n).
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import require_shared

from llmroute._validate import ParameterError
from llmroute.data.synthetic import CALIBRATION_DIR, load_calibration, synthetic_benchmarks, synthetic_zoo
from llmroute.paths import REPO_ROOT

N_BIG = 200_000


def _patterns(o) -> np.ndarray:
    return np.array(["".join(r) for r in o.quality.astype(int).astype(str)])


@pytest.mark.parametrize("source, bench", [("messplus", "arc_challenge"), ("messplus", "logiqa"),
                                           ("messplus", "sciq"), ("routerbench", "arc-challenge"),
                                           ("routerbench", "mbpp")])
def test_pattern_frequencies_match(source, bench):
    cal = load_calibration()
    pat = cal["patterns"].query("source == @source and benchmark == @bench")
    o = synthetic_zoo(source, bench, n=N_BIG, rng=np.random.default_rng(7))
    got = pd.Series(_patterns(o)).value_counts() / N_BIG
    f = pat["freq"].to_numpy()
    fhat = got.reindex(pat["pattern"]).fillna(0.0).to_numpy()
    se = np.sqrt(f * (1 - f) / N_BIG)
    assert np.all(np.abs(fhat - f) <= 4 * se + 1e-12)
    assert set(got.index) <= set(pat["pattern"])  # no pattern outside the committed ones
    if source == "messplus":
        assert len(pat) == 8 and abs(pat["freq"].sum() - 1) < 1e-9


@pytest.mark.parametrize("source, bench", [("messplus", "arc_challenge"), ("messplus", "piqa"),
                                           ("routerbench", "winogrande")])
def test_costs_and_latency_match_fitted_means(source, bench):
    cal = load_calibration()
    o = synthetic_zoo(source, bench, n=N_BIG, rng=np.random.default_rng(8))
    for quantity, arr in (("cost", o.cost), ("latency", o.latency)):
        t = cal["costs"].query("source == @source and benchmark == @bench and quantity == @quantity")
        if t.empty:
            assert arr is None and source == "routerbench"
            continue
        t = t.set_index("model").loc[list(o.models)]
        mean, sig = t["mean"].to_numpy(), t["log_sigma"].to_numpy()
        se = mean * np.sqrt(np.expm1(sig ** 2)) / np.sqrt(N_BIG)
        assert np.all(np.abs(arr.mean(axis=0) - mean) <= 5 * se), quantity
    assert o.cost_unit == ("J" if source == "messplus" else "USD")


def test_defaults_names_meta():
    o = synthetic_zoo("messplus", "arc_challenge", rng=np.random.default_rng(0))
    assert o.n_requests == 1172 and o.name == "synthetic messplus/arc_challenge"
    assert o.meta["synthetic"] is True and o.models == ("llama-3.2-1b", "llama-3.1-8b", "llama-3.3-70b")
    assert o.features.shape == (1172, 16) and o.latency is not None and o.text is None
    r = synthetic_zoo("routerbench", "winogrande", rng=1)  # alias spelling and int seed
    assert r.n_models == 11 and r.n_requests == 1267 and r.latency is None
    assert r.models[0] == "mistralai/mistral-7b-chat" and r.models[-1] == "gpt-4-1106-preview"
    assert synthetic_zoo("routerbench", "arc_challenge", n=5, rng=2).meta["benchmark"] == "arc-challenge"
    assert set(synthetic_benchmarks("messplus")) >= {"arc_challenge", "winogrande"}


def test_chained_stream():
    o = synthetic_zoo("messplus", ["arc_challenge", "piqa", "winogrande"], n=[10, 20, 30], rng=3)
    assert o.n_requests == 60 and o.domains == ("arc_challenge", "piqa", "winogrande")
    assert len(set(o.request_id)) == 60 and o.meta["synthetic"] is True


def test_determinism():
    a = synthetic_zoo("messplus", "boolq", n=500, rng=np.random.default_rng(11))
    b = synthetic_zoo("messplus", "boolq", n=500, rng=np.random.default_rng(11))
    c = synthetic_zoo("messplus", "boolq", n=500, rng=np.random.default_rng(12))
    for f in ("quality", "cost", "latency", "features"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert not np.array_equal(a.features, c.features)


def _held_out_auc_and_acc(train, test, j):
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    lr = LogisticRegression(max_iter=1000).fit(train.features, train.quality[:, j])
    p = lr.predict_proba(test.features)[:, 1]
    y = test.quality[:, j]
    return roc_auc_score(y, p), float(((p > 0.5) == (y > 0.5)).mean()), max(y.mean(), 1 - y.mean())


def test_features_carry_partial_signal():
    # train and test are separate draws: the feature map is fixed per (source, benchmark)
    train = synthetic_zoo("messplus", "arc_challenge", n=4000, rng=np.random.default_rng(21))
    test = synthetic_zoo("messplus", "arc_challenge", n=4000, rng=np.random.default_rng(22))
    for j in range(3):
        auc, acc, base = _held_out_auc_and_acc(train, test, j)
        assert acc > base + 0.05 and 0.70 < auc < 0.90, (j, auc, acc, base)


def test_signal_parameter_controls_information():
    kw = dict(n=4000)
    none_tr = synthetic_zoo("messplus", "winogrande", rng=1, signal=0.0, **kw)
    none_te = synthetic_zoo("messplus", "winogrande", rng=2, signal=0.0, **kw)
    hi_tr = synthetic_zoo("messplus", "winogrande", rng=1, signal=2.0, **kw)
    hi_te = synthetic_zoo("messplus", "winogrande", rng=2, signal=2.0, **kw)
    auc0 = _held_out_auc_and_acc(none_tr, none_te, 2)[0]
    auc2 = _held_out_auc_and_acc(hi_tr, hi_te, 2)[0]
    assert auc0 < 0.56 and auc2 > 0.95


@pytest.mark.parametrize("kw, match", [
    (dict(source="nope", benchmark="boolq"), "source = 'nope'"),
    (dict(source="messplus", benchmark="mbpp"), "benchmark = 'mbpp'.*arc_challenge"),
    (dict(source="messplus", benchmark="boolq", d=3), "d = 3.*>= 4"),
    (dict(source="messplus", benchmark="boolq", signal=-1.0), "signal"),
    (dict(source="messplus", benchmark="boolq", n=0), "n = 0"),
])
def test_invalid(kw, match):
    with pytest.raises(ParameterError, match=match):
        synthetic_zoo(rng=0, **kw)


def test_rng_required():
    with pytest.raises(ParameterError, match="rng = None"):
        synthetic_zoo("messplus", "boolq")


def test_committed_calibration_consistent():
    cal = load_calibration()
    b = cal["benchmarks"]
    for _, row in b.iterrows():
        pat = cal["patterns"].query("source == @row.source and benchmark == @row.benchmark")
        assert int(pat["count"].sum()) == row["n"]
        bits = np.array([[c == "1" for c in k] for k in pat["pattern"]], dtype=float)
        marg = (bits * pat["count"].to_numpy()[:, None]).sum(0) / row["n"]
        acc = row[[f"acc_{j}" for j in range(bits.shape[1])]].to_numpy(float)
        np.testing.assert_allclose(marg, acc, atol=1e-9)
    # MESS+ ARC-C accuracies as in shared/data/README.md
    arc = b.query("source == 'messplus' and benchmark == 'arc_challenge'").iloc[0]
    assert [round(arc[f"acc_{j}"], 3) for j in range(3)] == [0.379, 0.544, 0.608]


def test_calibration_reproducible_from_real_data(tmp_path):
    """Anyone holding the files re-derives byte-identical aggregates."""
    require_shared("messplus", "inference_outputs.tar.gz")
    require_shared("routerbench_zs", "routerbench_zs.tar.gz")
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "calibrate_synthetic.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    for f in ("models.csv", "benchmarks.csv", "patterns.csv", "costs.csv", "provenance.yaml"):
        assert (tmp_path / f).read_bytes() == (CALIBRATION_DIR / f).read_bytes(), f


def test_benchmark_none_means_all_default_benchmarks_as_the_real_loaders(monkeypatch) -> None:
    from llmroute.data.registry import load_or_synthetic
    from llmroute.data.synthetic import default_benchmarks

    assert len(default_benchmarks("messplus")) == 8
    assert set(default_benchmarks("routerbench")) == {"arc-challenge", "mbpp", "winogrande"}
    rb = synthetic_zoo("routerbench", None, rng=np.random.default_rng(0))
    assert set(rb.domain) == {"arc-challenge", "mbpp", "winogrande"}
    monkeypatch.setenv("LLMROUTE_DATA", "/nonexistent-for-this-test")
    o = load_or_synthetic("messplus", None, np.random.default_rng(1), n=500)
    assert o.meta["synthetic"] and o.n_requests == 500 and len(set(o.domain)) == 8
