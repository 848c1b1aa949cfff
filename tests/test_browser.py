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
            assert [live["kind"] for live in report["live"]].count("latent-walk") == 2, "chapter 6's two walks run live"
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
