#!/bin/bash
# SPDX-License-Identifier: MIT
# pkgconfig.sh: libl2tp as another project would use it. make install into a
# DESTDIR, then a tiny program compiled and linked with nothing but
# `pkg-config --cflags --libs libl2tp` (PKG_CONFIG_PATH and
# PKG_CONFIG_SYSROOT_DIR pointing into the DESTDIR) against the installed
# headers and static library; it calls into the codec, the catalogue, the
# API builder (libmnl) and the digests (libcrypto), and runs.
. "$(dirname "$0")/lib.sh"
command -v pkg-config >/dev/null || skip "pkg-config not installed"
command -v cc >/dev/null || skip "no C compiler"
pkg_init
R=$T/root
pkg_make install DESTDIR="$R" PREFIX=/usr
[ -f "$R/usr/lib/pkgconfig/libl2tp.pc" ] || fail "no $R/usr/lib/pkgconfig/libl2tp.pc"
[ -f "$R/usr/lib/libl2tp.a" ] && [ -f "$R/usr/include/l2tp/api.h" ] ||
	fail "make install did not install the library and its headers"

export PKG_CONFIG_PATH=$R/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$R
say "pkg-config"
pkg-config --print-errors --exists libl2tp || fail "pkg-config does not find libl2tp"
[ "$(pkg-config --modversion libl2tp)" = 0.1 ] || fail "libl2tp version is not 0.1"
flags=$(pkg-config --cflags --libs libl2tp)
echo "$flags"
grep -qF -- "-I$R/usr/include" <<<"$flags" || fail "no -I into the DESTDIR"
grep -qF -- "-L$R/usr/lib" <<<"$flags" || fail "no -L into the DESTDIR"
grep -qw -- "-ll2tp" <<<"$flags" || fail "no -ll2tp"

cat >"$T/hello.c" <<'C'
#include <stdio.h>
#include <string.h>

#include <l2tp/api.h>
#include <l2tp/auth.h>
#include <l2tp/catalog.h>

int main(void)
{
	static const char abc[] = "abc";
	struct l2tp_iov iov = {.base = abc, .len = 3};
	unsigned char buf[256];
	uint8_t md5[L2TP_MD5_LEN];
	int n = l2tp_api_build_getfamily(buf, sizeof(buf), L2TP_GENL_NAME, 1);

	if (n <= 0 || l2tp_auth_md5(&iov, 1, md5) != 0)
		return 1;
	/* RFC 1321 A.5: MD5("abc") = 900150983cd24fb0... */
	if (md5[0] != 0x90 || md5[1] != 0x01 || md5[2] != 0x50)
		return 2;
	printf("getfamily %d bytes, md5 ok, message 1 is %s\n", n, l2tp_catalog_msg_name(1));
	return strcmp(l2tp_catalog_msg_name(1), "Start-Control-Connection-Request") != 0;
}
C
# an instrumented library needs its sanitizer at link time
san=
case $VARIANT in
asan) san="-fsanitize=address,undefined" ;;
tsan) san="-fsanitize=thread" ;;
esac
say "a program built against the installed libl2tp"
# shellcheck disable=SC2086 # pkg-config's words
cc -std=c11 -Wall -Wextra -Werror $san -o "$T/hello" "$T/hello.c" $flags ||
	fail "the program does not build with pkg-config's flags"
out=$(ASAN_OPTIONS=$CLI_ASAN_OPTIONS "$T/hello") || fail "the program failed: $out"
echo "$out"
pass
