"""Featurizers: protocol, synthetic passthrough, offline deterministic text features, default choice."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from llmroute.data.features import Featurizer, SyntheticFeatures, TextHashingFeatures, default_featurizer
from llmroute.data.schema import DataError, Outcomes
from llmroute.data.synthetic import synthetic_zoo


def _text_outcomes(texts, quality=None) -> Outcomes:
    n = len(texts)
    q = np.zeros((n, 2)) if quality is None else quality
    return Outcomes(name="toy", models=("a", "b"), quality=q, cost=np.ones((n, 2)), cost_unit="USD",
                    request_id=np.arange(n).astype(str), domain=np.full(n, "toy"), text=np.array(texts, dtype=object))


TEXTS = ["what is the capital of france", "solve 2 + 2", "integrate x squared dx", "who wrote hamlet",
         "what is the capital of spain", "solve 3 * 7", "differentiate sin x", "who painted the mona lisa"] * 5


def test_synthetic_passthrough():
    o = synthetic_zoo("messplus", "sciq", n=50, rng=0)
    f = default_featurizer(o)
    assert isinstance(f, SyntheticFeatures) and isinstance(f, Featurizer)
    X = f.fit(o).transform(o, [3, 1])
    np.testing.assert_array_equal(X, o.features[[3, 1]])
    X[:] = 0  # a copy: the outcomes are untouched
    assert np.any(o.features[[3, 1]] != 0)
    with pytest.raises(DataError, match="no features"):
        SyntheticFeatures().fit(_text_outcomes(TEXTS))


def test_text_features_shape_deterministic_and_standardised():
    o = _text_outcomes(TEXTS)
    f = default_featurizer(o)
    assert isinstance(f, TextHashingFeatures)
    X = TextHashingFeatures(dim=4, seed=0).fit(o).transform(o)
    Y = TextHashingFeatures(dim=4, seed=0).fit(o).transform(o)
    assert X.shape == (40, 5) and X.dtype == float  # 1 length column + 4 SVD components
    np.testing.assert_array_equal(X, Y)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-9)
    # identical texts map to identical rows; rows of one "topic" are closer than across topics
    np.testing.assert_allclose(X[0], X[8])
    assert np.linalg.norm(X[0] - X[4]) < np.linalg.norm(X[0] - X[2])


def test_text_features_unseen_rows_and_small_corpus():
    train = _text_outcomes(TEXTS[:8])
    f = TextHashingFeatures(dim=32, add_length=False).fit(train)
    assert f.dim == 7  # capped at n_train - 1
    test = _text_outcomes(["completely new words here", "what is the capital of italy"])
    assert f.transform(test).shape == (2, 7)


def test_text_features_carry_signal_on_a_learnable_toy():
    rng = np.random.default_rng(5)
    topics = [("math", "solve integrate equation derivative sum"), ("trivia", "who capital painted wrote city")]
    texts, y = [], []
    for i in range(400):
        k = int(rng.integers(2))
        words = rng.choice(topics[k][1].split(), size=4).tolist() + rng.choice(["the", "a", "of", "is"], 2).tolist()
        texts.append(" ".join(words))
        y.append(k)
    q = np.column_stack([np.array(y, float), 1 - np.array(y, float)])
    o = _text_outcomes(texts, q)
    tr, te = np.arange(300), np.arange(300, 400)
    f = TextHashingFeatures(dim=8).fit(o, tr)
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression().fit(f.transform(o, tr), q[tr, 0])
    assert lr.score(f.transform(o, te), q[te, 0]) > 0.95


def test_errors():
    o = _text_outcomes(TEXTS)
    with pytest.raises(RuntimeError, match="before fit"):
        TextHashingFeatures().transform(o)
    with pytest.raises(DataError, match="out of range"):
        TextHashingFeatures().fit(o, [0, 99])
    no_text = Outcomes(name="bare", models=("a",), quality=np.zeros((2, 1)), cost=np.zeros((2, 1)),
                       cost_unit="J", request_id=np.array(["1", "2"]), domain=np.array(["d", "d"]))
    with pytest.raises(DataError, match="bare: has neither features nor text"):
        default_featurizer(no_text)
    with pytest.raises(ValueError, match="dim"):
        TextHashingFeatures(dim=0)


def test_import_does_not_touch_network_or_sklearn():
    code = ("import socket, sys\n"
            "def boom(*a, **k): raise RuntimeError('network')\n"
            "socket.socket.connect = boom; socket.create_connection = boom\n"
            "import llmroute.data.features, llmroute.data.synthetic, llmroute.data.messplus\n"
            "print('sklearn' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"
