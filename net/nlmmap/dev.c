// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/nlmmap character device: one open file is one ring context.
 *
 * The file holds a module reference (fops.owner), so the module cannot be
 * unloaded while any ring file is open or mapped.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "nlmmap_int.h"

static int nlmmap_open(struct inode *inode, struct file *file)
{
	struct nlmmap_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return -ENOMEM;
	mutex_init(&ctx->lock);
	kref_init(&ctx->ref);
	ctx->state = NLMMAP_UNBOUND;
	file->private_data = ctx;
	nlmmap_count(NULL, NLMMAP_S_RINGS, 1);
	return 0;
}

static int nlmmap_release(struct inode *inode, struct file *file)
{
	struct nlmmap_ctx *ctx = file->private_data;

	mutex_lock(&ctx->lock);
	nlmmap_unbind(ctx);
	mutex_unlock(&ctx->lock);
	nlmmap_count(NULL, NLMMAP_S_RINGS, -1);
	nlmmap_ctx_put(ctx);
	return 0;
}

static long nlmmap_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct nlmmap_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;
	s32 fd;

	switch (cmd) {
	case NLMMAP_IOC_BIND:
		if (copy_from_user(&fd, uarg, sizeof(fd)))
			return -EFAULT;
		mutex_lock(&ctx->lock);
		ret = nlmmap_bind(ctx, fd);
		mutex_unlock(&ctx->lock);
		return ret;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations nlmmap_fops = {
	.owner		= THIS_MODULE,
	.open		= nlmmap_open,
	.release	= nlmmap_release,
	.unlocked_ioctl	= nlmmap_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice nlmmap_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "nlmmap",
	.fops	= &nlmmap_fops,
	.mode	= 0666,
};

int nlmmap_dev_init(void)
{
	return misc_register(&nlmmap_misc);
}

void nlmmap_dev_exit(void)
{
	misc_deregister(&nlmmap_misc);
}
