// SPDX-License-Identifier: GPL-2.0
/*
 * TX: requests through the TX ring, answered through the RX ring; in-place
 * processing only for an exclusive mapping (threads, fork and dup'd fds
 * force a copy; a child of fork() gets no mapping; a split mapping stops
 * in-place processing; nothing reaches the ring through process_vm_writev()
 * or /proc/PID/mem); invalid frames counted and answered; processing stays
 * memory-safe while a thread rewrites the frames; BENCH and kicks through
 * the TX ring are bounded per call.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stddef.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/io_uring.h>
#include <sys/syscall.h>

#include "tap.h"
#include "util.h"

static uint16_t family;

/* Put an ECHO request into the next TX frame and submit it. */
static struct nl_mmap_hdr *tx_echo(struct mnl_ring *r, const char *payload,
				   uint16_t flags)
{
	struct nl_mmap_hdr *frame = tx_frame_get(r);
	struct nlmsghdr *nlh;
	char buf[512];

	if (!frame)
		return NULL;
	/* Built aside: the hostile tests rewrite the frame meanwhile. */
	nlh = genl_req(buf, family, NLMMAP_CMD_ECHO, flags, 42);
	mnl_attr_put(nlh, NLMMAP_A_PAYLOAD, strlen(payload) + 1, payload);
	memcpy(mnl_ring_frame_data(frame), buf, nlh->nlmsg_len);
	tx_frame_submit(r, nlh->nlmsg_len);
	return frame;
}

struct echo {
	int replies;
	int acks;
	int errors;
	int last_error;
	char payload[256];
};

static int echo_attr(const struct nlattr *attr, void *data)
{
	struct echo *e = data;

	if (mnl_attr_get_type(attr) == NLMMAP_A_PAYLOAD &&
	    mnl_attr_get_payload_len(attr) < sizeof(e->payload))
		memcpy(e->payload, mnl_attr_get_payload(attr),
		       mnl_attr_get_payload_len(attr));
	return MNL_CB_OK;
}

static int echo_cb(const struct nlmsghdr *nlh, void *data)
{
	struct echo *e = data;

	e->replies++;
	return mnl_attr_parse(nlh, GENL_HDRLEN, echo_attr, data);
}

static int echo_err(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct echo *e = data;

	if (err->error) {
		e->errors++;
		e->last_error = err->error;
	} else {
		e->acks++;
	}
	return MNL_CB_OK;
}

static int echo_drain(struct mnl_ring *r, struct echo *e)
{
	static char buf[1 << 16];
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = echo_err };

	return rx_run(r, buf, sizeof(buf), 0, echo_cb, e, ctl, NLMSG_MIN_TYPE);
}

struct deltas {
	struct mnl_socket *q;
	int64_t inplace, copied, invalid;
};

static void deltas_start(struct deltas *d)
{
	d->q = genl_open(NULL);
	d->inplace = nlmmap_stat(d->q, family, NLMMAP_S_TX_INPLACE);
	d->copied = nlmmap_stat(d->q, family, NLMMAP_S_TX_COPIED);
	d->invalid = nlmmap_stat(d->q, family, NLMMAP_S_TX_INVALID);
}

static void deltas_end(struct deltas *d)
{
	d->inplace = nlmmap_stat(d->q, family, NLMMAP_S_TX_INPLACE) - d->inplace;
	d->copied = nlmmap_stat(d->q, family, NLMMAP_S_TX_COPIED) - d->copied;
	d->invalid = nlmmap_stat(d->q, family, NLMMAP_S_TX_INVALID) - d->invalid;
	mnl_socket_close(d->q);
}

static void echo_in_place(void)
{
	struct mnl_socket *nl;
	struct echo e = {};
	struct deltas d;
	struct mnl_ring *r;

	r = ring_setup(&nl, &family, 16, 1024, 8);
	REQUIRE(r);
	deltas_start(&d);
	REQUIRE(tx_echo(r, "hello nlmmap", 0));
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 1);
	CHECK(echo_drain(r, &e) == MNL_CB_OK);
	CHECK(e.replies == 1 && !strcmp(e.payload, "hello nlmmap"),
	      "%d replies, '%s'", e.replies, e.payload);
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 0, "nothing left to process");
	deltas_end(&d);
	CHECK(d.inplace == 1 && d.copied == 0, "in place %lld, copied %lld",
	      (long long)d.inplace, (long long)d.copied);
	ring_teardown(r, nl);
}

static void ack_and_poll_processing(void)
{
	struct mnl_socket *nl;
	struct echo e = {};
	struct mnl_ring *r;
	int rev;

	r = ring_setup(&nl, &family, 16, 1024, 8);
	REQUIRE(r);
	REQUIRE(tx_echo(r, "ack me", NLM_F_ACK));
	/* No kick: poll() processes pending TX frames itself. */
	rev = mnl_ring_wait(r, POLLIN, 1000);
	CHECK(rev & POLLIN, "revents %#x", rev);
	CHECK(echo_drain(r, &e) == MNL_CB_OK);
	CHECK(e.replies == 1 && e.acks == 1 && !strcmp(e.payload, "ack me"));
	CHECK(mnl_ring_wait(r, POLLOUT, 0) & POLLOUT);
	ring_teardown(r, nl);
}

/* A BENCH of @count messages of @size bytes through the TX ring; what came
 * back in the RX ring goes to @s.
 */
static void tx_bench(uint32_t count, uint32_t size, struct seen *s)
{
	struct nl_mmap_hdr *frame;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct mnl_ring *r;

	r = ring_setup(&nl, &family, 32, 1024, 4);
	REQUIRE(r);
	frame = tx_frame_get(r);
	REQUIRE(frame);
	nlh = genl_req(mnl_ring_frame_data(frame), family, NLMMAP_CMD_BENCH, 0,
		       0);
	mnl_attr_put_u32(nlh, NLMMAP_A_COUNT, count);
	mnl_attr_put_u32(nlh, NLMMAP_A_SIZE, size);
	tx_frame_submit(r, 0);
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 1);
	CHECK(drain(r, s) == MNL_CB_OK);
	ring_teardown(r, nl);
}

static void bench_through_tx(void)
{
	struct seen s = {};

	tx_bench(10, 33, &s);
	CHECK(s.n == 11 && s.count == 10 && s.seq[9] == 9 && !s.bad_payload,
	      "%d messages", s.n);
}

static void *block_on_pipe(void *arg)
{
	char c;

	return (void *)(long)read(*(int *)arg, &c, 1);
}

static void copied_unless_exclusive(void)
{
	struct mnl_socket *nl;
	struct echo e = {};
	struct deltas d;
	struct mnl_ring *r;
	int p[2], dupfd;
	pthread_t t;
	pid_t pid;

	r = ring_setup(&nl, &family, 16, 1024, 8);
	REQUIRE(r && pipe(p) == 0);

	/* A second thread shares the mm. */
	deltas_start(&d);
	REQUIRE(pthread_create(&t, NULL, block_on_pipe, &p[0]) == 0);
	REQUIRE(tx_echo(r, "thread", 0));
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 1);
	CHECK(write(p[1], "x", 1) == 1);
	pthread_join(t, NULL);
	deltas_end(&d);
	CHECK(d.copied == 1 && d.inplace == 0, "thread: copied %lld",
	      (long long)d.copied);

	/* A child holds a second mapping (and the file). */
	deltas_start(&d);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		char c;

		_exit(read(p[0], &c, 1) == 1 ? 0 : 1);
	}
	REQUIRE(tx_echo(r, "fork", 0));
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 1);
	CHECK(write(p[1], "x", 1) == 1);
	waitpid(pid, NULL, 0);
	deltas_end(&d);
	CHECK(d.copied == 1 && d.inplace == 0, "fork: copied %lld",
	      (long long)d.copied);

	/* A dup'd descriptor could be passed on and mapped again. */
	deltas_start(&d);
	dupfd = dup(mnl_ring_get_fd(r));
	REQUIRE(tx_echo(r, "dup", 0));
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 1);
	close(dupfd);
	/* Exclusive again. */
	REQUIRE(tx_echo(r, "alone", 0));
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 1);
	deltas_end(&d);
	CHECK(d.copied == 1 && d.inplace == 1, "dup: copied %lld in place %lld",
	      (long long)d.copied, (long long)d.inplace);

	CHECK(echo_drain(r, &e) == MNL_CB_OK && e.replies == 4 && !e.errors);
	close(p[0]);
	close(p[1]);
	ring_teardown(r, nl);
}

/* Write a raw request whose fields the test chooses. */
static void tx_raw(struct mnl_ring *r, uint32_t nm_len, uint32_t nlmsg_len,
		   uint16_t type, uint8_t cmd, uint16_t nla_len)
{
	struct nl_mmap_hdr *frame = tx_frame_get(r);
	struct nlmsghdr *nlh;
	struct nlattr *nla;

	if (!frame)
		return;
	nlh = genl_req(mnl_ring_frame_data(frame), type, cmd, 0, 0);
	mnl_attr_put_u32(nlh, NLMMAP_A_COUNT, 1);
	mnl_attr_put_u32(nlh, NLMMAP_A_SIZE, 1);
	nla = (struct nlattr *)((char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN);
	nla->nla_len = nla_len;
	nlh->nlmsg_len = nlmsg_len ? nlmsg_len : nlh->nlmsg_len;
	tx_frame_submit(r, nm_len);
}

static void invalid_frames_are_counted_and_answered(void)
{
	struct mnl_socket *nl;
	struct echo e = {};
	struct deltas d;
	struct mnl_ring *r;
	size_t cap;

	r = ring_setup(&nl, &family, 16, 1024, 16);
	REQUIRE(r);
	cap = mnl_ring_tx_room(mnl_ring_tx(r));
	deltas_start(&d);
	tx_raw(r, cap + 1, 0, family, NLMMAP_CMD_BENCH, 8);	/* nm_len */
	tx_raw(r, 0xffffffffu, 0, family, NLMMAP_CMD_BENCH, 8);
	tx_raw(r, 0, 4096, family, NLMMAP_CMD_BENCH, 8);	/* nlmsg_len */
	tx_raw(r, 0, 8, family, NLMMAP_CMD_BENCH, 8);
	tx_raw(r, 0, 0, GENL_ID_CTRL, NLMMAP_CMD_BENCH, 8);	/* family */
	tx_raw(r, 0, 0, family, NLMMAP_CMD_BENCH, 2);	/* nla_len short */
	tx_raw(r, 0, 0, family, NLMMAP_CMD_BENCH, 0xfff0);	/* nla_len long */
	tx_raw(r, 0, 0, family, 200, 8);		/* unknown command */
	tx_raw(r, 0, 0, family, NLMMAP_CMD_BENCH, 6);	/* COUNT not u32 */
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 9);
	CHECK(echo_drain(r, &e) == MNL_CB_OK);
	deltas_end(&d);
	CHECK(e.errors == 9, "%d errors", e.errors);
	CHECK(e.replies == 0);
	CHECK(d.invalid == 7, "%lld invalid", (long long)d.invalid);
	/* The ring still works. */
	REQUIRE(tx_echo(r, "still here", 0));
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 1);
	memset(&e, 0, sizeof(e));
	CHECK(echo_drain(r, &e) == MNL_CB_OK && e.replies == 1);
	ring_teardown(r, nl);
}

static atomic_int stop_writer;

struct scribble {
	char *tx;
	size_t size;
	unsigned int frame_size;
};

/* Rewrite lengths and payload bytes of every TX frame, forever. */
static void scribble_once(struct scribble *s, unsigned int *seed,
			  void (*write_at)(void *ctx, size_t off, const void *p,
					   size_t n), void *ctx)
{
	unsigned int f = rand_r(seed) % (s->size / s->frame_size);
	size_t base = (size_t)f * s->frame_size;
	uint32_t v = rand_r(seed);
	size_t off;

	switch (rand_r(seed) % 5) {
	case 0:		/* nm_len */
		off = offsetof(struct nl_mmap_hdr, nm_len);
		break;
	case 1:		/* nlmsg_len */
		off = NLMMAP_HDRLEN;
		break;
	case 2:		/* first nla_len */
		off = NLMMAP_HDRLEN + NLMSG_HDRLEN + GENL_HDRLEN;
		v &= 0xffff;
		break;
	case 3:		/* second nla_len */
		off = NLMMAP_HDRLEN + NLMSG_HDRLEN + GENL_HDRLEN + 8;
		v &= 0xffff;
		break;
	default:	/* anywhere in the message */
		off = NLMMAP_HDRLEN + rand_r(seed) %
		      (s->frame_size - NLMMAP_HDRLEN - 4);
		break;
	}
	write_at(ctx, base + off, &v, off % 4 ? 2 : 4);
}

static void write_local(void *ctx, size_t off, const void *p, size_t n)
{
	memcpy((char *)ctx + off, p, n);
}

static atomic_ulong scribbles;

static void *scribbler(void *arg)
{
	struct scribble *s = arg;
	unsigned int seed = 1;

	while (!atomic_load(&stop_writer)) {
		scribble_once(s, &seed, write_local, s->tx);
		atomic_fetch_add(&scribbles, 1);
	}
	return NULL;
}

/* Fill the TX ring with valid ECHO requests, let a local writer (if one
 * runs) rewrite some of them, kick, drain; @rounds times. Returns the
 * requests submitted.
 */
static int echo_storm(struct mnl_ring *r, int rounds, int writer)
{
	struct echo e = {};
	unsigned long seen;
	int i, done = 0;

	for (i = 0; i < rounds; i++) {
		while (tx_echo(r, "storm", done % 2 ? NLM_F_ACK : 0))
			done++;
		/* Wait for the writer's next strokes, not for a time. */
		seen = atomic_load(&scribbles);
		while (writer && atomic_load(&scribbles) - seen < 8)
			sched_yield();
		if (mnl_ring_tx_kick(mnl_ring_tx(r)) < 0)
			return -1;
		echo_drain(r, &e);
		mnl_ring_clear_error(r);
	}
	return done;
}

static struct scribble scribble_of(struct mnl_ring *r)
{
	const struct nl_mmap_req *tx = mnl_ring_tx_geometry(mnl_ring_tx(r));

	return (struct scribble){
		.tx = (char *)mnl_ring_tx_frame(mnl_ring_tx(r), 0),
		.size = (size_t)tx->nm_block_size * tx->nm_block_nr,
		.frame_size = tx->nm_frame_size,
	};
}

static void hostile_thread_rewrites_tx(void)
{
	struct mnl_socket *nl;
	struct scribble s;
	struct deltas d;
	struct mnl_ring *r;
	pthread_t t;
	int n;

	r = ring_setup(&nl, &family, 64, 512, 8);
	REQUIRE(r);
	s = scribble_of(r);
	atomic_store(&stop_writer, 0);
	deltas_start(&d);
	REQUIRE(pthread_create(&t, NULL, scribbler, &s) == 0);
	n = echo_storm(r, 500, 1);
	atomic_store(&stop_writer, 1);
	pthread_join(t, NULL);
	deltas_end(&d);
	printf("# in place %lld, copied %lld, invalid %lld\n",
	       (long long)d.inplace, (long long)d.copied,
	       (long long)d.invalid);
	CHECK(n > 0, "%d requests submitted", n);
	CHECK(d.copied == n && d.inplace == 0, "a thread forces copies");
	CHECK(d.invalid > 0, "the writer corrupted frames");
	ring_teardown(r, nl);
}

struct remote {
	pid_t pid;
	char *tx;
};

static void write_remote(void *ctx, size_t off, const void *p, size_t n)
{
	struct remote *rm = ctx;
	struct iovec local = { (void *)p, n };
	struct iovec remote = { rm->tx + off, n };

	process_vm_writev(rm->pid, &local, 1, &remote, 1, 0);
}

/* process_vm_writev(), /proc/PID/mem: nothing reaches the ring through
 * get_user_pages(), so a remote writer cannot rewrite frames that are
 * processed in place.
 */
static void remote_writer_is_refused(void)
{
	int p[2], fd, err = 0;
	struct mnl_socket *nl;
	struct scribble s;
	struct deltas d;
	struct mnl_ring *r;
	pid_t parent = getpid(), pid;
	uint32_t v = 0xdeadbeef;
	char path[64];
	int n;

	r = ring_setup(&nl, &family, 64, 512, 8);
	REQUIRE(r && pipe(p) == 0);
	s = scribble_of(r);
	/* /proc/self/mem of the ring. */
	snprintf(path, sizeof(path), "/proc/%d/mem", parent);
	fd = open(path, O_RDWR);
	REQUIRE(fd >= 0);
	errno = 0;
	CHECK(pwrite(fd, &v, sizeof(v), (off_t)(uintptr_t)s.tx) < 0,
	      "/proc/PID/mem writes the ring");
	close(fd);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		struct remote rm = { parent, s.tx };
		struct iovec local = { &v, sizeof(v) };
		struct iovec remote = { s.tx, sizeof(v) };
		unsigned int seed = 2;

		/* No descriptor of the ring either: only the writes. */
		close(mnl_ring_get_fd(r));
		errno = 0;
		if (process_vm_writev(parent, &local, 1, &remote, 1, 0) < 0)
			err = errno;
		if (write(p[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		/* Keep trying, as the attacker would. */
		while (getppid() == parent)
			scribble_once(&s, &seed, write_remote, &rm);
		_exit(0);
	}
	REQUIRE(read(p[0], &err, sizeof(err)) == sizeof(err));
	CHECK(err == EFAULT, "process_vm_writev: errno %d", err);
	deltas_start(&d);
	n = echo_storm(r, 50, 0);
	deltas_end(&d);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("# in place %lld, copied %lld, invalid %lld\n",
	       (long long)d.inplace, (long long)d.copied,
	       (long long)d.invalid);
	/* While the writer is inside the mm (mmget()), frames are copied;
	 * in between they may be processed in place (how many depends on
	 * the scheduler: none on a loaded machine), and it can rewrite none.
	 */
	CHECK(n > 0 && d.inplace + d.copied == n, "%d submitted", n);
	CHECK(d.invalid == 0, "no frame was rewritten");
	close(p[0]);
	close(p[1]);
	ring_teardown(r, nl);
}

/* A ring of 16 RX and 8 TX frames of 1 KiB; *base and *len are its whole
 * mapping, as the tests below unmap, protect or map it themselves.
 */
static struct mnl_ring *mapped_ring(struct mnl_socket **nl, char **base,
				    size_t *len)
{
	struct nl_mmap_req rx = geometry(16, 1024), tx = geometry(8, 1024);
	struct mnl_ring *r = ring_setup(nl, &family, 16, 1024, 8);

	*len = map_size(&rx, &tx);
	*base = r ? (char *)mnl_ring_rx_frame(mnl_ring_rx(r), 0) : NULL;
	return r;
}

/* The review's case: the parent maps, forks, unmaps; the child keeps
 * writing TX frames and closes its descriptor; the parent's kick must not
 * process the child's frames in place. Now the child has no mapping.
 */
static void fork_child_gets_no_mapping(void)
{
	int p[2], q[2], mapped = -1;
	struct mnl_socket *nl;
	unsigned char vec;
	struct deltas d;
	struct mnl_ring *r;
	char *base;
	size_t len;
	pid_t pid;

	r = mapped_ring(&nl, &base, &len);
	REQUIRE(r && pipe(p) == 0 && pipe(q) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		char c;

		mapped = mincore(base, 1, &vec) == 0;
		if (mapped) {
			/* Old kernels: the child inherited the ring. */
			errno = madvise(base, len, MADV_DOFORK) ? errno : 0;
			tx_echo(r, "child", 0);
		}
		close(mnl_ring_get_fd(r));
		if (write(p[1], &mapped, sizeof(mapped)) != sizeof(mapped))
			_exit(1);
		_exit(read(q[0], &c, 1) == 1 ? 0 : 1);
	}
	REQUIRE(read(p[0], &mapped, sizeof(mapped)) == sizeof(mapped));
	CHECK(!mapped, "the child inherited the ring's mapping");
	munmap(base, len);
	deltas_start(&d);
	mnl_ring_tx_kick(mnl_ring_tx(r));
	deltas_end(&d);
	CHECK(d.inplace == 0, "%lld frames of the child in place",
	      (long long)d.inplace);
	CHECK(write(q[1], "x", 1) == 1);
	waitpid(pid, NULL, 0);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	ring_teardown(r, nl);
}

/* A VMA split (mprotect of a part) or mremap() adds a VMA: copies from
 * then on, until everything is unmapped; a new mapping is exclusive again.
 */
static void split_mapping_forces_copies(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct mnl_socket *nl;
	struct echo e = {};
	struct deltas d;
	struct mnl_ring *r;
	char *base, *m;
	size_t len;

	r = mapped_ring(&nl, &base, &len);
	REQUIRE(r);
	deltas_start(&d);
	REQUIRE(tx_echo(r, "whole", 0));
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 1);
	/* Split: the first page read-only, the rest as it was. */
	REQUIRE(mprotect(base, pg, PROT_READ) == 0);
	REQUIRE(tx_echo(r, "split", 0));
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 1);
	REQUIRE(mprotect(base, pg, PROT_READ | PROT_WRITE) == 0);
	REQUIRE(tx_echo(r, "merged again", 0));
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 1);
	deltas_end(&d);
	CHECK(d.inplace == 1 && d.copied == 2, "in place %lld copied %lld",
	      (long long)d.inplace, (long long)d.copied);
	CHECK(echo_drain(r, &e) == MNL_CB_OK && e.replies == 3);
	/* Unmapped and mapped anew: exclusive again. */
	REQUIRE(munmap(base, len) == 0);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		 mnl_ring_get_fd(r), 0);
	REQUIRE(m == base || m != MAP_FAILED);
	if (m != base) {
		/* The handle's pointers must stay valid: map where it was. */
		munmap(m, len);
		m = mmap(base, len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, mnl_ring_get_fd(r), 0);
		REQUIRE(m == base);
	}
	deltas_start(&d);
	REQUIRE(tx_echo(r, "fresh", 0));
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 1);
	deltas_end(&d);
	CHECK(d.inplace == 1 && d.copied == 0, "in place %lld copied %lld",
	      (long long)d.inplace, (long long)d.copied);
	ring_teardown(r, nl);
}

/* BENCH through the TX ring runs under the ring's lock: bounded. */
static void tx_bench_is_bounded(void)
{
	struct seen s = {};

	tx_bench(1 << 24, 65000, &s);
	CHECK(s.n == 0 && s.errors == 1 && s.last_error == -E2BIG,
	      "%d messages, error %d", s.n, s.last_error);
}

/* More TX frames than one kick's budget: each call takes at most
 * NLMMAP_TX_BUDGET, the library kicks until done.
 */
static void kick_works_in_budgets(void)
{
	struct mnl_socket *nl;
	struct echo e = {};
	struct mnl_ring *r;
	int i, n;

	r = ring_setup(&nl, &family, 256, 512, NLMMAP_TX_BUDGET * 2 + 8);
	REQUIRE(r);
	for (i = 0; i < NLMMAP_TX_BUDGET * 2 + 5; i++)
		REQUIRE(tx_echo(r, "budget", 0));
	n = ioctl(mnl_ring_get_fd(r), NLMMAP_IOC_KICK);
	CHECK(n == NLMMAP_TX_BUDGET, "one kick took %d", n);
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == NLMMAP_TX_BUDGET + 5);
	CHECK(echo_drain(r, &e) == MNL_CB_OK);
	CHECK(e.replies == NLMMAP_TX_BUDGET * 2 + 5, "%d replies", e.replies);
	ring_teardown(r, nl);
}

/* A per-ring choice at setup (it was a module parameter): copy first. */
static void setup_flag_tx_copy(void)
{
	struct nl_mmap_req rx = geometry(8, 1024), tx = geometry(4, 1024);
	struct nlmmap_setup setup = { .size = sizeof(setup) };
	struct nl_mmap_hdr *frame;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct deltas d;
	char *m;
	int fd;

	nl = genl_open(&family);
	REQUIRE(nl);
	fd = ring_file_bind(nl);
	REQUIRE(fd >= 0);
	setup.flags = NLMMAP_SETUP_TX_COPY;
	setup.rx = rx;
	setup.tx = tx;
	REQUIRE(ioctl(fd, NLMMAP_IOC_SETUP, &setup) == 0);
	m = mmap(NULL, setup.off.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 0);
	REQUIRE(m != MAP_FAILED);
	frame = nlmmap_frame(m + setup.off.tx, &tx, 0);
	nlh = genl_req(nlmmap_frame_data(frame), family, NLMMAP_CMD_ECHO, 0, 1);
	mnl_attr_put(nlh, NLMMAP_A_PAYLOAD, 5, "copy");
	frame->nm_len = nlh->nlmsg_len;
	deltas_start(&d);
	nlmmap_frame_publish(frame, NLMMAP_STATUS_VALID);
	CHECK(ioctl(fd, NLMMAP_IOC_KICK) == 1);
	deltas_end(&d);
	CHECK(d.copied == 1 && d.inplace == 0, "copied %lld in place %lld",
	      (long long)d.copied, (long long)d.inplace);
	CHECK(nlmmap_frame_status(nlmmap_frame(m + setup.off.rx, &rx, 0)) ==
	      NLMMAP_STATUS_VALID, "the answer");
	munmap(m, setup.off.size);
	close(fd);
	mnl_socket_close(nl);
}

/* A registered io_uring buffer would be a way to write the ring behind
 * the in-place check: VM_IO refuses to pin it. SKIP without io_uring
 * (the debug kernel is built without it).
 */
static void unmap_ring(void *r)
{
	mnl_ring_unmap(r);
}

static void io_uring_cannot_pin_the_ring(void)
{
	struct io_uring_params p = {};
	struct mnl_socket *nl;
	struct mnl_ring *r;
	struct iovec iov;
	int ufd;

	r = ring_setup(&nl, &family, 8, 4096, 8);
	REQUIRE(r);
	tap_defer(unmap_ring, r);
	ufd = syscall(__NR_io_uring_setup, 4, &p);
	if (ufd < 0 && errno == ENOSYS)
		SKIP("this kernel has no io_uring");
	REQUIRE(ufd >= 0);
	iov.iov_base = mnl_ring_tx_frame(mnl_ring_tx(r), 0);
	iov.iov_len = 4096;
	errno = 0;
	CHECK(syscall(__NR_io_uring_register, ufd, IORING_REGISTER_BUFFERS,
		      &iov, 1) == -1 && errno == EFAULT, "registered");
	close(ufd);
	mnl_socket_close(nl);
}

TAP_MAIN(T(echo_in_place), T(io_uring_cannot_pin_the_ring), T(setup_flag_tx_copy), T(ack_and_poll_processing), T(bench_through_tx),
	 T(copied_unless_exclusive), T(invalid_frames_are_counted_and_answered),
	 T(hostile_thread_rewrites_tx), T(remote_writer_is_refused),
	 T(fork_child_gets_no_mapping), T(split_mapping_forces_copies),
	 T(tx_bench_is_bounded), T(kick_works_in_budgets))
