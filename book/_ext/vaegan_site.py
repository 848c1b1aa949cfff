"""Two small fixes to the site's HTML that jupyter-book 1 does not expose as settings.

1. sphinx-thebe's setup runs twice under jupyter-book 1.0.4, so every page declared
   ``const THEBE_JS_URL`` twice, a JavaScript error.  Drop exact duplicate scripts.
2. The theme's colour mode defaults to "" (an error in the browser console); use "light".
"""


def _set_theme_mode(app, config):
    # pydata-sphinx-theme's layout reads `default_mode` from the template context.
    config.html_context.setdefault("default_mode", "light")


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # The copies differ only in how "no file" is spelt (None or ""): compare what the browser runs.
        attributes = getattr(script, "attributes", {})
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("config-inited", _set_theme_mode)
    app.connect("html-page-context", _drop_duplicate_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
