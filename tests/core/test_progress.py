import io

import tqdm.std

from vaegan.core.progress import progress_bar
from vaegan.core.site import book_assets


def _book_tree(root):
    (root / "book" / "assets").mkdir(parents=True)
    (root / "book" / "assets" / "vaegan.css").write_text("")
    (root / "book" / "chapters").mkdir()
    return root / "book" / "chapters"


def test_the_book_tree_is_recognised_by_its_stylesheet(tmp_path):
    chapters = _book_tree(tmp_path)
    assert book_assets(chapters) == tmp_path / "book" / "assets"
    assert book_assets(tmp_path) is None


def test_on_the_site_the_bar_is_text_on_stdout_and_its_last_line_stays(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(_book_tree(tmp_path))
    with progress_bar(total=3, desc="demo") as bar:
        assert type(bar) is tqdm.std.tqdm
        bar.update(3)
    printed = capsys.readouterr().out
    # what myst-nb keeps of a stream with carriage returns: the text after the last one
    assert "demo: 100%" in printed.split("\r")[-1] and "3/3" in printed


def test_elsewhere_the_bar_is_tqdm_auto(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import tqdm.auto

    with progress_bar(total=1, file=io.StringIO()) as bar:
        assert isinstance(bar, tqdm.auto.tqdm)
