// SPDX-License-Identifier: GPL-2.0
/*
 * RX: messages arrive in frames in order; oversized ones through the
 * socket with COPY frames in their place; held (SKIP) frames are passed
 * over, at most NLMMAP_SKIP_BUDGET per attempt, and hostile bytes in them
 * are never touched; a full ring drops, counts and signals; poll() wakes
 * sleepers.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <time.h>
#include <linux/genetlink.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "tap.h"
#include "util.h"

static void bench_arrives_in_order(void)
{
	struct mnl_socket *nl, *q;
	struct seen s = {};
	struct mnl_ring *r;
	int64_t delivered;
	uint16_t id;
	int i;

	q = genl_open(&id);
	r = ring_setup(&nl, &id, 64, 2048, 0);
	REQUIRE(r && q);
	delivered = nlmmap_stat(q, id, NLMMAP_S_DELIVERED);
	REQUIRE(bench_request(nl, id, 50, 100) == 0);
	CHECK(drain(r, &s) == MNL_CB_OK);
	CHECK(s.n == 51, "%d messages", s.n);
	for (i = 0; i < 50 && i < s.n; i++)
		CHECK(s.cmd[i] == NLMMAP_CMD_BENCH_MSG && s.seq[i] == (uint32_t)i &&
		      s.size[i] == 100, "message %d", i);
	CHECK(s.cmd[50] == NLMMAP_CMD_BENCH && s.count == 50);
	CHECK(!s.bad_payload);
	CHECK(nlmmap_stat(q, id, NLMMAP_S_DELIVERED) - delivered == 51);
	CHECK(ring_stat(r, id, NLMMAP_S_DELIVERED) == 51);
	/* Everything was consumed: nothing to poll for. */
	CHECK(mnl_ring_wait(r, POLLIN, 0) == 0);
	ring_teardown(r, nl);
	mnl_socket_close(q);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* NLMMAP_A_STAMP: each payload starts with the kernel's CLOCK_MONOTONIC
 * time at which it was written: between the request and the read, never
 * going back. Payloads shorter than a time stamp are refused.
 */
static void bench_stamps_are_monotonic(void)
{
	struct nl_mmap_hdr *f[64];
	struct mnl_socket *nl, *plain;
	uint64_t t0, t1, stamp, prev = 0;
	char req[256], buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct mnl_ring *r;
	unsigned int n, i, got = 0;
	uint16_t id;
	ssize_t len;

	r = ring_setup(&nl, &id, 64, 256, 0);
	plain = genl_open(&id);
	REQUIRE(r && plain);
	nlh = genl_req(req, id, NLMMAP_CMD_BENCH, 0, 5);
	mnl_attr_put_u32(nlh, NLMMAP_A_COUNT, 32);
	mnl_attr_put_u32(nlh, NLMMAP_A_SIZE, 16);
	mnl_attr_put(nlh, NLMMAP_A_STAMP, 0, NULL);
	t0 = mono_ns();
	REQUIRE(mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) > 0);
	t1 = mono_ns();
	n = mnl_ring_rx_peek(mnl_ring_rx(r), f, 64);
	for (i = 0; i < n; i++) {
		const struct nlmsghdr *m = mnl_ring_frame_data(f[i]);
		const struct genlmsghdr *g = mnl_nlmsg_get_payload(m);

		if (g->cmd != NLMMAP_CMD_BENCH_MSG)
			continue;
		memcpy(&stamp, (const char *)g + GENL_HDRLEN + 8 + NLA_HDRLEN,
		       sizeof(stamp));
		CHECK(stamp >= t0 && stamp <= t1 && stamp >= prev,
		      "stamp %llu not in [%llu, %llu] after %llu",
		      (unsigned long long)stamp, (unsigned long long)t0,
		      (unsigned long long)t1, (unsigned long long)prev);
		prev = stamp;
		got++;
	}
	mnl_ring_rx_release(mnl_ring_rx(r), n);
	CHECK(got == 32, "%u stamped messages", got);
	/* Four bytes cannot hold a stamp. */
	nlh = genl_req(req, id, NLMMAP_CMD_BENCH, NLM_F_ACK, 6);
	mnl_attr_put_u32(nlh, NLMMAP_A_COUNT, 1);
	mnl_attr_put_u32(nlh, NLMMAP_A_SIZE, 4);
	mnl_attr_put(nlh, NLMMAP_A_STAMP, 0, NULL);
	REQUIRE(mnl_socket_sendto(plain, nlh, nlh->nlmsg_len) > 0);
	len = recv(mnl_socket_get_fd(plain), buf, sizeof(buf), 0);
	nlh = (struct nlmsghdr *)buf;
	CHECK(len > 0 && nlh->nlmsg_type == NLMSG_ERROR &&
	      ((struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error == -EINVAL,
	      "refused");
	mnl_socket_close(plain);
	ring_teardown(r, nl);
}

static void oversized_messages_copy_in_order(void)
{
	struct mnl_socket *nl, *q;
	struct seen s = {};
	struct mnl_ring *r;
	int64_t copied;
	uint16_t id;
	int i;

	q = genl_open(&id);
	r = ring_setup(&nl, &id, 32, 1024, 0);
	REQUIRE(r && q);
	copied = nlmmap_stat(q, id, NLMMAP_S_COPIED);
	REQUIRE(bench_request(nl, id, 3, 64) == 0);
	REQUIRE(bench_request(nl, id, 2, 3000) == 0);
	REQUIRE(bench_request(nl, id, 3, 64) == 0);
	CHECK(drain(r, &s) == MNL_CB_OK);
	CHECK(s.n == 11, "%d messages", s.n);
	/* 3 small + summary, 2 big + summary, 3 small + summary. */
	for (i = 0; i < 11 && i < s.n; i++) {
		uint32_t want = (i >= 4 && i < 6) ? 3000 : 64;

		if (s.cmd[i] == NLMMAP_CMD_BENCH)
			continue;
		CHECK(s.size[i] == want, "message %d size %u", i, s.size[i]);
	}
	CHECK(s.cmd[3] == NLMMAP_CMD_BENCH && s.cmd[6] == NLMMAP_CMD_BENCH &&
	      s.cmd[10] == NLMMAP_CMD_BENCH);
	CHECK(s.seq[4] == 0 && s.seq[5] == 1);
	CHECK(!s.bad_payload);
	CHECK(nlmmap_stat(q, id, NLMMAP_S_COPIED) - copied == 2);
	ring_teardown(r, nl);
	mnl_socket_close(q);
}

static void held_frames_are_passed_over(void)
{
	struct nl_mmap_hdr *held[2];
	struct mnl_socket *nl, *q;
	struct seen s = {};
	struct mnl_ring *r;
	int64_t dropped;
	uint16_t id;
	int i;

	q = genl_open(&id);
	r = ring_setup(&nl, &id, 8, 512, 0);
	REQUIRE(r && q);
	REQUIRE(mnl_ring_rx_geometry(mnl_ring_rx(r))->nm_frame_nr == 8);
	dropped = nlmmap_stat(q, id, NLMMAP_S_DROPPED);
	REQUIRE(bench_request(nl, id, 3, 8) == 0);	/* frames 0-3 */
	for (i = 0; i < 2; i++) {
		held[i] = rx_frame_next(r);
		REQUIRE(held[i]);
		CHECK(nlmmap_frame_status(held[i]) == NLMMAP_STATUS_VALID);
		rx_frame_done(r, 1);
	}
	CHECK(drain(r, &s) == MNL_CB_OK && s.n == 2);	/* frames 2, 3 */
	/* 6 frames are free (4-7, 2, 3), 0 and 1 are held. */
	REQUIRE(bench_request(nl, id, 5, 8) == 0);
	memset(&s, 0, sizeof(s));
	CHECK(drain(r, &s) == MNL_CB_OK);
	CHECK(s.n == 6, "%d messages", s.n);
	for (i = 0; i < 5 && i < s.n; i++)
		CHECK(s.seq[i] == (uint32_t)i);
	CHECK(nlmmap_stat(q, id, NLMMAP_S_DROPPED) == dropped);
	/* The held frames kept their messages. */
	CHECK(nlmmap_frame_status(held[0]) == NLMMAP_STATUS_SKIP);
	mnl_ring_frame_release(held[0]);
	mnl_ring_frame_release(held[1]);
	REQUIRE(bench_request(nl, id, 7, 8) == 0);
	memset(&s, 0, sizeof(s));
	CHECK(drain(r, &s) == MNL_CB_OK && s.n == 8, "%d", s.n);
	CHECK(nlmmap_stat(q, id, NLMMAP_S_DROPPED) == dropped);
	ring_teardown(r, nl);
	mnl_socket_close(q);
}

/* The Drops column of /proc/net/netlink for @portid, or -1. */
static long long netlink_drops(uint32_t portid)
{
	unsigned long long drops = 0;
	unsigned int proto, pid;
	char line[512];
	long long ret = -1;
	FILE *f = fopen("/proc/net/netlink", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
		if (sscanf(line, "%*s %u %u %*s %*s %*s %*s %*s %llu", &proto,
			   &pid, &drops) == 3 && proto == NETLINK_GENERIC &&
		    pid == portid)
			ret = drops;
	}
	fclose(f);
	return ret;
}

static void overrun_is_counted_and_signalled(void)
{
	struct mnl_socket *nl, *q;
	struct seen s = {};
	struct mnl_ring *r;
	int64_t dropped;
	char buf[256];
	uint16_t id;

	q = genl_open(&id);
	r = ring_setup(&nl, &id, 16, 512, 0);
	REQUIRE(r && q);
	dropped = nlmmap_stat(q, id, NLMMAP_S_DROPPED);
	CHECK(!(mnl_ring_wait(r, POLLIN, 0) & POLLERR));
	REQUIRE(bench_request(nl, id, 40, 32) == 0);
	/* 41 messages (with the summary) for 16 frames. */
	CHECK(nlmmap_stat(q, id, NLMMAP_S_DROPPED) - dropped == 25);
	CHECK(netlink_drops(mnl_socket_get_portid(nl)) == 25, "sk_drops");
	CHECK(mnl_ring_wait(r, POLLIN, 0) & POLLERR);
	errno = 0;
	CHECK(recv(mnl_socket_get_fd(nl), buf, sizeof(buf), MSG_DONTWAIT) ==
	      -1 && errno == ENOBUFS, "the socket reports the overrun");
	CHECK(drain(r, &s) == MNL_CB_OK && s.n == 16, "%d", s.n);
	CHECK(mnl_ring_clear_error(r) == 25);
	CHECK(!(mnl_ring_wait(r, POLLIN, 0) & POLLERR));
	CHECK(mnl_ring_clear_error(r) == 0);
	ring_teardown(r, nl);
	mnl_socket_close(q);
}

/* NETLINK_NO_ENOBUFS set on the socket: an overrun is counted (the ring,
 * and sk_drops as ss and /proc/net/netlink show it) and signalled on the
 * ring file, but recv() reports no ENOBUFS, as netlink_overrun() does.
 */
static void no_enobufs_is_honoured(void)
{
	struct mnl_socket *nl;
	struct seen s = {};
	struct mnl_ring *r;
	long long drops;
	char buf[256];
	uint16_t id;
	int one = 1;

	r = ring_setup(&nl, &id, 16, 512, 0);
	REQUIRE(r);
	drops = netlink_drops(mnl_socket_get_portid(nl));
	REQUIRE(drops >= 0);
	REQUIRE(mnl_socket_setsockopt(nl, NETLINK_NO_ENOBUFS, &one,
				      sizeof(one)) == 0);
	REQUIRE(bench_request(nl, id, 40, 32) == 0);
	CHECK(netlink_drops(mnl_socket_get_portid(nl)) - drops == 25,
	      "sk_drops %lld", netlink_drops(mnl_socket_get_portid(nl)));
	CHECK(mnl_ring_wait(r, POLLIN, 0) & POLLERR);
	errno = 0;
	CHECK(recv(mnl_socket_get_fd(nl), buf, sizeof(buf), MSG_DONTWAIT) ==
	      -1 && errno == EAGAIN, "no ENOBUFS: errno %d", errno);
	CHECK(drain(r, &s) == MNL_CB_OK && s.n == 16, "%d", s.n);
	CHECK(mnl_ring_clear_error(r) == 25);
	ring_teardown(r, nl);
}

struct waiter {
	struct mnl_ring *r;
	int revents;
	_Atomic pid_t tid;
};

/* Has thread @tid gone to sleep in poll()? (/proc: the event itself.) */
static int asleep_in_poll(pid_t tid)
{
	char path[64], buf[256];
	long nr = -1;
	char state = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && strrchr(buf, ')'))
		state = strrchr(buf, ')')[2];
	fclose(f);
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &nr) != 1)
			nr = -1;
		fclose(f);
	}
	return state == 'S' && (nr == SYS_poll || nr == SYS_ppoll);
}

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->tid = syscall(SYS_gettid);
	/* No timeout of its own: however slow the machine, only the
	 * wake-up under test ends it (the case's timeout bounds it).
	 */
	w->revents = mnl_ring_wait(w->r, POLLIN, -1);
	return NULL;
}

static void poll_sleeper_is_woken(void)
{
	struct mnl_socket *nl;
	struct waiter w = {};
	struct seen s = {};
	pthread_t t;
	uint16_t id;

	w.r = ring_setup(&nl, &id, 16, 512, 0);
	REQUIRE(w.r);
	CHECK(mnl_ring_wait(w.r, POLLIN, 0) == 0);
	REQUIRE(pthread_create(&t, NULL, wait_thread, &w) == 0);
	while (!w.tid || !asleep_in_poll(w.tid))
		sched_yield();
	REQUIRE(bench_request(nl, id, 1, 8) == 0);
	pthread_join(t, NULL);
	CHECK(w.revents & POLLIN, "revents %#x", w.revents);
	CHECK(drain(w.r, &s) == MNL_CB_OK && s.n == 2);
	ring_teardown(w.r, nl);
}

/* A reader that asks for batched wake-ups (wake_frames, wake_usecs) is
 * woken by the wake_frames-th frame published while it sleeps, not
 * before; and by the deadline when fewer come.
 */
static struct mnl_ring *wake_ring(struct mnl_socket **nl, uint16_t *id,
				  uint32_t frames, uint32_t usecs)
{
	struct nlmmap_setup s = { .rx = geometry(64, 256),
				  .wake_frames = frames, .wake_usecs = usecs };
	struct mnl_ring *r;

	*nl = genl_open(id);
	if (!*nl)
		return NULL;
	r = mnl_ring_map_setup(*nl, &s);
	CHECK(!r || s.features & NLMMAP_FEAT_WAKE_BATCH, "features %#x",
	      s.features);
	return r;
}

static void wake_batching_by_frames_and_deadline(void)
{
	struct mnl_socket *nl, *nl2, *plain;
	struct waiter w = {};
	struct seen s = {};
	int64_t wakeups;
	uint64_t t0;
	int woken, asleep, late;
	pthread_t t;
	uint16_t id;

	plain = genl_open(&id);
	w.r = wake_ring(&nl, &id, 8, NLMMAP_WAKE_USECS_MAX);
	REQUIRE(plain && w.r);
	wakeups = nlmmap_stat(plain, id, NLMMAP_S_WAKEUPS);
	REQUIRE(pthread_create(&t, NULL, wait_thread, &w) == 0);
	while (!w.tid || !asleep_in_poll(w.tid))
		sched_yield();
	/* Six messages and the summary: seven frames, one short. The
	 * deadline, a second after the first of them, may pass before we
	 * look on a slow or busy machine: only then may it have woken.
	 */
	t0 = mono_ns();
	REQUIRE(bench_request(nl, id, 6, 8) == 0);
	woken = nlmmap_stat(plain, id, NLMMAP_S_WAKEUPS) != wakeups;
	asleep = asleep_in_poll(w.tid);
	late = mono_ns() - t0 >= NLMMAP_WAKE_USECS_MAX * 1000ull;
	CHECK(!woken || late, "woken before the 8th frame");
	CHECK(asleep || late, "still asleep");
	REQUIRE(bench_request(nl, id, 1, 8) == 0);
	pthread_join(t, NULL);
	CHECK(w.revents & POLLIN, "revents %#x", w.revents);
	CHECK(nlmmap_stat(plain, id, NLMMAP_S_WAKEUPS) == wakeups + 1,
	      "one wake-up for the batch");
	CHECK(drain(w.r, &s) == MNL_CB_OK && s.n == 9, "%d messages", s.n);
	ring_teardown(w.r, nl);

	/* Two frames of a batch of 64: the deadline wakes the reader. */
	memset(&w, 0, sizeof(w));
	w.r = wake_ring(&nl2, &id, 64, 2000);
	REQUIRE(w.r);
	REQUIRE(pthread_create(&t, NULL, wait_thread, &w) == 0);
	while (!w.tid || !asleep_in_poll(w.tid))
		sched_yield();
	REQUIRE(bench_request(nl2, id, 1, 8) == 0);
	pthread_join(t, NULL);
	CHECK(w.revents & POLLIN, "woken by the deadline: revents %#x",
	      w.revents);
	ring_teardown(w.r, nl2);
	mnl_socket_close(plain);
}

static void many_rings_many_sockets(void)
{
	struct mnl_socket *nl[8];
	struct mnl_ring *r[8];
	uint16_t id;
	int i, j;

	for (i = 0; i < 8; i++) {
		r[i] = ring_setup(&nl[i], &id, 16, 256, 0);
		REQUIRE(r[i]);
	}
	for (i = 0; i < 8; i++)
		REQUIRE(bench_request(nl[i], id, i + 1, 4) == 0);
	for (i = 0; i < 8; i++) {
		struct seen s = {};

		CHECK(drain(r[i], &s) == MNL_CB_OK && s.n == i + 2,
		      "ring %d got %d", i, s.n);
		for (j = 0; j <= i && j < s.n; j++)
			CHECK(s.seq[j] == (uint32_t)j);
		ring_teardown(r[i], nl[i]);
	}
}

/* Frame credentials are the kernel's, seen from the reader's namespace. */
static void credentials_in_reader_namespace(void)
{
	struct mnl_socket *nl;
	struct nl_mmap_hdr *f;
	struct mnl_ring *r;
	uint16_t id;
	int status;
	pid_t pid;

	r = ring_setup(&nl, &id, 8, 512, 0);
	REQUIRE(r);
	REQUIRE(bench_request(nl, id, 1, 4) == 0);
	f = rx_frame_next(r);
	REQUIRE(f);
	CHECK(nlmmap_frame_status(f) == NLMMAP_STATUS_VALID);
	CHECK(f->nm_pid == 0 && f->nm_uid == 0 && f->nm_gid == 0);
	ring_teardown(r, nl);

	/* In a user namespace that maps nobody, root shows as overflow. */
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		if (unshare(CLONE_NEWUSER))
			_exit(10);
		r = ring_setup(&nl, &id, 8, 512, 0);
		if (!r || bench_request(nl, id, 1, 4))
			_exit(11);
		f = rx_frame_next(r);
		if (!f || nlmmap_frame_status(f) != NLMMAP_STATUS_VALID)
			_exit(12);
		_exit(f->nm_uid == 65534 && f->nm_gid == 65534 ? 0 : 13);
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 10)
		SKIP("no user namespaces here");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d",
	      WEXITSTATUS(status));
}

/* Hold every odd frame and fill it with hostile bytes: the messages the
 * kernel builds in the even frames next to them (each ring skb's shinfo
 * would be the next frame) arrive intact, and the held frames are not
 * touched by a single byte.
 */
static void hostile_neighbour_frames_untouched(void)
{
	struct nl_mmap_hdr *f;
	struct mnl_socket *nl;
	struct seen s = {};
	struct mnl_ring *r;
	unsigned int fsz;
	uint16_t id;
	int i, bad = 0;

	r = ring_setup(&nl, &id, 8, 512, 0);
	REQUIRE(r);
	fsz = mnl_ring_rx_geometry(mnl_ring_rx(r))->nm_frame_size;
	REQUIRE(bench_request(nl, id, 7, 8) == 0);	/* fills 0..7 */
	for (i = 0; i < 8; i++) {
		f = rx_frame_next(r);
		REQUIRE(f && nlmmap_frame_status(f) == NLMMAP_STATUS_VALID);
		rx_frame_done(r, i % 2);
		if (i % 2)
			memset((char *)f + sizeof(f->nm_status), 0xa5,
			       fsz - sizeof(f->nm_status));
	}
	/* 3 messages and the summary into frames 0, 2, 4, 6. */
	REQUIRE(bench_request(nl, id, 3, 200) == 0);
	CHECK(drain(r, &s) == MNL_CB_OK);
	CHECK(s.n == 4 && s.count == 3 && !s.bad_payload, "%d messages", s.n);
	for (i = 0; i < 3 && i < s.n; i++)
		CHECK(s.seq[i] == (uint32_t)i && s.size[i] == 200);
	for (i = 1; i < 8; i += 2) {
		const unsigned char *p;
		unsigned int j;

		f = mnl_ring_rx_frame(mnl_ring_rx(r), i);
		CHECK(nlmmap_frame_status(f) == NLMMAP_STATUS_SKIP);
		p = (const unsigned char *)f;
		for (j = sizeof(f->nm_status); j < fsz; j++)
			bad += p[j] != 0xa5;
	}
	CHECK(!bad, "%d bytes of held frames changed", bad);
	ring_teardown(r, nl);
}

/* A run of held frames longer than NLMMAP_SKIP_BUDGET: the kernel passes
 * at most that many per attempt (O(1) with interrupts off) and drops
 * what finds no frame within it, counted and signalled; nothing arrives
 * out of order.
 */
static void long_hold_runs_cost_bounded_work(void)
{
	struct mnl_socket *nl, *q;
	int64_t dropped, skipped;
	struct seen s = {};
	struct mnl_ring *r;
	uint16_t id;
	int i;

	q = genl_open(&id);
	r = ring_setup(&nl, &id, 256, 256, 0);
	REQUIRE(r && q);
	REQUIRE(mnl_ring_rx_geometry(mnl_ring_rx(r))->nm_frame_nr == 256);
	REQUIRE(bench_request(nl, id, 199, 8) == 0);	/* frames 0..199 */
	for (i = 0; i < 200; i++) {
		REQUIRE(rx_frame_next(r));
		rx_frame_done(r, 1);
	}
	REQUIRE(bench_request(nl, id, 55, 8) == 0);	/* 200..255 */
	CHECK(drain(r, &s) == MNL_CB_OK && s.n == 56, "%d", s.n);
	dropped = nlmmap_stat(q, id, NLMMAP_S_DROPPED);
	/* The head is back at frame 0, with 200 held frames ahead. */
	memset(&s, 0, sizeof(s));
	REQUIRE(bench_request(nl, id, 3, 8) == 0);
	dropped = nlmmap_stat(q, id, NLMMAP_S_DROPPED) - dropped;
	CHECK(drain(r, &s) == MNL_CB_OK);
	CHECK(dropped >= 1 && s.n + dropped == 4, "%d arrived, %lld dropped",
	      s.n, (long long)dropped);
	for (i = 1; i < s.n; i++)
		CHECK(s.cmd[i] == NLMMAP_CMD_BENCH || s.seq[i] > s.seq[i - 1]);
	skipped = ring_stat(r, id, NLMMAP_S_SKIPPED);
	CHECK(skipped == 200, "%lld passes of held frames: each once",
	      (long long)skipped);
	CHECK(mnl_ring_wait(r, POLLIN, 0) & POLLERR);
	CHECK(mnl_ring_clear_error(r) == dropped);
	ring_teardown(r, nl);
	mnl_socket_close(q);
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	++*(int *)data;
	return MNL_CB_OK;
}

/* mnl_ring_rx_run() tells "nothing was ready" from "went on". */
static void run_reports_empty(void)
{
	struct mnl_socket *nl;
	struct mnl_ring *r;
	char buf[8192];
	uint16_t id;
	int n = 0;

	r = ring_setup(&nl, &id, 16, 512, 0);
	REQUIRE(r);
	CHECK(mnl_ring_rx_run(mnl_ring_rx(r), buf, sizeof(buf), 0, 0,
			      count_cb, &n, NULL, 0) == MNL_RING_EMPTY);
	REQUIRE(bench_request(nl, id, 3, 8) == 0);
	CHECK(mnl_ring_rx_run(mnl_ring_rx(r), buf, sizeof(buf), 0, 0,
			      count_cb, &n, NULL, 0) == MNL_CB_OK && n == 4,
	      "%d messages", n);
	CHECK(mnl_ring_rx_run(mnl_ring_rx(r), buf, sizeof(buf), 0, 0,
			      count_cb, &n, NULL, 0) == MNL_RING_EMPTY);
	CHECK(!mnl_ring_tx(r) && errno == ENXIO, "no TX ring, no TX handle");
	ring_teardown(r, nl);
}

struct order {
	int n;
	uint16_t type[8];
	uint32_t seq[8];
};

static int order_cb(const struct nlmsghdr *nlh, void *data)
{
	struct order *o = data;

	if (o->n < 8) {
		o->type[o->n] = nlh->nlmsg_type;
		o->seq[o->n++] = nlh->nlmsg_seq;
	}
	return MNL_CB_OK;
}

static int order_ack(const struct nlmsghdr *nlh, void *data)
{
	order_cb(nlh, data);
	return MNL_CB_OK;
}

/*
 * The generic netlink core answers a request sent on the socket with an
 * ack on the socket, without a frame; a reply too big for a frame goes
 * on the socket behind a COPY frame. The library must deliver both, in
 * order, and never take the one for the other: reply 1 (in a frame),
 * ack 1, reply 2 (COPY), ack 2.
 */
static void socket_acks_reach_the_caller_in_order(void)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = order_ack };
	char buf[MNL_SOCKET_BUFFER_SIZE], req[4096], big[1500];
	struct mnl_socket *nl;
	struct order o = {};
	struct nlmsghdr *nlh;
	struct mnl_ring *r;
	uint16_t id;
	int ret, i;

	r = ring_setup(&nl, &id, 16, 512, 0);
	REQUIRE(r);
	memset(big, 'x', sizeof(big));
	for (i = 1; i <= 2; i++) {
		nlh = genl_req(req, id, NLMMAP_CMD_ECHO, NLM_F_ACK, i);
		mnl_attr_put(nlh, NLMMAP_A_PAYLOAD, i == 1 ? 8 : sizeof(big),
			     big);
		REQUIRE(mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) > 0);
	}
	ret = mnl_ring_rx_run(mnl_ring_rx(r), buf, sizeof(buf), 0, 0, order_cb,
			      &o, ctl, NLMSG_MIN_TYPE);
	CHECK(ret == MNL_CB_OK, "ret %d", ret);
	CHECK(o.n == 4, "%d messages", o.n);
	for (i = 0; i < 4 && i < o.n; i++)
		CHECK(o.seq[i] == (uint32_t)(i / 2 + 1) &&
		      (o.type[i] == NLMSG_ERROR) == (i % 2),
		      "message %d: type %u seq %u", i, o.type[i], o.seq[i]);
	ring_teardown(r, nl);
}

TAP_MAIN(T(run_reports_empty), T(socket_acks_reach_the_caller_in_order),
	 T(hostile_neighbour_frames_untouched), T(no_enobufs_is_honoured),
	 T(long_hold_runs_cost_bounded_work), T(bench_arrives_in_order),
	 T(bench_stamps_are_monotonic), T(oversized_messages_copy_in_order),
	 T(held_frames_are_passed_over), T(overrun_is_counted_and_signalled),
	 T(poll_sleeper_is_woken), T(wake_batching_by_frames_and_deadline),
	 T(many_rings_many_sockets),
	 T(credentials_in_reader_namespace))
