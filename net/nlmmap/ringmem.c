// SPDX-License-Identifier: GPL-2.0
/*
 * Ring memory: the pages of one ring and the kernel's mapping of them.
 *
 * The kernel reaches a ring through one vmap() of its pages followed by
 * one guard page that is never mapped to userspace. A ring skb's data is
 * a frame, and its end offset is the frame's capacity, so skb_shinfo()
 * would be the bytes right after the frame: the next frame (user memory),
 * or, for the last frame of the ring, the guard page. Nothing in nlmmap
 * reads or writes a ring skb's shinfo (see rx.c); the guard page keeps
 * even the pointer inside memory the ring owns. nlmmap_frame_fenced()
 * states that property and the KUnit suite checks it for every frame.
 */
#include <linux/mm.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "nlmmap_int.h"

/**
 * nlmmap_ring_free() - free a ring's pages and kernel mapping
 * @ring: the ring; zeroed afterwards (its charge must be given back first)
 */
void nlmmap_ring_free(struct nlmmap_ring *ring)
{
	unsigned int i;

	if (ring->base)
		vunmap(ring->base);
	for (i = 0; ring->pages && i <= ring->nr_pages; i++)
		if (ring->pages[i])
			__free_page(ring->pages[i]);
	kvfree(ring->pages);
	kvfree(ring->quota);
	memset(ring, 0, sizeof(*ring));
}

/**
 * nlmmap_ring_alloc() - allocate and map a ring of geometry @g
 * @ring: filled in; on failure left for nlmmap_ring_free()
 * @g: a geometry accepted by nlmmap_geom_check(), with g->size != 0
 *
 * Pages come from alloc_page(GFP_KERNEL_ACCOUNT): the memory cgroup of
 * the caller pays for them.
 *
 * Return: 0 or -ENOMEM.
 */
int nlmmap_ring_alloc(struct nlmmap_ring *ring, const struct nlmmap_geom *g)
{
	unsigned int i, n = g->size >> PAGE_SHIFT;

	memset(ring, 0, sizeof(*ring));
	/* n ring pages, then the guard page */
	ring->pages = kvcalloc(n + 1, sizeof(*ring->pages), GFP_KERNEL_ACCOUNT);
	if (!ring->pages)
		return -ENOMEM;
	ring->nr_pages = n;
	for (i = 0; i <= n; i++) {
		ring->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO |
					    __GFP_NOWARN);
		if (!ring->pages[i])
			return -ENOMEM;
	}
	ring->base = vmap(ring->pages, n + 1, VM_MAP, PAGE_KERNEL);
	if (!ring->base)
		return -ENOMEM;
	ring->geom = *g;
	ring->last = NLMMAP_NO_FRAME;
	return 0;
}

/**
 * nlmmap_frame_fenced() - is a ring skb of frame @idx fenced in?
 * @ring: a ring with memory
 * @idx: frame index, below ring->geom.frame_nr
 *
 * A ring skb of this frame has its head at the frame's data and its end
 * at the frame's end; skb_shinfo() is there. The pointer must stay inside
 * the kernel's mapping of the ring, guard page included, and the data
 * must stay inside the frame. Pure address arithmetic: nothing is read.
 *
 * Return: true if both hold.
 */
bool nlmmap_frame_fenced(const struct nlmmap_ring *ring, u32 idx)
{
	unsigned long base = (unsigned long)ring->base;
	unsigned long frame = (unsigned long)nlmmap_frame(ring, idx);
	unsigned long end = frame + ring->geom.frame_size;
	unsigned long limit = base + ring->geom.size + PAGE_SIZE;

	return frame >= base && end <= base + ring->geom.size &&
	       end + sizeof(struct skb_shared_info) <= limit;
}

/**
 * nlmmap_ring_skb_sane() - is a ring skb still what nlmmap made of it?
 * @skb: a ring skb
 * @ring: the RX ring its frame is in
 *
 * One user, not cloned, no paged data (data_len 0: no frags, known
 * without reading shinfo), head and data at its frame's data, tail within
 * the frame, end at the frame's end, and that frame fenced in.
 *
 * Return: true if so.
 */
bool nlmmap_ring_skb_sane(const struct sk_buff *skb,
			  const struct nlmmap_ring *ring)
{
	const struct nlmmap_skb_cb *cb = NLMMAP_SKB_CB(skb);
	unsigned long base = (unsigned long)ring->base;
	unsigned long head = (unsigned long)skb->head;

	return refcount_read(&skb->users) == 1 && !skb->cloned &&
	       !skb->data_len && !skb->head_frag &&
	       skb->head == (unsigned char *)cb->hdr + NLMMAP_HDRLEN &&
	       skb->data == skb->head && skb->tail <= skb->end &&
	       skb->end == nlmmap_frame_capacity(ring) &&
	       head - NLMMAP_HDRLEN >= base &&
	       head + skb->end <= base + ring->geom.size &&
	       head + skb->end + sizeof(struct skb_shared_info) <=
	       base + ring->geom.size + PAGE_SIZE;
}

#ifdef NLMMAP_KUNIT
/* The KUnit suite of this file tests these very functions. */
#include "../../tests/kunit/ringmem_kunit.c"
#endif
