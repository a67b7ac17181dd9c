#!/bin/sh
# deb.sh: the Debian packages (debian/) with the Debian tools, without
# touching the working tree.
#
#   scripts/deb.sh build   dpkg-buildpackage -us -uc -b in a copy of the
#                          tree's files (those git tracks, and new ones it
#                          does not ignore, as they are now); the .deb,
#                          .buildinfo and .changes files go to build/deb/
#   scripts/deb.sh check   build, then lintian (fails on errors; the other
#                          tags are printed), then l2tpkit unpacked with
#                          dpkg -x into a scratch root: its l2tp -V and
#                          l2tpd --version run, its files and conffile are
#                          there; libl2tp-dev's pkg-config file answers
#
# make deb and make check-deb run it after scripts/deps.sh --deb. Needs git,
# dpkg-dev, debhelper, fakeroot (and lintian for check); the Build-Depends
# must be installed (scripts/deps.sh --build installs them).
set -eu
cd "$(dirname "$0")/.."
mode=${1:-build}
top=$PWD
out=$top/build/deb
version=$(dpkg-parsechangelog -S Version)
work=$(mktemp -d /tmp/l2tpkit-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
say() { printf '# %s\n' "$*"; }
die() {
	echo "deb.sh: $*" >&2
	exit 1
}

# not the make flags of a make check or make deb that runs this
unset MAKEFLAGS MFLAGS MAKELEVEL
src=$work/l2tpkit-$version
mkdir -p "$src" "$out"
rm -f "$out"/*.deb "$out"/*.ddeb "$out"/*.buildinfo "$out"/*.changes
say "copying the tree's files to $src"
git ls-files -z --cached --others --exclude-standard |
	(cd "$top" && xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
	tar --null -T - -cf - | tar -xf - -C "$src"
say "dpkg-buildpackage -us -uc -b (log: $out/build.log)"
start=$(date +%s)
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log"
	die "dpkg-buildpackage failed"
fi
cp "$work"/*.deb "$work"/*.buildinfo "$work"/*.changes "$out"/
cp "$work"/*.ddeb "$out"/ 2>/dev/null || true
say "built in $(($(date +%s) - start)) s:"
ls -l "$out"/*.deb
[ -z "$(git status --porcelain --ignored=no 2>/dev/null | grep -v '^??' || true)" ] ||
	say "(the working tree has uncommitted changes; they are in these packages)"
[ "$mode" = check ] || exit 0

changes=$(ls "$out"/*.changes)
say "lintian $changes"
rc=0
lintian --fail-on error --display-info "$changes" >"$out/lintian.log" 2>&1 || rc=$?
cat "$out/lintian.log"
[ "$rc" -eq 0 ] || die "lintian found errors (exit $rc)"
say "lintian: $(grep -c '^E:' "$out/lintian.log" || true) errors," \
	"$(grep -c '^W:' "$out/lintian.log" || true) warnings," \
	"$(grep -c '^I:' "$out/lintian.log" || true) info"

root=$work/root
deb=$(ls "$out"/l2tpkit_"$version"_*.deb)
say "dpkg -x $(basename "$deb") $root"
dpkg -x "$deb" "$root"
for f in usr/sbin/l2tpd usr/sbin/l2tp etc/l2tpd/l2tpd.conf usr/share/man/man8/l2tp.8.gz \
	usr/share/man/man8/l2tpd.8.gz usr/share/man/man5/l2tpd.conf.5.gz \
	usr/share/man/man8/l2tp-compat.8.gz; do
	[ -e "$root/$f" ] || die "l2tpkit has no /$f"
done
unit=$(find "$root" -path '*/systemd/system/l2tpd.service')
[ -n "$unit" ] || die "l2tpkit has no l2tpd.service"
grep -qx 'ExecStart=/usr/sbin/l2tpd -f -c /etc/l2tpd/l2tpd.conf' "$unit" ||
	die "l2tpd.service does not start /usr/sbin/l2tpd"
dpkg-deb -I "$deb" conffiles | grep -qx /etc/l2tpd/l2tpd.conf ||
	die "/etc/l2tpd/l2tpd.conf is not a conffile"
v=$("$root/usr/sbin/l2tp" -V) || die "l2tp -V failed"
echo "$v"
[ "$v" = "l2tp utility, l2tpkit-$version" ] || die "l2tp -V: unexpected '$v'"
v=$("$root/usr/sbin/l2tpd" --version) || die "l2tpd --version failed"
echo "$v"
[ "$v" = "l2tpd $version" ] || die "l2tpd --version: unexpected '$v'"
"$root/usr/sbin/l2tpd" -n -c "$root/etc/l2tpd/l2tpd.conf" || die "the packaged configuration does not parse"
# l2tp-compat preloads the library from the path make install baked in
compat=$root/usr/sbin/l2tp-compat
[ -x "$compat" ] || die "l2tpkit has no /usr/sbin/l2tp-compat"
lib=$(sed -n 's|^[[:space:]]*lib="\(/[^"]*\)"$|\1|p' "$compat")
[ -n "$lib" ] && [ -f "$root$lib" ] || die "l2tp-compat preloads '$lib', which l2tpkit does not have"
L2TP_COMPAT_LIB=$root$lib "$compat" true || die "l2tp-compat cannot preload $lib"
say "l2tp-compat preloads $lib"

dev=$(ls "$out"/libl2tp-dev_"$version"_*.deb)
say "dpkg -x $(basename "$dev") $root"
dpkg -x "$dev" "$root"
pc=$(find "$root/usr/lib" -name libl2tp.pc)
[ -n "$pc" ] || die "libl2tp-dev has no libl2tp.pc"
v=$(PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$root pkg-config --modversion libl2tp)
[ "$v" = "$version" ] || die "libl2tp.pc says version '$v'"
PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$root pkg-config --cflags --libs libl2tp
[ -f "$root/usr/include/l2tp/api.h" ] && [ -n "$(find "$root/usr/lib" -name libl2tp.a)" ] ||
	die "libl2tp-dev lacks its headers or static library"
say "check-deb: ok"
