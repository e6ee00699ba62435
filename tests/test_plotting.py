"""The one plotting module: byte-stable figures after rounding, and the minimum font size."""
from __future__ import annotations

import filecmp

import matplotlib.pyplot as plt
import numpy as np
import pytest

from llmroute import plotting as lp


def _draw(eps: float) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(4, 3))
    x = np.linspace(0.1, 1, 40)
    ax.plot(x, x**2 + eps)
    ax.scatter(x, x + eps)
    ax.fill_between(x, x, x + 1 + eps)
    ax.bar([1, 2], [0.1 + eps, 0.2])
    ax.set_xlabel("x (s)")
    return fig


def test_last_bit_differences_do_not_change_figure_bytes(tmp_path) -> None:
    lp.savefig(_draw(0.0), tmp_path, "a")
    lp.savefig(_draw(1e-15), tmp_path, "b")
    assert filecmp.cmp(tmp_path / "a.png", tmp_path / "b.png", shallow=False)
    assert filecmp.cmp(tmp_path / "a.svg", tmp_path / "b.svg", shallow=False)


def test_sig_rounding_keeps_nan_and_zero() -> None:
    out = lp._sig(np.array([1.23456789012, -1.23456789e-4, 0.0, np.nan]), 4)
    assert out[0] == 1.235 and out[1] == -1.235e-4 and out[2] == 0 and np.isnan(out[3])


def test_small_text_warns_and_strict_mode_raises(tmp_path, monkeypatch) -> None:
    fig = _draw(0.0)
    fig.axes[0].set_title("tiny", fontsize=6)
    assert lp.min_font_pt(fig) == 6
    with pytest.warns(lp.FigureStyleWarning, match="6 pt"):
        lp.savefig(fig, tmp_path, "small")
    monkeypatch.setenv("LLMROUTE_STRICT_FIGURES", "1")
    with pytest.raises(ValueError, match="at least 8 pt"):
        lp.savefig(fig, tmp_path, "small")
