#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The make run demo, run by /init inside the VM: iperf3 over loopback with
# no rule, through stock nfnetlink_queue, and through nlmmap_queue's
# rings, with the same verdict application (nlmmap-queue: accept all,
# whole GSO packets, a batch verdict per 64 packets).
SECS=${NLMMAP_DEMO_SECS:-5}
rel=$(uname -r)

kmod() {	# load $1 and what it needs, as the VM's load-order lists them
	while read -r ko; do
		grep -q "^$(echo "${ko%.ko}" | tr - _) " /proc/modules ||
			insmod "/lib/modules/$rel/$ko" 2>/dev/null
		[ "$ko" = "$1.ko" ] && break
	done <"/lib/modules/$rel/load-order"
}

iperf() {	# prints the receiver's Gbit/s; a one-off server each time
	/tests/iperf3 -s -1 -D >/dev/null 2>&1
	sleep 0.3
	/tests/iperf3 -c 127.0.0.1 -t "$SECS" -f g 2>&1 |
		awk '/receiver/ { print $(NF-2) }'
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
	g=$(iperf)
	kill -INT $q
	wait $q
	sum=$(grep 'packets,' /tmp/q.err)
	pkts=$(echo "$sum" | awk '{ print $2 }')
	sc=$(echo "$sum" | sed 's/.* \([0-9.]*\) syscalls.*/\1/')
	pps=$(echo "$sum" | sed 's/.*, \([0-9]*\) pkt\/s/\1/')
	printf '%-34s %8s Gbit/s %10s pkts %9s pkt/s %8s syscalls/pkt\n' \
		"$label" "$g" "$pkts" "$pps" "$sc"
}

echo
echo "== nlmmap loaded: ring files are opened at /dev/nlmmap"
/tests/nlmmap-ringdemo || exit 1
echo
echo "== nlmmap: iperf3 over loopback through a packet queue ($SECS s each, TCP, stock kernel $rel)"
ifconfig lo up 2>/dev/null || ip link set lo up
printf '%-34s %8s Gbit/s\n' "no rule" "$(iperf)"
ifconfig lo mtu 1500
printf '%-34s %8s Gbit/s\n' "no rule, MTU 1500" "$(iperf)"
ifconfig lo mtu 65536
for m in nfnetlink nf_tables nft_queue; do kmod $m; done
/tests/nft -f - <<'NFT'
table ip demo {
	chain out { type filter hook output priority 0; tcp dport 5201 queue num 0; }
}
NFT
kmod nfnetlink_queue
run_queue "stock nfnetlink_queue (recvmsg)" -s -g
ifconfig lo mtu 1500
run_queue "stock, MTU 1500, no F_GSO" -s -r 128
ifconfig lo mtu 65536
# A released queue holds nfnetlink_queue until an RCU grace period ends.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	rmmod nfnetlink_queue 2>/dev/null && break
	sleep 0.1
done
insmod /lib/nlmmap/nlmmap_queue.ko
run_queue "nlmmap_queue (rings)" -g -w 1
ifconfig lo mtu 1500
run_queue "rings, MTU 1500, no F_GSO" -w 1 -r 128
ifconfig lo mtu 65536
rmmod nlmmap_queue
/tests/nft flush ruleset
echo
echo "== the module's counters afterwards (nlmmap-stats):"
/tests/nlmmap-stats
echo
rmmod nlmmap && echo "== nlmmap unloaded cleanly"
