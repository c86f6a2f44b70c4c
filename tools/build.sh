#!/usr/bin/env bash
# Configures and builds vpcstack. Usage: tools/build.sh [BUILD_DIR] [extra cmake options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
shift || true
cmake -S "$root" -B "$build" -G Ninja "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
ln -sfn "$build/compile_commands.json" "$root/compile_commands.json" 2>/dev/null || true
