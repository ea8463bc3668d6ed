// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap-stats - print the nlmmap module's version and counters, and with
 * nlmmap_queue loaded its queues (the columns of
 * /proc/net/netfilter/nfnetlink_queue, then nlmmap_queue's own counters).
 *
 *   nlmmap-stats            all of it
 *   nlmmap-stats -q         the queues only
 *   nlmmap-stats -e QUEUE   the packets QUEUE holds, in id order
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/nlmmap_queue.h>
#include <libmnl-mmap/libmnl-mmap.h>

#include "cli.h"

#define PROG "nlmmap-stats"

static const char *const names[NLMMAP_S_MAX + 1] = {
	[NLMMAP_S_RINGS] = "ring files",
	[NLMMAP_S_BOUND] = "bound",
	[NLMMAP_S_MAPPED] = "mapped",
	[NLMMAP_S_RING_BYTES] = "ring bytes",
	[NLMMAP_S_DELIVERED] = "delivered",
	[NLMMAP_S_COPIED] = "copied",
	[NLMMAP_S_DROPPED] = "dropped",
	[NLMMAP_S_TX_INPLACE] = "tx in place",
	[NLMMAP_S_TX_COPIED] = "tx copied",
	[NLMMAP_S_TX_INVALID] = "tx invalid",
	[NLMMAP_S_SKIPPED] = "held passed",
	[NLMMAP_S_WAKEUPS] = "wake-ups",
	[NLMMAP_S_RELAYED] = "relayed",
	[NLMMAP_S_LISTENERS] = "listeners",
	[NLMMAP_S_QUOTA_DROPPED] = "over sender share",
};

static int stat_attr(const struct nlattr *attr, void *data)
{
	unsigned int t = mnl_attr_get_type(attr);

	(void)data;
	if (t <= NLMMAP_S_MAX && names[t] &&
	    mnl_attr_validate(attr, MNL_TYPE_U64) >= 0)
		printf("  %-12s %llu\n", names[t],
		       (unsigned long long)mnl_attr_get_u64(attr));
	return MNL_CB_OK;
}

static int top_attr(const struct nlattr *attr, void *data)
{
	switch (mnl_attr_get_type(attr)) {
	case NLMMAP_A_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			printf("nlmmap protocol version %u\n",
			       mnl_attr_get_u32(attr));
		break;
	case NLMMAP_A_STATS:
		mnl_attr_parse_nested(attr, stat_attr, data);
		break;
	}
	return MNL_CB_OK;
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), top_attr, data);
}

/* One request on @nl, its answers through @cb: 0, or -errno. */
static int request(struct mnl_socket *nl, uint16_t fam, uint8_t cmd,
		   uint8_t version, uint16_t flags, int queue, mnl_cb_t cb)
{
	static char buf[1 << 16];
	static unsigned int seq;
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret;

	nlh = mnl_ring_genl_put(buf, fam, cmd, version, flags, ++seq);
	if (queue >= 0)
		mnl_attr_put_u32(nlh, NLMQ_A_QUEUE, queue);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, n, seq, mnl_socket_get_portid(nl), cb,
				 NULL);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

/* A queue's attributes, by type. */
struct attrs {
	const struct nlattr *a[NFQA_MAX > NLMQ_A_MAX ? NFQA_MAX + 1 :
			       NLMQ_A_MAX + 1];
	unsigned int max;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attrs *t = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type <= t->max)
		t->a[type] = attr;
	return MNL_CB_OK;
}

static uint64_t u32_of(const struct attrs *t, int type)
{
	const struct nlattr *a = t->a[type];

	return a && mnl_attr_validate(a, MNL_TYPE_U32) >= 0 ?
	       mnl_attr_get_u32(a) : 0;
}

static uint64_t be32_of(const struct attrs *t, int type)
{
	return ntohl(u32_of(t, type));
}

static int queue_cb(const struct nlmsghdr *nlh, void *data)
{
	struct attrs t = { .max = NLMQ_A_MAX }, st = { .max = NLMQ_S_MAX };
	uint64_t s[NLMQ_S_MAX + 1] = { 0 };
	int i;

	(void)data;
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), attr_cb, &t);
	if (t.a[NLMQ_A_STATS])
		mnl_attr_parse_nested(t.a[NLMQ_A_STATS], attr_cb, &st);
	for (i = 1; i <= NLMQ_S_MAX; i++)
		if (st.a[i] && mnl_attr_validate(st.a[i], MNL_TYPE_U64) >= 0)
			s[i] = mnl_attr_get_u64(st.a[i]);
	/* nfnetlink_queue's columns, then ours. */
	printf("%5llu %10llu %5llu %1llu %5llu %8llu %8llu %10llu %2d"
	       " %8llu %10llu %6llu %7llu\n",
	       (unsigned long long)u32_of(&t, NLMQ_A_QUEUE),
	       (unsigned long long)u32_of(&t, NLMQ_A_PORTID),
	       (unsigned long long)u32_of(&t, NLMQ_A_WAITING),
	       (unsigned long long)u32_of(&t, NLMQ_A_COPY_MODE),
	       (unsigned long long)u32_of(&t, NLMQ_A_COPY_RANGE),
	       (unsigned long long)s[NLMQ_S_QUEUE_DROPPED],
	       (unsigned long long)s[NLMQ_S_USER_DROPPED],
	       (unsigned long long)u32_of(&t, NLMQ_A_ID_SEQUENCE), 1,
	       (unsigned long long)s[NLMQ_S_FAIL_OPEN],
	       (unsigned long long)s[NLMQ_S_VERDICTS],
	       (unsigned long long)s[NLMQ_S_BAD_VERDICTS],
	       (unsigned long long)s[NLMQ_S_FLUSHED]);
	return MNL_CB_OK;
}

static int entry_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct attrs t = { .max = NFQA_MAX };
	const struct nfqnl_msg_packet_hdr *ph;

	(void)data;
	mnl_attr_parse(nlh, sizeof(*g), attr_cb, &t);
	if (!t.a[NFQA_PACKET_HDR] ||
	    mnl_attr_get_payload_len(t.a[NFQA_PACKET_HDR]) < sizeof(*ph))
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(t.a[NFQA_PACKET_HDR]);
	printf("%5u %10u %4u 0x%04x %5llu %5llu %10llu %6llu%s\n",
	       ntohs(g->reserved), ntohl(ph->packet_id), ph->hook,
	       ntohs(ph->hw_protocol),
	       (unsigned long long)be32_of(&t, NFQA_IFINDEX_INDEV),
	       (unsigned long long)be32_of(&t, NFQA_IFINDEX_OUTDEV),
	       (unsigned long long)be32_of(&t, NFQA_MARK),
	       (unsigned long long)be32_of(&t, NFQA_CAP_LEN),
	       be32_of(&t, NFQA_SKB_INFO) & NFQA_SKB_GSO ? " gso" : "");
	return MNL_CB_OK;
}

static int queues(struct mnl_socket *nl, int entries_of, int only)
{
	uint16_t qfam;
	int err;

	if (mnl_ring_genl_resolve(nl, NLMQ_GENL_NAME, &qfam)) {
		if (entries_of < 0 && !only)
			return 0;	/* all of it: no queues to show */
		fprintf(stderr, PROG ": nlmmap_queue.ko is not loaded (modprobe nlmmap_queue)\n");
		return 1;
	}
	if (entries_of >= 0) {
		printf("queue         id hook proto    in   out       mark"
		       "    len\n");
		err = request(nl, qfam, NLMQ_CMD_ENTRY_GET, NLMQ_GENL_VERSION,
			      NLM_F_DUMP, entries_of, entry_cb);
	} else {
		printf("queue     portid  wait m range  qdropped udropped"
		       "     id_seq  1 failopen   verdicts    bad flushed\n");
		err = request(nl, qfam, NLMQ_CMD_GET, NLMQ_GENL_VERSION,
			      NLM_F_DUMP, -1, queue_cb);
	}
	if (err)
		fprintf(stderr, "%s: %s\n", NLMQ_GENL_NAME, strerror(-err));
	return !!err;
}


static void usage(void)
{
	printf("Usage: " PROG " [-q | -e QUEUE]\n"
	       "Print the nlmmap module's version, features and counters, and\n"
	       "nlmmap_queue's queues when it is loaded.\n\n"
	       "  -q, --queues         the queues only, in /proc/net/netfilter/nfnetlink_queue's\n"
	       "                       columns, then nlmmap_queue's counters\n"
	       "  -e, --entries=QUEUE  the packets queue QUEUE (0 to 65535) holds, in id order\n"
	       "  -h, --help           this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "queues", no_argument, NULL, 'q' },
		{ "entries", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mnl_socket *nl;
	int opt, only_queues = 0, entries_of = -1;
	uint16_t id;
	int err;

	while ((opt = getopt_long(argc, argv, "qe:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			only_queues = 1;
			break;
		case 'e':
			entries_of = cli_ulong(PROG, "--entries", optarg, 0,
					       65535);
			break;
		case 'h':
			usage();
			return 0;
		default:
			cli_bad_option(PROG);
		}
	}
	cli_no_args(PROG, argc, argv);
	if (only_queues && entries_of >= 0)
		cli_refuse(PROG, "-q and -e exclude each other");
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		cli_nlmmap_error(PROG, "netlink socket", errno, NULL);
		return 1;
	}
	if (!only_queues && entries_of < 0) {
		if (mnl_ring_genl_resolve(nl, NLMMAP_GENL_NAME, &id)) {
			cli_nlmmap_error(PROG, "family " NLMMAP_GENL_NAME,
					 errno, NULL);
			return 1;
		}
		printf("family %s has id %u\n", NLMMAP_GENL_NAME, id);
		err = request(nl, id, NLMMAP_CMD_GET, NLMMAP_GENL_VERSION,
			      NLM_F_ACK, -1, get_cb);
		if (err) {
			fprintf(stderr, "%s: %s\n", NLMMAP_GENL_NAME,
				strerror(-err));
			return 1;
		}
	}
	err = queues(nl, entries_of, only_queues);
	mnl_socket_close(nl);
	return err;
}
