"""The one plotting module: a seaborn theme, a colour-blind-safe palette, and a deterministic ``savefig``.

Import it before drawing (``from llmroute import plotting as lp; lp.use_theme()``); every figure of the
project is written through :func:`savefig`, which writes PNG and SVG with fixed metadata so that a second
run of a notebook changes no byte.
"""
from __future__ import annotations

from pathlib import Path
from collections.abc import Sequence

import sys

import matplotlib

if "ipykernel" not in sys.modules:  # scripts and tests: no display, deterministic Agg raster output
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

#: Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008), black last.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
)


def use_theme(context: str = "notebook") -> None:
    """Apply the project's theme: seaborn whitegrid, Okabe-Ito palette, fixed SVG hash salt."""
    sns.set_theme(context=context, style="whitegrid", palette=list(OKABE_ITO))
    plt.rcParams.update({
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "savefig.bbox": "tight",
        "svg.hashsalt": "llmroute",
        "svg.fonttype": "path",
        "axes.titlesize": "medium",
        "axes.labelsize": "medium",
        "legend.fontsize": "small",
        "legend.frameon": False,
        "figure.autolayout": False,
    })


def palette(n: int) -> list[str]:
    """``n`` colours from the colour-blind-safe palette (cycled when ``n`` exceeds it)."""
    return [OKABE_ITO[k % len(OKABE_ITO)] for k in range(n)]


def savefig(fig: plt.Figure, out_dir: str | Path, name: str,
            formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``<out_dir>/<name>.<fmt>`` for every format, with no dates in the metadata."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        p = out / f"{name}.{fmt}"
        meta = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}}.get(fmt)
        fig.savefig(p, format=fmt, metadata=meta)
        paths.append(p)
    return paths


use_theme()
