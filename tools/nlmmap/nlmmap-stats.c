// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap-stats - print the nlmmap module's version and counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <libmnl-mmap/libmnl-mmap.h>

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

int main(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned int seq = 1;
	uint16_t id;
	ssize_t n;
	int ret;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("netlink");
		return 1;
	}
	if (mnl_ring_genl_resolve(nl, NLMMAP_GENL_NAME, &id)) {
		perror("resolving family " NLMMAP_GENL_NAME);
		return 1;
	}
	printf("family %s has id %u\n", NLMMAP_GENL_NAME, id);
	nlh = mnl_ring_genl_put(buf, id, NLMMAP_CMD_GET, NLMMAP_GENL_VERSION,
				NLM_F_ACK, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("send");
		return 1;
	}
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			perror("recv");
			return 1;
		}
		ret = mnl_cb_run(buf, n, seq, mnl_socket_get_portid(nl),
				 get_cb, NULL);
	} while (ret > 0);
	mnl_socket_close(nl);
	return ret < 0;
}
