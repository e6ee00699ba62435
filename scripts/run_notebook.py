"""Execute notebooks with papermill and make the executed copy byte-stable.

    python scripts/run_notebook.py NAME [NAME ...]            # full run into results/NAME/NAME.ipynb
    python scripts/run_notebook.py --quick --out DIR NAME ... # smoke run into DIR/NAME/

The executed notebook is stripped of everything that changes between runs (papermill timings, execution
metadata, stderr streams such as progress bars), so that a second ``make reproduce`` changes no byte.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
import papermill as pm

ROOT = Path(__file__).resolve().parents[1]
KERNEL = os.environ.get("LLMROUTE_KERNEL", "llmroute")


def _portable_outputs(outputs: list) -> None:
    """Make file paths in text outputs independent of the clone's location (see llmroute.paths.portable)."""
    from llmroute.paths import portable

    for o in outputs:
        if o.get("output_type") == "stream":
            o["text"] = portable(o["text"])
        for key, val in (o.get("data") or {}).items():
            if key.startswith("text/"):
                o["data"][key] = portable(val) if isinstance(val, str) else [portable(v) for v in val]


def merge_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name: the kernel may split one cell's prints into a different
    number of chunks from run to run, which would change the executed notebook's bytes."""
    merged: list = []
    for o in outputs:
        if (o.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == o.get("name")):
            merged[-1]["text"] = merged[-1]["text"] + o["text"]
        else:
            merged.append(o)
    return merged


WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = "(an interactive widget: open the notebook in JupyterLab, `make lab`, to use it)"


def drop_widgets(outputs: list) -> list:
    """Replace widget views (random model ids, state that needs a kernel) by a fixed text note."""
    out = []
    for o in outputs:
        if WIDGET_MIME in (o.get("data") or {}):
            out.append(nbformat.v4.new_output("display_data", data={"text/plain": WIDGET_NOTE}))
        else:
            out.append(o)
    return out


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop run-dependent metadata, widget state and stderr outputs from an executed notebook; make paths
    portable."""
    nb.metadata.pop("widgets", None)
    pmeta = nb.metadata.get("papermill", {})
    nb.metadata["papermill"] = {"parameters": pmeta.get("parameters", {})}
    for i, cell in enumerate(nb.cells):
        if "id" in cell:  # papermill's injected-parameters cell gets a random id
            cell["id"] = f"cell-{i:03d}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = drop_widgets(merge_streams([o for o in cell.outputs if not (
                o.get("output_type") == "stream" and o.get("name") == "stderr")]))
            _portable_outputs(cell.outputs)
    return nb


def execute(name: str, *, quick: bool = False, out_root: Path | None = None,
            kernel: str = KERNEL, extra: dict | None = None) -> Path:
    """Run ``notebooks/<name>.ipynb``; outputs go to ``<out_root or results>/<name>/``."""
    src = ROOT / "notebooks" / f"{name}.ipynb"
    if not src.exists():
        raise FileNotFoundError(f"no notebook {src}")
    out_root = Path(out_root).resolve() if out_root is not None else None  # papermill runs in notebooks/
    out_dir = (out_root or ROOT / "results") / name
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{name}.ipynb"
    params = {"quick": quick, **(extra or {})}
    if out_root is not None:
        params["out_dir"] = str(out_dir)
    # Every figure a notebook run writes keeps the project's figure style (llmroute.plotting.check_style raises on
    # text under 8 pt): the kernel inherits this environment variable, set for the run only.
    old = os.environ.get("LLMROUTE_STRICT_FIGURES")
    os.environ["LLMROUTE_STRICT_FIGURES"] = "1"
    try:
        nb = pm.execute_notebook(str(src), None, parameters=params, kernel_name=kernel,
                                 cwd=str(ROOT / "notebooks"), progress_bar=False, log_output=False)
    finally:
        if old is None:
            os.environ.pop("LLMROUTE_STRICT_FIGURES", None)
        else:
            os.environ["LLMROUTE_STRICT_FIGURES"] = old
    nbformat.write(strip(nb), str(target))
    return target


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="+")
    ap.add_argument("--quick", action="store_true", help="small parameters (smoke run)")
    ap.add_argument("--out", type=Path, default=None, help="output root (default: results/)")
    args = ap.parse_args(argv)
    for name in args.names:
        t0 = time.perf_counter()
        path = execute(name, quick=args.quick, out_root=args.out)
        print(f"{name}: {time.perf_counter() - t0:.1f} s -> {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
