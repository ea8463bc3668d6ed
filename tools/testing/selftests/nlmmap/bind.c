// SPDX-License-Identifier: GPL-2.0
/*
 * Binding a ring file to a socket: the successful case and every refusal.
 */
#include <fcntl.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "tap.h"
#include "util.h"

static int bind_fd(int ring, int fd)
{
	int32_t arg = fd;

	return ioctl(ring, NLMMAP_IOC_BIND, &arg);
}

static int bound_nl(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void expect_refusal(int fd, int err)
{
	int ring = open(NLMMAP_DEVICE, O_RDWR);

	REQUIRE(ring >= 0);
	errno = 0;
	CHECK(bind_fd(ring, fd) == -1 && errno == err, "want errno %d", err);
	close(ring);
}

static void binds_generic_socket(void)
{
	int ring = open(NLMMAP_DEVICE, O_RDWR), nl = bound_nl();
	struct mnl_socket *q;
	int64_t before, during;
	uint16_t id;

	q = genl_open(&id);
	REQUIRE(ring >= 0 && nl >= 0 && q);
	before = nlmmap_stat(q, id, NLMMAP_S_BOUND);
	CHECK(bind_fd(ring, nl) == 0);
	during = nlmmap_stat(q, id, NLMMAP_S_BOUND);
	CHECK(during == before + 1);
	close(ring);
	CHECK(nlmmap_stat(q, id, NLMMAP_S_BOUND) == before);
	close(nl);
	mnl_socket_close(q);
}

static void refuses_bad_fd(void)
{
	expect_refusal(-1, EBADF);
	expect_refusal(1000, EBADF);
}

static void refuses_non_socket(void)
{
	int fd = open("/proc/self/status", O_RDONLY);

	REQUIRE(fd >= 0);
	expect_refusal(fd, ENOTSOCK);
	close(fd);
}

static void refuses_non_netlink(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	REQUIRE(fd >= 0);
	expect_refusal(fd, EAFNOSUPPORT);
	close(fd);
}

static void refuses_other_protocol(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);

	REQUIRE(fd >= 0);
	REQUIRE(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	expect_refusal(fd, EPROTONOSUPPORT);
	close(fd);
}

static void refuses_unbound_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);

	REQUIRE(fd >= 0);
	expect_refusal(fd, EADDRNOTAVAIL);
	close(fd);
}

static void refuses_double_bind(void)
{
	int ring = open(NLMMAP_DEVICE, O_RDWR), a = bound_nl(), b = bound_nl();

	REQUIRE(ring >= 0 && a >= 0 && b >= 0);
	CHECK(bind_fd(ring, a) == 0);
	errno = 0;
	CHECK(bind_fd(ring, a) == -1 && errno == EISCONN);
	CHECK(bind_fd(ring, b) == -1 && errno == EISCONN);
	/* A second ring for a socket that has one. */
	expect_refusal(a, EADDRINUSE);
	close(ring);
	close(a);
	close(b);
}

static void socket_closed_first_unbinds(void)
{
	int ring = open(NLMMAP_DEVICE, O_RDWR), nl = bound_nl(), again;
	struct mnl_socket *q;
	int64_t before;
	uint16_t id;

	q = genl_open(&id);
	REQUIRE(ring >= 0 && nl >= 0 && q);
	before = nlmmap_stat(q, id, NLMMAP_S_BOUND);
	CHECK(bind_fd(ring, nl) == 0);
	close(nl);
	/* NETLINK_URELEASE undid the binding; the file is now dead. */
	CHECK(nlmmap_stat(q, id, NLMMAP_S_BOUND) == before);
	again = bound_nl();
	errno = 0;
	CHECK(bind_fd(ring, again) == -1 && errno == EISCONN);
	/* The port may be reused by a new socket, which can bind anew. */
	expect_refusal(-1, EBADF);
	close(ring);
	ring = open(NLMMAP_DEVICE, O_RDWR);
	CHECK(bind_fd(ring, again) == 0);
	close(ring);
	close(again);
	mnl_socket_close(q);
}

TAP_MAIN(T(binds_generic_socket), T(refuses_bad_fd), T(refuses_non_socket),
	 T(refuses_non_netlink), T(refuses_other_protocol),
	 T(refuses_unbound_socket), T(refuses_double_bind),
	 T(socket_closed_first_unbinds))
