#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [options] stock|debug - boot a test kernel in QEMU (TCG) with the
# nlmmap module and run tests in it.
#
#   --tests a,b     only these test programs (default: all of them)
#   --kunit         also run the KUnit module (debug kernel only)
#   --demo [NAME]   run the demo (or /tests/nlmmap-NAME) instead of the
#                   tests; its output streamed as it runs
#   --run 'CMD'     run CMD (a shell command line) in the guest instead of
#                   the tests, with nlmmap and nlmmap_queue loaded and
#                   autoloading on; its output streamed, then its exit
#                   status. NLMMAP_VM_FILES=DIR goes to /opt/nlmmap (CMD
#                   runs there; programs in it get their libraries),
#                   NLMMAP_VM_TOOLS="ip auditctl nft" (host programs) to
#                   /opt/nlmmap/bin, first in PATH
#   --bench ARGS    run nlmmap-bench instead, on one vCPU with the icount
#                   plugin (tools/bench/run.sh does this)
#   --break         NLMMAP_BREAK=1 in the guest: tests fail on purpose
#   --fuzz SECONDS  run nlmmap-fuzz for that long instead (seed from
#                   NLMMAP_FUZZ_SEED, else its own; only round
#                   NLMMAP_FUZZ_ROUND if set), then its summary
#
# Environment: NLMMAP_VM_TIMEOUT (seconds, default 1200 for stock and 2400
# for debug, whose tests under KASAN and kmemleak take 3-4x longer and
# under a host load of 15 on two cores ran past 1200 s), NLMMAP_RESULTS
# (a file that gets one line "<passed> <failed>" appended), NLMMAP_BUILD
# (build directory, default <top>/build), NLMMAP_VM_FILES and
# NLMMAP_VM_TOOLS (above), NLMMAP_VM_KO (a directory with nlmmap.ko and
# nlmmap_queue.ko built elsewhere, for example by DKMS, booted instead of
# building them; not with --kunit), NLMMAP_VM_OUT (where the logs go,
# default <build>/vm-<kernel>).
#
# Prints one line per case and "<kernel>: N passed, N failed"; exits 1 on
# any failure, including any kernel report on the console.
set -eu
# shellcheck source=tools/testing/vm/lib.sh
. "$(dirname "$0")/lib.sh"

tests=all kunit=0 demo=0 brk=0 bench='' fuzz='' run=''
while [ $# -gt 1 ]; do
	case "$1" in
	--tests) tests=$2; shift ;;
	--kunit) kunit=1 ;;
	--demo)
		demo=1
		# A name when a kernel still follows it.
		case "$2" in
		-*|stock|debug) ;;
		*[!a-z]*) die "--demo NAME: lower-case letters only" ;;
		*) [ $# -gt 2 ] && { demo=$2; shift; } ;;
		esac ;;
	--run) demo=run run=$2; shift ;;
	--bench) demo=bench bench=$2; shift ;;
	--break) brk=1 ;;
	--fuzz) demo=fuzz fuzz=$2; shift ;;
	*) die "unknown option $1" ;;
	esac
	shift
done
kernel=${1:-}
[ "$kernel" = stock ] || [ "$kernel" = debug ] || die "usage: run.sh [options] stock|debug"

# kernel.sh prints KEY=VALUE lines: take the keys we know, evaluate nothing.
KIMAGE='' KDIR='' KMODS='' KREL=''
while IFS='=' read -r key value; do
	case "$key" in
	KIMAGE) KIMAGE=$value ;;
	KDIR) KDIR=$value ;;
	KMODS) KMODS=$value ;;
	KREL) KREL=$value ;;
	esac
done < <("$VM_DIR/kernel.sh" "$kernel" || echo "FAILED=1")
if [ -z "$KIMAGE" ] || [ -z "$KDIR" ]; then
	die "no $kernel kernel (see above)"
fi
build=${NLMMAP_BUILD:-$TOP/build}
out=${NLMMAP_VM_OUT:-$build/vm-$kernel}
mkdir -p "$out"

# The module (and on the debug kernel the KUnit module) for this kernel,
# and the userspace test programs.
moddir=$build/mod-$kernel
if [ -n "${NLMMAP_VM_KO:-}" ]; then
	[ "$kunit" = 0 ] || die "NLMMAP_VM_KO: modules built elsewhere have no KUnit"
	for m in nlmmap nlmmap_queue; do
		[ -f "$NLMMAP_VM_KO/$m.ko" ] || die "NLMMAP_VM_KO=$NLMMAP_VM_KO has no $m.ko"
	done
	moddir=$NLMMAP_VM_KO
else
	make -s -C "$TOP" modules KDIR="$KDIR" MODOUT="$moddir" \
		KUNIT="$([ "$kunit" = 1 ] && echo y || echo n)" >&2
fi
make -s -C "$TOP" tests tools BUILD="$build" >&2

# The packet queue's tests and demo: netfilter's modules (loaded by the
# tests, in their order), nft and iptables to set rules, iperf3 to move
# traffic. ring_gup: the loop driver, for O_DIRECT, where it is a module.
extra="nfnetlink nf_tables nft_queue nfnetlink_queue nft_compat xt_NFQUEUE"
extra="$extra xt_tcpudp ${NLMMAP_VM_MODULES:-}"
modprobe -d "$KMODS" -S "$KREL" --show-depends loop >/dev/null 2>&1 &&
	extra="$extra loop"
mkdir -p "$build/hostbin"
for b in nft iperf3 iptables; do
	p=$(command -v "$b" || true)
	[ -n "$p" ] && ln -sf "$p" "$build/hostbin/$b"
done
# shellcheck disable=SC2086
NLMMAP_VM_RUN=$run "$VM_DIR/initramfs.sh" "$out/initramfs.gz" "$KMODS" "$KREL" \
	"$moddir" "$build/tests:$build/tools:$build/lib/examples:$build/hostbin" $extra

case "$KIMAGE" in
*bzImage) mem=2048 ;;
*) mem=1024 ;;
esac
cmdline="console=ttyS0 loglevel=5 panic=-1 rdinit=/init nlmmap.kernel=$kernel"
cmdline="$cmdline nlmmap.tests=$tests nlmmap.kunit=$kunit nlmmap.demo=$demo"
cmdline="$cmdline nlmmap.break=$brk"
if [ -n "$fuzz" ]; then
	case "$fuzz${NLMMAP_FUZZ_SEED:-}${NLMMAP_FUZZ_ROUND:-}" in
	*[!0-9]*) die "--fuzz SECONDS, NLMMAP_FUZZ_SEED and _ROUND are numbers" ;;
	esac
	cmdline="$cmdline nlmmap.fuzz=$fuzz nlmmap.seed=${NLMMAP_FUZZ_SEED:-}"
	cmdline="$cmdline nlmmap.round=${NLMMAP_FUZZ_ROUND:-}"
	# Every VM run stays under half its timeout: the fuzzing, its last
	# round's deadline, boot and teardown.
	: "${NLMMAP_VM_TIMEOUT:=$((2 * (fuzz + 400)))}"
fi
cpu=(-accel "tcg,thread=multi" -smp 2)
if [ -n "$bench" ]; then
	# One vCPU: the plugin's counters are plain inline additions.
	cpu=(-accel "tcg,thread=single" -smp 1 -plugin "file=$bench"
	     -d plugin -D "$out/icount.log")
fi
rm -f "$out/console.log" "$out/results.log" "$out/icount.log"
# The demo's (or --run's) output alone, without kernel messages, on a
# third port (ttyS2), shown as it comes.
: >"$out/output.log"
start=$(date +%s)
set +e
[ "$kernel" = debug ] && : "${NLMMAP_VM_TIMEOUT:=2400}"
timeout "${NLMMAP_VM_TIMEOUT:-1200}" qemu-system-x86_64 \
	"${cpu[@]}" -m "$mem" \
	-nodefaults -display none -no-reboot \
	-kernel "$KIMAGE" -initrd "$out/initramfs.gz" -append "$cmdline" \
	-serial "file:$out/console.log" -serial "file:$out/results.log" \
	-serial "file:$out/output.log" \
	</dev/null &
qpid=$!
if [ "$demo" != 0 ] && [ "$demo" != bench ]; then
	tail -n +1 -f --pid="$qpid" "$out/output.log" | tr -d '\r'
fi
wait "$qpid"
qrc=$?
set -e
echo "vm: $kernel ($KREL) ran $(($(date +%s) - start)) s of ${NLMMAP_VM_TIMEOUT:-1200}, qemu exit $qrc" >&2

passed=0 failed=0 skipped=0
while read -r tag suite case status; do
	[ "$tag" = RESULT ] || continue
	case "$status" in
	PASS) passed=$((passed + 1)); echo "ok   $kernel/$suite/$case" ;;
	SKIP) skipped=$((skipped + 1)); echo "skip $kernel/$suite/$case" ;;
	*) failed=$((failed + 1)); echo "FAIL $kernel/$suite/$case" ;;
	esac
done < <(tr -d '\r' <"$out/results.log" 2>/dev/null)

if ! tr -d '\r' <"$out/results.log" 2>/dev/null | grep -q '^RESULT-END'; then
	failed=$((failed + 1))
	echo "FAIL $kernel/vm/completed (timeout or crash; console follows)"
	tail -n 60 "$out/console.log"
fi
if "$VM_DIR/scan-console.sh" "$out/console.log"; then
	passed=$((passed + 1))
	echo "ok   $kernel/vm/console_clean"
else
	failed=$((failed + 1))
	echo "FAIL $kernel/vm/console_clean"
fi
[ -n "${NLMMAP_RESULTS:-}" ] &&
	echo "$passed $failed $skipped" >>"$NLMMAP_RESULTS"
echo "$kernel: $passed passed, $failed failed, $skipped skipped"
if [ -n "$fuzz" ]; then
	sum=$(tr -d '\r' <"$out/console.log" | grep -a '^nlmmap-fuzz: summary' |
		tail -n 1)
	clean=clean
	"$VM_DIR/scan-console.sh" "$out/console.log" >/dev/null ||
		clean="NOT clean"
	echo "${sum:-nlmmap-fuzz: no summary (see $out/console.log)}," \
		"console $clean"
fi
[ "$failed" = 0 ]
