#!/bin/sh
# SPDX-License-Identifier: MIT
# mkinitrd.sh OUT: a gzip'd cpio initramfs with busybox (from Debian's
# busybox-static) and tests/linux/init, and in /lib/modules the virtio
# drivers that tests/linux/fetch-kernel.sh put beside OUT, if it did.
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/proc" "$tmp/sys" "$tmp/dev" "$tmp/tmp"
cp /bin/busybox "$tmp/bin/busybox"
# Linked where nothing else in the guest runs, so that a debugger
# breakpoint on its first instruction (make bench) stops nowhere else.
gcc -static -nostdlib -O2 -fno-stack-protector -mgeneral-regs-only \
	-Wl,-Ttext-segment=0x60000000 -o "$tmp/bin/shale-tsc" "$here/tsc.c"
gcc -static -nostdlib -O2 -fno-stack-protector -mgeneral-regs-only \
	-o "$tmp/bin/shale-tlb" "$here/tlb.c"
ln -s busybox "$tmp/bin/sh"
mods=$(dirname "$out")/modules
if [ -s "$mods/order" ]; then
	mkdir -p "$tmp/lib/modules"
	for m in $(cat "$mods/order"); do
		cp "$mods/$m" "$tmp/lib/modules/$m"
	done
	cp "$mods/order" "$tmp/lib/modules/order"
fi
cp "$here/init" "$tmp/init"
chmod 755 "$tmp/init"
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -9) > "$out"
echo "$out: $(stat -c %s "$out") bytes"
