#!/bin/bash
# SPDX-License-Identifier: MIT
# netns_pw_variants.sh: the daemon's own end-to-end script
# (tests/daemon/netns_pw.sh, the ip-l2tp(8) site-A/site-B example) in the
# variants the other scenarios do not cover: UDP checksums on, a wrong
# cookie (no ping, cookie discards counted), and IP encapsulation over IPv6
# with SIGKILL at the end (nothing may be left behind); and TAP writes
# without io_uring (L2TPD_NO_IO_URING=1, the fallback of daemon/tapq.c).
set -u
cd "$(dirname "$0")/../.." || exit 1
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
rc=0
run() {
	echo "== $*"
	env "$@" sh tests/daemon/netns_pw.sh "${B:-build-asan}"
	local r=$?
	[ $r = 77 ] && exit 77
	[ $r = 0 ] || { echo "FAIL: $*"; rc=1; }
}
run CSUM=on
run COOKIE=bad
run ENCAP=ip FAMILY=6 KILL=1
run L2TPD_NO_IO_URING=1 COOKIE=1
exit $rc
