"""Small fixes to the site's HTML that jupyter-book 1 does not expose as settings.

1. sphinx-thebe's setup runs twice under jupyter-book 1.0.4, so every page declared
   ``const THEBE_JS_URL`` twice, a JavaScript error.  Drop exact duplicate scripts.
2. The theme's colour mode defaults to "" (an error in the browser console); use "light".
3. A figure a cell draws gets, as its text alternative, the first sentence of the caption the
   chapter writes under it ("**Figure 3.** Reconstructions of ..."); myst-nb would give it the
   image's file name. The caption stays the one source, so the two cannot disagree.
4. The introduction's gallery (``book/_generated/gallery.png``) is drawn from the committed
   models before the pages are read (:func:`vaegan.pages.gallery.write_gallery`), so it shows
   what the checkpoints of this commit generate.
5. Every figure a cell draws loads lazily (``loading="lazy"``): a first visit fetches the figures
   near the top of the page, the rest as the reader scrolls to them.
6. No page loads the theme's Font Awesome script (1.5 MB, for custom icons made of SVG, which
   this book has none of): the theme's stylesheet draws every icon it uses from the web font.
   The script is written by the theme's template, not listed among the page's scripts, so it is
   taken out of the written pages when the build has finished.
7. MathJax only on pages with maths of their own. Sphinx asks whether a page "has equations"
   counting the pages its table of contents includes, so the introduction (the root of the
   table of contents, no maths) loaded all of MathJax.
8. The live explorers' stylesheet comes from the package (``vaegan/pages/assets``), the one the
   notebook widget uses too, published into ``_static`` beside ``vaegan.css``.
"""

import re

from docutils import nodes

CAPTION = re.compile(r"^\s*Figure\s+(\d+)\.\s*(.*)", re.S)
FILE_NAME = re.compile(r"\.(png|jpe?g|svg|gif)$", re.I)


def _set_theme_mode(app, config):
    # pydata-sphinx-theme's layout reads `default_mode` from the template context.
    config.html_context.setdefault("default_mode", "light")


def _tidy_scripts(app, pagename, templatename, context, doctree):
    """Fixes 1 and 7: drop duplicate scripts, and MathJax from a page without maths of its own."""
    own_maths = app.env.get_domain("math").data["has_equations"].get(pagename, False)
    seen, unique = set(), []
    for script in context.get("script_files", []):
        body = str(getattr(script, "attributes", {}).get("body", ""))
        if not own_maths and ("mathjax" in str(getattr(script, "filename", script) or "").lower() or "MathJax" in body):
            continue
        # The copies differ only in how "no file" is spelt (None or ""): compare what the browser runs.
        attributes = getattr(script, "attributes", {})
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def _caption_after(cell: nodes.Element) -> str | None:
    """The text of the "Figure N." paragraph that follows ``cell`` before the next cell with output."""
    parent = cell.parent
    for sibling in parent.children[parent.index(cell) + 1:]:
        if isinstance(sibling, nodes.paragraph):
            match = CAPTION.match(sibling.astext())
            return f"Figure {match.group(1)}: {match.group(2)}" if match else None
        if isinstance(sibling, nodes.section) or ("cell" in sibling.get("classes", []) and list(sibling.findall(nodes.image))):
            return None
    return None


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    end = re.search(r"(?<=[a-z0-9)\]])\.(\s|$)", text)
    return text[: end.start() + 1] if end else text


def _describe_figures(app, doctree, docname):
    for cell in list(doctree.findall(lambda node: isinstance(node, nodes.container) and "cell" in node.get("classes", []))):
        for image in cell.findall(nodes.image):
            image["loading"] = "lazy"
        images = [image for image in cell.findall(nodes.image) if not image.get("alt") or FILE_NAME.search(image.get("alt", ""))]
        if not images:
            continue
        caption = _caption_after(cell)
        description = _first_sentence(caption) if caption else "A figure drawn by the code above; the text around it describes it."
        for index, image in enumerate(images, start=1):
            image["alt"] = description if len(images) == 1 else f"{description} (panel {index} of {len(images)})"


def _draw_gallery(app):
    from pathlib import Path

    from vaegan.pages.gallery import write_gallery

    write_gallery(Path(app.srcdir) / "book" / "_generated" / "gallery.png")


ICON_SCRIPT = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')


def _drop_icon_script(app, exception):
    """Fix 6."""
    if exception is not None or app.builder.format != "html":
        return
    from pathlib import Path

    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        trimmed = ICON_SCRIPT.sub("", text)
        if trimmed != text:
            page.write_text(trimmed, encoding="utf-8")


def _publish_package_styles(app, config):
    from vaegan.pages.live_widget import STYLES

    config.html_static_path.append(str(STYLES.parent))
    app.add_css_file(STYLES.name)


def setup(app):
    app.connect("config-inited", _publish_package_styles)
    app.connect("build-finished", _drop_icon_script)
    app.connect("builder-inited", _draw_gallery)
    app.connect("config-inited", _set_theme_mode)
    # after sphinx.ext.mathjax (priority 500) has added its scripts to the page
    app.connect("html-page-context", _tidy_scripts, priority=900)
    app.connect("doctree-resolved", _describe_figures)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
