#!/bin/sh
# SPDX-License-Identifier: MIT
# fetch-kernel.sh OUTDIR: Debian's own kernel, as the distribution ships it,
# unpacked from its package: OUTDIR/vmlinuz (a bzImage), and the virtio
# drivers it builds as modules in OUTDIR/modules/, with OUTDIR/modules/order
# naming them in load order (tests/linux/mkinitrd.sh puts them in the
# initramfs, tests/linux/init loads them when there is a virtio device).
set -eu
out=$1
mkdir -p "$out"
# The drivers wanted; each goes after what it needs. ext4 (which mounts
# ext2) is for the file system the virtio-blk test makes on its disk; it
# asks for crc32c at mount, which nothing would load for it later.
WANT="virtio_pci virtio_rng virtio_console virtio_blk virtio_net crc32c_generic ext4"
# Done before, with every driver wanted now (the list grows).
have_all() {
	[ -s "$out/vmlinuz" ] && [ -s "$out/modules/order" ] || return 1
	for w in $WANT; do
		grep -qx "$w.ko" "$out/modules/order" || return 1
	done
}
if have_all; then
	touch "$out/vmlinuz" # newer than this script: make need not ask again
	exit 0
fi
# linux-image-amd64 is the metapackage; it depends on the real one.
find_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -1
}
pkg=$(find_pkg)
if [ -z "$pkg" ]; then
	# No package lists yet on this machine.
	apt-get update >/dev/null
	pkg=$(find_pkg)
fi
if [ -z "$pkg" ]; then
	echo "$0: cannot find the kernel package (run 'apt-get update')" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) ||
	(apt-get update >/dev/null && cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1)
dpkg-deb -x "$tmp"/*.deb "$tmp/root"
cp "$tmp"/root/boot/vmlinuz-* "$out/vmlinuz"
# The package has no modules.dep (depmod makes it at install): each
# module's needs come from its own depends= field.
mods=$(echo "$tmp"/root/lib/modules/*)
rm -rf "$out/modules"
mkdir -p "$out/modules"
: > "$out/modules/order.new"
# A module's file may spell its name with '-' for '_' (virtio-rng.ko).
find_ko() {
	find "$mods" \( -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" \) | head -1
}
add() {
	grep -qx "$1.ko" "$out/modules/order.new" && return 0
	[ -n "$(find_ko "$1")" ] || { echo "$0: no module $1 in $pkg" >&2; exit 1; }
	for d in $(strings -a "$(find_ko "$1")" | sed -n 's/^depends=//p' | tr ',' ' '); do
		add "$d"
	done
	cp "$(find_ko "$1")" "$out/modules/$1.ko"
	echo "$1.ko" >> "$out/modules/order.new"
}
for want in $WANT; do
	add "$want"
done
mv "$out/modules/order.new" "$out/modules/order" # complete: the mark of a done fetch
echo "$pkg" > "$out/kernel-package"
echo "$out/vmlinuz: $pkg"
