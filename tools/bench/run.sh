#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - make bench: boots the stock kernel in QEMU (TCG, one
# vCPU) with the icount plugin and runs nlmmap-bench, which times bursts
# of benchmark-source messages (recvmsg(), recvmmsg(), the ring; alone and
# with a producer thread), dumps, and a steady load with each wake-up
# batch size, side by side in one boot. Prints tables (median over 5
# repetitions) of messages per second, guest instructions per message
# (kernel + user), system calls per message and latency; writes
# build/bench/*.csv and, with gnuplot, Documentation/nlmmap/perf/*.png.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${NLMMAP_BUILD:-$TOP/build}
out=$BUILD/bench
reps=5	# nlmmap-bench's default
mkdir -p "$out"

echo "bench: building the icount plugin"
gcc -O2 -Wall -Wextra -shared -fPIC -fvisibility=hidden \
	-o "$out/icount.so" "$TOP/tools/bench/icount.c"

echo "bench: booting the stock kernel on one vCPU ($reps repetitions)"
"$TOP/tools/testing/vm/run.sh" \
	--bench "$out/icount.so" stock >"$out/vm.log" 2>&1 &
vm=$!
# A progress line while the VM runs: sections measured so far.
console=$BUILD/vm-stock/console.log
ticks=0
while kill -0 "$vm" 2>/dev/null; do
	last=$(grep -a '^bench: section' "$console" 2>/dev/null | tail -n 1 | tr -d '\r')
	if [ -t 1 ]; then
		printf '\rbench: %-60s' "${last:-booting}"
	elif [ $((ticks % 15)) = 14 ]; then
		echo "bench: ${last:-booting}"
	fi
	ticks=$((ticks + 1))
	sleep 2
done
[ -t 1 ] && printf '\r%-70s\r' ''
wait "$vm" || { cat "$out/vm.log"; exit 1; }
grep '^bench: section' "$BUILD/vm-stock/console.log" | tr -d '\r' \
	>"$out/sections.txt"
grep '^icount: section' "$BUILD/vm-stock/icount.log" >"$out/icount.txt"
echo "bench: $(wc -l <"$out/sections.txt") sections measured"

# One CSV row per section: name,msgs,ns,kernel,user.
awk 'NR == FNR { k[$3] = $5; u[$3] = $7; next }
     { printf "%s,%s,%s,%s,%s\n", $4, $5, $7, k[$3], u[$3] }' \
	"$out/icount.txt" "$out/sections.txt" >"$out/sections.csv"

# The median of the first n elements of a (an awk function, used twice).
median='
function median(a, n,   i, j, t) {
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
'

# Per workload: median msgs/s and its spread, median instructions per msg.
{
	echo "workload,msgs_per_s_median,msgs_per_s_min,msgs_per_s_max,insn_per_msg_kernel,insn_per_msg_user"
	while read -r w; do
		grep "^$w," "$out/sections.csv" | awk -F, -v w="$w" "$median"'
		{ n++; r[n] = $2 / ($3 / 1e9); kk[n] = $4 / $2; uu[n] = $5 / $2 }
		END {
			lo = hi = r[1]
			for (i = 2; i <= n; i++) { if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
			printf "%s,%.0f,%.0f,%.0f,%.0f,%.0f\n", w, median(r, n), lo, hi,
			       median(kk, n), median(uu, n)
		}'
	done < <(cut -d, -f1 "$out/sections.csv" | sort -u)
} >"$out/results.csv"

# Steady loads: median of syscalls per message and latency per workload.
grep '^bench: steady' "$BUILD/vm-stock/console.log" | tr -d '\r' |
	awk '{ print $3 "," $5 "," $7 "," $11 "," $13 }' >"$out/steady_runs.csv"
{
	echo "workload,syscalls_per_msg,producer_syscalls_per_msg,p50_ns,p99_ns"
	while read -r w; do
		grep "^$w," "$out/steady_runs.csv" | awk -F, -v w="$w" "$median"'
		{ n++; s[n] = $2; p[n] = $3; a[n] = $4; b[n] = $5 }
		END { printf "%s,%.4f,%.4f,%.0f,%.0f\n", w, median(s, n),
		      median(p, n), median(a, n), median(b, n) }'
	done < <(cut -d, -f1 "$out/steady_runs.csv" | sort -u)
} >"$out/steady.csv"

# field F (2: msgs/s, 5+6: instructions) of workload W
val() {
	awk -F, -v w="$1" -v f="$2" '$1 == w {
		print (f == "i") ? $5 + $6 : (f == "k") ? $5 : (f == "u") ? $6 : $2 }' \
		"$out/results.csv"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.1fx", a / b; else print "-" }'; }

# One delivery table: recvmsg, recvmmsg and ring workloads whose names
# end in SUFFIX (e.g. "" or "_thr").
delivery() {
	local rs="recvmsg$1" rm="recvmmsg$1" rg="ring$1" size
	printf '%-7s %11s %11s %11s %7s | %9s %9s %9s %7s\n' size recvmsg recvmmsg ring \
		"ring/r" "insn rcv" "insn mmsg" "insn ring" "r/ring"
	for size in 64 1024 16384; do
		printf '%-7s %11s %11s %11s %7s | %9s %9s %9s %7s\n' "$size" \
			"$(val "$rs-$size" 2)" "$(val "$rm-$size" 2)" "$(val "$rg-$size" 2)" \
			"$(ratio "$(val "$rg-$size" 2)" "$(val "$rs-$size" 2)")" \
			"$(val "$rs-$size" i)" "$(val "$rm-$size" i)" "$(val "$rg-$size" i)" \
			"$(ratio "$(val "$rs-$size" i)" "$(val "$rg-$size" i)")"
	done
}

echo
echo "Delivery, reader alone after each burst of 256 (msgs/s median; guest instructions per message, kernel+user)"
delivery ""
echo
echo "Delivery with a concurrent producer thread (requests of 64)"
delivery _thr
echo
echo "Dump of $(grep '^bench: section' "$out/sections.txt" | awk '$4 == "dumpsock-64" { print $5; exit }') objects of 64 B (objects/s median; instructions per object)"
printf '%-22s %11s %9s\n' path "objects/s" insn
printf '%-22s %11s %9s\n' "recvmsg, 32 KiB" "$(val dumpsock-64 2)" "$(val dumpsock-64 i)"
printf '%-22s %11s %9s\n' "ring, 16 x 32 KiB" "$(val dumpring-64 2)" "$(val dumpring-64 i)"
printf '%-22s %11s %9s\n' "ring / recvmsg" "$(ratio "$(val dumpring-64 2)" "$(val dumpsock-64 2)")" \
	"$(ratio "$(val dumpsock-64 i)" "$(val dumpring-64 i)")"
echo
echo "Steady load, 50,000 msgs/s of 64 B (reader's system calls per message; latency from the kernel's stamp)"
printf '%-20s %10s %10s %10s %10s\n' workload "syscalls" "p50 us" "p99 us" insn
tail -n +2 "$out/steady.csv" | sort -t, -k1,1V | while IFS=, read -r w sc _ p50 p99; do
	printf '%-20s %10s %10.0f %10.0f %10s\n' "$w" "$sc" "$(echo "$p50 / 1000" | bc -l)" \
		"$(echo "$p99 / 1000" | bc -l)" "$(val "$w" i)"
done
echo
echo "Packet queue: bursts of 256 UDP datagrams of 64 B through 'queue num 0', decided by nlmmap-queue (accept, a batch verdict per 256 (queuesock1: one verdict per packet), the ring reader woken per 256 frames or 5 ms, copy range 128), read by a receiver"
echo "(latency: from send() to the receiver's recv(), through the queue and its verdict; median of the runs' p50 and p99)"
printf '%-22s %12s %12s %16s %10s %10s\n' path "pkts/s" "insn/pkt" "syscalls/pkt" "p50 us" "p99 us"
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)] }'; }
for w in queuenone-64 queuesock1-64 queuesock-64 queuering-64; do
	lines=$(grep -a "^bench: queue $w " "$BUILD/vm-stock/console.log" | tr -d '\r')
	sc=$(echo "$lines" | grep syscalls | sed 's/.* \([0-9.]*\) syscalls.*/\1/' | median)
	p50=$(echo "$lines" | awk '$4 == "latency" { print $6 / 1000 }' | median)
	p99=$(echo "$lines" | awk '$4 == "latency" { print $8 / 1000 }' | median)
	printf '%-22s %12s %12s %16s %10.0f %10.0f\n' "$w" "$(val "$w" 2)" "$(val "$w" i)" "$sc" \
		"${p50:-0}" "${p99:-0}"
done
printf '%-22s %12s %12s\n' "ring / stock" "$(ratio "$(val queuering-64 2)" "$(val queuesock-64 2)")" \
	"$(ratio "$(val queuesock-64 i)" "$(val queuering-64 i)")"
awk -v n="$(val queuenone-64 i)" -v s="$(val queuesock-64 i)" -v r="$(val queuering-64 i)" 'BEGIN {
	if (n > 0 && s > n && r > 0)
		printf "queueing overhead: stock %d, ring %d insn/pkt (ring = %.2f of stock)\n", s - n, r - n, (r - n) / (s - n) }'
echo
echo "Multicast relay: 2,000 rtnetlink address events while the reader sleeps, $(( 256 )) KiB for each reader"
grep -a '^bench: relay' "$BUILD/vm-stock/console.log" | tr -d '\r' | awk '
	{ n[$3]++; r[$3] += $7; l[$3] += $9 }
	END { for (w in n) printf "%-20s received %6.0f lost %6.0f (mean of %d)\n", w, r[w] / n[w], l[w] / n[w], n[w] }' | sort
printf '%-20s %12s %12s\n' reader "events/s" "insn/event"
printf '%-20s %12s %12s\n' "recvmsg" "$(val relaysock-addr 2)" "$(val relaysock-addr i)"
printf '%-20s %12s %12s\n' "ring" "$(val relayring-addr 2)" "$(val relayring-addr i)"
echo
echo "Multicast relay under a paced flood (nlmmap-flood): the rate doubles until the producer cannot keep up; 256 KiB for each reader; /stall100: both readers stop for 100 ms every 250 ms"
printf "%-8s %-8s %14s %14s %12s %8s %14s\n" source reader "lossless ev/s" "top rate" \
	"received/s" lost "syscalls/event"
grep -a '^bench: flood' "$BUILD/vm-stock/console.log" | tr -d '\r' | awk '
	{ k = $3 " " $4; a = $8; if ($12 == 0 && a > ok[k]) ok[k] = a
	  if (a > top[k]) { top[k] = a; got[k] = $10 * 1e6 / $16; lost[k] = $12
	    sc[k] = $14 / ($10 ? $10 : 1) } }
	END {
		for (k in ok) { split(k, w, " ")
			printf "%-8s %-8s %14.0f %14.0f %12.0f %8d %14.4f\n", w[1], w[2],
			       ok[k], top[k], got[k], lost[k], sc[k] }
		for (k in ok) { split(k, w, " ")
			if (w[2] == "ring" && ok[w[1] " recvmsg"] > 0)
				printf "%s ring/recvmsg: %.1fx the rate kept without loss\n",
				       w[1], ok[k] / ok[w[1] " recvmsg"] }
	}' | sort
echo "(median over $reps runs; spread in $out/results.csv; instructions: icount plugin," \
	"guest kernel + user, one vCPU)"

if command -v gnuplot >/dev/null; then
	perf=$TOP/Documentation/nlmmap/perf
	for size in 64 1024 16384; do
		echo "$size $(val "recvmsg-$size" i) $(val "recvmmsg-$size" i) $(val "ring-$size" i)"
	done >"$out/plot.dat"
	grep '^steady_ring' "$out/steady.csv" | sed 's/^steady_ring\([0-9]*\)-64,/\1,/' |
		sort -n | tr , ' ' >"$out/steady.dat"
	krel=$("$TOP/tools/testing/vm/kernel.sh" stock | sed -n 's/^KREL=//p')
	what="Debian $krel under QEMU TCG, 1 vCPU, $(nproc)-core host; make bench"
	gnuplot <<GP
set terminal png size 800,480 noenhanced
set output "$perf/delivery.png"
set title "Guest instructions per message (kernel + user)\n$what"
set style data histograms
set style fill solid 0.8
set ylabel "instructions per message"
set yrange [0:*]
set xlabel "message payload (bytes)"
plot "$out/plot.dat" using 2:xtic(1) title "recvmsg()", "" using 3 title "recvmmsg()", "" using 4 title "ring"
set output "$perf/wakeups.png"
set title "Steady load, 50,000 messages/s: reader system calls and p99 latency against wake_frames\n$what"
set style data linespoints
set logscale x 2
set logscale y 10
set yrange [*:*]
set xlabel "wake_frames (wake_usecs 5000)"
set ylabel "system calls per message"
set y2label "p99 latency (us)"
set y2tics
set logscale y2 10
plot "$out/steady.dat" using 1:2 title "syscalls per message" axes x1y1, \
     "" using 1:(\$5 / 1000) title "p99 latency (us)" axes x1y2
GP
	cp "$out/results.csv" "$perf/results.csv"
	cp "$out/steady.csv" "$perf/steady.csv"
	echo "bench: plots in Documentation/nlmmap/perf/ (delivery.png, wakeups.png)"
fi
