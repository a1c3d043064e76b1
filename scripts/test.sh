#!/usr/bin/env bash
# Installs what is missing, builds, and runs every check; exits non-zero if any fails.
#   scripts/test.sh         every stage, in order (what .ci/run does)
#   scripts/test.sh quick   stages 1 and 2 only
# Stages, each timed:
#   1. normal build (./build)
#   2. the whole suite: unit, integration with real worker processes, the fault matrix,
#      offscreen widgets, HDF5 files read back by h5py/silx and h5dump
#   3. the 60 s soak (label soak) in the normal build
#   4. ASan + UBSan build (build-asan, with the fuzz targets) and the whole suite
#   5. TSan build (build-tsan, headless) and the core, device, worker and integration tests
#   6. every fuzz target for ACQUILA_FUZZ_SECONDS (default 60) s (stage 4 replays the
#      committed crash inputs, fuzz/regressions/, as ctest tests)
# The sanitizer builds use ccache like the normal one. From a clean clone with an empty
# cache on 2 cores the whole run took 31 minutes: build 438 s (with the package check),
# suite 189 s, soak 61 s, asan 652 s (build 258 s), tsan 210 s, fuzz 313 s.
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
if [ "${1:-}" != "quick" ]; then
  stage soak soak
  stage asan bash scripts/sanitize.sh asan
  stage tsan bash scripts/sanitize.sh tsan
  stage fuzz bash scripts/fuzz.sh "${ACQUILA_FUZZ_SECONDS:-60}"
fi
exit $status
