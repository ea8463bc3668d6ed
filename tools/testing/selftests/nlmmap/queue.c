// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap_queue.ko: packets of an nft "queue" rule into the RX ring of a
 * generic netlink socket, verdicts back through its TX ring or socket.
 *
 * Each case runs in a network namespace of its own: UDP datagrams from
 * 127.0.0.1 to 127.0.0.1:PORT go through "udp dport PORT queue num 0" in
 * the output hook; a socket bound to PORT sees what the verdicts let
 * through. Packet messages are read with libnetfilter_queue's
 * nfq_nlmsg_parse() and verdicts written with nfq_nlmsg_verdict_put*(),
 * as an nfqueue application would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/nlmmap_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "tap.h"
#include "util.h"
#include "queue_util.h"

static void accept_drop_repeat_and_mark(void)
{
	struct qsock s;
	struct pkt p;

	queue_start(&s, 0, 0);

	send_udp(&s, "one");
	REQUIRE(next_packet(&s, &p) == 0);
	CHECK(!strcmp(udp_data(&p), "one") && p.queue == 0,
	      "payload \"%s\", queue %u", udp_data(&p), p.queue);
	CHECK(!strcmp(received_now(&s), ""), "held while undecided");
	verdict(&s, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(!strcmp(received(&s), "one"), "accepted");

	/* Dropped: the next one accepted arrives alone. */
	send_udp(&s, "two");
	REQUIRE(next_packet(&s, &p) == 0);
	verdict(&s, 0, p.id, NF_DROP, 0, 0, NULL, 0, 0);
	send_udp(&s, "three");
	REQUIRE(next_packet(&s, &p) == 0);
	verdict(&s, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(!strcmp(received(&s), "three"), "two was dropped");

	/* Repeat with a mark: the hook runs again and queues it again,
	 * now with the mark.
	 */
	send_udp(&s, "four");
	REQUIRE(next_packet(&s, &p) == 0);
	CHECK(!p.has_mark, "no mark yet");
	verdict(&s, 0, p.id, NF_REPEAT, 1, 0x42, NULL, 0, 0);
	REQUIRE(next_packet(&s, &p) == 0);
	CHECK(p.has_mark && p.mark == 0x42, "requeued with mark %#x",
	      p.mark);
	verdict(&s, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(!strcmp(received(&s), "four"), "accepted after the repeat");
	qsock_close(&s);
}

static void out_of_order_and_batch(void)
{
	char msg[8], got[64] = "";
	struct qsock s;
	struct pkt p[4];
	int i;

	queue_start(&s, 0, 0);
	for (i = 0; i < 4; i++) {
		snprintf(msg, sizeof(msg), "%d", i);
		send_udp(&s, msg);
		REQUIRE(next_packet(&s, &p[i]) == 0);
	}
	verdict(&s, 0, p[2].id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	verdict(&s, 0, p[0].id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	/* Every id up to the last: 1 and 3. */
	verdict(&s, 1, p[3].id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	for (i = 0; i < 4; i++)
		strcat(got, received(&s));
	CHECK(!strcmp(got, "2013"), "arrived in verdict order: %s", got);
	/* Decided already. */
	verdict(&s, 0, p[1].id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(tx_error(&s) == -ENOENT, "a decided id");
	verdict(&s, 1, p[3].id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(tx_error(&s) == -ENOENT, "an empty batch");
	qsock_close(&s);
}

static void payload_replacement_and_refusals(void)
{
	struct qsock s;
	struct pkt p;
	int err;

	queue_start(&s, 0, 0);

	/* The same length, other bytes (the UDP checksum off). */
	send_udp(&s, "abcd");
	REQUIRE(next_packet(&s, &p) == 0);
	memcpy(p.payload + 28, "wxyz", 4);
	p.payload[26] = p.payload[27] = 0;
	verdict(&s, 0, p.id, NF_ACCEPT, 0, 0, p.payload, p.len, 0);
	CHECK(!strcmp(received(&s), "wxyz"), "replaced");

	/* Too short: under the transport header. Refused, dropped. */
	send_udp(&s, "short");
	REQUIRE(next_packet(&s, &p) == 0);
	verdict(&s, 0, p.id, NF_ACCEPT, 0, 0, p.payload, 10, 0);
	err = tx_error(&s);
	CHECK(err == -EINVAL, "too short: %d", err);
	/* A verdict out of range, an id never given. */
	send_udp(&s, "bad");
	REQUIRE(next_packet(&s, &p) == 0);
	verdict(&s, 0, p.id, NF_STOLEN, 0, 0, NULL, 0, 0);
	CHECK(tx_error(&s) == -EINVAL, "NF_STOLEN refused");
	verdict(&s, 0, p.id + 1000, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(tx_error(&s) == -ENOENT, "unknown id");
	verdict(&s, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(!strcmp(received(&s), "bad"), "still held, then accepted");
	qsock_close(&s);
}

struct qstats {
	uint32_t queue, waiting, portid;
	uint64_t s[NLMQ_S_MAX + 1];
	int n;
};

static int qstats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct qstats *q = data;
	struct nlattr *a, *x;

	q->n++;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case NLMQ_A_QUEUE:
			q->queue = mnl_attr_get_u32(a);
			break;
		case NLMQ_A_WAITING:
			q->waiting = mnl_attr_get_u32(a);
			break;
		case NLMQ_A_PORTID:
			q->portid = mnl_attr_get_u32(a);
			break;
		case NLMQ_A_STATS:
			mnl_attr_for_each_nested(x, a)
				if (mnl_attr_get_type(x) <= NLMQ_S_MAX)
					q->s[mnl_attr_get_type(x)] =
						mnl_attr_get_u64(x);
			break;
		}
	}
	return MNL_CB_OK;
}

/* NLMQ_CMD_GET from a plain socket: the namespace's queues. */
static int qstats(struct qstats *q)
{
	struct mnl_socket *nl = genl_open(NULL);
	char buf[16384];
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret = -1;

	memset(q, 0, sizeof(*q));
	if (!nl)
		return -1;
	nlh = mnl_ring_genl_put(buf, qfam, NLMQ_CMD_GET, NLMQ_GENL_VERSION,
				NLM_F_DUMP, 3);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0)
		while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
			ret = mnl_cb_run(buf, n, 3, 0, qstats_cb, q);
			if (ret <= MNL_CB_STOP)
				break;
		}
	mnl_socket_close(nl);
	return ret < 0 ? -1 : 0;
}

/* Verdicts on the socket, and the counters as the GET dump shows them. */
static void socket_verdicts_and_counters(void)
{
	struct qstats st;
	struct qsock s;
	struct pkt p;

	queue_start(&s, 0, 0);
	send_udp(&s, "a");
	send_udp(&s, "b");
	REQUIRE(next_packet(&s, &p) == 0 && next_packet(&s, &p) == 0);
	REQUIRE(qstats(&st) == 0);
	CHECK(st.n == 1 && st.queue == 0 && st.waiting == 2 &&
	      st.portid == mnl_socket_get_portid(s.nl) &&
	      st.s[NLMQ_S_QUEUED] == 2, "%d queues, %u waiting", st.n,
	      st.waiting);
	verdict(&s, 1, p.id, NF_ACCEPT, 0, 0, NULL, 0, 1);
	CHECK(!strcmp(received(&s), "a") && !strcmp(received(&s), "b"),
	      "both accepted");
	REQUIRE(qstats(&st) == 0);
	CHECK(st.waiting == 0 && st.s[NLMQ_S_VERDICTS] == 2, "%u waiting",
	      st.waiting);
	qsock_close(&s);
}

/* A full queue drops, or accepts when it fails open; counted. */
/* NFQA_PRIORITY in a verdict: the repeated packet comes back with it. */
static void priority_set_by_a_verdict(void)
{
	struct nl_mmap_hdr *f;
	struct nlmsghdr *nlh;
	struct qsock s;
	struct pkt p;

	queue_start(&s, 0, 0);
	send_udp(&s, "prio");
	REQUIRE(next_packet(&s, &p) == 0);
	CHECK(p.prio == 0, "no priority yet: %u", p.prio);
	f = tx_frame_get(s.r);
	REQUIRE(f, "a TX frame");
	nlh = mnl_ring_genl_put(mnl_ring_frame_data(f), qfam, NLMQ_CMD_VERDICT,
				NLMQ_GENL_VERSION, 0, 0);
	nfq_nlmsg_verdict_put(nlh, p.id, NF_REPEAT);
	mnl_attr_put_u32(nlh, NFQA_PRIORITY, htonl(6));
	tx_frame_submit(s.r, nlh->nlmsg_len);
	REQUIRE(mnl_ring_tx_kick(mnl_ring_tx(s.r)) >= 0);
	REQUIRE(next_packet(&s, &p) == 0);
	CHECK(p.prio == 6, "repeated with priority %u", p.prio);
	verdict(&s, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(!strcmp(received(&s), "prio"), "accepted");
	qsock_close(&s);
}

/* A full RX ring refuses packets: dropped and counted as user dropped, or
 * let through when the queue fails open, counted too; the held ones stay
 * decidable.
 */
/* The socket's pending error, read (and so cleared). */
static int sock_error(int fd)
{
	socklen_t len = sizeof(int);
	int err = 0;

	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) ? -1 : err;
}

static int fill_ring_and_decide(struct qsock *s, struct qstats *st)
{
	struct pkt p;
	int i, n = 0;

	for (i = 0; i < 80; i++)
		send_udp(s, "x");
	if (qstats(st))
		return -1;
	while (n < 80 && rx_frame_next(s->r) && next_packet(s, &p) == 0) {
		n++;
		verdict(s, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	}
	return n;
}

static void fail_open_under_a_full_ring(void)
{
	struct qstats st;
	struct qsock s;
	int n, got = 0;

	queue_start(&s, 0, 0);	/* 64 RX frames, nobody reading */
	n = fill_ring_and_decide(&s, &st);
	CHECK(st.waiting <= 64 && st.s[NLMQ_S_USER_DROPPED] >= 16 &&
	      st.waiting + st.s[NLMQ_S_USER_DROPPED] == 80,
	      "%u held, %llu user dropped", st.waiting,
	      (unsigned long long)st.s[NLMQ_S_USER_DROPPED]);
	CHECK((unsigned int)n == st.waiting, "%d of %u decided", n,
	      st.waiting);
	while (got < 80 && !strcmp(received(&s), "x"))
		if (++got == n)
			break;
	CHECK(got == n, "only the decided ones came: %d", got);
	/* Signalled as an overrun, as netlink does; cleared to go on. */
	n = mnl_ring_clear_error(s.r);
	CHECK(n == (int)st.s[NLMQ_S_USER_DROPPED], "overrun of %d", n);
	CHECK(sock_error(mnl_socket_get_fd(s.nl)) == ENOBUFS,
	      "ENOBUFS on the socket");

	REQUIRE(qreq(s.nl, NLMQ_CMD_BIND, 0, NFQA_CFG_F_FAIL_OPEN, 0) == 0);
	n = fill_ring_and_decide(&s, &st);
	CHECK(st.s[NLMQ_S_FAIL_OPEN] >= 16 &&
	      st.waiting + st.s[NLMQ_S_FAIL_OPEN] == 80,
	      "%u held, %llu failed open", st.waiting,
	      (unsigned long long)st.s[NLMQ_S_FAIL_OPEN]);
	for (got = 0; got < 80 && !strcmp(received(&s), "x");)
		if (++got == 80)
			break;
	CHECK(got == 80 && (unsigned int)n == st.waiting,
	      "all 80 came (%d), %d decided", got, n);
	qsock_close(&s);
}

static void maxlen_and_fail_open(void)
{
	struct qstats st;
	struct qsock s;
	struct pkt p;
	int i;

	queue_start(&s, 0, 2);
	for (i = 0; i < 3; i++)
		send_udp(&s, "x");
	REQUIRE(qstats(&st) == 0);
	CHECK(st.waiting == 2 && st.s[NLMQ_S_QUEUE_DROPPED] == 1,
	      "%u held, %llu dropped", st.waiting,
	      (unsigned long long)st.s[NLMQ_S_QUEUE_DROPPED]);
	REQUIRE(qreq(s.nl, NLMQ_CMD_BIND, 0, NFQA_CFG_F_FAIL_OPEN, 2) == 0);
	send_udp(&s, "open");
	CHECK(!strcmp(received(&s), "open"), "failed open");
	REQUIRE(qstats(&st) == 0);
	CHECK(st.s[NLMQ_S_FAIL_OPEN] == 1, "counted");
	REQUIRE(next_packet(&s, &p) == 0);
	qsock_close(&s);
}

/* UDP datagrams "<tag> <i>" to PORT, @n of them, as the user as_user()
 * made: its own socket, so its packets are its own.
 */
struct udp_burst {
	const char *tag;
	int n;
};

static int udp_send(void *arg)
{
	const struct udp_burst *b = arg;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i;
	char msg[32];

	if (fd < 0)
		return 2;
	for (i = 0; i < b->n; i++) {
		snprintf(msg, sizeof(msg), "%s %d", b->tag, i);
		/* Refused by the queue is still sent, as far as UDP knows. */
		if (sendto(fd, msg, strlen(msg), 0, (void *)&a, sizeof(a)) < 0)
			return 3;
	}
	close(fd);
	return 0;
}

/* The flooded system agent: nobody floods a root agent's queue while the
 * agent does not read; then another user sends a trickle. The flooder's
 * packets get their share of the 64-frame ring (half, one more for
 * rounding), the rest are refused, counted and signalled; the trickle is
 * queued whole, in order, and goes through when accepted.
 */
static void flooding_user_keeps_to_its_share(void)
{
	struct udp_burst flood = { "flood", 1000 }, trickle = { "trickle", 8 };
	int flooded = 0, got = 0, bad = 0, err, drops;
	struct qstats st;
	struct qsock s;
	struct pkt p;
	char want[32];

	queue_start(&s, 0, 0);	/* 64 RX frames, nobody reading */
	err = as_user(65534, udp_send, &flood);
	if (err == -EPERM)
		SKIP("cannot become user nobody here");
	REQUIRE(err == 0, "the flood: %d", err);
	REQUIRE(as_user(1, udp_send, &trickle) == 0, "the trickle");
	REQUIRE(qstats(&st) == 0);
	while (rx_frame_next(s.r) && next_packet(&s, &p) == 0) {
		const char *m = udp_data(&p);

		snprintf(want, sizeof(want), "trickle %d", got);
		if (!strncmp(m, "flood ", 6)) {
			flooded++;
			verdict(&s, 0, p.id, NF_DROP, 0, 0, NULL, 0, 0);
			continue;
		}
		if (!strcmp(m, want))
			got++;
		else
			bad++;
		verdict(&s, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	}
	CHECK(got == 8 && !bad, "the trickle: %d of 8 in order, %d others",
	      got, bad);
	CHECK(flooded > 0 && flooded <= 33, "the flood held %d of 64 frames",
	      flooded);
	CHECK(st.waiting == (unsigned int)(flooded + got) &&
	      st.s[NLMQ_S_USER_DROPPED] == (uint64_t)(1000 - flooded),
	      "%u held, %llu user dropped", st.waiting,
	      (unsigned long long)st.s[NLMQ_S_USER_DROPPED]);
	drops = mnl_ring_clear_error(s.r);
	CHECK(drops == 1000 - flooded, "%d of the flood's %d losses signalled",
	      drops, 1000 - flooded);
	CHECK(ring_stat(s.r, family, NLMMAP_S_QUOTA_DROPPED) == drops,
	      "counted as over the sender's share: %lld",
	      (long long)ring_stat(s.r, family, NLMMAP_S_QUOTA_DROPPED));
	for (got = 0; got < 8; got++) {
		snprintf(want, sizeof(want), "trickle %d", got);
		if (strcmp(received(&s), want))
			break;
	}
	CHECK(got == 8, "%d of the trickle came through", got);
	qsock_close(&s);
}

/* The same with a queue shorter than the ring (maxlen 16): an agent that
 * reads its frames but delays its verdicts is flooded through the queue,
 * not the ring. The flood holds its share of maxlen, 9 of 16 (counted as
 * QUEUE_DROPPED beyond it); the trickle's 4 packets, its share of what is
 * left, are all queued.
 */
static void flooding_user_keeps_to_its_share_of_the_queue(void)
{
	struct udp_burst flood = { "flood", 1000 }, trickle = { "trickle", 4 };
	int flooded = 0, got = 0, bad = 0, err;
	struct nl_mmap_hdr *f;
	struct qstats st;
	struct qsock s;
	struct pkt p;
	char want[32];

	queue_start(&s, 0, 16);
	err = as_user(65534, udp_send, &flood);
	if (err == -EPERM)
		SKIP("cannot become user nobody here");
	REQUIRE(err == 0, "the flood: %d", err);
	REQUIRE(as_user(1, udp_send, &trickle) == 0, "the trickle");
	REQUIRE(qstats(&st) == 0);
	/* A packet the queue refused leaves a hole in the frame it had. */
	while ((f = rx_frame_next(s.r)) && (!f->nm_len ||
					    next_packet(&s, &p) == 0)) {
		const char *m;

		if (!f->nm_len) {
			rx_frame_done(s.r, 0);
			continue;
		}
		m = udp_data(&p);
		snprintf(want, sizeof(want), "trickle %d", got);
		if (!strncmp(m, "flood ", 6))
			flooded++;
		else if (!strcmp(m, want))
			got++;
		else
			bad++;
	}
	CHECK(got == 4 && !bad, "the trickle: %d of 4 in order, %d others",
	      got, bad);
	CHECK(flooded == 9, "the flood held %d of 16", flooded);
	CHECK(st.waiting == (unsigned int)(flooded + got) &&
	      st.s[NLMQ_S_QUEUE_DROPPED] == (uint64_t)(1000 - flooded),
	      "%u held, %llu queue dropped", st.waiting,
	      (unsigned long long)st.s[NLMQ_S_QUEUE_DROPPED]);
	qsock_close(&s);	/* the held ones are dropped */
}

/* With nothing bound: dropped, or through with "bypass". */
static void bypass_with_nothing_bound(void)
{
	struct qsock s = {};

	queue_env();
	REQUIRE(queue_rule("queue num 3") == 0);
	s.rx = udp_socket(PORT);
	s.tx = udp_socket(0);
	send_udp(&s, "lost");
	send_udp_unqueued(&s, "marker");
	CHECK(!strcmp(received(&s), "marker"), "dropped without bypass");
	REQUIRE(queue_rule("queue num 3 bypass") == 0);
	send_udp(&s, "through");
	CHECK(!strcmp(received(&s), "through"), "through with bypass");
	close(s.rx);
	close(s.tx);
}

/* Unbinding, closing or dying with packets held: by the policy. */
static void held_packets_follow_the_policy(void)
{
	struct qstats st;
	struct qsock s;
	struct pkt p;
	int status = 0, ready[2];
	pid_t pid;

	queue_env();
	REQUIRE(queue_rule("queue num 0") == 0);
	/* Unbind: dropped. */
	qsock_open(&s, 0, 0);
	send_udp(&s, "u");
	REQUIRE(next_packet(&s, &p) == 0);
	REQUIRE(qreq(s.nl, NLMQ_CMD_UNBIND, 0, 0, 0) == 0);
	REQUIRE(qreq(s.nl, NLMQ_CMD_BIND, 0, 0, 0) == 0);
	send_udp(&s, "after");
	REQUIRE(next_packet(&s, &p) == 0);
	verdict(&s, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(!strcmp(received(&s), "after"), "the unbound one dropped");
	/* Close, failing open: accepted. */
	REQUIRE(qreq(s.nl, NLMQ_CMD_BIND, 0, NFQA_CFG_F_FAIL_OPEN, 0) == 0);
	send_udp(&s, "open");
	REQUIRE(next_packet(&s, &p) == 0);
	ring_teardown(s.r, s.nl);
	CHECK(!strcmp(received(&s), "open"), "accepted at close");
	/* Killed while holding one: dropped, and the queue is free. */
	REQUIRE(pipe(ready) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		struct qsock c;

		c.r = ring_setup(&c.nl, &family, 64, 4096, 16);
		if (!c.r || qreq(c.nl, NLMQ_CMD_BIND, 0, 0, 0) ||
		    write(ready[1], "x", 1) != 1 || next_packet(&c, &p) ||
		    write(ready[1], "h", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	REQUIRE(read(ready[0], &status, 1) == 1, "the child bound queue 0");
	send_udp(&s, "killed");
	/* Its message read: the packet is held. */
	REQUIRE(read(ready[0], &status, 1) == 1, "the child holds it");
	REQUIRE(qstats(&st) == 0);
	CHECK(st.waiting == 1, "%u held", st.waiting);
	kill(pid, SIGKILL);
	REQUIRE(waitpid(pid, &status, 0) == pid);
	REQUIRE(qstats(&st) == 0);
	CHECK(st.n == 0, "the dead task's queue is gone: %d", st.n);
	send_udp_unqueued(&s, "marker");
	CHECK(!strcmp(received(&s), "marker"), "its packet dropped");
	close(s.rx);
	close(s.tx);
}

/* Only the socket that bound a queue decides its packets; binding needs
 * CAP_NET_ADMIN; one socket per queue.
 */
static void only_the_binder_decides(void)
{
	struct mnl_socket *other_nl;
	struct mnl_ring *other;
	struct qsock s;
	struct pkt p;
	int err;

	queue_start(&s, 0, 0);
	send_udp(&s, "mine");
	REQUIRE(next_packet(&s, &p) == 0);
	other = ring_setup(&other_nl, &family, 16, 4096, 0);
	REQUIRE(other);
	err = qreq(other_nl, NLMQ_CMD_BIND, 0, 0, 0);
	CHECK(err == -EBUSY, "queue 0 taken: %d", err);
	err = qreq(other_nl, NLMQ_CMD_BIND, 7, 0, NLMQ_MAXLEN_MAX + 1);
	CHECK(err == -EINVAL, "maxlen over NLMQ_MAXLEN_MAX: %d", err);
	{
		char buf[512];
		struct nlmsghdr *nlh = mnl_ring_genl_put(buf, qfam,
			NLMQ_CMD_VERDICT, NLMQ_GENL_VERSION, NLM_F_ACK, 9);

		nfq_nlmsg_verdict_put(nlh, p.id, NF_DROP);
		err = request_ack(other_nl, nlh, sizeof(buf));
		CHECK(err == -ENOTCONN, "another socket's verdict: %d", err);
	}
	verdict(&s, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(!strcmp(received(&s), "mine"), "the binder's verdict");
	if (setgid(65534) || setuid(65534))
		SKIP("cannot become user nobody here");
	err = qreq(other_nl, NLMQ_CMD_BIND, 5, 0, 0);
	CHECK(err == -EPERM, "nobody binding queue 5: %d", err);
	ring_teardown(other, other_nl);
	qsock_close(&s);
}

/* The attacker of reused_port_id_decides_nothing(): as soon as @portid
 * is free, it takes it and sends VERDICT_BATCH NF_ACCEPT for every id
 * until it is told it has no queue. 0: it decided nothing; 1: a verdict
 * decided packets; 2: it never got the port id.
 */
static int take_port_and_accept(uint32_t portid, int ready)
{
	struct mnl_socket *nl;
	char buf[512];
	long tries;
	int k, err;

	for (tries = 0; tries < 1000000; tries++) {
		nl = mnl_socket_open(NETLINK_GENERIC);
		if (!nl)
			return 2;
		if (!tries && write(ready, "s", 1) != 1)
			return 2;
		if (mnl_socket_bind(nl, 0, portid) < 0) {
			mnl_socket_close(nl);	/* still the agent's */
			continue;
		}
		for (k = 0; k < 64; k++) {
			struct nlmsghdr *nlh = mnl_ring_genl_put(buf, qfam,
				NLMQ_CMD_VERDICT_BATCH, NLMQ_GENL_VERSION,
				NLM_F_ACK, k + 1);

			nfq_nlmsg_verdict_put(nlh, 0x7fffffff, NF_ACCEPT);
			err = request_ack(nl, nlh, sizeof(buf));
			if (!err)
				return 1;
			if (err == -ENOTCONN)
				break;
		}
		mnl_socket_close(nl);
		return 0;
	}
	return 2;
}

/* A root agent holds packets on queue 0 and closes its socket, while user
 * nobody spins socket() + bind() on the agent's port id and sends
 * VERDICT_BATCH NF_ACCEPT as soon as it has it: netlink frees the port
 * id before the release's NETLINK_URELEASE ends the queue, but the queue
 * is the agent socket's, so nobody decides nothing (each attempt is
 * answered ENOTCONN) and the held packets go by the agent's policy:
 * dropped. A bounded number of rounds; how often nobody gets the port id
 * in the window is not timed, only reported. (Deterministically:
 * tests/kunit/queue_kunit.c.)
 */
static void reused_port_id_decides_nothing(void)
{
	const char *k = getenv("NLMMAP_KERNEL");
	int rounds = k && !strcmp(k, "debug") ? 40 : 200;
	int i, status, took = 0, decided = 0, arrived = 0;
	struct qsock s = {};
	struct pkt p;
	const char *got;

	queue_env();
	REQUIRE(queue_rule("queue num 0") == 0);
	s.rx = udp_socket(PORT);
	s.tx = udp_socket(0);
	REQUIRE(s.rx >= 0 && s.tx >= 0);
	for (i = 0; i < rounds && !tap_case_failed; i++) {
		int ready[2];
		uint32_t portid;
		pid_t pid;
		char c;

		s.r = ring_setup(&s.nl, &family, 64, 4096, 16);
		REQUIRE(s.r);
		REQUIRE(mnl_ring_genl_resolve(s.nl, NLMQ_GENL_NAME, &qfam) == 0);
		REQUIRE(qreq(s.nl, NLMQ_CMD_BIND, 0, 0, 0) == 0);
		send_udp(&s, "held");
		send_udp(&s, "held");
		REQUIRE(next_packet(&s, &p) == 0 && next_packet(&s, &p) == 0,
			"round %d: two held", i);
		portid = mnl_socket_get_portid(s.nl);
		REQUIRE(pipe(ready) == 0);
		fflush(stdout);
		pid = fork();
		REQUIRE(pid >= 0);
		if (!pid) {
			/* Not the agent's socket and ring: only the agent. */
			close(mnl_ring_get_fd(s.r));
			close(mnl_socket_get_fd(s.nl));
			close(ready[0]);
			if (setgid(65534) || setuid(65534))
				_exit(3);
			_exit(take_port_and_accept(portid, ready[1]));
		}
		close(ready[1]);
		/* It is spinning (or could not become nobody): close. */
		CHECK(read(ready[0], &c, 1) >= 0);
		close(ready[0]);
		ring_teardown(s.r, s.nl);
		REQUIRE(waitpid(pid, &status, 0) == pid);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
			SKIP("cannot become user nobody here");
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) <= 2,
		      "round %d: %#x", i, status);
		took += WIFEXITED(status) && WEXITSTATUS(status) < 2;
		decided += WIFEXITED(status) && WEXITSTATUS(status) == 1;
	}
	printf("# nobody took the port id in %d of %d rounds, decided in %d\n",
	       took, i, decided);
	CHECK(!decided, "nobody decided the agent's packets in %d rounds",
	      decided);
	/* Dropped by the agent's policy, every one: the marker comes first. */
	send_udp_unqueued(&s, "marker");
	while (strcmp((got = received(&s)), "marker") && *got)
		arrived++;
	CHECK(!strcmp(got, "marker"), "the marker came");
	while (*received_now(&s))
		arrived++;
	CHECK(!arrived, "%d held packets got through", arrived);
	close(s.rx);
	close(s.tx);
}

/* Held packets as NLMQ_CMD_ENTRY_GET lists them. */
struct held {
	int n;
	uint16_t queue;
	uint32_t id[8], len[8], hook[8], out[8];
};

static int held_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct nlattr *attr[NFQA_MAX + 1] = {};
	struct nfqnl_msg_packet_hdr *ph;
	struct held *h = data;

	if (nlh->nlmsg_type != qfam || g->cmd != NLMQ_CMD_ENTRY_GET ||
	    nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR] ||
	    !attr[NFQA_CAP_LEN] || !attr[NFQA_IFINDEX_OUTDEV] || h->n == 8)
		return MNL_CB_ERROR;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	h->id[h->n] = ntohl(ph->packet_id);
	h->hook[h->n] = ph->hook;
	h->len[h->n] = ntohl(mnl_attr_get_u32(attr[NFQA_CAP_LEN]));
	h->out[h->n] = ntohl(mnl_attr_get_u32(attr[NFQA_IFINDEX_OUTDEV]));
	h->queue = ntohs(g->reserved);
	h->n++;
	return MNL_CB_OK;
}

/* The held packets of @queue (-1: the caller's own queue) through @r's
 * RX ring, the request sent through its TX ring if it has one: 0 or
 * -errno.
 */
static int held_list(struct mnl_ring *r, int queue, struct held *h)
{
	char req[256], buf[16384];
	struct nlmsghdr *nlh = mnl_ring_genl_put(req, qfam, NLMQ_CMD_ENTRY_GET,
						 NLMQ_GENL_VERSION, 0, 31);

	if (queue >= 0)
		mnl_attr_put_u32(nlh, NLMQ_A_QUEUE, queue);
	memset(h, 0, sizeof(*h));
	return mnl_ring_dump(r, nlh, buf, sizeof(buf), held_cb, h, 10000) ==
	       MNL_CB_STOP ? 0 : -errno;
}

/* Lines of @cmd's output that start with @prefix and hold @word (if not
 * NULL); -1 when @cmd failed.
 */
static int output_lines(const char *cmd, const char *prefix,
			const char *word)
{
	char line[256];
	int n = 0;
	FILE *p = popen(cmd, "r");

	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		if (!strncmp(line, prefix, strlen(prefix)) &&
		    (!word || strstr(line, word)))
			n++;
	return pclose(p) ? -1 : n;
}

/* NLMQ_CMD_ENTRY_GET: what the queue holds, in id order, through the
 * dump engine into the ring (requested in a TX frame or on the socket),
 * or on a plain socket (nlmmap-stats); the queue's socket sees its own
 * queue, others need CAP_NET_ADMIN, and a TX frame never carries it.
 */
static void held_packets_are_listed(void)
{
	struct mnl_socket *other_nl;
	struct mnl_ring *other;
	struct pkt p[3];
	struct qsock s;
	struct held h;
	char line[64];
	int i, err;

	queue_start(&s, 0, 0);
	send_udp(&s, "a");
	send_udp(&s, "bb");
	send_udp(&s, "ccc");
	for (i = 0; i < 3; i++)
		REQUIRE(next_packet(&s, &p[i]) == 0);
	err = held_list(s.r, -1, &h);
	REQUIRE(err == 0, "own queue, asked in a TX frame: %d", err);
	CHECK(h.n == 3, "3 held: %d", h.n);
	for (i = 0; i < 3 && i < h.n; i++)
		CHECK(h.id[i] == p[i].id && h.len[i] == 29 + (uint32_t)i &&
		      h.hook[i] == NF_INET_LOCAL_OUT &&
		      h.out[i] == if_nametoindex("lo") && h.queue == 0,
		      "held %d: id %u (sent %u) len %u hook %u out %u", i,
		      h.id[i], p[i].id, h.len[i], h.hook[i], h.out[i]);

	verdict(&s, 0, p[1].id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(!strcmp(received(&s), "bb"), "the middle one accepted");
	err = held_list(s.r, 0, &h);
	CHECK(err == 0 && h.n == 2 && h.id[0] == p[0].id &&
	      h.id[1] == p[2].id, "after a verdict: %d, %d held", err, h.n);

	/* Another ring-bound socket, with no TX ring: asked on the socket,
	 * answered in its ring; root may see queue 0, a TX frame may not.
	 */
	other = ring_setup(&other_nl, &family, 16, 4096, 0);
	REQUIRE(other);
	err = held_list(other, 0, &h);
	CHECK(err == 0 && h.n == 2 && h.id[1] == p[2].id,
	      "CAP_NET_ADMIN, on the socket: %d, %d held", err, h.n);
	err = held_list(other, -1, &h);
	CHECK(err == -ENOENT, "no queue of its own: %d", err);
	ring_teardown(other, other_nl);
	other = ring_setup(&other_nl, &family, 16, 4096, 4);
	REQUIRE(other);
	REQUIRE(qreq(other_nl, NLMQ_CMD_BIND, 1, 0, 0) == 0);
	err = held_list(other, 0, &h);
	CHECK(err == -EPERM, "another queue, asked in a TX frame: %d", err);

	/* A plain socket, as nlmmap-stats lists them. */
	CHECK(output_lines("/tests/nlmmap-stats -e 0", "    0 ", NULL) == 2,
	      "nlmmap-stats -e 0: 2 lines");
	/* Its id, hook (LOCAL_OUT) and protocol columns. */
	snprintf(line, sizeof(line), " %10u    3 0x0800 ", p[2].id);
	CHECK(output_lines("/tests/nlmmap-stats -e 0", "    0 ", line) == 1,
	      "nlmmap-stats -e 0 shows id %u", p[2].id);
	/* Queue 0 holds 2, has seen 3 and 1 verdict. */
	CHECK(output_lines("/tests/nlmmap-stats -q", "    0 ", NULL) == 1 &&
	      output_lines("/tests/nlmmap-stats -q", "    1 ", NULL) == 1,
	      "nlmmap-stats -q: both queues");

	if (setgid(65534) || setuid(65534))
		SKIP("cannot become user nobody here");
	CHECK(output_lines("/tests/nlmmap-stats -e 0 2>&1; true",
			   "nlmmap_queue: Operation not permitted", NULL) == 1,
	      "nobody cannot list queue 0");
	ring_teardown(other, other_nl);
	qsock_close(&s);
}

static int count_entries(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != qfam || g->cmd != NLMQ_CMD_ENTRY_GET)
		return MNL_CB_ERROR;
	++*(int *)data;
	return MNL_CB_OK;
}

/* A held-packet dump paused on a full ring holds nlmmap_queue.ko; once
 * its queue is gone, it ends with NLMSG_DONE when the reader goes on, and
 * the module is free again.
 */
static void paused_listing_outlives_its_queue(void)
{
	char req[256], buf[16384];
	struct mnl_socket *anl;
	struct mnl_ring *admin;
	struct nlmsghdr *nlh;
	struct qsock s;
	struct pkt p;
	int i, n = 0, ret = MNL_CB_OK;

	queue_start(&s, 0, 0);
	/* Read as they come: one sender holds at most half the ring. */
	for (i = 0; i < 40; i++) {
		send_udp(&s, "held");
		REQUIRE(next_packet(&s, &p) == 0, "packet %d", i);
	}
	/* 32 frames of one message each: the dump of 40 pauses. */
	admin = ring_setup(&anl, &family, 32, 128, 0);
	REQUIRE(admin);
	nlh = mnl_ring_genl_put(req, qfam, NLMQ_CMD_ENTRY_GET,
				NLMQ_GENL_VERSION, NLM_F_DUMP, 55);
	mnl_attr_put_u32(nlh, NLMQ_A_QUEUE, 0);
	REQUIRE(mnl_socket_sendto(anl, nlh, nlh->nlmsg_len) >= 0);
	CHECK(kmod_unload("nlmmap_queue") != 0, "held by the paused dump");

	qsock_close(&s);	/* the queue ends; its packets are dropped */
	while (ret == MNL_CB_OK && mnl_ring_wait(admin, POLLIN, 10000) > 0)
		ret = rx_run(admin, buf, sizeof(buf), 55, count_entries, &n,
			     NULL, 0);
	CHECK(ret == MNL_CB_STOP && n >= 16 && n < 40,
	      "ended after %d of 40 (%d)", n, ret);
	ring_teardown(admin, anl);
	CHECK(kmod_unload("nlmmap_queue") == 0, "free once the dump ended");
}

/* The ids of a listing, checked against the packets held, in order. */
struct listing {
	const uint32_t *id;
	int n, seen, wrong;
};

static int listing_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct nlattr *attr[NFQA_MAX + 1] = {};
	struct nfqnl_msg_packet_hdr *ph;
	struct listing *l = data;

	if (nlh->nlmsg_type != qfam || g->cmd != NLMQ_CMD_ENTRY_GET ||
	    nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_ERROR;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	if (l->seen >= l->n || ntohl(ph->packet_id) != l->id[l->seen])
		l->wrong++;
	l->seen++;
	return MNL_CB_OK;
}

/* A held-packet listing read by a reader that holds up to 16 of 64
 * frames and releases each only when it meets it again (as the frame
 * protocol allows) ends: every entry once, in id order, then NLMSG_DONE,
 * and nlmmap_queue.ko is free. Before, such a reader could stall the
 * paused listing for good, and with it the module.
 */
static void listing_read_with_holds_ends(void)
{
	static uint32_t id[1000];
	struct listing l = { .id = id, .n = 1000 };
	unsigned int seed = 4242;
	char req[256];
	struct mnl_socket *anl;
	struct mnl_ring *admin;
	struct nlmsghdr *nlh;
	struct holding h;
	struct qsock s;
	struct pkt p;
	int i, j, ret, sndbuf = 64 << 20;

	/* Room for all 1,000 within one sender's share of maxlen (half). */
	queue_start(&s, 0, 2048);
	/* Held packets stay charged to the sender's buffer. */
	REQUIRE(setsockopt(s.tx, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
			   sizeof(sndbuf)) == 0);
	/* Held, not decided: a batch at a time, read as they come. */
	for (i = 0; i < l.n; i += 32) {
		for (j = i; j < i + 32 && j < l.n; j++)
			send_udp(&s, "held");
		for (j = i; j < i + 32 && j < l.n; j++) {
			REQUIRE(next_packet(&s, &p) == 0, "packet %d", j);
			id[j] = p.id;
		}
	}
	/* 64 frames of one entry each: the listing pauses again and again. */
	admin = ring_setup(&anl, &family, 64, 128, 0);
	REQUIRE(admin);
	nlh = mnl_ring_genl_put(req, qfam, NLMQ_CMD_ENTRY_GET,
				NLMQ_GENL_VERSION, NLM_F_DUMP, 56);
	mnl_attr_put_u32(nlh, NLMQ_A_QUEUE, 0);
	REQUIRE(mnl_socket_sendto(anl, nlh, nlh->nlmsg_len) >= 0);
	ret = rx_run_holding(admin, &seed, 16, 56, listing_cb, &l, 20000, &h);
	CHECK(ret == MNL_CB_STOP, "%s after %d of %d entries (%d)",
	      ret == HOLDING_STALLED ? "stalled" : "ended", l.seen, l.n, ret);
	CHECK(l.seen == l.n && !l.wrong, "%d entries, %d not in order",
	      l.seen, l.wrong);
	printf("# %u holds, %u met again, at most %u at once, %u polls\n",
	       h.holds, h.met, h.most, h.polls);
	CHECK(h.most == 16 && h.met > 100, "the reader held as it may");
	qsock_close(&s);
	CHECK(kmod_unload("nlmmap_queue") == 0, "no listing holds the module");
	ring_teardown(admin, anl);
}

/* NF_QUEUE: a verdict that sends the packet on to another queue. */
static void requeue_to_another_queue(void)
{
	struct qsock s, t = {};
	struct pkt p;
	int err;

	queue_start(&s, 0, 0);
	t.r = ring_setup(&t.nl, &family, 64, 4096, 16);
	REQUIRE(t.r);
	err = qreq(t.nl, NLMQ_CMD_BIND, 1, 0, 0);
	REQUIRE(err == 0, "queue 1: %d", err);
	send_udp(&s, "moved");
	REQUIRE(next_packet(&s, &p) == 0);
	verdict(&s, 0, p.id, NF_QUEUE_NR(1), 0, 0, NULL, 0, 0);
	REQUIRE(next_packet(&t, &p) == 0, "on queue 1");
	CHECK(p.queue == 1 && !strcmp(udp_data(&p), "moved"),
	      "queue %u, \"%s\"", p.queue, udp_data(&p));
	verdict(&t, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(!strcmp(received(&s), "moved"), "accepted by queue 1");
	ring_teardown(t.r, t.nl);
	qsock_close(&s);
}

/* "queue num 0-1": flows spread over two sockets, each deciding its own.
 * The spread hashes addresses: each flow comes from its own 127.0.0.X.
 */
static void balance_over_two_sockets(void)
{
	struct qsock s, t = {};
	int n[2], got;

	queue_env();
	REQUIRE(queue_rule("queue num 0-1") == 0);
	qsock_open(&s, 0, 0);
	t.r = ring_setup(&t.nl, &family, 64, 4096, 16);
	REQUIRE(t.r && qreq(t.nl, NLMQ_CMD_BIND, 1, 0, 0) == 0);
	got = spread_flows(&s, &t, 32, n);
	CHECK(n[0] + n[1] == 32 && n[0] && n[1], "%d and %d", n[0], n[1]);
	CHECK(got == 32, "%d delivered", got);
	ring_teardown(t.r, t.nl);
	qsock_close(&s);
}

/* "queue num 0-1 fanout": the queue by the sending CPU. */
static void fanout_over_cpus(void)
{
	queue_env();
	REQUIRE(queue_rule("queue num 0-1 fanout") == 0);
	fanout_by_cpu();
}

static int lo_mtu(int mtu)
{
	struct ifreq ifr = { .ifr_name = "lo", .ifr_mtu = mtu };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err;

	err = fd < 0 || ioctl(fd, SIOCSIFMTU, &ifr) ? -1 : 0;
	if (fd >= 0)
		close(fd);
	return err;
}

/* The largest packet a TCP transfer of @target bytes queued, all
 * accepted; -1 when the transfer did not complete.
 */
static int tcp_max_packet(struct qsock *s, int target)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static char data[65536];
	int l, c, conn = -1, max = 0, got = 0, sent = 0, one = 1;
	struct pkt p;
	ssize_t n;

	l = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l < 0 || c < 0 || bind(l, (void *)&a, sizeof(a)) || listen(l, 1))
		return -1;
	connect(c, (void *)&a, sizeof(a));
	while (got < target) {
		struct pollfd pfd[3] = {
			{ mnl_ring_get_fd(s->r), POLLIN, 0 },
			{ conn >= 0 ? conn : l, POLLIN, 0 },
			{ c, sent < target ? POLLOUT : 0, 0 },
		};

		if (poll(pfd, 3, 60000) <= 0)
			break;
		while (rx_frame_next(s->r) && !next_packet(s, &p)) {
			if ((int)p.len > max)
				max = p.len;
			verdict(s, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
		}
		if (conn < 0 && (pfd[1].revents & POLLIN))
			conn = accept(l, NULL, NULL);
		else if (conn >= 0 && (pfd[1].revents & POLLIN) &&
			 (n = recv(conn, data, sizeof(data), MSG_DONTWAIT)) > 0)
			got += n;
		if ((pfd[2].revents & POLLOUT) &&
		    (n = send(c, data, target - sent, MSG_DONTWAIT)) > 0)
			sent += n;
	}
	close(c);
	close(l);
	if (conn >= 0)
		close(conn);
	return got >= target ? max : -1;
}

static void gso_whole_or_segmented(void)
{
	struct qsock s;
	int max;

	queue_env();
	REQUIRE(lo_mtu(1500) == 0);
	REQUIRE(proto_rule("tcp", "queue num 0") == 0);
	qframe = 69632;		/* a whole GSO packet in a frame */
	qsock_open(&s, NFQA_CFG_F_GSO, 0);
	max = tcp_max_packet(&s, 60000);
	CHECK(max > 1500, "whole GSO packets: the largest %d bytes", max);
	REQUIRE(qreq(s.nl, NLMQ_CMD_BIND, 0, 0, 0) == 0);
	max = tcp_max_packet(&s, 60000);
	CHECK(max > 0 && max <= 1500, "segmented: the largest %d bytes", max);
	qsock_close(&s);
}

/* The ring path of payload_sweep(): BIND with the copy mode and range,
 * messages from VALID frames or from the socket behind COPY frames,
 * verdicts in TX frames.
 */
static int ring_bind(struct qpath *qp, const struct copy_cfg *c,
		     uint32_t flags)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_ring_genl_put(buf, qfam, NLMQ_CMD_BIND,
						 NLMQ_GENL_VERSION, NLM_F_ACK,
						 78);

	mnl_attr_put_u32(nlh, NLMQ_A_QUEUE, 0);
	mnl_attr_put_u32(nlh, NLMQ_A_COPY_MODE, c->mode);
	if (c->range != 0xffff)	/* 0xffff: the default, left out */
		mnl_attr_put_u32(nlh, NLMQ_A_COPY_RANGE, c->range);
	mnl_attr_put_u32(nlh, NLMQ_A_FLAGS, flags);
	return request_ack(qp->s.nl, nlh, sizeof(buf));
}

static ssize_t ring_next(struct qpath *qp, void *buf, size_t len,
			 int *copied)
{
	struct pollfd pfd = { mnl_ring_get_fd(qp->s.r), POLLIN, 0 };
	struct nl_mmap_hdr *f;
	ssize_t n = -1;
	int done = 0;

	while (!(f = rx_frame_next(qp->s.r)))
		if (poll(&pfd, 1, 10000) <= 0 || (pfd.revents & POLLERR))
			return -1;	/* nothing, or a drop signalled */
	*copied = f->nm_status == NLMMAP_STATUS_COPY;
	if (f->nm_status == NLMMAP_STATUS_VALID && f->nm_len &&
	    f->nm_len <= len) {
		n = f->nm_len;
		memcpy(buf, mnl_ring_frame_data(f), n);
	} else if (*copied) {
		n = mnl_ring_rx_recv(mnl_ring_rx(qp->s.r), f, buf, len, &done);
		if (!done)
			n = -1;
	}
	rx_frame_done(qp->s.r, 0);
	return n;
}

/* As verdict(), and usable after a failed CHECK. */
static int ring_verdict(struct qpath *qp, uint32_t id, uint32_t v)
{
	struct nl_mmap_hdr *f = tx_frame_get(qp->s.r);
	struct nlmsghdr *nlh;

	if (!f)
		return -1;
	nlh = mnl_ring_genl_put(mnl_ring_frame_data(f), qfam, NLMQ_CMD_VERDICT,
				NLMQ_GENL_VERSION, 0, 0);
	nfq_nlmsg_verdict_put(nlh, id, v);
	tx_frame_submit(qp->s.r, nlh->nlmsg_len);
	return mnl_ring_tx_kick(mnl_ring_tx(qp->s.r)) < 0 ? -1 : 0;
}

static void ring_sweep(unsigned int frame)
{
	struct qpath qp = { .bind = ring_bind, .next = ring_next,
			    .verdict = ring_verdict, .frame = frame };

	queue_env();
	qp.s.r = ring_setup(&qp.s.nl, &family, 8, frame, 4);
	REQUIRE(qp.s.r);
	REQUIRE(mnl_ring_genl_resolve(qp.s.nl, NLMQ_GENL_NAME, &qfam) == 0);
	payload_sweep(&qp);
	ring_teardown(qp.s.r, qp.s.nl);
}

/* Frames that hold the largest message: each packet in a frame. */
static void payloads_whole_in_frames(void)
{
	ring_sweep(QFRAME_ANY);
}

/* 4 KiB frames: larger messages come from the socket behind COPY. */
static void payloads_whole_behind_copy_frames(void)
{
	ring_sweep(4096);
}

/* A namespace torn down while its queue holds a packet: nothing left. */
static void netns_teardown_with_packets_held(void)
{
	int status;
	pid_t pid;

	queue_env();
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		struct qsock c;
		struct pkt p;

		if (unshare(CLONE_NEWNET) || lo_up() ||
		    queue_rule("queue num 0"))
			_exit(2);
		qsock_open(&c, 0, 0);
		send_udp(&c, "held");
		_exit(next_packet(&c, &p) ? 1 : 0);
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "status %#x",
	      status);
	/* kmemleak and the console tell the rest. */
}

/* NFQA_UID and NFQA_GID only when asked: the sending socket's owner. */
static void uid_gid_when_asked(void)
{
	struct nlattr *attr[NFQA_MAX + 1];
	struct nl_mmap_hdr *f;
	struct pollfd pfd;
	struct qsock s;
	struct pkt p;
	int asked;

	queue_start(&s, 0, 0);
	pfd = (struct pollfd){ mnl_ring_get_fd(s.r), POLLIN, 0 };
	for (asked = 0; asked < 2; asked++) {
		if (asked)
			REQUIRE(qreq(s.nl, NLMQ_CMD_BIND, 0, NFQA_CFG_F_UID_GID,
				     0) == 0);
		send_udp(&s, "who");
		REQUIRE(poll(&pfd, 1, 60000) == 1);
		f = rx_frame_next(s.r);
		REQUIRE(f);
		memset(attr, 0, sizeof(attr));
		REQUIRE(nfq_nlmsg_parse(mnl_ring_frame_data(f), attr) >= 0);
		if (asked)
			CHECK(attr[NFQA_UID] && attr[NFQA_GID] &&
			      ntohl(mnl_attr_get_u32(attr[NFQA_UID])) ==
			      getuid(), "uid and gid given");
		else
			CHECK(!attr[NFQA_UID] && !attr[NFQA_GID],
			      "not given unasked");
		REQUIRE(next_packet(&s, &p) == 0);
		verdict(&s, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
		CHECK(!strcmp(received(&s), "who"), "accepted");
	}
	qsock_close(&s);
}

static void kill_tool(void *pid)
{
	if (*(pid_t *)pid <= 0)
		return;	/* never started, or already waited for */
	kill(*(pid_t *)pid, SIGKILL);
	waitpid(*(pid_t *)pid, NULL, 0);
}

/* iperf3 over loopback through the ring queue, nlmmap-queue deciding;
 * the caller's rule queues packets to PORT, the client runs with @args. Both
 * lines of the client's summary must come: the sender's holding @sent,
 * the receiver's. *@received, if not NULL, gets the datagrams the
 * receiver counted (its "lost/total": total - lost).
 */
static void iperf3_run(const char *args, const char *sent, long *received)
{
	char line[512];
	int got_sent = 0, got_rcvd = 0, status;
	FILE *out;

	REQUIRE(system("/tests/iperf3 -s -1 -D -p 9999 >/dev/null 2>&1") ==
		0);
	snprintf(line, sizeof(line),
		 "/tests/iperf3 -c 127.0.0.1 -p 9999 %s 2>&1", args);
	out = popen(line, "r");
	REQUIRE(out);
	while (fgets(line, sizeof(line), out)) {
		char *tok, *save = NULL;
		long lost, total;

		if (!strstr(line, "sender") && !strstr(line, "receiver"))
			continue;
		printf("# %s", line);
		got_sent |= strstr(line, "sender") && strstr(line, sent);
		if (!strstr(line, "receiver"))
			continue;
		got_rcvd = 1;
		for (tok = strtok_r(line, " \t", &save); tok && received;
		     tok = strtok_r(NULL, " \t", &save))
			if (sscanf(tok, "%ld/%ld", &lost, &total) == 2 &&
			    lost >= 0 && total >= lost)
				*received = total - lost;
	}
	status = pclose(out);
	CHECK(status == 0 && got_sent && got_rcvd, "iperf3: status %d",
	      status);
}

/* The verdict tool, running: nlmmap-queue with @argv, its queue bound
 * once it said so ("ready" on its stderr, the rest in *@err). It dies
 * with the case, however the case ends.
 */
static pid_t tool_pid;

static void queue_tool(char *argv[], FILE **err)
{
	char line[256] = "";
	int e[2];

	if (access("/tests/iperf3", X_OK) || access(argv[0], X_OK))
		SKIP("no iperf3 or nlmmap-queue here");
	REQUIRE(pipe(e) == 0);
	fflush(stdout);
	tool_pid = fork();
	REQUIRE(tool_pid >= 0);
	if (!tool_pid) {
		int null = open("/dev/null", O_WRONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 1);
		dup2(e[1], 2);
		close(e[0]);
		close(e[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	tap_defer(kill_tool, &tool_pid);
	close(e[1]);
	*err = fdopen(e[0], "r");
	REQUIRE(*err);
	while (fgets(line, sizeof(line), *err) && !strstr(line, "ready"))
		;
	REQUIRE(strstr(line, "ready"), "the tool is ready");
}

/* TCP: it completes, all 4 MBytes sent (TCP delivers them or fails). */
static void iperf3_through_the_ring_queue(void)
{
	char *argv[] = { "/tests/nlmmap-queue", "-g", NULL };
	FILE *err;

	queue_env();
	REQUIRE(proto_rule("tcp", "queue num 0") == 0);
	queue_tool(argv, &err);
	REQUIRE(tool_pid > 0);
	iperf3_run("-n 4M", " 4.00 MBytes", NULL);
}

/* Packets that went through chain @chain's counter, or -1. */
static long long chain_packets(const char *chain)
{
	long long n = -1;
	char cmd[128], line[512], *c;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "/tests/nft list chain ip t %s", chain);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p))
		if ((c = strstr(line, "counter packets ")))
			n = atoll(c + strlen("counter packets "));
	pclose(p);
	return n;
}

/* Packets the CPUs' backlogs dropped (/proc/net/softnet_stat). */
static long long softnet_dropped(void)
{
	unsigned int processed, dropped;
	long long n = 0;
	char line[512];
	FILE *f = fopen("/proc/net/softnet_stat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%x %x", &processed, &dropped) == 2)
			n += dropped;
	fclose(f);
	return n;
}

/* The namespace's rings, as a RING_GET dump shows them to root. */
struct rings {
	int n;
	uint64_t delivered, dropped;
};

static int rings_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rings *r = data;
	struct nlattr *a, *b, *c;

	r->n++;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != NLMMAP_A_RING)
			continue;
		mnl_attr_for_each_nested(b, a) {
			if (mnl_attr_get_type(b) != NLMMAP_R_STATS)
				continue;
			mnl_attr_for_each_nested(c, b) {
				if (mnl_attr_get_type(c) == NLMMAP_S_DELIVERED)
					r->delivered += mnl_attr_get_u64(c);
				if (mnl_attr_get_type(c) == NLMMAP_S_DROPPED)
					r->dropped += mnl_attr_get_u64(c);
			}
		}
	}
	return MNL_CB_OK;
}

static int rings_get(struct rings *r)
{
	uint16_t fam;
	struct mnl_socket *nl = genl_open(&fam);
	char buf[16384];
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (!nl)
		return -1;
	nlh = genl_req(buf, fam, NLMMAP_CMD_RING_GET, NLM_F_DUMP, 4);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0)
		while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
			ret = mnl_cb_run(buf, n, 4, 0, rings_cb, r);
			if (ret <= MNL_CB_STOP)
				break;
		}
	mnl_socket_close(nl);
	return ret < 0 ? -1 : 0;
}

/* UDP, 1,000 datagrams of 1,000 bytes at 4 Mbit/s, through the ring queue
 * and nlmmap-queue: what the queue guarantees, however fast the machine
 * is and however busy. How many datagrams a slow or loaded (emulated)
 * machine loses is not its business; that nothing goes uncounted is:
 *
 * - every packet the queue rule saw was held (QUEUED), or counted as
 *   dropped for a full queue or ring (QUEUE_DROPPED, USER_DROPPED) or let
 *   through by fail-open (FAIL_OPEN);
 * - every held one got a verdict (VERDICTS == QUEUED, none refused);
 * - the ring agrees: each held packet's message was published (the ring's
 *   DELIVERED), each refused by the ring counted there too (its DROPPED);
 * - the tool read each of them, and accepted them all;
 * - each accepted one arrived (the input hook's counter), or was dropped
 *   by a CPU backlog, counted in softnet_stat; the receiver counted no
 *   more than arrived.
 */
static void iperf3_udp_through_the_ring_queue(void)
{
	char *argv[] = { "/tests/nlmmap-queue", "-g", "-S", NULL };
	long long rule, arrived, backlog;
	unsigned long tpkts = 0, tverd = 0, tdrop = 0;
	char line[256] = "";
	struct qstats st = {};
	struct rings rg;
	long received = -1;
	struct mnl_socket *nl;
	uint64_t held, accepted;
	int status, tries;
	FILE *err;
	pid_t pid;

	queue_env();
	nl = genl_open(NULL);
	REQUIRE(nl && !mnl_ring_genl_resolve(nl, NLMQ_GENL_NAME, &qfam));
	mnl_socket_close(nl);
	REQUIRE(nft("flush ruleset\n"
		    "table ip t {\n"
		    "  chain out { type filter hook output priority 0;\n"
		    "    udp dport %d counter queue num 0\n"
		    "  }\n"
		    "  chain in { type filter hook input priority 0;\n"
		    "    udp dport %d counter\n"
		    "  }\n"
		    "}\n", PORT, PORT) == 0, "nft");
	queue_tool(argv, &err);
	REQUIRE(tool_pid > 0);
	pid = tool_pid;
	backlog = softnet_dropped();
	iperf3_run("-u -b 4M -l 1000 -n 1000000", " 977 KBytes",
		   &received);
	/* The client has sent all: the tool decides what it holds. */
	for (tries = 0; tries < 6000; tries++) {
		REQUIRE(qstats(&st) == 0 && st.n == 1, "the tool's queue");
		if (!st.waiting &&
		    st.s[NLMQ_S_VERDICTS] + st.s[NLMQ_S_BAD_VERDICTS] ==
		    st.s[NLMQ_S_QUEUED])
			break;
		usleep(10000);
	}
	rule = chain_packets("out");
	arrived = chain_packets("in");
	backlog = softnet_dropped() - backlog;
	REQUIRE(rings_get(&rg) == 0, "RING_GET");
	kill(pid, SIGTERM);
	REQUIRE(waitpid(pid, &status, 0) == pid);
	tool_pid = 0;
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "tool: %#x", status);
	while (fgets(line, sizeof(line), err))
		if (sscanf(line, "nlmmap-queue: %lu packets, %lu verdicts, %lu dropped",
			   &tpkts, &tverd, &tdrop) == 3)
			break;
	printf("# rule %lld, queued %llu, queue dropped %llu, user dropped %llu, failed open %llu, verdicts %llu, bad %llu; ring %llu delivered, %llu dropped; tool %lu packets; arrived %lld, backlog dropped %lld, received %ld\n",
	       rule, (unsigned long long)st.s[NLMQ_S_QUEUED],
	       (unsigned long long)st.s[NLMQ_S_QUEUE_DROPPED],
	       (unsigned long long)st.s[NLMQ_S_USER_DROPPED],
	       (unsigned long long)st.s[NLMQ_S_FAIL_OPEN],
	       (unsigned long long)st.s[NLMQ_S_VERDICTS],
	       (unsigned long long)st.s[NLMQ_S_BAD_VERDICTS],
	       (unsigned long long)rg.delivered,
	       (unsigned long long)rg.dropped, tpkts, arrived, backlog,
	       received);
	held = st.s[NLMQ_S_QUEUED];
	accepted = st.s[NLMQ_S_VERDICTS] + st.s[NLMQ_S_FAIL_OPEN];
	CHECK(held > 0 && rule > 0 && arrived > 0, "traffic went through");
	CHECK((uint64_t)rule == held + st.s[NLMQ_S_QUEUE_DROPPED] +
	      st.s[NLMQ_S_USER_DROPPED] + st.s[NLMQ_S_FAIL_OPEN],
	      "every packet the rule queued is held or counted");
	CHECK(!st.waiting && st.s[NLMQ_S_VERDICTS] == held &&
	      !st.s[NLMQ_S_BAD_VERDICTS] && !st.s[NLMQ_S_FLUSHED],
	      "every held packet decided: %u waiting", st.waiting);
	CHECK(rg.n == 1 && rg.delivered == held &&
	      rg.dropped == st.s[NLMQ_S_USER_DROPPED],
	      "the ring's counters agree (%d rings)", rg.n);
	CHECK(tpkts == held && !tdrop && tverd > 0,
	      "the tool read every held packet: \"%s\"", line);
	CHECK(arrived >= 0 && backlog >= 0 && (uint64_t)arrived <= accepted &&
	      accepted <= (uint64_t)(arrived + backlog),
	      "each accepted one arrived or was counted by a backlog");
	CHECK(received >= 0 && received <= arrived,
	      "the receiver counted no more than arrived");
	fclose(err);
}

/* nlmmap-queue, the verdict tool: accepts, drops its share, counts. */
static void queue_tool_decides_and_counts(void)
{
	tool_decides_and_counts(NULL);
}

/* One queue backend at a time, whichever loads first; never a WARN. */
static void nfnetlink_queue_coexistence(void)
{
	int err;

	if (kmod_load("nfnetlink", NULL))
		SKIP("no nfnetlink");
	kmod_unload("nlmmap_queue");
	err = kmod_load("nfnetlink_queue", NULL);
	if (err == -ENOENT)
		SKIP("no nfnetlink_queue module in this kernel");
	REQUIRE(err == 0, "nfnetlink_queue: %d", err);
	err = kmod_load("nlmmap_queue", QKO);
	CHECK(err == -EBUSY, "nlmmap_queue beside nfnetlink_queue: %d", err);
	REQUIRE(kmod_unload("nfnetlink_queue") == 0);
	err = kmod_load("nlmmap_queue", QKO);
	REQUIRE(err == 0, "nlmmap_queue alone: %d", err);
	tap_defer(queue_unload, NULL);
	err = kmod_load("nfnetlink_queue", NULL);
	CHECK(err == -EBUSY, "nfnetlink_queue beside nlmmap_queue: %d", err);
}

/* rmmod with packets held: they go, counted; nothing leaks. */
static void unload_with_packets_held(void)
{
	const char *got;
	struct qsock s;
	struct pkt p;

	queue_start(&s, NFQA_CFG_F_FAIL_OPEN, 0);
	send_udp(&s, "held");
	REQUIRE(next_packet(&s, &p) == 0);
	CHECK(kmod_unload("nlmmap_queue") == 0, "unloaded with one held");
	got = received(&s);
	CHECK(!strcmp(got, "held"), "accepted by its policy: \"%s\"", got);
	send_udp(&s, "no backend");
	send_udp_unqueued(&s, "marker");
	got = received(&s);
	CHECK(!strcmp(got, "marker"), "dropped with no backend: \"%s\"",
	      got);
	qsock_close(&s);
}

TAP_MAIN(T(accept_drop_repeat_and_mark), T(out_of_order_and_batch),
	 T(payload_replacement_and_refusals),
	 T(socket_verdicts_and_counters), T(maxlen_and_fail_open),
	 T(priority_set_by_a_verdict), T(fail_open_under_a_full_ring),
	 T(flooding_user_keeps_to_its_share),
	 T(flooding_user_keeps_to_its_share_of_the_queue),
	 T(bypass_with_nothing_bound), T(held_packets_follow_the_policy),
	 T(only_the_binder_decides), T(reused_port_id_decides_nothing),
	 T(held_packets_are_listed),
	 T(paused_listing_outlives_its_queue),
	 T(listing_read_with_holds_ends),
	 T(requeue_to_another_queue),
	 T(balance_over_two_sockets), T(fanout_over_cpus),
	 T(gso_whole_or_segmented), T(payloads_whole_in_frames),
	 T(payloads_whole_behind_copy_frames),
	 T(netns_teardown_with_packets_held), T(uid_gid_when_asked),
	 T(iperf3_through_the_ring_queue),
	 T(iperf3_udp_through_the_ring_queue), T(queue_tool_decides_and_counts),
	 T(nfnetlink_queue_coexistence),
	 T(unload_with_packets_held))
