// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap - memory-mapped RX/TX rings for generic netlink sockets.
 *
 * Module entry points and the module-wide counters.
 */
#include <linux/module.h>
#include <linux/percpu.h>
#include <net/genetlink.h>

#include "nlmmap_int.h"

/* Module-wide counters: per CPU, so that producers on different CPUs do
 * not share a cache line per message; summed when read.
 */
struct nlmmap_pcpu_counters {
	s64 v[NLMMAP_S_MAX + 1];
};

static DEFINE_PER_CPU(struct nlmmap_pcpu_counters, nlmmap_pcpu);

/**
 * nlmmap_count() - add to a counter of a ring and to the module total
 * @ctx: the ring's context, or NULL for the module total only
 * @stat: an NLMMAP_S_* index
 * @n: the amount to add (negative to subtract gauges)
 *
 * Context: any.
 */
void nlmmap_count(struct nlmmap_ctx *ctx, int stat, long n)
{
	if (ctx)
		atomic64_add(n, &ctx->stats.v[stat]);
	this_cpu_add(nlmmap_pcpu.v[stat], n);
}

/**
 * nlmmap_global_read() - the module-wide counters, summed over the CPUs
 * @c: filled in
 */
void nlmmap_global_read(struct nlmmap_counters *c)
{
	int cpu, i;

	for (i = 0; i <= NLMMAP_S_MAX; i++) {
		s64 sum = 0;

		for_each_possible_cpu(cpu)
			sum += READ_ONCE(per_cpu(nlmmap_pcpu, cpu).v[i]);
		atomic64_set(&c->v[i], sum);
	}
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
MODULE_VERSION(NLMMAP_VERSION);
/* Resolving the family (CTRL_CMD_GETFAMILY "nlmmap") loads the module. */
MODULE_ALIAS_GENL_FAMILY(NLMMAP_GENL_NAME);
