"""Build the static results site from README.md, CLAIMS.md and the executed notebooks (``make site``).

    python scripts/build_site.py                # into build/site/
    python scripts/build_site.py --out DIR

Pages (all offline: no external script, style sheet, image or font; the Vega bundle is inlined):

* ``index.html`` — README.md; ``claims.html`` — CLAIMS.md (written by ``make claims``; rendered from
  ``results/*/claims.json`` with ``scripts/render_readme.py`` when the file is absent), anchors per claim id kept;
* ``results/<nb>/<nb>.html`` — each executed notebook (nbconvert, lab template without its CDN scripts);
* ``results/<nb>/index.html`` — a page per notebook's results folder (figures, tables, claims tally), with every
  file of ``results/<nb>/`` copied beside it, so the README's links to CSV/PNG files keep working;
* ``regime_map.html`` — the routing game's regime map over (V, P) as an interactive Vega-Lite chart
  (:func:`llmroute.interactive.regime_map_chart`), for the spec's two configurations and the measured pairs;
* ``notebooks.html`` — the list of notebooks.

Relative links of the Markdown sources are rewritten (``README.md`` -> ``index.html``, ``CLAIMS.md`` ->
``claims.html``, a results folder -> its page, an ``.ipynb`` -> its HTML); any other linked repository file is
copied into the site. A link to a path that does not exist stops the build with the list of broken links.
"""
from __future__ import annotations

import argparse
import copy
import html
import importlib.util
import json
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
from bs4 import BeautifulSoup
from jinja2 import DictLoader
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
RES = ROOT / "results"

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; line-height: 1.5; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 2rem 3rem; }
nav.site { background: #24292f; padding: .6rem 2rem; position: sticky; top: 0; z-index: 1000; }
nav.site a { color: #fff; margin-right: 1.4rem; text-decoration: none; font-weight: 600; }
nav.site a:hover { text-decoration: underline; }
table { border-collapse: collapse; margin: .8rem 0; font-size: .88rem; display: block; overflow-x: auto; }
th, td { border: 1px solid #d0d7de; padding: .3rem .55rem; vertical-align: top; }
th { background: #f6f8fa; }
tr:nth-child(even) td { background: #fbfcfd; }
img { max-width: 100%; }
td img { max-width: 520px; }
code { background: #eff1f3; padding: .1rem .3rem; border-radius: 4px; font-size: .88em; }
pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; border-radius: 6px; }
pre code { background: none; padding: 0; }
h1, h2, h3 { border-bottom: 1px solid #d8dee4; padding-bottom: .2rem; }
.muted { color: #57606a; }
figure { margin: 1.2rem 0; } figcaption { color: #57606a; font-size: .9rem; }
"""
FAVICON = '<link rel="icon" href="data:,">'   # no /favicon.ico request (a 404 in the browser's console)
NAV_ITEMS = (("index.html", "README"), ("claims.html", "Claims"), ("regime_map.html", "Regime map (interactive)"),
             ("notebooks.html", "Notebooks"))


def nav(depth: int) -> str:
    """The site's navigation bar for a page ``depth`` folders below the site root."""
    up = "../" * depth
    return '<nav class="site">' + "".join(f'<a href="{up}{href}">{html.escape(text)}</a>' for href, text in NAV_ITEMS) + "</nav>"


def page(title: str, body: str, depth: int = 0) -> str:
    """A complete HTML page with the site's style and navigation."""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n{FAVICON}\n<title>{html.escape(title)}</title>\n'
            f"<style>{CSS}</style>\n</head>\n<body>\n{nav(depth)}\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def markdown_html(text: str) -> str:
    """CommonMark + tables + raw HTML (the ledger's ``<a id>`` anchors) + GitHub-style heading ids."""
    md = MarkdownIt("commonmark", {"html": True}).enable("table").use(anchors_plugin, max_level=3)
    return md.render(text)


class Site:
    """The site being built into ``out``; collects broken links instead of stopping at the first."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.notebooks = sorted(p.parent.name for p in RES.glob("*/*.ipynb") if p.stem == p.parent.name)
        self.broken: list[str] = []

    # -- links ---------------------------------------------------------------------------------------------
    def target(self, rel: str, base: Path, page_name: str) -> str | None:
        """Site path (relative to the site root) for a repository path linked from a file in ``base``."""
        src = (base / rel).resolve()
        try:
            repo_rel = src.relative_to(ROOT).as_posix()
        except ValueError:
            self.broken.append(f"{page_name}: {rel} (outside the repository)")
            return None
        parts = repo_rel.split("/")
        if repo_rel == "README.md":
            return "index.html"
        if repo_rel == "CLAIMS.md":
            return "claims.html"
        if not src.exists():
            self.broken.append(f"{page_name}: {rel} (no such file {repo_rel})")
            return None
        if parts[0] == "results" and len(parts) == 2 and src.is_dir():
            return f"results/{parts[1]}/index.html"
        if src.suffix == ".ipynb" and parts[0] == "results":
            return repo_rel[: -len(".ipynb")] + ".html"
        if src.suffix == ".ipynb":   # a source notebook: its executed copy
            return f"results/{src.stem}/{src.stem}.html"
        if src.is_dir():
            return self.listing(src, repo_rel)
        self.copy(src, repo_rel)
        return repo_rel

    def copy(self, src: Path, repo_rel: str) -> None:
        dst = self.out / repo_rel
        if not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)

    def listing(self, src: Path, repo_rel: str) -> str:
        """A page listing a linked repository folder (files copied and linked)."""
        rel = repo_rel.rstrip("/") + "/index.html"
        depth = rel.count("/")
        items = []
        for f in sorted(src.iterdir()):
            if f.is_file() and not f.name.startswith("."):
                self.copy(f, f"{repo_rel.rstrip('/')}/{f.name}")
                items.append(f'<li><a href="{html.escape(f.name)}">{html.escape(f.name)}</a></li>')
            elif f.is_dir() and f.name not in ("__pycache__",) and not f.name.startswith("."):
                items.append(f"<li>{html.escape(f.name)}/</li>")
        (self.out / rel).parent.mkdir(parents=True, exist_ok=True)
        (self.out / rel).write_text(page(repo_rel, f"<h1><code>{html.escape(repo_rel)}</code></h1><ul>{''.join(items)}</ul>",
                                         depth), encoding="utf-8")
        return rel

    def rewrite(self, body: str, base: Path, site_path: str) -> str:
        """Rewrite the relative links and image sources of an HTML fragment written for a file in ``base``."""
        soup = BeautifulSoup(body, "html.parser")
        depth = site_path.count("/")
        for tag, attr in (("a", "href"), ("img", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr)
                if not url:
                    continue
                sp = urlsplit(url)
                if sp.scheme or sp.netloc or url.startswith("#"):
                    continue
                new = self.target(sp.path, base, site_path)
                if new is None:
                    continue
                el[attr] = "../" * depth + new + (f"#{sp.fragment}" if sp.fragment else "")
        return str(soup)

    # -- pages ---------------------------------------------------------------------------------------------
    def markdown_page(self, src_text: str, site_path: str, title: str) -> None:
        body = self.rewrite(markdown_html(src_text), ROOT, site_path)
        (self.out / site_path).write_text(page(title, body, site_path.count("/")), encoding="utf-8")

    def claims_text(self) -> str:
        path = ROOT / "CLAIMS.md"
        if path.exists():
            return path.read_text(encoding="utf-8")
        spec = importlib.util.spec_from_file_location("render_readme", ROOT / "scripts" / "render_readme.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)   # type: ignore[union-attr]
        try:
            return mod.claims_md()
        except KeyError as err:   # a claims.json written before the typed ledger (no "kind")
            print(f"site: CLAIMS.md absent and render_readme cannot render it ({err!r} missing); "
                  "a plain ledger page is built instead", file=sys.stderr)
            return plain_ledger()

    def notebook_pages(self) -> None:
        exporter = HTMLExporter(extra_loaders=[DictLoader({"site_notebook.html.j2": NB_TEMPLATE})],
                                template_file="site_notebook.html.j2")
        for name in self.notebooks:
            nb = offline_notebook(nbformat.read(RES / name / f"{name}.ipynb", as_version=4))
            body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
            site_path = f"results/{name}/{name}.html"
            soup = BeautifulSoup(body, "html.parser")
            soup.body.insert(0, BeautifulSoup(nav(2), "html.parser"))
            head_style = soup.new_tag("style")
            head_style.string = CSS.split("main {")[0] + "nav.site { background: #24292f; padding: .6rem 2rem; }" \
                                                         " nav.site a { color: #fff; margin-right: 1.4rem; text-decoration: none; font-weight: 600; }"
            soup.head.append(head_style)
            # markdown links in a notebook: relative to notebooks/ (its source) or, in the outputs it writes
            # (IPython Markdown displays), to the folder it writes into, results/<name>/
            for el in soup.select(".jp-MarkdownOutput a[href], .jp-MarkdownOutput img[src]"):
                attr = "href" if el.name == "a" else "src"
                url = el[attr]
                sp = urlsplit(url)
                if sp.scheme or sp.netloc or url.startswith("#") or url.startswith("data:"):
                    continue
                base = RES / name if (RES / name / sp.path).exists() else ROOT / "notebooks"
                new = self.target(sp.path, base, site_path)
                if new is not None:
                    el[attr] = "../../" + new + (f"#{sp.fragment}" if sp.fragment else "")
            (self.out / site_path).parent.mkdir(parents=True, exist_ok=True)
            (self.out / site_path).write_text(str(soup), encoding="utf-8")

    def results_pages(self) -> None:
        for name in self.notebooks:
            folder = RES / name
            files = sorted(f for f in folder.iterdir() if f.is_file() and not f.name.startswith("."))
            for f in files:
                self.copy(f, f"results/{name}/{f.name}")
            claims = json.loads((folder / "claims.json").read_text(encoding="utf-8")) if (folder / "claims.json").exists() else []
            npass = sum(bool(c.get("passed")) for c in claims)
            parts = [f"<h1>results/{html.escape(name)}/</h1>",
                     f'<p><a href="{name}.html">the executed notebook</a> (<a href="{name}.ipynb">.ipynb</a>)'
                     + (f' &middot; claims: {npass} of {len(claims)} pass (<a href="../../claims.html#{name}">ledger</a>)' if claims else "")
                     + "</p>"]
            for f in files:
                if f.suffix == ".png":
                    svg = f.with_suffix(".svg")
                    extra = f' (<a href="{svg.name}">SVG</a>)' if svg.exists() else ""
                    parts.append(f'<figure><img src="{f.name}" alt="{html.escape(f.stem)}">'
                                 f'<figcaption><a href="{f.name}">{html.escape(f.name)}</a>{extra}</figcaption></figure>')
            rows = [f'<li><a href="{f.name}">{html.escape(f.name)}</a> <span class="muted">({f.stat().st_size / 1024:.1f} kB)</span></li>'
                    for f in files if f.suffix not in (".png",)]
            parts.append("<h2>files</h2><ul>" + "".join(rows) + "</ul>")
            (self.out / "results" / name / "index.html").write_text(page(f"results/{name}", "\n".join(parts), 2), encoding="utf-8")

    def notebooks_page(self) -> None:
        rows = ["<tr><th>notebook</th><th>claims passed</th><th>results</th></tr>"]
        for name in self.notebooks:
            cj = RES / name / "claims.json"
            claims = json.loads(cj.read_text(encoding="utf-8")) if cj.exists() else []
            tally = f"{sum(bool(c.get('passed')) for c in claims)} / {len(claims)}" if claims else ""
            rows.append(f'<tr><td><a href="results/{name}/{name}.html">{name}</a></td><td>{tally}</td>'
                        f'<td><a href="results/{name}/index.html">results/{name}/</a></td></tr>')
        body = ("<h1>Notebooks</h1><p>Each notebook as executed by <code>make reproduce</code> "
                "(<code>results/&lt;notebook&gt;/&lt;notebook&gt;.ipynb</code>), and its results folder.</p>"
                f"<table>{''.join(rows)}</table>")
        (self.out / "notebooks.html").write_text(page("Notebooks", body), encoding="utf-8")

    def regime_map_page(self) -> None:
        import altair as alt

        from llmroute.interactive import real_pairs, regime_map_chart, spec_pairs

        rate = 1e-2
        spec = regime_map_chart(spec_pairs(), title="The spec's configurations (Fig. 3 of the paper, reproduced)",
                                param_name="spec_pair", label="spec configuration (first chart): ")
        real = regime_map_chart(real_pairs(RES / "game_real_pairs" / "pair_measurements.csv", rate=rate),
                                title=f"Measured model pairs (ours), latency valued at {rate:g} USD per second",
                                param_name="real_pair", label="measured pair (second chart): ")
        chart = alt.vconcat(spec, real).resolve_scale(x="independent", y="independent")
        path = self.out / "regime_map.html"
        chart.save(path, format="html", inline=True)
        intro = ('<main><h1>The routing game: provider-optimal policy over task value V and churn penalty P</h1>'
                 "<p>Each cell is the provider's Stackelberg optimum (initial model i*, cascade probability s*) "
                 "solved in closed form (<code>llmroute.game.provider.solve_closed_form</code>); hover a cell for "
                 "the regime, s*, the user's abandonment q*, the provider's loss J* and the user's utility U, and "
                 "choose the configuration or the model pair in the two drop-downs below the charts. The measured pairs come from "
                 '<a href="results/game_real_pairs/index.html">results/game_real_pairs/</a> '
                 "(<code>pair_measurements.csv</code>); their orderings t1 &lt; t2 and c1 &lt; c2 are not required "
                 "(OmnisBench's cheap model is the slower one). The static figures: "
                 '<a href="results/game_provider/index.html">game_provider</a>, '
                 '<a href="results/game_real_pairs/index.html">game_real_pairs</a>. '
                 "In a notebook with a kernel, <code>llmroute.interactive.regime_explorer()</code> gives sliders "
                 "for every game parameter.</p></main>")
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        style = soup.new_tag("style")
        style.string = CSS + " .vega-embed, .vega-bindings { margin-left: 2rem; } .vega-bind { margin: .3rem 0; }"
        soup.head.append(style)
        soup.head.append(BeautifulSoup(FAVICON, "html.parser"))
        title = soup.new_tag("title")
        title.string = "Regime map"
        soup.head.append(title)
        soup.body.insert(0, BeautifulSoup(nav(0) + intro, "html.parser"))
        path.write_text(str(soup), encoding="utf-8")

    def build(self) -> None:
        if self.out.exists():
            shutil.rmtree(self.out)
        self.out.mkdir(parents=True)
        self.markdown_page((ROOT / "README.md").read_text(encoding="utf-8"), "index.html", "llm-routing-lab")
        self.markdown_page(self.claims_text(), "claims.html", "The claims ledger")
        self.results_pages()
        self.notebook_pages()
        self.notebooks_page()
        self.regime_map_page()
        if self.broken:
            raise SystemExit("broken links in the site's sources:\n  " + "\n  ".join(self.broken))


def plain_ledger() -> str:
    """Every claim of ``results/*/claims.json`` in one table per notebook (id anchors where ids exist)."""
    lines = ["# The claims ledger", "", "Rendered by the site from `results/*/claims.json` (CLAIMS.md not yet written by "
             "`make claims`).", ""]
    for path in sorted(RES.glob("*/claims.json")):
        claims = json.loads(path.read_text(encoding="utf-8"))
        nb = path.parent.name
        lines += [f"## {nb}", "", f"{sum(bool(c.get('passed')) for c in claims)} of {len(claims)} pass. "
                  f"Results: [results/{nb}/](results/{nb}/).", "", "| id | claim | reference | ours | passed |", "|---|---|---|---|---|"]
        def cell(v: object) -> str:
            return html.escape(str(v)).replace("|", "\\|").replace("\n", " ")

        for c in claims:
            cid = c.get("id")
            lines.append("| " + " | ".join([f'<a id="{cid}"></a>`{cid}`' if cid else "", cell(c.get("claim", "")),
                                            cell(c.get("reference", c.get("paper", ""))), cell(c.get("ours", "")),
                                            "pass" if c.get("passed") else "**FAIL**"]) + " |")
        lines.append("")
    return "\n".join(lines)


# The lab template without its CDN scripts (require.js, MathJax, mermaid, the widget manager), so the site works
# offline; formulas stay as their TeX source. (MathJax 2 of the jupyter-server-mathjax package was tried: its
# HTML-CSS output probes a font at about:blank and asks for TeX fonts the package does not ship, both console
# errors in Chromium.)
NB_TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}<link rel="icon" href="data:,">{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
"""
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ('<p class="muted"><em>An interactive widget (it needs a running kernel: open the notebook in '
               "JupyterLab). The offline interactive regime map is on the site's "
               '<a href="../../regime_map.html">Regime map</a> page.</em></p>')


def offline_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without saved widget state (which would pull the widget manager from a CDN); widget outputs
    become a short note."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data and WIDGET_MIME in data:
                out["data"] = {"text/html": WIDGET_NOTE}
    return nb


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    args = ap.parse_args()
    t0 = time.perf_counter()
    site = Site(args.out.resolve())
    site.build()
    n = len(list(site.out.rglob("*.html")))
    print(f"site: {n} pages in {site.out} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
