"""The results site (``make site``, scripts/build_site.py): offline, no broken links, every page loads in Chromium.

The site is built into a temporary folder, or taken from ``LLMROUTE_SITE_DIR`` when set (CI builds it with
``make site`` first). The browser tests serve the site from a local HTTP server on 127.0.0.1 (as a static host
would; nothing is fetched from elsewhere) and need Debian's ``chromium`` and ``chromium-driver``; it skips with a reason
when they are absent, unless ``LLMROUTE_REQUIRE_BROWSER=1`` (set by .ci/run), which turns the skip into a failure.
It saves a screenshot of the index page to ``build/site_index.png``.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from functools import lru_cache, partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

bs4 = pytest.importorskip("bs4")

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "build" / "site_index.png"
RESOURCE_ATTRS = (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
                  ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data"), ("image", "href"))
EXTERNAL = re.compile(r"^(https?:)?//", re.I)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("LLMROUTE_SITE_DIR")
    if given:
        path = Path(given) if Path(given).is_absolute() else ROOT / given
        assert (path / "index.html").exists(), f"LLMROUTE_SITE_DIR={given}: no index.html (run `make site`)"
        return path
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "lib"), os.environ.get("PYTHONPATH", "")])}
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py"), "--out", str(out)],
                         capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    return out


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@lru_cache(maxsize=None)
def _soup(path: Path) -> "bs4.BeautifulSoup":
    return bs4.BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _ids(path: Path) -> set[str]:
    soup = _soup(path)
    return {el["id"] for el in soup.find_all(id=True)} | {el["name"] for el in soup.find_all("a", attrs={"name": True})}


def check_link(site: Path, page: Path, target: Path, fragment: str) -> str | None:
    """None when ``target`` (and ``#fragment`` in it) exists inside the site, else what is wrong."""
    try:
        target.resolve().relative_to(site.resolve())
    except ValueError:
        return f"{page.relative_to(site)} -> {target} (outside the site)"
    if target.is_dir():
        target = target / "index.html"
    if not target.exists():
        return f"{page.relative_to(site)} -> {target.relative_to(site)} (missing)"
    ids = _ids(target) if fragment and target.suffix == ".html" else set()
    if fragment and target.suffix == ".html" and fragment not in ids and unquote(fragment) not in {unquote(i) for i in ids}:
        # nbconvert percent-encodes heading ids; a browser matches the fragment raw or decoded
        return f"{page.relative_to(site)} -> {target.relative_to(site)}#{fragment} (no such anchor)"
    return None


def test_site_has_every_page(site: Path) -> None:
    names = sorted(p.parent.name for p in (ROOT / "results").glob("*/*.ipynb") if p.stem == p.parent.name)
    assert names, "no executed notebooks in results/"
    for top in ("index.html", "claims.html", "regime_map.html", "notebooks.html"):
        assert (site / top).exists(), top
    for n in names:
        assert (site / "results" / n / f"{n}.html").exists(), n
        assert (site / "results" / n / "index.html").exists(), n


def test_no_external_resources(site: Path) -> None:
    """Offline: no page loads a script, style sheet, image, frame or font from the network."""
    bad = []
    for p in pages(site):
        soup = _soup(p)
        for tag, attr in RESOURCE_ATTRS:
            for el in soup.find_all(tag):
                url = el.get(attr) or el.get("xlink:href") or ""
                if EXTERNAL.match(url.strip()):
                    bad.append(f"{p.relative_to(site)}: <{tag} {attr}={url}>")
        for style in soup.find_all("style"):
            bad += [f"{p.relative_to(site)}: css url({u})" for u in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", style.text)]
        bad += [f"{p.relative_to(site)}: @import {u}" for u in re.findall(r"@import\s+(?:url\()?['\"]?((?:https?:)?//[^'\")]+)", p.read_text(encoding="utf-8"))]
    assert not bad, "\n".join(bad[:20])


def test_internal_links_resolve(site: Path) -> None:
    """Every relative href/src of every page points to a file in the site (and an existing anchor)."""
    bad = []
    for p in pages(site):
        soup = _soup(p)
        for tag, attr in (("a", "href"), ("img", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr)
                if not url or url.startswith(("data:", "mailto:", "javascript:")):
                    continue
                sp = urlsplit(url)
                if sp.scheme or sp.netloc:
                    continue
                target = p if not sp.path else (p.parent / unquote(sp.path))
                err = check_link(site, p, target, sp.fragment)
                if err:
                    bad.append(err)
    assert not bad, f"{len(bad)} broken links:\n" + "\n".join(bad[:30])


def test_readme_links_kept(site: Path) -> None:
    """The README's links to results files and to claim anchors survive in the index page."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    hrefs = {a.get("href") for a in _soup(site / "index.html").find_all("a")} | \
            {i.get("src") for i in _soup(site / "index.html").find_all("img")}
    for m in re.findall(r"\]\((results/[^)#\s]+\.(?:csv|png))\)", readme):
        assert m in hrefs, m
        assert (site / m).exists(), m
    for m in re.findall(r"\]\(CLAIMS\.md#([^)\s]+)\)", readme):
        assert f"claims.html#{m}" in hrefs, m


def test_regime_map_is_interactive_offline(site: Path) -> None:
    """The regime map page holds the Vega-Lite spec (with its drop-downs and every pair) and the inlined Vega
    bundle instead of a CDN script."""
    text = (site / "regime_map.html").read_text(encoding="utf-8")
    assert "cdn.jsdelivr" not in text
    scripts = [s for s in _soup(site / "regime_map.html").find_all("script") if not s.get("src")]
    assert sum(len(s.text) for s in scripts) > 500_000, "the Vega bundle is not inlined"
    for name in ("spec_pair", "real_pair", "cfgA", "cfgB", "OmnisBench all", "binding", "select"):
        assert name in text, name


def _chromium() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Path):
    """The site on http://127.0.0.1:PORT/ (a thread of this process; local only, so still offline)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def driver():
    found = _chromium()
    if found is None:
        msg = "Debian's chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)"
        if os.environ.get("LLMROUTE_REQUIRE_BROWSER") == "1":
            pytest.fail(msg + "; LLMROUTE_REQUIRE_BROWSER=1 requires the browser test to run")
        pytest.skip(msg)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = found[0]
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1800",
                "--hide-scrollbars", "--no-first-run", "--disable-extensions"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(options=opts, service=Service(found[1]))
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()


def test_every_page_in_chromium(site: Path, served: str, driver) -> None:
    """Each page loads with no console error, every image and chart renders, every link resolves; the index page
    is saved as a screenshot."""
    from selenium.webdriver.support.ui import WebDriverWait

    problems = []
    for p in pages(site):
        name = p.relative_to(site).as_posix()
        driver.get(served + name)
        WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
        n_charts = driver.execute_script("return document.querySelectorAll('.vega-embed, #vis').length")
        if n_charts:
            try:
                WebDriverWait(driver, 30).until(lambda d: d.execute_script(
                    "return document.querySelectorAll('.vega-embed svg.marks, .vega-embed canvas.marks').length") >= 1)
            except Exception:  # noqa: BLE001 - reported below with the page's name
                problems.append(f"{name}: the Vega charts did not render")
            marks = driver.execute_script("return document.querySelectorAll('.vega-embed path, .vega-embed canvas').length")
            if not marks:
                problems.append(f"{name}: the Vega charts have no marks")
            selects = driver.execute_script("return document.querySelectorAll('.vega-bindings select').length")
            if selects < 2:
                problems.append(f"{name}: {selects} pair drop-downs (expected 2)")
        broken = driver.execute_script(
            "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        problems += [f"{name}: image did not load: {src[:120]}" for src in broken]
        for entry in driver.get_log("browser"):
            if entry["level"] == "SEVERE":
                problems.append(f"{name}: console: {entry['message'][:300]}")
        for href in driver.execute_script("return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"):
            if not href.startswith(served):
                continue
            sp = urlsplit(href)
            err = check_link(site, p, site / unquote(sp.path).lstrip("/"), sp.fragment)
            if err:
                problems.append(err)
        if name == "index.html":
            height = driver.execute_script("return Math.min(document.body.scrollHeight, 2600)")
            driver.set_window_size(1400, height)
            SCREENSHOT.parent.mkdir(exist_ok=True)
            driver.save_screenshot(str(SCREENSHOT))
            driver.set_window_size(1400, 1800)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])
    assert SCREENSHOT.exists() and SCREENSHOT.stat().st_size > 10_000


def test_regime_map_dropdown_changes_chart(site: Path, served: str, driver) -> None:
    """Choosing another pair in the drop-down re-draws the chart (the interaction works without a kernel)."""
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver.get(served + "regime_map.html")
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        "return document.querySelectorAll('.vega-embed svg.marks, .vega-embed canvas.marks').length") >= 1)
    view_state = "return JSON.stringify(Array.from(document.querySelectorAll('.vega-embed canvas')).map(c => c.toDataURL().length)) + document.querySelector('.vega-embed').innerHTML.length"
    before = driver.execute_script(view_state)
    select = Select(driver.find_elements("css selector", ".vega-bindings select")[0])
    options = [o.text for o in select.options]
    assert options[:2] == ["cfgA", "cfgB"], options
    select.select_by_visible_text("cfgB")
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(view_state) != before)
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_widget_outputs_become_a_note() -> None:
    """A notebook with saved widget state (e.g. the regime explorer's cell) is converted without the CDN widget
    manager: state dropped, the widget output replaced by a note linking the offline regime map."""
    import importlib.util

    import nbformat

    spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)   # type: ignore[union-attr]
    nb = nbformat.v4.new_notebook(metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}}})
    cell = nbformat.v4.new_code_cell("regime_explorer()")
    cell.outputs = [nbformat.v4.new_output("display_data", data={mod.WIDGET_MIME: {"model_id": "abc"}, "text/plain": "VBox()"})]
    nb.cells.append(cell)
    out = mod.offline_notebook(nb)
    assert "widgets" not in out.metadata and "widgets" in nb.metadata   # the input is not modified
    assert list(out.cells[0].outputs[0]["data"]) == ["text/html"]
    assert "regime_map.html" in out.cells[0].outputs[0]["data"]["text/html"]
