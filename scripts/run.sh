#!/usr/bin/env bash
# Installs what is missing, builds, and launches Acquila's window on the simulated lab.
# Extra arguments go to `acquila` (e.g. `run PLAN.json`, `browse FILE.h5`).
# Without a display (no $DISPLAY or $WAYLAND_DISPLAY) it runs the demo scan headless instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
if [ $# -gt 0 ]; then exec ./build/app/acquila "$@"; fi
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then exec ./build/app/acquila; fi
echo "no display: running the demo grid scan headless (the window needs X11 or Wayland)" >&2
exec ./build/app/acquila run resources/plans/grid-stage.json
