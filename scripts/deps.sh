#!/bin/sh
# deps.sh: install the Debian packages that building and testing l2tpkit need,
# only those that are missing. Non-interactive; safe to run repeatedly, and
# fast (one dpkg-query) when nothing is missing.
#
#   scripts/deps.sh            build + test packages (make check, make demo)
#   scripts/deps.sh --build    what the build alone needs (make, make all)
#   scripts/deps.sh --bench    also the network benchmark's packages
#   scripts/deps.sh --deb      the build's and the Debian packaging tools (make deb)
#
# It never calls apt-get when L2TPKIT_NO_DEPS=1 is set (debian/rules sets it:
# a package build must not install anything), inside dpkg-buildpackage, or
# when not root: it then prints what is missing and, for --build, lets the
# build go on (the compiler names what is really lacking); for the others it
# fails, as the tests would.
set -eu

build="build-essential pkg-config libssl-dev libmnl-dev liburing-dev clang libbpf-dev bpftool"
pkgs="$build libcmocka-dev clang
libclang-rt-14-dev llvm tshark iproute2 iputils-ping procps psmisc bridge-utils kmod
jq python3 iperf3 ethtool nftables qemu-system-x86 busybox-static systemd
xl2tpd l2tpns"
mode=${1:-}
case "$mode" in
--build) pkgs=$build ;;
--bench) pkgs="$pkgs openvpn valgrind" ;;
--deb) pkgs="$build debhelper dpkg-dev fakeroot lintian git" ;;
"") ;;
*)
	echo "deps.sh: unknown option $mode (--build, --bench or --deb)" >&2
	exit 2
	;;
esac

# one dpkg-query for all: this runs before every plain `make`
# shellcheck disable=SC2086 # word lists
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' $pkgs 2>/dev/null |
	awk '$NF == "installed" { printf "%s ", $1 }') "
missing=
for p in $pkgs; do
	case $installed in
	*" $p "*) ;;
	*) missing="${missing:+$missing }$p" ;;
	esac
done
[ -z "$missing" ] && exit 0

why=
if [ "${L2TPKIT_NO_DEPS:-0}" != 0 ]; then
	why="L2TPKIT_NO_DEPS is set"
elif [ -n "${DEB_RULES_REQUIRES_ROOT:-}" ] || [ -n "${DEB_BUILD_ARCH:-}" ]; then
	why="in a package build (the Build-Depends say what it needs)"
elif [ "$(id -u)" -ne 0 ]; then
	why="not root"
fi
if [ -n "$why" ]; then
	echo "deps.sh: missing packages: $missing (not installing them: $why)" >&2
	[ "$mode" = --build ] && exit 0
	exit 1
fi
echo "deps.sh: installing: $missing" >&2
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; answer no.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
# xl2tpd and l2tpns ship init scripts that start a daemon on install: the
# tests run their own, in namespaces, with their own configs. Refuse every
# service start for the length of this install (policy-rc.d, exit 101),
# unless the host already has its own policy.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\n# scripts/deps.sh: no service starts during install\nexit 101\n' >$policy
	chmod 755 $policy
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
