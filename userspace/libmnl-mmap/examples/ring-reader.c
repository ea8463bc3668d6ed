// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ring-reader [count [size]] - map an RX ring on a generic netlink socket,
 * ask the nlmmap benchmark source for COUNT messages of SIZE bytes, and
 * read them through the ring with mnl_ring_rx_run().
 *
 * Build: cc ring-reader.c $(pkg-config --cflags --libs libmnl-mmap)
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/genetlink.h>
#include <libmnl-mmap/libmnl-mmap.h>

struct state {
	unsigned int received;
	unsigned int expected;
	int done;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct state *st = data;

	if (g->cmd == NLMMAP_CMD_BENCH_MSG)
		st->received++;
	else if (g->cmd == NLMMAP_CMD_BENCH)
		st->done = 1;
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	struct nl_mmap_req rx = { 4096, 64, 2048, 128 };
	struct state st = { 0 };
	char buf[65536], req[256];
	struct mnl_socket *nl;
	struct mnl_ring *ring;
	struct nlmsghdr *nlh;
	uint16_t family;
	int ret;

	st.expected = argc > 1 ? atoi(argv[1]) : 100;
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_ring_genl_resolve(nl, NLMMAP_GENL_NAME, &family)) {
		perror("netlink");
		return 1;
	}
	ring = mnl_ring_map(nl, &rx, NULL);
	if (!ring) {
		perror("mnl_ring_map");
		return 1;
	}

	nlh = mnl_ring_genl_put(req, family, NLMMAP_CMD_BENCH,
				NLMMAP_GENL_VERSION, 0, 1);
	mnl_attr_put_u32(nlh, NLMMAP_A_COUNT, st.expected);
	mnl_attr_put_u32(nlh, NLMMAP_A_SIZE, argc > 2 ? atoi(argv[2]) : 64);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("send");
		return 1;
	}

	while (!st.done) {
		ret = mnl_ring_rx_run(mnl_ring_rx(ring), buf, sizeof(buf), 0, 0,
				      data_cb, &st, NULL, 0);
		if (ret < 0) {
			perror("mnl_ring_rx_run");
			return 1;
		}
		if (ret == MNL_RING_EMPTY && !st.done &&
		    !(mnl_ring_wait(ring, POLLIN, 1000) & POLLIN))
			break;	/* the summary was dropped: ring overrun */
	}
	printf("%u of %u messages through the ring, %d dropped\n",
	       st.received, st.expected, mnl_ring_clear_error(ring));
	mnl_ring_unmap(ring);
	mnl_socket_close(nl);
	return 0;
}
