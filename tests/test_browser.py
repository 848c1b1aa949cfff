"""The built site in a real headless browser (run by `make test` after the strict build)."""

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.browser
SITE = ROOT / "_build" / "html"
# Page budgets (bytes as they come over the wire, measured by check_site.mjs on a first visit)
HTML_BUDGET = 1_500_000
PAGE_BUDGET = 6_000_000
EXPLORER = re.compile(r'<div class="vaegan-explorer" data-explorer=')


def pages_and_explorers() -> list[tuple[str, int]]:
    """Every page of the table of contents, with the number of frame explorers its HTML holds."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    result = []
    for entry in entries:
        page = (SITE / f"{entry}.html").read_text()
        count = len(EXPLORER.findall(page))
        assert "application/vnd.jupyter.widget-state" not in page, f"{entry}: the page saved ipywidgets state"
        source = (ROOT / f"{entry}.md").read_text()
        if "explorers." in source and "_explorer(" in source:
            assert count > 0, f"{entry} builds an explorer but its page holds none"
        result.append((f"{entry}.html", count))
    return result


@contextlib.contextmanager
def serve(folder: Path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def site():
    if not (SITE / "index.html").exists():
        pytest.fail("no built site in _build/html: run `make book` (or `make test`, which builds it) first")
    return SITE


def test_markdown_tables_that_chapters_print_render_as_tables(site):
    """A table a chapter displays with IPython's Markdown must become an HTML table, not a
    paragraph of pipes (myst-nb parses text/markdown outputs as plain CommonMark by default)."""
    import re

    for page in sorted((site / "book" / "chapters").glob("*.html")):
        text = page.read_text()
        assert not re.search(r"<p>\|[^<]*\|\s*\n\|[-\u2014]", text), f"{page.name} shows a Markdown table as text"


def test_no_page_references_another_host_for_scripts_styles_or_images(site):
    pattern = re.compile(r'<(?:script|img|iframe)[^>]*\ssrc="(https?:)?//|<link[^>]*rel="stylesheet"[^>]*href="(https?:)?//')
    offenders = [str(p.relative_to(site)) for p in site.rglob("*.html") if pattern.search(p.read_text())]
    assert not offenders, f"pages load from other hosts: {offenders}"


def test_every_figure_a_chapter_shows_is_on_its_page(site):
    """Each ``plt.show()`` in a chapter must leave a PNG on the built page (a non-inline
    matplotlib backend in the kernel silently drops them all)."""
    image = re.compile(r'<img[^>]*src="[^"]*_images/[^"]+\.png"')
    for source in sorted((ROOT / "book" / "chapters").glob("*.md")):
        shows = source.read_text().count("plt.show()")
        page = (site / "book" / "chapters" / f"{source.stem}.html").read_text()
        found = len(image.findall(page))
        assert found >= shows, f"{source.stem}: {shows} plt.show() calls but {found} figure images on the page"
        for name in re.findall(r'src="(?:\.\./)*(_images/[^"]+\.png)"', page):
            assert (site / name).stat().st_size > 1000, name
        # and every figure loads lazily, so a first visit fetches only those near the top
        eager = [tag for tag in re.findall(r'<img[^>]*_images/[^>]*\.png[^>]*>', page) if 'loading="lazy"' not in tag]
        assert not eager, f"{source.stem}: figures without loading=lazy: {eager[:2]}"


def test_every_figure_has_a_text_alternative_taken_from_its_caption(site):
    """The site extension gives each figure the first sentence of the caption under it; no image is
    left with its file name as its description."""
    image = re.compile(r'<img alt="([^"]*)"[^>]* src="(?:\.\./)*_images/[^"]+\.png"')
    for source in sorted((ROOT / "book" / "chapters").glob("*.md")):
        page = (site / "book" / "chapters" / f"{source.stem}.html").read_text()
        alts = image.findall(page)
        assert alts, source.stem
        assert not [alt for alt in alts if alt.endswith(".png") or not alt.strip()], source.stem
        captioned = sum(alt.startswith("Figure ") for alt in alts)
        assert captioned >= 0.8 * len(alts), f"{source.stem}: only {captioned} of {len(alts)} figures described by their caption"


def test_every_page_in_headless_chromium(site):
    node, chromium = shutil.which("node"), os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    assert node and chromium, "the browser test needs node and Chromium (`make test` installs them)"
    pages = pages_and_explorers()
    assert sum(count for _, count in pages) >= 1
    with serve(site) as base:
        result = subprocess.run(
            [node, str(ROOT / "tests" / "browser" / "check_site.mjs"), base,
             *[f"{page}={count}" for page, count in pages], "search.html=0", "genindex.html=0"],
            capture_output=True, text=True, timeout=600, cwd=ROOT,
        )
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(reports) == len(pages) + 2
    for report, (page, expected) in zip(reports, pages):
        assert report["problems"] == [] and report["explorers"] == expected and report["moved"] == expected
        # every page's weight was measured (printed above), and is within the budget: a first visit to a
        # page reads at most PAGE_BUDGET bytes, its HTML at most HTML_BUDGET; the live explorers' runtime
        # and networks, and the frames a reader has not moved to yet, are not part of it
        html_bytes = (SITE / page).stat().st_size
        assert report["weight"]["html"] >= 0.5 * html_bytes and report["weight"]["total"] >= report["weight"]["html"], report
        assert html_bytes <= HTML_BUDGET, f"{page}: the HTML is {html_bytes / 1e6:.2f} MB, over {HTML_BUDGET / 1e6} MB"
        assert report["weight"]["total"] <= PAGE_BUDGET, (
            f"{page}: a first visit loads {report['weight']['total'] / 1e6:.2f} MB, over {PAGE_BUDGET / 1e6} MB")
        # every live explorer ran its network in the page, as PyTorch decodes (checked in the script)
        assert all(live["status"] == "live" and live["difference"] <= 1e-4 and live["changed"] for live in report["live"]), report
        if page.endswith("03_variational_autoencoders.html"):
            kinds = [live["kind"] for live in report["live"]]
            assert "latent-plane" in kinds and "draw-digit" in kinds, f"chapter 3's VAE plane and drawing pad run live: {kinds}"
        if page.endswith("06_dcgan.html"):
            kinds = [live["kind"] for live in report["live"]]
            assert kinds.count("latent-walk") == 2 and kinds.count("latent-plane") == 2, (
                f"chapter 6's walks and planes, digits and faces, run live: {kinds}")
        if page.endswith("07_autoregressive.html"):
            [completion] = [live for live in report["live"] if live["kind"] == "completion"]
            assert completion["complete_s"] > 0, "chapter 7's PixelCNN completes a digit in the page"
        # MathJax loads exactly where there is maths to typeset (the introduction has none)
        assert report["mathjax"] == (report["math"] > 0), report
        # on a 390 px phone the page itself never scrolls sideways (a wide figure scrolls in its own box)
        assert report["phone"] is not None and report["phone"]["scrollWidth"] <= 391, report
        if "/chapters/" in page:
            # every chapter's self-checks are on the page, and one was answered wrong, then right, with feedback
            assert report["questions"] >= 3 and report["answered"] >= 1, report
            # the book's own text (outputs, explorers, self-checks) was read in both themes, none below 3:1
            # (large text's floor; ordinary text's 4.5:1 is among the problems)
            for theme in ("light", "dark"):
                assert report["contrast"][theme]["texts"] > 0 and report["contrast"][theme]["lowest"] >= 3, report
            # its figures were measured on the phone, none shrunk below its designed width
            assert report["phone"]["images"] >= 1 and report["phone"]["smallest"] >= 0.95, report
            # and on a desktop screen, where they fit the column at that size
            assert report["figures"]["images"] >= 1 and report["figures"]["smallest"] >= 0.95, report


def _widget_page(count: int) -> str:
    """A page that renders ``count`` live widgets with the widget's own script, through a stand-in
    for the notebook's widget manager (anywidget's model: get, on, off, send) whose messages go
    over HTTP to the widget's Python handler, with the buffers in base64."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>live widgets</title><link rel="icon" href="data:,">
<style id="styles"></style></head><body><main>{''.join(f'<div id="widget-{i}"></div>' for i in range(count))}</main>
<script type="module">
import widget from "/live_widget.js";
const toBase64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)));
const fromBase64 = (text) => new DataView(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)).buffer);
for (let index = 0; index < {count}; index++) {{
  const state = await (await fetch(`/state/${{index}}`)).json();
  document.getElementById("styles").textContent = state._css;
  const handlers = new Set();
  const model = {{
    get: (key) => state[key],
    on: (event, handler) => {{ if (event === "msg:custom") handlers.add(handler); }},
    off: (event, handler) => handlers.delete(handler),
    send: async (content, callbacks, buffers = []) => {{
      const body = JSON.stringify({{ content, buffers: buffers.map(toBase64) }});
      const reply = await (await fetch(`/request/${{index}}`, {{ method: "POST", body }})).json();
      handlers.forEach((handler) => handler(reply.content, reply.buffers.map(fromBase64)));
    }},
  }};
  widget.render({{ model, el: document.getElementById(`widget-${{index}}`) }});
}}
</script></body></html>"""


@contextlib.contextmanager
def serve_widgets(widgets):
    """Serve the widget page, the widget's script, each widget's state, and its requests."""
    import base64
    import http.server
    import threading

    from vaegan.pages import live_widget

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, body: bytes, kind: str):
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/":
                self._send(_widget_page(len(widgets)).encode(), "text/html; charset=utf-8")
            elif self.path == "/live_widget.js":
                self._send(Path(live_widget.__file__).with_name("live_widget.js").read_bytes(), "text/javascript")
            elif self.path.startswith("/state/"):
                widget = widgets[int(self.path.rsplit("/", 1)[1])]
                state = {"markup": widget.markup, "script": widget.script, "_css": widget._css}
                self._send(json.dumps(state).encode(), "application/json")
            else:
                self.send_error(404)

        def do_POST(self):
            widget = widgets[int(self.path.rsplit("/", 1)[1])]
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            reply, buffers = widget.network.answer(request["content"], [base64.b64decode(b) for b in request["buffers"]])
            body = {"content": reply, "buffers": [base64.b64encode(bytes(b)).decode() for b in buffers]}
            self._send(json.dumps(body).encode(), "application/json")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_the_notebook_widget_runs_every_kind_of_explorer_through_the_kernel_in_chromium(tmp_path, monkeypatch):
    """The live explorers as a notebook shows them (Jupyter, Colab): the widget's script in a real
    browser, its network answered by the widget's Python handler (the kernel's side), with the
    committed models."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import torch

    from vaegan.core.checkpoints import PRETRAINED
    from vaegan.pages import live
    from vaegan.pages.live_widget import LiveWidget
    from vaegan.registry import load_checkpoint

    node, chromium = shutil.which("node"), os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    assert node and chromium, "the browser test needs node and Chromium (`make test` installs them)"
    monkeypatch.chdir(tmp_path)  # outside the book's tree: no site folder, as in a learner's notebook
    monkeypatch.setattr(live, "_in_kernel", lambda: True)
    vae, _ = load_checkpoint(PRETRAINED / "vae")
    faces, _ = load_checkpoint(PRETRAINED / "celeba_dcgan")
    pixelcnn, _ = load_checkpoint(PRETRAINED / "pixelcnn")
    digits = (torch.rand(2, 1, 28, 28, generator=torch.Generator().manual_seed(0)) > 0.8).float()
    widgets = [
        live.latent_plane_explorer("plane", vae, torch.zeros(vae.latent_size), torch.eye(vae.latent_size)[:2],
                                   plt.figure(figsize=(2, 2)), steps=2),
        live.draw_digit_explorer("drawing", vae, digits, samples=2),
        live.latent_walk_explorer("walk", faces, seed=1, pairs=1, steps=2),
        live.completion_explorer("completion", pixelcnn, digits, completions=1),
    ]
    assert all(isinstance(widget, LiveWidget) for widget in widgets)
    with serve_widgets(widgets) as base:
        result = subprocess.run([node, str(ROOT / "tests" / "browser" / "check_widget.mjs"), base, str(len(widgets))],
                                capture_output=True, text=True, timeout=300, cwd=ROOT)
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    [report] = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [state["kind"] for state in report["widgets"]] == ["latent-plane", "draw-digit", "latent-walk", "completion"]
    assert all(state["backend"] == "kernel" and state["status"] == "live" and state["changed"] for state in report["widgets"])
