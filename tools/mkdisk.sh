#!/bin/sh
# SPDX-License-Identifier: MIT
# mkdisk.sh SHALE_EFI CONFIG_DIR OUTPUT
#
# Builds a bootable Shale disk image: a GPT disk with
#   1. an EFI system partition holding EFI/BOOT/BOOTX64.EFI (= shale.efi)
#   2. a FAT partition named "shale-config" holding every file of
#      CONFIG_DIR (shale.cfg and the guest images it names)
# Write OUTPUT to a USB stick with dd (docs/usb.md) or boot it in an emulator.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 SHALE_EFI CONFIG_DIR OUTPUT" >&2
	exit 2
fi
efi=$1 dir=$2 out=$3
[ -f "$efi" ] || { echo "$0: $efi: no such file" >&2; exit 1; }
[ -f "$dir/shale.cfg" ] || { echo "$0: $dir/shale.cfg: no such file" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Sizes in MiB. The config partition gets its content plus a quarter and
# 8 MiB, so FAT overhead never makes it too small.
esp_mb=16
content_kb=$(du -sk --apparent-size "$dir" | cut -f1)
cfg_mb=$(( content_kb * 5 / 4 / 1024 + 8 ))
[ $cfg_mb -ge 16 ] || cfg_mb=16
total_mb=$(( 1 + esp_mb + cfg_mb + 1 ))

mkfs.fat -C -n SHALE-ESP "$tmp/esp.img" $(( esp_mb * 1024 )) >/dev/null
mmd -i "$tmp/esp.img" ::/EFI ::/EFI/BOOT
mcopy -i "$tmp/esp.img" "$efi" ::/EFI/BOOT/BOOTX64.EFI

mkfs.fat -C -n SHALE-CFG "$tmp/cfg.img" $(( cfg_mb * 1024 )) >/dev/null
for f in "$dir"/*; do
	mcopy -s -i "$tmp/cfg.img" "$f" ::/
done

rm -f "$out"
truncate -s ${total_mb}M "$out"
sgdisk -o \
	-n 1:1M:+${esp_mb}M -t 1:ef00 -c 1:"EFI system" \
	-n 2:0:+${cfg_mb}M -t 2:0700 -c 2:shale-config "$out" >/dev/null
dd if="$tmp/esp.img" of="$out" bs=1M seek=1 conv=notrunc status=none
dd if="$tmp/cfg.img" of="$out" bs=1M seek=$(( 1 + esp_mb )) conv=notrunc status=none
echo "$out: ${total_mb} MiB (EFI system ${esp_mb} MiB, shale-config ${cfg_mb} MiB)"
