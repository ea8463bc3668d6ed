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
 * reservation passes at most NLMMAP_SKIP_BUDGET held frames, and nothing
 * walks the ring.
 */
#include <linux/errno.h>
#include <linux/minmax.h>

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
}

static void nlmmap_ring_step(struct nlmmap_ring *ring)
{
	if (++ring->head == ring->geom.frame_nr)
		ring->head = 0;
	ring->pos++;
}

/**
 * nlmmap_frame_reserve() - reserve the next frames a producer may fill
 * @ring: the RX ring, with memory
 * @want: frames wanted, at least 1 and at most NLMMAP_RESERVE_RUN
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
 * Context: the caller serialises producers (ctx->rx_lock); O(@want +
 * NLMMAP_SKIP_BUDGET), a constant.
 * Return: 0; -ENOBUFS when the ring is full; -EAGAIN when the budget of
 * held frames ran out first (the head moved on past them).
 */
int nlmmap_frame_reserve(struct nlmmap_ring *ring, u32 want, u32 *idx,
			 u32 *n, u32 *skipped)
{
	u32 limit = min_t(u32, NLMMAP_SKIP_BUDGET, ring->geom.frame_nr);
	struct nl_mmap_hdr *hdr;
	u32 status;
	int err;

	*skipped = 0;
	*n = 0;
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
	if (!err) {
		/* Locals: the stores to frames cannot alias them. */
		const u32 nr = ring->geom.frame_nr, fsize = ring->geom.frame_size;
		const bool tiled = ring->geom.tiled;
		void *base = ring->base;
		u32 head = ring->head, last, got = 0;

		want = clamp_t(u32, want, 1, NLMMAP_RESERVE_RUN);
		for (;;) {
			WRITE_ONCE(hdr->nm_status, NLMMAP_STATUS_RESERVED);
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
		}
		ring->last = last;
		ring->head = head;
		ring->pos += got;
		*n = got;
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
