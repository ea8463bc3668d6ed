// SPDX-License-Identifier: GPL-2.0
/*
 * Nothing takes the ring's pages through get_user_pages(), the lockless
 * GUP-fast included: the ring's PTEs are special (VM_PFNMAP), so
 * vmsplice() of the ring into a pipe, O_DIRECT reads into it and writes
 * from it (a loop device), Linux AIO and io_uring O_DIRECT reads into it
 * all fail with EFAULT, as do process_vm_readv() and /proc/PID/mem reads;
 * MADV_DONTNEED is refused. Each case first shows that the same I/O into an
 * ordinary buffer works, so the refusal is the ring's. Cases SKIP where
 * the kernel lacks what they need (the debug kernel has no block layer,
 * no AIO and no io_uring).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <linux/aio_abi.h>
#include <linux/io_uring.h>
#include <linux/loop.h>

#include "tap.h"
#include "util.h"

#define FILL	0xa5
#define BLK	4096

static uint16_t family;

struct mapped {
	struct mnl_socket *nl;
	struct mnl_ring *r;
	char *base;		/* the whole mapping: RX, TX, control page */
	size_t len;
	char *tx;		/* TX frame 0, page aligned */
};

static void unmap(void *arg)
{
	struct mapped *m = arg;

	ring_teardown(m->r, m->nl);
}

/* 8 RX and 8 TX frames of a page each: 16 pages and the control page. */
static int map_ring(struct mapped *m)
{
	struct nl_mmap_req rx = geometry(8, BLK), tx = geometry(8, BLK);

	m->r = ring_setup(&m->nl, &family, 8, BLK, 8);
	if (!m->r)
		return -1;
	tap_defer(unmap, m);
	m->len = map_size(&rx, &tx);
	m->base = (char *)mnl_ring_rx_frame(mnl_ring_rx(m->r), 0);
	m->tx = (char *)mnl_ring_tx_frame(mnl_ring_tx(m->r), 0);
	return 0;
}

/* Not one byte of @p is FILL: nothing was written there. */
static int untouched(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] == FILL)
			return 0;
	return 1;
}

/* vmsplice() takes the pages of its iovec (GUP-fast first) and puts them
 * into the pipe: the review saw 16384 bytes of the ring in a pipe, still
 * there after the ring was closed.
 */
static void vmsplice_of_the_ring_fails(void)
{
	static char plain[4 * BLK] __attribute__((aligned(BLK)));
	struct { const char *what; size_t at, len; } cases[4];
	struct mapped m;
	struct iovec iov;
	unsigned int i;
	ssize_t n;
	int p[2];

	REQUIRE(map_ring(&m) == 0);
	REQUIRE(pipe(p) == 0);
	iov.iov_base = plain;
	iov.iov_len = sizeof(plain);
	n = vmsplice(p[1], &iov, 1, SPLICE_F_NONBLOCK);
	REQUIRE(n == (ssize_t)sizeof(plain), "a plain buffer: %zd", n);
	close(p[0]);
	close(p[1]);

	/* RX ring, TX ring, control page, the whole mapping. */
	cases[0].what = "RX ring";
	cases[0].at = 0;
	cases[0].len = 4 * BLK;
	cases[1].what = "TX ring";
	cases[1].at = m.tx - m.base;
	cases[1].len = 4 * BLK;
	cases[2].what = "control page";
	cases[2].at = m.len - BLK;
	cases[2].len = BLK;
	cases[3].what = "mapping";
	cases[3].at = 0;
	cases[3].len = m.len;
	/* Every case, whatever the one before did (REQUIRE would stop). */
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (pipe(p)) {
			CHECK(0, "pipe()");
			break;
		}
		/* Room for the whole mapping: a refusal is not a full pipe. */
		fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
		iov.iov_base = m.base + cases[i].at;
		iov.iov_len = cases[i].len;
		errno = 0;
		n = vmsplice(p[1], &iov, 1, SPLICE_F_NONBLOCK);
		CHECK(n == -1 && errno == EFAULT, "%s: vmsplice() took %zd",
		      cases[i].what, n);
		close(p[0]);
		close(p[1]);
	}
}

struct loopdev {
	int fd;			/* the device, O_DIRECT */
	int ctl;
	char path[32];
};

static void loop_free(void *arg)
{
	struct loopdev *l = arg;
	int fd = open(l->path, O_RDWR);

	if (l->fd >= 0)
		close(l->fd);
	if (fd >= 0) {
		ioctl(fd, LOOP_CLR_FD, 0);
		close(fd);
	}
	close(l->ctl);
	unlink("/tmp/ring_gup.img");
}

/* The loop driver is loaded, built in, or a module of this kernel. */
static int have_loop(void)
{
	char path[256];
	struct utsname u;

	if (!access("/dev/loop-control", F_OK) || uname(&u))
		return 1;
	snprintf(path, sizeof(path), "/lib/modules/%s/loop.ko", u.release);
	return !access(path, R_OK);
}

/* A loop device over a file of FILL bytes, opened O_DIRECT; SKIP where
 * the kernel has no loop driver.
 */
static void loop_open(struct loopdev *l)
{
	static char buf[16 * BLK];
	int err, n, file, dev;

	l->fd = -1;
	l->ctl = -1;
	if (!have_loop())
		SKIP("no loop driver in this kernel");
	err = kmod_load("loop", NULL);
	REQUIRE(err == 0, "loading loop: %d", err);
	l->ctl = open("/dev/loop-control", O_RDWR);
	if (l->ctl < 0 && errno == ENOENT)
		SKIP("no /dev/loop-control");
	REQUIRE(l->ctl >= 0);
	n = ioctl(l->ctl, LOOP_CTL_GET_FREE);
	REQUIRE(n >= 0);
	snprintf(l->path, sizeof(l->path), "/dev/loop%d", n);
	tap_defer(loop_free, l);
	file = open("/tmp/ring_gup.img", O_RDWR | O_CREAT | O_TRUNC, 0600);
	REQUIRE(file >= 0);
	memset(buf, FILL, sizeof(buf));
	REQUIRE(write(file, buf, sizeof(buf)) == sizeof(buf));
	dev = open(l->path, O_RDWR);
	REQUIRE(dev >= 0, "%s", l->path);
	REQUIRE(ioctl(dev, LOOP_SET_FD, file) == 0);
	close(file);
	close(dev);
	l->fd = open(l->path, O_RDWR | O_DIRECT);
	REQUIRE(l->fd >= 0, "%s O_DIRECT", l->path);
}

/* O_DIRECT reads DMA (here: copy) into the pages of the buffer, writes
 * from them: both take the pages through GUP-fast. The review saw a read
 * write 4,096 bytes into the TX ring.
 */
static void o_direct_loop_io_fails(void)
{
	static char plain[BLK] __attribute__((aligned(BLK)));
	struct loopdev l;
	struct mapped m;
	ssize_t n;

	loop_open(&l);
	REQUIRE(l.fd >= 0);
	n = pread(l.fd, plain, BLK, 0);
	REQUIRE(n == BLK && plain[0] == (char)FILL,
		"O_DIRECT into a plain buffer: %zd", n);
	REQUIRE(map_ring(&m) == 0);
	errno = 0;
	n = pread(l.fd, m.tx, BLK, 0);
	CHECK(n == -1 && errno == EFAULT, "read %zd bytes into the TX ring",
	      n);
	CHECK(untouched(m.tx, BLK), "the TX ring was written");
	errno = 0;
	n = pread(l.fd, m.base, BLK, 0);
	CHECK(n == -1 && errno == EFAULT, "read %zd bytes into the RX ring",
	      n);
	CHECK(untouched(m.base, BLK), "the RX ring was written");
	errno = 0;
	n = pwrite(l.fd, m.tx, BLK, BLK);
	CHECK(n == -1 && errno == EFAULT, "wrote %zd bytes from the TX ring",
	      n);
}

/* The same read through Linux AIO: it completes while the submitter may
 * already be in NLMMAP_IOC_KICK, so the ring must not be its buffer.
 */
static void aio_o_direct_read_fails(void)
{
	static char plain[BLK] __attribute__((aligned(BLK)));
	aio_context_t ctx = 0;
	struct io_event ev;
	struct loopdev l;
	struct mapped m;
	struct iocb cb, *cbs[1] = { &cb };
	char *bufs[2];
	int i;

	if (syscall(__NR_io_setup, 1, &ctx) < 0 && errno == ENOSYS)
		SKIP("this kernel has no Linux AIO");
	REQUIRE(ctx);
	loop_open(&l);
	REQUIRE(l.fd >= 0 && map_ring(&m) == 0);
	bufs[0] = plain;
	bufs[1] = m.tx;
	for (i = 0; i < 2; i++) {
		memset(&cb, 0, sizeof(cb));
		cb.aio_fildes = l.fd;
		cb.aio_lio_opcode = IOCB_CMD_PREAD;
		cb.aio_buf = (uintptr_t)bufs[i];
		cb.aio_nbytes = BLK;
		/* Submission fails, or the read completes with an error. */
		if (syscall(__NR_io_submit, ctx, 1, cbs) != 1) {
			CHECK(i == 1, "submitting into a plain buffer");
			continue;
		}
		REQUIRE(syscall(__NR_io_getevents, ctx, 1, 1, &ev, NULL) == 1);
		if (i == 0)
			REQUIRE(ev.res == BLK, "plain buffer: %lld",
				(long long)ev.res);
		else
			CHECK(ev.res == -EFAULT, "read %lld into the TX ring",
			      (long long)ev.res);
	}
	CHECK(untouched(m.tx, BLK), "the TX ring was written");
	syscall(__NR_io_destroy, ctx);
}

/* io_uring's IORING_OP_READ with a plain (not registered) buffer: the
 * same GUP-fast path as O_DIRECT. A minimal ring, raw system calls.
 */
struct uring {
	int fd;
	struct io_uring_params p;
	void *sq, *cq;
	size_t sq_len, cq_len;
	struct io_uring_sqe *sqes;
};

static void uring_free(void *arg)
{
	struct uring *u = arg;

	if (u->sqes)
		munmap(u->sqes, u->p.sq_entries * sizeof(*u->sqes));
	if (u->cq && u->cq != u->sq)
		munmap(u->cq, u->cq_len);
	if (u->sq)
		munmap(u->sq, u->sq_len);
	close(u->fd);
}

/* One read of BLK bytes at 0 from @fd into @buf: the completion's res. */
static int uring_read(struct uring *u, int fd, void *buf, int *res)
{
	unsigned int *sq_tail = u->sq + u->p.sq_off.tail;
	unsigned int *sq_mask = u->sq + u->p.sq_off.ring_mask;
	unsigned int *sq_array = u->sq + u->p.sq_off.array;
	unsigned int *cq_head = u->cq + u->p.cq_off.head;
	unsigned int *cq_tail = u->cq + u->p.cq_off.tail;
	unsigned int *cq_mask = u->cq + u->p.cq_off.ring_mask;
	struct io_uring_cqe *cqes = u->cq + u->p.cq_off.cqes;
	unsigned int tail = *sq_tail, idx = tail & *sq_mask, head;
	struct io_uring_sqe *sqe = &u->sqes[idx];

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_READ;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)buf;
	sqe->len = BLK;
	sq_array[idx] = idx;
	__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, u->fd, 1, 1, IORING_ENTER_GETEVENTS,
		    NULL, 0) < 0)
		return -1;
	head = *cq_head;
	if (head == __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE))
		return -1;
	*res = cqes[head & *cq_mask].res;
	__atomic_store_n(cq_head, head + 1, __ATOMIC_RELEASE);
	return 0;
}

static void io_uring_o_direct_read_fails(void)
{
	static char plain[BLK] __attribute__((aligned(BLK)));
	struct uring u = {};
	struct loopdev l;
	struct mapped m;
	int res = 0;

	u.fd = syscall(__NR_io_uring_setup, 4, &u.p);
	if (u.fd < 0 && (errno == ENOSYS || errno == EPERM))
		SKIP("this kernel has no io_uring for us (errno %d)", errno);
	REQUIRE(u.fd >= 0);
	tap_defer(uring_free, &u);
	u.sq_len = u.p.sq_off.array + u.p.sq_entries * sizeof(unsigned int);
	u.cq_len = u.p.cq_off.cqes +
		   u.p.cq_entries * sizeof(struct io_uring_cqe);
	if (u.p.features & IORING_FEAT_SINGLE_MMAP) {
		if (u.cq_len > u.sq_len)
			u.sq_len = u.cq_len;
	}
	u.sq = mmap(NULL, u.sq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		    u.fd, IORING_OFF_SQ_RING);
	REQUIRE(u.sq != MAP_FAILED);
	if (u.p.features & IORING_FEAT_SINGLE_MMAP) {
		u.cq = u.sq;
	} else {
		u.cq = mmap(NULL, u.cq_len, PROT_READ | PROT_WRITE,
			    MAP_SHARED, u.fd, IORING_OFF_CQ_RING);
		REQUIRE(u.cq != MAP_FAILED);
	}
	u.sqes = mmap(NULL, u.p.sq_entries * sizeof(*u.sqes),
		      PROT_READ | PROT_WRITE, MAP_SHARED, u.fd,
		      IORING_OFF_SQES);
	REQUIRE(u.sqes != MAP_FAILED);

	loop_open(&l);
	REQUIRE(l.fd >= 0);
	REQUIRE(uring_read(&u, l.fd, plain, &res) == 0 && res == BLK,
		"plain buffer: %d", res);
	REQUIRE(map_ring(&m) == 0);
	REQUIRE(uring_read(&u, l.fd, m.tx, &res) == 0);
	CHECK(res == -EFAULT, "read %d into the TX ring", res);
	CHECK(untouched(m.tx, BLK), "the TX ring was written");
}

/* O_DIRECT on a file, where the guest has a filesystem that supports it
 * (tmpfs and ramfs do not in 6.1: SKIP there).
 */
static void o_direct_file_read_fails(void)
{
	static const char *const dirs[] = { "/tmp", "/var/tmp", "/" };
	static char plain[BLK] __attribute__((aligned(BLK)));
	char path[64];
	struct mapped m;
	unsigned int i;
	int fd = -1;
	ssize_t n;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && fd < 0; i++) {
		snprintf(path, sizeof(path), "%s/ring_gup.%d", dirs[i],
			 getpid());
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			continue;
		memset(plain, FILL, sizeof(plain));
		if (write(fd, plain, BLK) != BLK || fsync(fd) ||
		    fcntl(fd, F_SETFL, O_DIRECT) ||
		    pread(fd, plain, BLK, 0) != BLK) {
			close(fd);
			unlink(path);
			fd = -1;
		}
	}
	if (fd < 0)
		SKIP("no filesystem here does O_DIRECT");
	printf("# O_DIRECT on %s\n", path);
	unlink(path);
	REQUIRE(map_ring(&m) == 0);
	errno = 0;
	n = pread(fd, m.tx, BLK, 0);
	CHECK(n == -1 && errno == EFAULT, "read %zd bytes into the TX ring",
	      n);
	CHECK(untouched(m.tx, BLK), "the TX ring was written");
	close(fd);
}

/* The rest of what the uAPI header says of the mapping: reads through
 * get_user_pages() fail as writes do, and MADV_DONTNEED, which would zap
 * the ring's PTEs (and leave a mapping that only faults), is refused.
 */
static void reads_and_dontneed_are_refused(void)
{
	struct iovec local, remote;
	struct mapped m;
	char buf[64], path[64];
	ssize_t n;
	int fd;

	REQUIRE(map_ring(&m) == 0);
	local.iov_base = buf;
	local.iov_len = sizeof(buf);
	remote.iov_base = m.tx;
	remote.iov_len = sizeof(buf);
	errno = 0;
	n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
	CHECK(n == -1 && errno == EFAULT, "process_vm_readv() read %zd", n);
	snprintf(path, sizeof(path), "/proc/%d/mem", getpid());
	fd = open(path, O_RDONLY);
	REQUIRE(fd >= 0);
	errno = 0;
	n = pread(fd, buf, sizeof(buf), (off_t)(uintptr_t)m.tx);
	CHECK(n < 0, "/proc/PID/mem read %zd bytes of the ring", n);
	close(fd);
	errno = 0;
	CHECK(madvise(m.base, m.len, MADV_DONTNEED) == -1 && errno == EINVAL,
	      "MADV_DONTNEED on the ring");
	/* Still mapped: the kernel's frame states read as they were. */
	CHECK(nlmmap_frame_status((struct nl_mmap_hdr *)m.tx) ==
	      NLMMAP_STATUS_UNUSED);
}

TAP_MAIN(T(vmsplice_of_the_ring_fails), T(o_direct_loop_io_fails),
	 T(aio_o_direct_read_fails), T(io_uring_o_direct_read_fails),
	 T(o_direct_file_read_fails), T(reads_and_dontneed_are_refused))
