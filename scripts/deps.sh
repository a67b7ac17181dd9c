#!/bin/sh
# deps.sh: install the Debian packages that building and testing l2tpkit need,
# only those that are missing. Non-interactive; safe to run repeatedly.
#
#   scripts/deps.sh            build + test packages
#   scripts/deps.sh --bench    also the network benchmark's packages
set -eu

pkgs="build-essential pkg-config libssl-dev libmnl-dev libcmocka-dev clang
libclang-rt-14-dev llvm tshark iproute2 iputils-ping procps psmisc bridge-utils kmod
jq python3 iperf3 liburing-dev nftables qemu-system-x86 busybox-static"
case "${1:-}" in
--bench) pkgs="$pkgs openvpn valgrind" ;;
esac

missing=
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps.sh: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; answer no.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
