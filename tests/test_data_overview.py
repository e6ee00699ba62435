"""The data overview's library functions on a tiny hand-made table (llmroute.overview)."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from llmroute.overview import (Entry, baseline_points, messplus_data_note, model_table, overlap, overlap_long,
                                    pareto_front, pattern_counts)

from conftest import tiny_outcomes


def test_overlap_is_conditional_correctness() -> None:
    # tiny: s right on b only; m right on a, b; l right on a, b, c
    ov = overlap(tiny_outcomes())
    assert ov.loc["s", "m"] == 1.0 and ov.loc["m", "s"] == 0.5 and ov.loc["l", "s"] == pytest.approx(1 / 3)
    assert np.diag(ov.to_numpy()).tolist() == [1.0, 1.0, 1.0]
    long = overlap_long([Entry("T", "tiny", tiny_outcomes(), False)])
    assert len(long) == 9 and set(long.columns) == {"model_i", "model_j", "p_j_given_i", "dataset"}
    assert long.set_index(["model_i", "model_j"]).loc[("m", "s"), "p_j_given_i"] == 0.5


def test_pattern_counts_and_frequencies() -> None:
    o = tiny_outcomes()
    counts = pattern_counts(o, normalize=False)
    assert counts.to_dict() == {"000": 1, "001": 1, "011": 1, "111": 1}
    assert pattern_counts(o).sum() == pytest.approx(1.0) and pattern_counts(o)["011"] == 0.25


def test_model_table_rows() -> None:
    t = model_table([Entry("T", "tiny", tiny_outcomes(), True)])
    assert t["accuracy"].tolist() == [0.25, 0.5, 0.75] and t["mean_cost"].tolist() == [1.75, 5.5, 21.5]
    assert (t["data"] == "synthetic").all() and t["cost_rank"].tolist() == [0, 1, 2]


def test_pareto_front_drops_dominated_points() -> None:
    cost = np.array([1.0, 2.0, 3.0, 2.0, 5.0])
    qual = np.array([0.5, 0.4, 0.8, 0.7, 0.8])
    assert pareto_front(cost, qual).tolist() == [0, 3, 2]


def test_baseline_points_oracles_and_single_models() -> None:
    pts = baseline_points(tiny_outcomes(), seed=0).set_index("router")
    assert pts.loc["only s", "mean_quality"] == 0.25 and pts.loc["only l", "cost_per_request"] == 21.5
    # cheapest correct: a -> m (4), b -> s (2), c -> l (22), d (none right) -> cheapest s (3)
    assert pts.loc["oracle (cheapest correct)", "cost_per_request"] == pytest.approx((4 + 2 + 22 + 3) / 4)
    assert pts.loc["oracle (cheapest correct)", "mean_quality"] == 0.75
    assert set(pts["kind"]) == {"single model", "random", "oracle", "educated guessing"}


def test_messplus_data_note_from_metadata() -> None:
    o = tiny_outcomes()
    clean = replace(o, meta={"synthetic": False, "raw_rows": {"b": 4}})
    assert messplus_data_note(clean, "b", 4) == ""
    dup = replace(o, meta={"synthetic": False, "raw_rows": {"b": 12}})
    note = messplus_data_note(dup, "b", 4)
    assert "12 rows for 4 distinct doc_ids (3.00 captures" in note and "lm-eval split" not in note
    short = replace(o, meta={"synthetic": False, "raw_rows": {"b": 5}})
    assert "It holds 4 documents of the 6 in the lm-eval split." in messplus_data_note(short, "b", 6)
    assert messplus_data_note(replace(o, meta={"synthetic": True}), "b", 4).startswith("Real data absent")


def test_messplus_model_means_rows_and_counts(monkeypatch) -> None:
    """Per benchmark and model, with the file's row counts; the loader is replaced by the tiny table (12 raw rows
    for its 4 documents, a split of 6)."""
    import llmroute.data.messplus as mp
    import llmroute.overview as ov

    tiny = replace(tiny_outcomes(), meta={"synthetic": False, "raw_rows": {"b": 12}})
    monkeypatch.setattr(ov, "load_or_synthetic", lambda name, bench, rng: tiny)
    monkeypatch.setitem(mp.MESSPLUS_SPLIT_SIZES, "b", 6)
    t = ov.messplus_model_means(np.random.default_rng(0), benchmarks=("b",))
    assert t["model"].tolist() == ["s", "m", "l"] and t["accuracy"].tolist() == [0.25, 0.5, 0.75]
    assert t["mean_joules"].tolist() == [1.75, 5.5, 21.5]
    row = t.iloc[0]
    assert (row["n_docs"], row["raw_rows"], row["duplicate_rows"], row["captures"], row["split_size"]) == (4, 12, 8, 3.0, 6)
    assert row["note"] == messplus_data_note(tiny, "b", 6) and "3.00 captures" in row["note"]


def test_model_table_accuracy_interval_is_student_t_over_requests() -> None:
    from scipy import stats

    t = model_table([Entry("T", "tiny", tiny_outcomes(), True)])
    q = tiny_outcomes().quality[:, 1]  # m: right on 2 of 4
    lo, hi = stats.t.interval(0.95, q.size - 1, loc=q.mean(), scale=stats.sem(q))
    assert t.loc[1, "accuracy_lo"] == pytest.approx(lo) and t.loc[1, "accuracy_hi"] == pytest.approx(hi)
    assert (t["accuracy_lo"] <= t["accuracy"]).all() and (t["accuracy"] <= t["accuracy_hi"]).all()


def test_baseline_points_seeds_and_intervals() -> None:
    o = tiny_outcomes()
    pts = baseline_points(o, seed=0, n_seeds=5).set_index("router")
    assert (pts["n_seeds"] == 5).all()
    # a single model serves every request whatever the seed: its interval is the t interval of its column
    from scipy import stats
    q = o.quality[:, 0]
    lo, hi = stats.t.interval(0.95, q.size - 1, loc=q.mean(), scale=stats.sem(q))
    assert pts.loc["only s", "mean_quality_lo"] == pytest.approx(lo)
    assert pts.loc["only s", "mean_quality_hi"] == pytest.approx(hi)
    # random is the mean over the five seeds' replays
    one = [baseline_points(o, seed=s, n_seeds=1).set_index("router").loc["random", "mean_quality"] for s in range(5)]
    assert pts.loc["random", "mean_quality"] == pytest.approx(np.mean(one))
    with pytest.raises(ValueError, match="n_seeds"):
        baseline_points(o, n_seeds=0)


def test_frontier_groups_split_in_order() -> None:
    from llmroute.overview import frontier_groups

    es = [Entry(f"T{k}", "tiny", tiny_outcomes(), True) for k in range(9)]
    groups = frontier_groups(es, per_figure=4)
    assert [len(g) for g in groups] == [4, 4, 1]
    assert [e.label for g in groups for e in g] == [e.label for e in es]
    with pytest.raises(ValueError, match="per_figure"):
        frontier_groups(es, per_figure=0)
