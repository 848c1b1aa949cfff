"""The book's sources: generated notebooks in sync, Colab links consistent, no CDNs."""

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"].removeprefix("https://github.com/").rstrip("/")
CHAPTERS = sorted((ROOT / "book" / "chapters").glob("*.md"))


def toc_files():
    files = [TOC["root"]]
    for part in TOC.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    listed = set(toc_files())
    assert {f"book/chapters/{c.stem}" for c in CHAPTERS} <= listed
    for entry in listed:
        assert (ROOT / f"{entry}.md").exists(), entry


def test_generated_notebooks_match_their_md_sources():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_notebooks.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr + "\nRun `make notebooks` and commit the result."


def test_drift_check_notices_an_edit(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_notebooks

    chapter = CHAPTERS[0]
    edited = tmp_path / chapter.name
    edited.write_text(chapter.read_text().replace("# Transposed", "# Edited", 1) + "\nOne more line.\n")
    assert make_notebooks.render(edited) != (ROOT / "notebooks" / f"{chapter.stem}.ipynb").read_text()


def test_colab_badge_and_install_cell_name_the_configured_repository():
    for chapter in CHAPTERS:
        text = chapter.read_text()
        badge = re.search(r"\[!\[Open in Colab\]\([^)]*\)\]\((https://colab\.research\.google\.com/github/([^)]*))\)", text)
        assert badge, f"{chapter.name}: no Open in Colab badge"
        assert badge.group(2) == f"{REPOSITORY}/blob/{CONFIG['repository']['branch']}/notebooks/{chapter.stem}.ipynb"
        notebook = json.loads((ROOT / "notebooks" / f"{chapter.stem}.ipynb").read_text())
        code_cells = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
        install = "".join(code_cells[0]["source"])
        assert 'if "google.colab" in sys.modules:' in install, f"{chapter.name}: first code cell must be the Colab guard"
        assert f"git+https://github.com/{REPOSITORY}" in install
        # nothing outside the guard installs anything
        outside = install.split('if "google.colab" in sys.modules:')[0]
        assert "pip" not in outside
        assert "use_profile(" in "".join(code_cells[1]["source"]), f"{chapter.name}: the profile is set at the top"


def test_the_site_loads_nothing_from_a_cdn():
    sphinx = CONFIG["sphinx"]["config"]
    assert not sphinx["mathjax_path"].startswith("http")
    # no page needs the ipywidgets manager (the explorers are plain HTML), and none may fetch it
    assert sphinx["nb_ipywidgets_js"] == {}
    package = json.loads((ROOT / "package.json").read_text())
    pinned = package["dependencies"]
    assert pinned == {"mathjax": "3.2.2", "onnxruntime-web": "1.30.0"}
    # the live explorers' runtime is fetched from the site itself, never from a CDN
    assert "../../_static/vendor/onnxruntime/" in (ROOT / "src" / "vaegan" / "pages" / "live.py").read_text()
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for name, version in pinned.items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version
    assert not list((ROOT / "book").rglob("_static")), "jupyter-book injects every file under _static into pages"


def test_requirements_pin_the_cpu_torch():
    lock = (ROOT / "requirements" / "lock.txt").read_text().splitlines()
    assert "torch==2.13.0+cpu" in lock and "torchvision==0.28.0" in lock and "jupyter-book==1.0.4.post1" in lock
    assert not [line for line in lock if line.lower().startswith("nvidia")]
