r"""A synthetic model zoo calibrated to the committed aggregates in ``data/calibration/``.

The real MESS+ and RouterBench tables have no licence and are not in the repository; ``scripts/calibrate_synthetic.py``
reduces them to aggregates (joint correctness-pattern frequencies, moment-matched lognormal cost and latency
parameters, a length proxy). :func:`synthetic_zoo` samples requests from those aggregates:

1. **Pattern.** Each request draws its joint correctness pattern :math:`s \in \{0,1\}^m` from the committed
   frequencies of the benchmark (all :math:`2^3` patterns for MESS+; the observed patterns for RouterBench's 11
   models). Marginal accuracies, the near-nesting of correctness and every higher-order dependence are therefore
   those of the real data, up to sampling noise.
2. **Length proxy.** :math:`z = \bar z_{s} + \sigma_w \varepsilon` with the pattern's (shrunk) mean standardised
   log prompt length :math:`\bar z_s` and the pooled within-pattern sd :math:`\sigma_w`.
3. **Cost (and latency).** For model :math:`j`, :math:`\log c_j = \mu_j + \sigma_j(\rho_j z + \sqrt{1-\rho_j^2}\,
   e_j)`, :math:`e_j \sim N(0,1)`, with :math:`(\mu_j, \sigma_j)` the moment-matched lognormal of the benchmark and
   :math:`\rho_j` the real correlation of log cost with the length proxy (so the expected mean cost is the real
   mean). Latency (MESS+ only) is drawn the same way, its noise correlated with the cost noise so that
   corr(log latency, log cost) matches the data.
4. **Features** :math:`x \in \mathbb{R}^d`: ``x[0] = z`` (observable length) and
   ``x[1:] = signal * W (2s - 1) + N(0, I_{d-1})`` with :math:`W \in \mathbb{R}^{(d-1)\times m}` having orthonormal
   columns. Projecting on column :math:`j` gives ``signal * (+-1) + N(0, 1)``: from that projection alone model
   :math:`j`'s correctness is decodable with balanced accuracy :math:`\Phi(\text{signal})` (AUC
   :math:`\Phi(\text{signal}\sqrt 2)`); ``signal`` is this per-model signal-to-noise ratio (default 0.5: 0.69 and
   0.76). Because correctness is correlated across models, the whole vector carries somewhat more (MESS+ ARC-C,
   signal 0.5: held-out logistic regression AUC about 0.80 per model): a *partly* informative predictor.
   :math:`W` is fixed per (source, benchmark) (seeded from their name, not from ``rng``) so that separate
   draws (train / test) share the same feature map.

Everything is vectorised; 10^5 requests take well under a second.
"""
from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from .._validate import ParameterError, check_int, check_nonneg
from ..paths import VENDORED_DATA
from .schema import ORDER_FROM, DataError, Outcomes, _order_violation, concat

CALIBRATION_DIR: Path = VENDORED_DATA / "calibration"
SOURCES: tuple[str, ...] = ("messplus", "routerbench")
DEFAULT_SIGNAL = 0.5
DEFAULT_DIM = 16


@functools.lru_cache(maxsize=4)
def _read_calibration(folder: str) -> dict[str, pd.DataFrame]:
    p = Path(folder)
    out = {}
    for name in ("models", "benchmarks", "patterns", "costs"):
        f = p / f"{name}.csv"
        if not f.exists():
            raise FileNotFoundError(f"{f} does not exist: the synthetic zoo needs the committed calibration "
                                    "aggregates (re-create them with scripts/calibrate_synthetic.py)")
        out[name] = pd.read_csv(f, dtype={"pattern": str})
    return out


def load_calibration(calibration_dir: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The committed calibration tables (copies): models, benchmarks, patterns, costs."""
    d = Path(calibration_dir) if calibration_dir is not None else CALIBRATION_DIR
    return {k: v.copy() for k, v in _read_calibration(str(d.resolve())).items()}


def synthetic_benchmarks(source: str, calibration_dir: str | Path | None = None) -> tuple[str, ...]:
    """The benchmarks calibrated for ``source``."""
    cal = _read_calibration(str(Path(calibration_dir or CALIBRATION_DIR).resolve()))
    _check_source(source, cal)
    b = cal["benchmarks"]
    return tuple(b.loc[b["source"] == source, "benchmark"])


def _check_source(source: str, cal) -> None:
    known = tuple(cal["models"]["source"].unique())
    if source not in known:
        raise ParameterError(f"source = {source!r} is not allowed: must be one of {', '.join(known)}")


def _resolve_benchmark(source: str, benchmark: str, cal) -> str:
    b = cal["benchmarks"]
    known = list(b.loc[b["source"] == source, "benchmark"])
    for cand in (benchmark, benchmark.replace("_", "-"), benchmark.replace("-", "_")):
        if cand in known:
            return cand
    raise ParameterError(f"benchmark = {benchmark!r} is not allowed for source {source!r}: must be one of "
                         f"{', '.join(known)}")


def _feature_map(source: str, benchmark: str, d1: int, m: int) -> np.ndarray:
    """(d1, m) matrix with orthonormal columns, fixed per (source, benchmark)."""
    g = np.random.default_rng(zlib.crc32(f"{source}/{benchmark}/{d1}/{m}".encode()))
    a = g.standard_normal((d1, m))
    q, r = np.linalg.qr(a)
    return q * np.sign(np.diag(r))[None, :]


def _as_rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise ParameterError(f"rng = {rng!r} is not allowed: must be a numpy.random.Generator or an int seed")


def _one(source: str, benchmark: str, n: int | None, rng: np.random.Generator, d: int, signal: float,
         cal, cal_dir: Path) -> Outcomes:
    bench = _resolve_benchmark(source, benchmark, cal)
    models = tuple(cal["models"].loc[cal["models"]["source"] == source].sort_values("position")["model"])
    m = len(models)
    brow = cal["benchmarks"].loc[(cal["benchmarks"]["source"] == source) & (cal["benchmarks"]["benchmark"] == bench)]
    brow = brow.iloc[0]
    n_real = int(brow["n"])
    n = n_real if n is None else check_int("n", n, lo=1)
    if d < m + 1:
        raise ParameterError(f"d = {d} is not allowed: must be >= {m + 1} (1 length dim + one per model, m = {m})")
    pat = cal["patterns"].loc[(cal["patterns"]["source"] == source) & (cal["patterns"]["benchmark"] == bench)]
    keys = pat["pattern"].astype(str).to_numpy()
    if any(len(k) != m for k in keys):
        raise DataError(f"{cal_dir / 'patterns.csv'}: column 'pattern' of {source}/{bench} has a pattern whose "
                        f"length differs from the {m} models")
    counts = pat["count"].to_numpy(float)
    probs = counts / counts.sum()
    bits = np.array([[ch == "1" for ch in k] for k in keys], dtype=float)  # (K, m)
    zbar = pat["z_mean"].to_numpy(float)
    zsd = float(brow["z_within_sd"])

    # 1-2: pattern and length proxy
    idx = rng.choice(len(keys), size=n, p=probs)
    q = bits[idx]
    z = zbar[idx] + zsd * rng.standard_normal(n)

    # 3: cost and latency
    cst = cal["costs"].loc[(cal["costs"]["source"] == source) & (cal["costs"]["benchmark"] == bench)]

    def params(quantity):
        t = cst.loc[cst["quantity"] == quantity].set_index("model")
        if t.empty:
            return None
        missing = [mm for mm in models if mm not in t.index]
        if missing:
            raise DataError(f"{cal_dir / 'costs.csv'}: no {quantity} row for {source}/{bench} model {missing[0]!r}")
        return t.loc[list(models)]

    pc = params("cost")
    if pc is None:
        raise DataError(f"{cal_dir / 'costs.csv'}: no cost rows for {source}/{bench}")
    unit = str(pc["unit"].iloc[0])
    e_c = rng.standard_normal((n, m))
    rho = pc["rho_len"].to_numpy(float)[None, :]
    cost = np.exp(pc["log_mu"].to_numpy(float)[None, :] + pc["log_sigma"].to_numpy(float)[None, :]
                  * (rho * z[:, None] + np.sqrt(1 - rho ** 2) * e_c))
    pl = params("latency")
    latency = None
    if pl is not None:
        rl = pl["rho_len"].to_numpy(float)[None, :]
        r = pl["rho_cost"].to_numpy(float)[None, :] if "rho_cost" in pl else np.zeros((1, m))
        with np.errstate(invalid="ignore", divide="ignore"):
            k = (r - rho * rl) / np.sqrt((1 - rho ** 2) * (1 - rl ** 2))
        k = np.clip(np.nan_to_num(k), -1.0, 1.0)
        e_l = k * e_c + np.sqrt(1 - k ** 2) * rng.standard_normal((n, m))
        latency = np.exp(pl["log_mu"].to_numpy(float)[None, :] + pl["log_sigma"].to_numpy(float)[None, :]
                         * (rl * z[:, None] + np.sqrt(1 - rl ** 2) * e_l))

    # 4: features
    W = _feature_map(source, bench, d - 1, m)
    feats = np.empty((n, d))
    feats[:, 0] = z
    feats[:, 1:] = signal * (2 * q - 1) @ W.T + rng.standard_normal((n, d - 1))

    name = f"synthetic {source}/{bench}"
    order_meta = {}
    if _order_violation(cost) is not None:  # the real zoo's order (whole table), not this sample's own means
        order_meta[ORDER_FROM] = f"the real {source} zoo (calibration), cheapest first over all its benchmarks"
    return Outcomes(
        name=name, models=models, quality=q, cost=cost, cost_unit=unit,
        request_id=np.char.add(f"syn-{bench}-", np.arange(n).astype(str)), domain=np.full(n, bench),
        latency=latency, features=feats,
        source=f"synthetic, calibrated to data/calibration ({source})",
        meta={"synthetic": True, "calibration_source": source, "benchmark": bench, "n": n, "n_real": n_real,
              "d": d, "signal": signal, "path": str(cal_dir),
              "projection_bit_accuracy": _phi(signal),
              "feature_map": "x[0]=length proxy z; x[1:]=signal*W(2s-1)+N(0,I)", **order_meta})


def _phi(x: float) -> float:
    from math import erf, sqrt
    return 0.5 * (1 + erf(x / sqrt(2)))


def default_benchmarks(source: str, calibration_dir: str | Path | None = None) -> tuple[str, ...]:
    """The benchmarks a real loader returns for ``benchmark=None``: the 8 MESS+ table benchmarks, or every
    calibrated benchmark of another source (RouterBench's three evals)."""
    if source == "messplus":
        from .messplus import MESSPLUS_BENCHMARKS
        return tuple(MESSPLUS_BENCHMARKS)
    return synthetic_benchmarks(source, calibration_dir)


def synthetic_zoo(source: str, benchmark: str | Sequence[str] | None, n: int | Sequence[int] | None = None,
                  rng: np.random.Generator | int | None = None, *, d: int = DEFAULT_DIM,
                  signal: float = DEFAULT_SIGNAL, calibration_dir: str | Path | None = None) -> Outcomes:
    """Sample a synthetic zoo calibrated to ``source`` ("messplus" or "routerbench") and ``benchmark``.

    ``benchmark`` may be a sequence (streams concatenated in order, e.g. a non-stationary chain); then ``n`` is
    ``None`` or a sequence of the same length. ``None`` means :func:`default_benchmarks` (as the real loaders). ``n`` defaults to the real (deduplicated) N of the benchmark.
    ``rng``: a seeded ``numpy.random.Generator`` (or an int seed); required. ``d``: feature dimension (>= models+1).
    ``signal``: per-model signal-to-noise ratio of the features (see the module docstring), >= 0.
    """
    if rng is None:
        raise ParameterError("rng = None is not allowed: must be a numpy.random.Generator or an int seed")
    g = _as_rng(rng)
    d = check_int("d", d, lo=2)
    signal = check_nonneg("signal", signal)
    cal_dir = Path(calibration_dir) if calibration_dir is not None else CALIBRATION_DIR
    cal = _read_calibration(str(cal_dir.resolve()))
    _check_source(source, cal)
    if benchmark is None:
        benchmark = default_benchmarks(source, cal_dir)
    if isinstance(benchmark, str):
        if n is not None and not isinstance(n, (int, np.integer)):
            raise ParameterError(f"n = {n!r} is not allowed: must be a positive int or None for one benchmark")
        return _one(source, benchmark, n, g, d, signal, cal, cal_dir)
    benches = list(benchmark)
    if not benches:
        raise ParameterError("benchmark = [] is not allowed: must name at least one benchmark")
    ns = [None] * len(benches) if n is None else list(n)
    if len(ns) != len(benches):
        raise ParameterError(f"n = {n!r} is not allowed: must have one entry per benchmark ({len(benches)})")
    parts = [_one(source, b, k, g, d, signal, cal, cal_dir) for b, k in zip(benches, ns)]
    out = concat(parts, name=f"synthetic {source}/" + "+".join(p.meta["benchmark"] for p in parts))
    meta = dict(parts[0].meta, benchmark=[p.meta["benchmark"] for p in parts], n=[p.n_requests for p in parts],
                n_real=[p.meta["n_real"] for p in parts])
    return replace(out, meta=meta)
