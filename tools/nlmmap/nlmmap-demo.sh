#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The make run demo, run by /init inside the VM: iperf3 over loopback with
# no rule, through stock nfnetlink_queue (a verdict per packet, then
# batched), and through nlmmap_queue's rings, with the same verdict
# application (nlmmap-queue: accept all, a batch verdict per 64 packets):
# TCP with whole GSO packets, TCP at MTU 1500 without F_GSO (copy range
# 128), and 64-byte UDP datagrams as fast as iperf3 sends them.
case "${1-}" in
-h|--help)
	cat <<-EOF
	Usage: nlmmap-demo
	The make run demo, run by the test VM's init: the ring demo
	(nlmmap-ringdemo), then iperf3 over loopback with no rule, through
	stock nfnetlink_queue and through nlmmap_queue's rings. It loads
	modules and sets nft rules: run it in the test VM (make run).
	NLMMAP_DEMO_SECS sets the seconds per iperf3 run (default 5).
	EOF
	exit 0 ;;
"") ;;
*)
	echo "nlmmap-demo: unexpected argument '$1'" >&2
	echo "Try 'nlmmap-demo --help' for more information." >&2
	exit 2 ;;
esac
SECS=${NLMMAP_DEMO_SECS:-5}
rel=$(uname -r)

kmod() {	# load $1 and what it needs, as the VM's load-order lists them
	while read -r ko; do
		grep -q "^$(echo "${ko%.ko}" | tr - _) " /proc/modules ||
			insmod "/lib/modules/$rel/$ko" 2>/dev/null
		[ "$ko" = "$1.ko" ] && break
	done <"/lib/modules/$rel/load-order"
}

UDP=	# "-u": 64-byte UDP datagrams, unpaced, instead of TCP

# Prints the receiver's Gbit/s (for UDP, then its datagrams per second
# and the share lost); a one-off server each time.
iperf() {
	/tests/iperf3 -s -1 -D >/dev/null 2>&1
	sleep 0.3
	if [ -n "$UDP" ]; then
		/tests/iperf3 -c 127.0.0.1 -u -b 0 -l 64 -t "$SECS" -f g 2>&1 |
			awk -v t="$SECS" '/receiver/ { split($(NF-2), n, "/")
				printf "%s %.0f %s\n", $(NF-6), (n[2] - n[1]) / t,
				       $(NF-1) }'
	else
		/tests/iperf3 -c 127.0.0.1 -t "$SECS" -f g 2>&1 |
			awk '/receiver/ { print $(NF-2) }'
	fi
}

run_queue() {	# $1: label, then nlmmap-queue's options
	label=$1
	shift
	/tests/nlmmap-queue -S "$@" 2>/tmp/q.err &
	q=$!
	until grep -q ready /tmp/q.err 2>/dev/null; do
		kill -0 $q 2>/dev/null || { cat /tmp/q.err; return 1; }
		sleep 0.1
	done
	r=$(iperf)
	kill -INT $q
	wait $q
	sum=$(grep 'packets,' /tmp/q.err)
	pkts=$(echo "$sum" | awk '{ print $2 }')
	sc=$(echo "$sum" | sed 's/.* \([0-9.]*\) syscalls.*/\1/')
	pps=$(echo "$sum" | sed 's/.*, \([0-9]*\) pkt\/s/\1/')
	printf '%-36s %6s Gbit/s %8s pkts %7s pkt/s %7s syscalls/pkt%s\n' \
		"$label" "${r%% *}" "$pkts" "$pps" "$sc" \
		"$([ -n "$UDP" ] && echo "$r" | awk '{ printf ", %s received/s, %s lost", $2, $3 }')"
}

# The three workloads through one backend: $1 its label, then the tool's
# options for all three.
run_three() {
	backend=$1
	shift
	run_queue "$backend, GSO" -g "$@"
	ifconfig lo mtu 1500
	run_queue "$backend, MTU 1500" -r 128 "$@"
	ifconfig lo mtu 65536
	UDP=-u
	run_queue "$backend, UDP 64 B" -r 128 "$@"
	UDP=
}

echo
echo "== nlmmap loaded: ring files are opened at /dev/nlmmap"
/tests/nlmmap-ringdemo || exit 1
echo
echo "== nlmmap: iperf3 over loopback through a packet queue ($SECS s each, stock kernel $rel)"
echo "Each row: iperf3's rate with every packet queued to and accepted by nlmmap-queue via that backend."
echo "Under emulation a syscall costs little more than its instructions: what rings save counts less, a ring row may be slower."
ifconfig lo up 2>/dev/null || ip link set lo up
printf '%-36s %6s Gbit/s\n' "no rule" "$(iperf)"
ifconfig lo mtu 1500
printf '%-36s %6s Gbit/s\n' "no rule, MTU 1500" "$(iperf)"
ifconfig lo mtu 65536
UDP=-u
iperf | awk '{ printf "%-36s %6s Gbit/s %29s received/s, %s lost\n",
	"no rule, UDP 64 B", $1, $2, $3 }'
UDP=
for m in nfnetlink nf_tables nft_queue; do kmod $m; done
/tests/nft -f - <<'NFT'
table ip demo {
	chain out {
		type filter hook output priority 0;
		meta l4proto { tcp, udp } th dport 5201 queue num 0;
	}
}
NFT
kmod nfnetlink_queue
run_three "stock, verdict per packet" -s -b 1
run_three "stock, batch verdicts" -s
# A released queue holds nfnetlink_queue until an RCU grace period ends.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	rmmod nfnetlink_queue 2>/dev/null && break
	sleep 0.1
done
insmod /lib/nlmmap/nlmmap_queue.ko
run_three "nlmmap_queue (rings)" -w 1
rmmod nlmmap_queue
/tests/nft flush ruleset
echo
echo "== the module's counters afterwards (nlmmap-stats):"
/tests/nlmmap-stats
echo
rmmod nlmmap && echo "== nlmmap unloaded cleanly"
