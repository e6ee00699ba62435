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
import numpy as np  # noqa: E402
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
        "figure.constrained_layout.use": True,
    })


def palette(n: int) -> list[str]:
    """``n`` colours from the colour-blind-safe palette (cycled when ``n`` exceeds it)."""
    return [OKABE_ITO[k % len(OKABE_ITO)] for k in range(n)]


def tidy_log_axes(fig: plt.Figure, max_decades: float = 2.0) -> None:
    """Readable tick labels on log axes spanning few decades.

    Matplotlib labels minor ticks as ``2x10^3``, ``3x10^3``, ... on short log axes, and they overlap. On an axis
    spanning at most ``max_decades`` decades, tick at 1, 2 and 5 times powers of ten with plain labels
    (``0.002``, ``0.005``, ``1``); on longer axes keep the powers of ten only. Applied by :func:`savefig`.
    """
    from matplotlib import ticker

    for ax in fig.axes:
        for axis, scale, lim in ((ax.xaxis, ax.get_xscale(), ax.get_xlim()), (ax.yaxis, ax.get_yscale(), ax.get_ylim())):
            if scale != "log" or min(lim) <= 0:
                continue
            axis.set_minor_formatter(ticker.NullFormatter())
            if np.log10(max(lim) / min(lim)) <= max_decades:
                axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
                axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))


def _sig(a: np.ndarray, digits: int) -> np.ndarray:
    """``a`` rounded to ``digits`` significant digits (NaN/inf and masks kept)."""
    x = np.asarray(a, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mag = np.where(np.isfinite(x) & (x != 0), np.floor(np.log10(np.abs(np.where(x == 0, 1, x)))), 0)
        scale = 10.0 ** (digits - 1 - mag)
        out = np.where(np.isfinite(x), np.round(x * scale) / scale, x)
    return out


def round_plotted_data(fig: plt.Figure, digits: int = 8) -> None:
    """Round what is drawn (lines, markers, meshes, images, patches, filled areas) to ``digits`` significant digits.

    Results must be byte-stable across machines: a last-bit floating-point difference (another BLAS kernel)
    can move an anti-aliased edge by one sub-pixel and change a PNG's bytes. Rounding the plotted data first
    removes that dependence except for values that straddle a rounding boundary. Applied by :func:`savefig`.
    """
    from matplotlib.collections import PathCollection, PolyCollection, QuadMesh
    from matplotlib.image import AxesImage
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    for ax in fig.axes:
        for get, set_ in ((ax.get_xlim, ax.set_xlim), (ax.get_ylim, ax.set_ylim)):
            lim = get()  # view limits come from unrounded data: round them too
            try:
                set_(*_sig(np.asarray(lim, dtype=float), digits))
            except (TypeError, ValueError):
                pass
        for ln in ax.get_lines():
            if isinstance(ln, Line2D):
                xd, yd = ln.get_xdata(orig=True), ln.get_ydata(orig=True)
                try:
                    ln.set_data(_sig(xd, digits), _sig(yd, digits))
                except (TypeError, ValueError):  # categorical / date data: leave as drawn
                    pass
        for coll in ax.collections:
            if isinstance(coll, QuadMesh):
                arr = coll.get_array()
                if arr is not None and np.issubdtype(np.asarray(arr).dtype, np.floating):
                    coll.set_array(np.ma.array(_sig(np.ma.getdata(arr), digits), mask=np.ma.getmask(arr)))
            elif isinstance(coll, PathCollection):
                off = coll.get_offsets()
                if len(off):
                    coll.set_offsets(np.ma.array(_sig(np.ma.getdata(off), digits), mask=np.ma.getmask(off)))
            elif isinstance(coll, PolyCollection):
                for path in coll.get_paths():
                    path.vertices = _sig(path.vertices, digits)
        for im in ax.images:
            if isinstance(im, AxesImage):
                arr = im.get_array()
                if arr is not None and np.issubdtype(np.asarray(arr).dtype, np.floating):
                    im.set_data(np.ma.array(_sig(np.ma.getdata(arr), digits), mask=np.ma.getmask(arr)))
        for patch in ax.patches:
            if isinstance(patch, Rectangle):
                x, y = patch.get_xy()
                try:
                    patch.set_xy((float(_sig(x, digits)), float(_sig(y, digits))))
                    patch.set_width(float(_sig(patch.get_width(), digits)))
                    patch.set_height(float(_sig(patch.get_height(), digits)))
                except (TypeError, ValueError):
                    pass


MIN_FONT_PT = 8.0


class FigureStyleWarning(UserWarning):
    """A figure breaks the project's figure style (e.g. text smaller than :data:`MIN_FONT_PT`)."""


def min_font_pt(fig: plt.Figure) -> float:
    """The smallest font size (points) of any visible, non-empty text in ``fig`` (titles, labels, ticks, legends,
    annotations); ``inf`` for a figure without text."""
    sizes = [t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text"))
             if t.get_visible() and str(t.get_text()).strip()]
    return float(min(sizes)) if sizes else float("inf")


def check_style(fig: plt.Figure, name: str) -> None:
    """Warn (or raise, with ``LLMROUTE_STRICT_FIGURES=1``) when text is smaller than :data:`MIN_FONT_PT`."""
    import os
    import warnings

    small = min_font_pt(fig)
    if small < MIN_FONT_PT:
        msg = f"figure {name!r}: smallest text is {small:g} pt; the project's figures use at least {MIN_FONT_PT:g} pt"
        if os.environ.get("LLMROUTE_STRICT_FIGURES") == "1":
            raise ValueError(msg)
        warnings.warn(msg, FigureStyleWarning, stacklevel=3)


def savefig(fig: plt.Figure, out_dir: str | Path, name: str,
            formats: Sequence[str] = ("png", "svg")) -> list[Path]:
    """Write ``fig`` as ``<out_dir>/<name>.<fmt>`` for every format, with no dates in the metadata, after
    rounding the plotted data (:func:`round_plotted_data`) so that last-bit differences do not change bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tidy_log_axes(fig)
    round_plotted_data(fig)
    check_style(fig, name)
    paths = []
    for fmt in formats:
        p = out / f"{name}.{fmt}"
        meta = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None}}.get(fmt)
        fig.savefig(p, format=fmt, metadata=meta)
        paths.append(p)
    return paths


use_theme()
