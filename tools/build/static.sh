#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# static.sh [CHECK]... - the static checks of make check; CHECK is one of
# checkpatch kernel-doc sparse w1 shellcheck abi uapi-layout tools man
# install dkms queue-port-diff.
# checkpatch.pl --strict (from linux-source-6.1) per kernel source file,
# kernel-doc warnings,
# sparse (C=2) and a W=1 build of the module against the stock headers;
# any report fails. Prints "ok|FAIL static/<check>" lines; with
# NLMMAP_RESULTS set, appends "<passed> <failed>" to it.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
. "$TOP/tools/testing/vm/lib.sh"
BUILD=${NLMMAP_BUILD:-$TOP/build}
passed=0 failed=0

verdict() { # name, status (0 = pass), report file
	if [ "$2" = 0 ]; then
		passed=$((passed + 1)); echo "ok   static/$1"
	else
		failed=$((failed + 1)); echo "FAIL static/$1"; cat "$3"
	fi
}

kernel_files() {
	cd "$TOP" && git ls-files 'net/nlmmap/*.[ch]' 'tests/kunit/*.[ch]' \
		'include/*.h' 2>/dev/null
}

run_checkpatch() {
	local src f rep
	src=$(source_tree)
	rep=$(mktemp)
	for f in $(kernel_files); do
		(cd "$TOP" && "$src/scripts/checkpatch.pl" --strict --no-tree \
			--quiet --show-types --ignore SPDX_LICENSE_TAG \
			--ignore FILE_PATH_CHANGES -f "$f") >"$rep" 2>&1
		verdict "checkpatch/$f" $? "$rep"
	done
	rm -f "$rep"
}

# kernel-doc on the exported API and every documented function; with
# KBUILD_EXTRA_WARN=2 it also reports missing return descriptions.
run_kerneldoc() {
	local src rep files
	src=$(source_tree)
	rep=$(mktemp)
	mapfile -t files < <(kernel_files)
	(cd "$TOP" && KBUILD_EXTRA_WARN=2 "$src/scripts/kernel-doc" -none \
		"${files[@]}") >"$rep" 2>&1
	[ ! -s "$rep" ]
	verdict kernel-doc $? "$rep"
	rm -f "$rep"
}

# Build the module (and the KUnit module) against the stock headers with
# extra flags; report any diagnostic about our files.
build_with() { # name, make args...
	local name=$1 out rep
	shift
	out=$BUILD/static-$name
	rep=$(mktemp)
	rm -rf "$out"
	make -s -C "$TOP" modules MODOUT="$out" KDIR="$(stock_kdir)" KUNIT=n \
		"$@" >"$rep.all" 2>&1
	local rc=$?
	grep -E "(warning|error):" "$rep.all" | grep "$out/src" >"$rep"
	if [ $rc != 0 ]; then cat "$rep.all" >>"$rep"; fi
	[ $rc = 0 ] && [ ! -s "$rep" ]
	verdict "$name" $? "$rep"
	rm -f "$rep" "$rep.all"
}

# Every shell script, through shellcheck (the guest init is busybox sh).
run_shellcheck() {
	local rep files
	rep=$(mktemp)
	mapfile -t files < <(cd "$TOP" && git ls-files '*.sh' .ci/run)
	(cd "$TOP" && shellcheck -x -P SCRIPTDIR "${files[@]}" &&
		shellcheck -s sh tools/testing/vm/guest/init) >"$rep" 2>&1
	verdict shellcheck $? "$rep"
	rm -f "$rep"
}

# The library exports exactly the calls its header documents, through its
# version script.
run_abi() {
	local rep want got
	rep=$(mktemp)
	make -s -C "$TOP" lib BUILD="$BUILD" >"$rep" 2>&1 || {
		verdict abi 1 "$rep"
		return
	}
	want=$(grep -oh 'mnl_ring_[a-z_]*(' \
		"$TOP/userspace/libmnl-mmap/include/libmnl-mmap/libmnl-mmap.h" |
		tr -d '(' | sort -u)
	got=$(nm -D --defined-only "$BUILD/lib/libmnl-mmap.so" |
		awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort)
	if [ "$want" = "$got" ] && [ -n "$got" ]; then
		: >"$rep"
	else
		diff <(echo "$want") <(echo "$got") >"$rep"
		echo "nm -D differs from libmnl-mmap.h (< header, > library)" \
			>>"$rep"
	fi
	[ ! -s "$rep" ]
	verdict abi $? "$rep"
	rm -f "$rep"
}

# Every user tool's command line (tool-args.sh): --help, refusals, and
# nothing opened or sent for either. No module is needed, nor loaded.
run_tools() {
	local rep
	rep=$(mktemp)
	if make -s -C "$TOP" tools BUILD="$BUILD" >"$rep" 2>&1; then
		"$TOP/tools/build/tool-args.sh" "$BUILD/tools" >"$rep" 2>&1
	fi
	verdict tool-args $? "$rep"
	rm -f "$rep"
}

# make install into a DESTDIR, the tree checked, make uninstall; and a
# DKMS build of make dist's tarball (install-check.sh). Loads nothing.
run_install() { # install|dkms
	local rep
	rep=$(mktemp)
	NLMMAP_BUILD=$BUILD "$TOP/tools/build/install-check.sh" "$1" >"$rep" 2>&1
	verdict "$1" $? "$rep"
	rm -f "$rep"
}

# Every man page: groff's warnings (-ww) are failures, and man renders it,
# both from a tree laid out as installed (manN/), where a link page's .so
# resolves; every page's .TH names "nlmmap VERSION", so none goes stale;
# and every call of libmnl-mmap.h has a page, as man CALL finds it.
run_man() {
	local rep p name src tree v call
	rep=$(mktemp)
	tree=$(mktemp -d)
	v=$(cat "$TOP/VERSION")
	for p in "$TOP"/Documentation/man/*.[1-8]; do
		mkdir -p "$tree/man${p##*.}" && cp "$p" "$tree/man${p##*.}/"
	done
	for p in "$TOP"/Documentation/man/*.[1-8]; do
		name=${p##*/}
		src=man${p##*.}/$name
		grep -q '^\.so ' "$p" ||
			grep -qx "\.TH [^ ]* [1-8] [0-9-]* \"nlmmap $v\" .*" "$p" ||
			echo "$name: .TH is not of \"nlmmap $v\" (VERSION):" \
				"$(grep -m1 '^\.TH' "$p")" >>"$rep"
		{ (cd "$tree" && groff -ww -z -man "$src") 2>&1 |
			sed "s|^|$name: |"
		  (cd "$tree" && MANWIDTH=80 man -l "$src") >/dev/null 2>&1 ||
			echo "$name: man -l failed"; } >>"$rep"
	done
	for call in $(grep -oh 'mnl_ring_[a-z_]*(' \
		"$TOP/userspace/libmnl-mmap/include/libmnl-mmap/libmnl-mmap.h" |
		tr -d '(' | sort -u); do
		man -M "$tree" -w "$call" >/dev/null 2>&1 ||
			echo "$call: no page (man $call finds none)" >>"$rep"
	done
	rm -rf "$tree"
	[ ! -s "$rep" ]
	verdict man $? "$rep"
	rm -f "$rep"
}

# The port of an nfqueue program to the ring stays small: the socket
# example and its ring twin are at most 30 changed lines apart (diff -u,
# its file headers left out), and the diff queue.rst shows is that diff.
run_queue_port_diff() {
	local rep ex="$TOP/userspace/libmnl-mmap/examples" n
	local doc="$TOP/Documentation/nlmmap/nfq-port.diff"
	rep=$(mktemp)
	(cd "$ex" && diff -u --label nfq-port.c --label nfq-port-ring.c \
		nfq-port.c nfq-port-ring.c) >"$rep.diff"
	n=$(grep -v -e '^+++ ' -e '^--- ' "$rep.diff" | grep -c '^[-+]')
	[ "$n" -le 30 ] || echo "nfq-port.c to nfq-port-ring.c: $n changed lines (at most 30)" >>"$rep"
	[ "$n" -gt 0 ] || echo "nfq-port.c and nfq-port-ring.c do not differ" >>"$rep"
	diff -u "$doc" "$rep.diff" >>"$rep" 2>&1 ||
		echo "${doc#"$TOP"/} is not the examples' diff: regenerate it" >>"$rep"
	rm -f "$rep.diff"
	[ ! -s "$rep" ]
	verdict queue-port-diff $? "$rep"
	rm -f "$rep"
}

# The uAPI's structures have one layout for i386 and x86-64: fixed sizes,
# offsets and ioctl numbers, compiled for both.
run_uapi_layout() {
	local rep m
	rep=$(mktemp)
	for m in 32 64; do
		gcc -m$m -std=c11 -Wall -Werror -fsyntax-only \
			-I"$TOP/include/uapi" -include \
			"$TOP/tools/testing/selftests/nlmmap/uapi_layout.h" \
			-x c /dev/null >>"$rep" 2>&1 || echo "with -m$m" >>"$rep"
	done
	[ ! -s "$rep" ]
	verdict uapi-layout $? "$rep"
	rm -f "$rep"
}

# dkms is make check's dkms stage (tools/testing/vm/dkms-boot.sh), which
# boots what it builds.
[ $# -gt 0 ] || set -- checkpatch kernel-doc sparse w1 shellcheck abi \
	uapi-layout tools man install queue-port-diff
for c in "$@"; do
	case "$c" in
	checkpatch) run_checkpatch ;;
	kernel-doc) run_kerneldoc ;;
	sparse) build_with sparse C=2 ;;
	w1) build_with w1 ;;
	shellcheck) run_shellcheck ;;
	abi) run_abi ;;
	tools) run_tools ;;
	install|dkms) run_install "$c" ;;
	man) run_man ;;
	uapi-layout) run_uapi_layout ;;
	queue-port-diff) run_queue_port_diff ;;
	*) echo "static.sh: unknown check $c" >&2; exit 2 ;;
	esac
done
[ -n "${NLMMAP_RESULTS:-}" ] && echo "$passed $failed" >>"$NLMMAP_RESULTS"
echo "static: $passed passed, $failed failed"
[ "$failed" = 0 ]
