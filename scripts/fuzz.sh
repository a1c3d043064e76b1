#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/) for N seconds each (default 60) on a copy of its
# committed seed corpus, in the ASan+UBSan build (build-asan, see scripts/sanitize.sh).
#   scripts/fuzz.sh [SECONDS] [TARGET...]   fuzz; exits 1 if any target crashed
#                                           (ACQUILA_FUZZ_SEED: 1 by default, 0 for a random seed)
#   scripts/fuzz.sh --make-corpus           rewrites the seed corpus in fuzz/corpus/
# Crashing inputs land in build-asan/fuzz/crashes/<target>/; commit each one under
# fuzz/regressions/<target>/ (with its fix) and ctest replays it from then on.
# Prints the executions of every target and writes them to build-asan/fuzz/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
targets_all=(frames message result plan lab h5)
build() { ACQUILA_SAN_BUILD_ONLY=1 ACQUILA_SAN_TARGETS="$*" bash scripts/sanitize.sh asan; }

if [ "${1:-}" = "--make-corpus" ]; then
  build fuzz_make_corpus
  c=fuzz/corpus
  rm -rf $c/frames $c/message $c/result $c/plan $c/lab $c/h5
  ASAN_OPTIONS=detect_leaks=0 build-asan/fuzz/fuzz_make_corpus $c
  mkdir -p $c/plan $c/lab $c/h5
  cp resources/plans/*.json $c/plan/
  cp resources/lab/default.json $c/lab/
  /usr/bin/python3 fuzz/make_h5_seeds.py $c/h5
  exit 0
fi

seconds=${1:-60}; [ $# -gt 0 ] && shift
targets=("$@"); [ ${#targets[@]} -eq 0 ] && targets=("${targets_all[@]}")
build "${targets[@]/#/fuzz_}"
work=$root/build-asan/fuzz
summary=$work/summary.txt
# fuzz_h5's temporary file stays behind when a target dies: keep it inside the build tree.
export TMPDIR=$work/tmp; mkdir -p "$TMPDIR"
: > "$summary"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:allocator_may_return_null=1"
export LSAN_OPTIONS="suppressions=$root/cmake/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$root/cmake/sanitizers/ubsan.supp"
command -v llvm-symbolizer-14 > /dev/null && export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer-14)
# True when the log's report (a timeout or an ASan error) has H5HG_read among its frames
# before the first of Acquila's own: a libhdf5 global-heap defect.
known_libhdf5_heap() {
  awk '/ERROR: (libFuzzer: timeout|AddressSanitizer)/ { on = 1 }
       on && /^ *#[0-9]+ / { if ($0 ~ /acquila::/) exit; if ($0 ~ / in H5HG_read/) { found = 1; exit } }
       END { exit !found }' "$1"
}
status=0
for t in "${targets[@]}"; do
  corpus=$work/corpus/$t crashes=$work/crashes/$t
  rm -rf "$corpus"; mkdir -p "$corpus" "$crashes"
  cp fuzz/corpus/$t/* "$corpus/"
  # A fixed seed (ACQUILA_FUZZ_SEED, default 1) makes a run repeatable: CI explores the same
  # inputs as the run that passed here. ACQUILA_FUZZ_SEED=0 picks a random seed (exploration).
  seed=${ACQUILA_FUZZ_SEED:-1}
  start=$SECONDS execs=0 hangs=0 round=0
  while :; do
    left=$((seconds - (SECONDS - start)))
    log=$work/$t.$round.log
    rc=0
    (cd "$work" && nice ./fuzz_$t -seed="$seed" -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" > "$log" 2>&1) || rc=$?
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    execs=$((execs + ${n:-0}))
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    # The known libhdf5 defects (fuzz/README.md): 1.10.8 loops forever, or copies past its
    # buffer, reading a damaged global heap collection (H5HG_read). Acquila survives both by
    # making its HDF5 reads in acquila-reader, killed at a deadline, which this in-process
    # target cannot do: the input is kept aside and fuzzing goes on with the next seed for the
    # rest of the target's time. Anything else fails the run.
    if [ $rc -ne 0 ] && known_libhdf5_heap "$log"; then
      hangs=$((hangs + 1))
      mkdir -p "$crashes/known"; mv "$crashes"/timeout-* "$crashes"/crash-* "$crashes/known/" 2> /dev/null || true
      rc=0
      seed=$((seed == 0 ? 0 : seed + 1)) round=$((round + 1))
      [ $((seconds - (SECONDS - start))) -gt 5 ] && continue
    fi
    break
  done
  line="fuzz_$t: $execs executions in ${seconds} s, coverage ${cov:-?} edges, exit $rc"
  [ $hangs -gt 0 ] && line="$line; $hangs stop(s) at the known libhdf5 global-heap defects (fuzz/README.md), inputs in $crashes/known/"
  echo "$line" | tee -a "$summary"
  if [ $rc -ne 0 ]; then
    status=1
    echo "---- fuzz_$t failed; inputs in $crashes:" >&2; ls "$crashes" >&2
    grep -A40 -m1 -E "ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error" "$log" >&2 || tail -40 "$log" >&2
  fi
done
exit $status
