#!/usr/bin/env bash
# Installs every Debian 12 package Acquila needs to build, run and test.
# clang-14, its sanitizer/libFuzzer runtimes and llvm-14 (llvm-symbolizer) are for
# scripts/sanitize.sh and scripts/fuzz.sh. libtango-dev is the client of the "tango" driver family;
# tango-test (the TangoTest device server) and python3-tango are for its tests (docs/tango.md).
# Idempotent: packages already present are skipped without touching the network.
set -euo pipefail
pkgs=(
  build-essential cmake ninja-build pkg-config git ccache graphviz
  qt6-base-dev libqt6opengl6-dev libgl-dev libqcustomplot-dev qt6-serialport-dev
  libhdf5-dev hdf5-tools libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  python3 python3-h5py python3-silx python3-numpy
  xvfb xauth imagemagick procps
  clang-14 libclang-rt-14-dev llvm-14
  libtango-dev tango-test python3-tango
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
