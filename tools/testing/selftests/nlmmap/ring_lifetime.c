// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetimes: closing a ring with messages in it, the socket going first,
 * module unload while mapped, producers racing with ring teardown, and a
 * long benchmark run ended by SIGKILL.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tap.h"
#include "util.h"

static void close_with_messages_pending(void)
{
	struct mnl_socket *nl, *q;
	struct mnl_ring *r;
	int64_t bytes, bound;
	uint16_t id;

	q = genl_open(&id);
	REQUIRE(q);
	bytes = nlmmap_stat(q, id, NLMMAP_S_RING_BYTES);
	bound = nlmmap_stat(q, id, NLMMAP_S_BOUND);
	r = ring_setup(&nl, &id, 16, 1024, 4);
	REQUIRE(r);
	REQUIRE(bench_request(nl, id, 10, 64) == 0);
	CHECK(nlmmap_stat(q, id, NLMMAP_S_BOUND) == bound + 1);
	ring_teardown(r, nl);
	CHECK(nlmmap_stat(q, id, NLMMAP_S_RING_BYTES) == bytes);
	CHECK(nlmmap_stat(q, id, NLMMAP_S_BOUND) == bound);
	mnl_socket_close(q);
}

static void socket_closed_first(void)
{
	struct mnl_socket *nl, *q;
	struct nl_mmap_hdr *f;
	struct mnl_ring *r;
	int64_t bound;
	int i, valid = 0;
	uint16_t id;
	int rev;

	q = genl_open(&id);
	REQUIRE(q);
	bound = nlmmap_stat(q, id, NLMMAP_S_BOUND);
	r = ring_setup(&nl, &id, 16, 1024, 4);
	REQUIRE(r);
	REQUIRE(bench_request(nl, id, 5, 64) == 0);
	mnl_socket_close(nl);
	CHECK(nlmmap_stat(q, id, NLMMAP_S_BOUND) == bound);
	rev = mnl_ring_wait(r, POLLIN, 0);
	CHECK((rev & POLLHUP) && (rev & POLLIN), "revents %#x", rev);
	/* What arrived before stays readable. */
	for (i = 0; i < 16; i++) {
		f = mnl_ring_rx_frame(mnl_ring_rx(r), i);
		if (nlmmap_frame_status(f) == NLMMAP_STATUS_VALID) {
			valid++;
			nlmmap_frame_release(f);
		}
	}
	CHECK(valid == 6, "%d frames", valid);
	errno = 0;
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == -1 && errno == ENOTCONN);
	mnl_ring_unmap(r);
	mnl_socket_close(q);
}

static void unload_refused_while_mapped(void)
{
	struct nl_mmap_req rx = geometry(8, 1024);
	size_t size = map_size(&rx, NULL);
	struct mnl_socket *nl;
	struct stat st;
	void *m;
	int fd;

	nl = genl_open(NULL);
	REQUIRE(nl);
	fd = ring_file_bind(nl);
	REQUIRE(fd >= 0);
	REQUIRE(rings_set(fd, &rx, NULL, NULL) == 0);
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(m != MAP_FAILED);
	close(fd);
	/* The mapping alone keeps the file, and so the module. */
	errno = 0;
	CHECK(module_unload() == -1 && (errno == EWOULDBLOCK || errno == EBUSY));
	CHECK(((struct nl_mmap_hdr *)m)->nm_status == NLMMAP_STATUS_UNUSED);
	munmap(m, size);
	mnl_socket_close(nl);
	CHECK(module_unload() == 0, "unload once unmapped");
	CHECK(module_load() == 0);
	CHECK(stat(NLMMAP_DEVICE, &st) == 0);
}

static atomic_int stop;
static uint16_t bench_family;

/* Only sends: the main thread drains the socket, so nothing here may
 * wait for a reply on it.
 */
static void *bench_loop(void *arg)
{
	struct mnl_socket *nl = arg;

	while (!atomic_load(&stop))
		bench_request(nl, bench_family, 20, 200);
	return NULL;
}

/* Producers fill a socket's ring while the ring is set up, read, and torn
 * down under them, again and again.
 */
static void producers_race_teardown(void)
{
	struct nl_mmap_req rx = geometry(16, 512);
	size_t size = map_size(&rx, NULL);
	struct mnl_socket *nl;
	pthread_t t[2];
	int i, ok = 0;
	char buf[8192];

	nl = genl_open(&bench_family);
	REQUIRE(nl);
	atomic_store(&stop, 0);
	REQUIRE(pthread_create(&t[0], NULL, bench_loop, nl) == 0);
	REQUIRE(pthread_create(&t[1], NULL, bench_loop, nl) == 0);
	for (i = 0; i < 200; i++) {
		int fd = ring_file_bind(nl);
		void *m = MAP_FAILED;
		int j;

		if (fd < 0 || rings_set(fd, &rx, NULL, NULL))
			goto next;
		m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			goto next;
		for (j = 0; j < 16; j++) {
			struct nl_mmap_hdr *f = nlmmap_frame(m, &rx, j);

			if (nlmmap_frame_status(f) == NLMMAP_STATUS_VALID ||
			    nlmmap_frame_status(f) == NLMMAP_STATUS_COPY)
				nlmmap_frame_release(f);
		}
		ok++;
next:
		if (m != MAP_FAILED)
			munmap(m, size);
		if (fd >= 0)
			close(fd);
		while (recv(mnl_socket_get_fd(nl), buf, sizeof(buf),
			    MSG_DONTWAIT) > 0 ||
		       errno == ENOBUFS)
			;
	}
	atomic_store(&stop, 1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	CHECK(ok == 200, "%d of 200 rounds set up", ok);
	mnl_socket_close(nl);
}

/*
 * A BENCH of 2^24 messages runs in the requester's sendmsg(): SIGKILL ends
 * it (the module checks for fatal signals), and once the process is gone
 * the kernel sends nothing more.
 */
static void bench_is_killable(void)
{
	struct mnl_socket *q;
	int64_t dropped, now = 0;
	int p[2], status, i;
	uint16_t id;
	pid_t pid;

	q = genl_open(&id);
	REQUIRE(q && pipe(p) == 0);
	dropped = nlmmap_stat(q, id, NLMMAP_S_DROPPED);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		struct mnl_socket *nl;
		struct mnl_ring *r;
		uint16_t fam;

		/* A small ring that nobody reads: the run drops almost
		 * everything, which the parent can watch.
		 */
		r = ring_setup(&nl, &fam, 8, 1024, 0);
		if (!r || write(p[1], "x", 1) != 1)
			_exit(1);
		bench_request(nl, fam, 1 << 24, 64);
		_exit(2);	/* not reached before hours of emulation */
	}
	close(p[1]);
	REQUIRE(read(p[0], &i, 1) == 1);
	/* Wait until the run is well under way in the kernel. */
	for (i = 0; i < 100000; i++) {
		now = nlmmap_stat(q, id, NLMMAP_S_DROPPED);
		if (now - dropped > 2000)
			break;
	}
	CHECK(now - dropped > 2000, "the run did not start");
	kill(pid, SIGKILL);
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "status %#x", status);
	now = nlmmap_stat(q, id, NLMMAP_S_DROPPED);
	CHECK(nlmmap_stat(q, id, NLMMAP_S_DROPPED) == now,
	      "the kernel still sends for a dead process");
	close(p[0]);
	mnl_socket_close(q);
}

TAP_MAIN(T(close_with_messages_pending), T(socket_closed_first),
	 T(unload_refused_while_mapped), T(producers_race_teardown),
	 T(bench_is_killable))
