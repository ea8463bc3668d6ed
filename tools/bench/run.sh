#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - make bench: boots the stock kernel in QEMU (TCG, one
# vCPU) with the icount plugin and runs nlmmap-bench, which times bursts
# of benchmark-source messages read with recvmsg() and through an RX ring,
# side by side in one boot. Prints a table (median and spread over 5
# repetitions) of messages per second and guest instructions
# per message (kernel + user), writes build/bench/results.csv and, with
# gnuplot, Documentation/nlmmap/perf/delivery.png.
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
	--bench "$out/icount.so" stock >"$out/vm.log" 2>&1 ||
	{ cat "$out/vm.log"; exit 1; }
grep '^bench: section' "$BUILD/vm-stock/console.log" | tr -d '\r' \
	>"$out/sections.txt"
grep '^icount: section' "$BUILD/vm-stock/icount.log" >"$out/icount.txt"
echo "bench: $(wc -l <"$out/sections.txt") sections measured"

# One CSV row per section: name,msgs,ns,kernel,user.
awk 'NR == FNR { k[$3] = $5; u[$3] = $7; next }
     { printf "%s,%s,%s,%s,%s\n", $4, $5, $7, k[$3], u[$3] }' \
	"$out/icount.txt" "$out/sections.txt" >"$out/sections.csv"

# Per workload: median msgs/s and its spread, median instructions per msg.
{
	echo "workload,msgs_per_s_median,msgs_per_s_min,msgs_per_s_max,insn_per_msg_kernel,insn_per_msg_user"
	while read -r w; do
		grep "^$w," "$out/sections.csv" | awk -F, -v w="$w" '
		function median(a, n,   i, j, t) {
			for (i = 1; i <= n; i++)
				for (j = i + 1; j <= n; j++)
					if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		{ n++; r[n] = $2 / ($3 / 1e9); kk[n] = $4 / $2; uu[n] = $5 / $2 }
		END {
			lo = hi = r[1]
			for (i = 2; i <= n; i++) { if (r[i] < lo) lo = r[i]; if (r[i] > hi) hi = r[i] }
			printf "%s,%.0f,%.0f,%.0f,%.0f,%.0f\n", w, median(r, n), lo, hi,
			       median(kk, n), median(uu, n)
		}'
	done < <(cut -d, -f1 "$out/sections.csv" | sort -u)
} >"$out/results.csv"

echo
printf '%-8s %14s %14s %7s %12s %12s %7s\n' size "recvmsg msg/s" "ring msg/s" ratio \
	"recvmsg insn" "ring insn" ratio
for size in 64 1024 16384; do
	s=$(grep "^recvmsg-$size," "$out/results.csv" || true)
	r=$(grep "^ring-$size," "$out/results.csv" || true)
	if [ -z "$s" ] || [ -z "$r" ]; then
		continue
	fi
	awk -F, -v s="$s" -v r="$r" -v size="$size" 'BEGIN {
		split(s, a, ","); split(r, b, ",")
		si = a[5] + a[6]; ri = b[5] + b[6]
		printf "%-8s %14.0f %14.0f %6.1fx %12.0f %12.0f %6.1fx\n", size,
		       a[2], b[2], b[2] / a[2], si, ri, si / ri
	}'
done
echo "(msgs/s: median over $reps runs, spread in $out/results.csv;" \
	"instructions: guest kernel + user per message, icount plugin)"

if command -v gnuplot >/dev/null; then
	awk -F, 'NR > 1 { split($1, p, "-"); i[p[2]] = i[p[2]] ? i[p[2]] : ++n
		v[p[1], p[2]] = $5 + $6; s[n] = p[2] }
		END { for (k = 1; k <= n; k++)
			printf "%s %s %s\n", s[k], v["recvmsg", s[k]], v["ring", s[k]] }' \
		"$out/results.csv" | sort -n >"$out/plot.dat"
	gnuplot <<GP
set terminal png size 800,480
set output "$TOP/Documentation/nlmmap/perf/delivery.png"
set title "Guest instructions per message (kernel + user), stock 6.1 under TCG"
set style data histograms
set style fill solid 0.8
set ylabel "instructions per message"
set yrange [0:*]
set xlabel "message payload (bytes)"
plot "$out/plot.dat" using 2:xtic(1) title "recvmsg()", "" using 3 title "ring"
GP
	cp "$out/results.csv" "$TOP/Documentation/nlmmap/perf/results.csv"
	echo "bench: plot in Documentation/nlmmap/perf/delivery.png"
fi
