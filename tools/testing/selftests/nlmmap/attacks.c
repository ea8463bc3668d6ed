// SPDX-License-Identifier: GPL-2.0
/*
 * An outside reviewer's attacks on the defences of
 * Documentation/nlmmap/security.rst, written against the raw uAPI.
 *
 * quota_provoked_replies_are_not_roots failed on the reviewed code: the
 * kernel's replies that nobody provokes (ICMP errors, TCP resets, whose
 * skb->sk is a kernel control socket owned by uid 0) were charged to
 * root's share of a queue ring and starved root's own trickle; they are
 * the kernel's class now. The other cases (map_*, deputy_*, copy_*,
 * listener_*) are attacks the module resists.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/genetlink.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>
#include <linux/userfaultfd.h>
#include <linux/nlmmap_queue.h>

#include "tap.h"
#include "util.h"
#include "queue_util.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_PAGEOUT
#define MADV_COLD		20
#define MADV_PAGEOUT		21
#endif

#define CLOSED_PORT	9998

/* ------------------------------------------------------------------ */
/* Per-sender quotas: kernel-made replies are charged to uid 0.        */
/* ------------------------------------------------------------------ */

struct flood {
	int udp_queued;		/* datagrams to PORT (queued, nobody's) */
	int udp_closed;		/* datagrams to CLOSED_PORT: ICMP replies */
	int tcp_closed;		/* connects to CLOSED_PORT: RST replies */
};

static int flood_fn(void *arg)
{
	const struct flood *f = arg;
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i;

	if (fd < 0)
		return 2;
	a.sin_port = htons(PORT);
	for (i = 0; i < f->udp_queued; i++)
		sendto(fd, "flood", 5, 0, (void *)&a, sizeof(a));
	a.sin_port = htons(CLOSED_PORT);
	for (i = 0; i < f->udp_closed; i++) {
		sendto(fd, "flood", 5, 0, (void *)&a, sizeof(a));
		/* ICMP errors are rate limited (a burst of 50, then 1/ms) */
		if (i % 40 == 39)
			usleep(50000);
	}
	close(fd);
	for (i = 0; i < f->tcp_closed; i++) {
		int t = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

		if (t < 0)
			return 3;
		connect(t, (void *)&a, sizeof(a));
		close(t);
	}
	return 0;
}

static int trickle_fn(void *arg)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(PORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int n = *(int *)arg, fd = socket(AF_INET, SOCK_DGRAM, 0), i;
	char msg[32];

	if (fd < 0)
		return 2;
	for (i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg), "trickle %d", i);
		sendto(fd, msg, strlen(msg), 0, (void *)&a, sizeof(a));
	}
	close(fd);
	return 0;
}

/* An agent that inspects a service's traffic on output: UDP to PORT,
 * and whatever the host answers from CLOSED_PORT (TCP resets, ICMP
 * port unreachable).
 */
static void review_queue_start(struct qsock *s)
{
	queue_env();
	REQUIRE(nft("flush ruleset\n"
		    "table ip t {\n"
		    "  chain out { type filter hook output priority 0;\n"
		    "    udp dport %d queue num 0\n"
		    "    icmp type destination-unreachable queue num 0\n"
		    "    tcp sport %d queue num 0\n"
		    "  }\n"
		    "}\n", PORT, CLOSED_PORT) == 0, "nft");
	qsock_open(s, 0, 0);	/* 64 RX frames, nobody reading */
}

struct tally {
	int flood_udp, icmp, tcp, trickle, other;
};

static void tally_ring(struct qsock *s, struct tally *t)
{
	struct pkt p;

	memset(t, 0, sizeof(*t));
	while (rx_frame_next(s->r) && next_packet(s, &p) == 0) {
		unsigned char proto = p.len > 9 ? (unsigned char)p.payload[9] : 0;

		if (proto == IPPROTO_ICMP)
			t->icmp++;
		else if (proto == IPPROTO_TCP)
			t->tcp++;
		else if (proto == IPPROTO_UDP &&
			 !strncmp(udp_data(&p), "trickle ", 8))
			t->trickle++;
		else if (proto == IPPROTO_UDP &&
			 !strcmp(udp_data(&p), "flood"))
			t->flood_udp++;
		else
			t->other++;
	}
	printf("# ring: %d flood udp, %d icmp, %d tcp rst, %d trickle, "
	       "%d other\n", t->flood_udp, t->icmp, t->tcp, t->trickle,
	       t->other);
}

/* nobody makes the kernel answer from its control sockets (uid 0): those
 * replies are the kernel's class, not root's, so root's own trickle (8
 * datagrams from a root socket) still finds its share of the ring.
 */
static void quota_provoked_replies_are_not_roots(void)
{
	struct flood f = { 0, 400, 400 };
	struct tally t;
	struct qsock s;
	int err, n = 8;

	review_queue_start(&s);
	err = as_user(65534, flood_fn, &f);
	if (err == -EPERM)
		SKIP("cannot become user nobody here");
	REQUIRE(err == 0, "the flood: %d", err);
	REQUIRE(trickle_fn(&n) == 0);	/* root's own socket */
	tally_ring(&s, &t);
	CHECK(t.icmp + t.tcp > 0, "nobody's replies were queued");
	CHECK(t.trickle == 8,
	      "root's trickle: %d of 8 queued; nobody's flood of kernel "
	      "replies holds %d frames of root's account", t.trickle,
	      t.icmp + t.tcp);
	qsock_close(&s);
}

/* ------------------------------------------------------------------ */
/* The ring mapping.                                                    */
/* ------------------------------------------------------------------ */

struct mring {
	struct mnl_socket *nl;
	uint16_t family;
	int fd;
	struct nl_mmap_req rx, tx;
	struct nlmmap_setup out;
	size_t size;
};

static int mring_open(struct mring *m)
{
	int err;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->nl = genl_open(&m->family);
	if (!m->nl)
		return -1;
	m->fd = ring_file_bind(m->nl);
	if (m->fd < 0)
		return -2;
	m->rx = geometry(16, 4096);
	m->tx = geometry(16, 4096);
	err = rings_set(m->fd, &m->rx, &m->tx, &m->out);
	if (err)
		return err;
	m->size = m->out.off.size;
	return 0;
}

static void *mring_map(struct mring *m)
{
	return mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    m->fd, 0);
}

static void mring_close(struct mring *m)
{
	close(m->fd);
	mnl_socket_close(m->nl);
}

/* 0: setup accepted; else errno */
static int resetup(struct mring *m)
{
	return rings_set(m->fd, &m->rx, &m->tx, NULL);
}

/* Ask for ECHO replies into the RX ring: the kernel writes the pages. */
static void echo_some(struct mring *m, int n)
{
	char buf[8192];
	int i;

	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh = genl_req(buf, m->family,
						NLMMAP_CMD_ECHO, 0, i + 1);

		mnl_attr_put(nlh, NLMMAP_A_PAYLOAD, 100, buf + 4096);
		mnl_socket_sendto(m->nl, nlh, nlh->nlmsg_len);
	}
}

/* The CPU copies @n bytes at @p into a file: 1 if it could. */
static int readable(const void *p, size_t n)
{
	int fd = memfd_create("review", MFD_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, p, n) == (ssize_t)n;
	close(fd);
	return ok;
}

/* mremap() moves and shrinks; the rings stay pinned (EBUSY) as long as
 * any VMA maps them, and growing is refused.
 */
static void map_mremap_keeps_pages(void)
{
	struct mring m;
	char *a, *b, *c;

	REQUIRE(mring_open(&m) == 0, "ring");
	a = mring_map(&m);
	REQUIRE(a != MAP_FAILED);
	CHECK(mremap(a, m.size, m.size * 2, 0) == MAP_FAILED,
	      "grown in place");
	b = mmap(NULL, m.size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	REQUIRE(b != MAP_FAILED);
	c = mremap(a, m.size, m.size, MREMAP_MAYMOVE | MREMAP_FIXED, b);
	REQUIRE(c == b, "moved: %p", c);
	CHECK(resetup(&m) == EBUSY, "setup under a moved mapping");
	echo_some(&m, 8);
	CHECK(readable(c, m.size) == 1, "the moved mapping reads");
	/* Shrink the moved mapping to its first page. */
	c = mremap(b, m.size, 4096, 0);
	CHECK(c == b, "shrunk");
	CHECK(resetup(&m) == EBUSY, "setup under a shrunk mapping");
	CHECK(mremap(b, 4096, 8192, MREMAP_MAYMOVE) == MAP_FAILED,
	      "regrown");
	CHECK(mremap(b, 4096, 4096, MREMAP_MAYMOVE | MREMAP_DONTUNMAP) ==
	      MAP_FAILED, "DONTUNMAP");
	munmap(b, 4096);
	CHECK(resetup(&m) == 0, "setup once unmapped");
	mring_close(&m);
}

/* Holes punched by munmap() and mprotect() splits. */
static void map_splits_keep_pages(void)
{
	struct mring m;
	char *a;

	REQUIRE(mring_open(&m) == 0, "ring");
	a = mring_map(&m);
	REQUIRE(a != MAP_FAILED);
	CHECK(mprotect(a + 4096, 4096, PROT_READ) == 0);
	CHECK(mprotect(a, 4096, PROT_READ | PROT_EXEC) != 0, "PROT_EXEC");
	CHECK(munmap(a + 8 * 4096, 4096) == 0);
	CHECK(resetup(&m) == EBUSY, "setup under split mappings");
	echo_some(&m, 20);
	CHECK(munmap(a, 8 * 4096) == 0);
	CHECK(resetup(&m) == EBUSY, "setup under the tail");
	echo_some(&m, 20);
	CHECK(munmap(a + 9 * 4096, m.size - 9 * 4096) == 0);
	CHECK(resetup(&m) == 0, "setup once unmapped");
	a = mring_map(&m);
	CHECK(a != MAP_FAILED, "mapped again");
	echo_some(&m, 20);
	CHECK(readable(a, m.size) == 1);
	munmap(a, m.size);
	mring_close(&m);
}

/* madvise() variants: nothing that takes, drops or populates pages
 * through GUP or the page cache may work, or crash.
 */
static void map_madvise_variants(void)
{
	static const int adv[] = { MADV_DONTNEED, MADV_FREE, MADV_REMOVE,
				   MADV_COLD, MADV_PAGEOUT,
				   MADV_POPULATE_READ, MADV_POPULATE_WRITE,
				   MADV_WIPEONFORK, MADV_DOFORK,
				   MADV_MERGEABLE, MADV_HUGEPAGE,
				   MADV_WILLNEED, MADV_SEQUENTIAL,
				   MADV_DONTDUMP };
	struct mring m;
	unsigned int i;
	char *a;

	REQUIRE(mring_open(&m) == 0, "ring");
	a = mring_map(&m);
	REQUIRE(a != MAP_FAILED);
	echo_some(&m, 4);
	for (i = 0; i < sizeof(adv) / sizeof(adv[0]); i++) {
		int r = madvise(a, m.size, adv[i]);

		printf("# madvise(%d): %d %s\n", adv[i], r,
		       r ? strerror(errno) : "");
		if (adv[i] == MADV_DONTNEED || adv[i] == MADV_FREE ||
		    adv[i] == MADV_POPULATE_READ ||
		    adv[i] == MADV_POPULATE_WRITE ||
		    adv[i] == MADV_DOFORK || adv[i] == MADV_REMOVE ||
		    adv[i] == MADV_PAGEOUT)
			CHECK(r != 0, "madvise(%d) accepted", adv[i]);
	}
	CHECK(mlock(a, m.size) == 0 || errno != 0);
	munlock(a, m.size);
	echo_some(&m, 4);
	CHECK(readable(a, m.size) == 1, "still mapped");
	munmap(a, m.size);
	CHECK(resetup(&m) == 0);
	mring_close(&m);
}

/* userfaultfd cannot register the ring; /proc/self/mem, process_vm_readv
 * and a splice of the ring fail.
 */
static void map_remote_access_refused(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct mring m;
	struct iovec l, r;
	char buf[4096];
	int uffd, memfd, pfd[2];
	char *a;

	REQUIRE(mring_open(&m) == 0, "ring");
	a = mring_map(&m);
	REQUIRE(a != MAP_FAILED);
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (uffd >= 0 && ioctl(uffd, UFFDIO_API, &api) == 0) {
		reg.range.start = (unsigned long)a;
		reg.range.len = m.size;
		reg.mode = UFFDIO_REGISTER_MODE_MISSING;
		CHECK(ioctl(uffd, UFFDIO_REGISTER, &reg) != 0,
		      "userfaultfd registered the ring");
		reg.mode = UFFDIO_REGISTER_MODE_WP;
		CHECK(ioctl(uffd, UFFDIO_REGISTER, &reg) != 0,
		      "userfaultfd WP registered the ring");
		close(uffd);
	}
	memfd = open("/proc/self/mem", O_RDWR);
	if (memfd >= 0) {
		CHECK(pread(memfd, buf, 64, (off_t)(unsigned long)a) < 0,
		      "/proc/self/mem read the ring");
		CHECK(pwrite(memfd, buf, 64, (off_t)(unsigned long)a) < 0,
		      "/proc/self/mem wrote the ring");
		close(memfd);
	}
	l.iov_base = buf;
	l.iov_len = 64;
	r.iov_base = a;
	r.iov_len = 64;
	CHECK(process_vm_readv(getpid(), &l, 1, &r, 1, 0) < 0,
	      "process_vm_readv of the ring");
	CHECK(process_vm_writev(getpid(), &l, 1, &r, 1, 0) < 0,
	      "process_vm_writev of the ring");
	REQUIRE(pipe(pfd) == 0);
	l.iov_base = a;
	l.iov_len = 4096;
	CHECK(vmsplice(pfd[1], &l, 1, 0) < 0, "vmsplice of the ring");
	close(pfd[0]);
	close(pfd[1]);
	munmap(a, m.size);
	mring_close(&m);
}

/* The file closed (and the socket) while mapped: the pages outlive both,
 * the mapping stays readable and writable, and kmemleak/KASAN see no
 * trouble when it goes.
 */
static void map_outlives_file_and_socket(void)
{
	struct mring m;
	char *a;
	int i;

	REQUIRE(mring_open(&m) == 0, "ring");
	a = mring_map(&m);
	REQUIRE(a != MAP_FAILED);
	echo_some(&m, 10);
	close(m.fd);
	for (i = 0; i < 3; i++) {
		memset(a, 0x5a, m.size);
		CHECK(readable(a, m.size) == 1);
	}
	mnl_socket_close(m.nl);
	usleep(100000);
	memset(a, 0xa5, m.size);
	CHECK(readable(a, m.size) == 1);
	/* A child of fork() must not have it. */
	fflush(stdout);
	if (!fork())
		_exit(readable(a, 4096) == 1 ? 1 : 0);
	{
		int st;

		wait(&st);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "the child reads the ring");
	}
	CHECK(munmap(a, m.size) == 0);
}

/* A second process maps the file through a fd it got by fork(): setup
 * stays refused until both mappings are gone.
 */
static void map_second_process_pins(void)
{
	struct mring m;
	int go[2], done[2], st;
	char c;
	char *a;
	pid_t pid;

	REQUIRE(mring_open(&m) == 0, "ring");
	REQUIRE(pipe(go) == 0 && pipe(done) == 0);
	fflush(stdout);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		char *b = mring_map(&m);

		if (b == MAP_FAILED)
			_exit(1);
		write(done[1], "m", 1);
		read(go[0], &c, 1);
		memset(b, 0x11, m.size);
		munmap(b, m.size);
		_exit(0);
	}
	REQUIRE(read(done[0], &c, 1) == 1);
	CHECK(resetup(&m) == EBUSY, "setup under another's mapping");
	a = mring_map(&m);
	CHECK(a != MAP_FAILED);
	write(go[1], "g", 1);
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(resetup(&m) == EBUSY, "setup under our mapping");
	munmap(a, m.size);
	CHECK(resetup(&m) == 0);
	mring_close(&m);
}

/* ------------------------------------------------------------------ */
/* Confused deputy through a user namespace.                            */
/* ------------------------------------------------------------------ */

/* nobody becomes root of a user namespace of its own, but keeps the
 * initial network namespace: its socket and ring are opened with full
 * capabilities in its namespace; init_net's privileged groups must stay
 * closed.
 */
static int userns_subscribe(void *arg)
{
	struct mnl_socket *nl;
	struct mnl_ring *r;
	uint16_t fam;
	int e1, e2, e3, e4;
	struct nlmmap_subscription sub = { .size = sizeof(sub),
					   .protocol = NETLINK_ROUTE,
					   .group = RTNLGRP_IPV4_MROUTE_R };

	(void)arg;
	if (unshare(CLONE_NEWUSER))
		return 100;
	r = ring_setup(&nl, &fam, 16, 4096, 0);
	if (!r)
		return 101;
	e1 = relay_cmd(nl, fam, NLMMAP_CMD_SUBSCRIBE, NETLINK_ROUTE,
		       RTNLGRP_IPV4_MROUTE_R);
	e2 = relay_cmd(nl, fam, NLMMAP_CMD_SUBSCRIBE, NETLINK_AUDIT,
		       AUDIT_NLGRP_READLOG);
	e3 = ioctl(mnl_ring_get_fd(r), NLMMAP_IOC_SUBSCRIBE, &sub) ? -errno : 0;
	sub.group = RTNLGRP_IPV6_MROUTE_R;
	e4 = ioctl(mnl_ring_get_fd(r), NLMMAP_IOC_SUBSCRIBE, &sub) ? -errno : 0;
	printf("# in a user namespace, init netns: cmd mroute %d, audit %d, "
	       "ioctl mroute4 %d, mroute6 %d\n", e1, e2, e3, e4);
	ring_teardown(r, nl);
	return (e1 == -EPERM && e2 == -EPERM && e3 == -EPERM &&
		e4 == -EPERM) ? 0 : 1;
}

static void deputy_userns_root_gets_no_init_groups(void)
{
	int err;

	err = as_user(65534, userns_subscribe, NULL);
	if (err == -EPERM)
		SKIP("cannot become nobody");
	if (err == 100)
		SKIP("no unprivileged user namespaces");
	CHECK(err == 0, "a privileged init_net group was joined: %d", err);
}


/* ------------------------------------------------------------------ */
/* Another user's unicast takes the place of a COPY frame's message.   */
/* ------------------------------------------------------------------ */

#define ECHO_SEQ	4242
#define ECHO_LEN	1500	/* payload: larger than a 512-byte frame */

struct forge {
	uint32_t portid;	/* the victim's */
	uint16_t family;
};

/* An ECHO reply of ECHO_LEN bytes of @fill, as the kernel would send it. */
static struct nlmsghdr *echo_reply(char *buf, uint16_t family,
				   uint32_t portid, char fill)
{
	char payload[ECHO_LEN];
	struct nlmsghdr *nlh = genl_req(buf, family, NLMMAP_CMD_ECHO, 0,
					ECHO_SEQ);

	nlh->nlmsg_flags = 0;
	nlh->nlmsg_pid = portid;
	memset(payload, fill, sizeof(payload));
	mnl_attr_put(nlh, NLMMAP_A_PAYLOAD, sizeof(payload), payload);
	return nlh;
}

static int forge_fn(void *arg)
{
	const struct forge *f = arg;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK,
				  .nl_pid = f->portid };
	char buf[8192];
	struct nlmsghdr *nlh = echo_reply(buf, f->family, f->portid, 'F');
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);

	if (fd < 0)
		return 2;
	if (sendto(fd, nlh, nlh->nlmsg_len, 0, (void *)&to, sizeof(to)) !=
	    (ssize_t)nlh->nlmsg_len) {
		if (errno == EPERM)
			return 4;
		printf("# nobody's sendto to port id %u: %s\n", f->portid,
		       strerror(errno));
		fflush(stdout);
		return 3;
	}
	close(fd);
	return 0;
}

struct echo_seen {
	int n, forged, real;
};

static int echo_cb(const struct nlmsghdr *nlh, void *data)
{
	struct echo_seen *e = data;
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == NLMMAP_A_PAYLOAD) {
			const char *p = mnl_attr_get_payload(a);

			e->n++;
			if (p[0] == 'F')
				e->forged++;
			else
				e->real++;
		}
	return MNL_CB_OK;
}

/* Attack refused by the netlink core (netlink_sendmsg(): a unicast to
 * a port id needs NL_CFG_F_NONROOT_SEND, which NETLINK_GENERIC lacks, or
 * CAP_NET_ADMIN in the netns's user namespace). Were it allowed, nobody
 * unicasts a message of the COPY frame's length, sequence number and type
 * to root's ring socket (any user may unicast to any NETLINK_GENERIC port
 * id); the library runs root's callback over nobody's message as the
 * frame's, and the kernel's real reply afterwards as a message "that came
 * without a frame". mnl_ring_rx_recv() never looks at the sender's
 * address (nl_pid 0 for the kernel).
 */
static void copy_frame_message_forged_by_another_user(void)
{
	struct mnl_socket *nl;
	struct mnl_ring *r;
	struct forge f;
	struct echo_seen e = {};
	char buf[16384], payload[ECHO_LEN];
	struct nlmsghdr *nlh;
	int err, i;

	r = ring_setup(&nl, &f.family, 16, 512, 0);
	REQUIRE(r, "ring");
	f.portid = mnl_socket_get_portid(nl);
	err = as_user(65534, forge_fn, &f);
	if (err == -EPERM)
		SKIP("cannot become nobody");
	if (err == 4) {
		/* EPERM: the forgery never reaches root's socket. */
		ring_teardown(r, nl);
		return;
	}
	REQUIRE(err == 0, "nobody's unicast: %d", err);
	/* root's request; its reply comes behind a COPY frame */
	nlh = genl_req(buf, f.family, NLMMAP_CMD_ECHO, 0, ECHO_SEQ);
	memset(payload, 'R', sizeof(payload));
	mnl_attr_put(nlh, NLMMAP_A_PAYLOAD, sizeof(payload), payload);
	REQUIRE(mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) ==
		(ssize_t)nlh->nlmsg_len);
	for (i = 0; i < 20 && e.n < 2; i++) {
		mnl_ring_wait(r, POLLIN, 200);
		rx_run(r, buf, sizeof(buf), ECHO_SEQ, echo_cb, &e, NULL, 0);
	}
	printf("# ECHO replies seen: %d (%d forged by nobody, %d real)\n",
	       e.n, e.forged, e.real);
	CHECK(e.forged == 0,
	      "nobody's unicast reached root's callback as a reply");
	ring_teardown(r, nl);
}

/* ------------------------------------------------------------------ */
/* Listener holds: never leaked by the order things close in.          */
/* ------------------------------------------------------------------ */

static void listeners_restore(void)
{
	write_param("relay_user_listeners", "256");
}

/* nobody, 2 listeners allowed: NETLINK_USERSOCK groups 1 and 2. Ends
 * its subscriptions by closing the socket first (ring file kept open),
 * then the file first (socket kept), then through a torn-down network
 * namespace of its own; each time it must subscribe again. Returns the
 * failing step, 0 for none.
 */
static int holds_fn(void *arg)
{
	struct mnl_socket *nl;
	struct mnl_ring *r;
	uint16_t fam;
	int round, fd, e;

	(void)arg;
	/* NETLINK_USERSOCK groups need CAP_NET_ADMIN to join: in a network
	 * namespace of nobody's own user namespace.
	 */
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return 0;	/* no user namespaces: nothing to try */
	for (round = 0; round < 3; round++) {
		if (round == 2 && unshare(CLONE_NEWNET))
			return 50;
		r = ring_setup(&nl, &fam, 8, 1024, 0);
		if (!r)
			return 10 + round;
		e = relay_cmd(nl, fam, NLMMAP_CMD_SUBSCRIBE, NETLINK_USERSOCK,
			      1);
		e = e ?: relay_cmd(nl, fam, NLMMAP_CMD_SUBSCRIBE,
				   NETLINK_USERSOCK, 2);
		if (e) {
			printf("# round %d: subscribing: %d\n", round, e);
			fflush(stdout);
			return 20 + round;
		}
		e = relay_cmd(nl, fam, NLMMAP_CMD_SUBSCRIBE, NETLINK_USERSOCK,
			      3);
		if (e != -EDQUOT) {
			printf("# round %d: a third listener: %d\n", round, e);
			fflush(stdout);
			return 30 + round;
		}
		fd = mnl_ring_get_fd(r);
		if (round == 0) {
			/* socket first; the ring file stays open a while */
			fd = dup(fd);
			mnl_socket_close(nl);
			usleep(100000);
			e = ioctl(fd, NLMMAP_IOC_SUBSCRIBE, &(struct
				  nlmmap_subscription){ .size = sizeof(struct
				  nlmmap_subscription), .protocol =
				  NETLINK_USERSOCK, .group = 4 }) ? -errno : 0;
			if (e != -ENOTCONN && e != -EPIPE)
				printf("# ioctl on a dead ring: %d\n", e);
			mnl_ring_unmap(r);
			close(fd);
		} else {
			mnl_ring_unmap(r);	/* file first */
			usleep(100000);
			mnl_socket_close(nl);
		}
		usleep(100000);
	}
	/* Round 2's namespace goes too; a fresh one for the last check. */
	if (unshare(CLONE_NEWNET))
		return 51;
	usleep(200000);
	r = ring_setup(&nl, &fam, 8, 1024, 0);
	if (!r)
		return 40;
	e = relay_cmd(nl, fam, NLMMAP_CMD_SUBSCRIBE, NETLINK_USERSOCK, 1);
	e = e ?: relay_cmd(nl, fam, NLMMAP_CMD_SUBSCRIBE, NETLINK_USERSOCK, 2);
	ring_teardown(r, nl);
	return e ? 41 : 0;
}

static void listener_holds_never_leak(void)
{
	int err;

	REQUIRE(write_param("relay_user_listeners", "2") == 0);
	err = as_user(65534, holds_fn, NULL);
	if (err == -EPERM)
		SKIP("cannot become nobody");
	CHECK(err == 0, "step %d", err);
}

TAP_MAIN(T(quota_provoked_replies_are_not_roots),
	 T(map_mremap_keeps_pages), T(map_splits_keep_pages),
	 T(map_madvise_variants), T(map_remote_access_refused),
	 T(map_outlives_file_and_socket), T(map_second_process_pins),
	 T(deputy_userns_root_gets_no_init_groups),
	 T(copy_frame_message_forged_by_another_user),
	 TT(listener_holds_never_leak, listeners_restore))
