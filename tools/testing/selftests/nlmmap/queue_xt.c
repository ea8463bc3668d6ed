// SPDX-License-Identifier: GPL-2.0
/*
 * iptables' NFQUEUE target with nlmmap_queue: the rules users already
 * have (iptables-nft, whose NFQUEUE target runs through nft_compat and
 * xt_NFQUEUE) work unchanged: --queue-num, --queue-bypass,
 * --queue-balance and --queue-cpu-fanout.
 *
 * Each case runs in a network namespace of its own. The rules queue UDP
 * to 127.0.0.1:PORT except from source port MARKER_PORT, whose datagrams
 * mark what went through before them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/nlmmap_queue.h>

#include "tap.h"
#include "util.h"
#include "queue_util.h"

#define MARKER_PORT	7777

/* Netfilter, nlmmap_queue and xtables in a namespace of our own. */
static void xt_env(void)
{
	queue_env();
	if (access("/tests/iptables", X_OK))
		SKIP("no iptables here");
	if (kmod_load("nft_compat", NULL) || kmod_load("xt_NFQUEUE", NULL) ||
	    kmod_load("xt_tcpudp", NULL))
		SKIP("no xtables NFQUEUE support in this kernel");
}

/* One "iptables -A OUTPUT" rule: 0 when iptables took it. */
static int ipt_rule(const char *fmt, ...)
{
	char target[256], cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(target, sizeof(target), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd),
		 "/tests/iptables -A OUTPUT -p udp --dport %d ! --sport %d %s",
		 PORT, MARKER_PORT, target);
	return system(cmd);
}

/* A datagram from MARKER_PORT, which no rule queues. */
static void send_marker(const char *msg)
{
	struct sockaddr_in src = { .sin_family = AF_INET,
				   .sin_port = htons(MARKER_PORT),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in dst = src;
	int fd = udp_socket(0);

	dst.sin_port = htons(PORT);
	REQUIRE(fd >= 0 && !bind(fd, (void *)&src, sizeof(src)));
	REQUIRE(sendto(fd, msg, strlen(msg), 0, (void *)&dst, sizeof(dst)) ==
		(ssize_t)strlen(msg));
	close(fd);
}

/* A second queue socket, bound to @queue. */
static void qsock_second(struct qsock *t, uint32_t queue)
{
	int err;

	t->r = ring_setup(&t->nl, &family, 64, 4096, 16);
	REQUIRE(t->r);
	err = qreq(t->nl, NLMQ_CMD_BIND, queue, 0, 0);
	REQUIRE(err == 0, "queue %u: %d", queue, err);
}

/* --queue-num: the packet on that queue, decided there. */
static void queue_num(void)
{
	struct qsock s;
	struct pkt p;
	int err;

	xt_env();
	err = ipt_rule("-j NFQUEUE --queue-num 0");
	REQUIRE(err == 0, "iptables: %d", err);
	qsock_open(&s, 0, 0);
	send_udp(&s, "through iptables");
	REQUIRE(next_packet(&s, &p) == 0);
	CHECK(p.queue == 0 && !strcmp(udp_data(&p), "through iptables"),
	      "queue %u: \"%s\"", p.queue, udp_data(&p));
	verdict(&s, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
	CHECK(!strcmp(received(&s), "through iptables"), "accepted");
	send_udp(&s, "dropped");
	REQUIRE(next_packet(&s, &p) == 0);
	verdict(&s, 0, p.id, NF_DROP, 0, 0, NULL, 0, 0);
	send_marker("marker");
	CHECK(!strcmp(received(&s), "marker"), "the dropped one never came");
	qsock_close(&s);
}

/* --queue-bypass with nothing bound lets packets through; without it they
 * are dropped.
 */
static void queue_bypass(void)
{
	struct qsock s;
	const char *got;

	xt_env();
	qsock_open(&s, 0, 0);	/* binds queue 0; the rules use 5 and 6 */
	REQUIRE(ipt_rule("-j NFQUEUE --queue-num 5 --queue-bypass") == 0);
	send_udp(&s, "bypassed");
	got = received(&s);
	CHECK(!strcmp(got, "bypassed"), "bypass, nothing bound: \"%s\"", got);
	REQUIRE(system("/tests/iptables -F OUTPUT") == 0);
	REQUIRE(ipt_rule("-j NFQUEUE --queue-num 6") == 0);
	send_udp(&s, "lost");
	send_marker("marker");
	got = received(&s);
	CHECK(!strcmp(got, "marker"), "no bypass, nothing bound: \"%s\"",
	      got);
	qsock_close(&s);
}

/* --queue-balance 0:1: flows spread over two sockets. */
static void queue_balance(void)
{
	struct qsock s, t = {};
	int n[2], got;

	xt_env();
	REQUIRE(ipt_rule("-j NFQUEUE --queue-balance 0:1") == 0);
	qsock_open(&s, 0, 0);
	qsock_second(&t, 1);
	got = spread_flows(&s, &t, 32, n);
	CHECK(n[0] + n[1] == 32 && n[0] && n[1], "%d and %d", n[0], n[1]);
	CHECK(got == 32, "%d delivered", got);
	ring_teardown(t.r, t.nl);
	qsock_close(&s);
}

/* --queue-cpu-fanout: the queue is the first plus the sending CPU modulo
 * their number.
 */
static void queue_cpu_fanout(void)
{
	xt_env();
	REQUIRE(ipt_rule("-j NFQUEUE --queue-balance 0:1 "
			 "--queue-cpu-fanout") == 0);
	fanout_by_cpu();
}

TAP_MAIN(T(queue_num), T(queue_bypass), T(queue_balance),
	 T(queue_cpu_fanout))
