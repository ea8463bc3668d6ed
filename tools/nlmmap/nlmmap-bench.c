// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap-bench: the guest side of make bench (tools/bench/run.sh).
 *
 * For each message size, the benchmark source (NLMMAP_CMD_BENCH) sends
 * bursts of messages that the reader then takes: with recvmsg() on a
 * plain socket, and through an RX ring with mnl_ring_rx_run(). Each
 * measured section is framed by a marker instruction that the icount
 * plugin turns into guest instruction counts; this program prints one
 * line per section with its name, message count and wall time:
 *   bench: section N name M msgs T ns
 * Entropy is credited first: a TCG guest never initialises its CRNG by
 * itself, and SLUB's freelist shuffling would then run BLAKE2s on every
 * new slab page.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/random.h>
#include <libmnl-mmap/libmnl-mmap.h>

#define BURST	256

static uint16_t family;
static unsigned int section;

static inline void marker(void)
{
	__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void credit_entropy(void)
{
	struct {
		struct rand_pool_info info;
		unsigned char buf[64];
	} e = { .info = { .entropy_count = 512, .buf_size = 64 } };
	int fd = open("/dev/random", O_RDWR), i;

	for (i = 0; i < 64; i++)
		e.buf[i] = (unsigned char)(i * 131 + 7) ^ (unsigned char)getpid();
	if (fd < 0 || ioctl(fd, RNDADDENTROPY, &e.info))
		perror("# RNDADDENTROPY");
	if (fd >= 0)
		close(fd);
}

static void request(struct mnl_socket *nl, uint32_t count, uint32_t size)
{
	char buf[256];
	struct nlmsghdr *nlh;

	nlh = mnl_ring_genl_put(buf, family, NLMMAP_CMD_BENCH,
				NLMMAP_GENL_VERSION, 0, 0);
	mnl_attr_put_u32(nlh, NLMMAP_A_COUNT, count);
	mnl_attr_put_u32(nlh, NLMMAP_A_SIZE, size);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("send");
		exit(1);
	}
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	++*(unsigned long *)data;
	return MNL_CB_OK;
}

static struct mnl_socket *open_socket(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	int big = 8 << 20;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("socket");
		exit(1);
	}
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &big,
		   sizeof(big));
	return nl;
}

static void report(const char *name, unsigned long msgs, double t0)
{
	printf("bench: section %u %s %lu msgs %.0f ns\n", ++section, name, msgs,
	       now_ns() - t0);
	fflush(stdout);
}

/* @bursts bursts of BURST messages of @size bytes, read with recvmsg(). */
static void run_socket(uint32_t size, int bursts, const char *name)
{
	static char buf[1 << 17];
	struct mnl_socket *nl = open_socket();
	unsigned long msgs = 0;
	double t0;
	int b;

	request(nl, 8, size);		/* warm up */
	while (msgs < 9)
		if (recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0) > 0)
			msgs++;
	msgs = 0;
	marker();
	t0 = now_ns();
	for (b = 0; b < bursts; b++) {
		unsigned long want = msgs + BURST + 1;

		request(nl, BURST, size);
		while (msgs < want)
			if (recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0) > 0)
				msgs++;
	}
	marker();
	report(name, msgs, t0);
	mnl_socket_close(nl);
}

/* The same through an RX ring of frames that fit the messages. */
static void run_ring(uint32_t size, int bursts, const char *name)
{
	static char buf[1 << 17];
	unsigned int page = sysconf(_SC_PAGESIZE);
	unsigned int frame = (size + 256 + 15) & ~15u;
	struct nl_mmap_req rx;
	struct mnl_socket *nl = open_socket();
	struct mnl_ring *r;
	unsigned long msgs = 0;
	double t0;
	int b;

	if (frame <= page) {
		while (page % frame)
			frame += 16;
		rx = (struct nl_mmap_req){ page, 2 * BURST / (page / frame) + 2,
					   frame, 0 };
		rx.nm_frame_nr = rx.nm_block_nr * (page / frame);
	} else {
		frame = (frame + page - 1) / page * page;
		rx = (struct nl_mmap_req){ frame, 2 * BURST, frame, 2 * BURST };
	}
	r = mnl_ring_map(nl, &rx, NULL);
	if (!r) {
		perror("mnl_ring_map");
		exit(1);
	}
	request(nl, 8, size);		/* warm up */
	mnl_ring_rx_run(mnl_ring_rx(r), buf, sizeof(buf), 0, 0, count_cb, &msgs,
			NULL, 0);
	msgs = 0;
	marker();
	t0 = now_ns();
	for (b = 0; b < bursts; b++) {
		request(nl, BURST, size);
		mnl_ring_rx_run(mnl_ring_rx(r), buf, sizeof(buf), 0, 0,
				count_cb, &msgs, NULL, 0);
	}
	marker();
	report(name, msgs, t0);
	if (mnl_ring_clear_error(r) > 0)
		printf("# %s: the ring overran\n", name);
	mnl_ring_unmap(r);
	mnl_socket_close(nl);
}

int main(int argc, char **argv)
{
	static const unsigned int sizes[] = { 64, 1024, 16384 };
	int reps = argc > 1 ? atoi(argv[1]) : 5, bursts, i, j;
	struct mnl_socket *nl;
	char name[64];

	credit_entropy();
	nl = open_socket();
	if (mnl_ring_genl_resolve(nl, NLMMAP_GENL_NAME, &family)) {
		perror("resolve");
		return 1;
	}
	mnl_socket_close(nl);
	for (i = 0; i < reps; i++) {
		for (j = 0; j < 3; j++) {
			bursts = sizes[j] > 4096 ? 4 : 16;
			snprintf(name, sizeof(name), "recvmsg-%u", sizes[j]);
			run_socket(sizes[j], bursts, name);
			snprintf(name, sizeof(name), "ring-%u", sizes[j]);
			run_ring(sizes[j], bursts, name);
		}
	}
	return 0;
}
