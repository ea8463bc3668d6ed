// SPDX-License-Identifier: GPL-2.0
/*
 * Ring memory: allocation, accounting, replacement and mmap.
 *
 * Pages come from alloc_page(GFP_KERNEL_ACCOUNT), so the memory cgroup of
 * the process setting up the ring pays for them; they are also charged to
 * its user's locked_vm against RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK.
 * The kernel reaches them through one vmap(); the application through one
 * mmap() of the ring file, RX ring first, TX ring after it.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "nlmmap_int.h"

static int nlmmap_account(struct nlmmap_ctx *ctx, unsigned long pages)
{
	unsigned long limit, old, new;

	if (capable(CAP_IPC_LOCK))
		return 0;
	if (!ctx->user)
		ctx->user = get_uid(current_user());
	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	do {
		old = atomic_long_read(&ctx->user->locked_vm);
		if (check_add_overflow(old, pages, &new) || new > limit)
			return -ENOMEM;
	} while (atomic_long_cmpxchg(&ctx->user->locked_vm, old, new) != old);
	ctx->locked_pages += pages;
	return 0;
}

static void nlmmap_unaccount(struct nlmmap_ctx *ctx, unsigned long pages)
{
	if (!ctx->user || !pages)
		return;
	pages = min(pages, ctx->locked_pages);
	atomic_long_sub(pages, &ctx->user->locked_vm);
	ctx->locked_pages -= pages;
}

static void nlmmap_ring_free(struct nlmmap_ring *ring)
{
	unsigned int i;

	if (ring->base)
		vunmap(ring->base);
	for (i = 0; i < ring->nr_pages; i++)
		__free_page(ring->pages[i]);
	kvfree(ring->pages);
	memset(ring, 0, sizeof(*ring));
}

static int nlmmap_ring_alloc(struct nlmmap_ring *ring,
			     const struct nlmmap_geom *g)
{
	unsigned int i, n = g->size >> PAGE_SHIFT;

	memset(ring, 0, sizeof(*ring));
	ring->pages = kvcalloc(n, sizeof(*ring->pages), GFP_KERNEL_ACCOUNT);
	if (!ring->pages)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		ring->pages[i] = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO |
					    __GFP_NOWARN);
		if (!ring->pages[i])
			return -ENOMEM;
		ring->nr_pages++;
	}
	ring->base = vmap(ring->pages, n, VM_MAP, PAGE_KERNEL);
	if (!ring->base)
		return -ENOMEM;
	ring->geom = *g;
	return 0;
}

/**
 * nlmmap_ring_set() - set, replace or (with zero blocks) remove a ring
 * @ctx: the context
 * @tx: the TX ring rather than the RX ring
 * @req: the requested geometry, copied from userspace
 *
 * Context: ctx->lock held.
 * Return: 0; -EINVAL for bad geometry; -EBUSY while mapped, while a frame
 * of the old ring is owned by anyone, or while producers are writing;
 * -ENOMEM when out of memory or over RLIMIT_MEMLOCK.
 */
int nlmmap_ring_set(struct nlmmap_ctx *ctx, bool tx,
		    const struct nl_mmap_req *req)
{
	struct nlmmap_ring *ring = tx ? &ctx->tx : &ctx->rx;
	struct nlmmap_ring new;
	struct nlmmap_geom g;
	void *buf = NULL;
	int err;

	lockdep_assert_held(&ctx->lock);
	err = nlmmap_geom_check(req, &g);
	if (err)
		return err;
	if (atomic_read(&ctx->map_count) || ctx->state == NLMMAP_DEAD)
		return -EBUSY;

	if (!tx)
		nlmmap_rx_stop(ctx);
	err = -EBUSY;
	if (!nlmmap_ring_idle(ring))
		goto out;
	if (!tx)
		nlmmap_dump_free(ctx);

	memset(&new, 0, sizeof(new));
	if (g.size) {
		err = nlmmap_account(ctx, g.size >> PAGE_SHIFT);
		if (err)
			goto out;
		err = nlmmap_ring_alloc(&new, &g);
		if (!err && tx) {
			buf = kvmalloc(g.frame_size, GFP_KERNEL_ACCOUNT);
			if (!buf)
				err = -ENOMEM;
		}
		if (err) {
			nlmmap_ring_free(&new);
			nlmmap_unaccount(ctx, g.size >> PAGE_SHIFT);
			goto out;
		}
		nlmmap_count(ctx, NLMMAP_S_RING_BYTES, g.size);
	}

	nlmmap_count(ctx, NLMMAP_S_RING_BYTES, -(long)ring->geom.size);
	nlmmap_unaccount(ctx, ring->geom.size >> PAGE_SHIFT);
	nlmmap_ring_free(ring);
	*ring = new;
	if (tx) {
		kvfree(ctx->tx_buf);
		ctx->tx_buf = buf;
	}
	err = 0;
out:
	if (!tx)
		nlmmap_rx_start(ctx);
	return err;
}

/**
 * nlmmap_rings_close() - free both rings for good (the file is closing)
 * @ctx: the context
 *
 * Context: ctx->lock held; no mapping is left (each holds the file).
 */
void nlmmap_rings_close(struct nlmmap_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);
	nlmmap_rx_stop(ctx);
	nlmmap_count(ctx, NLMMAP_S_RING_BYTES,
		     -(long)(ctx->rx.geom.size + ctx->tx.geom.size));
	nlmmap_unaccount(ctx, ctx->locked_pages);
	nlmmap_ring_free(&ctx->rx);
	nlmmap_ring_free(&ctx->tx);
	kvfree(ctx->tx_buf);
	ctx->tx_buf = NULL;
	if (ctx->user)
		free_uid(ctx->user);
	ctx->user = NULL;
}

static void nlmmap_vm_open(struct vm_area_struct *vma)
{
	struct nlmmap_ctx *ctx = vma->vm_private_data;

	if (atomic_inc_return(&ctx->map_count) == 1)
		nlmmap_count(ctx, NLMMAP_S_MAPPED, 1);
}

static void nlmmap_vm_close(struct vm_area_struct *vma)
{
	struct nlmmap_ctx *ctx = vma->vm_private_data;

	if (atomic_dec_and_test(&ctx->map_count))
		nlmmap_count(ctx, NLMMAP_S_MAPPED, -1);
}

static const struct vm_operations_struct nlmmap_vm_ops = {
	.open	= nlmmap_vm_open,
	.close	= nlmmap_vm_close,
};

static int nlmmap_insert(struct vm_area_struct *vma, unsigned long *addr,
			 const struct nlmmap_ring *ring)
{
	unsigned int i;
	int err;

	for (i = 0; i < ring->nr_pages; i++) {
		err = vm_insert_page(vma, *addr, ring->pages[i]);
		if (err)
			return err;
		*addr += PAGE_SIZE;
	}
	return 0;
}

/**
 * nlmmap_mmap() - map the RX ring and then the TX ring, in one piece
 * @file: the ring file
 * @vma: must be shared, at offset 0, and exactly as long as both rings
 *
 * Return: 0 or -EINVAL.
 */
int nlmmap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct nlmmap_ctx *ctx = file->private_data;
	unsigned long addr = vma->vm_start;
	size_t total;
	int err = -EINVAL;

	mutex_lock(&ctx->lock);
	total = ctx->rx.geom.size + ctx->tx.geom.size;
	if (vma->vm_pgoff || !(vma->vm_flags & VM_SHARED) || !total ||
	    vma->vm_end - vma->vm_start != total ||
	    ctx->state == NLMMAP_DEAD)
		goto out;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	err = nlmmap_insert(vma, &addr, &ctx->rx);
	if (!err)
		err = nlmmap_insert(vma, &addr, &ctx->tx);
	if (err)
		goto out;
	vma->vm_ops = &nlmmap_vm_ops;
	vma->vm_private_data = ctx;
	ctx->map_mm = vma->vm_mm;
	nlmmap_vm_open(vma);
out:
	mutex_unlock(&ctx->lock);
	return err;
}
