// SPDX-License-Identifier: GPL-2.0
/*
 * The multicast relay: a ring-bound socket subscribes to a multicast
 * group of an existing netlink family (protocol and group number, e.g.
 * NETLINK_ROUTE / RTNLGRP_LINK, or a generic netlink family's group by
 * name, relay_ctl.c), and the events of that group arrive in its RX ring.
 *
 * One listener per (namespace, protocol, group): a kernel netlink socket
 * of that protocol in the subscribers' namespace, a member of the group,
 * created with the first subscriber and released with the last. Its
 * sk_data_ready() runs in the context of the event's sender: it takes the
 * events off its queue one at a time, under the listener's lock so that
 * every subscriber sees the source's order, and writes each into every
 * subscribed ring (a frame, or COPY for an event larger than a frame; a
 * full ring drops the event for that subscriber only, counted and
 * signalled as any overrun, and so does an event whose sender holds its
 * share of the ring, design.rst "Per-sender quotas"). nm_group is the
 * group, nm_pid the sender's
 * port id, nm_uid/nm_gid the sender's credentials as the subscriber's user
 * namespace sees them, as netlink gives them to a member of the group.
 * The listener's socket never reports ENOBUFS (it would stay congested:
 * nobody calls its recvmsg()); events it could not queue show in its
 * sk_drops, which the next event turns into an overrun of every
 * subscriber (NLMMAP_SUB_LOST).
 *
 * Permissions are the source's own, checked against the subscriber: each
 * subscription first joins the group with a socket of its own, made in
 * the subscriber's namespace and in the subscriber's system call, so the
 * netlink core and the family (its bind callback: CAP_AUDIT_READ for the
 * audit log, CAP_NET_ADMIN for rtnetlink's multicast routing groups, a
 * generic netlink group's flags) decide. They decide three times, once
 * with each credentials that must agree, as netlink_net_capable() does:
 * the caller's, the ring file's opener's and the socket's opener's (a
 * setuid program that writes what it is told on a socket it was given
 * lends it none of its rights). A kernel socket itself has every
 * capability, which is why the listener never decides anything.
 * Subscriptions go through the socket or the ring file
 * (NLMMAP_IOC_SUBSCRIBE), never the TX ring: a TX frame may be processed
 * by another task that holds the ring file.
 *
 * Accounting: a listener is charged to the memory cgroup of the opener of
 * the ring whose subscription started it (its structure, and the socket's
 * inode, from an accounted cache; the netlink core's own struct
 * netlink_sock is not accounted on 6.1, see design.rst). Each user (the
 * kuid that owns the ring's socket) holds at most relay_user_listeners
 * listeners at a time: those it has a subscription to, whoever started
 * them. A subscription that would take it past that is refused (EDQUOT);
 * the holds go with the subscriptions.
 *
 * Lifetimes: subscriptions belong to the ring's context and go with its
 * binding (nlmmap_unbind()). Listeners are released in a work item, away
 * from the locks and notifiers of the path that dropped the last
 * subscriber; they hold their namespace until then. A generic netlink
 * family that goes away takes its groups' members with it: its
 * subscriptions stay, silent, until ended.
 */
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/memcontrol.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/rculist.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "nlmmap_int.h"

struct nlmmap_listener {
	struct list_head node;		/* nlmmap_listeners, under the mutex */
	struct net *net;		/* referenced until released */
	int protocol;
	u32 group;
	struct socket *sock;
	spinlock_t lock;		/* one event at a time: source order */
	int drops_seen;			/* the socket's sk_drops, under lock */
	struct list_head subs;		/* RCU readers; changed under mutex */
	unsigned int nsubs;
	struct work_struct release;
	struct rcu_head rcu;
};

/* A user's listeners, while it holds any (under nlmmap_relay_mutex). */
struct nlmmap_relay_user {
	struct hlist_node node;		/* nlmmap_relay_users */
	kuid_t uid;
	unsigned int listeners;		/* holds on the list */
	struct list_head holds;
};

/* A user's subscriptions to one listener: one hold, counted once. */
struct nlmmap_hold {
	struct list_head unode;		/* user->holds */
	struct nlmmap_relay_user *user;
	struct nlmmap_listener *l;
	unsigned int nsubs;
};

struct nlmmap_sub {
	struct list_head lnode;		/* listener->subs */
	struct list_head cnode;		/* ctx->subs, RCU readers (dumps) */
	struct nlmmap_ctx *ctx;
	struct nlmmap_listener *l;
	struct nlmmap_hold *hold;	/* under nlmmap_relay_mutex */
	atomic64_t n[NLMMAP_SUB_MAX + 1];	/* NLMMAP_SUB_RELAYED.. */
	char family[NLMMAP_SUB_NAMSIZ];
	char name[NLMMAP_SUB_NAMSIZ];
	struct rcu_head rcu;
};

static DEFINE_MUTEX(nlmmap_relay_mutex);
static LIST_HEAD(nlmmap_listeners);
static DEFINE_HASHTABLE(nlmmap_relay_users, 6);

static unsigned int relay_user_listeners = NLMMAP_RELAY_USER_LISTENERS;
module_param(relay_user_listeners, uint, 0644);
MODULE_PARM_DESC(relay_user_listeners,
		 "Relay listeners (namespace, protocol, group) one user may hold subscriptions to at a time (default 256)");

static void nlmmap_sub_count(struct nlmmap_sub *s, int i, u64 n)
{
	atomic64_add(n, &s->n[i]);
}

/* Write one event into a subscriber's ring, as netlink would deliver it to
 * a member of the group. It is charged to its sender's share of the ring:
 * the user of its credentials. The kernel's own events (port id 0, which
 * no user socket has: rtnetlink's, the audit log's) are what the
 * subscriber asked for, as replies are, and keep to no share
 * (NLMMAP_SENDER_SELF): otherwise the only sender most relayed rings have
 * would keep half of every burst.
 */
static void nlmmap_relay_one(struct nlmmap_sub *s, struct sk_buff *skb,
			     u32 group)
{
	const struct scm_creds *c = &NETLINK_CB(skb).creds;
	u64 sender = NETLINK_CB(skb).portid ? nlmmap_sender_uid(c->uid) :
					      NLMMAP_SENDER_SELF;
	struct nlmmap_ctx *ctx = s->ctx;
	struct sk_buff *copy;
	int err;

	if (skb->len > nlmmap_frame_capacity(&ctx->rx)) {
		/* Too large for a frame: through the socket, behind COPY. */
		copy = skb_copy(skb, GFP_ATOMIC);
		if (copy && !nlmmap_unicast_as(read_pnet(&ctx->net), copy,
					       ctx->portid, sender)) {
			nlmmap_sub_count(s, NLMMAP_SUB_COPIED, 1);
		} else {
			if (!copy)
				nlmmap_rx_drop(ctx);
			nlmmap_sub_count(s, NLMMAP_SUB_DROPPED, 1);
		}
		return;
	}
	err = nlmmap_rx_put(ctx, skb, sender, group, c);
	if (!err) {
		nlmmap_count(ctx, NLMMAP_S_RELAYED, 1);
		nlmmap_sub_count(s, NLMMAP_SUB_RELAYED, 1);
	} else if (err != -ENOENT) {
		nlmmap_sub_count(s, NLMMAP_SUB_DROPPED, 1);
	}
}

/* Events the listener's socket could not queue: lost for every
 * subscriber, who sees an overrun as if its own ring had been full.
 */
static void nlmmap_relay_lost(struct nlmmap_listener *l, struct sock *sk)
{
	int drops = atomic_read(&sk->sk_drops);
	int lost = drops - l->drops_seen;
	struct nlmmap_sub *s;

	if (likely(!lost))
		return;
	l->drops_seen = drops;
	list_for_each_entry_rcu(s, &l->subs, lnode) {
		nlmmap_rx_drop(s->ctx);
		nlmmap_sub_count(s, NLMMAP_SUB_LOST, lost);
		nlmmap_sub_count(s, NLMMAP_SUB_DROPPED, lost);
	}
}

static void nlmmap_relay_data_ready(struct sock *sk)
{
	struct nlmmap_listener *l;
	struct nlmmap_sub *s;
	struct sk_buff *skb;

	rcu_read_lock();
	l = rcu_dereference_sk_user_data(sk);
	if (l) {
		/* Senders run in process or softirq context: bottom halves
		 * off, interrupts on.
		 */
		spin_lock_bh(&l->lock);
		nlmmap_relay_lost(l, sk);
		while ((skb = skb_dequeue(&sk->sk_receive_queue))) {
			/* Only the group's events: nothing sent to the
			 * listener's own port id.
			 */
			if (NETLINK_CB(skb).dst_group == l->group)
				list_for_each_entry_rcu(s, &l->subs, lnode)
					nlmmap_relay_one(s, skb, l->group);
			consume_skb(skb);
		}
		spin_unlock_bh(&l->lock);
	}
	rcu_read_unlock();
}

/* A netlink socket of @protocol in @net, a member of @group. Joining runs
 * the netlink core's and the family's checks with the caller's
 * credentials.
 */
static int nlmmap_relay_join(struct net *net, int protocol, u32 group,
			     bool bind, struct socket **res)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	struct socket *sock;
	int one = 1;
	int err;

	err = sock_create_kern(net, AF_NETLINK, SOCK_RAW, protocol, &sock);
	if (err)
		return err;
	/* A listener needs a port id: broadcasts skip port id 0. Nobody
	 * reads its errors, so it must never become congested.
	 */
	if (bind)
		err = kernel_bind(sock, (struct sockaddr *)&addr,
				  sizeof(addr)) ?:
		      sock->ops->setsockopt(sock, SOL_NETLINK,
					    NETLINK_NO_ENOBUFS,
					    KERNEL_SOCKPTR(&one), sizeof(one));
	if (!err)
		err = sock->ops->setsockopt(sock, SOL_NETLINK,
					    NETLINK_ADD_MEMBERSHIP,
					    KERNEL_SOCKPTR(&group),
					    sizeof(group));
	if (err) {
		sock_release(sock);
		return err;
	}
	*res = sock;
	return 0;
}

static void nlmmap_listener_release(struct work_struct *work)
{
	struct nlmmap_listener *l = container_of(work, struct nlmmap_listener,
						 release);

	/* No broadcast reaches the socket once it is released. */
	sock_release(l->sock);
	put_net(l->net);
	kfree_rcu(l, rcu);
}

/* A new listener, not yet relaying; made with no lock held (releasing a
 * bound netlink socket runs the NETLINK_URELEASE notifiers), charged to
 * @memcg: the structure and what the socket takes from accounted caches.
 */
static struct nlmmap_listener *nlmmap_listener_new(struct net *net,
						   int protocol, u32 group,
						   struct mem_cgroup *memcg)
{
	struct mem_cgroup *old = set_active_memcg(memcg);
	struct nlmmap_listener *l;
	int err;

	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	err = l ? nlmmap_relay_join(net, protocol, group, true, &l->sock) :
	      -ENOMEM;
	set_active_memcg(old);
	if (!l)
		return ERR_PTR(-ENOMEM);
	if (err) {
		kfree(l);
		return ERR_PTR(err);
	}
	l->net = get_net(net);
	l->protocol = protocol;
	l->group = group;
	spin_lock_init(&l->lock);
	INIT_LIST_HEAD(&l->subs);
	INIT_WORK(&l->release, nlmmap_listener_release);
	return l;
}

/* The running listener of (net, protocol, group), or NULL. */
static struct nlmmap_listener *nlmmap_listener_find(struct net *net,
						    int protocol, u32 group)
{
	struct nlmmap_listener *l;

	lockdep_assert_held(&nlmmap_relay_mutex);
	list_for_each_entry(l, &nlmmap_listeners, node)
		if (l->net == net && l->protocol == protocol &&
		    l->group == group)
			return l;
	return NULL;
}

/* Start relaying through @fresh, the first of its (net, protocol, group). */
static struct nlmmap_listener *nlmmap_listener_start(struct nlmmap_listener *fresh)
{
	struct sock *sk;

	lockdep_assert_held(&nlmmap_relay_mutex);
	sk = fresh->sock->sk;
	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_sk_user_data(sk, fresh);
	sk->sk_data_ready = nlmmap_relay_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	list_add(&fresh->node, &nlmmap_listeners);
	nlmmap_count(NULL, NLMMAP_S_LISTENERS, 1);
	return fresh;
}

static struct nlmmap_relay_user *nlmmap_relay_user_find(kuid_t uid)
{
	struct nlmmap_relay_user *u;

	lockdep_assert_held(&nlmmap_relay_mutex);
	hash_for_each_possible(nlmmap_relay_users, u, node, __kuid_val(uid))
		if (uid_eq(u->uid, uid))
			return u;
	return NULL;
}

/* @u's hold on @l, or NULL: a walk of at most relay_user_listeners. */
static struct nlmmap_hold *nlmmap_hold_find(struct nlmmap_relay_user *u,
					    struct nlmmap_listener *l)
{
	struct nlmmap_hold *h;

	if (!u || !l)
		return NULL;
	list_for_each_entry(h, &u->holds, unode)
		if (h->l == l)
			return h;
	return NULL;
}

static void nlmmap_hold_put(struct nlmmap_hold *h)
{
	struct nlmmap_relay_user *u = h->user;

	lockdep_assert_held(&nlmmap_relay_mutex);
	if (--h->nsubs)
		return;
	list_del(&h->unode);
	kfree(h);
	if (--u->listeners)
		return;
	hash_del(&u->node);
	kfree(u);
}

static void nlmmap_sub_del(struct nlmmap_sub *s)
{
	struct nlmmap_listener *l = s->l;
	struct sock *sk;

	lockdep_assert_held(&nlmmap_relay_mutex);
	nlmmap_hold_put(s->hold);
	list_del_rcu(&s->lnode);
	list_del_rcu(&s->cnode);
	kfree_rcu(s, rcu);
	if (--l->nsubs)
		return;
	/* The last one: stop relaying now, release the socket later. */
	list_del(&l->node);
	sk = l->sock->sk;
	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_sk_user_data(sk, NULL);
	write_unlock_bh(&sk->sk_callback_lock);
	nlmmap_count(NULL, NLMMAP_S_LISTENERS, -1);
	nlmmap_queue_work(&l->release);
}

static struct nlmmap_sub *nlmmap_sub_find(struct nlmmap_ctx *ctx,
					  int protocol, u32 group)
{
	struct nlmmap_sub *s;

	list_for_each_entry(s, &ctx->subs, cnode)
		if (s->l->protocol == protocol && s->l->group == group)
			return s;
	return NULL;
}

/* The source's own checks, with @cred (NULL: the caller's own). */
static int nlmmap_relay_probe(struct net *net, int protocol, u32 group,
			      const struct cred *cred)
{
	const struct cred *old = cred ? override_creds(cred) : NULL;
	struct socket *probe;
	int err;

	err = nlmmap_relay_join(net, protocol, group, false, &probe);
	if (old)
		revert_creds(old);
	if (!err)
		sock_release(probe);
	return err;
}

/* May the caller, the ring file's opener and the socket's opener each
 * join the group? Both openers' credentials are the ring's, constant
 * once it is bound.
 */
static int nlmmap_relay_permitted(struct nlmmap_ctx *ctx, struct sock *sk,
				  int protocol, u32 group)
{
	const struct cred *file_cred, *sk_cred;
	struct net *net = sock_net(sk);
	int err;

	err = mutex_lock_killable(&ctx->lock);
	if (err)
		return err;
	err = ctx->state != NLMMAP_BOUND || ctx->sk != sk ? -ENOTCONN : 0;
	file_cred = ctx->file_cred;
	sk_cred = ctx->sk_cred;
	mutex_unlock(&ctx->lock);
	if (err)
		return err;
	err = nlmmap_relay_probe(net, protocol, group, NULL);
	if (!err && file_cred != current_cred())
		err = nlmmap_relay_probe(net, protocol, group, file_cred);
	if (!err && sk_cred != current_cred() && sk_cred != file_cred)
		err = nlmmap_relay_probe(net, protocol, group, sk_cred);
	return err;
}

/**
 * nlmmap_relay_subscribe() - relay a multicast group into a ring
 * @ctx: the subscriber's context (referenced)
 * @sk: its bound socket, referenced (the namespace)
 * @req: protocol and group number (resolved), names kept for listing
 *
 * The caller, the ring file's opener and the socket's opener must each be
 * allowed to join the group (as a plain socket of theirs would be).
 *
 * Context: process context, a system call of the subscriber; no lock
 * held (joining a group may take the family's locks).
 * Return: 0; -EEXIST when already subscribed; -ENOSPC past
 * NLMMAP_RELAY_SUBS_MAX subscriptions of the ring; -EDQUOT when the
 * ring's owner would hold more than relay_user_listeners listeners;
 * -ENOTCONN when the ring is not bound to @sk; -EPERM, -EINVAL,
 * -EPROTONOSUPPORT and the like as netlink answers a member's join;
 * -EOPNOTSUPP for the audit log outside the initial namespace.
 */
int nlmmap_relay_subscribe(struct nlmmap_ctx *ctx, struct sock *sk,
			   const struct nlmmap_subscription *req)
{
	struct nlmmap_relay_user *u, *new_u;
	struct nlmmap_listener *fresh, *l;
	int protocol = req->protocol;
	struct net *net = sock_net(sk);
	u32 group = req->group;
	struct nlmmap_sub *s, *it;
	struct nlmmap_hold *h, *new_h;
	unsigned int n = 0;
	int err;

	if (protocol < 0 || protocol >= MAX_LINKS || !group)
		return -EINVAL;
	/* The audit log is multicast in the initial namespace only. */
	if (protocol == NETLINK_AUDIT && !net_eq(net, &init_net))
		return -EOPNOTSUPP;
	err = nlmmap_relay_permitted(ctx, sk, protocol, group);
	if (err)
		return err;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	new_h = kzalloc(sizeof(*new_h), GFP_KERNEL_ACCOUNT);
	new_u = kzalloc(sizeof(*new_u), GFP_KERNEL_ACCOUNT);
	fresh = nlmmap_listener_new(net, protocol, group, ctx->memcg);
	if (!s || !new_h || !new_u || IS_ERR(fresh)) {
		err = IS_ERR(fresh) ? PTR_ERR(fresh) : -ENOMEM;
		if (IS_ERR(fresh))
			fresh = NULL;
		goto out_free;
	}
	strscpy(s->family, req->family, sizeof(s->family));
	strscpy(s->name, req->name, sizeof(s->name));
	err = mutex_lock_killable(&ctx->lock);
	if (err)
		goto out_free;
	err = -ENOTCONN;
	if (ctx->state != NLMMAP_BOUND || ctx->sk != sk)
		goto out_unlock;
	mutex_lock(&nlmmap_relay_mutex);
	list_for_each_entry(it, &ctx->subs, cnode)
		n++;
	err = -ENOSPC;
	if (n >= NLMMAP_RELAY_SUBS_MAX)
		goto out_relay;
	err = -EEXIST;
	if (nlmmap_sub_find(ctx, protocol, group))
		goto out_relay;
	l = nlmmap_listener_find(net, protocol, group);
	u = nlmmap_relay_user_find(ctx->owner);
	h = nlmmap_hold_find(u, l);
	err = -EDQUOT;
	if (!h && u && u->listeners >= READ_ONCE(relay_user_listeners))
		goto out_relay;
	if (!l) {
		l = nlmmap_listener_start(fresh);
		fresh = NULL;
	}
	if (!u) {
		u = new_u;
		new_u = NULL;
		u->uid = ctx->owner;
		INIT_LIST_HEAD(&u->holds);
		hash_add(nlmmap_relay_users, &u->node, __kuid_val(u->uid));
	}
	if (!h) {
		h = new_h;
		new_h = NULL;
		h->user = u;
		h->l = l;
		list_add(&h->unode, &u->holds);
		u->listeners++;
	}
	h->nsubs++;
	s->hold = h;
	s->ctx = ctx;
	s->l = l;
	l->nsubs++;
	list_add_tail_rcu(&s->cnode, &ctx->subs);
	list_add_tail_rcu(&s->lnode, &l->subs);
	s = NULL;
	err = 0;
out_relay:
	mutex_unlock(&nlmmap_relay_mutex);
out_unlock:
	mutex_unlock(&ctx->lock);
out_free:
	kfree(s);
	kfree(new_h);
	kfree(new_u);
	if (fresh)	/* a listener was running already, or refused */
		nlmmap_queue_work(&fresh->release);
	return err;
}

/**
 * nlmmap_relay_unsubscribe() - stop relaying a group into a ring
 * @ctx: the subscriber's context
 * @protocol: the netlink protocol of the group
 * @group: the group number
 *
 * Context: process context; ctx->lock held.
 * Return: 0 or -ENOENT when not subscribed.
 */
int nlmmap_relay_unsubscribe(struct nlmmap_ctx *ctx, int protocol, u32 group)
{
	struct nlmmap_sub *s;

	lockdep_assert_held(&ctx->lock);
	mutex_lock(&nlmmap_relay_mutex);
	s = nlmmap_sub_find(ctx, protocol, group);
	if (s)
		nlmmap_sub_del(s);
	mutex_unlock(&nlmmap_relay_mutex);
	return s ? 0 : -ENOENT;
}

/**
 * nlmmap_relay_drop() - end every subscription of a ring
 * @ctx: the context, losing its binding
 *
 * Context: process context; ctx->lock held.
 */
void nlmmap_relay_drop(struct nlmmap_ctx *ctx)
{
	struct nlmmap_sub *s, *tmp;

	lockdep_assert_held(&ctx->lock);
	if (list_empty(&ctx->subs))
		return;
	mutex_lock(&nlmmap_relay_mutex);
	list_for_each_entry_safe(s, tmp, &ctx->subs, cnode)
		nlmmap_sub_del(s);
	mutex_unlock(&nlmmap_relay_mutex);
}

/**
 * nlmmap_relay_dump_ring() - one NLMMAP_CMD_SUB_GET message per subscription
 * @skb: the dump skb being filled
 * @cb: the dump (its port id and sequence number)
 * @ctx: the ring
 * @skip: subscriptions of @ctx already sent; advanced past those added
 *
 * Context: rcu_read_lock() held (the dump finds @ctx under RCU).
 * Return: 0 when all are in, -EMSGSIZE when @skb is full.
 */
int nlmmap_relay_dump_ring(struct sk_buff *skb, struct netlink_callback *cb,
			   struct nlmmap_ctx *ctx, u32 *skip)
{
	struct nlattr *nest;
	struct nlmmap_sub *s;
	u32 i = 0;
	void *hdr;
	int c;

	list_for_each_entry_rcu(s, &ctx->subs, cnode) {
		if (i++ < *skip)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, nlmmap_genl_family(),
				  NLM_F_MULTI, NLMMAP_CMD_SUB_GET);
		if (!hdr)
			return -EMSGSIZE;
		nest = nla_nest_start(skb, NLMMAP_A_SUB);
		if (!nest ||
		    nla_put_u32(skb, NLMMAP_SUB_PORTID, ctx->portid) ||
		    nla_put_u32(skb, NLMMAP_SUB_PROTOCOL, s->l->protocol) ||
		    nla_put_u32(skb, NLMMAP_SUB_GROUP, s->l->group) ||
		    (s->family[0] &&
		     (nla_put_string(skb, NLMMAP_SUB_FAMILY, s->family) ||
		      nla_put_string(skb, NLMMAP_SUB_NAME, s->name))))
			goto full;
		for (c = NLMMAP_SUB_RELAYED; c <= NLMMAP_SUB_LOST; c++)
			if (nla_put_u64_64bit(skb, c, atomic64_read(&s->n[c]),
					      NLMMAP_SUB_PAD))
				goto full;
		nla_nest_end(skb, nest);
		genlmsg_end(skb, hdr);
		(*skip)++;
	}
	return 0;
full:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}
