#!/bin/sh
# SPDX-License-Identifier: MIT
# fetch-kernel.sh OUTDIR: Debian's own kernel, as the distribution ships it,
# unpacked from its package: OUTDIR/vmlinuz (a bzImage).
set -eu
out=$1
mkdir -p "$out"
[ -s "$out/vmlinuz" ] && exit 0
# linux-image-amd64 is the metapackage; it depends on the real one.
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -1)
if [ -z "$pkg" ]; then
	echo "$0: cannot find the kernel package (run 'apt-get update')" >&2
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download "$pkg" >/dev/null)
dpkg-deb -x "$tmp"/*.deb "$tmp/root"
cp "$tmp"/root/boot/vmlinuz-* "$out/vmlinuz"
echo "$pkg" > "$out/kernel-package"
echo "$out/vmlinuz: $pkg"
