#!/usr/bin/env bash
# Shows that a cell error in a chapter fails each stage of `make test` that executes the chapters
# (issue 19): in a clean clone of HEAD, plant a cell that raises in chapter 1, regenerate its
# notebook, and run stages 2 and 3 as `make test` does, in its two lanes at once (the Colab path
# under nbval, that chapter only; the strict site build); each must fail and name the planted error,
# and the browser stage must not run on the failed build. Stage 1 is shown too: the
# chapter's source edited but its notebook not regenerated fails the drift test. Stage 4 (the
# browser) executes no cells: it reads the site stage 3 built.
#
#   scripts/plant_cell_error.sh        # about 3 minutes on a 2-core machine
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
# stage 1: the source changed, the notebook not: the drift test fails
if .venv/bin/python -m pytest -q tests/test_book.py -k match_their_md_sources > "$work/stage1.log" 2>&1; then
  echo "FAIL: stage 1 passed with a source edited and its notebook not regenerated"; failed=1
else
  echo "ok: stage 1 failed: the notebook no longer matches its source"
fi
.venv/bin/python scripts/make_notebooks.py > /dev/null
git -c user.name=plant -c user.email=plant@localhost commit -qam "planted cell error"  # stage 2 installs the committed HEAD
# stages 2 and 3 as `make test` runs them: its two lanes at once (`make -j2 test-package test-site`): the unit tests, then the
# Colab lane on this chapter only; both lanes must fail, each naming the planted error, and so must make
log="$work/lanes.log"
if make --no-print-directory -j2 test-package test-site COLAB_PYTEST_ARGS="-k 01_transposed" STAGE_LOG="$work/stages.txt" > "$log" 2>&1; then
  echo "FAIL: the lanes of stages 2 to 4 passed with a planted cell error"; failed=1
else
  echo "ok: make -j2 test-package test-site failed; its stages:"; sed 's/^/    /' "$work/stages.txt"
fi
for lane in "package:stage 2 (Colab path, nbval)" "site:stage 3 (strict site build)"; do
  if grep -q "^\[${lane%%:*}\] .*planted cell error" "$log"; then
    echo "ok: ${lane#*:} named the planted error ($(grep -c "^\[${lane%%:*}\] .*planted cell error" "$log") lines in its lane)"
  else
    echo "FAIL: ${lane#*:} did not name the planted error:"; grep "^\[${lane%%:*}\]" "$log" | tail -20; failed=1
  fi
done
grep -q "^2\. .*failed" "$work/stages.txt" && grep -q "^3\. .*failed" "$work/stages.txt" \
  || { echo "FAIL: the stage log does not record stages 2 and 3 as failed"; failed=1; }
! grep -q "^4\. " "$work/stages.txt" || { echo "FAIL: stage 4 ran on a site whose build failed"; failed=1; }
exit $failed
