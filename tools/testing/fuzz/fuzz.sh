#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make check's slice of nlmmap-fuzz (a test program of the VM harness):
# fixed seeds, a bounded number of rounds and seconds, one TAP case per
# mode. Together at most about 100 s on the debug kernel.
dir=$(dirname "$0")
case "${NLMMAP_KERNEL:-}" in
debug) secs=40 ;;
*) secs=20 ;;
esac
rc=0
"$dir/nlmmap-fuzz" --tap fixed_seed_slice --seed 1 --iterations 200 \
	--seconds "$secs" --deadline 25 || rc=1
"$dir/nlmmap-fuzz" --tap torture_slice --torture --seed 2 --iterations 200 \
	--seconds "$secs" --deadline 25 || rc=1
exit $rc
