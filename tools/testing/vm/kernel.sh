#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kernel.sh stock|debug - make a test kernel ready and print its settings
# as shell assignments:
#   KNAME   stock or debug
#   KIMAGE  what QEMU boots (ELF vmlinux through PVH, or a bzImage)
#   KDIR    the tree external modules build against
#   KMODS   a directory holding lib/modules/<release> of that kernel
#   KREL    the kernel release string
#
# stock: Debian's linux-image-amd64, whichever ABI the metapackage points
#        at; its bzImage is unpacked to an ELF vmlinux once and cached.
# debug: built from linux-source-6.1 with tinyconfig + config/debug.config
#        (KASAN, lockdep, kmemleak, UBSAN, KUnit), cached under
#        $NLMMAP_CACHE keyed by the source version and the fragment.
set -eu
# shellcheck source=tools/testing/vm/lib.sh
. "$(dirname "$0")/lib.sh"

prepare_stock() {
	local abi out src
	abi=$(stock_abi)
	[ -n "$abi" ] || die "linux-image-amd64 is not installed (make deps)"
	[ -f "/boot/vmlinuz-$abi" ] || die "/boot/vmlinuz-$abi missing"
	[ -d "$(stock_kdir)" ] || die "$(stock_kdir) missing (make deps)"
	out=$NLMMAP_CACHE/stock-$abi
	if [ ! -s "$out/vmlinux" ]; then
		src=$(source_tree)
		mkdir -p "$out"
		"$src/scripts/extract-vmlinux" "/boot/vmlinuz-$abi" \
			>"$out/vmlinux.tmp" || die "extract-vmlinux failed"
		mv "$out/vmlinux.tmp" "$out/vmlinux"
	fi
	echo "KNAME=stock"
	echo "KIMAGE=$out/vmlinux"
	echo "KDIR=$(stock_kdir)"
	echo "KMODS=/"
	echo "KREL=$abi"
}

check_fragment() {
	local cfg=$1 line key want got bad=0
	while IFS= read -r line; do
		case "$line" in CONFIG_*=*) ;; *) continue ;; esac
		key=${line%%=*}
		want=${line#*=}
		got=$(sed -n "s/^$key=//p" "$cfg")
		[ -n "$got" ] || { grep -q "^# $key is not set" "$cfg" && got=n; }
		if [ "$got" != "$want" ]; then
			echo "vm: $key wanted $want, got ${got:-unset}" >&2
			bad=1
		fi
	done <"$VM_DIR/config/debug.config"
	return $bad
}

build_debug() {
	local dir=$1 src tmp=$1
	src=$(source_tree)
	rm -rf "$tmp"
	mkdir -p "$tmp"
	echo "vm: building the debug kernel in $tmp (once per fragment)" >&2
	make -s -C "$src" O="$tmp" tinyconfig >&2
	"$src/scripts/kconfig/merge_config.sh" -m -O "$tmp" "$tmp/.config" \
		"$VM_DIR/config/debug.config" >/dev/null
	make -s -C "$src" O="$tmp" olddefconfig >&2
	check_fragment "$tmp/.config" || die "debug config fragment did not apply"
	make -s -C "$tmp" -j"$(nproc)" bzImage modules >&2
	make -s -C "$tmp" INSTALL_MOD_PATH="$tmp/modroot" modules_install >&2
	touch "$dir/.complete"
}

prepare_debug() {
	local dir
	dir=$(debug_dir)
	mkdir -p "$NLMMAP_CACHE"
	exec 9>"$NLMMAP_CACHE/.debug.lock"
	flock 9
	[ -f "$dir/.complete" ] || build_debug "$dir"
	echo "KNAME=debug"
	echo "KIMAGE=$dir/arch/x86/boot/bzImage"
	echo "KDIR=$dir"
	echo "KMODS=$dir/modroot"
	echo "KREL=$(cat "$dir/include/config/kernel.release")"
}

case "${1:-}" in
stock) prepare_stock ;;
debug) prepare_debug ;;
*) die "usage: $0 stock|debug" ;;
esac
