// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * nfq-port.c, nfq-port-ring.c: drop the packets of one port, accept the
 * rest, log each verdict. nfq-port is written the usual way (libmnl on a
 * NETLINK_NETFILTER socket, libnetfilter_queue's nfq_nlmsg_*() helpers);
 * nfq-port-ring is the same program on an nlmmap ring (nlmmap_queue.ko)
 * with libmnl-mmap's mnl_ring_queue_*() calls. Diff the two to see the
 * port (the static stage checks it stays within 30 changed lines).
 *
 *   nfq-port[-ring] QUEUE PORT LOG [COUNT]
 *
 * One line per packet in LOG ("-": stdout), "PROTO SPORT DPORT LEN
 * VERDICT": nothing in it depends on the packet id or the backend, so
 * the two programs' logs of the same traffic compare. IPv4 UDP and TCP
 * to or from PORT are dropped. Stops after COUNT packets (0, the
 * default: never); "ready" on stderr says the queue is bound (a netlink
 * request is processed within sendto(), so nfq-port's bind is done then;
 * a refused one's error is read before the first packet).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

struct state {
	unsigned int queue, port;
	unsigned long count, seen;
	FILE *log;
	struct mnl_socket *nl;
};

/* The verdict for a packet, and its line in the log. */
static uint32_t decide(struct state *s, const uint8_t *p, size_t len)
{
	const struct iphdr *ip = (const void *)p;
	unsigned int sport = 0, dport = 0, hl;
	const char *proto = "other";
	uint32_t v = NF_ACCEPT;

	if (len >= sizeof(*ip) && ip->version == 4 &&
	    len >= (hl = ip->ihl * 4u) + 4 &&
	    (ip->protocol == IPPROTO_UDP || ip->protocol == IPPROTO_TCP)) {
		proto = ip->protocol == IPPROTO_UDP ? "udp" : "tcp";
		sport = p[hl] << 8 | p[hl + 1];
		dport = p[hl + 2] << 8 | p[hl + 3];
		if (sport == s->port || dport == s->port)
			v = NF_DROP;
	}
	fprintf(s->log, "%s %u %u %zu %s\n", proto, sport, dport, len,
		v == NF_DROP ? "drop" : "accept");
	return v;
}

static int queue_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	struct state *s = data;
	struct nfqnl_msg_packet_hdr *ph;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *out;
	uint32_t id, v;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_ERROR;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	id = ntohl(ph->packet_id);
	v = decide(s, attr[NFQA_PAYLOAD] ?
		   mnl_attr_get_payload(attr[NFQA_PAYLOAD]) : NULL,
		   attr[NFQA_PAYLOAD] ?
		   mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]) : 0);
	out = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, s->queue);
	nfq_nlmsg_verdict_put(out, id, v);
	if (mnl_socket_sendto(s->nl, out, out->nlmsg_len) < 0)
		return MNL_CB_ERROR;
	s->seen++;
	return s->count && s->seen >= s->count ? MNL_CB_STOP : MNL_CB_OK;
}

static int fail(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what,
		strerror(errno));
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: %s QUEUE PORT LOG [COUNT]\n",
		program_invocation_short_name);
	return 2;
}

int main(int argc, char *argv[])
{
	static char buf[0xffff + 8192];
	struct state s = { 0 };
	struct nlmsghdr *nlh;
	char *end;
	ssize_t n;
	int ret;

	if (argc < 4 || argc > 5)
		return usage();
	s.queue = strtoul(argv[1], &end, 0);
	if (*end || s.queue > 65535)
		return usage();
	s.port = strtoul(argv[2], &end, 0);
	if (*end || s.port > 65535)
		return usage();
	if (argc == 5) {
		s.count = strtoul(argv[4], &end, 0);
		if (*end)
			return usage();
	}
	s.log = strcmp(argv[3], "-") ? fopen(argv[3], "w") : stdout;
	if (!s.log)
		return fail(argv[3]);
	setvbuf(s.log, NULL, _IOLBF, 0);
	s.nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!s.nl || mnl_socket_bind(s.nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return fail("netlink socket");
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, s.queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (mnl_socket_sendto(s.nl, nlh, nlh->nlmsg_len) < 0)
		return fail("binding the queue");
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, s.queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	if (mnl_socket_sendto(s.nl, nlh, nlh->nlmsg_len) < 0)
		return fail("binding the queue");
	fprintf(stderr, "%s: ready\n", program_invocation_short_name);
	do {
		n = mnl_socket_recvfrom(s.nl, buf, sizeof(buf));
		ret = n < 0 ? -1 : mnl_cb_run(buf, n, 0, 0, queue_cb, &s);
	} while (ret > 0);
	if (ret < 0)
		return fail("queue");
	mnl_socket_close(s.nl);
	return 0;
}
