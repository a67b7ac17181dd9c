#!/bin/bash
# SPDX-License-Identifier: MIT
# build_deps.sh: a plain `make` on a fresh Debian machine installs what it
# needs (scripts/deps.sh --build). Proven from the build's own dependency
# files: every system header that lib/, daemon/ and cli/ include comes from
# a package of deps.sh's build list or from one those depend on.
. "$(dirname "$0")/lib.sh"
command -v apt-cache >/dev/null && command -v dpkg >/dev/null || skip "not a Debian system"
pkg_init
build=$(sed -n 's/^build="\(.*\)"$/\1/p' "$TOP/scripts/deps.sh")
[ -n "$build" ] || fail "no build=\"...\" list in scripts/deps.sh"
say "deps.sh --build: $build"

# system headers of the programs and the library (not the tests' cmocka),
# as the compiler finds them (-M; the build's -MMD files omit them)
# shellcheck disable=SC2046 # pkg-config's words
cflags="-Iinclude -D_GNU_SOURCE $(pkg-config --cflags libmnl libcrypto liburing 2>/dev/null)"
(cd "$TOP" && for f in lib/*.c daemon/*.c daemon/datapath/*/*.c cli/*.c; do
	# shellcheck disable=SC2086
	cc -std=c11 $cflags -M "$f" || fail "cc -M $f"
done) | tr ' \\' '\n\n' | sed -n 's/:$//; /^\/usr\//p' | sort -u >"$T/headers"
[ -s "$T/headers" ] || fail "no system header found"
say "$(wc -l <"$T/headers") system headers"
# dpkg -S needs the path as the package lists it (usrmerge: /usr/include)
xargs dpkg -S <"$T/headers" 2>"$T/dpkg-S.err" | sed 's/: .*//; s/, /\n/g; s/:[a-z0-9]*$//' |
	sort -u >"$T/owners" || true
[ ! -s "$T/dpkg-S.err" ] || { cat "$T/dpkg-S.err"; fail "headers that no package owns"; }
say "owned by: $(tr '\n' ' ' <"$T/owners")"

# shellcheck disable=SC2086 # a word list
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
	--no-replaces --no-enhances $build 2>/dev/null | sed -n 's/^\([a-z0-9][^ :]*\).*/\1/p; s/^ *Depends: \([^ <:]*\).*/\1/p' |
	sort -u >"$T/closure"
for p in $(cat "$T/owners"); do
	grep -qx "$p" "$T/closure" || fail "package $p (a header the build includes) is not pulled in by deps.sh --build"
done
pass
