# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for the nlmmap VM harness; sourced, not run.

NLMMAP_CACHE=${NLMMAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nlmmap}
VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034 # for the scripts that source this file
TOP=$(cd "$VM_DIR/../../.." && pwd)

die() { echo "vm: $*" >&2; exit 1; }

# The ABI name Debian's metapackage points at, e.g. 6.1.0-56-amd64.
stock_abi() {
	dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
		sed -n 's/.*linux-image-\([0-9][^ ,]*-amd64\).*/\1/p'
}

stock_kdir() { echo "/usr/src/linux-headers-$(stock_abi)"; }

# The upstream tarball from linux-source-6.1 and its package version.
source_tarball() { ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null; }
source_version() { dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null; }

# An unpacked linux-source tree (for checkpatch, extract-vmlinux, the
# debug kernel), cached per package version.
source_tree() {
	local v dir
	v=$(source_version) || return 1
	[ -n "$v" ] || die "linux-source-6.1 is not installed (make deps)"
	dir=$NLMMAP_CACHE/src-$v
	if [ ! -f "$dir/.unpacked" ]; then
		mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xf "$(source_tarball)" ||
			die "cannot unpack $(source_tarball)"
		touch "$dir/.unpacked"
	fi
	echo "$dir"
}

# Cache key of the debug kernel: source version + fragment contents.
debug_key() {
	{ source_version; cat "$VM_DIR/config/debug.config"; } |
		sha256sum | cut -c1-16
}

debug_dir() { echo "$NLMMAP_CACHE/debug-$(debug_key)"; }
