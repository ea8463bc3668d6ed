#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# initramfs.sh OUT KMODS KREL MODDIR TESTDIRS [kernel-module ...]
#
# Builds a gzip'd initramfs: busybox-static, guest/init, the nlmmap
# modules from MODDIR (to /lib/modules/KREL/updates, linked from
# /lib/nlmmap), the programs of TESTDIRS (to /tests; a colon-separated
# list) with the shared libraries they need (ldd), the named kernel
# modules of KMODS/lib/modules/KREL with their dependencies, and the
# host's kmod as /sbin/kmod: the tree is depmod'ed, so the guest's
# modprobe (and the kernel's request_module()) resolves aliases and
# dependencies as on an installed system.
#
# NLMMAP_VM_FILES=DIR: DIR's contents go to /opt/nlmmap (its programs'
# libraries resolved with ldd); NLMMAP_VM_TOOLS="ip auditctl": those host
# programs, with their libraries, to /opt/nlmmap/bin; NLMMAP_VM_RUN=CMD:
# the command line init runs for nlmmap.demo=run, as /etc/nlmmap-run.
set -eu
# shellcheck source=tools/testing/vm/lib.sh
. "$(dirname "$0")/lib.sh"

out=$1 kmods=$2 krel=$3 moddir=$4 testdir=$5
shift 5
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

chmod 755 "$root"
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,etc,lib/nlmmap,tests}
mkdir -p "$root/lib/modules/$krel/updates"
chmod 1777 "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
cp "$VM_DIR/guest/init" "$root/init"
for ko in "$moddir"/*.ko; do
	cp "$ko" "$root/lib/modules/$krel/updates/"
	ln -s "../modules/$krel/updates/${ko##*/}" "$root/lib/nlmmap/${ko##*/}"
done
echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >>"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"

# A program's shared libraries (ldd), into the same paths in the guest.
libs() {
	ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# kmod, for modprobe and the kernel's request_module().
cp -L /bin/kmod "$root/sbin/kmod"
libs /bin/kmod

# Test programs and the libraries they load.
for f in $(echo "$testdir" | tr : " " | sed "s|\([^ ]*\)|\1/*|g"); do
	if [ ! -x "$f" ] || [ ! -f "$f" ]; then
		continue
	fi
	cp "$f" "$root/tests/"
	libs "$f"
done

# The user's files and host tools (run.sh --run).
if [ -n "${NLMMAP_VM_FILES:-}" ]; then
	[ -d "$NLMMAP_VM_FILES" ] || die "NLMMAP_VM_FILES=$NLMMAP_VM_FILES is not a directory"
	mkdir -p "$root/opt/nlmmap"
	cp -a "$NLMMAP_VM_FILES/." "$root/opt/nlmmap/"
	find "$root/opt/nlmmap" -type f -perm -u+x | while read -r f; do
		libs "$f"
	done
fi
if [ -n "${NLMMAP_VM_RUN:-}" ]; then
	printf '%s\n' "$NLMMAP_VM_RUN" >"$root/etc/nlmmap-run"
	# Run by the host's dash: busybox's sh prefers its own applets (ip,
	# modprobe) to the programs in PATH.
	mkdir -p "$root/usr/bin"
	cp -L /bin/dash "$root/usr/bin/dash"
	libs /bin/dash
fi
for b in ${NLMMAP_VM_TOOLS:-}; do
	p=$(command -v "$b") || die "NLMMAP_VM_TOOLS: no $b on this host"
	mkdir -p "$root/opt/nlmmap/bin"
	cp -L "$p" "$root/opt/nlmmap/bin/"
	libs "$p"
done

# iptables loads its extensions (and what they link) from the directory
# next to libxtables.
if [ -e "$root/tests/iptables" ]; then
	xt=$(ldd "$root/tests/iptables" | grep -o '/[^ ]*libxtables[^ ]*')
	xt=$(readlink -f "$(dirname "$xt")")/xtables
	mkdir -p "$root$xt"
	for f in "$xt"/*.so; do
		cp -L "$f" "$root$f"
		libs "$f"
	done
fi

# Kernel modules with their dependencies, decompressed.
for m in "$@"; do
	mkdir -p "$root/lib/modules/$krel"
	# Built-in ones are named in "builtin", for the tests.
	modprobe -d "$kmods" -S "$krel" --show-depends "$m" 2>/dev/null |
		awk '$1 == "builtin" { print $2 }' \
		>>"$root/lib/modules/$krel/builtin"
	modprobe -d "$kmods" -S "$krel" --show-depends "$m" |
		awk '$1 == "insmod" { print $2 }' | while read -r ko; do
		dst=$root/lib/modules/$krel/$(basename "${ko%.[xg]z}")
		dst=${dst%.zst}
		case "$ko" in
		*.xz) xz -dc "$ko" >"$dst" ;;
		*.zst) zstd -qdc "$ko" >"$dst" ;;
		*) cp "$ko" "$dst" ;;
		esac
		basename "$dst" >>"$root/lib/modules/$krel/load-order"
	done
done

# modules.dep and modules.alias for the guest's modprobe; what is built
# in, so that modprobe takes it as present.
for f in modules.builtin modules.builtin.modinfo; do
	src=$kmods/lib/modules/$krel/$f
	[ -f "$src" ] && cp "$src" "$root/lib/modules/$krel/"
done
(cd "$root/lib/modules/$krel" && find . -name '*.ko' | sed 's|^\./||' |
	sort >modules.order)
depmod -b "$root" "$krel" ||
	die "depmod of the guest's modules failed"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
