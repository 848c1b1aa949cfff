"""book/_ext/vaegan_site.py: the fixes it makes to every page's scripts."""

import importlib.util
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]


def _extension():
    spec = importlib.util.spec_from_file_location("vaegan_site", ROOT / "book" / "_ext" / "vaegan_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _script(filename, **attributes):
    return SimpleNamespace(filename=filename, attributes=attributes)


def _app(pages_with_maths):
    domain = SimpleNamespace(data={"has_equations": {page: True for page in pages_with_maths}})
    return SimpleNamespace(env=SimpleNamespace(get_domain=lambda name: domain))


def _page_scripts(app, page):
    context = {"script_files": [
        _script("_static/doctools.js"), _script("_static/doctools.js"),  # sphinx-thebe's duplicate
        _script("", body="window.MathJax = {}"), _script("vendor/mathjax/tex-chtml.js", defer="defer"),
        _script("_static/other.js"),
    ]}
    _extension()._tidy_scripts(app, page, "page.html", context, None)
    return [script.filename for script in context["script_files"]]


def test_mathjax_only_on_pages_with_maths_of_their_own_and_duplicates_dropped():
    app = _app(["book/chapters/04_elbo"])
    # Sphinx's own has_equations would say True for the root page, whose table of contents includes maths
    assert _page_scripts(app, "book/intro") == ["_static/doctools.js", "_static/other.js"]
    assert _page_scripts(app, "book/chapters/04_elbo") == [
        "_static/doctools.js", "", "vendor/mathjax/tex-chtml.js", "_static/other.js"]


def test_the_theme_icon_script_is_taken_out_of_written_pages(tmp_path):
    page = tmp_path / "book" / "intro.html"
    page.parent.mkdir(parents=True)
    page.write_text('<head>\n  <script defer src="../_static/scripts/fontawesome.js?digest=55c2"></script>\n'
                    '  <script src="../_static/other.js"></script></head>')
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"))
    _extension()._drop_icon_script(app, None)
    assert page.read_text() == '<head>\n  <script src="../_static/other.js"></script></head>'
