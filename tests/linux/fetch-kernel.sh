#!/bin/sh
# SPDX-License-Identifier: MIT
# fetch-kernel.sh OUTDIR: Debian's own kernel, as the distribution ships it,
# unpacked from its package: OUTDIR/vmlinuz (a bzImage).
set -eu
out=$1
mkdir -p "$out"
[ -s "$out/vmlinuz" ] && exit 0
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
echo "$pkg" > "$out/kernel-package"
echo "$out/vmlinuz: $pkg"
