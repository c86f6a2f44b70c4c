#!/usr/bin/env bash
# Installs everything vpcstack needs to build, test and run labs on Debian 12.
# Idempotent and non-interactive; run as root (or through sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  libyaml-cpp-dev libtins-dev libboost-graph-dev zlib1g-dev
  libpcap-dev  # BPF filters of captures, and reading pcap/pcapng for replay
  libssl-dev openssl  # the lab's certificate authority (TLS listeners); openssl checks it in tests
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev nlohmann-json3-dev libfmt-dev
  graphviz iproute2 iputils-ping netcat-openbsd curl iperf3 tcpdump tshark nmap
  libldns-dev  # DNS wire format: the VPC resolver parses queries and builds responses with ldns
  bind9-dnsutils  # dig: the live tests ask the VPC resolver and the lab's internet name server
  haproxy  # plays the Application Load Balancer in live labs; `haproxy -c` checks its configuration in tests
  chromium  # headless: the test that loads the HTML report of `vpcctl reach`
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
