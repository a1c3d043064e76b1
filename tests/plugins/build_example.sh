#!/bin/bash
# Installs the SDK of BUILD into OUT/sdk, builds the example plugin SRC out of tree against it
# (no path into the source or build tree of Acquila) and installs it into OUT/installed.
set -euo pipefail
build=$1 src=$2 out=$3
rm -rf "$out/sdk" "$out/build" "$out/installed"
cmake --install "$build" --component sdk --prefix "$out/sdk" > /dev/null
launcher=()
command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
gen=()
command -v ninja > /dev/null && gen=(-G Ninja)
cmake -S "$src" -B "$out/build" "${gen[@]}" "${launcher[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_PREFIX_PATH="$out/sdk" \
  -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror"
cmake --build "$out/build"
cmake --install "$out/build" --prefix "$out/installed"
test -f "$out/installed/lib/acquila/plugins/acquila-example.so"
# The plugin must take every Acquila function from the worker: none may be defined in it.
if nm -D --defined-only "$out/installed/lib/acquila/plugins/acquila-example.so" | grep -q ' T _ZN7acquila'; then
  echo "the plugin defines functions of Acquila's own; it must use the worker's" >&2
  exit 1
fi
echo "example plugin: $out/installed/lib/acquila/plugins/acquila-example.so"
