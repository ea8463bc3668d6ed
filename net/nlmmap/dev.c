// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/nlmmap character device: one open file is one ring context.
 *
 * The file holds a module reference (fops.owner), and each mapping holds
 * the file, so the module cannot be unloaded while any ring file is open
 * or mapped.
 */
#include <linux/build_bug.h>
#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/memcontrol.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/sock.h>

#include "nlmmap_int.h"

/* Who may open /dev/nlmmap, in the spirit of io_uring_disabled. */
static int disabled;
module_param(disabled, int, 0644);
MODULE_PARM_DESC(disabled,
		 "0: every user may create rings (default); 1: only CAP_NET_ADMIN or members of group; 2: nobody");

static int group = -1;
module_param(group, int, 0644);
MODULE_PARM_DESC(group,
		 "With disabled=1, the gid whose members may create rings (-1: none)");

static bool nlmmap_open_allowed(void)
{
	int mode = READ_ONCE(disabled), gid = READ_ONCE(group);

	if (mode <= 0)
		return true;
	if (mode >= 2)
		return false;
	if (gid >= 0 && in_group_p(make_kgid(&init_user_ns, gid)))
		return true;
	return capable(CAP_NET_ADMIN);
}

static int nlmmap_open(struct inode *inode, struct file *file)
{
	struct nlmmap_ctx *ctx;

	if (!nlmmap_open_allowed())
		return -EPERM;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	BUILD_BUG_ON(NLMMAP_CTRL_SIZE != PAGE_SIZE);
	ctx->ctrl_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!ctx->ctrl_page) {
		kfree(ctx);
		return -ENOMEM;
	}
	ctx->ctrl = page_address(ctx->ctrl_page);
	/* The opener's rights, which every subscription needs too, and
	 * the memory cgroup that pays for the listeners it starts.
	 */
	ctx->file_cred = get_cred(file->f_cred);
	ctx->memcg = get_mem_cgroup_from_mm(current->mm);
	mutex_init(&ctx->lock);
	kref_init(&ctx->ref);
	spin_lock_init(&ctx->rx_lock);
	init_waitqueue_head(&ctx->wq);
	init_waitqueue_head(&ctx->inflight_wq);
	INIT_LIST_HEAD(&ctx->subs);
	hrtimer_init(&ctx->wake_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	ctx->wake_timer.function = nlmmap_rx_wake_timer;
	ctx->state = NLMMAP_UNBOUND;
	ctx->dump_pct = 50;
	file->private_data = ctx;
	nlmmap_count(NULL, NLMMAP_S_RINGS, 1);
	return 0;
}

static int nlmmap_release(struct inode *inode, struct file *file)
{
	struct nlmmap_ctx *ctx = file->private_data;

	mutex_lock(&ctx->lock);
	nlmmap_unbind(ctx);
	nlmmap_rings_close(ctx);
	mutex_unlock(&ctx->lock);
	nlmmap_count(NULL, NLMMAP_S_RINGS, -1);
	nlmmap_ctx_put(ctx);
	return 0;
}

/* Reports, and does at most one budget of TX work and one of dump work. */
static __poll_t nlmmap_poll(struct file *file, poll_table *wait)
{
	struct nlmmap_ctx *ctx = file->private_data;
	__poll_t mask = 0;

	mutex_lock(&ctx->lock);
	/* Work first, then wait: what it publishes wakes other sleepers,
	 * never this task, which reports it below anyway.
	 */
	if (ctx->state == NLMMAP_BOUND && ctx->tx.geom.size)
		nlmmap_tx_process(ctx, file);
	nlmmap_dump_poll(ctx);
	poll_wait(file, &ctx->wq, wait);
	/* Frames published from here on count toward the next wake-up. */
	atomic_set(&ctx->wake_pending, 0);
	/* The checks below see every frame published before the reset. */
	smp_mb();
	if (ctx->rx.geom.size && nlmmap_rx_readable(&ctx->rx))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (nlmmap_dump_pending(ctx))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (ctx->tx.geom.size &&
	    nlmmap_status_load(&nlmmap_frame(&ctx->tx,
					     ctx->tx.head)->nm_status) ==
	    NLMMAP_STATUS_UNUSED)
		mask |= EPOLLOUT | EPOLLWRNORM;
	if (ctx->state == NLMMAP_BOUND &&
	    !skb_queue_empty_lockless(&ctx->sk->sk_receive_queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (ctx->state == NLMMAP_DEAD)
		mask |= EPOLLHUP;
	mutex_unlock(&ctx->lock);
	if (atomic_read(&ctx->overrun))
		mask |= EPOLLERR;
	return mask;
}

static long nlmmap_ioc_bound(struct nlmmap_ctx *ctx, u32 __user *uarg)
{
	enum nlmmap_state state;
	u32 portid;

	mutex_lock(&ctx->lock);
	state = ctx->state;
	portid = ctx->portid;
	mutex_unlock(&ctx->lock);
	if (state == NLMMAP_UNBOUND)
		return -ENOTCONN;
	if (state == NLMMAP_DEAD)
		return -EPIPE;
	return put_user(portid, uarg);
}

/* The extensible ioctls (SETUP, SUBSCRIBE, UNSUBSCRIBE) take a struct
 * whose first field is its size, as openat2()'s struct open_how and
 * clone3()'s struct clone_args do. Their numbers encode the size too, so
 * a program built against a later header, with a larger struct, has a
 * larger number: they are dispatched with the size bits masked, as
 * seccomp's EA_IOCTL() does, and the canonical (v1) number goes on.
 */
#define NLMMAP_IOC_BASE(cmd)	((cmd) & ~IOCSIZE_MASK)

static unsigned int nlmmap_ioc_canonical(unsigned int cmd)
{
	switch (NLMMAP_IOC_BASE(cmd)) {
	case NLMMAP_IOC_BASE(NLMMAP_IOC_SETUP):
		return NLMMAP_IOC_SETUP;
	case NLMMAP_IOC_BASE(NLMMAP_IOC_SUBSCRIBE):
		return NLMMAP_IOC_SUBSCRIBE;
	case NLMMAP_IOC_BASE(NLMMAP_IOC_UNSUBSCRIBE):
		return NLMMAP_IOC_UNSUBSCRIBE;
	}
	return cmd;		/* the others match exactly or not at all */
}

/* The size of an extensible ioctl's struct: its size field, read once,
 * which must be the size @cmd encodes and at least @v1 (EINVAL), and at
 * most a page (E2BIG). copy_struct_from_user() then wants every byte
 * past what this kernel knows zero (E2BIG).
 */
static int nlmmap_ioc_usize(unsigned int cmd, const void __user *uarg,
			    u32 v1, u32 *usize)
{
	u32 size;

	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	if (size < v1 || size != _IOC_SIZE(cmd))
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	*usize = size;
	return 0;
}

static long nlmmap_ioctl(struct file *file, unsigned int ucmd,
			 unsigned long arg)
{
	struct nlmmap_ctx *ctx = file->private_data;
	unsigned int cmd = nlmmap_ioc_canonical(ucmd);
	void __user *uarg = (void __user *)arg;
	struct nlmmap_setup setup;
	u32 usize = 0;
	long ret;

	/* Copy arguments in before taking ctx->lock: mmap() takes it under
	 * mmap_lock, and a fault here would take them the other way round.
	 */
	switch (cmd) {
	case NLMMAP_IOC_SETUP:
		ret = nlmmap_ioc_usize(ucmd, uarg, NLMMAP_SETUP_SIZE_V1, &usize);
		if (ret)
			return ret;
		ret = copy_struct_from_user(&setup, sizeof(setup), uarg, usize);
		if (ret)
			return ret;
		break;
	case NLMMAP_IOC_KICK:
	case NLMMAP_IOC_CLEAR_ERR:
		break;
	case NLMMAP_IOC_BOUND:
		return nlmmap_ioc_bound(ctx, uarg);
	case NLMMAP_IOC_SUBSCRIBE:
	case NLMMAP_IOC_UNSUBSCRIBE:
		ret = nlmmap_ioc_usize(ucmd, uarg, NLMMAP_SUBSCRIPTION_SIZE_V1,
				       &usize);
		if (ret)
			return ret;
		return nlmmap_relay_ioctl(ctx, cmd, uarg, usize);
	default:
		return -ENOTTY;
	}

	if (mutex_lock_killable(&ctx->lock))
		return -EINTR;
	switch (cmd) {
	case NLMMAP_IOC_SETUP:
		ret = nlmmap_rings_setup(ctx, &setup);
		break;
	case NLMMAP_IOC_KICK:
		ret = nlmmap_tx_process(ctx, file);
		nlmmap_dump_poll(ctx);
		break;
	default:
		ret = atomic_xchg(&ctx->overrun, 0);
		break;
	}
	mutex_unlock(&ctx->lock);
	/* The out fields, after the lock: the copy may fault. */
	if (!ret && cmd == NLMMAP_IOC_SETUP &&
	    copy_to_user(uarg, &setup, min_t(u32, usize, sizeof(setup))))
		ret = -EFAULT;
	return ret;
}

/* 32-bit programs reach nlmmap_ioctl() through compat_ptr_ioctl(), which
 * converts the pointer and nothing else. That is right because every
 * structure of the uAPI has one layout for both ABIs: the mirrors below
 * lay out the structures with 64-bit fields as the compat ABI does
 * (compat_u64: 4-byte aligned with IA32 emulation), and both they and
 * the uAPI must have the sizes and offsets of uAPI v1. The ioctl numbers,
 * which encode the sizes, are fixed with them.
 */
struct nlmmap_compat_offsets {
	compat_u64	rx;
	compat_u64	tx;
	compat_u64	ctrl;
	compat_u64	size;
};

struct nlmmap_compat_setup {
	u32		size;
	u32		flags;
	struct nl_mmap_req rx;
	struct nl_mmap_req tx;
	u32		dump_resume_pct;
	u32		wake_frames;
	u32		wake_usecs;
	u32		features;
	struct nlmmap_compat_offsets off;
	compat_u64	resv[4];
};

static_assert(sizeof(struct nlmmap_offsets) == 32 &&
	      sizeof(struct nlmmap_compat_offsets) == 32);
static_assert(offsetof(struct nlmmap_offsets, rx) == 0 &&
	      offsetof(struct nlmmap_compat_offsets, rx) == 0);
static_assert(offsetof(struct nlmmap_offsets, tx) == 8 &&
	      offsetof(struct nlmmap_compat_offsets, tx) == 8);
static_assert(offsetof(struct nlmmap_offsets, ctrl) == 16 &&
	      offsetof(struct nlmmap_compat_offsets, ctrl) == 16);
static_assert(offsetof(struct nlmmap_offsets, size) == 24 &&
	      offsetof(struct nlmmap_compat_offsets, size) == 24);

static_assert(sizeof(struct nlmmap_setup) == 120 &&
	      sizeof(struct nlmmap_compat_setup) == 120 &&
	      NLMMAP_SETUP_SIZE_V1 == 120);
static_assert(offsetof(struct nlmmap_setup, size) == 0 &&
	      offsetof(struct nlmmap_compat_setup, size) == 0);
static_assert(offsetof(struct nlmmap_setup, flags) == 4 &&
	      offsetof(struct nlmmap_compat_setup, flags) == 4);
static_assert(offsetof(struct nlmmap_setup, rx) == 8 &&
	      offsetof(struct nlmmap_compat_setup, rx) == 8);
static_assert(offsetof(struct nlmmap_setup, tx) == 24 &&
	      offsetof(struct nlmmap_compat_setup, tx) == 24);
static_assert(offsetof(struct nlmmap_setup, dump_resume_pct) == 40 &&
	      offsetof(struct nlmmap_compat_setup, dump_resume_pct) == 40);
static_assert(offsetof(struct nlmmap_setup, wake_frames) == 44 &&
	      offsetof(struct nlmmap_compat_setup, wake_frames) == 44);
static_assert(offsetof(struct nlmmap_setup, wake_usecs) == 48 &&
	      offsetof(struct nlmmap_compat_setup, wake_usecs) == 48);
static_assert(offsetof(struct nlmmap_setup, features) == 52 &&
	      offsetof(struct nlmmap_compat_setup, features) == 52);
static_assert(offsetof(struct nlmmap_setup, off) == 56 &&
	      offsetof(struct nlmmap_compat_setup, off) == 56);
static_assert(offsetof(struct nlmmap_setup, resv) == 88 &&
	      offsetof(struct nlmmap_compat_setup, resv) == 88);

/* No 64-bit fields: one layout on every ABI, v1's. */
static_assert(sizeof(struct nl_mmap_req) == 16 &&
	      sizeof(struct nl_mmap_hdr) == 24 &&
	      sizeof(struct nlmmap_ctrl) == 64 &&
	      offsetof(struct nlmmap_ctrl, rx_head) == 0);
static_assert(sizeof(struct nlmmap_subscription) == 48 &&
	      NLMMAP_SUBSCRIPTION_SIZE_V1 == 48 &&
	      offsetof(struct nlmmap_subscription, protocol) == 4 &&
	      offsetof(struct nlmmap_subscription, group) == 8 &&
	      offsetof(struct nlmmap_subscription, flags) == 12 &&
	      offsetof(struct nlmmap_subscription, family) == 16 &&
	      offsetof(struct nlmmap_subscription, name) == 32);

static_assert(NLMMAP_IOC_SETUP == 0xc078b801 &&
	      NLMMAP_IOC_KICK == 0xb804 &&
	      NLMMAP_IOC_CLEAR_ERR == 0xb805 &&
	      NLMMAP_IOC_BOUND == 0x8004b806 &&
	      NLMMAP_IOC_SUBSCRIBE == 0xc030b807 &&
	      NLMMAP_IOC_UNSUBSCRIBE == 0x4030b808);

static const struct file_operations nlmmap_fops = {
	.owner		= THIS_MODULE,
	.open		= nlmmap_open,
	.release	= nlmmap_release,
	.unlocked_ioctl	= nlmmap_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= nlmmap_mmap,
	.poll		= nlmmap_poll,
	.llseek		= noop_llseek,
};

static struct miscdevice nlmmap_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "nlmmap",
	.fops	= &nlmmap_fops,
	.mode	= 0666,
};

/**
 * nlmmap_file_ctx() - the context of a ring file
 * @file: any file
 *
 * Return: its context if @file is an open /dev/nlmmap, else NULL.
 */
struct nlmmap_ctx *nlmmap_file_ctx(struct file *file)
{
	return file->f_op == &nlmmap_fops ? file->private_data : NULL;
}

int nlmmap_dev_init(void)
{
	return misc_register(&nlmmap_misc);
}

void nlmmap_dev_exit(void)
{
	misc_deregister(&nlmmap_misc);
}
