// SPDX-License-Identifier: GPL-2.0
/*
 * Binding a ring file to a socket (NLMMAP_CMD_BIND sent on the socket):
 * the successful case, every refusal, and the port-id hijack of the
 * review (a socket whose bind() failed with EADDRINUSE reports the other
 * socket's port id through getsockname()), as root, as user nobody and in
 * a new network namespace.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>

#include "tap.h"
#include "util.h"

static uint16_t family;

static void expect_refusal(struct mnl_socket *nl, int fd, int err)
{
	int ret = bind_request(nl, fd);

	CHECK(ret == -err, "want %d, got %d", -err, ret);
}

static void binds_generic_socket(void)
{
	struct mnl_socket *nl, *q;
	int ring = open(NLMMAP_DEVICE, O_RDWR);
	int64_t before, during;

	q = genl_open(&family);
	nl = genl_open(NULL);
	REQUIRE(ring >= 0 && nl && q);
	before = nlmmap_stat(q, family, NLMMAP_S_BOUND);
	CHECK(bind_request(nl, ring) == 0);
	during = nlmmap_stat(q, family, NLMMAP_S_BOUND);
	CHECK(during == before + 1);
	close(ring);
	CHECK(nlmmap_stat(q, family, NLMMAP_S_BOUND) == before);
	mnl_socket_close(nl);
	mnl_socket_close(q);
}

static void refuses_bad_fd(void)
{
	struct mnl_socket *nl = genl_open(NULL);
	int fd = open("/proc/self/status", O_RDONLY);

	REQUIRE(nl && fd >= 0);
	expect_refusal(nl, -1, EBADF);
	expect_refusal(nl, 1000, EBADF);
	/* A descriptor, but not a ring file. */
	expect_refusal(nl, fd, EBADFD);
	close(fd);
	mnl_socket_close(nl);
}

static void unbound_socket_is_autobound(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	struct sockaddr_nl sa;
	socklen_t len = sizeof(sa);
	int ring = open(NLMMAP_DEVICE, O_RDWR);

	REQUIRE(nl && ring >= 0);
	/* Sending the request gives the socket its port id. */
	CHECK(bind_request(nl, ring) == 0);
	REQUIRE(getsockname(mnl_socket_get_fd(nl), (void *)&sa, &len) == 0);
	CHECK(sa.nl_pid != 0);
	close(ring);
	mnl_socket_close(nl);
}

static void refuses_double_bind(void)
{
	struct mnl_socket *a = genl_open(NULL), *b = genl_open(NULL);
	int ring = open(NLMMAP_DEVICE, O_RDWR), other;

	REQUIRE(ring >= 0 && a && b);
	CHECK(bind_request(a, ring) == 0);
	expect_refusal(a, ring, EISCONN);
	expect_refusal(b, ring, EISCONN);
	/* A second ring for a socket that has one. */
	other = open(NLMMAP_DEVICE, O_RDWR);
	expect_refusal(a, other, EADDRINUSE);
	close(other);
	close(ring);
	mnl_socket_close(a);
	mnl_socket_close(b);
}

static void socket_closed_first_unbinds(void)
{
	struct mnl_socket *nl = genl_open(NULL), *again, *q;
	int ring = open(NLMMAP_DEVICE, O_RDWR);
	int64_t before;

	q = genl_open(&family);
	REQUIRE(ring >= 0 && nl && q);
	before = nlmmap_stat(q, family, NLMMAP_S_BOUND);
	CHECK(bind_request(nl, ring) == 0);
	mnl_socket_close(nl);
	/* NETLINK_URELEASE undid the binding; the file is now dead. */
	CHECK(nlmmap_stat(q, family, NLMMAP_S_BOUND) == before);
	again = genl_open(NULL);
	REQUIRE(again);
	expect_refusal(again, ring, EISCONN);
	close(ring);
	/* The port may be reused by a new socket, which can bind anew. */
	ring = open(NLMMAP_DEVICE, O_RDWR);
	CHECK(bind_request(again, ring) == 0);
	close(ring);
	mnl_socket_close(again);
	mnl_socket_close(q);
}

/* An ECHO on @nl; returns how many replies arrived in @r's ring. */
static int echo_into(struct mnl_ring *r, struct mnl_socket *nl)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct seen s = {};
	int i;

	nlh = genl_req(buf, family, NLMMAP_CMD_ECHO, 0, 0);
	mnl_attr_put(nlh, NLMMAP_A_PAYLOAD, 4, "own");
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	/* The reply is queued before sendto() returns. */
	for (i = 0; i < 2 && !s.n; i++)
		drain(r, &s);
	return s.n;
}

/*
 * The victim has a live port id; the attacker's bind() to it fails with
 * EADDRINUSE, yet getsockname() reports it. Binding a ring through the
 * attacker's socket must not take the victim's port id: the attacker's
 * ring gets the attacker's own (autobound) port id, the victim still binds
 * its own ring and gets its own replies, the attacker gets none of them.
 */
static int hijack_attempt(void)
{
	struct mnl_socket *victim, *attacker;
	struct nl_mmap_req rx = geometry(16, 1024);
	struct mnl_ring *vr, *ar;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(sa);
	uint32_t vport;
	int bad = 0;

	victim = genl_open(&family);
	attacker = mnl_socket_open(NETLINK_GENERIC);
	if (!victim || !attacker)
		return 100;
	vport = mnl_socket_get_portid(victim);
	sa.nl_pid = vport;
	if (bind(mnl_socket_get_fd(attacker), (void *)&sa, sizeof(sa)) == 0 ||
	    errno != EADDRINUSE)
		return 101;
	getsockname(mnl_socket_get_fd(attacker), (void *)&sa, &len);
	printf("# attacker's getsockname() after EADDRINUSE: %u (victim %u)\n",
	       sa.nl_pid, vport);
	ar = mnl_ring_map(attacker, &rx, NULL);
	if (ar) {
		len = sizeof(sa);
		getsockname(mnl_socket_get_fd(attacker), (void *)&sa, &len);
		if (sa.nl_pid == vport)
			bad |= 1;	/* the ring took the victim's port */
	}
	vr = mnl_ring_map(victim, &rx, NULL);
	if (!vr)
		bad |= 2;	/* the victim lost its own port */
	else if (echo_into(vr, victim) != 1)
		bad |= 4;	/* its reply went elsewhere */
	if (ar) {
		struct seen s = {};

		drain(ar, &s);
		if (s.n)
			bad |= 8;	/* the attacker read it */
		mnl_ring_unmap(ar);
	}
	if (vr)
		mnl_ring_unmap(vr);
	mnl_socket_close(attacker);
	mnl_socket_close(victim);
	return bad;
}

static void run_child(int (*fn)(void), int uid, int newnet)
{
	int status;
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (!pid) {
		if (newnet && unshare(CLONE_NEWNET))
			_exit(110);
		if (uid && (setgid(uid) || setuid(uid)))
			_exit(112);
		_exit(fn());
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 110)
		SKIP("no network namespaces here");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 112)
		SKIP("cannot become user %d here", uid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child status %d", WEXITSTATUS(status));
}

static void failed_bind_cannot_hijack_port(void)
{
	run_child(hijack_attempt, 0, 0);
}

static void failed_bind_cannot_hijack_port_as_nobody(void)
{
	run_child(hijack_attempt, 65534, 0);
}

static void failed_bind_cannot_hijack_port_in_netns(void)
{
	run_child(hijack_attempt, 0, 1);
}

TAP_MAIN(T(binds_generic_socket), T(refuses_bad_fd),
	 T(unbound_socket_is_autobound), T(refuses_double_bind),
	 T(socket_closed_first_unbinds), T(failed_bind_cannot_hijack_port),
	 T(failed_bind_cannot_hijack_port_as_nobody),
	 T(failed_bind_cannot_hijack_port_in_netns))
