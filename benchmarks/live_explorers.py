"""Speed of the live explorers: the book's networks running in the reader's browser.

Serves the built site (``make book``, or ``make build``) on 127.0.0.1 and opens every chapter in
headless Chromium; for each live explorer prints the median time of one pass of its network
(``--count`` passes, one image each, as a reader's pointer asks for them) against the frame
budget of a 60-frames-per-second pointer (16 ms), and for the PixelCNN completion the time of
one whole completion (three at once, one pass a pixel) against 10 s. Ratios below 1 meet the
target. The browser test prints the same medians; this is the benchmark to quote.

    python benchmarks/live_explorers.py               # the site in _build/html, 200 passes each
    python benchmarks/live_explorers.py --count 50 --site path/to/html
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRAME_MS, COMPLETION_S = 16.0, 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html", help="the built site (default: _build/html)")
    parser.add_argument("--count", type=int, default=200, help="passes of each network to take the median of")
    options = parser.parse_args()
    chapters = sorted((options.site / "book" / "chapters").glob("*.html"))
    if not chapters:
        raise SystemExit(f"error: no built chapters in {options.site}; build the site first (make book)")
    if not shutil.which("node"):
        raise SystemExit("error: the benchmark needs node and Chromium (make setup installs both)")
    sys.path.insert(0, str(ROOT / "tests"))
    from test_browser import serve  # the browser test's static server

    with serve(options.site) as base:
        result = subprocess.run(
            ["node", str(ROOT / "benchmarks" / "live_explorers.mjs"), base, str(options.count),
             *[str(page.relative_to(options.site)) for page in chapters]],
            capture_output=True, text=True, timeout=900, cwd=ROOT,
        )
    if result.returncode != 0:
        raise SystemExit(f"error: the browser run failed:\n{result.stdout}{result.stderr}")
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    print(f"{'page':<32} {'network':<26} {'median ms':>9} {'/ 16 ms':>8} {'completion s':>12} {'/ 10 s':>7}")
    for row in rows:
        if row["status"] != "live":
            print(f"{row['page'].split('/')[-1]:<32} {row['model'] or '(frames only)':<26} did not run live")
            continue
        completion = row["complete_s"]
        # a completion's pass draws one pixel of three images, not a frame: its target is the whole completion
        frame = f"{'-':>8}" if completion else f"{row['median_ms'] / FRAME_MS:>8.3f}"
        print(f"{row['page'].split('/')[-1]:<32} {row['model']:<26} {row['median_ms']:>9.2f} {frame} "
              + (f"{completion:>12.2f} {completion / COMPLETION_S:>7.3f}" if completion else ""))
    return 0 if all(row["status"] == "live" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
