"""Render every ``results/*/claims.json`` into the claims table of README.md (between the markers).

    python scripts/render_claims.py          # rewrite README.md in place
    python scripts/render_claims.py --check  # exit 1 if README.md is out of date
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- claims:start -->", "<!-- claims:end -->"


def _cell(x: object) -> str:
    if isinstance(x, float):
        x = f"{x:.4g}"
    return str(x).replace("|", "\\|").replace("\n", " ")


def table() -> str:
    rows = ["| notebook | claim | paper | ours | tolerance | passed | note |",
            "|---|---|---|---|---|---|---|"]
    n_pass = n_all = 0
    for path in sorted((ROOT / "results").glob("*/claims.json")):
        for c in json.loads(path.read_text(encoding="utf-8")):
            n_all += 1
            n_pass += bool(c["passed"])
            mark = "yes" if c["passed"] else "**no**"
            rows.append("| " + " | ".join([f"[{path.parent.name}](results/{path.parent.name}/)", _cell(c["claim"]),
                                           _cell(c["paper"]), _cell(c["ours"]), _cell(c["tolerance"]), mark,
                                           _cell(c.get("note", ""))]) + " |")
    head = f"{n_pass} of {n_all} checked claims pass (rendered from `results/*/claims.json` by `make claims`).\n\n"
    return head + "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} block", file=sys.stderr)
        return 1
    pre, rest = text.split(START, 1)
    _, post = rest.split(END, 1)
    new = pre + START + "\n" + table() + "\n" + END + post
    if args.check:
        return 0 if new == text else 1
    readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
