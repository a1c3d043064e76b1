#!/usr/bin/env bash
# Installs what is missing, builds, and launches Acquila on the simulated lab.
# Extra arguments go to `acquila` (e.g. `run PLAN.json`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
if [ $# -gt 0 ]; then exec ./build/app/acquila "$@"; fi
exec ./build/app/acquila run resources/plans/grid-stage.json --workers 2
