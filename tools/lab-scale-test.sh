#!/usr/bin/env bash
# Brings up a generated lab of N instances in each attach mode (tap, veth), checks that the
# first instance pings the last (another subnet, through the engine), tears the lab down and
# checks that nothing is left: no namespace of the lab, no state directory, no new device in
# the root namespace. Prints the bring-up and tear-down times. Needs root and a built vpcctl;
# traffic stays inside the namespaces the lab makes.
# Usage: tools/lab-scale-test.sh [INSTANCES] [VPCCTL]    (default 1000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
instances=${1:-1000}
vpcctl=${2:-$root/build/tools/vpcctl/vpcctl}
lab=scale-$$
work=$(mktemp -d)
trap '"$vpcctl" lab down "$lab" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

if [ "$(id -u)" -ne 0 ]; then
  echo "lab-scale-test: needs root (network namespaces, TAP devices); skipped"
  exit 77
fi
"$root/tools/lab-topology.sh" "$instances" > "$work/n.yaml"
last=$((instances - 1))
target=10.0.$((last / 200)).$((10 + last % 200))

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
links_before=$(ip -o link show | awk -F': ' '{print $2}' | sort)
failed=0
for attach in tap veth; do
  start=$(date +%s%N)
  if ! up=$("$vpcctl" lab up "$work/n.yaml" --name "$lab" --attach "$attach" 2>&1); then
    echo "$attach: lab up failed:"; echo "$up" | head -20
    failed=1
    "$vpcctl" lab down "$lab" >/dev/null 2>&1 || true
    continue
  fi
  up_ms=$(ms_since "$start")
  if ping=$("$vpcctl" lab exec "$lab" i0 -- ping -c 1 -W 5 "$target" 2>&1); then
    ping_result="i0 pings i$last ($target)"
  else
    ping_result="i0 cannot ping i$last ($target)"; echo "$ping"; failed=1
  fi
  start=$(date +%s%N)
  down=$("$vpcctl" lab down "$lab" 2>&1) || { echo "$down"; failed=1; }
  down_ms=$(ms_since "$start")
  left=$(ip netns list | awk '{print $1}' | grep -c "^vs-$lab-" || true)
  [ -e "/run/vpcstack/$lab" ] && { echo "$attach: /run/vpcstack/$lab is left"; failed=1; }
  [ "$left" -eq 0 ] || { echo "$attach: $left namespaces are left"; failed=1; }
  new_links=$(comm -13 <(echo "$links_before") <(ip -o link show | awk -F': ' '{print $2}' | sort))
  [ -z "$new_links" ] || { echo "$attach: devices left in the root namespace: $new_links"; failed=1; }
  echo "$attach, $instances instances: up ${up_ms} ms ($(echo "$up" | sed -n 1p)); $ping_result;" \
       "down ${down_ms} ms ($(echo "$down" | sed -n 1p))"
done
exit $failed
