"""Your own data: read / from_frame in long and wide form, models cheapest first, errors that name file, column,
request and line; and the three pitfalls of issue 11 (model order, a router returning a name, a vague shape error)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import llmroute.data as D
from llmroute.data import DataError, Outcomes
from llmroute.replay import replay
from llmroute.routers import Router, SingleModel


def long_frame(rng: np.random.Generator, n: int = 40) -> pd.DataFrame:
    """n requests x 3 models in long form, rows shuffled, models listed most expensive first."""
    price = {"big": 3.0, "tiny": 0.1, "mid": 1.0}
    acc = {"big": 0.9, "tiny": 0.4, "mid": 0.7}
    rows = [{"request_id": f"r{i}", "model": m, "quality": float(rng.random() < acc[m]),
             "cost": price[m] * rng.uniform(0.5, 1.5), "latency": 0.2 + price[m] * rng.uniform(0.5, 1.0),
             "domain": "math" if i % 2 else "code", "text": f"prompt {i}"}
            for i in range(n) for m in price]
    df = pd.DataFrame(rows)
    return df.iloc[rng.permutation(len(df))].reset_index(drop=True)


def test_read_csv_puts_models_cheapest_first_and_keeps_values(tmp_path, rng) -> None:
    df = long_frame(rng)
    p = tmp_path / "mine.csv"
    df.to_csv(p, index=False)
    o = D.read(p)
    assert o.models == ("tiny", "mid", "big")
    assert o.n_requests == 40 and o.name == "mine"
    assert list(o.meta["mean_cost"]) == ["tiny", "mid", "big"]
    assert "cheapest first" in o.meta["model_order"]
    # every cell equals the row it came from
    for _, r in df.sample(10, random_state=0).iterrows():
        i, k = list(o.request_id).index(r["request_id"]), o.model_index(r["model"])
        assert o.quality[i, k] == r["quality"] and o.cost[i, k] == pytest.approx(r["cost"], rel=1e-12)
        assert o.latency[i, k] == pytest.approx(r["latency"], rel=1e-12)
        assert o.domain[i] == r["domain"] and o.text[i] == r["text"]
    # requests in order of their first row
    assert o.request_id[0] == df["request_id"].iloc[0]


def test_jsonl_parquet_long_and_wide_frames_agree(tmp_path, rng) -> None:
    df = long_frame(rng)
    p = tmp_path / "mine.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in df.to_dict("records")) + "\n\n", encoding="utf-8")
    a = D.read(p)
    b = Outcomes.from_frame(df, name="mine")
    wide = df.pivot(index="request_id", columns="model", values=["quality", "cost", "latency"])
    c = Outcomes.from_frame(wide)
    assert a.models == b.models == c.models == ("tiny", "mid", "big")
    for o in (b, c):
        rows = [list(o.request_id).index(r) for r in a.request_id]
        np.testing.assert_array_equal(o.quality[rows], a.quality)
        np.testing.assert_array_equal(o.cost[rows], a.cost)
        np.testing.assert_array_equal(o.latency[rows], a.latency)
    pytest.importorskip("pyarrow", reason="Parquet needs pyarrow (not installed)")
    q = tmp_path / "mine.parquet"
    df.to_parquet(q)
    d = D.read(q)
    np.testing.assert_array_equal(d.quality, b.quality)
    assert d.models == b.models


def test_missing_cells_are_counted_or_dropped(tmp_path, rng) -> None:
    df = long_frame(rng)
    drop = df.index[(df["request_id"].isin(["r3", "r7"])) & (df["model"] == "mid")]
    p = tmp_path / "holes.csv"
    df.drop(drop).to_csv(p, index=False)
    with pytest.raises(DataError, match=r"holes.csv: 2 \(request, model\) cells are missing .* in 2 of 40 "
                                        r"requests; e.g. request 'r\d' \(line \d+\) has no row for model 'mid'"):
        D.read(p)
    o = D.read(p, missing="drop")
    assert o.n_requests == 38 and o.meta["dropped_requests"] == 2
    assert "r3" not in o.request_id and "r7" not in o.request_id


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: d.assign(quality=d["quality"].where(d.index != 4, 150.0)),
     r"bad.csv: column 'quality' is 150 for request 'r\d+' \(line 6\); must be in \[0, 1\]"),
    (lambda d: d.assign(cost=d["cost"].astype(object).where(d.index != 0, "cheap")),
     r"bad.csv: column 'cost' has 'cheap' for request 'r\d+' \(line 2\); a number is required"),
    (lambda d: d.assign(cost=d["cost"].where(d.index != 2, -1.0)),
     r"column 'cost' is -1 for request 'r\d+' \(line 4\); must be finite and >= 0"),
    (lambda d: d.drop(columns="cost"), r"bad.csv: missing column 'cost'; a long-format table needs"),
    (lambda d: pd.concat([d, d.iloc[[5]]]), r"has two rows for model '\w+' \(line 7 and line 122\)"),
    (lambda d: d.assign(domain=d["domain"].where(d.index != 0, "other")),
     r"column 'domain' must have one value per request, but request 'r\d+' has"),
    (lambda d: d.assign(request_id=d["request_id"].where(d.index != 3, None)),
     r"column 'request_id' is empty for line 5"),
])
def test_bad_files_name_file_column_request_and_line(tmp_path, rng, mutate, needle) -> None:
    p = tmp_path / "bad.csv"
    mutate(long_frame(rng)).to_csv(p, index=False)
    with pytest.raises(DataError, match=needle):
        D.read(p)


def test_lines_count_multiline_text_and_jsonl_lines(tmp_path) -> None:
    p = tmp_path / "ml.csv"
    p.write_text('request_id,model,quality,cost,text\na,x,1,1,"two\nlines"\na,y,1,2,"two\nlines"\n'
                 'b,x,0,1,t\nb,y,7,2,t\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"column 'quality' is 7 for request 'b' \(line 7\)"):
        D.read(p)
    j = tmp_path / "bad.jsonl"
    j.write_text('{"request_id": "a", "model": "x", "quality": 1, "cost": 1}\n\n{"request_id": "a", "model": x}\n')
    with pytest.raises(DataError, match=r"bad.jsonl: line 3 is not valid JSON"):
        D.read(j)
    with pytest.raises(DataError, match=r"cannot tell the format from the suffix '.txt'"):
        D.read(tmp_path.joinpath("x.txt").write_text("a") and tmp_path / "x.txt")


def test_to_frame_round_trips(rng) -> None:
    o = Outcomes.from_frame(long_frame(rng))
    back = Outcomes.from_frame(o.to_frame())
    assert back.models == o.models
    np.testing.assert_array_equal(back.quality, o.quality)
    np.testing.assert_array_equal(back.latency, o.latency)


# ---- the pitfalls of issue 11, each failing on the old code ---------------------------------------------------
def test_pitfall_1_constructor_refuses_models_not_cheapest_first() -> None:
    with pytest.raises(DataError, match=r"models must be in ascending mean-cost order .* 'small' \(mean cost 1\) "
                                        r"comes after 'large' \(mean cost 10\).*Outcomes.from_frame"):
        Outcomes(name="reversed", models=("large", "small"), quality=np.array([[1, 0], [1, 1.0]]),
                 cost=np.array([[10, 1], [10, 1.0]]), cost_unit="USD", request_id=["a", "b"], domain=["d", "d"])
    # a subset of a valid table keeps its order even when the subset's own means differ
    o = Outcomes(name="ok", models=("s", "l"), quality=np.ones((2, 2)), cost=np.array([[1, 2], [3, 2.5]]),
                 cost_unit="USD", request_id=["a", "b"], domain=["x", "y"])
    assert o.by_domain("y").models == ("s", "l")


def test_pitfall_1_quality_outside_unit_interval_names_quality_and_request() -> None:
    with pytest.raises(DataError, match=r"quality of model 'b' is 150 at row 1 \(request 'r1'\); must be \[0, 1\]"):
        Outcomes(name="t", models=("a", "b"), quality=np.array([[0, 1], [1, 150.0]]), cost=np.array([[1, 2], [1, 2.0]]),
                 cost_unit="USD", request_id=["r0", "r1"], domain=["d", "d"])


class ByName(Router):
    """Returns model names, not columns."""

    name = "by-name"
    learns = True

    def choose(self, request):
        return "l" if request.domain == "y" else "s"


def test_pitfall_3_router_may_return_a_model_name(rng) -> None:
    from conftest import tiny_outcomes

    o = tiny_outcomes()
    log = replay(o, ByName(), order="given").log
    assert log["served"].tolist() == [0, 0, 2, 2]
    assert log["cost"].tolist() == [1.0, 2.0, 22.0, 23.0]
    # the same by a batch path and in the arena
    assert replay(o, SingleModel("m"), order="given").log["served"].tolist() == [1, 1, 1, 1]
    from llmroute.arena import ArenaUser, run_arena

    res = run_arena(o, ByName(), ArenaUser(q=0.0, max_attempts=2), seed=0, order="given")
    assert set(res.passes["served"]) <= {0, 2}
    assert (res.passes.loc[res.passes["domain"] == "y", "served"] == 2).all()


def test_unknown_model_name_from_a_router_is_a_clear_error() -> None:
    from conftest import tiny_outcomes

    class Bad(Router):
        name = "bad"

        def choose(self, request):
            return "gpt-9"

    with pytest.raises(KeyError, match=r"bad chose model 'gpt-9', which is not in the zoo; known models: s, m, l"):
        replay(tiny_outcomes(), Bad())


def test_pitfall_6_shape_error_names_the_field_and_what_it_got() -> None:
    base = dict(name="t", models=("a", "b"), quality=np.zeros((3, 2)), cost=np.ones((3, 2)), cost_unit="USD")
    with pytest.raises(DataError, match=r"t: request_id must be a 1-d array of 3 entries .*got shape \(2,\)"):
        Outcomes(**base, request_id=["r0", "r1"], domain=["d"] * 3)
    with pytest.raises(DataError, match=r"t: domain must be a 1-d array of 3 entries .*got shape \(4,\)"):
        Outcomes(**base, request_id=["r0", "r1", "r2"], domain=["d"] * 4)
