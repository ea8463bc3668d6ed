#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh [--check] - install (or with --check, only test for) every
# Debian package nlmmap needs to build, test and benchmark.
set -eu
pkgs="linux-image-amd64 linux-headers-amd64 linux-source-6.1
gcc make libc6-dev pkg-config qemu-system-x86 busybox-static cpio gzip
gcc-multilib libc6-dev-i386
xz-utils zstd kmod flex bison bc libelf-dev libssl-dev dwarves sparse
perl python3 libmnl-dev libnl-3-dev libnl-genl-3-dev
libnetfilter-queue-dev nftables iptables iperf3 iproute2 shellcheck git gnuplot-nox strace dkms groff-base man-db"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "${1:-}" = --check ]; then
	echo "missing packages:$missing" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
