#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (unit,
# integration with real worker processes, offscreen widgets, HDF5 files read
# back by h5py/silx and h5dump). Exits non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
export QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure -j 2 --timeout 300
