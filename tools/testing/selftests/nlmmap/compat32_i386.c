// SPDX-License-Identifier: GPL-2.0
/*
 * The uAPI from a 32-bit program: built with -m32 -static against the
 * uAPI headers alone (no libmnl), embedded in compat32 and run by it, which
 * skips when the kernel cannot run i386 programs. It makes the calls the
 * 64-bit tests make and expects the same answers: open, bind, setup (and
 * its refusals), mmap, RX frames of kernel messages (a COPY frame among
 * them) and of a dump driven by poll(), TX requests run by a kick and by
 * poll(), an invalid TX frame, an overrun and its clearing, and relay
 * subscriptions by ioctl (rtnetlink's link group, a generic netlink group
 * by name).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>

#include "tap.h"
#include "uapi_layout.h"

#define BUF_SIZE	(1 << 16)

static char buf[BUF_SIZE];

struct nl {
	int fd;
	uint32_t portid;
};

struct ring {
	struct nl nl;
	uint16_t family;
	int fd;
	struct nlmmap_setup s;
	char *map;
	struct nlmmap_ctrl *ctrl;
	uint32_t rx_pos, tx_pos;
};

static int nl_open(struct nl *nl, int protocol, uint32_t groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	socklen_t len = sizeof(sa);
	int err;

	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (nl->fd < 0)
		return -errno;
	if (bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(nl->fd, (struct sockaddr *)&sa, &len)) {
		err = -errno;
		close(nl->fd);
		return err;
	}
	nl->portid = sa.nl_pid;
	return 0;
}

/* @len more bytes, zeroed, at the (aligned) end of the message. */
static void *msg_put(struct nlmsghdr *nlh, size_t len)
{
	char *p = (char *)nlh + NLMSG_ALIGN(nlh->nlmsg_len);

	memset(p, 0, NLMSG_ALIGN(len));
	nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + len;
	return p;
}

static struct nlmsghdr *msg_start(void *mem, uint16_t type, uint16_t flags,
				  uint32_t seq)
{
	struct nlmsghdr *nlh = mem;

	memset(nlh, 0, NLMSG_HDRLEN);
	nlh->nlmsg_len = NLMSG_HDRLEN;
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}

static struct nlmsghdr *genl_start(void *mem, uint16_t family, uint8_t cmd,
				   uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = msg_start(mem, family, flags, seq);
	struct genlmsghdr *g = msg_put(nlh, GENL_HDRLEN);

	g->cmd = cmd;
	g->version = family == GENL_ID_CTRL ? 2 : NLMMAP_GENL_VERSION;
	return nlh;
}

static void attr_put(struct nlmsghdr *nlh, uint16_t type, const void *data,
		     uint16_t len)
{
	struct nlattr *a = msg_put(nlh, NLA_HDRLEN + len);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
}

static void attr_put_u32(struct nlmsghdr *nlh, uint16_t type, uint32_t v)
{
	attr_put(nlh, type, &v, sizeof(v));
}

/* Attribute @type among those from @p to @end, or NULL. */
static const struct nlattr *attr_find(const void *p, const void *end,
				      uint16_t type)
{
	const char *c = p;

	while (c + NLA_HDRLEN <= (const char *)end) {
		const struct nlattr *a = (const void *)c;

		if (a->nla_len < NLA_HDRLEN || c + a->nla_len > (const char *)end)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		c += NLA_ALIGN(a->nla_len);
	}
	return NULL;
}

/* Attribute @type of a generic netlink message, or NULL. */
static const struct nlattr *genl_attr(const struct nlmsghdr *nlh,
				      uint16_t type)
{
	return attr_find((const char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN,
			 (const char *)nlh + nlh->nlmsg_len, type);
}

static const void *attr_data(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static uint32_t attr_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, attr_data(a), sizeof(v));
	return v;
}

static const struct nlattr *nest_find(const struct nlattr *nest,
				      uint16_t type)
{
	return attr_find(attr_data(nest), (const char *)nest + nest->nla_len,
			 type);
}

static int genl_cmd(const struct nlmsghdr *nlh)
{
	return ((const struct genlmsghdr *)NLMSG_DATA(nlh))->cmd;
}

/* Send @nlh; the first answer to its sequence number into @ans (@len
 * bytes): 0, or -errno for a failed call or an NLMSG_ERROR.
 */
static int request(struct nl *nl, struct nlmsghdr *nlh, void *ans, size_t len)
{
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;

	if (send(nl->fd, nlh, nlh->nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *m = ans;

		n = recv(nl->fd, ans, len, 0);
		if (n < 0)
			return -errno;
		for (; NLMSG_OK(m, n); m = NLMSG_NEXT(m, n)) {
			if (m->nlmsg_seq != seq)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(m))->error;
			if (m != ans)
				memmove(ans, m, m->nlmsg_len);
			return 0;
		}
	}
}

/* The id of generic netlink family @name and, with @grp, of its multicast
 * group @grp in *@grp_id; 0 or -errno.
 */
static int genl_family(const char *name, uint16_t *id, const char *grp,
		       uint32_t *grp_id)
{
	static char req[256];
	const struct nlattr *a, *g;
	struct nlmsghdr *nlh;
	struct nl nl;
	int err;

	err = nl_open(&nl, NETLINK_GENERIC, 0);
	if (err)
		return err;
	nlh = genl_start(req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 1);
	attr_put(nlh, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	err = request(&nl, nlh, buf, sizeof(buf));
	close(nl.fd);
	if (err)
		return err;
	nlh = (struct nlmsghdr *)buf;
	a = genl_attr(nlh, CTRL_ATTR_FAMILY_ID);
	if (!a)
		return -EPROTO;
	memcpy(id, attr_data(a), sizeof(*id));
	if (!grp)
		return 0;
	a = genl_attr(nlh, CTRL_ATTR_MCAST_GROUPS);
	if (!a)
		return -ENOENT;
	for (g = attr_data(a); (const char *)g + NLA_HDRLEN <=
	     (const char *)a + a->nla_len && g->nla_len >= NLA_HDRLEN;
	     g = (const void *)((const char *)g + NLA_ALIGN(g->nla_len))) {
		const struct nlattr *n = nest_find(g, CTRL_ATTR_MCAST_GRP_NAME);
		const struct nlattr *i = nest_find(g, CTRL_ATTR_MCAST_GRP_ID);

		if (n && i && !strcmp(attr_data(n), grp)) {
			*grp_id = attr_u32(i);
			return 0;
		}
	}
	return -ENOENT;
}

/* The geometry of @frames frames of @size bytes, one page per block. */
static struct nl_mmap_req geometry(unsigned int frames, unsigned int size)
{
	unsigned int page = sysconf(_SC_PAGESIZE), per = page / size;

	return (struct nl_mmap_req){
		.nm_block_size = page,
		.nm_block_nr = (frames + per - 1) / per,
		.nm_frame_size = size,
		.nm_frame_nr = (frames + per - 1) / per * per,
	};
}

/* NLMMAP_CMD_BIND of ring file @fd to @nl; 0 or -errno. */
static int bind_ring(struct nl *nl, uint16_t family, int fd)
{
	static char req[256];
	struct nlmsghdr *nlh;

	nlh = genl_start(req, family, NLMMAP_CMD_BIND, NLM_F_ACK, 2);
	attr_put_u32(nlh, NLMMAP_A_RING_FD, fd);
	return request(nl, nlh, buf, sizeof(buf));
}

static void ring_close(void *arg)
{
	struct ring *r = arg;

	if (r->map)
		munmap(r->map, r->s.off.size);
	if (r->fd >= 0)
		close(r->fd);
	if (r->nl.fd >= 0)
		close(r->nl.fd);
}

/* A socket with a bound ring file, set up and mapped; 0 or -errno. */
static int ring_open(struct ring *r, unsigned int rx_frames,
		     unsigned int frame_size, unsigned int tx_frames)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->nl.fd = -1;
	tap_defer(ring_close, r);
	err = genl_family(NLMMAP_GENL_NAME, &r->family, NULL, NULL);
	if (err)
		return err;
	err = nl_open(&r->nl, NETLINK_GENERIC, 0);
	if (err)
		return err;
	r->fd = open(NLMMAP_DEVICE, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	err = bind_ring(&r->nl, r->family, r->fd);
	if (err)
		return err;
	r->s.size = sizeof(r->s);
	r->s.rx = geometry(rx_frames, frame_size);
	if (tx_frames)
		r->s.tx = geometry(tx_frames, frame_size);
	if (ioctl(r->fd, NLMMAP_IOC_SETUP, &r->s))
		return -errno;
	r->map = mmap(NULL, r->s.off.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      r->fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -errno;
	}
	r->ctrl = (struct nlmmap_ctrl *)(r->map + r->s.off.ctrl);
	return 0;
}

static struct nl_mmap_hdr *rx_frame(struct ring *r, uint32_t pos)
{
	return nlmmap_frame(r->map + r->s.off.rx, &r->s.rx,
			    pos % r->s.rx.nm_frame_nr);
}

static struct nl_mmap_hdr *tx_frame(struct ring *r, uint32_t pos)
{
	return nlmmap_frame(r->map + r->s.off.tx, &r->s.tx,
			    pos % r->s.tx.nm_frame_nr);
}

/*
 * The next message frame's bytes into @out (@len bytes), the frame
 * released: its length, 0 when nothing is ready, -errno. A COPY frame's
 * message is received from the socket, and must have the frame's length.
 */
static int rx_read(struct ring *r, void *out, size_t len)
{
	struct nl_mmap_hdr *f;
	unsigned int st;
	ssize_t n;
	uint32_t len32;

	for (;;) {
		f = rx_frame(r, r->rx_pos);
		st = nlmmap_rx_next(r->ctrl, f, r->rx_pos);
		if (st == NLMMAP_STATUS_VALID && !f->nm_len)
			nlmmap_frame_release(f);	/* a hole */
		else if (st != NLMMAP_STATUS_SKIP)
			break;
		r->rx_pos++;
	}
	if (st != NLMMAP_STATUS_VALID && st != NLMMAP_STATUS_COPY)
		return 0;
	len32 = f->nm_len;
	if (st == NLMMAP_STATUS_VALID) {
		n = len32;
		if (len32 > r->s.rx.nm_frame_size - NLMMAP_HDRLEN || len32 > len)
			n = -EMSGSIZE;
		else
			memcpy(out, nlmmap_frame_data(f), len32);
	} else {
		n = recv(r->nl.fd, out, len, MSG_DONTWAIT);
		if (n < 0)
			n = -errno;
		else if ((uint32_t)n != len32)
			n = -EPROTO;
	}
	nlmmap_frame_release(f);
	r->rx_pos++;
	return n;
}

static short poll_fd(int fd, short events, int timeout)
{
	struct pollfd p = { .fd = fd, .events = events };

	return poll(&p, 1, timeout) == 1 ? p.revents : 0;
}

/* Send a BENCH request of @count messages of @size bytes on the socket. */
static int bench(struct ring *r, uint32_t count, uint32_t size,
		 uint16_t flags, uint32_t seq)
{
	static char req[256];
	struct nlmsghdr *nlh;

	nlh = genl_start(req, r->family, NLMMAP_CMD_BENCH, flags, seq);
	attr_put_u32(nlh, NLMMAP_A_COUNT, count);
	attr_put_u32(nlh, NLMMAP_A_SIZE, size);
	return send(r->nl.fd, nlh, nlh->nlmsg_len, 0) < 0 ? -errno : 0;
}

/* A BENCH_MSG of @size bytes numbered @seq (payload bytes (u8)@seq). */
static int bench_msg_ok(const struct nlmsghdr *nlh, uint32_t seq,
			uint32_t size)
{
	const struct nlattr *s = genl_attr(nlh, NLMMAP_A_SEQ);
	const struct nlattr *p = genl_attr(nlh, NLMMAP_A_PAYLOAD);
	const uint8_t *b;
	uint32_t i;

	if (genl_cmd(nlh) != NLMMAP_CMD_BENCH_MSG || !s || !p ||
	    attr_u32(s) != seq || p->nla_len != NLA_HDRLEN + size)
		return 0;
	for (b = attr_data(p), i = 0; i < size; i++)
		if (b[i] != (uint8_t)seq)
			return 0;
	return 1;
}

/* Put a request into the next TX frame and publish it with nm_len @len
 * (0: the request's length).
 */
static struct nl_mmap_hdr *tx_put(struct ring *r, const struct nlmsghdr *nlh,
				  uint32_t len)
{
	struct nl_mmap_hdr *f = tx_frame(r, r->tx_pos);

	if (!len)
		len = nlh->nlmsg_len;

	if (nlmmap_frame_status(f) != NLMMAP_STATUS_UNUSED)
		return NULL;
	memcpy(nlmmap_frame_data(f), nlh, nlh->nlmsg_len);
	f->nm_len = len;
	nlmmap_frame_publish(f, NLMMAP_STATUS_VALID);
	r->tx_pos++;
	return f;
}

static struct nlmsghdr *echo_req(struct ring *r, const char *payload,
				 uint32_t seq)
{
	static char req[512];
	struct nlmsghdr *nlh;

	nlh = genl_start(req, r->family, NLMMAP_CMD_ECHO, NLM_F_ACK, seq);
	attr_put(nlh, NLMMAP_A_PAYLOAD, payload, strlen(payload) + 1);
	return nlh;
}

/* The next frame is the ECHO answer of @payload, then its ack (@seq). */
static int echo_answered(struct ring *r, const char *payload, uint32_t seq)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	const struct nlattr *p;
	int n;

	n = rx_read(r, buf, sizeof(buf));
	if (n <= 0 || !NLMSG_OK(nlh, n) || nlh->nlmsg_seq != seq ||
	    nlh->nlmsg_type != r->family || genl_cmd(nlh) != NLMMAP_CMD_ECHO) {
		printf("# no ECHO answer %u: %d\n", seq, n);
		return 0;
	}
	p = genl_attr(nlh, NLMMAP_A_PAYLOAD);
	if (!p || strcmp(attr_data(p), payload)) {
		printf("# ECHO %u: not the payload sent\n", seq);
		return 0;
	}
	n = rx_read(r, buf, sizeof(buf));
	if (n <= 0 || nlh->nlmsg_type != NLMSG_ERROR ||
	    nlh->nlmsg_seq != seq ||
	    ((struct nlmsgerr *)NLMSG_DATA(nlh))->error) {
		printf("# no ack %u: %d\n", seq, n);
		return 0;
	}
	return 1;
}

static void runs_as_i386(void)
{
	CHECK(sizeof(void *) == 4 && sizeof(long) == 4,
	      "pointers of %zu bytes", sizeof(void *));
#ifndef __i386__
	CHECK(0, "not built for i386");
#endif
}

static void setup_and_mmap(void)
{
	struct {
		struct nlmmap_setup s;
		uint64_t more;
	} big = { { .size = sizeof(big) }, 1 };
	struct nlmmap_setup s = { .size = sizeof(s) };
	uint32_t portid = 0, rx_size, tx_size, i;
	uint32_t want = NLMMAP_FEAT_RX_HEAD | NLMMAP_FEAT_BIND_GENL |
			NLMMAP_FEAT_BUDGETS | NLMMAP_FEAT_WAKE_BATCH |
			NLMMAP_FEAT_DUMP_PACK | NLMMAP_FEAT_RELAY |
			NLMMAP_FEAT_RELAY_IOC | NLMMAP_FEAT_TX_FAMILIES;
	struct nl nl;
	uint16_t family;
	void *map;
	int fd;

	REQUIRE(genl_family(NLMMAP_GENL_NAME, &family, NULL, NULL) == 0);
	REQUIRE(nl_open(&nl, NETLINK_GENERIC, 0) == 0);
	fd = open(NLMMAP_DEVICE, O_RDWR | O_CLOEXEC);
	REQUIRE(fd >= 0);
	errno = 0;
	CHECK(ioctl(fd, NLMMAP_IOC_BOUND, &portid) == -1 && errno == ENOTCONN);
	CHECK(ioctl(fd, _IO(NLMMAP_IOC_MAGIC, 99)) == -1 && errno == ENOTTY);
	REQUIRE(bind_ring(&nl, family, fd) == 0);
	CHECK(ioctl(fd, NLMMAP_IOC_BOUND, &portid) == 0 &&
	      portid == nl.portid, "bound to %u, socket %u", portid,
	      nl.portid);

	/* The refusals of NLMMAP_IOC_SETUP, as for 64-bit callers. */
	s.rx = geometry(8, 1024);
	s.size = NLMMAP_SETUP_SIZE_V1 - 8;
	errno = 0;
	CHECK(ioctl(fd, NLMMAP_IOC_SETUP, &s) == -1 && errno == EINVAL);
	s.size = sizeof(s);
	s.resv[3] = 1;
	errno = 0;
	CHECK(ioctl(fd, NLMMAP_IOC_SETUP, &s) == -1 && errno == EINVAL);
	s.resv[3] = 0;
	s.flags = 1U << 31;
	errno = 0;
	CHECK(ioctl(fd, NLMMAP_IOC_SETUP, &s) == -1 && errno == EINVAL);
	s.flags = 0;
	big.s.rx = s.rx;
	errno = 0;
	CHECK(ioctl(fd, _IOWR(NLMMAP_IOC_MAGIC, 1, big), &big) == -1 &&
	      errno == E2BIG);
	big.more = 0;
	errno = 0;
	CHECK(ioctl(fd, _IOWR(NLMMAP_IOC_MAGIC, 1, big), &big) == 0,
	      "grown SETUP: %s", strerror(errno));

	/* The answer lands in the fields of this ABI's layout. */
	s.rx = geometry(16, 2048);
	s.tx = geometry(4, 1024);
	REQUIRE(ioctl(fd, NLMMAP_IOC_SETUP, &s) == 0);
	rx_size = s.rx.nm_block_size * s.rx.nm_block_nr;
	tx_size = s.tx.nm_block_size * s.tx.nm_block_nr;
	CHECK((s.features & want) == want, "features %#x", s.features);
	CHECK(s.off.rx == 0 && s.off.tx == rx_size &&
	      s.off.ctrl == rx_size + tx_size &&
	      s.off.size == s.off.ctrl + NLMMAP_CTRL_SIZE,
	      "offsets %llu %llu %llu %llu", (unsigned long long)s.off.rx,
	      (unsigned long long)s.off.tx, (unsigned long long)s.off.ctrl,
	      (unsigned long long)s.off.size);
	CHECK(!s.resv[0] && !s.resv[1] && !s.resv[2] && !s.resv[3]);
	CHECK(s.size == sizeof(s) && s.rx.nm_frame_nr == 16 &&
	      s.tx.nm_frame_nr == 4, "the request is given back");

	errno = 0;
	CHECK(mmap(NULL, s.off.size, PROT_READ | PROT_EXEC, MAP_SHARED, fd,
		   0) == MAP_FAILED && errno == EPERM, "PROT_EXEC");
	map = mmap(NULL, s.off.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(map != MAP_FAILED);
	CHECK(nlmmap_ctrl_rx_head(nlmmap_ctrl(map, &s.off)) == 0);
	for (i = 0; i < 16; i++)
		CHECK(nlmmap_frame_status(nlmmap_frame(map, &s.rx, i)) ==
		      NLMMAP_STATUS_UNUSED);
	for (i = 0; i < 4; i++)
		CHECK(nlmmap_frame_status(nlmmap_frame((char *)map + s.off.tx,
						       &s.tx, i)) ==
		      NLMMAP_STATUS_UNUSED);
	/* Rings in use keep their geometry. */
	errno = 0;
	CHECK(ioctl(fd, NLMMAP_IOC_SETUP, &s) == -1 && errno == EBUSY);
	CHECK(munmap(map, s.off.size) == 0);
	close(fd);
	close(nl.fd);
}

static void rx_frames_of_kernel_messages(void)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	const struct nlattr *a;
	struct nl_mmap_hdr *f;
	struct ring r;
	uint32_t i;
	int n;

	REQUIRE(ring_open(&r, 16, 1024, 0) == 0);
	CHECK(!(poll_fd(r.fd, POLLIN, 0) & POLLIN));
	REQUIRE(bench(&r, 10, 100, 0, 7) == 0);
	CHECK(poll_fd(r.fd, POLLIN, 0) & POLLIN);
	CHECK(nlmmap_ctrl_rx_head(r.ctrl) == 11, "rx_head %u",
	      nlmmap_ctrl_rx_head(r.ctrl));
	for (i = 0; i < 10; i++) {
		n = rx_read(&r, buf, sizeof(buf));
		CHECK(n > 0 && NLMSG_OK(nlh, n) && nlh->nlmsg_seq == 7 &&
		      bench_msg_ok(nlh, i, 100), "message %u: %d", i, n);
	}
	n = rx_read(&r, buf, sizeof(buf));
	a = n > 0 ? genl_attr(nlh, NLMMAP_A_COUNT) : NULL;
	CHECK(a && genl_cmd(nlh) == NLMMAP_CMD_BENCH && attr_u32(a) == 10,
	      "the summary");
	CHECK(rx_read(&r, buf, sizeof(buf)) == 0, "nothing more");

	/* Larger than a frame: a COPY frame, the message on the socket. */
	REQUIRE(bench(&r, 1, 1500, 0, 8) == 0);
	f = rx_frame(&r, r.rx_pos);
	CHECK(nlmmap_frame_status(f) == NLMMAP_STATUS_COPY &&
	      f->nm_group == 8 && f->nm_pid == r.family,
	      "status %u seq %u type %u", f->nm_status, f->nm_group,
	      f->nm_pid);
	n = rx_read(&r, buf, sizeof(buf));
	CHECK(n > 1500 && bench_msg_ok(nlh, 0, 1500), "COPY: %d", n);
	n = rx_read(&r, buf, sizeof(buf));
	a = n > 0 ? genl_attr(nlh, NLMMAP_A_COUNT) : NULL;
	CHECK(a && attr_u32(a) == 1, "the summary of the COPY");
	CHECK(nlmmap_ctrl_rx_head(r.ctrl) == 13);
}

/* A dump of 3,000 objects through 16 frames, resumed by poll(). */
static void dump_through_the_ring(void)
{
	uint32_t next = 0, frames = 0, polls = 0;
	int done = 0, bad = 0, n, rest;
	struct nlmsghdr *nlh;
	struct ring r;

	REQUIRE(ring_open(&r, 16, 512, 0) == 0);
	REQUIRE(bench(&r, 3000, 8, NLM_F_DUMP, 9) == 0);
	while (!done && !bad) {
		n = rx_read(&r, buf, sizeof(buf));
		if (n < 0) {
			CHECK(0, "rx_read: %d", n);
			return;
		}
		if (!n) {
			/* poll() resumes the dump; it reports what it made. */
			polls++;
			CHECK(poll_fd(r.fd, POLLIN, -1) & POLLIN);
			continue;
		}
		frames++;
		for (nlh = (struct nlmsghdr *)buf, rest = n;
		     NLMSG_OK(nlh, rest) && !done;
		     nlh = NLMSG_NEXT(nlh, rest)) {
			if (nlh->nlmsg_type == NLMSG_DONE)
				done = 1;
			else if (!(nlh->nlmsg_flags & NLM_F_MULTI) ||
				 nlh->nlmsg_seq != 9 ||
				 !bench_msg_ok(nlh, next++, 8))
				bad++;
		}
	}
	CHECK(done && !bad && next == 3000, "%u objects, %d bad, done %d",
	      next, bad, done);
	CHECK(polls > 0 && frames > 16, "%u frames, %u polls", frames, polls);
	CHECK(rx_read(&r, buf, sizeof(buf)) == 0, "nothing after DONE");
}

static void tx_requests_by_kick_and_poll(void)
{
	struct nlmsghdr *nlh;
	struct nl_mmap_hdr *f;
	struct nlmsgerr *e;
	struct ring r;
	short ev;
	int n;

	REQUIRE(ring_open(&r, 16, 1024, 4) == 0);
	ev = poll_fd(r.fd, POLLIN | POLLOUT, 0);
	CHECK((ev & POLLOUT) && !(ev & (POLLIN | POLLERR)), "revents %#x", ev);
	CHECK(ioctl(r.fd, NLMMAP_IOC_KICK) == 0, "nothing to do");

	f = tx_put(&r, echo_req(&r, "from i386, kicked", 21), 0);
	REQUIRE(f);
	CHECK(ioctl(r.fd, NLMMAP_IOC_KICK) == 1, "one frame");
	CHECK(nlmmap_frame_status(f) == NLMMAP_STATUS_UNUSED);
	CHECK(poll_fd(r.fd, POLLIN, 0) & POLLIN);
	CHECK(echo_answered(&r, "from i386, kicked", 21));

	/* poll() runs what the TX ring holds, and reports its answer. */
	f = tx_put(&r, echo_req(&r, "from i386, polled", 22), 0);
	REQUIRE(f);
	CHECK(poll_fd(r.fd, POLLIN, -1) & POLLIN);
	CHECK(nlmmap_frame_status(f) == NLMMAP_STATUS_UNUSED);
	CHECK(echo_answered(&r, "from i386, polled", 22));
	CHECK(ioctl(r.fd, NLMMAP_IOC_KICK) == 0);

	/* A frame shorter than its request: refused and answered. */
	nlh = echo_req(&r, "cut short", 23);
	REQUIRE(tx_put(&r, nlh, NLMSG_HDRLEN + GENL_HDRLEN));
	CHECK(ioctl(r.fd, NLMMAP_IOC_KICK) == 1);
	nlh = (struct nlmsghdr *)buf;
	n = rx_read(&r, buf, sizeof(buf));
	e = NLMSG_DATA(nlh);
	CHECK(n > 0 && nlh->nlmsg_type == NLMSG_ERROR &&
	      nlh->nlmsg_seq == 23 && e->error == -EINVAL, "%d", n);
	CHECK(rx_read(&r, buf, sizeof(buf)) == 0);
}

static void overrun_is_signalled_and_cleared(void)
{
	struct ring r;
	int n = 0;

	REQUIRE(ring_open(&r, 16, 512, 0) == 0);
	CHECK(!(poll_fd(r.fd, POLLIN, 0) & POLLERR));
	CHECK(ioctl(r.fd, NLMMAP_IOC_CLEAR_ERR) == 0);
	/* 41 messages (with the summary) for 16 frames. */
	REQUIRE(bench(&r, 40, 32, 0, 10) == 0);
	CHECK(poll_fd(r.fd, POLLIN, 0) & POLLERR);
	errno = 0;
	CHECK(recv(r.nl.fd, buf, sizeof(buf), MSG_DONTWAIT) == -1 &&
	      errno == ENOBUFS, "the socket reports the overrun");
	while (rx_read(&r, buf, sizeof(buf)) > 0)
		n++;
	CHECK(n == 16, "%d frames", n);
	n = ioctl(r.fd, NLMMAP_IOC_CLEAR_ERR);
	CHECK(n == 25, "%d drops", n);
	CHECK(!(poll_fd(r.fd, POLLIN, 0) & POLLERR));
	CHECK(ioctl(r.fd, NLMMAP_IOC_CLEAR_ERR) == 0);
}

/* Set lo up or down: one RTM_NEWLINK each time. */
static int lo_set(struct nl *rt, int up, uint32_t seq)
{
	static char req[256];
	struct nlmsghdr *nlh = msg_start(req, RTM_NEWLINK, NLM_F_ACK, seq);
	struct ifinfomsg *ifi = msg_put(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = if_nametoindex("lo");
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return request(rt, nlh, buf, sizeof(buf));
}

static int sub_ioctl(struct ring *r, unsigned long cmd,
		     struct nlmmap_subscription *s)
{
	s->size = sizeof(*s);
	return ioctl(r->fd, cmd, s) ? -errno : 0;
}

static void subscriptions_by_ioctl(void)
{
	static char sock_ev[BUF_SIZE];
	struct nlmmap_subscription link = {
		.protocol = NETLINK_ROUTE, .group = RTNLGRP_LINK,
	}, ctrl = {
		.protocol = NETLINK_GENERIC, .family = "nlctrl",
		.name = "notify",
	};
	uint32_t notify = 0, i, events = 0;
	struct nl rt, listener;
	struct nl_mmap_hdr *f;
	struct ring r;
	uint16_t id;
	ssize_t n;
	int err;

	if (unshare(CLONE_NEWNET))
		SKIP("no network namespaces here");
	REQUIRE(ring_open(&r, 64, 2048, 0) == 0);
	REQUIRE(nl_open(&rt, NETLINK_ROUTE, 0) == 0);
	REQUIRE(nl_open(&listener, NETLINK_ROUTE,
			1U << (RTNLGRP_LINK - 1)) == 0);
	CHECK(sub_ioctl(&r, NLMMAP_IOC_SUBSCRIBE, &link) == 0);
	CHECK(sub_ioctl(&r, NLMMAP_IOC_SUBSCRIBE, &link) == -EEXIST);

	/* Four events, in the ring as a plain member of the group gets them. */
	for (i = 0; i < 4; i++)
		REQUIRE(lo_set(&rt, !(i % 2), 100 + i) == 0);
	while ((n = recv(listener.fd, sock_ev, sizeof(sock_ev),
			 MSG_DONTWAIT)) > 0) {
		struct nlmsghdr *ev = (struct nlmsghdr *)sock_ev;
		int rest = n;

		for (; NLMSG_OK(ev, rest); ev = NLMSG_NEXT(ev, rest)) {
			f = rx_frame(&r, r.rx_pos);
			CHECK(f->nm_group == RTNLGRP_LINK, "nm_group %u",
			      f->nm_group);
			n = rx_read(&r, buf, sizeof(buf));
			CHECK(n == (ssize_t)ev->nlmsg_len &&
			      !memcmp(buf, ev, n) &&
			      ev->nlmsg_type == RTM_NEWLINK,
			      "event %u: %zd bytes in the ring, %u sent", events,
			      n, ev->nlmsg_len);
			events++;
		}
	}
	CHECK(events >= 4, "%u events", events);
	CHECK(rx_read(&r, buf, sizeof(buf)) == 0, "no more in the ring");

	/* A generic netlink group by name: its number comes back. */
	REQUIRE(genl_family("nlctrl", &id, "notify", &notify) == 0);
	err = sub_ioctl(&r, NLMMAP_IOC_SUBSCRIBE, &ctrl);
	CHECK(err == 0 && ctrl.group == notify, "%d: group %u, nlctrl says %u",
	      err, ctrl.group, notify);
	ctrl.family[0] = '\0';
	ctrl.name[0] = '\0';
	CHECK(sub_ioctl(&r, NLMMAP_IOC_UNSUBSCRIBE, &ctrl) == 0);
	CHECK(sub_ioctl(&r, NLMMAP_IOC_UNSUBSCRIBE, &link) == 0);
	CHECK(sub_ioctl(&r, NLMMAP_IOC_UNSUBSCRIBE, &link) == -ENOENT);
	REQUIRE(lo_set(&rt, 1, 200) == 0);
	CHECK(rx_read(&r, buf, sizeof(buf)) == 0, "unsubscribed");
	close(rt.fd);
	close(listener.fd);
}

TAP_MAIN(T(runs_as_i386), T(setup_and_mmap), T(rx_frames_of_kernel_messages),
	 T(dump_through_the_ring), T(tx_requests_by_kick_and_poll),
	 T(overrun_is_signalled_and_cleared), T(subscriptions_by_ioctl))
