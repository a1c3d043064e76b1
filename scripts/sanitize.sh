#!/usr/bin/env bash
# Sanitizer builds and runs, each in its own build directory, with ccache:
#   scripts/sanitize.sh asan [ctest args]   build-asan: AddressSanitizer + UndefinedBehaviorSanitizer
#                                           (clang, also builds the fuzz targets), the whole suite
#   scripts/sanitize.sh tsan [ctest args]   build-tsan: ThreadSanitizer, headless, the core,
#                                           engine, device, worker and integration tests
#   ACQUILA_SAN_BUILD_ONLY=1                build, do not run
#   ACQUILA_SAN_TARGETS="a b"               build only these targets (default: all)
# Every report fails the run: the test processes and every worker they start write their
# reports to build-*/san-reports/ (log_path); the run fails if any file appears there,
# even when the test itself passed (a worker that crashed on purpose, say).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: scripts/sanitize.sh asan|tsan [ctest args]}; shift
root=$PWD
supp=$root/cmake/sanitizers
cc=clang-14; cxx=clang++-14
launcher=(); command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
common=(-G Ninja -DCMAKE_BUILD_TYPE=Sanitize -DCMAKE_C_COMPILER=$cc -DCMAKE_CXX_COMPILER=$cxx
        -DACQUILA_BUILD_BENCH=OFF "${launcher[@]}")
case "$mode" in
  asan)
    dir=build-asan
    cmake -S . -B $dir "${common[@]}" -DACQUILA_SANITIZE=address,undefined -DACQUILA_BUILD_FUZZ=ON > /dev/null
    ctest_args=(-LE soak) ;;
  tsan)
    dir=build-tsan
    cmake -S . -B $dir "${common[@]}" -DACQUILA_SANITIZE=thread -DACQUILA_BUILD_UI=OFF > /dev/null
    # The widget tests are not built; the browser and window are covered by the ASan run.
    ctest_args=(-LE soak) ;;
  *) echo "unknown mode '$mode' (asan|tsan)" >&2; exit 2 ;;
esac
start=$(date +%s)
targets=(); for t in ${ACQUILA_SAN_TARGETS:-}; do targets+=(--target "$t"); done
nice cmake --build $dir -j "${ACQUILA_SAN_JOBS:-$(nproc)}" "${targets[@]}"
echo "$mode build: $(( $(date +%s) - start )) s"
[ -n "${ACQUILA_SAN_BUILD_ONLY:-}" ] && exit 0

reports=$root/$dir/san-reports
rm -rf "$reports"; mkdir -p "$reports"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$reports/asan"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$supp/ubsan.supp:log_path=$reports/ubsan"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp:log_path=$reports/tsan"
export QT_QPA_PLATFORM=offscreen
command -v llvm-symbolizer-14 > /dev/null && export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer-14) TSAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer-14)
status=0
start=$(date +%s)
ctest --test-dir $dir --output-on-failure -j "$(nproc)" --timeout 600 "${ctest_args[@]}" "$@" || status=$?
echo "$mode tests: $(( $(date +%s) - start )) s"
shopt -s nullglob
found=("$reports"/*)
if [ ${#found[@]} -gt 0 ]; then
  echo "$mode: ${#found[@]} sanitizer report(s):" >&2
  for f in "${found[@]}"; do echo "==== $f" >&2; cat "$f" >&2; done
  status=1
fi
exit $status
