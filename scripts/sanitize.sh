#!/usr/bin/env bash
# Sanitizer builds and runs, each in its own build directory, with ccache:
#   scripts/sanitize.sh asan [ctest args]   build-asan: AddressSanitizer + UndefinedBehaviorSanitizer
#                                           (clang, also builds the fuzz targets), the whole suite
#   scripts/sanitize.sh tsan [ctest args]   build-tsan: ThreadSanitizer, headless: the unit tests
#                                           (core, engine, device, worker), then the normal
#                                           build's integration tests (./build, built if
#                                           missing) with the TSan-built acquila-worker
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
    # The plugin tests (label sdk) build a plugin out of tree with the plain compiler: the
    # normal build runs them.
    ctest_args=(-LE "soak|sdk") ;;
  tsan)
    dir=build-tsan
    cmake -S . -B $dir "${common[@]}" -DACQUILA_SANITIZE=thread -DACQUILA_BUILD_UI=OFF > /dev/null
    # The widget tests are not built; the browser and window are covered by the ASan run.
    # In-process tests only: clang 14's TSan runtime aborts (CHECK failed in ForkAfter) when
    # Qt 6.4's QProcess starts a child with clone(CLONE_VM|CLONE_VFORK) from a thread, so the
    # processes are checked from the outside: the integration tests of the normal build
    # start the TSan-built worker (below). Debian's Qt is not built with TSan: a handoff
    # through its event queue (a futex) is invisible to TSan, which is why the app's Qt
    # threads are not run under it; the workers synchronise with std:: primitives only.
    # The storage tests that read files back with h5py start processes too, and so do the
    # SCPI tests (the instrument simulator), whose sockets also go through Qt's host lookup
    # and proxy threads (libproxy), uninstrumented: TSan reports their internals. The SCPI
    # link is used by one thread; its tests run in the normal and ASan builds. The Tango tests
    # start the TangoTest server (a process) too, and libtango's client runs omniORB's threads,
    # uninstrumented, which hand the replies to the executor thread: TSan cannot see that
    # synchronisation. The Tango link is used by one thread; its tests run in the normal and
    # ASan builds.
    ctest_args=(-LE "soak|sdk" -E "^(integration_|fuzz|storage_file_safety_test|storage_hostile_file_test|devices_scpi_|devices_tango_|devices_conformance_test\..*/(scpi|tango))") ;;
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
if [ "$mode" = tsan ] && [ $# -eq 0 ]; then
  # The integration tests (real worker processes, files, the CLI) with the TSan-built worker,
  # except the fault matrix, whose time bounds are set for an uninstrumented worker, and the
  # Tango runs (libtango's omniORB threads in the worker are uninstrumented, see above).
  [ -f build/build.ninja ] || bash scripts/build.sh
  cmake --build build -j "$(nproc)" > /dev/null
  start=$(date +%s)
  ACQUILA_WORKER=$root/$dir/app/acquila-worker ctest --test-dir build --output-on-failure -j "$(nproc)" --timeout 600 \
      -R "^integration_" -E "fault_matrix|tango" || status=$?
  echo "$mode integration tests with the TSan worker: $(( $(date +%s) - start )) s"
fi
shopt -s nullglob
# LeakSanitizer's exit-time check of a worker that a fault test stops or kills at that
# moment cannot read the threads' registers and writes only this line: no report.
for f in "$reports"/*; do
  if ! grep -qv "Unable to get registers from thread" "$f"; then
    echo "$mode: $(basename "$f"): the leak check was interrupted by a signal (not a report): $(head -c 200 "$f")"
    rm -f "$f"
  fi
done
found=("$reports"/*)
if [ ${#found[@]} -gt 0 ]; then
  echo "$mode: ${#found[@]} sanitizer report(s):" >&2
  for f in "${found[@]}"; do echo "==== $f" >&2; cat "$f" >&2; done
  status=1
fi
exit $status
