"""Compare the executed chapters of two book builds: every text output line by line, and every image.

    python scripts/compare_builds.py BEFORE_DIR AFTER_DIR

Each DIR is a build's `_build/jupyter_execute/book/chapters` (copy it aside before rebuilding). Prints,
per chapter, how many output lines and figures are identical, and every line that differs; timings
are expected to. A refactoring that should not change what the book measures is checked this way:
build the book profile before and after, and read the differing lines."""
import difflib, hashlib, json, re, sys
from pathlib import Path

def outputs(path):
    nb = json.loads(Path(path).read_text())
    lines, images = [], []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                lines += "".join(out["text"]).splitlines()
            data = out.get("data", {})
            for kind in ("text/markdown", "text/plain"):
                if kind in data:
                    text = "".join(data[kind])
                    if kind == "text/plain" and ("<Figure" in text or "Widget" in text or "VBox(" in text):
                        continue
                    lines += text.splitlines()
                    break
            for kind in ("image/png", "image/jpeg"):
                if kind in data:
                    images.append(hashlib.sha256("".join(data[kind]).encode()).hexdigest()[:12])
            if "application/vnd.jupyter.widget-view+json" in data:
                images.append("widget")
    return [l.rstrip() for l in lines if l.strip()], images

before, after = Path(sys.argv[1]), Path(sys.argv[2])
total_same = total = 0
for chapter in sorted(before.glob("*.ipynb")):
    a_lines, a_images = outputs(chapter)
    b_lines, b_images = outputs(after / chapter.name)
    matcher = difflib.SequenceMatcher(a=a_lines, b=b_lines, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    total_same += same; total += max(len(a_lines), len(b_lines))
    numbers = lambda ls: re.findall(r"-?\d[\d,]*\.?\d*", "\n".join(ls))
    print(f"## {chapter.stem}: {same}/{len(a_lines)} output lines identical (after: {len(b_lines)}); "
          f"images identical {sum(x == y for x, y in zip(a_images, b_images))}/{len(a_images)} (after: {len(b_images)})")
    for line in difflib.unified_diff(a_lines, b_lines, "before", "after", n=0, lineterm=""):
        if not line.startswith(("---", "+++", "@@")):
            print("   ", line[:200])
print(f"total: {total_same}/{total} output lines identical")
