// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side of the frame protocol (see include/uapi/linux/nlmmap.h):
 * addressing and the search for the next free RX frame.
 *
 * The only two places where the kernel orders its accesses to ring
 * memory are nlmmap_status_load() and nlmmap_status_store(); they are the
 * kernel halves of nlmmap_frame_status() and nlmmap_frame_publish() in
 * the uAPI header.
 */
#include <asm/barrier.h>
#include <linux/errno.h>
#include <linux/minmax.h>

#include "nlmmap_int.h"

/**
 * nlmmap_status_load() - read a frame's state before anything else of it
 * @hdr: the frame
 *
 * Return: nm_status. Acquire: pairs with the application's release store
 * of the same field (nlmmap_frame_publish()/nlmmap_frame_release()), so
 * that the kernel neither reads a TX request before it was written nor
 * writes an RX frame before the application's last read of it.
 */
u32 nlmmap_status_load(const struct nl_mmap_hdr *hdr)
{
	/* pairs with the application's __atomic_store_n(RELEASE) */
	return smp_load_acquire(&hdr->nm_status);
}

/**
 * nlmmap_status_store() - hand a frame over after the last access to it
 * @hdr: the frame
 * @status: the new NLMMAP_STATUS_* value
 *
 * Release: pairs with the application's acquire load
 * (nlmmap_frame_status()), so it sees the whole message of a VALID frame,
 * and the kernel's reads of a TX frame are done before it reuses it.
 */
void nlmmap_status_store(struct nl_mmap_hdr *hdr, u32 status)
{
	/* pairs with the application's __atomic_load_n(ACQUIRE) */
	smp_store_release(&hdr->nm_status, status);
}

/**
 * nlmmap_frame() - kernel address of a frame's header
 * @ring: a ring with memory
 * @idx: frame index, below ring->geom.frame_nr
 *
 * Return: the header; the message follows at NLMMAP_HDRLEN.
 */
struct nl_mmap_hdr *nlmmap_frame(const struct nlmmap_ring *ring, u32 idx)
{
	return ring->base + nlmmap_geom_offset(&ring->geom, idx);
}

/**
 * nlmmap_frame_capacity() - room for a message in one frame
 * @ring: a ring with memory
 *
 * Return: the frame size less the frame header.
 */
u32 nlmmap_frame_capacity(const struct nlmmap_ring *ring)
{
	return ring->geom.frame_size - NLMMAP_HDRLEN;
}

/**
 * nlmmap_frame_find_unused() - find the next frame a producer may reserve
 * @ring: the RX ring
 * @idx: set to the frame's index on success
 *
 * Starts at the ring's head and passes over frames the application holds
 * (SKIP). Stops at anything else that is not UNUSED: a frame the reader has
 * not consumed yet (VALID, COPY), one a producer still fills (RESERVED),
 * or a value the protocol does not know. Never passes more than the whole
 * ring. The caller serialises against other producers.
 *
 * Return: 0, or -ENOBUFS when the ring is full.
 */
int nlmmap_frame_find_unused(const struct nlmmap_ring *ring, u32 *idx)
{
	u32 i, pos = ring->head;

	for (i = 0; i < ring->geom.frame_nr; i++) {
		u32 status = nlmmap_status_load(nlmmap_frame(ring, pos));

		if (status == NLMMAP_STATUS_UNUSED) {
			*idx = pos;
			return 0;
		}
		if (status != NLMMAP_STATUS_SKIP)
			break;
		if (++pos == ring->geom.frame_nr)
			pos = 0;
	}
	return -ENOBUFS;
}

/**
 * nlmmap_ring_idle() - true when no frame of @ring is owned by anyone
 * @ring: a ring (with or without memory)
 *
 * Return: true if every frame is UNUSED, so the ring may be replaced.
 */
bool nlmmap_ring_idle(const struct nlmmap_ring *ring)
{
	u32 i;

	for (i = 0; i < ring->geom.frame_nr; i++)
		if (READ_ONCE(nlmmap_frame(ring, i)->nm_status) !=
		    NLMMAP_STATUS_UNUSED)
			return false;
	return true;
}

/**
 * nlmmap_rx_readable() - does the reader have a frame to read?
 * @ring: the RX ring
 *
 * The reader consumes in ring order, so its unread frames end at the one
 * reserved last, just before the head. Walk back from there over frames
 * still being written or held: the first VALID or COPY frame means yes,
 * the first UNUSED one means the reader has caught up.
 *
 * Return: true if a VALID or COPY frame waits for the reader.
 */
bool nlmmap_rx_readable(const struct nlmmap_ring *ring)
{
	u32 i, pos = ring->head;

	for (i = 0; i < ring->geom.frame_nr; i++) {
		u32 status;

		pos = pos ? pos - 1 : ring->geom.frame_nr - 1;
		status = nlmmap_status_load(nlmmap_frame(ring, pos));
		if (status == NLMMAP_STATUS_VALID ||
		    status == NLMMAP_STATUS_COPY)
			return true;
		if (status != NLMMAP_STATUS_RESERVED &&
		    status != NLMMAP_STATUS_SKIP)
			return false;
	}
	return false;
}

/**
 * nlmmap_frame_free_run() - frames a producer could take right now
 * @ring: the RX ring
 * @limit: stop counting here
 *
 * Counts UNUSED frames from the head in ring order, passing over held
 * (SKIP) frames without counting them, up to the first frame the reader
 * still owns.
 *
 * Return: the count, at most @limit.
 */
u32 nlmmap_frame_free_run(const struct nlmmap_ring *ring, u32 limit)
{
	u32 i, free = 0, pos = ring->head;

	for (i = 0; i < ring->geom.frame_nr && free < limit; i++) {
		u32 status = nlmmap_status_load(nlmmap_frame(ring, pos));

		if (status == NLMMAP_STATUS_UNUSED)
			free++;
		else if (status != NLMMAP_STATUS_SKIP)
			break;
		if (++pos == ring->geom.frame_nr)
			pos = 0;
	}
	return free;
}

/**
 * nlmmap_dump_should_resume() - has the reader freed enough of the ring?
 * @free: frames free from the head (nlmmap_frame_free_run())
 * @frames: frames in the ring
 * @pct: the share that must be free, in percent (clamped to 1..100)
 *
 * Return: true when a paused dump should go on.
 */
bool nlmmap_dump_should_resume(u32 free, u32 frames, u32 pct)
{
	pct = clamp_t(u32, pct, 1, 100);
	return frames && (u64)free * 100 >= (u64)frames * pct;
}
