// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap-queue: an nfqueue verdict application, through nlmmap_queue's
 * rings or (-s) through stock nfnetlink_queue with libmnl and
 * libnetfilter_queue's helpers, so the two run side by side.
 *
 *   nlmmap-queue [-q QUEUE] [-b BATCH] [-d DROP%] [-m MARK] [-r RANGE]
 *                [-f] [-g] [-c COUNT] [-t SECONDS] [-w FRAMES] [-W USECS]
 *                [-S] [-s]
 *
 * Accepts every packet by default, one batch verdict per BATCH packets
 * (default 64; 1: a verdict per packet). -d drops that share of packets
 * (a verdict of their own), -m sets a mark on the accepted ones, -r is
 * the copy range (default and 0: the most, 65,531 bytes), -f fails
 * open, -g asks for whole GSO packets (NFQA_CFG_F_GSO), -c stops after
 * COUNT packets, -t after SECONDS, -w wakes the ring reader every FRAMES
 * frames or USECS (-W, default 500) after the first.
 * A status line on stderr (a terminal) shows packets and verdicts per
 * second, system calls per packet and drops; -S prints the totals at the
 * end: "nlmmap-queue: N packets, N verdicts, N dropped, X syscalls/packet".
 * "nlmmap-queue: ready" on stderr says the queue is bound.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/nlmmap_queue.h>
#include <libmnl-mmap/libmnl-mmap.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "cli.h"

#define PROG "nlmmap-queue"

struct opts {
	unsigned int queue, batch, drop_pct, mark, range, wake, wake_us;
	int failopen, gso, plain, summary;
	unsigned long count;
	double seconds;
};

struct stats {
	unsigned long packets, verdicts, dropped, syscalls;
};


static volatile sig_atomic_t stop;
static int started;		/* the queue was bound: a summary means something */
static struct stats st;
static double first, last_pkt;	/* times of the first and last packet */

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void status(int tty, double *t0, struct stats *last)
{
	double t = now();

	if (st.packets && !first)
		first = t;
	if (st.packets != last->packets || !last_pkt)
		last_pkt = t;
	if (!tty || t - *t0 < 1.0)
		return;
	fprintf(stderr, "\rnlmmap-queue: %.0f pkt/s, %.0f verdicts/s, %.4f syscalls/pkt, %lu dropped ",
		(st.packets - last->packets) / (t - *t0),
		(st.verdicts - last->verdicts) / (t - *t0),
		st.packets ? (double)st.syscalls / st.packets : 0.0,
		st.dropped);
	*t0 = t;
	*last = st;
}

/* Drop this one? Every (100 / pct)-th packet. */
static int drop_it(const struct opts *o, unsigned long n)
{
	return o->drop_pct && (n * o->drop_pct) / 100 !=
			      ((n - 1) * o->drop_pct) / 100;
}

/* --- the ring --------------------------------------------------------- */

static uint16_t qfam;

/* A verdict into the next TX frame; 0, or -1 when none is free. */
static int ring_verdict(struct mnl_ring *r, uint8_t cmd, uint32_t id,
			uint32_t verdict, const struct opts *o)
{
	struct nl_mmap_hdr *f;
	struct nlmsghdr *nlh;

	if (mnl_ring_tx_reserve(mnl_ring_tx(r), &f, 1) != 1)
		return -1;
	nlh = mnl_ring_genl_put(mnl_ring_frame_data(f), qfam, cmd,
				NLMQ_GENL_VERSION, 0, 0);
	nfq_nlmsg_verdict_put(nlh, id, verdict);
	if (o->mark && verdict == NF_ACCEPT)
		nfq_nlmsg_verdict_put_mark(nlh, o->mark);
	f->nm_len = nlh->nlmsg_len;
	mnl_ring_tx_submit(mnl_ring_tx(r), 1);
	st.verdicts++;
	return 0;
}

/* The packet id: NFQA_PACKET_HDR is the message's first attribute. */
static int frame_id(struct nl_mmap_hdr *f, uint32_t *id)
{
	struct nlmsghdr *nlh = mnl_ring_frame_data(f);
	struct nlattr *a = (void *)((char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN);
	struct nfqnl_msg_packet_hdr *ph = mnl_attr_get_payload(a);

	if (f->nm_len < NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN + sizeof(*ph) ||
	    nlh->nlmsg_type != qfam || mnl_attr_get_type(a) != NFQA_PACKET_HDR)
		return -1;
	*id = ntohl(ph->packet_id);
	return 0;
}

/* The port id of the socket that holds queue @queue, or 0 if unknown. */
static int holder_cb(const struct nlmsghdr *nlh, void *data)
{
	uint32_t *want = data, queue = UINT32_MAX, portid = 0;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			continue;
		if (mnl_attr_get_type(a) == NLMQ_A_QUEUE)
			queue = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == NLMQ_A_PORTID)
			portid = mnl_attr_get_u32(a);
	}
	if (queue == want[0])
		want[1] = portid;
	return MNL_CB_OK;
}

static uint32_t queue_holder(struct mnl_socket *nl, uint32_t queue)
{
	uint32_t want[2] = { queue, 0 };
	struct nlmsghdr *nlh;
	char buf[8192];
	ssize_t n;
	int ret;

	nlh = mnl_ring_genl_put(buf, qfam, NLMQ_CMD_GET, NLMQ_GENL_VERSION,
				NLM_F_DUMP, 2);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return 0;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		ret = n > 0 ? mnl_cb_run(buf, n, 2, 0, holder_cb, want) : -1;
	} while (ret > MNL_CB_STOP);
	return want[1];
}

/* Why the queue could not be had, with the fix. */
static void bind_error(struct mnl_socket *nl, const struct opts *o, int err,
		       int resolved)
{
	uint32_t holder;

	if (!resolved && err == ENOENT) {
		fprintf(stderr, PROG ": nlmmap_queue.ko is not loaded (modprobe nlmmap_queue)\n");
	} else if (err == EBUSY) {
		holder = queue_holder(nl, o->queue);
		if (holder)
			fprintf(stderr, PROG ": queue %u is bound by port id %u (nlmmap-stats -q lists the queues)\n",
				o->queue, holder);
		else
			fprintf(stderr, PROG ": queue %u is bound by another socket, or this socket has a queue already\n",
				o->queue);
	} else {
		cli_nlmmap_error(PROG, "binding the queue", err,
				 "binding a queue needs CAP_NET_ADMIN");
	}
}

static int ring_bind(struct mnl_socket *nl, const struct opts *o)
{
	uint32_t flags = (o->failopen ? NFQA_CFG_F_FAIL_OPEN : 0) |
			 (o->gso ? NFQA_CFG_F_GSO : 0);
	struct nlmsghdr *nlh;
	char buf[512];

	if (mnl_ring_genl_resolve(nl, NLMQ_GENL_NAME, &qfam)) {
		bind_error(nl, o, errno, 0);
		return -1;
	}
	nlh = mnl_ring_genl_put(buf, qfam, NLMQ_CMD_BIND, NLMQ_GENL_VERSION,
				NLM_F_ACK, 1);
	mnl_attr_put_u32(nlh, NLMQ_A_QUEUE, o->queue);
	mnl_attr_put_u32(nlh, NLMQ_A_FLAGS, flags);
	mnl_attr_put_u32(nlh, NLMQ_A_COPY_RANGE, o->range);
	mnl_attr_put_u32(nlh, NLMQ_A_MAXLEN, NLMQ_MAXLEN_MAX);
	ssize_t n;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ||
	    (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) < 0 ||
	    mnl_cb_run(buf, n, 1, 0, NULL, NULL) < 0) {
		bind_error(nl, o, errno, 1);
		return -1;
	}
	return 0;
}

static int run_ring(const struct opts *o, int tty)
{
	/* Frames for the copy range: 0 is the largest, as nfnetlink_queue
	 * has it (NLMQ_MAX_COPY_RANGE; 65536 + 4096 holds any message).
	 */
	unsigned int fs = !o->range || o->range + 512 > 2048 ?
			  65536 + 4096 : 2048;
	unsigned int rx_frames = fs > 2048 ? 256 : 1024;
	struct nlmmap_setup s = {
		.rx = { fs > 2048 ? fs : 4096 * 16, 0, fs, rx_frames },
		.tx = { 4096, 64, 256, 1024 },
		.wake_frames = o->wake, .wake_usecs = o->wake > 1 ? o->wake_us : 0,
	};
	struct stats last = { 0 };
	struct mnl_socket *nl;
	struct nl_mmap_hdr *f[64];
	struct mnl_ring *r;
	double t0 = now(), end = o->seconds ? t0 + o->seconds : 0;
	unsigned int n, i, pending = 0;
	unsigned long kicked = 0;	/* verdicts the kernel was told of */
	uint32_t id, max_id = 0;

	s.rx.nm_block_nr = (uint64_t)rx_frames * fs / s.rx.nm_block_size;
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		cli_nlmmap_error(PROG, "netlink socket", errno, NULL);
		return -1;
	}
	r = mnl_ring_map_setup(nl, &s);
	if (!r) {
		cli_nlmmap_error(PROG, "mapping the ring", errno,
				 CLI_EPERM_DEV);
		return -1;
	}
	if (ring_bind(nl, o))
		return -1;
	started = 1;
	fprintf(stderr, "nlmmap-queue: ready\n");
	while (!stop && (!o->count || st.packets < o->count)) {
		n = mnl_ring_rx_peek(mnl_ring_rx(r), f, 64);
		for (i = 0; i < n; i++) {
			if (f[i]->nm_status != NLMMAP_STATUS_VALID ||
			    frame_id(f[i], &id))
				continue;	/* acks, COPY: none expected */
			st.packets++;
			if (drop_it(o, st.packets)) {
				st.dropped++;
				ring_verdict(r, NLMQ_CMD_VERDICT, id, NF_DROP,
					     o);
			} else {
				max_id = id;
				pending++;
			}
		}
		if (n)
			mnl_ring_rx_release(mnl_ring_rx(r), n);
		if (pending && (pending >= o->batch || n < 64)) {
			if (!ring_verdict(r, o->batch == 1 ? NLMQ_CMD_VERDICT :
					  NLMQ_CMD_VERDICT_BATCH, max_id,
					  NF_ACCEPT, o))
				pending = 0;
		}
		if (n == 64) {
			/* Busy: the verdicts go with a kick now and then
			 * (poll() runs them when the ring is dry).
			 */
			if (st.verdicts - kicked >= 16) {
				st.syscalls++;
				mnl_ring_tx_kick(mnl_ring_tx(r));
				kicked = st.verdicts;
			}
			continue;
		}
		kicked = st.verdicts;
		/* poll() runs the verdicts and waits for packets. */
		st.syscalls++;
		mnl_ring_wait(r, POLLIN, 200);
		status(tty, &t0, &last);
		if (end && now() > end)
			break;
	}
	/* What is still undecided goes with a last verdict, and every
	 * verdict written goes in before the ring does.
	 */
	if (pending)
		ring_verdict(r, o->batch == 1 ? NLMQ_CMD_VERDICT :
			     NLMQ_CMD_VERDICT_BATCH, max_id, NF_ACCEPT, o);
	if (st.verdicts != kicked) {
		st.syscalls++;
		mnl_ring_tx_kick(mnl_ring_tx(r));
	}
	mnl_ring_unmap(r);
	mnl_socket_close(nl);
	return 0;
}

/* --- stock nfnetlink_queue, as libnetfilter_queue's example does ------ */

static int sock_cfg(struct mnl_socket *nl, const struct opts *o, uint8_t cmd)
{
	char buf[512];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, o->queue);

	ssize_t n;

	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, cmd);
	if (cmd == NFQNL_CFG_CMD_BIND)
		nlh->nlmsg_flags |= NLM_F_ACK;	/* EPERM, EBUSY: said now */
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	if (cmd != NFQNL_CFG_CMD_BIND)
		return 0;
	/* Nothing is queued to this socket before its bind is acked. */
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0 || mnl_cb_run(buf, n, 0, 0, NULL, NULL) < 0)
		return -1;
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, o->queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, o->range);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS,
			 htonl((o->failopen ? NFQA_CFG_F_FAIL_OPEN : 0) |
			       (o->gso ? NFQA_CFG_F_GSO : 0)));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK,
			 htonl(NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO));
	mnl_attr_put_u32(nlh, NFQA_CFG_QUEUE_MAXLEN, htonl(4096));
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
}

static void sock_verdict(struct mnl_socket *nl, const struct opts *o,
			 int type, uint32_t id, uint32_t verdict)
{
	char buf[256];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, type, o->queue);

	nfq_nlmsg_verdict_put(nlh, id, verdict);
	if (o->mark && verdict == NF_ACCEPT)
		nfq_nlmsg_verdict_put_mark(nlh, o->mark);
	mnl_socket_sendto(nl, nlh, nlh->nlmsg_len);
	st.syscalls++;
	st.verdicts++;
}

static int run_socket(const struct opts *o, int tty)
{
	size_t len = 0xffff + (MNL_SOCKET_BUFFER_SIZE / 2);
	struct stats last = { 0 };
	double t0 = now(), end = o->seconds ? t0 + o->seconds : 0;
	struct mnl_socket *nl;
	unsigned int pending = 0;
	uint32_t max_id = 0;
	char *buf = malloc(len);
	int one = 1, rcv = 8 << 20;

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!buf || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		cli_nlmmap_error(PROG, "netfilter netlink socket", errno,
				 NULL);
		return -1;
	}
	mnl_socket_setsockopt(nl, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcv,
		   sizeof(rcv));
	if (sock_cfg(nl, o, NFQNL_CFG_CMD_BIND)) {
		if (errno == EBUSY)
			fprintf(stderr, PROG ": queue %u is bound by another socket (cat /proc/net/netfilter/nfnetlink_queue)\n",
				o->queue);
		else
			cli_nlmmap_error(PROG, "binding the queue", errno,
					 "binding a queue needs CAP_NET_ADMIN");
		return -1;
	}
	started = 1;
	fprintf(stderr, "nlmmap-queue: ready\n");
	while (!stop && (!o->count || st.packets < o->count)) {
		struct nlattr *attr[NFQA_MAX + 1] = {};
		struct pollfd pfd = { mnl_socket_get_fd(nl), POLLIN, 0 };
		struct nlmsghdr *nlh;
		ssize_t n;
		int rest;

		st.syscalls++;
		n = recv(mnl_socket_get_fd(nl), buf, len, MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN) {
			if (pending) {
				sock_verdict(nl, o, o->batch == 1 ?
					     NFQNL_MSG_VERDICT :
					     NFQNL_MSG_VERDICT_BATCH, max_id,
					     NF_ACCEPT);
				pending = 0;
			}
			st.syscalls++;
			poll(&pfd, 1, 200);
			status(tty, &t0, &last);
			if (end && now() > end)
				break;
			continue;
		}
		if (n <= 0)
			continue;
		for (nlh = (void *)buf, rest = n; mnl_nlmsg_ok(nlh, rest);
		     nlh = mnl_nlmsg_next(nlh, &rest)) {
			struct nfqnl_msg_packet_hdr *ph;

			if (nfq_nlmsg_parse(nlh, attr) < 0 ||
			    !attr[NFQA_PACKET_HDR])
				continue;
			ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
			st.packets++;
			if (drop_it(o, st.packets)) {
				st.dropped++;
				sock_verdict(nl, o, NFQNL_MSG_VERDICT,
					     ntohl(ph->packet_id), NF_DROP);
				continue;
			}
			max_id = ntohl(ph->packet_id);
			if (++pending >= o->batch) {
				sock_verdict(nl, o, o->batch == 1 ?
					     NFQNL_MSG_VERDICT :
					     NFQNL_MSG_VERDICT_BATCH, max_id,
					     NF_ACCEPT);
				pending = 0;
			}
		}
	}
	if (pending)
		sock_verdict(nl, o, o->batch == 1 ? NFQNL_MSG_VERDICT :
			     NFQNL_MSG_VERDICT_BATCH, max_id, NF_ACCEPT);
	sock_cfg(nl, o, NFQNL_CFG_CMD_UNBIND);
	mnl_socket_close(nl);
	free(buf);
	return 0;
}

static void usage(void)
{
	printf("Usage: " PROG " [OPTIONS]\n"
	       "An nfqueue verdict application: packets of 'queue num QUEUE' rules through\n"
	       "nlmmap_queue's rings, or with -s through nfnetlink_queue's protocol\n"
	       "(libmnl and libnetfilter_queue), so the two run side by side. Accepts\n"
	       "every packet unless told otherwise.\n\n"
	       "  -q, --queue=N        the queue number, 0 to 65535 (default 0)\n"
	       "  -b, --batch=N        one batch verdict per N packets, 1 to 65536\n"
	       "                       (default 64; 1: a verdict per packet)\n"
	       "  -d, --drop=PCT       drop PCT percent of the packets, 0 to 100\n"
	       "  -m, --mark=MARK      set MARK on the accepted packets (0x.. for hex)\n"
	       "  -r, --range=BYTES    the copy range, 0 to 65535 (default the whole packet)\n"
	       "  -f, --fail-open      accept packets the queue cannot hold (F_FAIL_OPEN)\n"
	       "  -g, --gso            whole GSO packets (F_GSO)\n"
	       "  -c, --count=N        stop after N packets\n"
	       "  -t, --time=SECONDS   stop after SECONDS (0: no limit, the default)\n"
	       "  -w, --wake-frames=N  ring: wake the reader every N frames, 0 to 256\n"
	       "                       (default 64; 0 or 1: every frame)\n"
	       "  -W, --wake-usecs=US  ring: or US microseconds after the first, 1 to\n"
	       "                       1000000 (default 500)\n"
	       "  -S, --summary        the totals at the end\n"
	       "  -s, --socket         nfnetlink_queue's protocol on a plain socket\n"
	       "  -h, --help           this text\n\n"
	       "\"" PROG ": ready\" on stderr says the queue is bound. Binding needs\n"
	       "CAP_NET_ADMIN; the ring path needs nlmmap_queue.ko (modprobe nlmmap_queue).\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "queue", required_argument, NULL, 'q' },
		{ "batch", required_argument, NULL, 'b' },
		{ "drop", required_argument, NULL, 'd' },
		{ "mark", required_argument, NULL, 'm' },
		{ "range", required_argument, NULL, 'r' },
		{ "fail-open", no_argument, NULL, 'f' },
		{ "gso", no_argument, NULL, 'g' },
		{ "count", required_argument, NULL, 'c' },
		{ "time", required_argument, NULL, 't' },
		{ "wake-frames", required_argument, NULL, 'w' },
		{ "wake-usecs", required_argument, NULL, 'W' },
		{ "summary", no_argument, NULL, 'S' },
		{ "socket", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .batch = 64, .range = 0xffff, .wake = 64,
			  .wake_us = 500 };
	int opt, tty = isatty(2), ret, wake_set = 0, wake_us_set = 0;

	argv[0] = (char *)PROG;		/* getopt_long()'s own messages name the tool */
	while ((opt = getopt_long(argc, argv, "q:b:d:m:r:fgc:t:w:W:Ssh",
				  lopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			o.queue = cli_ulong(PROG, "--queue", optarg, 0, 65535);
			break;
		case 'b':
			o.batch = cli_ulong(PROG, "--batch", optarg, 1, 65536);
			break;
		case 'd':
			o.drop_pct = cli_ulong(PROG, "--drop", optarg, 0, 100);
			break;
		case 'm':
			o.mark = cli_ulong(PROG, "--mark", optarg, 0,
					   UINT32_MAX);
			break;
		case 'r':
			o.range = cli_ulong(PROG, "--range", optarg, 0, 65535);
			break;
		case 'f':
			o.failopen = 1;
			break;
		case 'g':
			o.gso = 1;
			break;
		case 'c':
			o.count = cli_ulong(PROG, "--count", optarg, 1,
					    ULONG_MAX);
			break;
		case 't':
			o.seconds = cli_seconds(PROG, "--time", optarg);
			break;
		case 'w':
			/* At most the RX ring's frames (256 or 1024). */
			o.wake = cli_ulong(PROG, "--wake-frames", optarg, 0,
					   256);
			wake_set = 1;
			break;
		case 'W':
			o.wake_us = cli_ulong(PROG, "--wake-usecs", optarg, 1,
					      NLMMAP_WAKE_USECS_MAX);
			wake_us_set = 1;
			break;
		case 'S':
			o.summary = 1;
			break;
		case 's':
			o.plain = 1;
			break;
		case 'h':
			usage();
			return 0;
		default:
			cli_bad_option(PROG);
		}
	}
	cli_no_args(PROG, argc, argv);
	if (o.plain && (wake_set || wake_us_set))
		cli_refuse(PROG, "-w and -W are for the ring; -s reads a socket");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ret = o.plain ? run_socket(&o, tty) : run_ring(&o, tty);
	if (!started)
		return 1;	/* what failed is said; there is nothing to sum */
	if (ret)
		perror(PROG);
	if (o.summary || tty)
		fprintf(stderr, "%snlmmap-queue: %lu packets, %lu verdicts, %lu dropped, %.4f syscalls/packet, %.0f pkt/s\n",
			tty ? "\n" : "", st.packets, st.verdicts, st.dropped,
			st.packets ? (double)st.syscalls / st.packets : 0.0,
			last_pkt > first ? st.packets / (last_pkt - first) :
			0.0);
	return ret ? 1 : 0;
}
