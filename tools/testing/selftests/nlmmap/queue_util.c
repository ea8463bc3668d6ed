// SPDX-License-Identifier: GPL-2.0
/*
 * What the packet queue tests share: a namespace with netfilter and
 * nlmmap_queue, nft rules, queue sockets with their rings, UDP traffic
 * through the queue, packet messages read with libnetfilter_queue's
 * nfq_nlmsg_parse() and verdicts written with nfq_nlmsg_verdict_put*().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/nlmmap_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "tap.h"
#include "util.h"
#include "queue_util.h"

uint16_t family, qfam;


void queue_unload(void *unused)
{
	(void)unused;
	kmod_unload("nlmmap_queue");
}

/* Netfilter, nlmmap_queue, a namespace of our own with lo up. */
void queue_env(void)
{
	int err;

	if (unshare(CLONE_NEWNET))
		SKIP("no network namespaces here");
	if (kmod_load("nfnetlink", NULL) || kmod_load("nf_tables", NULL) ||
	    kmod_load("nft_queue", NULL))
		SKIP("no nf_tables queue support in this kernel");
	kmod_unload_wait("nfnetlink_queue");
	err = kmod_load("nlmmap_queue", QKO);
	REQUIRE(err == 0, "loading nlmmap_queue: %d", err);
	tap_defer(queue_unload, NULL);
	REQUIRE(lo_up() == 0);
}

/* An nft ruleset from @fmt; 0 when nft took it. */
int nft(const char *fmt, ...)
{
	char script[1024];
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(script, sizeof(script), fmt, ap);
	va_end(ap);
	p = popen("/tests/nft -f -", "w");
	if (!p)
		return -1;
	fputs(script, p);
	return pclose(p);
}

int proto_rule(const char *proto, const char *what)
{
	return nft("flush ruleset\n"
		   "table ip t {\n"
		   "  chain out { type filter hook output priority 0;\n"
		   "    ip dscp 0x04 accept\n"
		   "    %s dport %d %s\n"
		   "  }\n"
		   "}\n", proto, PORT, what);
}

int queue_rule(const char *what)
{
	return proto_rule("udp", what);
}

/* An nlmmap_queue request on @nl and its ack: 0 or -errno. */
int qreq(struct mnl_socket *nl, uint8_t cmd, uint32_t queue,
	 uint32_t flags, uint32_t maxlen)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_ring_genl_put(buf, qfam, cmd,
						 NLMQ_GENL_VERSION, NLM_F_ACK,
						 77);

	if (cmd == NLMQ_CMD_BIND) {
		mnl_attr_put_u32(nlh, NLMQ_A_QUEUE, queue);
		mnl_attr_put_u32(nlh, NLMQ_A_FLAGS, flags);
		if (maxlen)
			mnl_attr_put_u32(nlh, NLMQ_A_MAXLEN, maxlen);
	}
	return request_ack(nl, nlh, sizeof(buf));
}

int udp_socket(int bind_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(bind_port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && bind_port && bind(fd, (void *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A ring-bound socket with queue 0 bound (@flags, @maxlen), and the UDP
 * pair; rules set by the caller.
 */
unsigned int qframe = 4096;	/* RX frame size of qsock_open() */

void qsock_open(struct qsock *s, uint32_t flags, uint32_t maxlen)
{
	int err;

	s->r = ring_setup(&s->nl, &family, 64, qframe, 16);
	REQUIRE(s->r);
	REQUIRE(mnl_ring_genl_resolve(s->nl, NLMQ_GENL_NAME, &qfam) == 0);
	err = qreq(s->nl, NLMQ_CMD_BIND, 0, flags, maxlen);
	REQUIRE(err == 0, "bind: %d", err);
	s->rx = udp_socket(PORT);
	s->tx = udp_socket(0);
	REQUIRE(s->rx >= 0 && s->tx >= 0);
}

/* The usual start of a case: netfilter, "udp dport PORT queue num 0",
 * queue 0 bound with @flags and @maxlen.
 */
void queue_start(struct qsock *s, uint32_t flags, uint32_t maxlen)
{
	queue_env();
	REQUIRE(queue_rule("queue num 0") == 0, "nft");
	qsock_open(s, flags, maxlen);
}

void qsock_close(struct qsock *s)
{
	ring_teardown(s->r, s->nl);
	close(s->rx);
	close(s->tx);
}

void send_to(struct qsock *s, const char *msg, int tos)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	REQUIRE(setsockopt(s->tx, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) == 0);
	REQUIRE(sendto(s->tx, msg, strlen(msg), 0, (void *)&a, sizeof(a)) ==
		(ssize_t)strlen(msg));
}

void send_udp(struct qsock *s, const char *msg)
{
	send_to(s, msg, 0);
}

/* Past the queue: the rules let TOS 0x10 through (see queue_rule()). */
void send_udp_unqueued(struct qsock *s, const char *msg)
{
	send_to(s, msg, 0x10);
}

/* The next datagram that got through, waited for up to @ms; "" when none
 * came. A reinjected packet may reach the socket from another CPU's
 * softirq (or ksoftirqd, on a busy machine), after the verdict's system
 * call returned.
 */
const char *received_wait(struct qsock *s, int ms)
{
	struct pollfd pfd = { s->rx, POLLIN, 0 };
	static char buf[2048];
	ssize_t n = -1;

	if (poll(&pfd, 1, ms) > 0)
		n = recv(s->rx, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Waits for what must come: long enough for a loaded emulated machine,
 * and costing nothing when it comes at once.
 */
const char *received(struct qsock *s)
{
	return received_wait(s, 60000);
}

/* What is there now: for what must not have arrived. */
const char *received_now(struct qsock *s)
{
	return received_wait(s, 0);
}


/* The next packet message in the ring, waited for; 0 when one came. */
int next_packet(struct qsock *s, struct pkt *p)
{
	struct pollfd pfd = { mnl_ring_get_fd(s->r), POLLIN, 0 };
	struct nlattr *attr[NFQA_MAX + 1] = {};
	struct nfqnl_msg_packet_hdr *ph;
	struct nl_mmap_hdr *f;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct nlattr *a;
	int tries;

	for (tries = 0; tries < 100; tries++) {
		f = rx_frame_next(s->r);
		if (f)
			break;
		if (poll(&pfd, 1, 60000) <= 0)
			return -1;
	}
	if (!f)
		return -1;
	nlh = mnl_ring_frame_data(f);
	g = mnl_nlmsg_get_payload(nlh);
	memset(p, 0, sizeof(*p));
	if (f->nm_status != NLMMAP_STATUS_VALID || nlh->nlmsg_type != qfam ||
	    g->cmd != NLMQ_CMD_PACKET ||
	    nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR]) {
		printf("# not a packet: type %u cmd %u\n", nlh->nlmsg_type,
		       g->cmd);
		rx_frame_done(s->r, 0);
		return -1;
	}
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	p->id = ntohl(ph->packet_id);
	p->queue = ntohs(g->reserved);
	if (attr[NFQA_MARK]) {
		p->has_mark = 1;
		p->mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
	}
	/* libnetfilter_queue 1.0.5's parser predates NFQA_PRIORITY. */
	mnl_attr_for_each(a, nlh, sizeof(*g))
		if (mnl_attr_get_type(a) == NFQA_PRIORITY &&
		    mnl_attr_get_payload_len(a) == sizeof(uint32_t))
			p->prio = ntohl(mnl_attr_get_u32(a));
	if (attr[NFQA_PAYLOAD]) {
		p->len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
		if (p->len > sizeof(p->payload))
			p->len = sizeof(p->payload);
		memcpy(p->payload, mnl_attr_get_payload(attr[NFQA_PAYLOAD]),
		       p->len);
	}
	rx_frame_done(s->r, 0);
	return 0;
}

/* The UDP data of a packet's payload (IPv4 + UDP headers, 28 bytes). */
const char *udp_data(const struct pkt *p)
{
	static char buf[2048];
	uint32_t n = p->len > 28 ? p->len - 28 : 0;

	memcpy(buf, p->payload + 28, n);
	buf[n] = '\0';
	return buf;
}

/* A verdict request built with libnetfilter_queue's helpers, through a
 * TX frame (@batch: up to @id), or on the socket.
 */
void verdict(struct qsock *s, int batch, uint32_t id, uint32_t v,
	     int mark, uint32_t markval, const void *pl, uint32_t len,
	     int through_socket)
{
	char buf[8192];
	struct nl_mmap_hdr *f = through_socket ? NULL : tx_frame_get(s->r);
	char *where = f ? mnl_ring_frame_data(f) : buf;
	struct nlmsghdr *nlh;

	REQUIRE(f || through_socket, "a TX frame");
	nlh = mnl_ring_genl_put(where, qfam, batch ? NLMQ_CMD_VERDICT_BATCH :
				NLMQ_CMD_VERDICT, NLMQ_GENL_VERSION, 0, 0);
	nfq_nlmsg_verdict_put(nlh, id, v);
	if (mark)
		nfq_nlmsg_verdict_put_mark(nlh, markval);
	if (pl)
		nfq_nlmsg_verdict_put_pkt(nlh, pl, len);
	if (through_socket) {
		REQUIRE(mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) >= 0);
		return;
	}
	tx_frame_submit(s->r, nlh->nlmsg_len);
	REQUIRE(mnl_ring_tx_kick(mnl_ring_tx(s->r)) >= 0);
}

/* The error a TX verdict was answered with (the ack is in the RX ring). */
int tx_error(struct qsock *s)
{
	struct nl_mmap_hdr *f = rx_frame_next(s->r);
	struct nlmsghdr *nlh;
	int err = 1;

	if (!f)
		return 1;	/* no answer: it went through */
	nlh = mnl_ring_frame_data(f);
	if (nlh->nlmsg_type == NLMSG_ERROR)
		err = ((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;
	rx_frame_done(s->r, 0);
	return err;
}

/* @flows datagrams, each from its own 127.0.0.X (a flow of its own), into
 * queues balanced over @s and @t: each accepts what it gets, counted in
 * @n. Returns how many got through to @s's receiver.
 */
int spread_flows(struct qsock *s, struct qsock *t, int flows, int n[2])
{
	struct pollfd pfd[2];
	int i, got = 0;
	struct pkt p;

	n[0] = n[1] = 0;
	for (i = 0; i < flows; i++) {
		struct sockaddr_in src = { .sin_family = AF_INET,
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + i) };

		close(s->tx);
		s->tx = udp_socket(0);
		if (s->tx < 0 || bind(s->tx, (void *)&src, sizeof(src))) {
			CHECK(0, "a socket from 127.0.0.%d", 2 + i);
			return -1;
		}
		send_udp(s, "f");
	}
	pfd[0] = (struct pollfd){ mnl_ring_get_fd(s->r), POLLIN, 0 };
	pfd[1] = (struct pollfd){ mnl_ring_get_fd(t->r), POLLIN, 0 };
	while (n[0] + n[1] < flows && poll(pfd, 2, 60000) > 0) {
		for (i = 0; i < 2; i++) {
			struct qsock *q = i ? t : s;

			while (rx_frame_next(q->r) && !next_packet(q, &p)) {
				n[i]++;
				verdict(q, 0, p.id, NF_ACCEPT, 0, 0, NULL, 0,
					0);
			}
		}
	}
	while (got < flows && !strcmp(received(s), "f"))
		got++;
	return got;
}

/* nlmmap-queue -c 10 -d 50 (@mode: NULL, or "-s" for nfnetlink_queue's
 * protocol): of 10 datagrams it accepts 5, drops 5, and says so.
 */
void tool_decides_and_counts(char *mode)
{
	char *argv[] = { "/tests/nlmmap-queue", "-c", "10", "-d", "50", "-b",
			 "4", "-S", mode, NULL };
	char line[256] = "";
	int status, i, got = 0;
	struct qsock s = {};
	FILE *err, *out;
	pid_t pid;

	if (access(argv[0], X_OK))
		SKIP("no %s", argv[0]);
	queue_env();
	REQUIRE(queue_rule("queue num 0") == 0);
	pid = spawn_ready(argv, &out, &err);
	REQUIRE(pid > 0, "the tool is ready");
	s.rx = udp_socket(PORT);
	s.tx = udp_socket(0);
	for (i = 0; i < 10; i++)
		send_udp(&s, "t");
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "status %#x", status);
	while (!strcmp(received_wait(&s, got < 5 ? 60000 : 0), "t"))
		got++;
	CHECK(got == 5, "%d of 10 accepted with -d 50", got);
	line[0] = '\0';
	if (fgets(line, sizeof(line), err))
		printf("# %s", line);
	CHECK(strstr(line, "10 packets") && strstr(line, "5 dropped"),
	      "the totals");
	fclose(err);
	fclose(out);
	close(s.rx);
	close(s.tx);
}

/* Rules queuing to 0-1 by CPU are set: with queue 0 and 1 bound, the
 * sender pins itself to each CPU in turn, and its packet arrives on queue
 * CPU % 2.
 */
void fanout_by_cpu(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct qsock s, t = {}, *q[2] = { &s, &t };
	struct pkt p;
	int cpu, err;

	qsock_open(&s, 0, 0);
	t.r = ring_setup(&t.nl, &family, 64, 4096, 16);
	REQUIRE(t.r);
	err = qreq(t.nl, NLMQ_CMD_BIND, 1, 0, 0);
	REQUIRE(err == 0, "queue 1: %d", err);
	for (cpu = 0; cpu < 2 && cpu < cpus; cpu++) {
		cpu_set_t set;
		char msg[16];

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		REQUIRE(sched_setaffinity(0, sizeof(set), &set) == 0);
		snprintf(msg, sizeof(msg), "cpu %d", cpu);
		send_udp(&s, msg);
		REQUIRE(next_packet(q[cpu], &p) == 0, "on queue %d", cpu);
		CHECK(p.queue == cpu && !strcmp(udp_data(&p), msg),
		      "queue %u: \"%s\"", p.queue, udp_data(&p));
		verdict(q[cpu], 0, p.id, NF_ACCEPT, 0, 0, NULL, 0, 0);
		CHECK(!strcmp(received(&s), msg), "accepted");
	}
	ring_teardown(t.r, t.nl);
	qsock_close(&s);
}

/* Payloads as nfnetlink_queue sends them: every attribute parses and
 * every byte of every payload is the packet's, for packets of every size
 * up to 65,535 bytes and copy ranges full and partial.
 */

/* nfnetlink_queue's cap: nla_len is 16 bits and counts its header. */
#define STOCK_MAX_COPY_RANGE	(0xffff - NLA_HDRLEN)

static const struct copy_cfg copy_cfgs[] = {
	{ NFQNL_COPY_PACKET, 0xffff },	/* libnetfilter_queue's examples */
	{ NFQNL_COPY_PACKET, 0 },	/* nfnetlink_queue's "the largest" */
	{ NFQNL_COPY_PACKET, 1 },
	{ NFQNL_COPY_PACKET, 100 },
	{ NFQNL_COPY_PACKET, STOCK_MAX_COPY_RANGE },
	{ NFQNL_COPY_PACKET, STOCK_MAX_COPY_RANGE + 1 },
	{ NFQNL_COPY_META, 0 },
};

/* IPv4 packet lengths: the smallest UDP packet, around a 4 KiB frame's
 * capacity and the page size, and every length from 65,500 to 65,535.
 */
static const uint32_t raw_sizes[] = {
	28, 29, 30, 31, 32, 33, 100, 101, 1000, 1499, 1500, 2047, 2048,
	3900, 3950, 3960, 3970, 3980, 3990, 4000, 4020, 4040, 4060, 4080,
	4095, 4096, 4097, 8191, 8192, 12345, 16384, 32768, 40000, 65000,
};

/* What nfnetlink_queue copies of a @len-byte packet. */
static uint32_t stock_data_len(const struct copy_cfg *c, uint32_t len)
{
	uint32_t range = c->range;

	if (c->mode != NFQNL_COPY_PACKET)
		return 0;
	if (!range || range > STOCK_MAX_COPY_RANGE)
		range = STOCK_MAX_COPY_RANGE;
	return range < len ? range : len;
}

static uint8_t pattern_byte(uint32_t i, uint32_t seq)
{
	return (uint8_t)(i + (i >> 8) * 13 + seq * 101);
}

static uint16_t ip_csum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* A whole IPv4/UDP packet to 127.0.0.1:PORT of @len bytes, every header
 * field final (the kernel keeps a raw packet's id and sets the checksum
 * to what it is), the data a pattern of @seq.
 */
static void pattern_packet(uint8_t *buf, uint32_t len, uint32_t seq)
{
	struct iphdr *ip = (void *)buf;
	struct udphdr *udp = (void *)(ip + 1);
	uint32_t i;

	memset(buf, 0, 28);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(len);
	ip->id = htons(seq | 1);
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = ip->daddr = htonl(INADDR_LOOPBACK);
	ip->check = ip_csum(ip, sizeof(*ip));
	udp->source = htons(7777);
	udp->dest = htons(PORT);
	udp->len = htons(len - sizeof(*ip));
	for (i = 28; i < len; i++)
		buf[i] = pattern_byte(i, seq);
}

/* nfnetlink_queue's order of the attributes of a packet message. */
static const uint16_t stock_order[] = {
	NFQA_PACKET_HDR, NFQA_IFINDEX_INDEV, NFQA_IFINDEX_PHYSINDEV,
	NFQA_IFINDEX_OUTDEV, NFQA_IFINDEX_PHYSOUTDEV, NFQA_MARK,
	NFQA_PRIORITY, NFQA_HWADDR, NFQA_TIMESTAMP, NFQA_UID, NFQA_GID,
	NFQA_SECCTX, NFQA_CT, NFQA_CT_INFO, NFQA_CAP_LEN, NFQA_SKB_INFO,
	NFQA_PAYLOAD,
};

/* Checks @nlh (@len bytes received) against the packet sent, @pkt of
 * @pkt_len bytes, compared from byte @from on (before it: headers the
 * kernel wrote), with @skb_info the NFQA_SKB_INFO expected (0: none).
 * Returns 0 with the packet's id in @id, or -1 with why in @why.
 */
static int packet_msg_check(const struct nlmsghdr *nlh, size_t len,
			    const uint8_t *pkt, uint32_t pkt_len,
			    uint32_t from, const struct copy_cfg *c,
			    uint32_t skb_info, uint32_t *id, char *why,
			    size_t whylen)
{
	struct nlattr *tb[NFQA_MAX + 1] = {};
	const struct nlattr *seen[NFQA_MAX + 1] = {};
	uint32_t data_len = stock_data_len(c, pkt_len), i, n;
	const struct nfqnl_msg_packet_hdr *ph;
	size_t off = NLMSG_HDRLEN + 4, end;
	const struct nlattr *a;
	unsigned int pos = 0;
	const uint8_t *p;

#define FAIL(...) do { snprintf(why, whylen, __VA_ARGS__); return -1; } while (0)
	if (len < NLMSG_HDRLEN + 4 || nlh->nlmsg_len != len)
		FAIL("nlmsg_len %u, %zu bytes received", nlh->nlmsg_len, len);
	end = nlh->nlmsg_len;
	/* The id first, for a verdict even if the rest is wrong. */
	a = (const void *)((const char *)nlh + off);
	if (end - off >= NLA_HDRLEN + sizeof(*ph) &&
	    a->nla_type == NFQA_PACKET_HDR)
		*id = ntohl(((const struct nfqnl_msg_packet_hdr *)(a + 1))
			    ->packet_id);
	/* Every attribute within the message, and nothing after the last. */
	while (off < end) {
		uint16_t type;

		if (end - off < NLA_HDRLEN)
			FAIL("%zu bytes of trailing garbage", end - off);
		a = (const void *)((const char *)nlh + off);
		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - off)
			FAIL("attribute %u at %zu: nla_len %u, %zu bytes left",
			     a->nla_type, off, a->nla_len, end - off);
		type = a->nla_type & NLA_TYPE_MASK;
		while (pos < sizeof(stock_order) / sizeof(stock_order[0]) &&
		       stock_order[pos] != type)
			pos++;
		if (pos == sizeof(stock_order) / sizeof(stock_order[0]))
			FAIL("attribute %u out of nfnetlink_queue's order, or "
			     "unknown", type);
		seen[type] = a;
		pos++;
		off += NLA_ALIGN(a->nla_len);
	}
	/* libnetfilter_queue's parser finds the same. */
	if (nfq_nlmsg_parse(nlh, tb) < 0)
		FAIL("nfq_nlmsg_parse() failed");
	for (i = 0; i <= NFQA_MAX; i++)
		if (i != NFQA_PRIORITY && (const struct nlattr *)tb[i] != seen[i])
			FAIL("nfq_nlmsg_parse() disagrees on attribute %u", i);

	a = seen[NFQA_PACKET_HDR];
	if (!a || a->nla_len != NLA_HDRLEN + sizeof(*ph))
		FAIL("NFQA_PACKET_HDR missing or of length %u",
		     a ? a->nla_len : 0);
	ph = (const void *)(a + 1);
	if (ph->hw_protocol != htons(ETH_P_IP) || ph->hook != NF_INET_LOCAL_OUT)
		FAIL("packet header: protocol %#x hook %u",
		     ntohs(ph->hw_protocol), ph->hook);
	*id = ntohl(ph->packet_id);

	a = seen[NFQA_CAP_LEN];
	if (data_len < pkt_len && c->mode == NFQNL_COPY_PACKET) {
		if (!a || a->nla_len != NLA_HDRLEN + 4 ||
		    ntohl(*(const uint32_t *)(a + 1)) != pkt_len)
			FAIL("NFQA_CAP_LEN %s, the packet %u bytes, %u copied",
			     a ? "wrong" : "missing", pkt_len, data_len);
	} else if (a) {
		FAIL("NFQA_CAP_LEN %u where nothing was cut (%u of %u bytes)",
		     ntohl(*(const uint32_t *)(a + 1)), data_len, pkt_len);
	}

	a = seen[NFQA_SKB_INFO];
	if (skb_info ? !a || a->nla_len != NLA_HDRLEN + 4 ||
		       ntohl(*(const uint32_t *)(a + 1)) != skb_info : !!a)
		FAIL("NFQA_SKB_INFO %#x, %#x expected",
		     a ? ntohl(*(const uint32_t *)(a + 1)) : 0, skb_info);

	a = seen[NFQA_PAYLOAD];
	n = a ? a->nla_len - NLA_HDRLEN : 0;
	if (!!a != !!data_len || n != data_len)
		FAIL("NFQA_PAYLOAD of %u bytes (%s), %u expected", n,
		     a ? "present" : "absent", data_len);
	p = a ? (const uint8_t *)(a + 1) : NULL;
	for (i = from; i < n; i++)
		if (p[i] != pkt[i])
			FAIL("payload byte %u: %#x, sent %#x", i, p[i], pkt[i]);
#undef FAIL
	return 0;
}

/* One packet through @qp: sent (raw: all of @pkt; else the UDP data of
 * a socket's datagram), read, checked, dropped. 0, or -1 with why.
 */
static int one_packet(struct qpath *qp, int fd, const struct copy_cfg *c,
		      uint8_t *pkt, uint32_t len, uint32_t seq, int raw,
		      uint32_t skb_info, void *buf, size_t buflen, char *why,
		      size_t whylen)
{
	struct sockaddr_in dst = { .sin_family = AF_INET,
				   .sin_port = htons(PORT),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	uint32_t id = 0;
	int copied = 0, ret;
	ssize_t n;

	pattern_packet(pkt, len, seq);
	if (sendto(fd, raw ? pkt : pkt + 28, raw ? len : len - 28, 0,
		   (void *)&dst, sizeof(dst)) != (ssize_t)(raw ? len : len - 28)) {
		snprintf(why, whylen, "sendto: %s", strerror(errno));
		return -1;
	}
	n = qp->next(qp, buf, buflen, &copied);
	if (n < 0) {
		snprintf(why, whylen, "no message (dropped?)");
		return -1;
	}
	ret = packet_msg_check(buf, n, pkt, len, raw ? 0 : 28, c, skb_info,
			       &id, why, whylen);
	/* A frame that can hold the largest message holds every one. */
	if (!ret && copied && qp->frame >= QFRAME_ANY) {
		snprintf(why, whylen, "a %zd-byte message not in a %u-byte "
			 "frame", n, qp->frame);
		ret = -1;
	}
	qp->copied += copied;
	/* Dropped even when wrong, if its id could be read. */
	if (id && qp->verdict(qp, id, NF_DROP) && !ret) {
		snprintf(why, whylen, "verdict for %u failed", id);
		ret = -1;
	}
	return ret;
}

/* Every copy configuration, every size: raw packets of exact lengths,
 * then datagrams of a UDP socket with and without NFQA_CFG_F_GSO for
 * NFQA_SKB_INFO: their checksum is left to lo (CHECKSUM_PARTIAL), and
 * nfnetlink_queue completes it only to copy a packet without F_GSO, so
 * it says CSUMNOTREADY otherwise.
 */
void payload_sweep(struct qpath *qp)
{
	static const uint32_t udp_sizes[] = { 28, 29, 128, 65535 };
	static uint8_t pkt[65536], buf[1 << 17];
	uint32_t seq = 0, len;
	unsigned int i, k, f;
	char why[256];
	int raw, udp;

	REQUIRE(lo_up() == 0);
	raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	udp = udp_socket(0);
	REQUIRE(raw >= 0 && udp >= 0);
	REQUIRE(queue_rule("queue num 0") == 0, "nft");
	for (i = 0; i < sizeof(copy_cfgs) / sizeof(copy_cfgs[0]); i++) {
		const struct copy_cfg *c = &copy_cfgs[i];
		int ok = 1;

		qp->copied = 0;
		/* On after a failure: each configuration tells its own. */
		if (qp->bind(qp, c, 0)) {
			CHECK(0, "mode %u range %u: bind", c->mode, c->range);
			continue;
		}
		/* The sizes listed, then 65,500 to 65,535 bytes. */
		for (k = 0; ok; k++) {
			if (k < sizeof(raw_sizes) / sizeof(raw_sizes[0]))
				len = raw_sizes[k];
			else
				len = 65500 + k -
				      sizeof(raw_sizes) / sizeof(raw_sizes[0]);
			if (len > 65535)
				break;
			if (one_packet(qp, raw, c, pkt, len, ++seq, 1, 0, buf,
				       sizeof(buf), why, sizeof(why))) {
				CHECK(0, "mode %u range %u, a %u-byte packet: "
				      "%s", c->mode, c->range, len, why);
				ok = 0;
			}
		}
		for (f = 0; f < 2 && ok; f++) {
			uint32_t flags = f ? NFQA_CFG_F_GSO : 0;

			if (qp->bind(qp, c, flags)) {
				CHECK(0, "bind, flags %#x", flags);
				break;
			}
			for (k = 0; ok && k < sizeof(udp_sizes) /
					 sizeof(udp_sizes[0]); k++) {
				len = udp_sizes[k];
				if (one_packet(qp, udp, c, pkt, len, ++seq, 0,
					       f || c->mode != NFQNL_COPY_PACKET ?
					       NFQA_SKB_CSUMNOTREADY : 0,
					       buf, sizeof(buf), why,
					       sizeof(why))) {
					CHECK(0, "mode %u range %u flags %#x, a "
					      "%u-byte datagram: %s", c->mode,
					      c->range, flags, len, why);
					ok = 0;
				}
			}
		}
		if (ok)
			printf("# mode %u range %u: every packet whole%s\n",
			       c->mode, c->range,
			       qp->copied ? ", some behind COPY frames" : "");
	}
	close(raw);
	close(udp);
}
