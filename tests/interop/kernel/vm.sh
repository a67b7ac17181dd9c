# SPDX-License-Identifier: MIT
# tests/interop/kernel/vm.sh - a Debian kernel in QEMU as a real L2TP peer
# (sourced after tests/net/lib.sh).
#
# This machine's kernel has no L2TP; Debian's has. vm_prepare fetches
# Debian's kernel package (`apt-get download`, unpacked, never installed)
# into $VM_CACHE and builds a small initramfs of our own: busybox-static,
# the modules that reach the host, and tests/interop/kernel/init. The VM
# boots under TCG (no KVM here) with the host's root mounted read-only
# over 9p, so it runs the host's own ip(8), l2tpd and l2tp on Debian's
# kernel and its L2TP modules. Its one NIC is a TAP in a namespace of the
# test's. Commands reach it through a shared folder: vm_run writes cmd.N,
# the VM's agent (agent.sh) runs it and writes out.N and rc.N.
#
# Every wait is bounded; cleanup (lib.sh's trap) stops the VM by PID.
#
#   vm_prepare                     kernel + initramfs (cached), or skip
#   vm_start NS [QEMU ARGS...]     boot, NIC "vmtap" in namespace NS
#   vm_run CMD                     run CMD (a shell line) in the VM
#   vm_stop                        power off (also done by cleanup)

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_CACHE=${VM_CACHE:-$TOP/build/kernel-vm}
VM_BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-180}	# seconds to the agent's "ready"
VM_CMD_TIMEOUT=${VM_CMD_TIMEOUT:-120}	# seconds per vm_run
VM_PID=""
VM_X=""			# the shared folder (host side)
VM_KVER=""

# The modules /init loads, with what they depend on (modprobe orders them).
VM_BOOT_MODULES="virtio_pci virtio_net 9pnet_virtio 9p"

vm_prepare() {
	local pkg deb tree
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 missing (scripts/deps.sh --kernel)"
	[ -x /bin/busybox ] || skip "busybox-static missing (scripts/deps.sh --kernel)"
	mkdir -p "$VM_CACHE"
	if [ ! -s "$VM_CACHE/kver" ]; then
		pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
			awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
		[ -n "$pkg" ] || skip "apt knows no linux-image-amd64 (apt-get update?)"
		rm -rf "$VM_CACHE/root" "$VM_CACHE"/*.deb
		(cd "$VM_CACHE" && timeout 300 apt-get download -q "$pkg" >/dev/null 2>&1) ||
			skip "cannot download $pkg"
		deb=$(ls "$VM_CACHE"/linux-image-*.deb)
		dpkg-deb -x "$deb" "$VM_CACHE/root"
		rm -f "$deb"
		VM_KVER=${pkg#linux-image-}
		depmod -b "$VM_CACHE/root" "$VM_KVER"
		echo "$VM_KVER" >"$VM_CACHE/kver"
	fi
	VM_KVER=$(cat "$VM_CACHE/kver")
	if [ ! -s "$VM_CACHE/initrd" ] || [ "$VM_DIR/init" -nt "$VM_CACHE/initrd" ]; then
		tree=$(mktemp -d)
		mkdir -p "$tree"/{bin,proc,sys,dev,mods,newroot}
		cp /bin/busybox "$tree/bin/busybox"
		cp "$VM_DIR/init" "$tree/init"
		chmod +x "$tree/init"
		local m f
		: >"$tree/modules.order"
		for m in $VM_BOOT_MODULES; do
			modprobe -d "$VM_CACHE/root" -S "$VM_KVER" --show-depends "$m" |
				awk '$1 == "insmod" {print $2}'
		done | awk '!seen[$0]++' | while read -r f; do
			cp "$f" "$tree/mods/"
			basename "$f" >>"$tree/modules.order"
		done
		(cd "$tree" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$VM_CACHE/initrd.tmp"
		mv "$VM_CACHE/initrd.tmp" "$VM_CACHE/initrd"
		rm -rf "$tree"
	fi
}

# vm_start NS [extra qemu args]: boots the VM with its first NIC on TAP
# "vmtap" in namespace NS (made here, left down for the caller to address).
vm_start() {
	local ns=$1 i
	shift
	[ -n "$T" ] && [ -d "$T" ] || fail "vm_start: no temp dir (call require_base first)"
	VM_X=$T/vmx
	mkdir -p "$VM_X"
	echo 0 >"$VM_X/next"
	ip netns exec "$ns" ip tuntap add dev vmtap mode tap
	ip netns exec "$ns" ip link set vmtap up
	ip netns exec "$ns" qemu-system-x86_64 -accel tcg -m 768 -smp 1 \
		-nographic -no-reboot -nodefaults -serial "file:$T/vm-console.log" \
		-kernel "$VM_CACHE/root/boot/vmlinuz-$VM_KVER" -initrd "$VM_CACHE/initrd" \
		-append "console=ttyS0 panic=-1 quiet loglevel=4 agent=$VM_DIR/agent.sh top=$TOP" \
		-fsdev local,id=r,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=r,mount_tag=root \
		-fsdev "local,id=m,path=$VM_CACHE/root,security_model=none,readonly=on" \
		-device virtio-9p-pci,fsdev=m,mount_tag=mods \
		-fsdev "local,id=x,path=$VM_X,security_model=none" \
		-device virtio-9p-pci,fsdev=x,mount_tag=xfer \
		-netdev tap,id=n0,ifname=vmtap,script=no,downscript=no \
		-device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56 \
		"$@" >"$T/vm-qemu.log" 2>&1 &
	VM_PID=$!
	BGPIDS+=("$VM_PID")
	for ((i = 0; i < VM_BOOT_TIMEOUT * 10; i++)); do
		[ -e "$VM_X/ready" ] && break
		kill -0 "$VM_PID" 2>/dev/null || { tail -n 30 "$T/vm-console.log" "$T/vm-qemu.log"; fail "the VM stopped while booting"; }
		sleep 0.1
	done
	[ -e "$VM_X/ready" ] || { tail -n 30 "$T/vm-console.log"; fail "the VM did not boot in ${VM_BOOT_TIMEOUT}s"; }
	say "VM up (Debian kernel $VM_KVER) after $((SECONDS - T0))s"
}

# vm_run CMD: runs the shell line CMD in the VM; prints its output; returns
# its exit status (124 after VM_CMD_TIMEOUT seconds).
vm_run() {
	local n i
	# the counter lives in a file: vm_run often runs in a $(...) subshell
	n=$(cat "$VM_X/next")
	echo $((n + 1)) >"$VM_X/next"
	printf '%s\n' "$*" >"$VM_X/cmd.$n.tmp"
	mv "$VM_X/cmd.$n.tmp" "$VM_X/cmd.$n"
	for ((i = 0; i < VM_CMD_TIMEOUT * 20; i++)); do
		[ -e "$VM_X/rc.$n" ] && break
		kill -0 "$VM_PID" 2>/dev/null || { tail -n 20 "$T/vm-console.log"; fail "the VM died running: $*"; }
		sleep 0.05
	done
	cat "$VM_X/out.$n" 2>/dev/null || true
	[ -e "$VM_X/rc.$n" ] || { echo "vm_run: timed out: $*" >&2; return 124; }
	return "$(cat "$VM_X/rc.$n")"
}

# vm_stop: asks the agent to power off; kills QEMU (by PID) if it does not.
vm_stop() {
	local i
	[ -n "$VM_PID" ] || return 0
	touch "$VM_X/stop" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$VM_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$VM_PID" 2>/dev/null || true
	wait "$VM_PID" 2>/dev/null || true
	VM_PID=""
}
