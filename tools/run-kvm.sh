#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Boot a Shale disk image (tools/mkdisk.sh) under QEMU with KVM, the way
# users with an Intel machine run Shale nested:
#
#   tools/run-kvm.sh [--tcg] DISK [QEMU-ARG...]
#   tools/run-kvm.sh --check
#
# q35, OVMF, 2 GiB and 2 CPUs (RUN_KVM_MEM, RUN_KVM_CPUS), the serial
# console on this terminal (Ctrl-A x quits QEMU). Where /dev/kvm cannot run
# a hypervisor nested, it says why in one sentence and exits 1; nothing is
# started. --tcg runs the same command line with QEMU's own CPU emulation
# instead of -enable-kvm -cpu host: no VT-x there, so Shale says that and
# returns to the firmware (the script's own test uses this). --check only
# says whether KVM here can run Shale: nothing and exit 0, or the sentence
# and exit 1 (tests/emu/emulator.py asks it before SHALE_EMU=kvm runs).
#
# For the tests, the facts it reads can come from elsewhere: RUN_KVM_CPUINFO
# (/proc/cpuinfo), RUN_KVM_DEV (/dev/kvm), RUN_KVM_SYSMODULE (/sys/module),
# RUN_KVM_QEMU (qemu-system-x86_64), RUN_KVM_OVMF (/usr/share/ovmf/OVMF.fd).
set -u

say() { echo "run-kvm: $*" >&2; }

accel=kvm
check_only=
if [ "${1:-}" = "--check" ]; then
	check_only=1
	shift
elif [ "${1:-}" = "--tcg" ]; then
	accel=tcg
	shift
fi
if [ -z "$check_only" ] && [ $# -lt 1 ]; then
	echo "usage: tools/run-kvm.sh [--tcg] DISK [QEMU-ARG...] | --check" >&2
	exit 2
fi
disk=${1:-}
[ $# -ge 1 ] && shift

cpuinfo=${RUN_KVM_CPUINFO:-/proc/cpuinfo}
dev=${RUN_KVM_DEV:-/dev/kvm}
sysmod=${RUN_KVM_SYSMODULE:-/sys/module}
qemu=${RUN_KVM_QEMU:-qemu-system-x86_64}
ovmf=${RUN_KVM_OVMF:-/usr/share/ovmf/OVMF.fd}

# Why KVM here cannot run Shale, as one sentence; nothing if it can. The
# order is from the root cause down: the CPU, then the kernel's device,
# then the module and its nested parameter.
kvm_problem() {
	vendor=$(sed -n 's/^vendor_id[[:space:]]*:[[:space:]]*//p' "$cpuinfo" 2>/dev/null | head -n 1)
	case $vendor in
	GenuineIntel) ;;
	AuthenticAMD | HygonGenuine)
		echo "this CPU is AMD ($vendor): nested VMX needs an Intel host"
		return ;;
	*)
		echo "this CPU is not an Intel one (vendor ${vendor:-unknown}): nested VMX needs an Intel host"
		return ;;
	esac
	if ! grep -q '^flags.*[[:space:]]vmx\([[:space:]]\|$\)' "$cpuinfo"; then
		echo "this Intel CPU shows no VMX: enable VT-x in the firmware setup (inside a virtual machine: nested VMX on its host)"
		return
	fi
	if [ ! -e "$dev" ]; then
		echo "$dev missing: load kvm_intel (modprobe kvm_intel nested=1)"
		return
	fi
	if [ ! -c "$dev" ]; then
		echo "$dev is not usable: it is not a character device"
		return
	fi
	if [ ! -r "$dev" ] || [ ! -w "$dev" ]; then
		echo "$dev is not usable: $(id -un) may not open it for reading and writing (join the group that owns it, usually kvm)"
		return
	fi
	if [ ! -d "$sysmod/kvm_intel" ]; then
		echo "$dev is there but kvm_intel is not loaded: modprobe kvm_intel nested=1"
		return
	fi
	nested=$(cat "$sysmod/kvm_intel/parameters/nested" 2>/dev/null)
	case $nested in
	Y | y | 1) ;;
	*)
		echo "KVM without nested VMX: load kvm_intel with nested=1 (modprobe -r kvm_intel; modprobe kvm_intel nested=1)"
		return ;;
	esac
}

if [ -n "$check_only" ]; then
	why=$(kvm_problem)
	[ -z "$why" ] && exit 0
	say "$why."
	exit 1
fi
if [ ! -f "$disk" ]; then
	say "$disk: no such disk image (make one with tools/mkdisk.sh)"
	exit 2
fi
if ! command -v "$qemu" >/dev/null 2>&1; then
	say "$qemu is not installed (Debian: qemu-system-x86)"
	exit 1
fi
if [ ! -r "$ovmf" ]; then
	say "$ovmf missing (Debian: ovmf)"
	exit 1
fi

if [ "$accel" = kvm ]; then
	why=$(kvm_problem)
	if [ -n "$why" ]; then
		say "$why."
		exit 1
	fi
	accel_args="-enable-kvm -cpu host"
else
	accel_args="-accel tcg -cpu max"
fi

# shellcheck disable=SC2086 # accel_args is two options, split on purpose
exec "$qemu" -nodefaults -machine q35 -m "${RUN_KVM_MEM:-2048}" \
	-smp "${RUN_KVM_CPUS:-2}" $accel_args -bios "$ovmf" \
	-drive "file=$disk,format=raw,if=ide" \
	-serial mon:stdio -display none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=1 "$@"
