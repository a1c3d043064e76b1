#!/usr/bin/env bash
# Installs what is missing, builds, and runs every check; exits non-zero if any fails.
#   scripts/test.sh         (what .ci/run does) stages 1 and 5, in order
#   scripts/test.sh quick   stage 1 only
#   scripts/test.sh full    every stage, 1 to 5
# Stages, each timed:
#   1. normal build (./build) and the whole suite: unit, integration with real worker
#      processes, offscreen widgets, HDF5 files read back by h5py/silx and h5dump
#   2. ASan + UBSan build (build-asan, with the fuzz targets) and the whole suite
#   3. TSan build (build-tsan, headless) and the core, device, worker and integration tests
#   4. every fuzz target for ACQUILA_FUZZ_SECONDS (default 60) s
#   5. the 60 s soak (label soak) in the normal build
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
status=0
stage() {
  local name=$1; shift
  local start; start=$(date +%s)
  echo "=== $name"
  if "$@"; then echo "=== $name: passed in $(( $(date +%s) - start )) s"
  else status=1; echo "=== $name: FAILED after $(( $(date +%s) - start )) s"; fi
}
suite() { ctest --test-dir build --output-on-failure -j 2 --timeout 300 -LE soak; }
soak() { ctest --test-dir build --output-on-failure -L soak; }

stage build bash scripts/build.sh
stage suite suite
if [ "${1:-}" = "full" ]; then
  stage asan bash scripts/sanitize.sh asan
  stage tsan bash scripts/sanitize.sh tsan
  stage fuzz bash scripts/fuzz.sh "${ACQUILA_FUZZ_SECONDS:-60}"
fi
if [ "${1:-}" != "quick" ]; then
  stage soak soak
fi
exit $status
