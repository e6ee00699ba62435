"""Re-derive the committed results: execute every notebook with its full parameters into ``build/verify/`` and
compare each CSV table and ``claims.json`` with the committed one in ``results/`` (byte for byte).

    python scripts/verify_results.py [--jobs 2] [NAME ...]

Figures (PNG/SVG) and the executed notebooks that embed them are not compared: anti-aliasing can differ by a
pixel between machines. Every other difference (a file missing, added or changed) fails the run, with the
first differing lines of each changed file. Used by CI (`make verify`).
"""
from __future__ import annotations

import argparse
import difflib
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from run_notebook import execute  # noqa: E402

COMPARED = ("*.csv", "claims.json")
#: Run the longest notebooks first so that two workers finish together (full-run wall times on 2 cores: MESS+
#: main/figures/predictors and the two arena notebooks take minutes, the rest under one).
LONGEST_FIRST = ("messplus_main", "messplus_figures", "messplus_predictors", "arena_main", "arena_routers",
                 "game_real_pairs", "game_beyond", "game_provider")


def compared_files(folder: Path) -> set[str]:
    return {p.name for pat in COMPARED for p in folder.glob(pat)}


def compare(name: str, committed: Path, fresh: Path, context: int = 3) -> list[str]:
    """Differences between the committed and the regenerated folder of one notebook (empty when identical)."""
    problems = []
    a, b = compared_files(committed), compared_files(fresh)
    for f in sorted(a - b):
        problems.append(f"{name}/{f}: committed but not regenerated")
    for f in sorted(b - a):
        problems.append(f"{name}/{f}: regenerated but not committed")
    for f in sorted(a & b):
        old, new = (committed / f).read_bytes(), (fresh / f).read_bytes()
        if old != new:
            diff = difflib.unified_diff(old.decode("utf-8", "replace").splitlines(),
                                        new.decode("utf-8", "replace").splitlines(),
                                        f"results/{name}/{f}", f"build/verify/{name}/{f}", n=0, lineterm="")
            lines = list(diff)
            problems.append(f"{name}/{f}: differs ({len(lines)} diff lines)\n  " + "\n  ".join(lines[:12]))
    return problems


def _run(name: str, out_root: Path) -> tuple[str, float]:
    t0 = time.perf_counter()
    execute(name, quick=False, out_root=out_root)
    return name, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="notebooks (default: all)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "verify")
    args = ap.parse_args(argv)
    names = args.names or sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    names = sorted(names, key=lambda n: (LONGEST_FIRST.index(n) if n in LONGEST_FIRST else len(LONGEST_FIRST), n))
    t0 = time.perf_counter()
    failures: list[str] = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futs = {pool.submit(_run, n, args.out): n for n in names}
        for fut in as_completed(futs):
            n = futs[fut]
            try:
                _, sec = fut.result()
            except Exception as exc:  # noqa: BLE001 - report every notebook, then fail
                failures.append(f"{n}: execution failed: {exc}")
                print(f"{n}: FAILED to execute", flush=True)
                continue
            probs = compare(n, ROOT / "results" / n, args.out / n)
            failures += probs
            print(f"{n}: {sec:.0f} s, {'identical' if not probs else f'{len(probs)} difference(s)'}", flush=True)
    print(f"verify: {len(names)} notebooks in {time.perf_counter() - t0:.0f} s", flush=True)
    if failures:
        print("\nregenerated results differ from the committed ones:\n" + "\n".join(failures), file=sys.stderr)
        return 1
    print("every regenerated CSV and claims.json equals the committed one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
