#!/usr/bin/env bash
# Shows that a cell error in a chapter fails each stage of `make test` that executes the chapters
# (issue 19): in a clean clone of HEAD, plant a cell that raises in chapter 1, regenerate its
# notebook, and run stage 2 (the Colab path under nbval, that chapter only) and stage 3 (the
# strict site build); each must fail and name the planted error. Stage 1 is shown too: the
# chapter's source edited but its notebook not regenerated fails the drift test. Stage 4 (the
# browser) executes no cells: it reads the site stage 3 built.
#
#   scripts/plant_cell_error.sh        # about 4 minutes on a 2-core machine
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q "$root" "$work/clone"
cd "$work/clone"
ln -s "$root/.venv" .venv
export VAEGAN_DATA_DIR="${VAEGAN_DATA_DIR:-$root/../shared/data}" VAEGAN_PROFILE=smoke
chapter=book/chapters/01_transposed_convolutions.md
python3 - "$chapter" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
heading = "\n## From small to large\n"
assert heading in text, "the planted cell goes before this heading; update the script"
open(path, "w").write(text.replace(heading, '\n```{code-cell} ipython3\nraise RuntimeError("planted cell error")\n```\n' + heading, 1))
PY
failed=0
expect_failure() {  # NAME LOG COMMAND...: the command must fail and its log must name the planted error
  local name="$1" log="$2"; shift 2
  if "$@" > "$log" 2>&1; then
    echo "FAIL: $name passed with a planted cell error"; failed=1
  elif grep -q "planted cell error" "$log"; then
    echo "ok: $name failed, naming the planted error ($(grep -c 'planted cell error' "$log") mentions in its log)"
  else
    echo "FAIL: $name failed, but its log does not name the planted error:"; tail -20 "$log"; failed=1
  fi
}
# stage 1: the source changed, the notebook not: the drift test fails
if .venv/bin/python -m pytest -q tests/test_book.py -k match_their_md_sources > "$work/stage1.log" 2>&1; then
  echo "FAIL: stage 1 passed with a source edited and its notebook not regenerated"; failed=1
else
  echo "ok: stage 1 failed: the notebook no longer matches its source"
fi
.venv/bin/python scripts/make_notebooks.py > /dev/null
git -c user.name=plant -c user.email=plant@localhost commit -qam "planted cell error"  # stage 2 installs the committed HEAD
expect_failure "stage 2 (Colab path, nbval)" "$work/stage2.log" \
  .venv/bin/python scripts/colab_env.py _build/colab/env --home _build/colab/home --run-notebooks -- -k 01_transposed
expect_failure "stage 3 (strict site build)" "$work/stage3.log" make --no-print-directory build BOOK_PROFILE=smoke
exit $failed
