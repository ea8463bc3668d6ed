// SPDX-License-Identifier: GPL-2.0
/*
 * Dumps into the RX ring, driven by poll(): a million objects through 64
 * frames, a reader that stops (the kernel stays idle), the ring or the
 * module going away mid-dump, NLM_F_DUMP_INTR, one dump per ring, the
 * socket path for plain libmnl and libnl-3 clients.
 */
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "tap.h"
#include "util.h"

static uint16_t family;
static char buf[1 << 17];

struct table {
	uint64_t objects;	/* BENCH_MSG or RING_GET messages */
	uint64_t next;		/* the SEQ expected next */
	uint64_t disorder;
	uint64_t bad_payload;
	uint32_t size;
	int intr;		/* messages with NLM_F_DUMP_INTR */
	int done_intr;
};

static int table_attr(const struct nlattr *attr, void *data)
{
	struct table *t = data;
	const uint8_t *p;
	uint32_t i;

	switch (mnl_attr_get_type(attr)) {
	case NLMMAP_A_SEQ:
		if (mnl_attr_get_u32(attr) != t->next)
			t->disorder++;
		t->next = mnl_attr_get_u32(attr) + 1;
		break;
	case NLMMAP_A_PAYLOAD:
		p = mnl_attr_get_payload(attr);
		if (mnl_attr_get_payload_len(attr) != t->size)
			t->bad_payload++;
		for (i = 0; i < mnl_attr_get_payload_len(attr); i++)
			if (p[i] != (uint8_t)(t->next - 1)) {
				t->bad_payload++;
				break;
			}
		break;
	}
	return MNL_CB_OK;
}

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct table *t = data;

	t->objects++;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->intr++;
	return mnl_attr_parse(nlh, GENL_HDRLEN, table_attr, data);
}

static struct nlmsghdr *dump_req(char *req, uint8_t cmd, uint32_t count,
				 uint32_t size, uint32_t seq)
{
	struct nlmsghdr *nlh = genl_req(req, family, cmd, 0, seq);

	/* Flags are the sender's: NLM_F_DUMP on the socket, or the library. */
	nlh->nlmsg_flags = 0;
	if (cmd == NLMMAP_CMD_BENCH) {
		mnl_attr_put_u32(nlh, NLMMAP_A_COUNT, count);
		mnl_attr_put_u32(nlh, NLMMAP_A_SIZE, size);
	}
	return nlh;
}

/* Send a dump request on the socket, as plain netlink clients do. */
static int send_dump(struct mnl_socket *nl, char *req, uint8_t cmd,
		     uint32_t count, uint32_t size, uint32_t seq)
{
	struct nlmsghdr *nlh = dump_req(req, cmd, count, size, seq);

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	return mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) > 0 ? 0 : -1;
}

/* A million objects on the stock kernel; a tenth of that under KASAN. */
static uint32_t big_dump(void)
{
	const char *k = getenv("NLMMAP_KERNEL");

	return k && !strcmp(k, "debug") ? 100000 : 1000000;
}

static void million_objects_through_64_frames(void)
{
	uint32_t count = big_dump();
	struct mnl_socket *nl;
	struct table t = { .size = 8 };
	struct mnl_ring *r;
	char req[128];
	int ret;

	r = ring_setup(&nl, &family, 64, 256, 4);
	REQUIRE(r);
	ret = mnl_ring_dump(r, dump_req(req, NLMMAP_CMD_BENCH, count, 8, 77),
			    buf, sizeof(buf), table_cb, &t, 10000);
	CHECK(ret == MNL_CB_STOP, "ret %d", ret);
	CHECK(t.objects == count, "%llu objects", (unsigned long long)t.objects);
	CHECK(t.next == count && !t.disorder && !t.bad_payload,
	      "next %llu, %llu out of order, %llu bad",
	      (unsigned long long)t.next, (unsigned long long)t.disorder,
	      (unsigned long long)t.bad_payload);
	CHECK(mnl_ring_clear_error(r) == 0, "nothing was dropped");
	ring_teardown(r, nl);
}

/*
 * The review's case: the reader holds frames at random and releases them
 * at random times, some exactly as the kernel comes around to them. With
 * the kernel's published position (ctrl->rx_head) the reader never takes a
 * released frame for a new one, so every object arrives once and in
 * order. Before, tens of thousands of a million came a lap late.
 */
static void random_holds_keep_order(void)
{
	uint32_t count = big_dump() / 2, held_n = 0, i;
	struct nl_mmap_hdr *held[48];
	unsigned int seed = 7;
	struct mnl_socket *nl;
	struct table t = { .size = 8 };
	struct mnl_ring *r;
	int ret = MNL_CB_OK, rounds = 0;
	char req[128];

	r = ring_setup(&nl, &family, 64, 256, 4);
	REQUIRE(r);
	REQUIRE(send_dump(nl, req, NLMMAP_CMD_BENCH, count, 8, 21) == 0);
	while (ret > 0 && rounds < 10000000) {
		struct nl_mmap_hdr *f;
		int hold;

		rounds++;
		/* Release a held frame now and then: at any time. */
		if (held_n && !(rand_r(&seed) % 3)) {
			i = rand_r(&seed) % held_n;
			mnl_ring_frame_release(held[i]);
			held[i] = held[--held_n];
		}
		f = rx_frame_next(r);
		if (!f) {
			/* Nothing new: give a held frame back (the dump may
			 * wait for room) and let poll() resume it.
			 */
			if (held_n) {
				i = rand_r(&seed) % held_n;
				mnl_ring_frame_release(held[i]);
				held[i] = held[--held_n];
			}
			mnl_ring_wait(r, POLLIN, held_n ? 0 : 10000);
			continue;
		}
		if (nlmmap_frame_status(f) != NLMMAP_STATUS_VALID) {
			CHECK(0, "no COPY expected");
			break;
		}
		ret = mnl_cb_run(mnl_ring_frame_data(f), f->nm_len, 21, 0,
				 table_cb, &t);
		hold = ret > 0 && held_n < 48 && !(rand_r(&seed) % 4);
		if (hold)
			held[held_n++] = f;
		rx_frame_done(r, hold);
	}
	CHECK(ret == MNL_CB_STOP, "ret %d after %d rounds", ret, rounds);
	CHECK(t.objects == count && t.next == count && !t.disorder &&
	      !t.bad_payload, "%llu objects, %llu out of order",
	      (unsigned long long)t.objects, (unsigned long long)t.disorder);
	CHECK(ring_stat(r, family, NLMMAP_S_SKIPPED) > 0, "holds were passed");
	ring_teardown(r, nl);
}

/*
 * A reader that follows the rules and holds up to 16 of 64 frames,
 * releasing each when it meets it again a lap later, never freed frames
 * when it had nothing to read: a dump paused on a full ring must resume
 * from its poll() whatever it holds. Before, the dump resumed only when
 * the frame half a ring ahead of the kernel's head was UNUSED, which the
 * reader cannot know; held, the dump stalled for good (after 825 of a
 * million objects in the review). The poll() timeout is the failure: a
 * resumable dump makes poll() return at once, as it runs in poll().
 */
static void holds_kept_a_lap_never_stall(void)
{
	uint32_t count = big_dump() / 4 > 100000 ? big_dump() / 4 : 100000;
	unsigned int seed = 1717;
	struct mnl_socket *nl;
	struct table t = { .size = 8 };
	struct holding h;
	struct mnl_ring *r;
	char req[128];
	int ret;

	r = ring_setup(&nl, &family, 64, 256, 4);
	REQUIRE(r);
	REQUIRE(send_dump(nl, req, NLMMAP_CMD_BENCH, count, 8, 23) == 0);
	ret = rx_run_holding(r, &seed, 16, 23, table_cb, &t, 20000, &h);
	CHECK(ret == MNL_CB_STOP, "%s after %llu of %u objects (%d)",
	      ret == HOLDING_STALLED ? "stalled" : "ended",
	      (unsigned long long)t.objects, count, ret);
	CHECK(t.objects == count && t.next == count && !t.disorder &&
	      !t.bad_payload, "%llu objects, next %llu, %llu out of order, "
	      "%llu bad", (unsigned long long)t.objects,
	      (unsigned long long)t.next, (unsigned long long)t.disorder,
	      (unsigned long long)t.bad_payload);
	printf("# %u holds, %u met again, at most %u at once, %u polls\n",
	       h.holds, h.met, h.most, h.polls);
	CHECK(h.most == 16 && h.met > 1000, "the reader held as it may");
	CHECK(mnl_ring_clear_error(r) == 0, "nothing was dropped");
	ring_teardown(r, nl);
}

static void socket_request_answered_in_ring(void)
{
	struct mnl_socket *nl;
	struct table t = { .size = 100 };
	struct mnl_ring *r;
	char req[128];

	/* No TX ring: the request goes on the socket, the answer comes
	 * through the RX ring, objects bigger than a frame as COPY.
	 */
	r = ring_setup(&nl, &family, 16, 128, 0);
	REQUIRE(r);
	CHECK(mnl_ring_dump(r, dump_req(req, NLMMAP_CMD_BENCH, 500, 100, 5),
			    buf, sizeof(buf), table_cb, &t, 5000) == MNL_CB_STOP);
	CHECK(t.objects == 500 && !t.disorder && !t.bad_payload,
	      "%llu objects", (unsigned long long)t.objects);
	errno = 0;
	CHECK(recv(mnl_socket_get_fd(nl), buf, sizeof(buf), MSG_DONTWAIT) ==
	      -1 && errno == EAGAIN, "nothing left on the socket");
	ring_teardown(r, nl);
}

static int64_t stat_of(int stat)
{
	struct mnl_socket *q = genl_open(NULL);
	int64_t v = q ? nlmmap_stat(q, family, stat) : -1;

	if (q)
		mnl_socket_close(q);
	return v;
}

/* Read the frames that are there now; returns how many. */
/* BENCH objects of @size payload bytes in one frame of @frame bytes. */
static int per_frame(unsigned int frame, unsigned int size)
{
	unsigned int msg = NLMSG_ALIGN(NLMSG_HDRLEN + GENL_HDRLEN +
				       NLA_ALIGN(NLA_HDRLEN + 4) +
				       NLA_ALIGN(NLA_HDRLEN + size));

	return (frame - NLMMAP_HDRLEN) / msg;
}

static int read_available(struct mnl_ring *r, struct table *t, uint32_t seq,
			  int *done)
{
	uint64_t before = t->objects;
	int ret = rx_run(r, buf, sizeof(buf), seq, table_cb, t, NULL, 0);

	*done = ret == MNL_CB_STOP;
	return t->objects - before;
}

static void stopped_reader_leaves_kernel_idle(void)
{
	struct mnl_socket *nl;
	struct table t = { .size = 16 };
	struct mnl_ring *r;
	int64_t delivered;
	char req[128];
	int i, done = 0, rounds = 0;

	r = ring_setup(&nl, &family, 64, 256, 4);
	REQUIRE(r);
	REQUIRE(send_dump(nl, req, NLMMAP_CMD_BENCH, 20000, 16, 9) == 0);
	CHECK(read_available(r, &t, 9, &done) == 64 * per_frame(256, 16),
	      "a full ring first, packed");
	/* Stop reading: nothing may happen until the next poll(), however
	 * much else the kernel does meanwhile (no timer, no worker).
	 */
	delivered = stat_of(NLMMAP_S_DELIVERED);
	for (i = 0; i < 200; i++)
		CHECK(stat_of(NLMMAP_S_DELIVERED) == delivered,
		      "progress unasked");
	/* Read again: the dump resumes and completes. */
	rounds = 0;
	while (!done && rounds++ < 100000) {
		if (!read_available(r, &t, 9, &done) && !done)
			mnl_ring_wait(r, POLLIN, 1000);
	}
	CHECK(done && t.objects == 20000 && !t.disorder && !t.bad_payload,
	      "%llu objects", (unsigned long long)t.objects);
	ring_teardown(r, nl);
}

/* The dump runs in the reader's own poll(): what it publishes must not
 * wake the very task that produces it (it reports POLLIN anyway). A
 * whole dump through mnl_ring_dump() therefore wakes nobody; and the
 * frames come packed, many objects each.
 */
static void dump_wakes_nobody_and_packs(void)
{
	uint32_t count = 20000;
	struct mnl_socket *nl;
	struct table t = { .size = 16 };
	struct mnl_ring *r;
	int64_t wakeups, delivered;
	char req[128];
	int ret;

	r = ring_setup(&nl, &family, 16, 4096, 0);
	REQUIRE(r);
	wakeups = stat_of(NLMMAP_S_WAKEUPS);
	delivered = stat_of(NLMMAP_S_DELIVERED);
	ret = mnl_ring_dump(r, dump_req(req, NLMMAP_CMD_BENCH, count, 16, 12),
			    buf, sizeof(buf), table_cb, &t, 10000);
	CHECK(ret == MNL_CB_STOP && t.objects == count && !t.disorder &&
	      !t.bad_payload, "ret %d, %llu objects", ret,
	      (unsigned long long)t.objects);
	CHECK(stat_of(NLMMAP_S_WAKEUPS) == wakeups, "%lld wake-ups",
	      (long long)(stat_of(NLMMAP_S_WAKEUPS) - wakeups));
	/* Frames, not objects: packed per_frame() to a frame. */
	delivered = stat_of(NLMMAP_S_DELIVERED) - delivered;
	CHECK(delivered <= count / per_frame(4096, 16) + 1,
	      "%lld frames for %u objects", (long long)delivered, count);
	ring_teardown(r, nl);
}

static void ring_closed_mid_dump(void)
{
	struct mnl_socket *nl;
	struct table t = { .size = 16 };
	struct mnl_ring *r;
	char req[128];
	int done;

	r = ring_setup(&nl, &family, 32, 256, 4);
	REQUIRE(r);
	REQUIRE(send_dump(nl, req, NLMMAP_CMD_BENCH, 100000, 16, 3) == 0);
	CHECK(read_available(r, &t, 3, &done) == 32 * per_frame(256, 16));
	mnl_ring_wait(r, POLLIN, 0);	/* resumes */
	mnl_ring_unmap(r);		/* the dump goes with the ring */
	/* The socket lives on and can dump again, with a new ring. */
	r = mnl_ring_map(nl, &(struct nl_mmap_req){ 4096, 2, 256, 32 }, NULL);
	REQUIRE(r);
	memset(&t, 0, sizeof(t));
	t.size = 16;
	CHECK(mnl_ring_dump(r, dump_req(req, NLMMAP_CMD_BENCH, 1000, 16, 4),
			    buf, sizeof(buf), table_cb, &t, 5000) == MNL_CB_STOP);
	CHECK(t.objects == 1000 && !t.disorder);
	ring_teardown(r, nl);
}

static void module_unloaded_mid_dump(void)
{
	struct mnl_socket *nl;
	struct table t = { .size = 16 };
	struct mnl_ring *r;
	struct stat st;
	char req[128];
	int done;

	r = ring_setup(&nl, &family, 32, 256, 4);
	REQUIRE(r);
	REQUIRE(send_dump(nl, req, NLMMAP_CMD_BENCH, 100000, 16, 3) == 0);
	CHECK(read_available(r, &t, 3, &done) == 32 * per_frame(256, 16));
	errno = 0;
	CHECK(module_unload() == -1, "refused while the ring is open");
	ring_teardown(r, nl);
	CHECK(module_unload() == 0, "unloads mid-dump once the ring is gone");
	CHECK(module_load() == 0 && stat(NLMMAP_DEVICE, &st) == 0);
	nl = genl_open(&family);
	CHECK(nl);
	if (nl)
		mnl_socket_close(nl);
}

static int ring_obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct table *t = data;

	t->objects++;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->intr++;
	return MNL_CB_OK;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct table *t = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->done_intr = 1;
	return MNL_CB_STOP;
}

/* Rings besides the dumper's: more than two frames of RING_GET objects. */
#define NOTHER	40

static void table_change_flags_dump_intr(void)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_DONE] = done_cb };
	struct mnl_socket *nl, *other[NOTHER + 1];
	struct mnl_ring *r, *o[NOTHER + 1];
	struct table t = {};
	char req[128];
	int i, ret = 1, rounds = 0, eintr = 0;
	uint16_t id;

	for (i = 0; i < NOTHER; i++) {
		o[i] = ring_setup(&other[i], &id, 4, 256, 0);
		REQUIRE(o[i]);
	}
	/* Two frames, each with room for a few rings: the dump pauses
	 * before the end of the table.
	 */
	r = ring_setup(&nl, &family, 2, 2048, 0);
	REQUIRE(r);
	REQUIRE(send_dump(nl, req, NLMMAP_CMD_RING_GET, 0, 0, 11) == 0);
	rx_run(r, buf, sizeof(buf), 11, ring_obj_cb, &t, ctl, NLMSG_MIN_TYPE);
	CHECK(t.objects >= 2 && t.objects < NOTHER && !t.intr,
	      "%llu before the change", (unsigned long long)t.objects);
	/* the table changes */
	o[NOTHER] = ring_setup(&other[NOTHER], &id, 4, 256, 0);
	/* libmnl refuses every message flagged NLM_F_DUMP_INTR with EINTR
	 * (the rest of the objects and NLMSG_DONE): count those until the
	 * ring stays empty.
	 */
	while (rounds++ < 100 && mnl_ring_wait(r, POLLIN, 500) > 0) {
		do {
			errno = 0;
			ret = rx_run(r, buf, sizeof(buf), 11, ring_obj_cb,
				     &t, ctl, NLMSG_MIN_TYPE);
			if (ret == MNL_CB_ERROR && errno == EINTR)
				eintr++;
		} while (ret == MNL_CB_ERROR && errno == EINTR);
		if (ret == MNL_CB_STOP)
			break;
	}
	CHECK(eintr >= 1 && !t.done_intr && ret != MNL_CB_STOP,
	      "%d messages refused as interrupted, ret %d", eintr, ret);
	/* Unchanged, the same dump is clean. */
	memset(&t, 0, sizeof(t));
	ret = 1;
	rounds = 0;
	REQUIRE(mnl_socket_sendto(nl, req, ((struct nlmsghdr *)req)->nlmsg_len)
		> 0);
	while (ret > 0 && rounds++ < 100) {
		ret = rx_run(r, buf, sizeof(buf), 11, ring_obj_cb, &t, ctl,
			     NLMSG_MIN_TYPE);
		if (ret > 0)
			mnl_ring_wait(r, POLLIN, 1000);
	}
	CHECK(ret == MNL_CB_STOP && !t.intr && !t.done_intr &&
	      t.objects == NOTHER + 2, "%llu rings, %d interrupted",
	      (unsigned long long)t.objects, t.intr);
	ring_teardown(r, nl);
	for (i = 0; i <= NOTHER; i++)
		ring_teardown(o[i], other[i]);
}

static int err_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	*(int *)data = e->error;
	return MNL_CB_STOP;
}

static void one_dump_per_ring(void)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = err_cb };
	struct nl_mmap_hdr *frame;
	struct mnl_socket *nl;
	struct mnl_ring *r;
	char req[128];
	int error = 0, i;
	ssize_t n;

	r = ring_setup(&nl, &family, 8, 256, 4);
	REQUIRE(r);
	REQUIRE(send_dump(nl, req, NLMMAP_CMD_BENCH, 1000, 16, 1) == 0);
	/* The ring is full and the dump paused. A second one, on the
	 * socket, is refused there.
	 */
	errno = 0;
	CHECK(mnl_socket_sendto(nl, req, ((struct nlmsghdr *)req)->nlmsg_len)
	      > 0);
	n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0);
	CHECK(n > 0 && mnl_cb_run2(buf, n, 1, 0, NULL, &error, ctl,
				   NLMSG_MIN_TYPE) >= 0 &&
	      error == -EBUSY, "error %d", error);
	/* Through the TX ring, the refusal comes through the RX ring, after
	 * the frames already there.
	 */
	frame = tx_frame_get(r);
	REQUIRE(frame);
	memcpy(mnl_ring_frame_data(frame), req,
	       ((struct nlmsghdr *)req)->nlmsg_len);
	tx_frame_submit(r, 0);
	CHECK(mnl_ring_tx_kick(mnl_ring_tx(r)) == 1);
	for (i = 0; i < 8 && (frame = rx_frame_next(r)); i++)
		rx_frame_done(r, 0);
	/* Freed frames: the kick resumes the dump and runs the request. */
	frame = tx_frame_get(r);
	REQUIRE(frame);
	memcpy(mnl_ring_frame_data(frame), req,
	       ((struct nlmsghdr *)req)->nlmsg_len);
	tx_frame_submit(r, 0);
	error = 0;
	mnl_ring_tx_kick(mnl_ring_tx(r));
	for (i = 0; i < 100 && !error; i++) {
		frame = rx_frame_next(r);
		if (!frame || nlmmap_frame_status(frame) != NLMMAP_STATUS_VALID)
			break;
		mnl_cb_run2(mnl_ring_frame_data(frame), frame->nm_len, 1, 0,
			    NULL, &error, ctl, NLMSG_MIN_TYPE);
		rx_frame_done(r, 0);
	}
	CHECK(error == -EBUSY, "error %d through the ring", error);
	ring_teardown(r, nl);
}

static void socket_dump_with_libmnl(void)
{
	struct mnl_socket *nl, *plain;
	struct table t = {};
	struct mnl_ring *r;
	char req[128];
	ssize_t n;
	int ret;

	/* A ring exists, so the ring table is not empty. */
	r = ring_setup(&nl, &family, 4, 256, 0);
	plain = genl_open(NULL);
	REQUIRE(r && plain);
	REQUIRE(send_dump(plain, req, NLMMAP_CMD_RING_GET, 0, 0, 21) == 0);
	do {
		n = mnl_socket_recvfrom(plain, buf, sizeof(buf));
		ret = n < 0 ? -1 :
		      mnl_cb_run(buf, n, 21, mnl_socket_get_portid(plain),
				 ring_obj_cb, &t);
	} while (ret > 0);
	CHECK(ret == MNL_CB_STOP && t.objects >= 1, "%llu rings",
	      (unsigned long long)t.objects);
	mnl_socket_close(plain);
	ring_teardown(r, nl);
}

struct nl_count {
	uint64_t objects;
	uint64_t next;
	uint64_t disorder;
};

static int libnl_valid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NLMMAP_A_MAX + 1];
	struct nl_count *c = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, NLMMAP_A_MAX, NULL) ||
	    !tb[NLMMAP_A_SEQ])
		return NL_SKIP;
	if (nla_get_u32(tb[NLMMAP_A_SEQ]) != c->next)
		c->disorder++;
	c->next = nla_get_u32(tb[NLMMAP_A_SEQ]) + 1;
	c->objects++;
	return NL_OK;
}

static void socket_dump_with_libnl(void)
{
	struct nl_count c = {};
	struct nl_sock *sk;
	struct nl_msg *msg;
	int id, err;

	sk = nl_socket_alloc();
	REQUIRE(sk);
	REQUIRE(genl_connect(sk) == 0);
	id = genl_ctrl_resolve(sk, NLMMAP_GENL_NAME);
	REQUIRE(id > 0);
	msg = nlmsg_alloc();
	REQUIRE(msg);
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, id, 0, NLM_F_DUMP,
		    NLMMAP_CMD_BENCH, NLMMAP_GENL_VERSION);
	nla_put_u32(msg, NLMMAP_A_COUNT, 10000);
	nla_put_u32(msg, NLMMAP_A_SIZE, 32);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, libnl_valid, &c);
	CHECK(nl_send_auto(sk, msg) >= 0);
	err = nl_recvmsgs_default(sk);
	CHECK(err == 0, "libnl: %s", nl_geterror(err));
	CHECK(c.objects == 10000 && !c.disorder, "%llu objects",
	      (unsigned long long)c.objects);
	nlmsg_free(msg);
	nl_socket_free(sk);
}

struct portids {
	int n;
	int foreign;
	uint32_t own;
};

static int portid_attr(const struct nlattr *attr, void *data)
{
	struct portids *p = data;

	if (mnl_attr_get_type(attr) == NLMMAP_R_PORTID &&
	    mnl_attr_get_u32(attr) != p->own)
		p->foreign++;
	return MNL_CB_OK;
}

static int portid_top(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == NLMMAP_A_RING)
		mnl_attr_parse_nested(attr, portid_attr, data);
	return MNL_CB_OK;
}

static int portid_cb(const struct nlmsghdr *nlh, void *data)
{
	struct portids *p = data;

	p->n++;
	return mnl_attr_parse(nlh, GENL_HDRLEN, portid_top, data);
}

/* The rings a RING_GET dump shows, through the ring and the socket. */
static int ring_get_seen(struct portids *ring, struct portids *sock)
{
	struct mnl_socket *nl, *plain;
	struct mnl_ring *r;
	char req[128];
	int ret;

	r = ring_setup(&nl, &family, 16, 1024, 4);
	plain = genl_open(NULL);
	if (!r || !plain)
		return -1;
	ring->own = mnl_socket_get_portid(nl);
	if (mnl_ring_dump(r, dump_req(req, NLMMAP_CMD_RING_GET, 0, 0, 31),
			  buf, sizeof(buf), portid_cb, ring, 5000) != MNL_CB_STOP)
		return -1;
	/* A socket without a ring dumps through the genl core. */
	sock->own = ~0u;
	if (send_dump(plain, req, NLMMAP_CMD_RING_GET, 0, 0, 32) < 0)
		return -1;
	do {
		ssize_t n = mnl_socket_recvfrom(plain, buf, sizeof(buf));

		if (n < 0)
			return -1;
		ret = mnl_cb_run(buf, n, 32, 0, portid_cb, sock);
	} while (ret > 0);
	mnl_socket_close(plain);
	ring_teardown(r, nl);
	return ret == MNL_CB_STOP ? 0 : -1;
}

/* Other users' rings (their port ids, their counters) are not shown to an
 * unprivileged user; CAP_NET_ADMIN in the namespace sees them all.
 */
static void ring_get_dump_shows_own_rings(void)
{
	struct mnl_socket *onl;
	struct portids ring = {}, sock = {};
	struct mnl_ring *other;
	int status;
	pid_t pid;

	/* A ring of root's that nobody must not see. */
	other = ring_setup(&onl, &family, 4, 256, 0);
	REQUIRE(other);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (ring_get_seen(&ring, &sock))
			_exit(11);
		printf("# nobody sees %d rings (%d foreign) through its ring, "
		       "%d on a plain socket\n", ring.n, ring.foreign, sock.n);
		_exit(ring.n == 1 && !ring.foreign && sock.n == 1 ? 0 : 12);
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 10)
		SKIP("cannot become user nobody here");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d",
	      WEXITSTATUS(status));
	/* Root, with CAP_NET_ADMIN, sees its other ring too. */
	CHECK(ring_get_seen(&ring, &sock) == 0);
	CHECK(ring.n >= 2 && ring.foreign >= 1, "%d rings", ring.n);
	ring_teardown(other, onl);
}

TAP_MAIN(T(million_objects_through_64_frames), T(random_holds_keep_order),
	 T(holds_kept_a_lap_never_stall),
	 T(socket_request_answered_in_ring),
	 T(stopped_reader_leaves_kernel_idle),
	 T(dump_wakes_nobody_and_packs), T(ring_closed_mid_dump),
	 T(module_unloaded_mid_dump), T(table_change_flags_dump_intr),
	 T(one_dump_per_ring), T(socket_dump_with_libmnl),
	 T(socket_dump_with_libnl),
	 T(ring_get_dump_shows_own_rings))
