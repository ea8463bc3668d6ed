/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the nlmmap module.
 *
 * Objects:
 *   struct nlmmap_ctx  one open /dev/nlmmap file: its binding, its rings
 *                      and its counters. ctx->lock (a mutex) serialises
 *                      setup, bind, mmap and teardown; ctx->state is the
 *                      state machine they share.
 */
#ifndef _NET_NLMMAP_INT_H
#define _NET_NLMMAP_INT_H

#include <linux/mutex.h>
#include <linux/kref.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <uapi/linux/nlmmap.h>

enum nlmmap_state {
	NLMMAP_UNBOUND,		/* open, no socket yet */
	NLMMAP_BOUND,		/* bound to (net, portid), in the table */
	NLMMAP_DEAD,		/* the socket went away; only close is left */
};

/* Per-ring and module-wide counters, indexed by NLMMAP_S_*. */
struct nlmmap_counters {
	atomic64_t v[NLMMAP_S_MAX + 1];
};

struct nlmmap_ctx {
	struct mutex lock;		/* setup, bind, mmap, teardown */
	enum nlmmap_state state;
	struct kref ref;		/* the file, and lookups in flight */
	struct rcu_head rcu;

	/* binding: set under lock, constant while in the table */
	struct hlist_node node;
	possible_net_t net;
	u32 portid;
	struct sock *sk;		/* holds a reference while bound */

	struct nlmmap_counters stats;
};

/* main.c */
extern struct nlmmap_counters nlmmap_global;
void nlmmap_count(struct nlmmap_ctx *ctx, int stat, long n);

/* genl.c */
int nlmmap_genl_init(void);
void nlmmap_genl_exit(void);

/* dev.c */
int nlmmap_dev_init(void);
void nlmmap_dev_exit(void);

/* bind.c */
int nlmmap_bind_init(void);
void nlmmap_bind_exit(void);
int nlmmap_bind(struct nlmmap_ctx *ctx, int fd);
void nlmmap_unbind(struct nlmmap_ctx *ctx);
struct nlmmap_ctx *nlmmap_lookup_rcu(const struct net *net, u32 portid);
struct nlmmap_ctx *nlmmap_ctx_get(const struct net *net, u32 portid);
void nlmmap_ctx_put(struct nlmmap_ctx *ctx);

#endif /* _NET_NLMMAP_INT_H */
