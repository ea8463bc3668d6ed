// SPDX-License-Identifier: GPL-2.0
/*
 * nfnetlink_queue's own protocol with nlmmap_queue loaded: programs
 * written for nfnetlink_queue keep working on their NETLINK_NETFILTER
 * sockets, beside ring sockets, each queue owned by the socket that bound
 * it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/sock_diag.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/nlmmap_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "tap.h"
#include "util.h"
#include "queue_util.h"

static struct mnl_socket *nfqnl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);

	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID)) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

/* A config message for @queue (@cmd, or none when 0; @flags under @mask
 * when @mask): its ack, 0 or -errno.
 */
static int nfqnl_config(struct mnl_socket *nl, uint16_t queue, uint8_t cmd,
			uint32_t flags, uint32_t mask)
{
	char buf[512];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (cmd)
		nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, cmd);
	if (mask) {
		mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
		mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(mask));
	}
	return request_ack(nl, nlh, sizeof(buf));
}

static int nfqnl_verdict(struct mnl_socket *nl, uint16_t queue, uint32_t id,
			 uint32_t verdict)
{
	char buf[512];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, queue);

	nlh->nlmsg_flags |= NLM_F_ACK;
	nfq_nlmsg_verdict_put(nlh, id, verdict);
	return request_ack(nl, nlh, sizeof(buf));
}

/* nlmmap-queue -s: libmnl and libnetfilter_queue on nfnetlink_queue's
 * protocol, served by nlmmap_queue.
 */
static void stock_tool_works_unchanged(void)
{
	tool_decides_and_counts("-s");
}

/* Binding, ownership and refusals, against ring sockets too. */
static void queues_are_owned_by_their_socket(void)
{
	struct mnl_socket *nf, *other, *gnl;
	struct mnl_ring *r;
	int err;

	queue_env();
	nf = nfqnl_open();
	other = nfqnl_open();
	REQUIRE(nf && other);
	CHECK(nfqnl_config(nf, 3, NFQNL_CFG_CMD_PF_BIND, 0, 0) == 0,
	      "PF_BIND: nothing to do");
	err = nfqnl_config(nf, 3, NFQNL_CFG_CMD_BIND, 0, 0);
	REQUIRE(err == 0, "bind queue 3: %d", err);
	err = nfqnl_config(nf, 4, NFQNL_CFG_CMD_BIND, NFQA_CFG_F_FAIL_OPEN,
			   NFQA_CFG_F_FAIL_OPEN);
	CHECK(err == 0, "a second queue on the socket: %d", err);
	err = nfqnl_config(other, 3, NFQNL_CFG_CMD_BIND, 0, 0);
	CHECK(err == -EBUSY, "queue 3 again: %d", err);
	err = nfqnl_config(other, 3, NFQNL_CFG_CMD_UNBIND, 0, 0);
	CHECK(err == -EPERM, "another socket unbinding it: %d", err);
	err = nfqnl_config(other, 3, 0, NFQA_CFG_F_GSO, NFQA_CFG_F_GSO);
	CHECK(err == -EPERM, "another socket configuring it: %d", err);
	err = nfqnl_verdict(other, 3, 1, NF_ACCEPT);
	CHECK(err == -EPERM, "another socket's verdict: %d", err);
	err = nfqnl_verdict(nf, 5, 1, NF_ACCEPT);
	CHECK(err == -ENODEV, "a verdict for an unbound queue: %d", err);
	err = nfqnl_verdict(nf, 3, 1, NF_ACCEPT);
	CHECK(err == -ENOENT, "an unknown id: %d", err);
	err = nfqnl_config(nf, 3, 0, NFQA_CFG_F_SECCTX, NFQA_CFG_F_SECCTX);
	CHECK(err == -EOPNOTSUPP, "F_SECCTX refused: %d", err);

	/* A ring socket meets the same queue numbers. */
	r = ring_setup(&gnl, &family, 16, 4096, 4);
	REQUIRE(r);
	REQUIRE(mnl_ring_genl_resolve(gnl, NLMQ_GENL_NAME, &qfam) == 0);
	err = qreq(gnl, NLMQ_CMD_BIND, 3, 0, 0);
	CHECK(err == -EBUSY, "a ring socket on queue 3: %d", err);
	CHECK(nfqnl_config(nf, 3, NFQNL_CFG_CMD_UNBIND, 0, 0) == 0,
	      "unbound by its owner");
	err = qreq(gnl, NLMQ_CMD_BIND, 3, 0, 0);
	CHECK(err == 0, "then free for a ring socket: %d", err);
	err = nfqnl_config(other, 3, NFQNL_CFG_CMD_BIND, 0, 0);
	CHECK(err == -EBUSY, "and taken for nfnetlink_queue's: %d", err);
	err = nfqnl_config(other, 3, NFQNL_CFG_CMD_UNBIND, 0, 0);
	CHECK(err == -EPERM, "a ring socket's queue is its own: %d", err);

	/* Closing ends every queue of the socket. */
	mnl_socket_close(nf);
	err = qreq(gnl, NLMQ_CMD_UNBIND, 0, 0, 0);
	CHECK(err == 0, "the ring socket unbinds 3: %d", err);
	err = qreq(gnl, NLMQ_CMD_BIND, 4, 0, 0);
	CHECK(err == 0, "queue 4 free once its socket closed: %d", err);
	ring_teardown(r, gnl);
	mnl_socket_close(other);
}

/* UDP to PORT queued to queue 0, bound on a new NETLINK_NETFILTER
 * socket with NFQNL_COPY_PACKET 0xffff, as most programs ask.
 */
static void nfqnl_whole_packets(struct mnl_socket **out)
{
	struct mnl_socket *nf;
	struct nlmsghdr *nlh;
	char buf[512];

	*out = NULL;

	REQUIRE(queue_rule("queue num 0") == 0, "nft");
	nf = nfqnl_open();
	REQUIRE(nf);
	REQUIRE(nfqnl_config(nf, 0, NFQNL_CFG_CMD_BIND, 0, 0) == 0);
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, 0);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	nlh->nlmsg_flags |= NLM_F_ACK;
	*out = nf;
	REQUIRE(request_ack(nf, nlh, sizeof(buf)) == 0, "params");
}

/* A packet message as nfnetlink_queue sends it: NFQNL_MSG_PACKET, res_id
 * the queue, the NFQA_* attributes; closing the socket with it held drops
 * it by the queue's policy.
 */
static void packet_message_and_flush_on_close(void)
{
	struct nlattr *attr[NFQA_MAX + 1] = {};
	struct mnl_socket *nf;
	struct nfgenmsg *nfg;
	struct nlmsghdr *nlh;
	struct qsock s = {};
	char buf[8192];
	const char *got;
	ssize_t n;

	queue_env();
	nfqnl_whole_packets(&nf);
	s.rx = udp_socket(PORT);
	s.tx = udp_socket(0);
	REQUIRE(s.rx >= 0 && s.tx >= 0);

	send_udp(&s, "first");
	n = mnl_socket_recvfrom(nf, buf, sizeof(buf));
	REQUIRE(n > 0, "a message");
	nlh = (struct nlmsghdr *)buf;
	nfg = mnl_nlmsg_get_payload(nlh);
	CHECK(nlh->nlmsg_type == (NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET) &&
	      nfg->res_id == htons(0) && nfg->nfgen_family == NFPROTO_IPV4,
	      "type %#x res_id %u family %u", nlh->nlmsg_type,
	      ntohs(nfg->res_id), nfg->nfgen_family);
	REQUIRE(nfq_nlmsg_parse(nlh, attr) >= 0 && attr[NFQA_PACKET_HDR] &&
		attr[NFQA_PAYLOAD]);
	CHECK(mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]) == 28 + 5 &&
	      !memcmp((char *)mnl_attr_get_payload(attr[NFQA_PAYLOAD]) + 28,
		      "first", 5), "the whole packet");
	REQUIRE(nfqnl_verdict(nf, 0,
			      ntohl(((struct nfqnl_msg_packet_hdr *)
				     mnl_attr_get_payload(attr[NFQA_PACKET_HDR]))
				    ->packet_id), NF_ACCEPT) == 0);
	got = received(&s);
	CHECK(!strcmp(got, "first"), "accepted: \"%s\"", got);

	send_udp(&s, "held");
	REQUIRE(mnl_socket_recvfrom(nf, buf, sizeof(buf)) > 0);
	mnl_socket_close(nf);	/* no verdict: dropped by the policy */
	send_udp(&s, "after");	/* nothing bound: netfilter drops it too */
	send_udp_unqueued(&s, "marker");
	got = received(&s);
	CHECK(!strcmp(got, "marker"), "the held one was dropped: \"%s\"", got);
	close(s.rx);
	close(s.tx);
}

/* nfnetlink_queue's protocol for payload_sweep(): queue 0 bound once,
 * then NFQA_CFG_PARAMS and the flags for each configuration; messages
 * from the socket (a default receive buffer), verdicts acked.
 */
static int nfqnl_bind(struct qpath *qp, const struct copy_cfg *c,
		      uint32_t flags)
{
	char buf[512];
	struct nlmsghdr *nlh;
	int err;

	if (!qp->bound) {
		err = nfqnl_config(qp->nf, 0, NFQNL_CFG_CMD_BIND, 0, 0);
		if (err)
			return err;
		qp->bound = 1;
	}
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, 0);
	nlh->nlmsg_flags |= NLM_F_ACK;
	nfq_nlmsg_cfg_put_params(nlh, c->mode, c->range);
	mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
	mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_GSO));
	return request_ack(qp->nf, nlh, sizeof(buf));
}

static ssize_t nfqnl_next(struct qpath *qp, void *buf, size_t len,
			  int *copied)
{
	struct pollfd pfd = { mnl_socket_get_fd(qp->nf), POLLIN, 0 };

	*copied = 0;
	if (poll(&pfd, 1, 10000) <= 0)
		return -1;
	return recv(pfd.fd, buf, len, MSG_DONTWAIT);
}

static int nfqnl_sweep_verdict(struct qpath *qp, uint32_t id, uint32_t v)
{
	return nfqnl_verdict(qp->nf, 0, id, v);
}

static void nfqnl_sweep(void)
{
	struct qpath qp = { .bind = nfqnl_bind, .next = nfqnl_next,
			    .verdict = nfqnl_sweep_verdict };

	qp.nf = nfqnl_open();
	REQUIRE(qp.nf);
	payload_sweep(&qp);
	mnl_socket_close(qp.nf);
}

/* Payloads through nfnetlink_queue's protocol served by nlmmap_queue. */
static void payloads_as_nfnetlink_queue_sends_them(void)
{
	queue_env();
	nfqnl_sweep();
}

static void nfnetlink_queue_unload(void *unused)
{
	(void)unused;
	kmod_unload_wait("nfnetlink_queue");
}

/* nfnetlink_queue itself as the backend, for the rest of the case. */
static void stock_backend(void)
{
	int err;

	kmod_unload_wait("nlmmap_queue");
	err = kmod_load("nfnetlink_queue", NULL);
	if (err == -ENOENT)
		SKIP("no nfnetlink_queue module in this kernel");
	REQUIRE(err == 0, "nfnetlink_queue: %d", err);
	tap_defer(nfnetlink_queue_unload, NULL);
}

/* The same sweep against nfnetlink_queue itself: what the expectations
 * are taken from.
 */
static void payloads_of_nfnetlink_queue_itself(void)
{
	if (unshare(CLONE_NEWNET))
		SKIP("no network namespaces here");
	if (kmod_load("nfnetlink", NULL) || kmod_load("nf_tables", NULL) ||
	    kmod_load("nft_queue", NULL))
		SKIP("no nf_tables queue support in this kernel");
	stock_backend();
	nfqnl_sweep();
}

/* 64 KiB packets through the protocol path, nothing read until @n are
 * queued, on a socket with the default receive buffer (as most
 * libnetfilter_queue programs have): *@one is the receive memory one
 * message is charged (SO_MEMINFO), *@held how many of the @n the buffer
 * took. Every message held must parse, its payload the packet up to the
 * largest copy range.
 */
static void big_messages_held(unsigned int n, uint32_t *one,
			      unsigned int *held)
{
	static char data[65535 - 28], buf[1 << 17];
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(PORT),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint32_t mem[SK_MEMINFO_VARS] = {}, ids[64];
	socklen_t ml = sizeof(mem);
	int sndbuf = 4 << 20;
	struct nlattr *attr[NFQA_MAX + 1];
	struct nfqnl_msg_packet_hdr *ph;
	struct nlmsghdr *nlh;
	struct mnl_socket *nf;
	struct pollfd pfd;
	unsigned int i, tries;
	int tx, rx;
	ssize_t r;

	REQUIRE(n <= sizeof(ids) / sizeof(ids[0]));
	nfqnl_whole_packets(&nf);
	rx = udp_socket(PORT);
	tx = udp_socket(0);
	REQUIRE(rx >= 0 && tx >= 0);
	/* Held packets stay charged to the sender: room for all @n, so that
	 * sendto() never waits for verdicts that come only after it.
	 */
	REQUIRE(setsockopt(tx, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
			   sizeof(sndbuf)) == 0, "SO_SNDBUFFORCE");
	memset(data, 'p', sizeof(data));
	pfd.fd = mnl_socket_get_fd(nf);
	pfd.events = POLLIN;
	/* Queued in the sender's context: held when sendto() returns. */
	REQUIRE(sendto(tx, data, sizeof(data), 0, (void *)&to, sizeof(to)) ==
		sizeof(data), "sendto: %s", strerror(errno));
	REQUIRE(poll(&pfd, 1, 10000) == 1, "no packet message");
	REQUIRE(getsockopt(pfd.fd, SOL_SOCKET, SO_MEMINFO, mem, &ml) == 0);
	*one = mem[SK_MEMINFO_RMEM_ALLOC];
	for (i = 1; i < n; i++)	/* refused when the buffer is full */
		sendto(tx, data, sizeof(data), MSG_DONTWAIT, (void *)&to,
		       sizeof(to));
	*held = 0;
	for (tries = 0; tries < 2 * n + 2; tries++) {
		r = recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r < 0 && errno == ENOBUFS)	/* the refusals, signalled */
			continue;
		if (r <= 0)
			break;
		nlh = (struct nlmsghdr *)buf;
		REQUIRE(mnl_nlmsg_ok(nlh, (int)r) &&
			nfq_nlmsg_parse(nlh, attr) >= 0 &&
			attr[NFQA_PACKET_HDR] && attr[NFQA_PAYLOAD],
			"message %u does not parse", *held);
		/* Cut at NFQNL_MAX_COPY_RANGE, the length in NFQA_CAP_LEN. */
		CHECK(mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]) == 65531 &&
		      !memcmp((char *)mnl_attr_get_payload(attr[NFQA_PAYLOAD]) +
			      28, data, 65531 - 28) && attr[NFQA_CAP_LEN] &&
		      ntohl(mnl_attr_get_u32(attr[NFQA_CAP_LEN])) == 65535,
		      "message %u: payload of %u bytes", *held,
		      mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]));
		ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
		ids[(*held)++] = ntohl(ph->packet_id);
		if (*held == n)
			break;
	}
	for (i = 0; i < *held; i++)
		CHECK(nfqnl_verdict(nf, 0, ids[i], NF_ACCEPT) == 0,
		      "verdict %u", i);
	mnl_socket_close(nf);
	close(tx);
	close(rx);
}

/* libnetfilter_queue's documented old-API program keeps the default
 * receive buffer and asks for 0xffff bytes: the protocol path charges
 * its socket for a 64 KiB packet what nfnetlink_queue does (a message
 * that references the packet's pages), so the buffer holds as many.
 */
static void big_messages_cost_what_stock_charges(void)
{
	unsigned int held_ours, held_stock;
	uint32_t ours, stock;

	queue_env();
	big_messages_held(8, &ours, &held_ours);
	stock_backend();
	big_messages_held(8, &stock, &held_stock);
	printf("# one 64 KiB message: %u bytes of receive memory, %u of 8 "
	       "held; nfnetlink_queue: %u bytes, %u held\n", ours, held_ours,
	       stock, held_stock);
	/* The same skb shape: at most a slab size class apart. */
	CHECK(ours <= stock + 2048, "%u bytes against stock's %u", ours,
	      stock);
	CHECK(held_ours >= held_stock, "%u held against stock's %u",
	      held_ours, held_stock);
}

TAP_MAIN(T(stock_tool_works_unchanged), T(queues_are_owned_by_their_socket),
	 T(packet_message_and_flush_on_close),
	 T(payloads_as_nfnetlink_queue_sends_them),
	 T(payloads_of_nfnetlink_queue_itself),
	 T(big_messages_cost_what_stock_charges))
