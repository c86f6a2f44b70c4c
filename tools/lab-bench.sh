#!/usr/bin/env bash
# Measures live labs on this machine: bring-up and tear-down of a generated lab of N instances,
# and iperf3 TCP throughput through the engine between two instances (TAP with virtio headers
# and offloads, TAP without, veth), beside the kernel forwarding between namespaces.
# Needs root, iperf3 and a built vpcctl. Traffic stays inside namespaces this script makes.
# Usage: tools/lab-bench.sh [VPCCTL] [INSTANCES] [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
vpcctl=${1:-$root/build/tools/vpcctl/vpcctl}
instances=${2:-100}
seconds=${3:-5}
work=$(mktemp -d)
trap 'for l in bench-n bench-perf; do "$vpcctl" lab down $l >/dev/null 2>&1 || true; done;
      for n in vs-kbench-a vs-kbench-b vs-kbench-r; do ip netns del $n 2>/dev/null || true; done;
      rm -rf "$work"' EXIT

echo "== bring-up and tear-down of $instances instances (3 runs)"
"$root/tools/lab-topology.sh" "$instances" > "$work/n.yaml"
for attach in tap veth; do
  for run in 1 2 3; do
    up=$("$vpcctl" lab up "$work/n.yaml" --name bench-n --attach $attach | sed -n 1p)
    down=$("$vpcctl" lab down bench-n | sed -n 1p)
    echo "  $attach run $run: $up | $down"
  done
done

iperf() {  # label, env...
  local label=$1; shift
  env "$@" "$vpcctl" lab up "$root/topologies/two-tier-nat.yaml" --name bench-perf ${ATTACH:+--attach $ATTACH} >/dev/null
  "$vpcctl" lab exec bench-perf app -- iperf3 -s -p 8080 -D -1 >/dev/null
  sleep 0.3
  local result
  result=$("$vpcctl" lab exec bench-perf web -- iperf3 -c 10.0.2.10 -p 8080 -t "$seconds" -f g | awk '/sender/ {print $7, $8}')
  printf "  %-44s %s\n" "$label" "$result"
  "$vpcctl" lab down bench-perf >/dev/null
}

echo "== iperf3 TCP, one stream, web -> app (two subnets) for ${seconds}s"
iperf "tap, virtio header + offloads, tracing on" VPCSTACK_LAB_TRACE=1
iperf "tap, virtio header + offloads, tracing off" VPCSTACK_LAB_TRACE=0
iperf "tap, no offloads, tracing off" VPCSTACK_LAB_TRACE=0 VPCSTACK_LAB_OFFLOAD=0
iperf "tap, no offloads, tracing on" VPCSTACK_LAB_TRACE=1 VPCSTACK_LAB_OFFLOAD=0
ATTACH=veth iperf "veth + packet socket, offloads, tracing off" VPCSTACK_LAB_TRACE=0

echo "== kernel baseline: a router namespace forwarding between two veth pairs"
ip netns add vs-kbench-a; ip netns add vs-kbench-b; ip netns add vs-kbench-r
ip -n vs-kbench-r link add name ka type veth peer name eth0 netns vs-kbench-a
ip -n vs-kbench-r link add name kb type veth peer name eth0 netns vs-kbench-b
ip -n vs-kbench-r addr add 10.9.1.1/24 dev ka; ip -n vs-kbench-r addr add 10.9.2.1/24 dev kb
ip -n vs-kbench-a addr add 10.9.1.10/24 dev eth0; ip -n vs-kbench-b addr add 10.9.2.10/24 dev eth0
for n in a b r; do ip -n vs-kbench-$n link set lo up; done
ip -n vs-kbench-r link set ka up; ip -n vs-kbench-r link set kb up
ip -n vs-kbench-a link set eth0 up; ip -n vs-kbench-b link set eth0 up
ip -n vs-kbench-a route add default via 10.9.1.1; ip -n vs-kbench-b route add default via 10.9.2.1
ip netns exec vs-kbench-r sysctl -qw net.ipv4.ip_forward=1
ip netns exec vs-kbench-b iperf3 -s -D -1 >/dev/null; sleep 0.3
printf "  %-44s %s\n" "kernel router namespace" \
  "$(ip netns exec vs-kbench-a iperf3 -c 10.9.2.10 -t "$seconds" -f g | awk '/sender/ {print $7, $8}')"
echo "load average during the run: $(cut -d' ' -f1-3 /proc/loadavg)"
