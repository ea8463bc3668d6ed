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
			int ret = rings_set(fd, cmd ? NULL : &cases[i].req,
					    cmd ? &cases[i].req : NULL, NULL);

			CHECK(ret == cases[i].err, "case %u %s: %d", i,
			      cmd ? "tx" : "rx", ret);
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
	REQUIRE(rings_set(fd, &rx, &tx, NULL) == 0);
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
	CHECK(rings_set(fd, &rx, &tx, NULL) == EBUSY);
	munmap(m, all);
	CHECK(rings_set(fd, &tx, NULL, NULL) == 0);
	close(fd);
	mnl_socket_close(nl);
}

static void reconfigure_discards_unmapped_frames(void)
{
	struct nl_mmap_req rx = geometry(8, 1024);
	size_t size = map_size(&rx, NULL);
	struct nlmmap_setup s;
	struct mnl_socket *nl;
	uint16_t id;
	void *m;
	int fd;

	fd = ring_file(&nl);
	REQUIRE(fd >= 0);
	REQUIRE(mnl_ring_genl_resolve(nl, NLMMAP_GENL_NAME, &id) == 0);
	REQUIRE(rings_set(fd, &rx, NULL, &s) == 0);
	/* Not mapped, but the kernel delivers into the ring all the same. */
	REQUIRE(bench_request(nl, id, 1, 16) == 0);
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(m != MAP_FAILED);
	CHECK(nlmmap_frame_status(m) == NLMMAP_STATUS_VALID);
	CHECK(nlmmap_ctrl(m, &s.off)->rx_head == 2,
	      "message and summary");
	munmap(m, size);
	/* Unmapped: setting the ring up again discards what it held,
	 * without walking it (O(1) under the ring's lock).
	 */
	CHECK(rings_set(fd, &rx, NULL, &s) == 0);
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(m != MAP_FAILED);
	CHECK(nlmmap_frame_status(m) == NLMMAP_STATUS_UNUSED);
	CHECK(nlmmap_ctrl(m, &s.off)->rx_head == 0);
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
	if (WIFEXITED(status) && WEXITSTATUS(status) == 10)
		SKIP("cannot become user nobody here");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d",
	      WEXITSTATUS(status));
}

/* Set up rings of @rx and @tx pages (0: none) on @fd; 0 or errno. */
static int setup_pages(int fd, unsigned int rx, unsigned int tx)
{
	struct nl_mmap_req r = geometry(rx, 4096), t = geometry(tx, 4096);

	return rings_set(fd, rx ? &r : NULL, tx ? &t : NULL, NULL);
}

/*
 * A setup gives back exactly what it charged, to whom it charged it:
 * rings set up with CAP_IPC_LOCK (not charged) and removed by an
 * unprivileged process must not un-charge that process's own rings. And
 * a same-size setup at the limit counts the old rings as free.
 */
static int memlock_credit(void)
{
	struct rlimit rl = { 32 << 12, 32 << 12 };	/* 32 pages */
	struct mnl_socket *nl[3];
	int fd[3], i, bad = 0;

	for (i = 0; i < 3; i++) {
		nl[i] = genl_open(NULL);
		fd[i] = nl[i] ? ring_file_bind(nl[i]) : -1;
		if (fd[i] < 0)
			return 100;
	}
	if (setrlimit(RLIMIT_MEMLOCK, &rl))
		return 101;
	if (setup_pages(fd[0], 16, 0))		/* as root: not charged */
		return 102;
	if (setgid(65534) || setuid(65534))
		return 103;
	if (setup_pages(fd[1], 16, 16))		/* nobody: 32 of 32 */
		bad |= 1;
	if (setup_pages(fd[2], 1, 0) != ENOMEM)	/* at the limit */
		bad |= 2;
	if (setup_pages(fd[0], 0, 0))		/* root's, removed by nobody */
		bad |= 4;
	if (setup_pages(fd[2], 1, 0) != ENOMEM)	/* still at the limit */
		bad |= 8;
	if (setup_pages(fd[1], 16, 16))		/* the same again, at it */
		bad |= 16;
	if (setup_pages(fd[1], 0, 0))		/* gives the 32 pages back */
		bad |= 32;
	if (setup_pages(fd[2], 32, 0))		/* so these fit */
		bad |= 64;
	printf("# memlock credit: %#x\n", bad);
	for (i = 0; i < 3; i++) {
		close(fd[i]);
		mnl_socket_close(nl[i]);
	}
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
	if (WIFEXITED(status) && WEXITSTATUS(status) == 103)
		SKIP("cannot become user nobody here");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d",
	      WEXITSTATUS(status));
}

/* NLMMAP_IOC_SETUP grows as openat2()'s struct open_how does: the size
 * field is the size the ioctl number encodes, at least v1's; a larger
 * struct under its own number with a zero tail works, and gets its
 * answer; a tail the kernel does not know is refused.
 */
static void setup_is_extensible(void)
{
	struct nl_mmap_req rx = geometry(8, 2048), tx = geometry(4, 2048);
	struct {
		struct nlmmap_setup s;
		uint64_t more[2];
	} big = {};
	const unsigned long setup_big = _IOWR(NLMMAP_IOC_MAGIC, 1, big);
	struct nlmmap_setup s = {};
	struct mnl_socket *nl;
	int fd;

	fd = ring_file(&nl);
	REQUIRE(fd >= 0);
	s.size = sizeof(s) - 4;
	errno = 0;
	CHECK(ioctl(fd, _IOWR(NLMMAP_IOC_MAGIC, 1, char[116]), &s) == -1 &&
	      errno == EINVAL, "smaller than v1: %s", strerror(errno));
	errno = 0;
	CHECK(ioctl(fd, NLMMAP_IOC_SETUP, &s) == -1 && errno == EINVAL,
	      "size not the number's: %s", strerror(errno));
	big.s.size = sizeof(big);
	big.s.rx = rx;
	errno = 0;
	CHECK(ioctl(fd, NLMMAP_IOC_SETUP, &big) == -1 && errno == EINVAL,
	      "v1 number, larger size: %s", strerror(errno));
	CHECK(ioctl(fd, setup_big, &big) == 0, "zero tail accepted: %s",
	      strerror(errno));
	CHECK(big.s.features & NLMMAP_FEAT_RX_HEAD &&
	      big.s.off.size == map_size(&rx, NULL) && !big.more[0] &&
	      !big.more[1], "answer: features %#x, size %llu",
	      big.s.features, (unsigned long long)big.s.off.size);
	big.more[1] = 1;
	errno = 0;
	CHECK(ioctl(fd, setup_big, &big) == -1 && errno == E2BIG,
	      "unknown fields set: %s", strerror(errno));
	big.more[1] = 0;
	big.s.size = NLMMAP_SETUP_SIZE_V1;
	errno = 0;
	CHECK(ioctl(fd, setup_big, &big) == -1 && errno == EINVAL,
	      "grown number, v1 size: %s", strerror(errno));
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.flags = 1U << 31;
	CHECK(ioctl(fd, NLMMAP_IOC_SETUP, &s) == -1 && errno == EINVAL);
	s.flags = 0;
	s.resv[3] = 1;
	CHECK(ioctl(fd, NLMMAP_IOC_SETUP, &s) == -1 && errno == EINVAL);
	s.resv[3] = 0;
	/* Batched wake-ups need a deadline, a deadline needs a batch, and
	 * neither may exceed its limit.
	 */
	s.wake_frames = 2;
	CHECK(ioctl(fd, NLMMAP_IOC_SETUP, &s) == -1 && errno == EINVAL);
	s.wake_usecs = NLMMAP_WAKE_USECS_MAX + 1;
	CHECK(ioctl(fd, NLMMAP_IOC_SETUP, &s) == -1 && errno == EINVAL);
	s.wake_frames = 0;
	s.wake_usecs = 100;
	CHECK(ioctl(fd, NLMMAP_IOC_SETUP, &s) == -1 && errno == EINVAL);
	s.wake_usecs = 0;
	s.dump_resume_pct = 101;
	CHECK(ioctl(fd, NLMMAP_IOC_SETUP, &s) == -1 && errno == EINVAL);
	s.dump_resume_pct = 25;
	s.rx = rx;
	s.tx = tx;
	REQUIRE(ioctl(fd, NLMMAP_IOC_SETUP, &s) == 0);
	CHECK((s.features & (NLMMAP_FEAT_RX_HEAD | NLMMAP_FEAT_BIND_GENL |
			     NLMMAP_FEAT_BUDGETS | NLMMAP_FEAT_TX_FAMILIES)) ==
	      (NLMMAP_FEAT_RX_HEAD | NLMMAP_FEAT_BIND_GENL |
	       NLMMAP_FEAT_BUDGETS | NLMMAP_FEAT_TX_FAMILIES),
	      "features %#x", s.features);
	CHECK(s.off.rx == 0 && s.off.tx == 8 * 2048 &&
	      s.off.ctrl == 12 * 2048 && s.off.size == map_size(&rx, &tx),
	      "offsets %llu %llu %llu %llu", (unsigned long long)s.off.rx,
	      (unsigned long long)s.off.tx, (unsigned long long)s.off.ctrl,
	      (unsigned long long)s.off.size);
	/* Numbers of another magic get a clean error. */
	CHECK(ioctl(fd, _IOW(0xB7, 2, struct nl_mmap_req), &rx) == -1 &&
	      errno == ENOTTY);
	CHECK(ioctl(fd, _IOW(0xB7, 1, int32_t), &fd) == -1 && errno == ENOTTY);
	close(fd);
	mnl_socket_close(nl);
}

/* What open() says as user nobody (in a child), as 0 or errno. */
static int open_as_nobody(void)
{
	int status, fd;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(100);
		fd = open(NLMMAP_DEVICE, O_RDWR);
		_exit(fd < 0 ? errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void open_policy_restore(void)
{
	write_param("group", "-1");
	write_param("disabled", "0");
}

/* The administrator's knob: who may create rings. */
static void open_policy(void)
{
	int fd;

	if (open_as_nobody() == 100)
		SKIP("cannot become user nobody here");
	CHECK(open_as_nobody() == 0, "disabled=0: everyone");
	REQUIRE(write_param("disabled", "1") == 0);
	CHECK(open_as_nobody() == EPERM, "disabled=1: not nobody");
	fd = open(NLMMAP_DEVICE, O_RDWR);
	CHECK(fd >= 0, "disabled=1: CAP_NET_ADMIN may");
	close(fd);
	REQUIRE(write_param("group", "65534") == 0);
	CHECK(open_as_nobody() == 0, "disabled=1: the group may");
	REQUIRE(write_param("disabled", "2") == 0);
	errno = 0;
	fd = open(NLMMAP_DEVICE, O_RDWR);
	CHECK(fd < 0 && errno == EPERM, "disabled=2: nobody at all");
	if (fd >= 0)
		close(fd);
	open_policy_restore();
	fd = open(NLMMAP_DEVICE, O_RDWR);
	CHECK(fd >= 0);
	close(fd);
}

TAP_MAIN(T(setup_is_extensible), TT(open_policy, open_policy_restore),
	 T(geometry_accepted_and_refused), T(mmap_rules),
	 T(reconfigure_discards_unmapped_frames), T(ring_memory_is_counted),
	 T(memlock_limit_applies),
	 T(memlock_charge_stays_with_its_ring))
