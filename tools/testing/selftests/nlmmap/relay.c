// SPDX-License-Identifier: GPL-2.0
/*
 * The multicast relay: a ring subscribes to a multicast group of an
 * existing netlink family (here rtnetlink's link group) and gets its
 * events in frames, the same events in the same order as a plain member
 * of the group; permissions are the source's, checked against the
 * subscriber; a subscriber that stops reading loses only its own events;
 * another namespace's events never arrive; one listener per (namespace,
 * protocol, group), started with the first subscriber and stopped with
 * the last. Each case runs in a network namespace of its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sched.h>
#include <unistd.h>
#include <sys/socket.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/rtnetlink.h>

#include "tap.h"
#include "util.h"

static uint16_t family;

static int subscribe(struct mnl_socket *nl, uint32_t protocol, uint32_t group)
{
	return relay_cmd(nl, family, NLMMAP_CMD_SUBSCRIBE, protocol, group);
}

/* Set lo up or down: one RTM_NEWLINK event each time it changes. */
static int lo_set(struct mnl_socket *rt, int up)
{
	char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = if_nametoindex("lo");
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return request_ack(rt, nlh, sizeof(buf));
}

static struct mnl_socket *rt_open(unsigned int groups)
{
	struct mnl_socket *rt = mnl_socket_open(NETLINK_ROUTE);

	if (rt && mnl_socket_bind(rt, groups, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(rt);
		return NULL;
	}
	return rt;
}

/* @n events: lo goes up and down in turn. */
static int toggle_lo(int n)
{
	struct mnl_socket *rt = rt_open(0);
	int i, err = !rt;

	for (i = 0; i < n && !err; i++)
		err = lo_set(rt, !(i % 2));
	if (err)
		printf("# setting lo %s: %d\n", i % 2 ? "up" : "down", err);
	if (rt)
		mnl_socket_close(rt);
	return err ? -1 : 0;
}

static void own_netns(void)
{
	if (unshare(CLONE_NEWNET))
		SKIP("no network namespaces here");
}

static void link_events_match_a_socket_listener(void)
{
	static struct events from_ring, from_socket;
	struct mnl_socket *nl, *rt;
	struct mnl_ring *r;

	own_netns();
	r = ring_setup(&nl, &family, 64, 2048, 0);
	rt = rt_open(1 << (RTNLGRP_LINK - 1));
	REQUIRE(r && rt);
	REQUIRE(subscribe(nl, NETLINK_ROUTE, RTNLGRP_LINK) == 0);
	REQUIRE(toggle_lo(10) == 0);
	socket_events(rt, &from_socket);
	ring_events(r, RTNLGRP_LINK, &from_ring);
	CHECK(from_socket.n >= 10, "%d events on the socket", from_socket.n);
	CHECK(same_events(&from_ring, &from_socket),
	      "%d events in the ring, %d on the socket", from_ring.n,
	      from_socket.n);
	CHECK(!from_ring.bad_group, "nm_group is the group");
	CHECK(subscribe(nl, NETLINK_ROUTE, RTNLGRP_LINK) == -EEXIST);
	CHECK(relay_cmd(nl, family, NLMMAP_CMD_UNSUBSCRIBE, NETLINK_ROUTE,
			RTNLGRP_LINK) == 0);
	CHECK(relay_cmd(nl, family, NLMMAP_CMD_UNSUBSCRIBE, NETLINK_ROUTE,
			RTNLGRP_LINK) == -ENOENT);
	/* Unsubscribed: nothing more arrives. */
	REQUIRE(toggle_lo(2) == 0);
	memset(&from_ring, 0, sizeof(from_ring));
	ring_events(r, RTNLGRP_LINK, &from_ring);
	CHECK(from_ring.n == 0, "%d events after unsubscribing", from_ring.n);
	mnl_socket_close(rt);
	ring_teardown(r, nl);
}

/* The subscription ioctls grow as openat2()'s struct open_how does: a
 * larger struct, under the ioctl number of its size, with a zero tail
 * works; a tail the kernel does not know is refused (E2BIG); the size
 * field must be the number's and at least v1's (EINVAL).
 */
static void subscription_ioctl_is_extensible(void)
{
	struct {
		struct nlmmap_subscription s;
		uint64_t more[2];
	} big = {};
	const unsigned long sub_big = _IOWR(NLMMAP_IOC_MAGIC, 7, big);
	const unsigned long unsub_big = _IOW(NLMMAP_IOC_MAGIC, 8, big);
	struct nlmmap_subscription v1 = {};
	struct mnl_socket *nl;
	struct mnl_ring *r;
	int fd;

	own_netns();
	r = ring_setup(&nl, &family, 64, 2048, 0);
	REQUIRE(r);
	fd = mnl_ring_get_fd(r);
	big.s.size = sizeof(big);
	big.s.protocol = NETLINK_ROUTE;
	big.s.group = RTNLGRP_LINK;
	CHECK(ioctl(fd, sub_big, &big) == 0, "grown SUBSCRIBE: %s",
	      strerror(errno));
	CHECK(subscribe(nl, NETLINK_ROUTE, RTNLGRP_LINK) == -EEXIST,
	      "the grown SUBSCRIBE subscribed");
	CHECK(ioctl(fd, unsub_big, &big) == 0, "grown UNSUBSCRIBE: %s",
	      strerror(errno));
	big.more[1] = 1;
	errno = 0;
	CHECK(ioctl(fd, sub_big, &big) == -1 && errno == E2BIG,
	      "unknown field set: %s", strerror(errno));
	big.more[1] = 0;
	big.s.size = NLMMAP_SUBSCRIPTION_SIZE_V1;
	errno = 0;
	CHECK(ioctl(fd, sub_big, &big) == -1 && errno == EINVAL,
	      "size not the number's: %s", strerror(errno));
	big.s.size = sizeof(big);
	errno = 0;
	CHECK(ioctl(fd, NLMMAP_IOC_SUBSCRIBE, &big) == -1 && errno == EINVAL,
	      "v1 number, larger size: %s", strerror(errno));
	big.s.size = NLMMAP_SUBSCRIPTION_SIZE_V1 - 4;
	errno = 0;
	CHECK(ioctl(fd, _IOWR(NLMMAP_IOC_MAGIC, 7, char[44]), &big) == -1 &&
	      errno == EINVAL, "smaller than v1: %s", strerror(errno));
	/* v1 as before. */
	v1.size = sizeof(v1);
	v1.protocol = NETLINK_ROUTE;
	v1.group = RTNLGRP_LINK;
	CHECK(ioctl(fd, NLMMAP_IOC_SUBSCRIBE, &v1) == 0, "v1 SUBSCRIBE: %s",
	      strerror(errno));
	CHECK(ioctl(fd, NLMMAP_IOC_UNSUBSCRIBE, &v1) == 0,
	      "v1 UNSUBSCRIBE: %s", strerror(errno));
	ring_teardown(r, nl);
}

/* The source decides, with the subscriber's credentials. */
static void refused_without_the_sources_permission(void)
{
	struct mnl_socket *nl, *plain, *root_nl;
	struct mnl_ring *r, *root_r;
	int err;

	own_netns();
	/* A socket without a ring has nothing to relay into. */
	plain = genl_open(&family);
	REQUIRE(plain);
	CHECK(subscribe(plain, NETLINK_ROUTE, RTNLGRP_LINK) == -ENOTCONN);
	mnl_socket_close(plain);
	/* Root's subscription keeps the listener running: reusing it must
	 * not spare nobody the check.
	 */
	root_r = ring_setup(&root_nl, &family, 16, 1024, 0);
	REQUIRE(root_r);
	CHECK(subscribe(root_nl, NETLINK_ROUTE, RTNLGRP_IPV4_MROUTE_R) == 0);
	if (setgid(65534) || setuid(65534))
		SKIP("cannot become user nobody here");
	r = ring_setup(&nl, &family, 16, 1024, 0);
	REQUIRE(r, "a ring for nobody");
	/* rtnetlink: the link group is anyone's; multicast routing needs
	 * CAP_NET_ADMIN in the namespace's user namespace.
	 */
	CHECK(subscribe(nl, NETLINK_ROUTE, RTNLGRP_LINK) == 0);
	err = subscribe(nl, NETLINK_ROUTE, RTNLGRP_IPV4_MROUTE_R);
	CHECK(err == -EPERM, "IPV4_MROUTE_R as nobody: %d", err);
	/* The audit log: CAP_AUDIT_READ, and the initial namespace only. */
	err = subscribe(nl, NETLINK_AUDIT, AUDIT_NLGRP_READLOG);
	CHECK(err == -EOPNOTSUPP || err == -EPERM ||
	      err == -EPROTONOSUPPORT, "audit log as nobody: %d", err);
	/* Groups the protocol does not have, protocols that do not exist. */
	CHECK(subscribe(nl, NETLINK_ROUTE, 0) == -EINVAL);
	CHECK(subscribe(nl, NETLINK_ROUTE, 5000) == -EINVAL);
	CHECK(subscribe(nl, 99, 1) == -EINVAL);
	/* Generic netlink groups: not through this request (the genl core
	 * holds the lock a join would take again).
	 */
	CHECK(subscribe(nl, NETLINK_GENERIC, 1) == -EOPNOTSUPP);
	ring_teardown(r, nl);
	ring_teardown(root_r, root_nl);
}

/* The audit log's read-only group: CAP_AUDIT_READ, checked against the
 * subscriber (root has it, nobody has not), in the initial namespace.
 */
static void audit_log_needs_cap_audit_read(void)
{
	struct mnl_socket *nl, *root_nl;
	struct mnl_ring *r, *root_r;
	int err;

	/* Root subscribes and stays: the listener runs meanwhile. */
	root_r = ring_setup(&root_nl, &family, 16, 4096, 0);
	REQUIRE(root_r);
	err = subscribe(root_nl, NETLINK_AUDIT, AUDIT_NLGRP_READLOG);
	if (err == -EPROTONOSUPPORT)
		SKIP("no audit in this kernel");
	CHECK(err == 0, "root: %d", err);
	if (setgid(65534) || setuid(65534))
		SKIP("cannot become user nobody here");
	r = ring_setup(&nl, &family, 16, 4096, 0);
	REQUIRE(r);
	err = subscribe(nl, NETLINK_AUDIT, AUDIT_NLGRP_READLOG);
	CHECK(err == -EPERM, "nobody, with root's listener running: %d", err);
	ring_teardown(r, nl);
	ring_teardown(root_r, root_nl);
}

/* Descriptors over a unix socket (SCM_RIGHTS): 0, or -1. */
static int send_fds(int us, const int *fds, int n)
{
	char ctl[CMSG_SPACE(2 * sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "f", .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl,
			      .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(us, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fds(int us, int *fds, int n)
{
	char ctl[CMSG_SPACE(2 * sizeof(int))], b;
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;

	if (recvmsg(us, &msg, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(n * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	return 0;
}

/* A request written with write() on the socket @fd, as a program whose
 * stdout is that socket would, and its answer (0 or -errno).
 */
static int write_request(int fd, struct nlmsghdr *nlh)
{
	char buf[8192];
	struct nlmsghdr *m;
	ssize_t n;
	int rest;

	if (write(fd, nlh, nlh->nlmsg_len) != (ssize_t)nlh->nlmsg_len)
		return -errno;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (m = (void *)buf, rest = n; mnl_nlmsg_ok(m, rest);
		     m = mnl_nlmsg_next(m, &rest))
			if (m->nlmsg_type == NLMSG_ERROR &&
			    m->nlmsg_seq == nlh->nlmsg_seq)
				return ((struct nlmsgerr *)
					mnl_nlmsg_get_payload(m))->error;
	}
}

static int write_relay_cmd(int fd, uint8_t cmd, uint32_t protocol,
			   uint32_t group)
{
	static unsigned int seq = 700;
	char buf[256];
	struct nlmsghdr *nlh = genl_req(buf, family, cmd, NLM_F_ACK, ++seq);

	mnl_attr_put_u32(nlh, NLMMAP_A_PROTOCOL, protocol);
	mnl_attr_put_u32(nlh, NLMMAP_A_GROUP, group);
	return write_request(fd, nlh);
}

static int ioctl_relay_cmd(int ring, unsigned long cmd, uint32_t protocol,
			   uint32_t group)
{
	struct nlmmap_subscription sub = {
		.size = sizeof(sub), .protocol = protocol, .group = group,
	};

	return ioctl(ring, cmd, &sub) ? -errno : 0;
}

/* The socket and ring file a deputy is handed: each opened by nobody (in
 * a child, passed over SCM_RIGHTS) or by root; the ring bound to the
 * socket by the deputy. -1: cannot become nobody.
 */
static int deputy_fds(int nobody_sock, int nobody_ring, int *sock, int *ring)
{
	static unsigned int seq = 900;
	int us[2], got[2], n = 0, status;
	char buf[256];
	struct nlmsghdr *nlh;
	pid_t pid;

	*sock = -1;
	*ring = -1;
	if (nobody_sock || nobody_ring) {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, us))
			return -2;
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			return -2;
		if (!pid) {
			int fds[2];

			if (setgid(65534) || setuid(65534))
				_exit(100);
			if (nobody_sock)
				fds[n++] = socket(AF_NETLINK, SOCK_RAW,
						  NETLINK_GENERIC);
			if (nobody_ring)
				fds[n++] = open(NLMMAP_DEVICE, O_RDWR);
			_exit(fds[0] < 0 || (n > 1 && fds[1] < 0) ||
			      send_fds(us[1], fds, n) ? 1 : 0);
		}
		close(us[1]);
		n = nobody_sock + nobody_ring;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
			return -2;
		if (WEXITSTATUS(status) == 100)
			return -1;
		if (WEXITSTATUS(status) || recv_fds(us[0], got, n))
			return -2;
		close(us[0]);
		n = 0;
		if (nobody_sock)
			*sock = got[n++];
		if (nobody_ring)
			*ring = got[n++];
	}
	if (*sock < 0)
		*sock = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	if (*ring < 0)
		*ring = open(NLMMAP_DEVICE, O_RDWR);
	if (*sock < 0 || *ring < 0)
		return -2;
	nlh = genl_req(buf, family, NLMMAP_CMD_BIND, NLM_F_ACK, ++seq);
	mnl_attr_put_u32(nlh, NLMMAP_A_RING_FD, *ring);
	return write_request(*sock, nlh) ? -2 : 0;
}

/* Confused deputy: root writes a prepared SUBSCRIBE on a socket it was
 * handed (a setuid program whose stdout is nobody's socket), or sends the
 * ioctl on a ring file it was handed. A group that needs a capability is
 * refused unless the socket's and the ring file's openers have it too;
 * the groups anyone may join still work, and with root's own socket and
 * ring everything does.
 */
static void subscribe_needs_the_openers_rights(void)
{
	static const struct {
		const char *what;
		int nobody_sock, nobody_ring;
	} v[] = {
		{ "root's socket and ring", 0, 0 },
		{ "nobody's socket and ring", 1, 1 },
		{ "nobody's ring on root's socket", 0, 1 },
		{ "nobody's socket with root's ring", 1, 0 },
	};
	static const struct {
		const char *what;
		uint32_t protocol, group;
	} g[] = {
		{ "IPV4_MROUTE_R", NETLINK_ROUTE, RTNLGRP_IPV4_MROUTE_R },
		{ "IPV6_MROUTE_R", NETLINK_ROUTE, RTNLGRP_IPV6_MROUTE_R },
		{ "audit log", NETLINK_AUDIT, AUDIT_NLGRP_READLOG },
	};
	struct mnl_socket *q = genl_open(&family);
	int i, j, sock, ring, err, want, audit = 1;

	REQUIRE(q);
	mnl_socket_close(q);
	for (i = 0; i < 4; i++) {
		err = deputy_fds(v[i].nobody_sock, v[i].nobody_ring, &sock,
				 &ring);
		if (err == -1)
			SKIP("cannot become user nobody here");
		CHECK(!err, "%s: set up", v[i].what);
		if (err)
			continue;	/* the other cases still run */
		want = i ? -EPERM : 0;
		for (j = 0; j < 3; j++) {
			if (g[j].protocol == NETLINK_AUDIT && !audit)
				continue;
			/* write() on the socket */
			err = write_relay_cmd(sock, NLMMAP_CMD_SUBSCRIBE,
					      g[j].protocol, g[j].group);
			if (!i && g[j].protocol == NETLINK_AUDIT &&
			    err == -EPROTONOSUPPORT) {
				printf("# no audit in this kernel\n");
				audit = 0;
				continue;
			}
			CHECK(err == want, "%s, %s by write(): %d", v[i].what,
			      g[j].what, err);
			if (!err)
				CHECK(write_relay_cmd(sock,
						      NLMMAP_CMD_UNSUBSCRIBE,
						      g[j].protocol,
						      g[j].group) == 0);
			/* the ioctl on the ring file */
			err = ioctl_relay_cmd(ring, NLMMAP_IOC_SUBSCRIBE,
					      g[j].protocol, g[j].group);
			CHECK(err == want, "%s, %s by ioctl(): %d", v[i].what,
			      g[j].what, err);
			if (!err)
				CHECK(ioctl_relay_cmd(ring,
						      NLMMAP_IOC_UNSUBSCRIBE,
						      g[j].protocol,
						      g[j].group) == 0);
		}
		/* What anyone may join is not refused to a deputy. */
		err = write_relay_cmd(sock, NLMMAP_CMD_SUBSCRIBE,
				      NETLINK_ROUTE, RTNLGRP_LINK);
		CHECK(err == 0, "%s, LINK by write(): %d", v[i].what, err);
		err = ioctl_relay_cmd(ring, NLMMAP_IOC_SUBSCRIBE,
				      NETLINK_ROUTE, RTNLGRP_IPV4_IFADDR);
		CHECK(err == 0, "%s, IPV4_IFADDR by ioctl(): %d", v[i].what,
		      err);
		close(ring);
		close(sock);
	}
}

/* An audit request (AUDIT_SET, USER_MSG) and its ack. */
static int audit_request(struct mnl_socket *au, uint16_t type,
			 const void *data, size_t len)
{
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	memcpy(mnl_nlmsg_put_extra_header(nlh, len), data, len);
	return request_ack(au, nlh, sizeof(buf));
}

static int audit_enable(struct mnl_socket *au, uint32_t on)
{
	struct audit_status st = { .mask = AUDIT_STATUS_ENABLED,
				   .enabled = on };

	return audit_request(au, AUDIT_SET, &st, sizeof(st));
}

/* libaudit's AUDIT_USER_MSG: a user space message, in the user range */
#define USER_MSG	1112
#define AUDIT_MARK	"nlmmap-relay-test"

/* However the case ends, audit goes back off. */
static void audit_off(void *au)
{
	audit_enable(au, 0);
}

/* Our user records among what arrived (kauditd sends others too). */
static int marked(const struct events *e)
{
	int i, n = 0;

	for (i = 0; i < e->n; i++) {
		const struct nlmsghdr *nlh = (const void *)e->data[i];

		n += nlh->nlmsg_type == USER_MSG &&
		     memmem(e->data[i], e->len[i], AUDIT_MARK,
			    strlen(AUDIT_MARK));
	}
	return n;
}

static void only_marked(struct events *e)
{
	int i, n = 0;

	for (i = 0; i < e->n; i++) {
		const struct nlmsghdr *nlh = (const void *)e->data[i];

		if (nlh->nlmsg_type != USER_MSG ||
		    !memmem(e->data[i], e->len[i], AUDIT_MARK,
			    strlen(AUDIT_MARK)))
			continue;
		e->len[n] = e->len[i];
		memmove(e->data[n++], e->data[i], e->len[i]);
	}
	e->n = n;
}

/* An audit socket to send with, a plain reader of the audit log's group,
 * and a ring subscribed to it.
 */
static void audit_readers(struct mnl_socket **au, struct mnl_socket **reader,
			  struct mnl_ring **r, struct mnl_socket **nl)
{
	*au = mnl_socket_open(NETLINK_AUDIT);
	if (!*au)
		SKIP("no audit in this kernel");
	*reader = mnl_socket_open(NETLINK_AUDIT);
	REQUIRE(*reader &&
		mnl_socket_bind(*reader, 1 << (AUDIT_NLGRP_READLOG - 1),
				MNL_SOCKET_AUTOPID) == 0);
	*r = ring_setup(nl, &family, 256, 8192, 0);
	REQUIRE(*r);
	REQUIRE(subscribe(*nl, NETLINK_AUDIT, AUDIT_NLGRP_READLOG) == 0);
}

/* Audit records through the ring are, record for record and in order,
 * what a plain reader of the audit log's group gets. kauditd multicasts
 * them from its own thread: wait for them, never sleep for them.
 */
static void audit_records_match_a_socket_listener(void)
{
	static struct events from_ring, from_socket;
	struct mnl_socket *nl, *au, *reader;
	struct pollfd pfd[2];
	struct mnl_ring *r;
	char msg[128];
	int i, err, rounds = 0;

	audit_readers(&au, &reader, &r, &nl);
	if (tap_case_failed)
		return;
	err = audit_enable(au, 1);
	if (err)
		SKIP("cannot enable audit: %d", err);
	tap_defer(audit_off, au);
	for (i = 0; i < 20; i++) {
		snprintf(msg, sizeof(msg), AUDIT_MARK " %d", i);
		REQUIRE(audit_request(au, USER_MSG, msg,
				      strlen(msg) + 1) == 0);
	}
	pfd[0] = (struct pollfd){ mnl_socket_get_fd(reader), POLLIN, 0 };
	pfd[1] = (struct pollfd){ mnl_ring_get_fd(r), POLLIN, 0 };
	while ((marked(&from_socket) < 20 || marked(&from_ring) < 20) &&
	       rounds++ < 1000) {
		if (poll(pfd, 2, 10000) <= 0)
			break;
		socket_events(reader, &from_socket);
		ring_events(r, AUDIT_NLGRP_READLOG, &from_ring);
	}
	only_marked(&from_socket);
	only_marked(&from_ring);
	CHECK(from_socket.n == 20, "%d records on the socket", from_socket.n);
	CHECK(same_events(&from_ring, &from_socket),
	      "%d records in the ring, %d on the socket", from_ring.n,
	      from_socket.n);
	CHECK(!from_ring.bad_group, "nm_group is the group");
	ring_teardown(r, nl);
	mnl_socket_close(reader);
}

/* The records from the one holding @mark to the one holding @end. */
static void between(struct events *e, const char *mark, const char *end)
{
	int i, first = -1, last = -1, n = 0;

	for (i = 0; i < e->n; i++) {
		if (first < 0 && memmem(e->data[i], e->len[i], mark,
					strlen(mark)))
			first = i;
		if (first >= 0 && memmem(e->data[i], e->len[i], end,
					 strlen(end))) {
			last = i;
			break;
		}
	}
	for (i = first; first >= 0 && i <= last; i++) {
		e->len[n] = e->len[i];
		memmove(e->data[n++], e->data[i], e->len[i]);
	}
	e->n = n;
}

static int records_with(const struct events *e, uint16_t type,
			const char *what)
{
	int i, n = 0;

	for (i = 0; i < e->n; i++)
		n += ((const struct nlmsghdr *)e->data[i])->nlmsg_type ==
		     type && memmem(e->data[i], e->len[i], what, strlen(what));
	return n;
}

static struct {
	struct mnl_socket *au;
	struct audit_rule_data rule;
	uint32_t fields[4];	/* room for rule.fields[] and the rest */
} storm_rule;

static void storm_rule_del(void *au)
{
	audit_request(au, AUDIT_DEL_RULE, &storm_rule.rule,
		      sizeof(storm_rule.rule));
}

#define STORM		40

/* An audit rule and a syscall storm: the kernel's own records (SYSCALL,
 * PROCTITLE, EOE for each call) arrive through the ring exactly as a
 * plain reader of the group gets them.
 */
static void audit_syscall_records_match_a_socket_listener(void)
{
	static struct events from_ring, from_socket;
	struct mnl_socket *nl, *reader;
	struct audit_rule_data *rule = &storm_rule.rule;
	char what[64];
	struct pollfd pfd[2];
	struct mnl_ring *r;
	int i, err, go[2], status, rounds = 0;
	pid_t pid;

	audit_readers(&storm_rule.au, &reader, &r, &nl);
	if (tap_case_failed)
		return;
	/* Enabled before the storm's task is made: tasks get their audit
	 * context at fork.
	 */
	err = audit_enable(storm_rule.au, 1);
	if (err)
		SKIP("cannot enable audit: %d", err);
	tap_defer(audit_off, storm_rule.au);
	REQUIRE(pipe(go) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		char c;

		if (read(go[0], &c, 1) != 1)
			_exit(2);
		for (i = 0; i < STORM; i++)
			syscall(__NR_getppid);
		_exit(0);
	}
	/* always,exit -F arch=b64 -S getppid -F pid=<the storm's task> */
	rule->flags = AUDIT_FILTER_EXIT;
	rule->action = AUDIT_ALWAYS;
	rule->mask[__NR_getppid / 32] |= 1U << (__NR_getppid % 32);
	rule->field_count = 2;
	rule->fields[0] = AUDIT_ARCH;
	rule->values[0] = AUDIT_ARCH_X86_64;
	rule->fieldflags[0] = AUDIT_EQUAL;
	rule->fields[1] = AUDIT_PID;
	rule->values[1] = pid;
	rule->fieldflags[1] = AUDIT_EQUAL;
	err = audit_request(storm_rule.au, AUDIT_ADD_RULE, rule,
			    sizeof(*rule));
	if (err) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		SKIP("no syscall auditing here: %d", err);
	}
	tap_defer(storm_rule_del, storm_rule.au);
	REQUIRE(audit_request(storm_rule.au, USER_MSG, AUDIT_MARK " begin",
			      sizeof(AUDIT_MARK " begin")) == 0);
	REQUIRE(write(go[1], "x", 1) == 1);
	REQUIRE(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		!WEXITSTATUS(status));
	REQUIRE(audit_request(storm_rule.au, USER_MSG, AUDIT_MARK " end",
			      sizeof(AUDIT_MARK " end")) == 0);
	pfd[0] = (struct pollfd){ mnl_socket_get_fd(reader), POLLIN, 0 };
	pfd[1] = (struct pollfd){ mnl_ring_get_fd(r), POLLIN, 0 };
	while ((!records_with(&from_socket, USER_MSG, AUDIT_MARK " end") ||
		!records_with(&from_ring, USER_MSG, AUDIT_MARK " end")) &&
	       rounds++ < 1000) {
		if (poll(pfd, 2, 10000) <= 0)
			break;
		socket_events(reader, &from_socket);
		ring_events(r, AUDIT_NLGRP_READLOG, &from_ring);
	}
	between(&from_socket, AUDIT_MARK " begin", AUDIT_MARK " end");
	between(&from_ring, AUDIT_MARK " begin", AUDIT_MARK " end");
	snprintf(what, sizeof(what), " pid=%d ", pid);
	err = records_with(&from_socket, AUDIT_SYSCALL, what);
	CHECK(err == STORM, "%d SYSCALL records of the storm on the socket",
	      err);
	CHECK(from_socket.n >= 2 * STORM, "%d records in all", from_socket.n);
	CHECK(same_events(&from_ring, &from_socket),
	      "%d records in the ring, %d on the socket", from_ring.n,
	      from_socket.n);
	ring_teardown(r, nl);
	mnl_socket_close(reader);
}

/* In a user namespace of its own, nobody owns its network namespace:
 * rtnetlink then allows it the multicast routing group there, and the
 * audit log stays out of reach.
 */
static void user_namespace_gets_what_the_source_allows(void)
{
	struct mnl_socket *nl;
	struct mnl_ring *r;
	int err;

	if (setgid(65534) || setuid(65534))
		SKIP("cannot become user nobody here");
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		SKIP("no user namespaces here");
	r = ring_setup(&nl, &family, 16, 1024, 0);
	REQUIRE(r);
	err = subscribe(nl, NETLINK_ROUTE, RTNLGRP_IPV4_MROUTE_R);
	CHECK(err == 0, "IPV4_MROUTE_R in its own namespace: %d", err);
	err = subscribe(nl, NETLINK_AUDIT, AUDIT_NLGRP_READLOG);
	CHECK(err == -EOPNOTSUPP || err == -EPROTONOSUPPORT,
	      "audit log: %d", err);
	ring_teardown(r, nl);
}

/* One subscriber never reads and fills its ring; the other gets every
 * event. The stopped one's losses are counted and signalled to it alone.
 */
static void stopped_subscriber_loses_only_its_own(void)
{
	static struct events live, stopped, member;
	struct mnl_socket *nl[2], *rt;
	struct mnl_ring *r[2];

	own_netns();
	r[0] = ring_setup(&nl[0], &family, 4, 2048, 0);
	r[1] = ring_setup(&nl[1], &family, 256, 2048, 0);
	rt = rt_open(1 << (RTNLGRP_LINK - 1));
	REQUIRE(r[0] && r[1] && rt);
	REQUIRE(subscribe(nl[0], NETLINK_ROUTE, RTNLGRP_LINK) == 0);
	REQUIRE(subscribe(nl[1], NETLINK_ROUTE, RTNLGRP_LINK) == 0);
	REQUIRE(toggle_lo(40) == 0);
	socket_events(rt, &member);
	ring_events(r[1], RTNLGRP_LINK, &live);
	ring_events(r[0], RTNLGRP_LINK, &stopped);
	CHECK(member.n >= 40 && same_events(&live, &member),
	      "live subscriber: %d of %d", live.n, member.n);
	/* The kernel's own events keep to no share: all 4 frames. */
	CHECK(stopped.n == 4, "the stopped one kept its %d frames", stopped.n);
	CHECK(mnl_ring_clear_error(r[0]) == member.n - 4,
	      "its drops are counted");
	CHECK(mnl_ring_clear_error(r[1]) == 0, "the live one lost nothing");
	mnl_socket_close(rt);
	ring_teardown(r[0], nl[0]);
	ring_teardown(r[1], nl[1]);
}

/* NETLINK_USERSOCK messages "<tag> <i>" to group 1, @n of them, as the
 * user as_user() made.
 */
struct usersock_burst {
	const char *tag;
	int n;
};

static int usersock_send(void *arg)
{
	const struct usersock_burst *b = arg;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	char buf[NLMSG_SPACE(32)];
	struct nlmsghdr *nlh = (void *)buf;
	int fd, i;

	fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_USERSOCK);
	if (fd < 0)
		return 2;
	for (i = 0; i < b->n; i++) {
		memset(buf, 0, sizeof(buf));
		nlh->nlmsg_len = NLMSG_LENGTH(32);
		nlh->nlmsg_type = NLMSG_MIN_TYPE;
		nlh->nlmsg_seq = i;
		snprintf(NLMSG_DATA(nlh), 32, "%s %d", b->tag, i);
		/* Broadcast, then refused by port id 0: no kernel socket
		 * takes NETLINK_USERSOCK messages.
		 */
		if (sendto(fd, buf, nlh->nlmsg_len, 0, (void *)&to,
			   sizeof(to)) < 0 && errno != ECONNREFUSED)
			return 3;
	}
	close(fd);
	return 0;
}

/* The flooded system agent: nobody floods a NETLINK_USERSOCK group that a
 * root subscriber relays into a ring of 64 frames while it does not read;
 * then another user sends a trickle. The flooder gets its share (half of
 * the frames, one more for rounding) and the rest of its messages are
 * dropped, counted and signalled; the trickle arrives whole, in order.
 */
static void flooding_sender_keeps_to_its_share(void)
{
	struct usersock_burst flood = { "flood", 1000 }, trickle = {
		"trickle", 8 };
	int flooded = 0, got = 0, bad = 0, err, drops;
	struct nl_mmap_hdr *f[64];
	struct mnl_socket *nl;
	struct mnl_ring *r;
	unsigned int n, i;
	char want[32];

	own_netns();
	r = ring_setup(&nl, &family, 64, 1024, 0);
	REQUIRE(r);
	err = subscribe(nl, NETLINK_USERSOCK, 1);
	if (err == -EPROTONOSUPPORT)
		SKIP("no NETLINK_USERSOCK here");
	REQUIRE(err == 0, "subscribe: %d", err);
	err = as_user(65534, usersock_send, &flood);
	if (err == -EPERM)
		SKIP("cannot become user nobody here");
	REQUIRE(err == 0, "the flood: %d", err);
	REQUIRE(as_user(1, usersock_send, &trickle) == 0, "the trickle");
	while ((n = mnl_ring_rx_peek(mnl_ring_rx(r), f, 64))) {
		for (i = 0; i < n; i++) {
			const char *m = NLMSG_DATA(mnl_ring_frame_data(f[i]));

			if (!strncmp(m, "flood ", 6) && f[i]->nm_uid == 65534) {
				flooded++;
				continue;
			}
			snprintf(want, sizeof(want), "trickle %d", got);
			if (!strcmp(m, want) && f[i]->nm_uid == 1)
				got++;
			else
				bad++;
		}
		mnl_ring_rx_release(mnl_ring_rx(r), n);
	}
	CHECK(got == 8 && !bad, "the trickle: %d of 8 in order, %d others",
	      got, bad);
	CHECK(flooded > 0 && flooded <= 33, "the flood held %d of 64 frames",
	      flooded);
	drops = mnl_ring_clear_error(r);
	CHECK(drops == 1000 - flooded, "%d of the flood's %d losses signalled",
	      drops, 1000 - flooded);
	CHECK(ring_stat(r, family, NLMMAP_S_QUOTA_DROPPED) == drops,
	      "counted as over the sender's share: %lld",
	      (long long)ring_stat(r, family, NLMMAP_S_QUOTA_DROPPED));
	ring_teardown(r, nl);
}

/* Events of another namespace never arrive. */
static void other_namespace_events_never_arrive(void)
{
	static struct events e;
	struct mnl_socket *nl;
	struct mnl_ring *r;
	int status = -1;
	pid_t pid;

	own_netns();
	r = ring_setup(&nl, &family, 64, 2048, 0);
	REQUIRE(r);
	REQUIRE(subscribe(nl, NETLINK_ROUTE, RTNLGRP_LINK) == 0);
	fflush(stdout);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid)
		_exit(unshare(CLONE_NEWNET) || toggle_lo(6) ? 1 : 0);
	REQUIRE(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		!WEXITSTATUS(status));
	ring_events(r, RTNLGRP_LINK, &e);
	CHECK(e.n == 0, "%d events of another namespace", e.n);
	REQUIRE(toggle_lo(2) == 0);
	ring_events(r, RTNLGRP_LINK, &e);
	CHECK(e.n >= 2, "%d events of its own", e.n);
	ring_teardown(r, nl);
}

static int64_t listeners(void)
{
	struct mnl_socket *q = genl_open(NULL);
	int64_t v = q ? nlmmap_stat(q, family, NLMMAP_S_LISTENERS) : -1;


	if (q)
		mnl_socket_close(q);
	return v;
}

/* One listener per (namespace, protocol, group): the first subscriber
 * starts it, the last one (by unsubscribing or by going away) stops it.
 */
static void listener_follows_first_and_last_subscriber(void)
{
	struct mnl_socket *nl[3];
	struct mnl_ring *r[3];
	int64_t base;
	int i;

	own_netns();
	for (i = 0; i < 3; i++) {
		r[i] = ring_setup(&nl[i], &family, 8, 1024, 0);
		REQUIRE(r[i]);
	}
	base = listeners();
	REQUIRE(subscribe(nl[0], NETLINK_ROUTE, RTNLGRP_LINK) == 0);
	CHECK(listeners() == base + 1, "started");
	REQUIRE(subscribe(nl[1], NETLINK_ROUTE, RTNLGRP_LINK) == 0);
	REQUIRE(subscribe(nl[2], NETLINK_ROUTE, RTNLGRP_IPV4_IFADDR) == 0);
	CHECK(listeners() == base + 2, "one per group: %lld",
	      (long long)(listeners() - base));
	CHECK(relay_cmd(nl[0], family, NLMMAP_CMD_UNSUBSCRIBE, NETLINK_ROUTE,
			RTNLGRP_LINK) == 0);
	CHECK(listeners() == base + 2, "a subscriber is left");
	ring_teardown(r[1], nl[1]);	/* the last of the link group */
	CHECK(listeners() == base + 1, "stopped with the last subscriber");
	mnl_socket_close(nl[2]);	/* the socket goes first */
	CHECK(listeners() == base, "and with the subscriber's socket");
	mnl_ring_unmap(r[2]);
	ring_teardown(r[0], nl[0]);
}

static void user_listeners_restore(void)
{
	write_param("relay_user_listeners", "256");
}

/* Act as @uid from here on (sockets and ring files made now are its). */
static int become_user(uid_t uid)
{
	return seteuid(0) || (uid && seteuid(uid)) ? -1 : 0;
}

/* Each user holds at most relay_user_listeners listeners (here 3): those
 * it has a subscription to, however many of its rings share one. Past
 * that, a subscription that needs another is refused (EDQUOT), by either
 * path; another user is unaffected, and a user whose subscriptions ended
 * subscribes again.
 */
static void listeners_per_user_are_bounded(void)
{
	static const uint32_t g[] = { RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
				      RTNLGRP_IPV6_IFADDR, RTNLGRP_NEIGH };
	struct mnl_socket *nl[3];
	struct mnl_ring *r[3];
	int64_t base;
	int i, err;

	own_netns();
	/* Without the parameter (a module of before the bound), go on: the
	 * checks below then show what it lets a user do.
	 */
	CHECK(write_param("relay_user_listeners", "3") == 0,
	      "no relay_user_listeners parameter");
	REQUIRE(become_user(1000) == 0, "cannot act as uid 1000 here");
	r[0] = ring_setup(&nl[0], &family, 8, 1024, 0);
	r[1] = ring_setup(&nl[1], &family, 8, 1024, 0);
	REQUIRE(r[0] && r[1]);
	base = listeners();
	REQUIRE(base >= 0);
	for (i = 0; i < 3; i++)
		CHECK(subscribe(nl[0], NETLINK_ROUTE, g[i]) == 0, "group %u",
		      g[i]);
	err = subscribe(nl[0], NETLINK_ROUTE, g[3]);
	CHECK(err == -EDQUOT, "a fourth listener: %d", err);
	err = ioctl_relay_cmd(mnl_ring_get_fd(r[0]), NLMMAP_IOC_SUBSCRIBE,
			      NETLINK_ROUTE, g[3]);
	CHECK(err == -EDQUOT, "a fourth listener by ioctl(): %d", err);
	/* Its second ring shares the listeners it holds already. */
	CHECK(subscribe(nl[1], NETLINK_ROUTE, g[0]) == 0, "a held one");
	err = subscribe(nl[1], NETLINK_ROUTE, g[3]);
	CHECK(err == -EDQUOT, "a fourth from its second ring: %d", err);
	CHECK(listeners() == base + 3, "%lld listeners",
	      (long long)(listeners() - base));
	/* Another user is unaffected, and may share the first's. */
	REQUIRE(become_user(1001) == 0);
	r[2] = ring_setup(&nl[2], &family, 8, 1024, 0);
	REQUIRE(r[2]);
	CHECK(subscribe(nl[2], NETLINK_ROUTE, g[3]) == 0, "uid 1001: %u",
	      g[3]);
	CHECK(subscribe(nl[2], NETLINK_ROUTE, g[0]) == 0, "uid 1001: %u",
	      g[0]);
	/* One hold given back makes room for one. */
	REQUIRE(become_user(1000) == 0);
	CHECK(relay_cmd(nl[0], family, NLMMAP_CMD_UNSUBSCRIBE, NETLINK_ROUTE,
			g[1]) == 0);
	CHECK(subscribe(nl[0], NETLINK_ROUTE, g[3]) == 0, "room for one");
	CHECK(subscribe(nl[0], NETLINK_ROUTE, g[1]) == -EDQUOT, "and one only");
	/* Its rings gone, it starts afresh; uid 1001's are untouched. */
	ring_teardown(r[0], nl[0]);
	ring_teardown(r[1], nl[1]);
	r[0] = ring_setup(&nl[0], &family, 8, 1024, 0);
	REQUIRE(r[0]);
	for (i = 0; i < 3; i++)
		CHECK(subscribe(nl[0], NETLINK_ROUTE, g[i]) == 0,
		      "again: group %u", g[i]);
	CHECK(subscribe(nl[0], NETLINK_ROUTE, g[3]) == -EDQUOT, "again");
	REQUIRE(become_user(0) == 0);
	ring_teardown(r[0], nl[0]);
	ring_teardown(r[2], nl[2]);
	CHECK(listeners() == base, "%lld listeners left",
	      (long long)(listeners() - base));
}

/* A subscriber killed in the middle of a burst: its subscription goes
 * with it, the listener stops, the other subscriber gets every event.
 */
static void subscriber_killed_mid_burst(void)
{
	static struct events live, member;
	struct mnl_socket *nl, *rt;
	struct mnl_ring *r;
	int ready[2], status;
	int64_t base;
	char c;
	pid_t pid;

	own_netns();
	r = ring_setup(&nl, &family, 256, 2048, 0);
	rt = rt_open(1 << (RTNLGRP_LINK - 1));
	REQUIRE(r && rt && pipe(ready) == 0);
	base = listeners();
	REQUIRE(subscribe(nl, NETLINK_ROUTE, RTNLGRP_LINK) == 0);
	fflush(stdout);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		struct mnl_socket *cnl;
		struct mnl_ring *cr = ring_setup(&cnl, &family, 8, 2048, 0);

		if (!cr || subscribe(cnl, NETLINK_ROUTE, RTNLGRP_LINK))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	REQUIRE(read(ready[0], &c, 1) == 1);
	CHECK(listeners() == base + 1, "one listener for both");
	REQUIRE(toggle_lo(10) == 0);
	kill(pid, SIGKILL);
	REQUIRE(toggle_lo(10) == 0);
	REQUIRE(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status));
	REQUIRE(toggle_lo(10) == 0);
	socket_events(rt, &member);
	ring_events(r, RTNLGRP_LINK, &live);
	CHECK(member.n >= 30 && same_events(&live, &member),
	      "the live subscriber: %d of %d", live.n, member.n);
	CHECK(listeners() == base + 1, "still one listener");
	ring_teardown(r, nl);
	CHECK(listeners() == base, "none after the last");
	mnl_socket_close(rt);
}

/* A subscribed ring keeps the module; once it goes, the module unloads
 * cleanly (its work items drained) and loads again.
 */
static void unload_waits_for_subscriptions(void)
{
	struct mnl_socket *nl;
	struct mnl_ring *r;

	own_netns();
	r = ring_setup(&nl, &family, 16, 2048, 0);
	REQUIRE(r);
	REQUIRE(subscribe(nl, NETLINK_ROUTE, RTNLGRP_LINK) == 0);
	REQUIRE(toggle_lo(4) == 0);
	errno = 0;
	CHECK(module_unload() == -1, "refused while subscribed");
	ring_teardown(r, nl);
	CHECK(module_unload() == 0, "unloads once the ring is gone");
	CHECK(module_load() == 0, "loads again");
}

/* Run a tool with its stdout and stderr on pipes; wait (read) for the
 * line on stderr that says it subscribed.
 */
static int lines_with(FILE *f, int n, const char *what)
{
	char line[512];
	int i, found = 0;

	for (i = 0; i < n && fgets(line, sizeof(line), f); i++) {
		printf("# %s", line);
		found += !!strstr(line, what);
	}
	return found;
}

/* nlmmap-monitor prints link events as they come, like ip monitor. */
static void monitor_prints_link_events(void)
{
	char *argv[] = { "/tests/nlmmap-monitor", "-c", "4", "link", NULL };
	int status;
	FILE *out;
	pid_t pid;

	if (access(argv[0], X_OK))
		SKIP("no %s", argv[0]);
	own_netns();
	pid = spawn_ready(argv, &out, NULL);
	REQUIRE(pid > 0 && out);
	REQUIRE(toggle_lo(4) == 0);
	CHECK(lines_with(out, 4, ": lo: <LOOPBACK") == 4, "4 lines for lo");
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "status %#x", status);
}

/* -q -S: no events printed, and the totals at the end, ring and socket
 * alike.
 */
static void monitor_counts_events(void)
{
	char *argv[] = { "/tests/nlmmap-monitor", "-c", "4", "-q", "-S",
			 "link", NULL, NULL };
	char line[256], *got;
	int status, plain;
	FILE *out, *err;
	pid_t pid;

	if (access(argv[0], X_OK))
		SKIP("no %s", argv[0]);
	own_netns();
	for (plain = 0; plain < 2; plain++) {
		if (plain) {
			argv[5] = "-s";
			argv[6] = "link";
		}
		pid = spawn_ready(argv, &out, &err);
		REQUIRE(pid > 0 && out && err);
		REQUIRE(toggle_lo(4) == 0);
		REQUIRE(waitpid(pid, &status, 0) == pid);
		CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "status %#x",
		      status);
		CHECK(!fgets(line, sizeof(line), out), "quiet: nothing printed");
		got = fgets(line, sizeof(line), err);
		if (got)
			printf("# %s", line);
		CHECK(got && strstr(line, "nlmmap-monitor: 4 events, 0 lost"),
		      "the totals%s", plain ? " (socket)" : "");
		fclose(out);
		fclose(err);
	}
}

/* nlmmap-audit (@argv) started with audit on, and off again when the
 * case ends; *@au is the audit socket to send records with. SKIPs where
 * there is no tool or no audit.
 */
static pid_t audit_tool_start(char **argv, struct mnl_socket **au,
			      FILE **out)
{
	if (access(argv[0], X_OK))
		SKIP("no %s", argv[0]);
	*au = mnl_socket_open(NETLINK_AUDIT);
	if (!*au)
		SKIP("no audit in this kernel");
	if (audit_enable(*au, 1))
		SKIP("cannot enable audit");
	tap_defer(audit_off, *au);
	return spawn_ready(argv, out, NULL);
}

/* nlmmap-audit prints records the way the audit log reads. */
static void audit_tool_prints_records(void)
{
	char *argv[] = { "/tests/nlmmap-audit", "-c", "3", NULL };
	struct mnl_socket *au;
	char msg[64];
	int status, i;
	FILE *out;
	pid_t pid;

	pid = audit_tool_start(argv, &au, &out);
	REQUIRE(pid > 0 && out);
	for (i = 0; i < 3; i++) {
		snprintf(msg, sizeof(msg), AUDIT_MARK " tool %d", i);
		REQUIRE(audit_request(au, USER_MSG, msg, strlen(msg) + 1) == 0);
	}
	/* Other records may come first (the tool's own EVENT_LISTENER). */
	CHECK(lines_with(out, 3, "msg=audit(") == 3, "3 records");
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status), "status %#x", status);
}

/* A login: the kernel logs AUDIT_LOGIN when a task's loginuid is set. */
static int set_loginuid(const char *uid)
{
	int fd, ok, status;
	pid_t pid = fork();

	if (pid == 0) {
		fd = open("/proc/self/loginuid", O_WRONLY);
		ok = fd >= 0 && write(fd, uid, strlen(uid)) == (ssize_t)strlen(uid);
		_exit(ok ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/*
 * nlmmap-audit prints every record the audit log carries, not only those
 * of the user range: AUDIT_USER (1005, what auditctl -m writes) and
 * AUDIT_LOGIN (1006). A USER_MSG marker ends what the case reads.
 */
static void audit_tool_prints_user_and_login_records(void)
{
	char *argv[] = { "/tests/nlmmap-audit", "-c", "64", NULL };
	const char *user = AUDIT_MARK " user", *end = AUDIT_MARK " end";
	int i, user_seen = 0, login_seen = 0, end_seen = 0, login;
	struct mnl_socket *au;
	char line[1024];
	FILE *out;
	pid_t pid;

	pid = audit_tool_start(argv, &au, &out);
	REQUIRE(pid > 0 && out);
	REQUIRE(audit_request(au, AUDIT_USER, user, strlen(user) + 1) == 0);
	login = set_loginuid("4242") == 0;
	REQUIRE(audit_request(au, USER_MSG, end, strlen(end) + 1) == 0);
	for (i = 0; i < 64 && !end_seen && fgets(line, sizeof(line), out);
	     i++) {
		printf("# %s", line);
		user_seen |= !strncmp(line, "type=USER msg=audit(", 20) &&
			     !!strstr(line, user);
		login_seen |= !strncmp(line, "type=LOGIN msg=audit(", 21);
		end_seen = !!strstr(line, end);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	CHECK(end_seen, "the end marker arrived");
	CHECK(user_seen, "an AUDIT_USER record, printed as type=USER");
	if (login)
		CHECK(login_seen, "an AUDIT_LOGIN record, printed as type=LOGIN");
	else
		tap_note("no loginuid change here: AUDIT_LOGIN not tried");
}

TAP_MAIN(T(link_events_match_a_socket_listener),
	 T(subscription_ioctl_is_extensible),
	 T(refused_without_the_sources_permission),
	 T(audit_log_needs_cap_audit_read),
	 T(subscribe_needs_the_openers_rights),
	 T(audit_records_match_a_socket_listener),
	 T(audit_syscall_records_match_a_socket_listener),
	 T(user_namespace_gets_what_the_source_allows),
	 T(stopped_subscriber_loses_only_its_own),
	 T(flooding_sender_keeps_to_its_share),
	 T(other_namespace_events_never_arrive),
	 T(listener_follows_first_and_last_subscriber),
	 TT(listeners_per_user_are_bounded, user_listeners_restore),
	 T(subscriber_killed_mid_burst), T(unload_waits_for_subscriptions),
	 T(monitor_prints_link_events), T(monitor_counts_events),
	 T(audit_tool_prints_records),
	 T(audit_tool_prints_user_and_login_records))
