// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap-ringdemo - the make run demo: the kernel's benchmark source sends
 * the same messages through an RX ring and through the plain socket; then
 * a request goes through the TX ring, and a full ring shows its overrun.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <libmnl-mmap/libmnl-mmap.h>

#include "cli.h"

#define PROG "nlmmap-ringdemo"

#define ROUNDS	64
#define BATCH	255		/* + 1 summary = one ring's worth */
#define MSGSIZE	200

static uint16_t family;
static unsigned long syscalls;

struct tally {
	unsigned long msgs;
	unsigned long bytes;
	uint32_t next_seq;
	unsigned long out_of_order;
	char echo[64];
};

static int tally_attr(const struct nlattr *attr, void *data)
{
	struct tally *t = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMMAP_A_SEQ:
		if (mnl_attr_get_u32(attr) != t->next_seq)
			t->out_of_order++;
		t->next_seq = mnl_attr_get_u32(attr) + 1;
		break;
	case NLMMAP_A_PAYLOAD:
		t->bytes += mnl_attr_get_payload_len(attr);
		if (mnl_attr_get_payload_len(attr) < sizeof(t->echo))
			memcpy(t->echo, mnl_attr_get_payload(attr),
			       mnl_attr_get_payload_len(attr));
		break;
	}
	return MNL_CB_OK;
}

static int tally_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct tally *t = data;

	if (g->cmd == NLMMAP_CMD_BENCH) {
		t->next_seq = 0;	/* a batch ends */
		return MNL_CB_OK;
	}
	t->msgs++;
	return mnl_attr_parse(nlh, sizeof(*g), tally_attr, data);
}

static void request(struct mnl_socket *nl, uint8_t cmd, uint32_t count,
		    uint32_t size)
{
	char buf[256];
	struct nlmsghdr *nlh;

	nlh = mnl_ring_genl_put(buf, family, cmd, NLMMAP_GENL_VERSION, 0, 0);
	mnl_attr_put_u32(nlh, NLMMAP_A_COUNT, count);
	mnl_attr_put_u32(nlh, NLMMAP_A_SIZE, size);
	syscalls++;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("send");
		exit(1);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const char *path, struct tally *t, double secs)
{
	printf("  %-7s %lu messages (%lu payload bytes), %lu out of order, "
	       "%lu syscalls = %.3f per message, %.0f messages/s\n", path,
	       t->msgs, t->bytes, t->out_of_order, syscalls,
	       (double)syscalls / (t->msgs ? t->msgs : 1), t->msgs / secs);
}

static void over_socket(void)
{
	static char buf[65536];
	struct tally t = {};
	struct mnl_socket *nl;
	double t0;
	ssize_t n;
	int rcvbuf = 8 << 20;
	int r, i;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		exit(1);
	/* Room for a whole batch, as a socket reader would configure. */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		   sizeof(rcvbuf));
	syscalls = 0;
	t0 = now();
	for (r = 0; r < ROUNDS; r++) {
		request(nl, NLMMAP_CMD_BENCH, BATCH, MSGSIZE);
		for (i = 0; i < BATCH + 1; i++) {
			syscalls++;
			n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0);
			if (n < 0) {
				perror("recv");
				exit(1);
			}
			mnl_cb_run(buf, n, 0, 0, tally_cb, &t);
		}
	}
	report("socket:", &t, now() - t0);
	mnl_socket_close(nl);
}

static void over_ring(void)
{
	static char buf[65536];
	struct nl_mmap_req rx = { 4096, 128, 2048, 256 };
	struct tally t = {};
	struct mnl_socket *nl;
	struct mnl_ring *ring;
	double t0;
	int r;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		exit(1);
	ring = mnl_ring_map(nl, &rx, NULL);
	if (!ring) {
		perror("mnl_ring_map");
		exit(1);
	}
	syscalls = 0;
	t0 = now();
	for (r = 0; r < ROUNDS; r++) {
		request(nl, NLMMAP_CMD_BENCH, BATCH, MSGSIZE);
		if (mnl_ring_rx_run(mnl_ring_rx(ring), buf, sizeof(buf), 0, 0,
				    tally_cb, &t, NULL, 0) < 0) {
			perror("mnl_ring_rx_run");
			exit(1);
		}
	}
	report("ring:", &t, now() - t0);
	mnl_ring_unmap(ring);
	mnl_socket_close(nl);
}

static void tx_and_overrun(void)
{
	static char buf[65536];
	struct nl_mmap_req rx = { 4096, 8, 1024, 32 };
	struct nl_mmap_req tx = { 4096, 1, 1024, 4 };
	struct nl_mmap_hdr *frame;
	struct mnl_socket *nl;
	struct mnl_ring *ring;
	struct nlmsghdr *nlh;
	struct tally t = {};
	int rev, drops;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		exit(1);
	ring = mnl_ring_map(nl, &rx, &tx);
	if (!ring)
		exit(1);
	if (mnl_ring_tx_reserve(mnl_ring_tx(ring), &frame, 1) != 1)
		exit(1);
	nlh = mnl_ring_genl_put(mnl_ring_frame_data(frame), family,
				NLMMAP_CMD_ECHO, NLMMAP_GENL_VERSION, 0, 0);
	mnl_attr_put_strz(nlh, NLMMAP_A_PAYLOAD, "hello through the TX ring");
	mnl_ring_tx_submit(mnl_ring_tx(ring), 1);
	printf("  TX ring: kick processed %d request(s)\n",
	       mnl_ring_tx_kick(mnl_ring_tx(ring)));
	mnl_ring_rx_run(mnl_ring_rx(ring), buf, sizeof(buf), 0, 0, tally_cb, &t,
			NULL, 0);
	printf("  RX ring: the answer says \"%s\"\n", t.echo);

	request(nl, NLMMAP_CMD_BENCH, 100, 64);
	rev = mnl_ring_wait(ring, POLLIN, 0);
	drops = mnl_ring_clear_error(ring);
	printf("  100 messages (+ summary) into a 32-frame ring: poll says%s%s, "
	       "%d dropped and counted\n", rev & POLLIN ? " POLLIN" : "",
	       rev & POLLERR ? " POLLERR" : "", drops);
	if (recv(mnl_socket_get_fd(nl), buf, sizeof(buf), MSG_DONTWAIT) < 0)
		printf("  the socket reports it too: %s\n", strerror(errno));
	mnl_ring_unmap(ring);
	mnl_socket_close(nl);
}


static void usage(void)
{
	printf("Usage: " PROG "\n"
	       "The make run demo: the kernel's benchmark source sends the same messages\n"
	       "through an RX ring and through the plain socket, with the system calls\n"
	       "each needed; then a request goes through the TX ring, and a full RX ring\n"
	       "shows its overrun. Needs nlmmap.ko (modprobe nlmmap).\n\n"
	       "  -h, --help     this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mnl_socket *nl;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (opt != 'h')
			cli_bad_option(PROG);
		usage();
		return 0;
	}
	cli_no_args(PROG, argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		cli_nlmmap_error(PROG, "netlink socket", errno, NULL);
		return 1;
	}
	if (mnl_ring_genl_resolve(nl, NLMMAP_GENL_NAME, &family)) {
		cli_nlmmap_error(PROG, "family " NLMMAP_GENL_NAME, errno,
				 NULL);
		return 1;
	}
	mnl_socket_close(nl);
	printf("== %d rounds of %d messages of %d bytes from the kernel:\n",
	       ROUNDS, BATCH, MSGSIZE);
	over_socket();
	over_ring();
	printf("   (timings under QEMU TCG are only indicative; see make bench)\n");
	printf("\n== requests through the TX ring, and a full RX ring:\n");
	tx_and_overrun();
	return 0;
}
