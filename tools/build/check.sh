#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - everything make check runs: static checks, then the VM on the
# stock kernel (integration tests) and on the debug kernel (KUnit and
# integration tests under KASAN, lockdep, kmemleak, UBSAN); between them
# "dkms", the modules as DKMS builds them from make dist's tarball,
# booted on the stock kernel with smoke tests. Every stage
# runs even after a failure; the last line is "N passed, N failed".
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
export NLMMAP_RESULTS
NLMMAP_RESULTS=$(mktemp)
trap 'rm -f "$NLMMAP_RESULTS"' EXIT
stages=${NLMMAP_STAGES:-static stock dkms debug}

for s in $stages; do
	echo "=== $s ==="
	case "$s" in
	static) "$TOP/tools/build/static.sh" ;;
	stock) "$TOP/tools/testing/vm/run.sh" stock ;;
	dkms) "$TOP/tools/testing/vm/dkms-boot.sh" ;;
	debug) "$TOP/tools/testing/vm/run.sh" --kunit debug ;;
	esac || echo "=== $s failed ==="
	# A stage that died before reporting counts as one failure.
	grep -q . "$NLMMAP_RESULTS" || echo "0 1" >>"$NLMMAP_RESULTS"
	cp "$NLMMAP_RESULTS" "$NLMMAP_RESULTS.$s"
	: >"$NLMMAP_RESULTS"
done
cat "$NLMMAP_RESULTS".* >"$NLMMAP_RESULTS"
rm -f "$NLMMAP_RESULTS".*
read -r p f s < <(awk '{ p += $1; f += $2; s += $3 }
	END { print p + 0, f + 0, s + 0 }' "$NLMMAP_RESULTS")
echo "skipped: $s (cases that cannot run on that kernel; listed above)"
echo "$p passed, $f failed"
[ "$f" = 0 ]
