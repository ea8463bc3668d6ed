// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of the frame protocol (see include/uapi/linux/nlmmap.h):
 * addressing, reservation of the next RX frame and the kernel's RX
 * position.
 *
 * The only two places where the kernel orders its accesses to ring
 * memory are nlmmap_status_load() and nlmmap_status_store() (inline, in
 * nlmmap_int.h, so the data path pays no call for them); they are the
 * kernel halves of nlmmap_frame_status(), nlmmap_frame_publish() and
 * nlmmap_ctrl_rx_head() in the uAPI header.
 *
 * Everything here that runs under ctx->rx_lock is O(1) per message: a
 * reservation passes at most NLMMAP_SKIP_BUDGET held frames, looks at
 * most at NLMMAP_QUOTA_CREDIT frames beyond those it takes for releases
 * and NLMMAP_QUOTA_PROBE accounts for its sender, and nothing walks the
 * ring.
 *
 * Per-sender shares (design.rst, "Per-sender quotas"): every frame a
 * reservation takes is charged to its sender's account, in a record of
 * the kernel's own (quota->owner), and credited when the kernel sees the
 * frame UNUSED again: at the head, about to reuse it, or at the quota's
 * tail, which follows the reader's releases a few frames per reservation
 * of a sender other than the receiver itself. A sender may take a frame while it holds no more than
 * half of the frames the others leave: 2 * held + others <= frame_nr.
 */
#include <linux/errno.h>
#include <linux/hash.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "nlmmap_int.h"

/**
 * nlmmap_ring_reset() - start a ring's positions from frame 0
 * @ring: the ring
 * @pos_pub: where the RX position is published (the control page), or NULL
 */
void nlmmap_ring_reset(struct nlmmap_ring *ring, u32 *pos_pub)
{
	ring->head = 0;
	ring->pos = 0;
	ring->last = NLMMAP_NO_FRAME;
	ring->pos_pub = pos_pub;
	if (pos_pub)
		nlmmap_status_store(pos_pub, 0);
	if (ring->quota)
		memset(ring->quota, 0,
		       struct_size(ring->quota, owner, ring->geom.frame_nr));
}

/**
 * nlmmap_quota_alloc() - give an RX ring its per-sender shares
 * @ring: a ring from nlmmap_ring_alloc(); nlmmap_ring_free() frees them
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int nlmmap_quota_alloc(struct nlmmap_ring *ring)
{
	BUILD_BUG_ON(NLMMAP_QUOTA_SLOTS > U8_MAX);
	ring->quota = kvzalloc(struct_size(ring->quota, owner,
					   ring->geom.frame_nr),
			       GFP_KERNEL_ACCOUNT);
	return ring->quota ? 0 : -ENOMEM;
}

/* The account of @sender: its own, a free one to make its own, or the
 * shared one when the hashed accounts it may use are all someone else's.
 */
static u32 nlmmap_quota_slot(struct nlmmap_quota *q, u64 sender)
{
	const u32 hashed = NLMMAP_QUOTA_SLOTS - NLMMAP_QUOTA_SHARED - 1;
	u32 h, i, s, free = NLMMAP_QUOTA_SHARED;

	if (sender == NLMMAP_SENDER_SELF)
		return NLMMAP_QUOTA_SELF;
	h = hash_64(sender, 32);
	for (i = 0; i < NLMMAP_QUOTA_PROBE; i++) {
		s = NLMMAP_QUOTA_SHARED + 1 + (h + i) % hashed;
		if (!q->held[s]) {
			if (free == NLMMAP_QUOTA_SHARED)
				free = s;
		} else if (q->key[s] == sender) {
			return s;
		}
	}
	q->key[free] = sender;
	return free;
}

/* The kernel sees frame @idx UNUSED: whoever was charged for it is not. */
static void nlmmap_quota_credit(struct nlmmap_quota *q, u32 idx)
{
	u8 o = q->owner[idx];

	if (o) {
		q->owner[idx] = 0;
		q->held[o - 1]--;
		q->used--;
	}
}

/* May account @s take one more frame of @nr? The receiver's own account
 * (NLMMAP_QUOTA_SELF) is limited only by the ring.
 */
static bool nlmmap_quota_allows(const struct nlmmap_quota *q, u32 s, u32 nr)
{
	return s == NLMMAP_QUOTA_SELF || q->held[s] + q->used <= nr;
}

static void nlmmap_quota_charge(struct nlmmap_quota *q, u32 s, u32 idx)
{
	q->owner[idx] = s + 1;
	q->held[s]++;
	q->used++;
}

/* Follow the reader's releases from the quota's tail towards the head, at
 * most @budget frames: UNUSED frames are credited, held (SKIP) ones stay
 * charged and are passed (the head or the next lap credits them), and
 * anything else (unread, being written) ends the walk: the reader
 * releases in ring order.
 */
static void nlmmap_quota_collect(struct nlmmap_ring *ring, u32 budget)
{
	struct nlmmap_quota *q = ring->quota;
	u32 status;

	while (budget-- && q->tail_pos != ring->pos) {
		status = READ_ONCE(nlmmap_frame(ring, q->tail)->nm_status);
		if (status == NLMMAP_STATUS_UNUSED)
			nlmmap_quota_credit(q, q->tail);
		else if (status != NLMMAP_STATUS_SKIP)
			break;
		q->tail = nlmmap_frame_next(ring, q->tail);
		q->tail_pos++;
	}
}

static void nlmmap_ring_step(struct nlmmap_ring *ring)
{
	if (++ring->head == ring->geom.frame_nr)
		ring->head = 0;
	ring->pos++;
}

/**
 * nlmmap_frame_reserve_as() - reserve the next frames a producer may fill
 * @ring: the RX ring, with memory
 * @want: frames wanted, at least 1 and at most NLMMAP_RESERVE_RUN
 * @sender: whom the frames are charged to (NLMMAP_SENDER_*)
 * @idx: set to the first frame's index on success
 * @n: set to the number of frames reserved on success, 1..@want: a run
 *     from @idx in ring order (wrapping at the end of the ring)
 * @skipped: set to the number of held frames passed over
 *
 * Starts at the ring's head and passes over frames the application holds
 * (SKIP), at most NLMMAP_SKIP_BUDGET of them. Stops at anything else that
 * is not UNUSED: a frame the reader has not consumed yet (VALID, COPY),
 * one a producer still fills (RESERVED), or a value the protocol does not
 * know. The first UNUSED frame and the UNUSED frames right after it, up
 * to @want, become RESERVED; then the new position is published once, so
 * a reader that sees it also sees every frame behind it RESERVED or
 * passed over.
 *
 * Each frame taken is charged to @sender's share of the ring, and only
 * taken while the share allows it (nlmmap_quota_allows()); a run ends
 * where the share does.
 *
 * Context: the caller serialises producers (ctx->rx_lock); O(@want +
 * NLMMAP_SKIP_BUDGET + NLMMAP_QUOTA_CREDIT + NLMMAP_QUOTA_PROBE), a
 * constant.
 * Return: 0; -ENOBUFS when the ring is full; -EAGAIN when the budget of
 * held frames ran out first (the head moved on past them); -EDQUOT when
 * a frame is free but @sender's share is used up.
 */
int nlmmap_frame_reserve_as(struct nlmmap_ring *ring, u32 want, u64 sender,
			    u32 *idx, u32 *n, u32 *skipped)
{
	u32 limit = min_t(u32, NLMMAP_SKIP_BUDGET, ring->geom.frame_nr);
	struct nlmmap_quota *q = ring->quota;
	struct nl_mmap_hdr *hdr;
	u32 status, acct = 0;
	int err;

	*skipped = 0;
	*n = 0;
	want = clamp_t(u32, want, 1, NLMMAP_RESERVE_RUN);
	/* The receiver's own replies are never refused: they leave the
	 * walk to the next sender that may be, and the head credits their
	 * frames as it reuses them.
	 */
	if (q && sender != NLMMAP_SENDER_SELF) {
		nlmmap_quota_collect(ring, want + NLMMAP_QUOTA_CREDIT);
		acct = nlmmap_quota_slot(q, sender);
	}
	for (;;) {
		hdr = nlmmap_frame(ring, ring->head);
		status = nlmmap_status_load(&hdr->nm_status);
		if (status == NLMMAP_STATUS_UNUSED) {
			err = 0;
			break;
		}
		if (status != NLMMAP_STATUS_SKIP) {
			err = -ENOBUFS;
			break;
		}
		if (*skipped == limit) {
			/* Around the whole ring: every frame is held. */
			err = limit == ring->geom.frame_nr ? -ENOBUFS : -EAGAIN;
			break;
		}
		nlmmap_ring_step(ring);
		(*skipped)++;
	}
	*idx = ring->head;
	if (!err && q) {
		nlmmap_quota_credit(q, ring->head);
		if (!nlmmap_quota_allows(q, acct, ring->geom.frame_nr))
			err = -EDQUOT;
	}
	if (!err) {
		/* Locals: the stores to frames cannot alias them. */
		const u32 nr = ring->geom.frame_nr, fsize = ring->geom.frame_size;
		const bool tiled = ring->geom.tiled;
		void *base = ring->base;
		u32 head = ring->head, last, got = 0;

		for (;;) {
			WRITE_ONCE(hdr->nm_status, NLMMAP_STATUS_RESERVED);
			if (q)
				nlmmap_quota_charge(q, acct, head);
			last = head;
			if (++head == nr)
				head = 0;
			if (++got == want)
				break;
			hdr = tiled ? base + (size_t)head * fsize :
				      nlmmap_frame(ring, head);
			if (nlmmap_status_load(&hdr->nm_status) !=
			    NLMMAP_STATUS_UNUSED)
				break;
			if (q) {
				nlmmap_quota_credit(q, head);
				if (!nlmmap_quota_allows(q, acct, nr))
					break;
			}
		}
		ring->last = last;
		ring->head = head;
		ring->pos += got;
		*n = got;
	}
	/* The head went around the tail: it saw those frames itself. */
	if (q && ring->pos - q->tail_pos > ring->geom.frame_nr) {
		q->tail_pos = ring->pos - ring->geom.frame_nr;
		q->tail = ring->head;
	}
	if (ring->pos_pub && (*skipped || !err))
		nlmmap_status_store(ring->pos_pub, ring->pos);
	return err;
}

/**
 * nlmmap_rx_readable() - does the reader have a frame to read?
 * @ring: the RX ring
 *
 * The reader consumes in ring order, so its unread frames end at the one
 * reserved last. If that one is VALID or COPY, there is something to read;
 * if it is still RESERVED, its publication will wake the reader; if it is
 * UNUSED or held, the reader has read everything. O(1).
 *
 * Return: true if a VALID or COPY frame waits for the reader.
 */
bool nlmmap_rx_readable(const struct nlmmap_ring *ring)
{
	u32 status;

	if (ring->last == NLMMAP_NO_FRAME)
		return false;
	status = nlmmap_status_load(&nlmmap_frame(ring, ring->last)->nm_status);
	return status == NLMMAP_STATUS_VALID || status == NLMMAP_STATUS_COPY;
}

/**
 * nlmmap_frame_room() - may a paused producer go on at the head?
 * @ring: the RX ring
 * @n: frames wanted, 1..frame_nr
 *
 * A reservation takes the head frame when it is UNUSED and passes it when
 * it is held (SKIP), so the head must be one of the two. Beyond the head,
 * one of two frames tells: the reader frees frames in ring order, so when
 * the frame @n - 1 after the head is UNUSED, everything between is free or
 * held. A held frame there says nothing (the reader may have held it in
 * this lap, or in an earlier one and the kernel passed it since, the
 * reader not being there yet), and the reader cannot know which frame the
 * kernel looks at. So there is room, too, once the reader has read every
 * frame reserved: the frame reserved last is UNUSED or held (or none was
 * reserved), so every frame is free or held, and all a producer meets are
 * the frames it uses and the holds it passes. A reader with nothing left
 * to read therefore always finds room in its poll(), whatever it holds.
 * O(1): three frames at most.
 *
 * Return: true when the head frame is free or held and either the @n-th
 * frame from it is free or the reader has read every frame reserved.
 */
bool nlmmap_frame_room(const struct nlmmap_ring *ring, u32 n)
{
	u32 far = ring->head + clamp_t(u32, n, 1, ring->geom.frame_nr) - 1;
	u32 last = READ_ONCE(ring->last);
	u32 status;

	if (far >= ring->geom.frame_nr)
		far -= ring->geom.frame_nr;
	status = nlmmap_status_load(&nlmmap_frame(ring, ring->head)->nm_status);
	if (status != NLMMAP_STATUS_UNUSED && status != NLMMAP_STATUS_SKIP)
		return false;
	status = nlmmap_status_load(&nlmmap_frame(ring, far)->nm_status);
	if (status == NLMMAP_STATUS_UNUSED)
		return true;
	/* Caught up: the reader has read (freed or held) the last frame. */
	if (last >= ring->geom.frame_nr)
		return true;
	status = nlmmap_status_load(&nlmmap_frame(ring, last)->nm_status);
	return status == NLMMAP_STATUS_UNUSED || status == NLMMAP_STATUS_SKIP;
}

/**
 * nlmmap_dump_resume_frames() - frames a paused dump waits for
 * @frames: frames in the ring
 * @pct: the share that must be free, in percent (clamped to 1..100)
 *
 * Return: the number of frames, at least 1.
 */
u32 nlmmap_dump_resume_frames(u32 frames, u32 pct)
{
	pct = clamp_t(u32, pct, 1, 100);
	return max_t(u32, 1, DIV_ROUND_UP((u64)frames * pct, 100));
}

#ifdef NLMMAP_KUNIT
/* The KUnit suite of this file tests these very functions. */
#include "../../tests/kunit/frame_kunit.c"
#endif
