#!/usr/bin/env bash
# The main job: install what is needed, build, and run a simulation demo on the classic
# two-tier topology (a public web subnet, a private app subnet behind a NAT gateway).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/install-deps.sh"
"$root/tools/build.sh" "$root/build" -DVPCSTACK_BENCHMARKS=OFF
vpcctl="$root/build/tools/vpcctl/vpcctl"
topo="$root/topologies/two-tier-nat.yaml"

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
step() { printf '\n%s$ %s%s\n' "$bold" "$*" "$plain"; }
run() { step "vpcctl $*"; "$vpcctl" "$@" || true; }

run check "$topo"
run diagram "$topo" -o "$root/build/two-tier-nat.svg"
run trace "$topo" --from client --to web --proto tcp --dport 80
run trace "$topo" --from app --to 198.51.100.7 --proto tcp --dport 443
run trace "$topo" --from client --to app --proto tcp --dport 8080

# The web stack: an HTTP request through the Application Load Balancer to the app tier.
web="$root/topologies/web-stack.yaml"
run trace "$web" --from client --to shop.example.com --dport 443 --http 'GET /api/cart'
run trace "$web" --from app-1 --to db.internal.example.com --proto tcp --dport 5432
