#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make check's slice of nlmmap-fuzz (a test program of the VM harness):
# a fixed seed in mixed mode (odd rounds torture, rounds 4k+2 serial),
# new rounds for at most SECS seconds, each round at most 60 s: at most
# 110 s on the debug kernel.
dir=$(dirname "$0")
case "${NLMMAP_KERNEL:-}" in
debug) secs=50 ops=30 ;;
*) secs=20 ops=100 ;;
esac
exec "$dir/nlmmap-fuzz" --tap fixed_seed_slice --mixed --seed 1 \
	--iterations 100 --seconds "$secs" --ops "$ops" --deadline 60
