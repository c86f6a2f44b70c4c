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
  targets=$(cd "$root/tests" && for d in */; do d=${d%/}; case $d in cli|live|golden) ;; scenarios) echo scenario_tests ;; *) ls "$d"/*_test.cpp >/dev/null 2>&1 && echo "${d}_tests" ;; esac; done)
  cmake --build "$build" -j "$(nproc)" --target $targets
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  failed=0
  for t in $targets; do
    echo "== $t (AddressSanitizer + UBSan)"
    binary=$(find "$build" -maxdepth 2 -type f -name "$t" | head -1)
    "$binary" --gtest_brief=1 || failed=1
  done
  exit $failed
else
  build="$root/build"
  "$root/tools/build.sh" "$build"
  ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
fi
