/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NET_NLMMAP_GEOMETRY_H
#define _NET_NLMMAP_GEOMETRY_H

#include <linux/types.h>
#include <linux/netlink.h>
#include <linux/reciprocal_div.h>

/* A validated ring geometry; every field derived from kernel checks. */
struct nlmmap_geom {
	u32 block_size;
	u32 block_nr;
	u32 frame_size;
	u32 frame_nr;
	u32 frames_per_block;
	struct reciprocal_value per_block;	/* divides by frames_per_block */
	bool tiled;		/* frames fill blocks exactly: idx * frame_size */
	size_t size;		/* block_size * block_nr, bytes */
};

int nlmmap_geom_check(const struct nl_mmap_req *req, struct nlmmap_geom *g);
size_t nlmmap_geom_offset(const struct nlmmap_geom *g, u32 idx);

#endif /* _NET_NLMMAP_GEOMETRY_H */
