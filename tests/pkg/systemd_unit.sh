#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd_unit.sh: the l2tpd.service that make install installs is clean for
# `systemd-analyze verify`: its syntax, the binaries of ExecStart and
# ExecReload, the man pages of Documentation=. Installed with PREFIX in a
# scratch directory, so the unit's paths are those of a real install that
# exists. Only verified: this machine may not run systemd as init.
. "$(dirname "$0")/lib.sh"
command -v systemd-analyze >/dev/null ||
	skip "systemd-analyze not installed (Debian package systemd; scripts/deps.sh)"
pkg_init
P=$T/usr
pkg_make install PREFIX="$P" SYSCONFDIR="$T/etc"
unit=$P/lib/systemd/system/l2tpd.service
[ -f "$unit" ] || fail "make install did not install $unit"
[ -f "$T/etc/l2tpd/l2tpd.conf" ] || fail "make install did not install the example configuration"

say "the installed unit"
grep -E '^(Type|ExecStart|ExecReload|RuntimeDirectory|CapabilityBoundingSet)=' "$unit"
grep -qx "ExecStart=$P/sbin/l2tpd -f -c $T/etc/l2tpd/l2tpd.conf" "$unit" ||
	fail "ExecStart does not run the installed l2tpd with the installed configuration"
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit" || fail "ExecReload does not send SIGHUP"
grep -qx 'RuntimeDirectory=l2tpd' "$unit" || fail "no RuntimeDirectory=l2tpd"
grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW' "$unit" ||
	fail "the capability bounding set is not CAP_NET_ADMIN CAP_NET_RAW"

say "systemd-analyze verify"
# the man pages where make install put them (systemd-analyze runs man(1))
man=--man=yes
command -v man >/dev/null || { man=--man=no; say "man not installed: Documentation= not checked"; }
if ! out=$(MANPATH=$P/share/man systemd-analyze verify "$man" "$unit" 2>&1); then
	echo "$out"
	fail "systemd-analyze verify failed"
fi
[ -z "$out" ] || { echo "$out"; fail "systemd-analyze verify is not clean"; }

say "what the unit lets l2tpd do, as systemd-analyze security sees it"
systemd-analyze security --offline=yes "$unit" 2>&1 | tail -n 3 || true

say "the installed configuration has only comments, and its examples parse"
"$L2TPD" -n -c "$T/etc/l2tpd/l2tpd.conf" || fail "the installed configuration does not parse"
! grep -qvE '^[[:space:]]*(#|$)' "$T/etc/l2tpd/l2tpd.conf" ||
	fail "the installed configuration has a line that is not a comment"
sed -n 's/^#add /add /p' "$T/etc/l2tpd/l2tpd.conf" >"$T/examples.conf"
[ "$(wc -l <"$T/examples.conf")" -ge 4 ] || fail "the example has fewer than 4 commented commands"
"$L2TPD" -n -c "$T/examples.conf" || fail "the commented examples do not parse"

say "make install keeps a configuration that exists"
echo "# mine" >"$T/etc/l2tpd/l2tpd.conf"
pkg_make install PREFIX="$P" SYSCONFDIR="$T/etc"
[ "$(cat "$T/etc/l2tpd/l2tpd.conf")" = "# mine" ] || fail "make install overwrote l2tpd.conf"
pass
