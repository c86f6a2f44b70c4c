#!/usr/bin/env bash
# Installs what is needed, builds and runs every test. Tests that need root and network
# namespaces run when root; otherwise they say they were skipped and why.
# Usage: tools/test.sh [--sanitize]   (--sanitize: AddressSanitizer + UBSan build, unit tests)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh"
if [ "${1:-}" = "--sanitize" ]; then
  # The unit and scenario tests only: the command-line and live-lab tests run the vpcctl binary
  # and engine daemons, which the normal build covers.
  build="$root/build-sanitize"
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVPCSTACK_SANITIZE=ON \
    -DVPCSTACK_BENCHMARKS=OFF >/dev/null
  # One binary per folder of tests/ with tests in it; support/ is the shared harness and
  # golden/ the expected output, neither a test binary.
  targets=$(cd "$root/tests" && for d in */; do d=${d%/}; case $d in cli|live|golden|support) ;; scenarios) echo scenario_tests ;; *) if ls "$d"/*_test.cpp >/dev/null 2>&1; then echo "${d}_tests"; fi ;; esac; done)
  cmake --build "$build" -j "$(nproc)" --target $targets
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  failed=0 passed_count=0 failed_count=0
  log=$(mktemp)
  trap 'rm -f "$log"' EXIT
  for t in $targets; do
    echo "== $t (AddressSanitizer + UBSan)"
    binary=$(find "$build" -maxdepth 2 -type f -name "$t" | head -1)
    "$binary" --gtest_brief=1 2>&1 | tee "$log" || failed=1
    passed_count=$((passed_count + $(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?\.$/\1/p' "$log" | tail -1 | grep . || echo 0)))
    failed_count=$((failed_count + $(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?, listed below:$/\1/p' "$log" | tail -1 | grep . || echo 0)))
  done
  [ "$failed" -eq 0 ] || [ "$failed_count" -gt 0 ] || failed_count=1  # a crash reports no count
  echo "sanitizers: $passed_count passed, $failed_count failed"
  exit $failed
else
  build="$root/build"
  "$root/tools/build.sh" "$build"
  ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
  # Bring-up at scale, in both attach modes: 400 instances (two subnets; more acknowledgements
  # than one rtnetlink receive buffer holds) take about 10 s here. Needs root; 77 is a skip.
  # tools/lab-scale-test.sh 1000 is the benchmark-sized run.
  status=0
  "$root/tools/lab-scale-test.sh" 400 "$build/tools/vpcctl/vpcctl" || status=$?
  [ "$status" -eq 0 ] || [ "$status" -eq 77 ] || exit "$status"
fi
