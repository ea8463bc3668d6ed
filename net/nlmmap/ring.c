// SPDX-License-Identifier: GPL-2.0
/*
 * Rings: accounting, replacement and mmap.
 *
 * Pages (ringmem.c) are charged to the memory cgroup of the process
 * setting up the rings, and to its user's locked_vm against its own
 * RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK; a setup keeps what it
 * charged and to whom (struct nlmmap_charge) and gives back exactly that.
 * The application reaches the rings through one mmap() of the ring file:
 * RX ring, TX ring, control page.
 */
#include <linux/capability.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>

#include "nlmmap_int.h"

/* Charge @pages of new rings to the caller's user against its own
 * RLIMIT_MEMLOCK, unless it has CAP_IPC_LOCK. The rings being replaced
 * (@old) count as free if the same user paid for them.
 */
static int nlmmap_charge(struct nlmmap_charge *c, unsigned long pages,
			 const struct nlmmap_charge *old)
{
	unsigned long limit, cur, new, credit = 0;
	struct user_struct *user;

	memset(c, 0, sizeof(*c));
	if (!pages || capable(CAP_IPC_LOCK))
		return 0;
	user = get_uid(current_user());
	if (old->user == user)
		credit = old->pages;
	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	do {
		cur = atomic_long_read(&user->locked_vm);
		if (check_add_overflow(cur, pages, &new) ||
		    new - min(credit, cur) > limit) {
			free_uid(user);
			return -ENOMEM;
		}
	} while (atomic_long_cmpxchg(&user->locked_vm, cur, new) != cur);
	c->user = user;
	c->pages = pages;
	return 0;
}

/* Give back exactly what nlmmap_charge() took, to whom it took it from. */
static void nlmmap_uncharge(struct nlmmap_charge *c)
{
	if (!c->user)
		return;
	atomic_long_sub(c->pages, &c->user->locked_vm);
	free_uid(c->user);
	memset(c, 0, sizeof(*c));
}

static void nlmmap_ring_drop(struct nlmmap_ctx *ctx, struct nlmmap_ring *ring)
{
	nlmmap_count(ctx, NLMMAP_S_RING_BYTES, -(long)ring->geom.size);
	nlmmap_ring_free(ring);
}

/**
 * nlmmap_rings_close() - free both rings (the file is closing, or a new
 * setup replaces them)
 * @ctx: the context
 *
 * Producers are shut out and waited for first; the memory charge is
 * given back.
 *
 * Context: ctx->lock held; no mapping is left (each holds the file).
 */
void nlmmap_rings_close(struct nlmmap_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);
	nlmmap_rx_stop(ctx);
	nlmmap_ring_drop(ctx, &ctx->rx);
	nlmmap_ring_drop(ctx, &ctx->tx);
	nlmmap_uncharge(&ctx->charge);
	kvfree(ctx->tx_buf);
	ctx->tx_buf = NULL;
}

/* Check what the kernel does not take from the geometry. */
static int nlmmap_setup_check(const struct nlmmap_setup *s)
{
	unsigned int i;

	if (s->flags & ~NLMMAP_SETUP_FLAGS || s->dump_resume_pct > 100)
		return -EINVAL;
	/* Batched wake-ups need a deadline; a deadline alone means nothing. */
	if (s->wake_frames > 1 ?
	    !s->wake_usecs || s->wake_usecs > NLMMAP_WAKE_USECS_MAX ||
	    s->wake_frames > s->rx.nm_frame_nr : s->wake_usecs)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(s->resv); i++)
		if (s->resv[i])
			return -EINVAL;
	return 0;
}

static void nlmmap_setup_report(const struct nlmmap_ctx *ctx,
				struct nlmmap_setup *s)
{
	s->features = NLMMAP_FEAT_RX_HEAD | NLMMAP_FEAT_BIND_GENL |
		      NLMMAP_FEAT_BUDGETS | NLMMAP_FEAT_WAKE_BATCH |
		      NLMMAP_FEAT_DUMP_PACK | NLMMAP_FEAT_RELAY |
		      NLMMAP_FEAT_RELAY_IOC | NLMMAP_FEAT_TX_FAMILIES;
	if (nlmmap_no_enobufs_known())
		s->features |= NLMMAP_FEAT_NO_ENOBUFS;
	s->off.rx = 0;
	s->off.tx = ctx->rx.geom.size;
	s->off.ctrl = ctx->rx.geom.size + ctx->tx.geom.size;
	s->off.size = s->off.ctrl + NLMMAP_CTRL_SIZE;
}

/**
 * nlmmap_rings_setup() - set up, replace or remove both rings at once
 * @ctx: the context
 * @s: the request, copied from userspace; its out fields are filled in
 *
 * Either both rings become what @s asks for, or nothing changes. Whatever
 * the old rings held is discarded (nobody maps them). Their memory charge
 * is given back to whom it was charged; the new one is taken from the
 * caller.
 *
 * Context: ctx->lock held.
 * Return: 0; -EINVAL for bad geometry, flags or reserved fields; -EBUSY
 * while mapped or after the socket's release; -ENOMEM when out of memory
 * or over RLIMIT_MEMLOCK.
 */
int nlmmap_rings_setup(struct nlmmap_ctx *ctx, struct nlmmap_setup *s)
{
	struct nlmmap_ring rx = {}, tx = {};
	struct nlmmap_geom grx, gtx;
	struct nlmmap_charge charge;
	void *buf = NULL;
	int err;

	lockdep_assert_held(&ctx->lock);
	err = nlmmap_setup_check(s) ?: nlmmap_geom_check(&s->rx, &grx) ?:
	      nlmmap_geom_check(&s->tx, &gtx);
	if (err)
		return err;
	if (atomic_read(&ctx->map_count) || ctx->state == NLMMAP_DEAD)
		return -EBUSY;

	err = nlmmap_charge(&charge, (grx.size + gtx.size) >> PAGE_SHIFT,
			    &ctx->charge);
	if (err)
		return err;
	if (grx.size)
		err = nlmmap_ring_alloc(&rx, &grx) ?: nlmmap_quota_alloc(&rx);
	if (!err && gtx.size) {
		err = nlmmap_ring_alloc(&tx, &gtx);
		buf = err ? NULL : kvmalloc(gtx.frame_size, GFP_KERNEL_ACCOUNT);
		if (!err && !buf)
			err = -ENOMEM;
	}
	if (err) {
		nlmmap_uncharge(&charge);
		nlmmap_ring_free(&rx);
		nlmmap_ring_free(&tx);
		return err;
	}
	nlmmap_count(ctx, NLMMAP_S_RING_BYTES, grx.size + gtx.size);

	/* The old rings go (nobody maps them); the new ones come. */
	nlmmap_dump_free(ctx);
	nlmmap_rings_close(ctx);
	ctx->rx = rx;
	ctx->tx = tx;
	ctx->tx_buf = buf;
	ctx->charge = charge;
	ctx->tx_copy = s->flags & NLMMAP_SETUP_TX_COPY;
	ctx->dump_pct = s->dump_resume_pct ?: 50;
	WRITE_ONCE(ctx->wake_ns, (u64)s->wake_usecs * NSEC_PER_USEC);
	WRITE_ONCE(ctx->wake_frames, s->wake_frames);
	nlmmap_ring_reset(&ctx->tx, NULL);
	nlmmap_ring_reset(&ctx->rx, &ctx->ctrl->rx_head);
	nlmmap_rx_start(ctx);
	nlmmap_setup_report(ctx, s);
	return 0;
}

static void nlmmap_vm_open(struct vm_area_struct *vma)
{
	struct nlmmap_ctx *ctx = vma->vm_private_data;

	WRITE_ONCE(ctx->map_shared, true);
	atomic_inc(&ctx->map_count);
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

/* Map @n pages at *@addr with special PTEs (remap_pfn_range() sets
 * pte_special): GUP-fast refuses a special PTE and falls back to the slow
 * path, which refuses the VM_PFNMAP | VM_IO VMA. The mm takes no page
 * references: the ring keeps its pages until no VMA maps them.
 */
static int nlmmap_insert(struct vm_area_struct *vma, unsigned long *addr,
			 struct page **pages, unsigned int n)
{
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		err = remap_pfn_range(vma, *addr, page_to_pfn(pages[i]),
				      PAGE_SIZE, vma->vm_page_prot);
		if (err)
			return err;
		*addr += PAGE_SIZE;
	}
	return 0;
}

/**
 * nlmmap_mmap() - map the RX ring, the TX ring and the control page
 * @file: the ring file
 * @vma: must be shared, not executable, at offset 0, and exactly as long
 *	 as both rings and the control page
 *
 * The VMA is VM_PFNMAP | VM_IO and its PTEs are special: get_user_pages()
 * refuses the VMA and GUP-fast the PTEs, so nothing takes the ring's pages
 * (no process_vm_writev(), /proc/PID/mem or ptrace() pokes, no O_DIRECT,
 * Linux AIO or io_uring buffer, no vmsplice()). It is VM_DONTCOPY (a child
 * of fork() does not inherit it, and VM_IO refuses MADV_DOFORK) and never
 * executable. So the only writers of the ring are the tasks of the mm
 * that mapped it, and any further VMA (a split, mremap()) is seen by
 * nlmmap_vm_open().
 *
 * Lifetime: the mm holds no reference on the pages. They are freed only
 * by nlmmap_rings_close(), with map_count zero; map_count drops in
 * nlmmap_vm_close(), after the VMA's PTEs are zapped, and a failed mmap()
 * zaps what it mapped before it lets go of ctx->lock.
 *
 * Return: 0, -EPERM for PROT_EXEC, -EINVAL otherwise.
 */
int nlmmap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct nlmmap_ctx *ctx = file->private_data;
	unsigned long addr = vma->vm_start;
	size_t total;
	int err = -EINVAL;

	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	mutex_lock(&ctx->lock);
	total = ctx->rx.geom.size + ctx->tx.geom.size;
	if (vma->vm_pgoff || !(vma->vm_flags & VM_SHARED) || !total ||
	    vma->vm_end - vma->vm_start != total + NLMMAP_CTRL_SIZE ||
	    ctx->state == NLMMAP_DEAD)
		goto out;
	vma->vm_flags &= ~VM_MAYEXEC;
	vma->vm_flags |= VM_PFNMAP | VM_IO | VM_DONTCOPY | VM_DONTEXPAND |
			 VM_DONTDUMP;
	err = nlmmap_insert(vma, &addr, ctx->rx.pages, ctx->rx.nr_pages);
	if (!err)
		err = nlmmap_insert(vma, &addr, ctx->tx.pages, ctx->tx.nr_pages);
	if (!err)
		err = nlmmap_insert(vma, &addr, &ctx->ctrl_page, 1);
	if (err) {
		/* No PTE may outlive the lock: a setup could free the pages. */
		if (addr > vma->vm_start)
			zap_vma_ptes(vma, vma->vm_start, addr - vma->vm_start);
		goto out;
	}
	vma->vm_ops = &nlmmap_vm_ops;
	vma->vm_private_data = ctx;
	if (atomic_inc_return(&ctx->map_count) == 1) {
		/* The first mapping since none: exclusive until shown not. */
		ctx->map_mm = vma->vm_mm;
		WRITE_ONCE(ctx->map_shared, false);
		nlmmap_count(ctx, NLMMAP_S_MAPPED, 1);
	} else {
		WRITE_ONCE(ctx->map_shared, true);
	}
out:
	mutex_unlock(&ctx->lock);
	return err;
}
