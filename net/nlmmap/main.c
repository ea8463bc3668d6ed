// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap - memory-mapped RX/TX rings for generic netlink sockets.
 *
 * Module entry points and the module-wide counters.
 */
#include <linux/module.h>

#include "nlmmap_int.h"

struct nlmmap_counters nlmmap_global;

/**
 * nlmmap_count() - add to a counter of a ring and to the module total
 * @ctx: the ring's context, or NULL for the module total only
 * @stat: an NLMMAP_S_* index
 * @n: the amount to add (negative to subtract gauges)
 */
void nlmmap_count(struct nlmmap_ctx *ctx, int stat, long n)
{
	if (ctx)
		atomic64_add(n, &ctx->stats.v[stat]);
	atomic64_add(n, &nlmmap_global.v[stat]);
}

static int __init nlmmap_init(void)
{
	int err;

	err = nlmmap_probe_no_enobufs();
	if (err)
		return err;
	err = nlmmap_bind_init();
	if (err)
		return err;
	err = nlmmap_genl_init();
	if (err)
		goto err_bind;
	err = nlmmap_dev_init();
	if (err)
		goto err_genl;
	return 0;

err_genl:
	nlmmap_genl_exit();
err_bind:
	nlmmap_bind_exit();
	return err;
}

static void __exit nlmmap_exit(void)
{
	nlmmap_dev_exit();
	nlmmap_genl_exit();
	nlmmap_bind_exit();
}

module_init(nlmmap_init);
module_exit(nlmmap_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Memory-mapped RX/TX rings for generic netlink");
MODULE_VERSION("0.1");
