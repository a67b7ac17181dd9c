#!/bin/bash
# SPDX-License-Identifier: MIT
# deb.sh: the Debian packages. scripts/deb.sh check builds them with
# dpkg-buildpackage -us -uc -b in a copy of the tree, runs lintian (no
# error allowed), unpacks l2tpkit with dpkg -x into a scratch root and runs
# its l2tp -V and l2tpd --version, and checks libl2tp-dev's pkg-config
# file. About 15 s here. make check does not install the packaging tools
# (debhelper and lintian bring many packages): without them this skips, and
# make check-deb installs them (scripts/deps.sh --deb) and runs the same.
. "$(dirname "$0")/lib.sh"
for t in dpkg-buildpackage dh fakeroot lintian git; do
	command -v "$t" >/dev/null || skip "$t not installed (make check-deb installs the packaging tools)"
done
git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git tree (deb.sh copies git's files)"
dpkg-checkbuilddeps "$TOP/debian/control" 2>/dev/null || skip "Build-Depends missing: $(dpkg-checkbuilddeps "$TOP/debian/control" 2>&1)"
"$TOP/scripts/deb.sh" check || fail "scripts/deb.sh check failed (build/deb/build.log, build/deb/lintian.log)"
pass
