// SPDX-License-Identifier: GPL-2.0
/*
 * Ring geometry: validation of struct nl_mmap_req and frame addressing.
 * Pure arithmetic, shared with the KUnit suite.
 */
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <uapi/linux/nlmmap.h>

#include "geometry.h"

/**
 * nlmmap_geom_check() - validate a ring request
 * @req: the request, already copied from userspace
 * @g: filled with the validated geometry (zeroed for "no ring")
 *
 * Return: 0 (with g->size == 0 when the request removes the ring) or
 * -EINVAL for any geometry the protocol does not allow, including sizes
 * whose products overflow or exceed the NLMMAP_MAX_* limits.
 */
int nlmmap_geom_check(const struct nl_mmap_req *req, struct nlmmap_geom *g)
{
	u32 per_block, frames;
	size_t size;

	memset(g, 0, sizeof(*g));
	if (!req->nm_block_nr)
		return req->nm_frame_nr ? -EINVAL : 0;

	if (!req->nm_block_size || !PAGE_ALIGNED(req->nm_block_size) ||
	    req->nm_block_size > NLMMAP_MAX_BLOCK_SIZE)
		return -EINVAL;
	if (req->nm_frame_size < NLMMAP_HDRLEN ||
	    !IS_ALIGNED(req->nm_frame_size, NLMMAP_ALIGNMENT) ||
	    req->nm_frame_size > req->nm_block_size)
		return -EINVAL;

	per_block = req->nm_block_size / req->nm_frame_size;
	if (check_mul_overflow(per_block, req->nm_block_nr, &frames) ||
	    frames != req->nm_frame_nr || frames > NLMMAP_MAX_FRAME_NR)
		return -EINVAL;
	if (check_mul_overflow((size_t)req->nm_block_size,
			       (size_t)req->nm_block_nr, &size) ||
	    size > NLMMAP_MAX_RING_SIZE)
		return -EINVAL;

	g->block_size = req->nm_block_size;
	g->block_nr = req->nm_block_nr;
	g->frame_size = req->nm_frame_size;
	g->frame_nr = frames;
	g->frames_per_block = per_block;
	g->per_block = reciprocal_value(per_block);
	g->tiled = per_block * req->nm_frame_size == req->nm_block_size;
	g->size = size;
	return 0;
}

/**
 * nlmmap_geom_offset() - byte offset of a frame in its ring
 * @g: a geometry accepted by nlmmap_geom_check()
 * @idx: frame index, below g->frame_nr
 *
 * Return: the offset; frames fill each block from its start and never
 * cross into the next one. Exact for every u32 (reciprocal_divide()).
 */
size_t nlmmap_geom_offset(const struct nlmmap_geom *g, u32 idx)
{
	u32 block;

	if (g->tiled)
		return (size_t)idx * g->frame_size;
	/* No division on the data path: multiply by the reciprocal. */
	block = reciprocal_divide(idx, g->per_block);

	return (size_t)block * g->block_size +
	       (size_t)(idx - block * g->frames_per_block) * g->frame_size;
}

#ifdef NLMMAP_KUNIT
/* The KUnit suite of this file tests these very functions. */
#include "../../tests/kunit/geometry_kunit.c"
#endif
