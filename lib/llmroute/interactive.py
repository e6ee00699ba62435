"""Interactive views of the routing game's regime map (spec routing_game.md §4.2, Fig. 3; ours for real pairs).

Two ways to explore the provider-optimal policy ``(i*, s*)`` over task value ``V`` and churn penalty ``P``:

* :func:`regime_map_chart` — a Vega-Lite chart (Altair) over ``(V, P)`` with a drop-down of model pairs and a
  tooltip per cell (policy, regime, ``s*``, ``q*``, ``J*``, ``U``). It needs no kernel: the results site
  (``make site``, ``scripts/build_site.py``) saves it with the Vega JavaScript inlined, so it works offline.
* :func:`regime_explorer` — an ipywidgets explorer with a slider per game parameter ``c_i, t_i, p_i`` (and the
  ``V``, ``P`` ranges) that re-solves the game on every change (needs a running kernel).

Both solve the game with :func:`llmroute.game.provider.solve_closed_form` on a ``V x P`` grid; the regime is the
sign pattern of ``xi_i = V p_i - t_i`` (:func:`llmroute.game.response.regime`). The orderings ``t1 < t2`` and
``c1 < c2`` are not enforced (``GameArrays(require_order=False)``, as for the real pairs of
:mod:`llmroute.game.calibrate`, where the cheap model can be the slower one); ``0 < p1 < p2 < 1`` is.
Altair and ipywidgets are imported inside the functions that need them (the ``site`` / ``dev`` extras).
"""
from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._validate import ParameterError, check_int, check_nonneg, check_positive, check_prob, fail
from .game.params import GameArrays
from .game.provider import CANDIDATES, solve_closed_form
from .game.response import REGIMES, regime
from .plotting import palette

#: The two configurations of the spec's Fig. 3 (routing_game.md §4.2), as in notebooks/game_provider.ipynb.
SPEC_CONFIGS: dict[str, dict[str, tuple[float, float]]] = {
    "cfgA": {"c": (1.0, 2.0), "t": (1.0, 3.0), "p": (0.5, 0.8)},
    "cfgB": {"c": (1.0, 5.0), "t": (2.0, 3.0), "p": (0.3, 0.9)},
}
#: Colours of the candidates, the same as the matplotlib figures (:func:`llmroute.plotting.palette`).
POLICY_COLOURS: dict[str, str] = dict(zip(CANDIDATES, palette(len(CANDIDATES))))


def _pair(name: str, v: Sequence[float]) -> tuple[float, float]:
    if np.ndim(v) != 1 or len(v) != 2:
        fail(name, v, "a pair (value for model 1, value for model 2)")
    return (float(v[0]), float(v[1]))


@dataclass(frozen=True)
class MapPair:
    """One model pair placed on the ``(V, P)`` regime map.

    ``c`` provider cost per pass, ``t`` user latency cost per pass (value units), ``p`` pass rates with
    ``0 < p1 < p2 < 1``; ``V_range``, ``P_range`` the map's axes (``log=True``: log-spaced grid, both ranges > 0).
    ``note`` says where the numbers come from.
    """

    name: str
    c: tuple[float, float]
    t: tuple[float, float]
    p: tuple[float, float]
    V_range: tuple[float, float]
    P_range: tuple[float, float]
    log: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if not str(self.name):
            fail("name", self.name, "a non-empty string")
        object.__setattr__(self, "c", tuple(check_nonneg(f"c[{i}]", v) for i, v in enumerate(_pair("c", self.c))))
        object.__setattr__(self, "t", tuple(check_nonneg(f"t[{i}]", v) for i, v in enumerate(_pair("t", self.t))))
        object.__setattr__(self, "p", tuple(check_prob(f"p[{i}]", v, open_=True) for i, v in enumerate(_pair("p", self.p))))
        if not self.p[0] < self.p[1]:
            fail("p[1]", self.p[1], f"> p[0] = {self.p[0]:.6g} (standing assumption p1 < p2)")
        Vr, Pr = _pair("V_range", self.V_range), _pair("P_range", self.P_range)
        check_positive("V_range[0]", Vr[0])
        (check_positive if self.log else check_nonneg)("P_range[0]", Pr[0])
        for nm, (lo, hi) in (("V_range", Vr), ("P_range", Pr)):
            if not hi > lo:
                fail(f"{nm}[1]", hi, f"> {nm}[0] = {lo:.6g}")
        object.__setattr__(self, "V_range", Vr)
        object.__setattr__(self, "P_range", Pr)

    def grid(self, n_V: int, n_P: int) -> tuple[np.ndarray, np.ndarray]:
        """The grid points of ``V`` and ``P`` (linear or log-spaced)."""
        check_int("n_V", n_V, 2)
        check_int("n_P", n_P, 2)
        space = (lambda lo, hi, n: np.logspace(np.log10(lo), np.log10(hi), n)) if self.log else np.linspace
        return space(*self.V_range, n_V), space(*self.P_range, n_P)


def spec_pairs() -> list[MapPair]:
    """The spec's two Fig. 3 configurations on its reference axes ``V in [0.05, 10]``, ``P in [0, 10]``."""
    return [MapPair(name, V_range=(0.05, 10.0), P_range=(0.0, 10.0), note="spec routing_game.md §4.2, Fig. 3", **cfg)
            for name, cfg in SPEC_CONFIGS.items()]


def real_pairs(csv_path: str | Path, rate: float = 1e-2, V_range: tuple[float, float] = (1e-3, 1e2),
               P_range: tuple[float, float] = (1e-5, 1.0)) -> list[MapPair]:
    """The measured model pairs of ``results/game_real_pairs/pair_measurements.csv`` (notebook game_real_pairs).

    Cost ``c_i`` is the measured USD per request, the user's latency cost is ``t_i = rate * latency_i`` with
    ``rate`` in USD per second of waiting (default 0.01 USD/s = 36 USD/h), ``V`` and ``P`` in USD (log axes).
    """
    check_positive("rate", rate)
    path = Path(csv_path)
    if not path.exists():
        raise FileNotFoundError(f"no pair measurements at {path} (run notebook game_real_pairs first)")
    out = []
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            lat = (float(row["latency1 (s/pass)"]), float(row["latency2 (s/pass)"]))
            out.append(MapPair(row["pair"], c=(float(row["c1 (USD/pass)"]), float(row["c2 (USD/pass)"])),
                               t=(rate * lat[0], rate * lat[1]), p=(float(row["p1"]), float(row["p2"])),
                               V_range=V_range, P_range=P_range, log=True,
                               note=f"{row['cheap']} vs {row['big']}, n = {row['n']}; latency {row['latency source']}; "
                                    f"t = {rate:g} USD/s x latency"))
    if not out:
        fail("csv_path", str(path), "a table with at least one pair")
    return out


def _edges(x: np.ndarray, log: bool) -> np.ndarray:
    """Cell boundaries around grid points: midpoints (geometric on a log grid), the ends mirrored."""
    y = np.log(x) if log else x
    mid = (y[1:] + y[:-1]) / 2
    e = np.concatenate([[y[0] - (mid[0] - y[0])], mid, [y[-1] + (y[-1] - mid[-1])]])
    if not log:
        e[0] = max(e[0], 0.0) if x[0] >= 0 else e[0]
    return np.exp(e) if log else e


def regime_table(pair: MapPair, n_V: int = 60, n_P: int = 60) -> pd.DataFrame:
    """The provider-optimal policy on the pair's ``n_V x n_P`` grid, one row per cell.

    Columns: ``pair``, grid point ``V, P``, the cell's edges ``V_lo, V_hi, P_lo, P_hi``, ``regime`` (signs of
    ``xi_i = V p_i - t_i``), ``policy`` (a name of :data:`~llmroute.game.provider.CANDIDATES`), ``s``, ``q``,
    provider loss ``J`` and user utility ``U`` at the Stackelberg outcome (``solve_closed_form``).
    """
    Vs, Ps = pair.grid(n_V, n_P)
    g = GameArrays(V=Vs[:, None], P=Ps[None, :], c1=pair.c[0], c2=pair.c[1], t1=pair.t[0], t2=pair.t[1],
                   p1=pair.p[0], p2=pair.p[1], require_order=False).broadcast()
    sol = solve_closed_form(g)
    Ve, Pe = _edges(Vs, pair.log), _edges(Ps, pair.log)
    iV, iP = np.meshgrid(np.arange(n_V), np.arange(n_P), indexing="ij")
    return pd.DataFrame({"pair": pair.name, "V": g.V.ravel(), "P": g.P.ravel(),
                         "V_lo": Ve[iV].ravel(), "V_hi": Ve[iV + 1].ravel(), "P_lo": Pe[iP].ravel(), "P_hi": Pe[iP + 1].ravel(),
                         "regime": np.array(REGIMES)[regime(g)].ravel(), "policy": np.asarray(sol.labels()).astype(str).ravel(),
                         "s": sol.s.ravel(), "q": sol.q.ravel(), "J": sol.J.ravel(), "U": sol.U.ravel()})


def policy_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Share of grid cells per (pair, policy), every candidate listed (0 where it never wins)."""
    sh = table.groupby("pair", sort=False)["policy"].value_counts(normalize=True).unstack(fill_value=0.0)
    return sh.reindex(columns=list(CANDIDATES), fill_value=0.0)


def regime_map_chart(pairs: Sequence[MapPair], n_V: int = 60, n_P: int = 60, *, title: str = "",
                     param_name: str = "pair", label: str = "model pair: ", width: int = 520, height: int = 360) -> Any:
    """An Altair chart of the provider-optimal policy over ``(V, P)`` with a drop-down choosing the pair.

    All pairs must share the axis type (``log``); each cell is a rectangle with a tooltip (V, P, regime, policy,
    ``s*``, ``q*``, ``J*``, ``U``). Save it with ``chart.save(path, inline=True)`` for a page without a kernel or
    network (needs ``vl-convert-python`` for the inlined Vega bundle).
    """
    import altair as alt

    if not pairs:
        fail("pairs", pairs, "at least one MapPair")
    logs = {p.log for p in pairs}
    if len(logs) != 1:
        fail("pairs", [p.name for p in pairs], "pairs with the same axis type (all log or all linear)")
    names = [p.name for p in pairs]
    if len(set(names)) != len(names):
        fail("pairs", names, "pairs with distinct names")
    log = logs.pop()
    df = pd.concat([regime_table(p, n_V, n_P) for p in pairs], ignore_index=True)
    num = ["V", "P", "V_lo", "V_hi", "P_lo", "P_hi", "s", "q", "J", "U"]
    df[num] = df[num].apply(lambda col: col.map(lambda v: float(f"{v:.5g}")))   # 5 significant digits keep the page small
    notes = {p.name: p.note for p in pairs}
    df["note"] = df["pair"].map(notes)
    x_dom = [float(df["V_lo"].min()), float(df["V_hi"].max())]
    y_dom = [float(df["P_lo"].min()), float(df["P_hi"].max())]
    scale = ({"type": "log"} if log else {"type": "linear", "zero": False}) | {"nice": False}
    unit = " (USD)" if log else " (value units)"
    sel = alt.param(name=param_name, value=names[0], bind=alt.binding_select(options=names, name=label))
    colour = alt.Color("policy:N", scale=alt.Scale(domain=list(CANDIDATES), range=list(POLICY_COLOURS.values())),
                       legend=alt.Legend(title="provider policy (i*, s*)"))
    fmt = ".3g"
    chart = (alt.Chart(df, width=width, height=height, **({"title": title} if title else {}))
             .mark_rect(strokeWidth=0.6)   # a stroke of the cell's own colour hides anti-aliasing seams
             .encode(x=alt.X("V_lo:Q", scale=alt.Scale(domain=x_dom, **scale), axis=alt.Axis(grid=False),
                             title="task value V" + unit), x2="V_hi:Q",
                     y=alt.Y("P_lo:Q", scale=alt.Scale(domain=y_dom, **scale), axis=alt.Axis(grid=False),
                             title="churn penalty P" + unit), y2="P_hi:Q",
                     color=colour,
                     stroke=alt.Stroke("policy:N", scale=alt.Scale(domain=list(CANDIDATES), range=list(POLICY_COLOURS.values())),
                                       legend=None),
                     tooltip=[alt.Tooltip("pair:N"), alt.Tooltip("V:Q", format=fmt), alt.Tooltip("P:Q", format=fmt),
                              alt.Tooltip("regime:N", title="regime (signs of xi1, xi2)"), alt.Tooltip("policy:N"),
                              alt.Tooltip("s:Q", title="s*", format=fmt), alt.Tooltip("q:Q", title="q*", format=fmt),
                              alt.Tooltip("J:Q", title="J* (provider loss)", format=fmt),
                              alt.Tooltip("U:Q", title="U (user utility)", format=fmt), alt.Tooltip("note:N")])
             .add_params(sel)
             .transform_filter(alt.datum.pair == sel))
    return chart


# ---- ipywidgets explorer (needs a kernel) ---------------------------------------------------------------------

def _heatmap_png(table: pd.DataFrame, pair: MapPair, n_V: int, n_P: int) -> bytes:
    """A PNG of the policy map (matplotlib Figure without pyplot, so no global state and no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    idx = {k: i for i, k in enumerate(CANDIDATES)}
    lab = table["policy"].map(idx).to_numpy(float).reshape(n_V, n_P)
    Vs, Ps = table["V"].to_numpy().reshape(n_V, n_P)[:, 0], table["P"].to_numpy().reshape(n_V, n_P)[0]
    fig = Figure(figsize=(7.0, 4.2), dpi=90)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    cmap = ListedColormap(list(POLICY_COLOURS.values()))
    ax.pcolormesh(Vs, Ps, lab.T, cmap=cmap, norm=BoundaryNorm(np.arange(-0.5, len(CANDIDATES) + 0.5), len(CANDIDATES)),
                  shading="nearest")
    for tp, ls in zip(np.asarray(pair.t) / np.asarray(pair.p), ("--", ":")):
        if Vs[0] <= tp <= Vs[-1]:
            ax.axvline(tp, color="k", ls=ls, lw=1)
    ax.set(xlabel="task value V", ylabel="churn penalty P",
           title=f"c = {pair.c}, t = {pair.t}, p = {pair.p}\n--: V = t1/p1, ··: V = t2/p2")
    ax.legend([Patch(color=c) for c in POLICY_COLOURS.values()], list(CANDIDATES), loc="upper left",
              bbox_to_anchor=(1.01, 1.0), title="policy", fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


@dataclass
class RegimeExplorer:
    """The widgets of :func:`regime_explorer`; displaying the object displays :attr:`widget`.

    :attr:`table` and :attr:`pair` hold the last solved map (``None`` when the sliders break ``p1 < p2``,
    :attr:`status` then names the broken assumption); :attr:`image` holds its PNG.
    """

    sliders: dict[str, Any]
    image: Any
    status: Any
    widget: Any
    n: int
    table: pd.DataFrame | None = None
    pair: MapPair | None = None
    updates: int = field(default=0)

    def update(self, *_: Any) -> None:
        """Re-solve the game for the current slider values and redraw."""
        v = {k: s.value for k, s in self.sliders.items()}
        self.updates += 1
        try:
            pair = MapPair("explorer", c=(v["c1"], v["c2"]), t=(v["t1"], v["t2"]), p=(v["p1"], v["p2"]),
                           V_range=(0.05, v["V_max"]), P_range=(0.0, v["P_max"]))
        except ParameterError as err:
            self.table, self.pair = None, None
            self.status.value = f"<b>not a valid game:</b> {html.escape(str(err))}"
            return
        tab = regime_table(pair, self.n, self.n)
        self.table, self.pair = tab, pair
        self.image.value = _heatmap_png(tab, pair, self.n, self.n)
        sh = policy_shares(tab).iloc[0]
        broken = [f"{a} &lt; {b}" for a, b, ok in (("t1", "t2", pair.t[0] < pair.t[1]), ("c1", "c2", pair.c[0] < pair.c[1])) if not ok]
        warn = (f" <b>standing assumption {' and '.join(broken)} broken</b> (outside the paper's theorems)." if broken else "")
        self.status.value = ("share of the grid: " + ", ".join(f"{k} {sh[k]:.1%}" for k in CANDIDATES if sh[k] > 0)
                             + f"; cascade (0 &lt; s* &lt; 1) {((tab.s > 0) & (tab.s < 1)).mean():.1%}." + warn)

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a frontend
        from IPython.display import display

        display(self.widget)


def regime_explorer(config: str = "cfgA", n: int = 80) -> RegimeExplorer:
    """An ipywidgets explorer of the provider-optimal policy over ``(V, P)``.

    Sliders for ``c1, c2, t1, t2, p1, p2`` (starting at the spec's ``config``, see :data:`SPEC_CONFIGS`) and
    the ranges ``V in [0.05, V_max]``, ``P in [0, P_max]``; every change re-solves the ``n x n`` grid with
    ``solve_closed_form`` and redraws the map. In a notebook, ``regime_explorer()`` as a cell's last line shows it.
    """
    import ipywidgets as W

    if config not in SPEC_CONFIGS:
        fail("config", config, f"one of {sorted(SPEC_CONFIGS)}")
    check_int("n", n, 2)
    cfg = SPEC_CONFIGS[config]
    style = {"description_width": "initial"}

    def slider(name: str, value: float, lo: float, hi: float, step: float, desc: str) -> Any:
        return W.FloatSlider(value=value, min=lo, max=hi, step=step, description=desc, continuous_update=False,
                             readout_format=".2f", style=style)

    sliders = {"c1": slider("c1", cfg["c"][0], 0.0, 10.0, 0.1, "c1 (cost M1)"),
               "c2": slider("c2", cfg["c"][1], 0.0, 10.0, 0.1, "c2 (cost M2)"),
               "t1": slider("t1", cfg["t"][0], 0.0, 10.0, 0.1, "t1 (latency M1)"),
               "t2": slider("t2", cfg["t"][1], 0.0, 10.0, 0.1, "t2 (latency M2)"),
               "p1": slider("p1", cfg["p"][0], 0.01, 0.99, 0.01, "p1 (pass M1)"),
               "p2": slider("p2", cfg["p"][1], 0.01, 0.99, 0.01, "p2 (pass M2)"),
               "V_max": slider("V_max", 10.0, 1.0, 50.0, 0.5, "V max"),
               "P_max": slider("P_max", 10.0, 1.0, 50.0, 0.5, "P max")}
    image = W.Image(format="png")
    status = W.HTML()
    keys = list(sliders)
    controls = W.HBox([W.VBox([sliders[k] for k in keys[0:6:2]] + [sliders["V_max"]]),
                       W.VBox([sliders[k] for k in keys[1:6:2]] + [sliders["P_max"]])])
    ex = RegimeExplorer(sliders=sliders, image=image, status=status, widget=W.VBox([controls, status, image]), n=n)
    for s in sliders.values():
        s.observe(ex.update, names="value")
    ex.update()
    return ex
