#!/usr/bin/env bash
# Installs what is needed, builds and runs every test. Tests that need root and network
# namespaces run when root; otherwise they say they were skipped and why.
# Usage: tools/test.sh [--sanitize]   (--sanitize: AddressSanitizer + UBSan build, unit tests)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh"
if [ "${1:-}" = "--sanitize" ]; then
  build="$root/build-sanitize"
  "$root/tools/build.sh" "$build" -DCMAKE_BUILD_TYPE=Debug -DVPCSTACK_SANITIZE=ON \
    -DVPCSTACK_BENCHMARKS=OFF
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
  # Live-lab tests fork engine daemons and namespaces; they run in the normal build only.
  ctest --test-dir "$build" --output-on-failure -j "$(nproc)" -LE live
else
  build="$root/build"
  "$root/tools/build.sh" "$build"
  ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
fi
