// SPDX-License-Identifier: GPL-2.0
/*
 * Ring setup: geometry through the ioctl, mmap rules, reconfiguration,
 * and the charging of ring memory (counter and RLIMIT_MEMLOCK).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "tap.h"
#include "util.h"

static int ring_file(struct mnl_socket **nl)
{
	*nl = genl_open(NULL);
	return *nl ? ring_file_bind(*nl) : -1;
}

struct geo_case {
	struct nl_mmap_req req;
	int err;
};

static void geometry_accepted_and_refused(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	const struct geo_case cases[] = {
		{ { pg, 1, pg / 2, 2 }, 0 },
		{ { pg, 4, 1000, 16 }, 0 },
		{ { 2 * pg, 3, pg, 6 }, 0 },
		{ { 0, 0, 0, 0 }, 0 },
		{ { pg, 0, pg, 1 }, EINVAL },
		{ { pg + 1, 1, 64, 64 }, EINVAL },
		{ { pg, 1, 8, pg / 8 }, EINVAL },
		{ { pg, 1, 66, pg / 66 }, EINVAL },
		{ { pg, 1, 2 * pg, 0 }, EINVAL },
		{ { pg, 2, pg, 3 }, EINVAL },
		{ { pg, 0x80000000u, 64, 0 }, EINVAL },
		{ { pg, 0xffffffffu, pg, 0xffffffffu }, EINVAL },
		{ { 0x80000000u, 2, 0x80000000u, 2 }, EINVAL },
		{ { 1u << 22, 1u << 10, 1u << 22, 1u << 10 }, EINVAL },
	};
	struct mnl_socket *nl;
	unsigned int i;
	int fd, cmd;

	fd = ring_file(&nl);
	REQUIRE(fd >= 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (cmd = 0; cmd < 2; cmd++) {
			int ret = ioctl(fd, cmd ? NLMMAP_IOC_TX_RING :
					NLMMAP_IOC_RX_RING, &cases[i].req);

			CHECK(cases[i].err ? ret == -1 && errno == cases[i].err :
			      ret == 0, "case %u %s", i, cmd ? "tx" : "rx");
		}
	}
	close(fd);
	mnl_socket_close(nl);
}

static void mmap_rules(void)
{
	struct nl_mmap_req rx = geometry(8, 2048), tx = geometry(4, 2048);
	size_t rxs = rx.nm_block_size * rx.nm_block_nr;
	size_t txs = tx.nm_block_size * tx.nm_block_nr;
	long pg = sysconf(_SC_PAGESIZE);
	size_t all = map_size(&rx, &tx);
	struct mnl_socket *nl;
	void *m;
	int fd;

	fd = ring_file(&nl);
	REQUIRE(fd >= 0);
	errno = 0;
	m = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m == MAP_FAILED && errno == EINVAL, "no rings yet");
	REQUIRE(ioctl(fd, NLMMAP_IOC_RX_RING, &rx) == 0);
	REQUIRE(ioctl(fd, NLMMAP_IOC_TX_RING, &tx) == 0);
	m = mmap(NULL, rxs, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m == MAP_FAILED && errno == EINVAL, "RX size only");
	m = mmap(NULL, rxs + txs, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m == MAP_FAILED && errno == EINVAL, "no control page (pre-v1)");
	m = mmap(NULL, all + pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(m == MAP_FAILED && errno == EINVAL, "too long");
	m = mmap(NULL, all, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
	CHECK(m == MAP_FAILED && errno == EINVAL, "offset");
	m = mmap(NULL, all, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(m == MAP_FAILED && errno == EINVAL, "private");
	m = mmap(NULL, all, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	CHECK(m == MAP_FAILED && errno == EPERM, "executable");
	m = mmap(NULL, all, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(m != MAP_FAILED);
	CHECK(((struct nl_mmap_hdr *)m)->nm_status == NLMMAP_STATUS_UNUSED);
	CHECK(mremap(m, all, all + pg, 0) == MAP_FAILED);
	errno = 0;
	CHECK(mprotect(m, all, PROT_READ | PROT_EXEC) == -1 &&
	      errno == EACCES, "never executable (VM_MAYEXEC cleared)");
	/* Reconfiguring while mapped is refused, and allowed after. */
	errno = 0;
	CHECK(ioctl(fd, NLMMAP_IOC_RX_RING, &rx) == -1 && errno == EBUSY);
	CHECK(ioctl(fd, NLMMAP_IOC_TX_RING, &tx) == -1 && errno == EBUSY);
	munmap(m, all);
	CHECK(ioctl(fd, NLMMAP_IOC_RX_RING, &tx) == 0);
	close(fd);
	mnl_socket_close(nl);
}

static void reconfigure_discards_unmapped_frames(void)
{
	struct nl_mmap_req rx = geometry(8, 1024);
	size_t size = map_size(&rx, NULL);
	struct mnl_socket *nl;
	uint16_t id;
	void *m;
	int fd;

	fd = ring_file(&nl);
	REQUIRE(fd >= 0);
	REQUIRE(mnl_ring_genl_resolve(nl, NLMMAP_GENL_NAME, &id) == 0);
	REQUIRE(ioctl(fd, NLMMAP_IOC_RX_RING, &rx) == 0);
	/* Not mapped, but the kernel delivers into the ring all the same. */
	REQUIRE(bench_request(nl, id, 1, 16) == 0);
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(m != MAP_FAILED);
	CHECK(nlmmap_frame_status(m) == NLMMAP_STATUS_VALID);
	CHECK(nlmmap_ctrl(m, size - NLMMAP_CTRL_SIZE, 0)->rx_head == 2,
	      "message and summary");
	munmap(m, size);
	/* Unmapped: setting the ring up again discards what it held,
	 * without walking it (O(1) under the ring's lock).
	 */
	CHECK(ioctl(fd, NLMMAP_IOC_RX_RING, &rx) == 0);
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(m != MAP_FAILED);
	CHECK(nlmmap_frame_status(m) == NLMMAP_STATUS_UNUSED);
	CHECK(nlmmap_ctrl(m, size - NLMMAP_CTRL_SIZE, 0)->rx_head == 0);
	munmap(m, size);
	close(fd);
	mnl_socket_close(nl);
}

static void ring_memory_is_counted(void)
{
	struct mnl_socket *nl, *q;
	struct mnl_ring *r;
	int64_t before, during, after;
	uint16_t id;

	q = genl_open(&id);
	REQUIRE(q);
	before = nlmmap_stat(q, id, NLMMAP_S_RING_BYTES);
	r = ring_setup(&nl, &id, 32, 4096, 16);
	REQUIRE(r);
	during = nlmmap_stat(q, id, NLMMAP_S_RING_BYTES);
	CHECK(during - before == 48 * 4096, "%lld", (long long)(during - before));
	CHECK(nlmmap_stat(q, id, NLMMAP_S_MAPPED) >= 1);
	ring_teardown(r, nl);
	after = nlmmap_stat(q, id, NLMMAP_S_RING_BYTES);
	CHECK(after == before);
	mnl_socket_close(q);
}

/* As an unprivileged user, ring memory counts against RLIMIT_MEMLOCK. */
static void memlock_limit_applies(void)
{
	pid_t pid = fork();
	int status;

	REQUIRE(pid >= 0);
	if (!pid) {
		struct rlimit rl = { 64 << 10, 64 << 10 };
		struct mnl_socket *nl;
		struct mnl_ring *r, *r2;
		uint16_t id;
		int bad = 0;

		if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgid(65534) ||
		    setuid(65534))
			_exit(10);
		r = ring_setup(&nl, &id, 128, 4096, 0);
		if (r || errno != ENOMEM)
			bad |= 1;
		printf("# 512 KiB ring: %s\n", r ? "set up" : strerror(errno));
		r = ring_setup(&nl, &id, 8, 4096, 0);
		if (!r)
			bad |= 2;
		printf("# 32 KiB ring: %s\n", r ? "set up" : strerror(errno));
		fflush(stdout);
		/* 32 KiB in use: another 48 KiB would pass the limit. */
		r2 = ring_setup(&nl, &id, 12, 4096, 0);
		if (r2 || errno != ENOMEM)
			bad |= 4;
		r2 = ring_setup(&nl, &id, 8, 4096, 0);
		if (!r2)
			bad |= 8;
		_exit(bad);
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d",
	      WEXITSTATUS(status));
}

static int set_rx(int fd, unsigned int pages)
{
	struct nl_mmap_req req = geometry(pages, 4096);

	if (!pages)
		memset(&req, 0, sizeof(req));
	return ioctl(fd, NLMMAP_IOC_RX_RING, &req) ? errno : 0;
}

static int set_tx(int fd, unsigned int pages)
{
	struct nl_mmap_req req = geometry(pages, 4096);

	if (!pages)
		memset(&req, 0, sizeof(req));
	return ioctl(fd, NLMMAP_IOC_TX_RING, &req) ? errno : 0;
}

/*
 * A ring gives back exactly what it charged, to whom it charged it: a
 * ring set up with CAP_IPC_LOCK (not charged) and removed by an
 * unprivileged process must not un-charge that process's own ring. And a
 * same-size replacement at the limit counts the old ring as free.
 */
static int memlock_credit(void)
{
	struct rlimit rl = { 32 << 12, 32 << 12 };	/* 32 pages */
	struct mnl_socket *a = genl_open(NULL), *b = genl_open(NULL);
	int fa, fb, bad = 0;

	if (!a || !b)
		return 100;
	fa = ring_file_bind(a);
	fb = ring_file_bind(b);
	if (fa < 0 || fb < 0 || setrlimit(RLIMIT_MEMLOCK, &rl))
		return 101;
	if (set_rx(fa, 16))		/* as root: not charged */
		return 102;
	if (setgid(65534) || setuid(65534))
		return 103;
	if (set_tx(fa, 32))		/* nobody: 32 of 32 pages */
		bad |= 1;
	if (set_rx(fb, 1) != ENOMEM)	/* at the limit */
		bad |= 2;
	if (set_rx(fa, 0))		/* remove root's ring, as nobody */
		bad |= 4;
	if (set_rx(fb, 1) != ENOMEM)	/* still at the limit */
		bad |= 8;
	if (set_tx(fa, 32))		/* same size again, at the limit */
		bad |= 16;
	if (set_tx(fa, 0))		/* gives back the 32 pages */
		bad |= 32;
	if (set_rx(fb, 32))		/* so these fit */
		bad |= 64;
	printf("# memlock credit: %#x\n", bad);
	close(fa);
	close(fb);
	mnl_socket_close(a);
	mnl_socket_close(b);
	return bad;
}

static void memlock_charge_stays_with_its_ring(void)
{
	pid_t pid = fork();
	int status;

	REQUIRE(pid >= 0);
	if (!pid)
		_exit(memlock_credit());
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d",
	      WEXITSTATUS(status));
}

TAP_MAIN(T(geometry_accepted_and_refused), T(mmap_rules),
	 T(reconfigure_discards_unmapped_frames), T(ring_memory_is_counted),
	 T(memlock_limit_applies),
	 T(memlock_charge_stays_with_its_ring))
