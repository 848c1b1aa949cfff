#!/usr/bin/env bash
# Run one stage of `make test` and say how long it took: timed.sh NAME COMMAND...
# The line also goes to $STAGE_LOG, which `make test` prints as a summary at its end.
# Exits with the command's status, so a failing stage still fails the run.
set -u
name=$1
shift
start=$(date +%s)
"$@"
status=$?
line="${name}: $(( $(date +%s) - start )) s"
[ "$status" -eq 0 ] || line="${line} (failed, exit ${status})"
echo "== ${line}"
[ -z "${STAGE_LOG:-}" ] || echo "${line}" >> "${STAGE_LOG}"
exit "$status"
