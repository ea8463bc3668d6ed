#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-boot.sh - the modules as a user's DKMS builds them, booted: make
# dist's tarball built by dkms for the stock kernel (install-check.sh
# dkms, in trees of its own; the host loads nothing), then the stock
# kernel's VM boots with those two modules instead of the tree's build
# and runs the tests a first-time user's system needs: autoload (the
# family aliases and modprobe from nothing loaded), genl_family, ring_rx
# and queue_port (a libnetfilter_queue program and its ring port).
#
# Environment: NLMMAP_BUILD (default <top>/build; the modules go to
# its dkms-ko/, the VM's logs to its vm-dkms/), NLMMAP_RESULTS (as
# run.sh), NLMMAP_DKMS_TESTS (the tests, comma-separated). Prints
# "ok|FAIL dkms/build", then run.sh's lines; exits 1 on any failure.
set -u
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
build=${NLMMAP_BUILD:-$TOP/build}
ko=$build/dkms-ko
tests=${NLMMAP_DKMS_TESTS:-autoload,genl_family,ring_rx,queue_port}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

rm -rf "$ko"
mkdir -p "$ko"
if NLMMAP_BUILD=$build NLMMAP_DKMS_KEEP=$ko \
	"$TOP/tools/build/install-check.sh" dkms >"$log" 2>&1 &&
	[ -f "$ko/nlmmap.ko" ] && [ -f "$ko/nlmmap_queue.ko" ]; then
	echo "ok   dkms/build"
	[ -z "${NLMMAP_RESULTS:-}" ] || echo "1 0" >>"$NLMMAP_RESULTS"
else
	echo "FAIL dkms/build"
	sed 's/^/# /' "$log" | tail -20
	[ -z "${NLMMAP_RESULTS:-}" ] || echo "0 1" >>"$NLMMAP_RESULTS"
	exit 1
fi
NLMMAP_BUILD=$build NLMMAP_VM_KO=$ko NLMMAP_VM_OUT=$build/vm-dkms \
	"$TOP/tools/testing/vm/run.sh" --tests "$tests" stock
