"""Real-data loaders (RouteLLM, OmnisBench, LLMRouter, RouterBench), price tables and the registry.

Each loader runs on a small fixture the test writes to tmp_path (hand-computed values, cost order, errors
naming file / column / row) and, when ../shared/data is present, on the real files (README facts).
"""
from __future__ import annotations

import gzip
import io
import json
import tarfile

import numpy as np
import pandas as pd
import pytest
from conftest import require_shared

from llmroute._validate import ParameterError
from llmroute.data import (DataError, PriceError, available, load, load_llmrouter, load_omnisbench,
                           load_or_synthetic, load_price_table, load_routellm, load_routerbench)
from llmroute.data.prices import estimate_tokens
from llmroute.data.routellm import MODELS as RL_MODELS
from llmroute.data.llmrouter import MODELS as LR_MODELS
from llmroute.data.routerbench import MODELS as RB_MODELS

MIX, GPT4 = RL_MODELS


# ---- price tables ---------------------------------------------------------------------------------------
def test_committed_price_tables():
    rl = load_price_table("routellm_2024-06-30")
    assert rl.snapshot_date == "2024-06-30"
    assert (rl[GPT4].input_per_mtok, rl[GPT4].output_per_mtok) == (10.0, 30.0)
    assert (rl[MIX].input_per_mtok, rl[MIX].output_per_mtok) == (0.24, 0.24)
    # the paper's blended GPT-4 price: (95 * 10 + 264 * 30) / (95 + 264) = 24.71 USD per 1M tokens
    assert rl.cost(GPT4, 95, 264) / (95 + 264) * 1e6 == pytest.approx(24.707, abs=1e-3)
    om = load_price_table("omnisbench_2026-08-18")
    assert om["openai/gpt-5-nano"].output_per_mtok == 0.40 and om["anthropic/claude-opus-5"].input_per_mtok == 5.0
    mp = load_price_table("messplus_togetherai")
    assert [mp[m].input_per_mtok for m in ("llama-3.2-1b", "llama-3.1-8b", "llama-3.3-70b")] == [0.06, 0.18, 0.88]
    lr = load_price_table("llmrouter_default_llm")
    assert all(m in lr for m in LR_MODELS)
    assert lr["gemma-2-9b-it"].input_per_mtok == 0.10 and lr["llama3-chatqa-1.5-70b"].output_per_mtok == 0.90


@pytest.mark.parametrize("body, needle", [
    ("snapshot_date: '2024-01-01'\nsource: x\nmodels:\n  a: {input_per_mtok: -1, output_per_mtok: 1}\n",
     "model 'a': input_per_mtok = -1"),
    ("snapshot_date: '2024-01-01'\nsource: x\nmodels:\n  a: {input_per_mtok: 1}\n", "missing field 'output_per_mtok'"),
    ("snapshot_date: '2024-01-01'\nsource: x\nmodels:\n  a: {input_per_mtok: cheap, output_per_mtok: 1}\n",
     "input_per_mtok = 'cheap'"),
    ("snapshot_date: yesterday\nsource: x\nmodels:\n  a: {input_per_mtok: 1, output_per_mtok: 1}\n", "snapshot_date"),
    ("source: x\nmodels: {}\n", "missing field 'snapshot_date'"),
])
def test_bad_price_table_names_file_model_field(tmp_path, body, needle):
    f = tmp_path / "bad.yaml"
    f.write_text(body)
    with pytest.raises(PriceError, match="bad.yaml") as e:
        load_price_table(f)
    assert needle in str(e.value)


def test_price_table_missing_and_unknown_model(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_table"):
        load_price_table("no_such_table")
    with pytest.raises(KeyError, match="no price for model 'gpt-9'"):
        load_price_table("routellm_2024-06-30")["gpt-9"]


def test_estimate_tokens_rule():
    assert estimate_tokens(["", "abcd", "abcde", "x" * 40]).tolist() == [1, 1, 2, 10]
    assert estimate_tokens(["abcdef"], chars_per_token=3).tolist() == [2]
    with pytest.raises(ParameterError, match="chars_per_token"):
        estimate_tokens(["a"], chars_per_token=0)


# ---- RouteLLM -------------------------------------------------------------------------------------------
def _tar(path, files: dict[str, str]):
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _jsonl(rows):
    return "\n".join(json.dumps(r) for r in rows) + "\n"


def _routellm_files(mmlu_extra: str = "") -> dict[str, str]:
    head = f"prompt,{MIX},{GPT4}\n"
    return {
        "routellm/evals/mmlu/responses/mmlu_anatomy.csv": head + "aaaa,True,True\nbbbbbbbb,False,True\n" + mmlu_extra,
        "routellm/evals/mmlu/responses/mmlu_virology.csv": head + "cc,True,False\ndd,False,False\n",
        "routellm/evals/mmlu/contaminated_prompts.jsonl": _jsonl([{"eval_prompt": "dd", "train_prompt": "dd"}]),
        "routellm/evals/gsm8k/gsm8k_responses.csv": head + "q1,True,True\nq2,False,True\n",
        "routellm/evals/gsm8k/contaminated_prompts.jsonl": _jsonl([]),
        "routellm/evals/mt_bench/question.jsonl": _jsonl([
            {"question_id": 81, "category": "writing", "turns": ["write", "rewrite"]},
            {"question_id": 82, "category": "math", "turns": ["solve", "again"]}]),
        "routellm/evals/mt_bench/judgements.jsonl": _jsonl(
            [{"question_id": q, "model": m, "turn": t, "score": s}
             for (q, t, m, s) in [(81, 1, MIX, 8), (81, 2, MIX, 6), (82, 1, MIX, 2), (82, 2, MIX, 3),
                                  (81, 1, GPT4, 10), (81, 2, GPT4, 9), (82, 1, GPT4, 9.5), (82, 2, GPT4, 10)]]),
        "routellm/evals/mt_bench/contaminated_prompts.jsonl": _jsonl([{"eval_prompt": "write"}]),
    }


def test_routellm_fixture_values(tmp_path):
    p = _tar(tmp_path / "evals.tar.gz", _routellm_files())
    o = load_routellm("mmlu", path=p)
    assert o.models == (MIX, GPT4)                    # Mixtral is the cheaper one
    assert o.n_requests == 3 and o.meta["n_contaminated_dropped"] == 1 and o.meta["n_rows_in_file"] == 4
    assert o.quality.tolist() == [[1, 1], [0, 1], [1, 0]]
    assert o.domain.tolist() == ["mmlu/anatomy", "mmlu/anatomy", "mmlu/virology"]
    assert o.request_id.tolist() == ["mmlu/anatomy/0", "mmlu/anatomy/1", "mmlu/virology/0"]
    # "aaaa" = 1 token in, 264 out: Mixtral (1 + 264) * 0.24 / 1e6; GPT-4 (1 * 10 + 264 * 30) / 1e6
    assert o.cost[0].tolist() == pytest.approx([265 * 0.24e-6, 7930e-6])
    assert o.cost[1, 1] == pytest.approx((2 * 10 + 264 * 30) / 1e6)        # "bbbbbbbb" = 2 tokens
    keep = load_routellm("mmlu", path=p, drop_contaminated=False)
    assert keep.n_requests == 4 and keep.meta["n_contaminated_dropped"] == 0
    o2 = load_routellm("mmlu", path=p, output_tokens=0, chars_per_token=2.0)
    assert o2.cost[1].tolist() == pytest.approx([4 * 0.24e-6, 40e-6])
    mt = load_routellm("mt_bench", path=p)
    assert mt.n_requests == 2 and mt.meta["n_contaminated_questions"] == 1   # both turns of question 81 go
    assert mt.request_id.tolist() == ["mt_bench/82/t1", "mt_bench/82/t2"]
    assert mt.domain.tolist() == ["mt_bench/math"] * 2
    assert mt.quality.tolist() == [[0.2, 0.95], [0.3, 1.0]]
    g = load_routellm("gsm8k", path=p)
    assert g.mean_quality().tolist() == [0.5, 1.0] and g.meta["n_contaminated_dropped"] == 0


def test_routellm_fixture_errors(tmp_path):
    files = _routellm_files()
    with pytest.raises(FileNotFoundError, match="nope.tar.gz.*lm-sys/RouteLLM"):
        load_routellm("mmlu", path=tmp_path / "nope.tar.gz")
    bad = dict(files)
    bad["routellm/evals/mmlu/responses/mmlu_virology.csv"] = f"prompt,{MIX}\ncc,True\n"
    with pytest.raises(DataError, match=f"mmlu_virology.csv: missing column '{GPT4}'"):
        load_routellm("mmlu", path=_tar(tmp_path / "a.tar.gz", bad))
    p = _tar(tmp_path / "b.tar.gz", _routellm_files(mmlu_extra="ee,maybe,True\n"))
    with pytest.raises(DataError, match=f"mmlu_anatomy.csv: column '{MIX}' has 'maybe' at row 2"):
        load_routellm("mmlu", path=p)
    p = _tar(tmp_path / "c.tar.gz", _routellm_files(mmlu_extra="ee,,True\n"))
    with pytest.raises(DataError, match=f"mmlu_anatomy.csv: column '{MIX}' is NaN at row 2"):
        load_routellm("mmlu", path=p)
    bad = dict(files)
    bad["routellm/evals/mt_bench/judgements.jsonl"] = files["routellm/evals/mt_bench/judgements.jsonl"].replace(
        '"score": 2', '"score": 12')
    with pytest.raises(DataError, match="judgements.jsonl: column 'score' is 12 at row 2"):
        load_routellm("mt_bench", path=_tar(tmp_path / "d.tar.gz", bad))
    with pytest.raises(ParameterError, match="benchmark"):
        load_routellm("hellaswag")


def test_routellm_vendored_format_errors(tmp_path):
    f = tmp_path / "gsm8k.csv.gz"
    pd.DataFrame({"prompt": ["a", "b"], MIX: [True, "x"], GPT4: [True, True], "contaminated": [False, False]}).to_csv(
        f, index=False)
    with pytest.raises(DataError, match=f"gsm8k.csv.gz: column '{MIX}' has 'x' at row 1"):
        load_routellm("gsm8k", path=f)


def test_routellm_vendored_is_default_and_matches_readme():
    o = load_routellm("mmlu", drop_contaminated=False)
    assert o.meta["path"].endswith("data/routellm/mmlu.csv.gz") and o.meta["license"] == "Apache-2.0"
    assert o.n_requests == 14042 and len(o.domains) == 57
    q = o.quality.astype(bool)
    mix, gpt = q[:, 0], q[:, 1]
    assert round(mix.mean(), 3) == 0.681 and round(gpt.mean(), 3) == 0.806
    # the README's pattern counts are those of all 14,042 rows, i.e. BEFORE contaminated-prompt removal
    assert [(mix & gpt).sum(), (gpt & ~mix).sum(), (mix & ~gpt).sum(), (~mix & ~gpt).sum()] == [8818, 2497, 742, 1985]
    c = load_routellm("mmlu")
    assert c.n_requests == 14037 and c.meta["n_contaminated_dropped"] == 5
    q = c.quality.astype(bool)
    assert [(q[:, 0] & q[:, 1]).sum(), (q[:, 1] & ~q[:, 0]).sum(), (q[:, 0] & ~q[:, 1]).sum(),
            (~q[:, 0] & ~q[:, 1]).sum()] == [8816, 2496, 742, 1983]
    assert c.models == (MIX, GPT4) and c.mean_cost()[1] / c.mean_cost()[0] > 90
    g = load_routellm("gsm8k")
    assert g.n_requests == 1307 and g.meta["n_contaminated_dropped"] == 12
    mt = load_routellm("mt_bench")
    assert mt.n_requests == 144 and mt.meta["n_contaminated_questions"] == 8
    assert np.all((mt.quality >= 0.1) & (mt.quality <= 1.0))


def test_routellm_vendored_equals_original():
    p = require_shared("routellm", "routellm_evals.tar.gz")
    for b in ("mmlu", "gsm8k", "mt_bench"):
        v, o = load_routellm(b), load_routellm(b, path=p)
        assert v.models == o.models and np.array_equal(v.quality, o.quality) and np.array_equal(v.cost, o.cost)
        assert np.array_equal(v.request_id, o.request_id) and np.array_equal(v.text, o.text)


# ---- OmnisBench -----------------------------------------------------------------------------------------
def _omnis_items():
    rows = []
    for pol, model, passed, lat, tin, tout in [("always_cheap", "openai/gpt-5-nano", [True, False], [8000, 6000],
                                                [100, 200], [1000, 500]),
                                               ("always_big", "anthropic/claude-opus-5", [True, True], [3000, 2000],
                                                [100, 200], [200, 100])]:
        for k, (ds, iid) in enumerate([("gsm8k", "g1"), ("humaneval", "HumanEval/1")]):
            price = {"openai/gpt-5-nano": (0.05, 0.40), "anthropic/claude-opus-5": (5.0, 25.0)}[model]
            rows.append({"policy": pol, "dataset": ds, "item_id": iid, "chosen_model": model, "passed": passed[k],
                         "cost_usd": (tin[k] * price[0] + tout[k] * price[1]) / 1e6, "input_tokens": tin[k],
                         "output_tokens": tout[k], "latency_ms": lat[k]})
    rows.append({**rows[0], "policy": "random", "chosen_model": "openai/gpt-5"})    # partial policy: ignored
    return rows


def test_omnisbench_fixture_values(tmp_path):
    f = tmp_path / "results.json"
    f.write_text(json.dumps({"items": _omnis_items()}))
    o = load_omnisbench(path=f)
    assert o.models == ("openai/gpt-5-nano", "anthropic/claude-opus-5")
    assert o.quality.tolist() == [[1, 1], [0, 1]]
    assert o.latency.tolist() == [[8.0, 3.0], [6.0, 2.0]]
    assert o.tokens.tolist() == [[1100, 300], [700, 300]]
    assert o.cost[0].tolist() == pytest.approx([(100 * 0.05 + 1000 * 0.4) / 1e6, (100 * 5 + 200 * 25) / 1e6])
    assert o.request_id.tolist() == ["gsm8k/g1", "humaneval/HumanEval/1"]
    h = load_omnisbench("humaneval", path=f)
    assert h.n_requests == 1 and h.domain.tolist() == ["humaneval"]


@pytest.mark.parametrize("mutate, needle", [
    (lambda r: [x.pop("latency_ms") for x in r], "missing column 'latency_ms'"),
    (lambda r: r[1].pop("latency_ms"), "column 'latency_ms' is NaN at row 1"),
    (lambda r: r[1].update(cost_usd="free"), "column 'cost_usd' has 'free' at row 1"),
    (lambda r: r[1].update(latency_ms=float("nan")), "column 'latency_ms' is NaN at row 1"),
    (lambda r: r[2].update(passed="perhaps"), "column 'passed' has 'perhaps' at row 2"),
])
def test_omnisbench_fixture_errors(tmp_path, mutate, needle):
    rows = _omnis_items()
    mutate(rows)
    f = tmp_path / "results.json"
    f.write_text(json.dumps({"items": rows}))
    with pytest.raises(DataError, match="results.json") as e:
        load_omnisbench(path=f)
    assert needle in str(e.value)


def test_omnisbench_missing_model_row_and_file(tmp_path):
    rows = [r for r in _omnis_items() if not (r["policy"] == "always_big" and r["item_id"] == "g1")]
    f = tmp_path / "r.json"
    f.write_text(json.dumps({"items": rows}))
    with pytest.raises(DataError, match="lacks a row of model 'anthropic/claude-opus-5' for item 'g1'"):
        load_omnisbench(path=f)
    with pytest.raises(FileNotFoundError, match="absent.json.*OmnisBench"):
        load_omnisbench(path=tmp_path / "absent.json")


def test_omnisbench_readme_numbers_and_prices():
    o = load_omnisbench()                                  # the vendored copy
    assert o.n_requests == 364 and o.models == ("openai/gpt-5-nano", "anthropic/claude-opus-5")
    assert dict(zip(*np.unique(o.domain, return_counts=True))) == {"gsm8k": 200, "humaneval": 164}
    assert np.round(o.mean_quality(), 3).tolist() == [0.945, 0.992]
    assert np.round(o.mean_cost(), 5).tolist() == [0.00043, 0.00625]
    assert np.round(o.mean_latency(), 1).tolist() == [7.2, 3.3]     # the cheap model is the slower one
    # recorded cost = tokens x the dated price table
    prices = load_price_table("omnisbench_2026-08-18")
    from llmroute.data.omnisbench import VENDORED_FILE
    from llmroute.paths import VENDORED_DATA
    raw = pd.read_csv(VENDORED_DATA / "omnisbench" / VENDORED_FILE)
    est = [prices.cost(m, i, t) for m, i, t in zip(raw["model"], raw["input_tokens"], raw["output_tokens"])]
    assert np.max(np.abs(np.array(est) - raw["cost_usd"])) < 1e-12


def test_omnisbench_vendored_equals_original():
    p = require_shared("omnisbench", "results_2026-08-19.json")
    v, o = load_omnisbench(), load_omnisbench(path=p)
    assert np.array_equal(v.quality, o.quality) and np.array_equal(v.cost, o.cost)
    assert np.array_equal(v.latency, o.latency) and np.array_equal(v.request_id, o.request_id)


# ---- LLMRouter ------------------------------------------------------------------------------------------
def _llmrouter_folder(tmp_path, train_scores=None):
    d = tmp_path / "llmrouter"
    d.mkdir()
    base = {m: 0.0 for m in LR_MODELS}
    train = [{"question": "abcdefgh", "scores": {**base, "gemma-2-9b-it": 1.0}, "cluster_id": 0},
             {"question": "x" * 40, "scores": train_scores or {**base, "llama3-chatqa-1.5-70b": 0.5}, "cluster_id": 2}]
    test = [{"question": "abcdefgh", "scores": base}]
    with gzip.open(d / "train.json.gz", "wt") as fh:
        json.dump(train, fh)
    (d / "test.json").write_text(json.dumps(test))
    return d


def test_llmrouter_fixture_values(tmp_path):
    d = _llmrouter_folder(tmp_path)
    o = load_llmrouter(path=d)
    assert o.n_requests == 3 and o.request_id.tolist() == ["train/0", "train/1", "test/0"]
    assert o.models[0] == "gemma-2-9b-it"                               # $0.10: the only cheapest model
    assert set(o.models[-3:]) == {"llama-3.1-nemotron-51b-instruct", "llama-3.3-nemotron-super-49b-v1",
                                  "llama3-chatqa-1.5-70b"}             # the $0.90 models last
    assert list(o.models[1:6]) == sorted(o.models[1:6])                 # $0.20 ties broken by name
    k = o.model_index("gemma-2-9b-it")
    assert o.quality[:, k].tolist() == [1, 0, 0]
    assert o.quality[1, o.model_index("llama3-chatqa-1.5-70b")] == 0.5
    # "abcdefgh": 2 input tokens + 256 output tokens at $0.10 / 1M
    assert o.cost[0, k] == pytest.approx(258 * 0.10e-6)
    assert o.cost[1, o.model_index("llama3-chatqa-1.5-70b")] == pytest.approx((10 + 256) * 0.90e-6)
    assert o.meta["n_test_questions_in_train"] == 1 and "estimated" in o.meta["cost_estimate"]
    assert load_llmrouter("test", path=d).n_requests == 1
    per_model = load_llmrouter("train", path=d, output_tokens={m: 0 for m in LR_MODELS})
    assert per_model.cost[0, per_model.model_index("gemma-2-9b-it")] == pytest.approx(2 * 0.10e-6)


def test_llmrouter_fixture_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="LLMRouter"):
        load_llmrouter(path=tmp_path / "missing")
    base = {m: 0.0 for m in LR_MODELS}
    d = _llmrouter_folder(tmp_path, train_scores={m: v for m, v in base.items() if m != "codegemma-7b"})
    with pytest.raises(DataError, match="train.json.gz: missing column 'scores.codegemma-7b' at row 1"):
        load_llmrouter(path=d)
    f = tmp_path / "v.csv"
    df = pd.DataFrame({"split": ["train", "test"], "cluster_id": [0, -1], "question": ["a", "b"],
                       **{m: [0.0, 1.0] for m in LR_MODELS}})
    df.loc[1, "qwen2.5-7b-instruct"] = np.nan
    df.to_csv(f, index=False)
    with pytest.raises(DataError, match="v.csv: column 'qwen2.5-7b-instruct' is NaN at row 1"):
        load_llmrouter(path=f)
    df.loc[1, "qwen2.5-7b-instruct"] = 1.5
    df.to_csv(f, index=False)
    with pytest.raises(DataError, match="v.csv: column 'qwen2.5-7b-instruct' is 1.5 at row 1; must be <= 1"):
        load_llmrouter(path=f)
    with pytest.raises(ParameterError, match="output_tokens"):
        load_llmrouter(output_tokens=-1)


def test_llmrouter_vendored_real():
    o = load_llmrouter()
    assert o.n_requests == 6108 and o.n_models == 9 and o.meta["license"] == "MIT"
    assert load_llmrouter("train").n_requests == 5608 and load_llmrouter("test").n_requests == 500
    assert o.meta["n_test_questions_in_train"] == 119
    assert np.all(np.diff(o.mean_cost()) >= 0)
    acc = dict(zip(o.models, np.round(o.mean_quality(), 3)))
    assert acc["llama-3.1-nemotron-51b-instruct"] == 0.617 and acc["gemma-2-9b-it"] == 0.528


def test_llmrouter_vendored_equals_original():
    p = require_shared("llmrouter", "train.json.gz").parent
    v, o = load_llmrouter(), load_llmrouter(path=p)
    assert np.array_equal(v.quality, o.quality) and np.array_equal(v.cost, o.cost) and np.array_equal(v.text, o.text)


# ---- RouterBench ----------------------------------------------------------------------------------------
def _rb_frame(ids, q_rows, cost_scale=1.0, eval_name="mbpp"):
    rows = []
    for sid, q in zip(ids, q_rows):
        r = {"Unnamed: 0": 0, "sample_id": sid, "prompt": f"p-{sid}", "eval_name": eval_name}
        r.update({m: v for m, v in zip(RB_MODELS, q)})
        r.update({f"{m}|total_cost": cost_scale * (k + 1) * 1e-4 for k, m in enumerate(RB_MODELS)})
        r["oracle_model_to_route_to"] = RB_MODELS[0]
        rows.append(r)
    return pd.DataFrame(rows)


def _rb_tar(path, frames: dict[str, pd.DataFrame]):
    return _tar(path, {f"./{n}": f.to_csv(index=False) for n, f in frames.items()})


def test_routerbench_fixture_values_and_merge(tmp_path):
    ones, zeros = [1.0] * 11, [0.0] * 11
    only_gpt35 = [np.nan] * 11
    only_gpt35[RB_MODELS.index("gpt-3.5-turbo-1106")] = 1.0
    rest = [0.0] * 11
    rest[RB_MODELS.index("gpt-3.5-turbo-1106")] = np.nan
    p = _rb_tar(tmp_path / "rb.tar.gz", {
        "mbpp_train.csv": _rb_frame(["m1", "m2"], [ones, zeros]),
        "arc_challenge_train.csv": _rb_frame(["a1", "a2"], [only_gpt35, ones], cost_scale=2.0, eval_name="arc-challenge"),
        "arc_challenge_test.csv": _rb_frame(["a1"], [rest], eval_name="arc-challenge"),
    })
    o = load_routerbench(path=p)
    assert o.n_requests == 4 and o.meta["n_split_rows_merged"] == 1
    # tasks alphabetical, train file before test file; the merged a1 sits where its 10-model row is (test)
    assert o.request_id.tolist() == ["a2", "a1", "m1", "m2"]
    assert o.models == RB_MODELS                                       # costs rise with the listed order
    a1 = o.quality[1]
    assert a1[RB_MODELS.index("gpt-3.5-turbo-1106")] == 1.0 and a1.sum() == 1.0
    k = RB_MODELS.index("gpt-3.5-turbo-1106")
    assert o.cost[1, k] == pytest.approx(2.0 * (k + 1) * 1e-4)          # gpt-3.5's cost from its own row
    assert o.cost[1, 0] == pytest.approx(1e-4)                          # the others' from the 10-model row
    assert load_routerbench("mbpp", path=p).mean_quality().tolist() == [0.5] * 11
    assert load_routerbench(path=p, split="test").request_id.tolist() == ["a1"]   # merged row keeps its split


def test_routerbench_fixture_errors(tmp_path):
    ones = [1.0] * 11
    with pytest.raises(FileNotFoundError, match="nothing.tar.gz.*RouterDC"):
        load_routerbench(path=tmp_path / "nothing.tar.gz")
    f = _rb_frame(["m1", "m2"], [ones, [1.0] * 10 + [np.nan]])
    p = _rb_tar(tmp_path / "a.tar.gz", {"mbpp_test.csv": f})
    with pytest.raises(DataError, match=f"mbpp_test.csv: column '{RB_MODELS[-1]}' is NaN at row 1"):
        load_routerbench(path=p)
    f = _rb_frame(["m1", "m2"], [ones, ones]).drop(columns=["claude-v2|total_cost"])
    p = _rb_tar(tmp_path / "b.tar.gz", {"mbpp_test.csv": f})
    with pytest.raises(DataError, match="mbpp_test.csv: missing column 'claude-v2|total_cost'"):
        load_routerbench(path=p)
    f = _rb_frame(["m1", "m2"], [ones, ones]).astype({"claude-v1": object})
    f.loc[1, "claude-v1"] = "yes"
    p = _rb_tar(tmp_path / "c.tar.gz", {"mbpp_test.csv": f})
    with pytest.raises(DataError, match="mbpp_test.csv: column 'claude-v1' has 'yes' at row 1"):
        load_routerbench(path=p)
    f = _rb_frame(["m1", "m1"], [ones, ones])
    p = _rb_tar(tmp_path / "d.tar.gz", {"mbpp_test.csv": f})
    with pytest.raises(DataError, match="repeats 'm1' at row 1"):
        load_routerbench(path=p)


def test_routerbench_real():
    p = require_shared("routerbench_zs", "routerbench_zs.tar.gz")
    o = load_routerbench(path=p)
    assert o.n_requests == 3164 and o.meta["n_split_rows_merged"] == 14
    assert dict(zip(*np.unique(o.domain, return_counts=True))) == {"arc-challenge": 1470, "mbpp": 427,
                                                                    "winogrande": 1267}
    assert np.all(np.diff(o.mean_cost()) >= 0)
    assert o.models[0] == "mistralai/mistral-7b-chat" and o.models[-1] == "gpt-4-1106-preview"
    assert round(float(o.mean_quality()[-1]), 3) == 0.880
    assert load_routerbench("mbpp", path=p).meta["n_split_rows_merged"] == 0


# ---- registry -------------------------------------------------------------------------------------------
def test_registry_vendored_and_errors(rng):
    assert available("routellm") and available("omnisbench") and available("llmrouter")
    assert load("omnisbench", dataset="gsm8k").n_requests == 200
    with pytest.raises(ParameterError, match="name"):
        load("imagenet")
    o = load_or_synthetic("routellm", "gsm8k", rng, n=100)
    assert o.n_requests == 100 and o.meta["synthetic"] is False
    assert np.all(np.diff([int(r.split("/")[1]) for r in o.request_id]) > 0)   # original order kept


def test_registry_falls_back_to_synthetic(monkeypatch, tmp_path, rng):
    monkeypatch.setenv("LLMROUTE_DATA", str(tmp_path / "absent"))
    assert not available("routerbench") and not available("messplus")
    o = load_or_synthetic("routerbench", "mbpp", rng, n=60)
    assert o.meta["synthetic"] is True and o.n_requests == 60
    with pytest.raises(FileNotFoundError, match="RouterDC"):
        load("routerbench")
