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
 * the copy range (default the whole packet), -f fails open, -g asks for
 * whole GSO packets (NFQA_CFG_F_GSO), -c stops after COUNT packets, -t
 * after SECONDS, -w wakes the ring reader every FRAMES frames or USECS
 * (-W, default 500) after the first.
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

static int ring_bind(struct mnl_socket *nl, const struct opts *o)
{
	uint32_t flags = (o->failopen ? NFQA_CFG_F_FAIL_OPEN : 0) |
			 (o->gso ? NFQA_CFG_F_GSO : 0);
	struct nlmsghdr *nlh;
	char buf[512];

	if (mnl_ring_genl_resolve(nl, NLMQ_GENL_NAME, &qfam))
		return -1;
	nlh = mnl_ring_genl_put(buf, qfam, NLMQ_CMD_BIND, NLMQ_GENL_VERSION,
				NLM_F_ACK, 1);
	mnl_attr_put_u32(nlh, NLMQ_A_QUEUE, o->queue);
	mnl_attr_put_u32(nlh, NLMQ_A_FLAGS, flags);
	mnl_attr_put_u32(nlh, NLMQ_A_COPY_RANGE, o->range);
	mnl_attr_put_u32(nlh, NLMQ_A_MAXLEN, NLMQ_MAXLEN_MAX);
	ssize_t n;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	return n < 0 || mnl_cb_run(buf, n, 1, 0, NULL, NULL) < 0 ? -1 : 0;
}

static int run_ring(const struct opts *o, int tty)
{
	/* Frames for whole GSO packets when asked, else for the range. */
	unsigned int fs = o->range + 512 > 2048 ? 65536 + 4096 : 2048;
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
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	r = mnl_ring_map_setup(nl, &s);
	if (!r || ring_bind(nl, o))
		return -1;
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

	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, cmd);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	if (cmd != NFQNL_CFG_CMD_BIND)
		return 0;
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
	if (!buf || !nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	mnl_socket_setsockopt(nl, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcv,
		   sizeof(rcv));
	if (sock_cfg(nl, o, NFQNL_CFG_CMD_BIND))
		return -1;
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

int main(int argc, char **argv)
{
	struct opts o = { .batch = 64, .range = 0xffff, .wake = 64,
			  .wake_us = 500 };
	int opt, tty = isatty(2), ret;

	while ((opt = getopt(argc, argv, "q:b:d:m:r:fgc:t:w:W:Ss")) != -1) {
		switch (opt) {
		case 'q': o.queue = atoi(optarg); break;
		case 'b': o.batch = atoi(optarg) ?: 1; break;
		case 'd': o.drop_pct = atoi(optarg); break;
		case 'm': o.mark = strtoul(optarg, NULL, 0); break;
		case 'r': o.range = atoi(optarg); break;
		case 'f': o.failopen = 1; break;
		case 'g': o.gso = 1; break;
		case 'c': o.count = atol(optarg); break;
		case 't': o.seconds = atof(optarg); break;
		case 'w': o.wake = atoi(optarg); break;
		case 'W': o.wake_us = atoi(optarg); break;
		case 'S': o.summary = 1; break;
		case 's': o.plain = 1; break;
		default:
			fprintf(stderr, "usage: nlmmap-queue [-q QUEUE] [-b BATCH] [-d DROP%%] [-m MARK] [-r RANGE] [-f] [-g] [-c COUNT] [-t SECONDS] [-w FRAMES] [-W USECS] [-S] [-s]\n");
			return 2;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ret = o.plain ? run_socket(&o, tty) : run_ring(&o, tty);
	if (ret)
		perror("nlmmap-queue");
	if (o.summary || tty)
		fprintf(stderr, "%snlmmap-queue: %lu packets, %lu verdicts, %lu dropped, %.4f syscalls/packet, %.0f pkt/s\n",
			tty ? "\n" : "", st.packets, st.verdicts, st.dropped,
			st.packets ? (double)st.syscalls / st.packets : 0.0,
			last_pkt > first ? st.packets / (last_pkt - first) :
			0.0);
	return ret ? 1 : 0;
}
