"""One entry point to every real dataset, and the real-else-synthetic fallback notebooks use.

* :func:`load` ``(name, **kw)``: ``"messplus"``, ``"routellm"``, ``"omnisbench"``, ``"llmrouter"``,
  ``"routerbench"`` -> the loader of that name with ``kw`` passed on.
* :func:`available` ``(name)``: whether that dataset can be read here (vendored copies always can on a clone
  of the repository; MESS+ and RouterBench need ``../shared/data``).
* :func:`load_or_synthetic` ``(name, benchmark, rng, n=None)``: the real data when available, otherwise the
  calibrated synthetic zoo (``meta["synthetic"]`` says which).

MESS+ and the synthetic zoo are imported lazily inside the functions.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .._validate import ParameterError, check_choice, check_int
from ._io import vendored
from .schema import Outcomes

NAMES: tuple[str, ...] = ("messplus", "routellm", "omnisbench", "llmrouter", "routerbench")
#: the keyword of each loader that selects a benchmark / subset
BENCHMARK_KW: dict[str, str] = {"messplus": "benchmark", "routellm": "benchmark", "omnisbench": "dataset",
                                "llmrouter": "split", "routerbench": "eval_name"}


def _loader(name: str) -> Callable[..., Outcomes]:
    check_choice("name", name, NAMES)
    if name == "messplus":
        from .messplus import load_messplus
        return load_messplus
    if name == "routellm":
        from .routellm import load_routellm
        return load_routellm
    if name == "omnisbench":
        from .omnisbench import load_omnisbench
        return load_omnisbench
    if name == "llmrouter":
        from .llmrouter import load_llmrouter
        return load_llmrouter
    from .routerbench import load_routerbench
    return load_routerbench


def load(name: str, **kw) -> Outcomes:
    """Load the real dataset ``name`` (see :data:`NAMES`); ``kw`` go to its loader."""
    return _loader(name)(**kw)


def available(name: str) -> bool:
    """True when ``load(name)`` can find its files (no parsing is done)."""
    check_choice("name", name, NAMES)
    if name == "routellm":
        from .routellm import VENDORED_FILES
        return all(vendored("routellm", f).exists() for f in VENDORED_FILES.values())
    if name == "omnisbench":
        from .omnisbench import VENDORED_FILE
        return vendored("omnisbench", VENDORED_FILE).exists()
    if name == "llmrouter":
        from .llmrouter import VENDORED_FILE
        return vendored("llmrouter", VENDORED_FILE).exists()
    if name == "routerbench":
        from .routerbench import default_path
        p = default_path()
        return p is not None and p.exists()
    from ..paths import shared_data_dir
    root = shared_data_dir()
    return root is not None and (root / "messplus" / "inference_outputs.tar.gz").exists()


def load_or_synthetic(name: str, benchmark, rng: np.random.Generator, n: int | None = None,
                      **kw) -> Outcomes:
    """The real outcomes of ``name``/``benchmark`` when available, else the calibrated synthetic zoo.

    ``benchmark`` goes to the loader's subset keyword (:data:`BENCHMARK_KW`). ``n``: with real data, a random
    subset of ``n`` rows drawn with ``rng`` and kept in the original order (all rows when ``n`` is ``None`` or
    at least the table size); with synthetic data, the number of rows sampled. Synthetic data exists only for
    the sources of ``llmroute.data.synthetic.SOURCES`` ("messplus", "routerbench"); for the others an absent
    dataset raises ``FileNotFoundError``. ``meta["synthetic"]`` is True or False accordingly.
    """
    check_choice("name", name, NAMES)
    if n is not None:
        n = check_int("n", n, lo=1)
    if not isinstance(rng, np.random.Generator):
        raise ParameterError(f"rng = {rng!r} is not allowed: must be a numpy.random.Generator")
    if available(name):
        out = load(name, **{BENCHMARK_KW[name]: benchmark}, **kw)
        if n is not None and n < out.n_requests:
            rows = np.sort(rng.choice(out.n_requests, size=n, replace=False))
            out = out.take(rows)
            out = replace(out, meta={**out.meta, "subsample": f"{n} of the rows, drawn with the given rng"})
        out.meta["synthetic"] = False
        return out
    from .synthetic import SOURCES, synthetic_zoo
    if name not in SOURCES:
        # re-raise the loader's own FileNotFoundError (names the file and the data's origin)
        load(name, **{BENCHMARK_KW[name]: benchmark}, **kw)
        raise FileNotFoundError(f"{name}: data not available and no synthetic zoo for it")  # pragma: no cover
    if n is not None and not isinstance(benchmark, str):
        # several benchmarks: sample each at its real size, then keep n rows as the real branch does
        out = synthetic_zoo(name, benchmark, n=None, rng=rng)
        if n < out.n_requests:
            out = out.take(np.sort(rng.choice(out.n_requests, size=n, replace=False)))
    else:
        out = synthetic_zoo(name, benchmark, n=n, rng=rng)
    out.meta["synthetic"] = True
    return out
