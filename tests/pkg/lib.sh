# SPDX-License-Identifier: MIT
# tests/pkg/lib.sh - helpers for the installation and packaging tests (sourced).
# tests/net/lib.sh's conventions and helpers (skip/fail/pass, trap cleanup,
# exit 77 for a skip), without namespaces: these tests install into a
# scratch directory $T and look at what make install put there.
#
#   . "$(dirname "$0")/lib.sh"
#   pkg_init                    # $T, the build variant of $L2TPD
#   pkg_make install DESTDIR="$T/root" PREFIX=/usr

. "$(dirname "${BASH_SOURCE[0]}")/../net/lib.sh"

# pkg_init: the scratch directory, and the build (variant) that $L2TPD comes
# from, so make install reuses it instead of building another.
pkg_init() {
	T=$(mktemp -d "/tmp/l2tppkg.$TEST_NAME.XXXXXX")
	BDIR=$(basename "$(dirname "$L2TPD")")
	case $BDIR in
	build-asan) VARIANT=asan ;;
	build-tsan) VARIANT=tsan ;;
	build) VARIANT=release ;;
	*) skip "cannot tell the build variant of $L2TPD" ;;
	esac
	[ -x "$L2TPD" ] || skip "l2tpd not built ($L2TPD)"
}

# pkg_make ARGS...: make in the source tree, for this variant, quiet (the
# output in $T/make.log, shown on failure). Not the caller's make flags: this
# may run under make check.
pkg_make() {
	if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory \
		VARIANT="$VARIANT" "$@" >"$T/make.log" 2>&1; then
		tail -n 20 "$T/make.log"
		fail "make $* failed"
	fi
}
