#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install-check.sh [install|dkms] - what a packager would check, without
# touching the host: "install" runs make install into a DESTDIR and checks
# the tree (modules under updates/, and after a depmod of that tree their
# dependencies and the family aliases, the library by soname with a .pc whose version follows
# the symbol nodes, headers clear of the distribution's linux/, tools,
# udev rule, modprobe.d example, man pages, one for each call as man
# CALL finds it), builds and runs a program
# against it through pkg-config, then make uninstall must leave no file. "dkms" builds make dist's tarball with dkms into
# trees of its own (--sourcetree, --dkmstree) for the stock kernel and
# checks the two modules (NLMMAP_DKMS_KEEP=DIR: and copies them there).
# Loads nothing. Prints "ok|FAIL install/<what>".
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tools/testing/vm/lib.sh"
BUILD=${NLMMAP_BUILD:-$TOP/build}
VERSION=$(cat "$TOP/VERSION")
KREL=$(stock_abi)
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # name, condition command...
	local name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		echo "ok   install/$name"
	else
		echo "FAIL install/$name"
		sed 's/^/# /' "$tmp/out" | tail -20
		fails=$((fails + 1))
	fi
}

# MAJOR.MINOR of VERSION is the newest symbol node and the header's; the
# header's full version and dkms.conf's are VERSION.
versions_agree() {
	local node hdr dkms
	node=$(sed -n 's/^LIBMNL_MMAP_\([0-9.]*\) {.*/\1/p' \
		"$TOP/userspace/libmnl-mmap/libmnl-mmap.map" | tail -n 1)
	hdr=$(sed -n 's/^#define LIBMNL_MMAP_VERSION[\t ]*"\(.*\)"/\1/p' \
		"$TOP/userspace/libmnl-mmap/include/libmnl-mmap/libmnl-mmap.h")
	dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
	echo "VERSION $VERSION, newest node $node, header $hdr, dkms.conf $dkms"
	[ "${VERSION%.*}" = "$node" ] && [ "$hdr" = "$VERSION" ] &&
		[ "$dkms" = "$VERSION" ]
}

files_present() {
	local f missing=0
	for f in "$@"; do
		[ -e "$d/$f" ] || { echo "missing $f"; missing=1; }
	done
	[ -e "$d/usr/include/linux" ] && { echo "installed into include/linux"; missing=1; }
	return $missing
}

# As a package's postinst would: depmod on the installed tree (without
# nfnetlink there, nlmmap_queue's dependency on it is unresolved).
modules_resolve() {
	local m=$d/lib/modules/$KREL
	[ ! -e "$m/modules.dep" ] || { echo "make install ran depmod into DESTDIR"; return 1; }
	depmod -b "$d" "$KREL" 2>/dev/null || return 1
	grep -qx 'updates/nlmmap/nlmmap_queue.ko: updates/nlmmap/nlmmap.ko.*' \
		"$m/modules.dep" || { cat "$m/modules.dep"; return 1; }
	[ "$(modprobe -d "$d" -S "$KREL" -R net-pf-16-proto-16-family-nlmmap)" = nlmmap ] &&
	[ "$(modprobe -d "$d" -S "$KREL" -R net-pf-16-proto-16-family-nlmmap_queue)" = nlmmap_queue ] &&
	[ "$(modinfo -F version "$m/updates/nlmmap/nlmmap.ko")" = "$VERSION" ] &&
	! modinfo -F alias "$m/updates/nlmmap/nlmmap_queue.ko" | grep -q nfnetlink
}

soname_is_1() {
	readelf -d "$d$libdir/libmnl-mmap.so.$VERSION" | grep -q 'SONAME.*\[libmnl-mmap.so.1\]'
}

pc() {
	PKG_CONFIG_SYSROOT_DIR=$d PKG_CONFIG_PATH=$d$libdir/pkgconfig \
		pkg-config "$@" libmnl-mmap
}

# MAJOR.MINOR of VERSION can be asked for, the next minor cannot.
pc_version() {
	local major=${VERSION%%.*} minor
	minor=${VERSION#*.}
	minor=${minor%%.*}
	[ "$(pc --modversion)" = "$VERSION" ] &&
		pc --atleast-version "$major.$minor" &&
		! pc --atleast-version "$major.$((minor + 1))"
}

# A program built against the installed tree, run against its library.
program_builds_and_runs() {
	cat >"$tmp/p.c" <<'PROG'
#include <stdio.h>
#include <string.h>
#include <libmnl-mmap/libmnl-mmap.h>
#include <linux/nlmmap_queue.h>

int main(void)
{
	printf("%s %s %s\n", mnl_ring_version(), LIBMNL_MMAP_VERSION,
	       NLMQ_GENL_NAME);
	return strcmp(mnl_ring_version(), LIBMNL_MMAP_VERSION) != 0;
}
PROG
	# shellcheck disable=SC2046 # pkg-config's flags are words
	cc -Wall -Werror -o "$tmp/p" "$tmp/p.c" $(pc --cflags --libs) &&
		LD_LIBRARY_PATH=$d$libdir "$tmp/p" &&
		[ "$(LD_LIBRARY_PATH=$d$libdir ldd "$tmp/p" | grep -c "$d$libdir/libmnl-mmap.so.1")" = 1 ]
}

# man CALL finds a page for every call of the installed header, through
# the installed link pages.
man_finds_calls() {
	local call missing=0
	for call in nlmmap libmnl-mmap $(grep -oh 'mnl_ring_[a-z_]*(' \
		"$d/usr/include/libmnl-mmap/libmnl-mmap.h" | tr -d '(' | sort -u); do
		man -M "$d/usr/share/man" -w "$call" >/dev/null 2>&1 ||
			{ echo "man $call: no page"; missing=1; }
	done
	return $missing
}

nothing_left() {
	local left
	rm -f "$d/lib/modules/$KREL"/modules.*	# the check's own depmod
	left=$(find "$d" -type f -o -type l)
	[ -z "$left" ] || { echo "left after uninstall:"; echo "$left"; return 1; }
}

run_install() {
	d=$tmp/root
	libdir=/usr/lib/$(cc -print-multiarch)
	local man=() p
	for p in "$TOP"/Documentation/man/*.[1-8]; do
		[ -e "$p" ] && man+=("usr/share/man/man${p##*.}/${p##*/}")
	done
	check versions-agree versions_agree
	check make-install make -s -C "$TOP" install DESTDIR="$d" PREFIX=/usr \
		BUILD="$BUILD"
	check tree files_present \
		"lib/modules/$KREL/updates/nlmmap/nlmmap.ko" \
		"lib/modules/$KREL/updates/nlmmap/nlmmap_queue.ko" \
		"$libdir/libmnl-mmap.so.$VERSION" "$libdir/libmnl-mmap.so.1" \
		"$libdir/libmnl-mmap.so" "$libdir/libmnl-mmap.a" \
		"$libdir/pkgconfig/libmnl-mmap.pc" \
		usr/include/libmnl-mmap/libmnl-mmap.h \
		usr/include/nlmmap/linux/nlmmap.h \
		usr/include/nlmmap/linux/nlmmap_queue.h \
		usr/sbin/nlmmap-queue usr/sbin/nlmmap-audit \
		usr/sbin/nlmmap-monitor usr/sbin/nlmmap-stats \
		etc/udev/rules.d/60-nlmmap.rules etc/modprobe.d/nlmmap.conf \
		"${man[@]}"
	check man-pages man_finds_calls
	check modules-resolve modules_resolve
	check soname soname_is_1
	check pkg-config pc_version
	check program program_builds_and_runs
	check make-uninstall make -s -C "$TOP" uninstall DESTDIR="$d" \
		PREFIX=/usr BUILD="$BUILD"
	check nothing-left nothing_left
}

dkms_builds() {
	local src=$tmp/dkms-src tree=$tmp/dkms-tree m
	mkdir -p "$src" "$tree"
	make -s -C "$TOP" dist BUILD="$BUILD" >/dev/null &&
		tar -xzf "$BUILD/nlmmap-$VERSION.tar.gz" -C "$src" &&
		[ -f "$src/nlmmap-$VERSION/dkms.conf" ] || return 1
	dkms build -m nlmmap -v "$VERSION" --sourcetree "$src" \
		--dkmstree "$tree" -k "$KREL" \
		--kernelsourcedir "$(stock_kdir)" || return 1
	m=$tree/nlmmap/$VERSION/$KREL/$(uname -m)/module
	[ "$(modinfo -F vermagic "$m/nlmmap.ko" | cut -d' ' -f1)" = "$KREL" ] &&
		[ "$(modinfo -F depends "$m/nlmmap_queue.ko")" = nlmmap,nfnetlink ] ||
		return 1
	# Kept for a boot (tools/testing/vm/dkms-boot.sh).
	[ -z "${NLMMAP_DKMS_KEEP:-}" ] ||
		cp "$m/nlmmap.ko" "$m/nlmmap_queue.ko" "$NLMMAP_DKMS_KEEP/"
}

case "${1:-install}" in
install) run_install ;;
dkms) check dkms-build dkms_builds ;;
*) echo "install-check.sh: install or dkms" >&2; exit 2 ;;
esac
[ "$fails" = 0 ]
