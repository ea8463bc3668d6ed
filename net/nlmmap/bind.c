// SPDX-License-Identifier: GPL-2.0
/*
 * Binding a ring file to a generic netlink socket.
 *
 * A bound context sits in a table keyed by (netns, portid), the address a
 * kernel producer sends to. The binding ends when the ring file is closed
 * or when the socket is released (NETLINK_URELEASE), whichever is first.
 *
 * Ownership is proven, never inferred: a binding is made only from a
 * request the socket itself sent (NLMMAP_CMD_BIND), under the port id
 * netlink stamped on it, which the socket is hashed under. getsockname()
 * is no proof: a bind() that failed with EADDRINUSE leaves the requested
 * port id there.
 *
 * netlink unhashes a socket before it sends NETLINK_URELEASE, so a new
 * socket may own the port id by then. A release therefore unbinds only a
 * ring whose own socket is dead, and a bind first clears such a ring out
 * of its way.
 */
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/memcontrol.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <net/netns/hash.h>
#include <net/sock.h>

#include "nlmmap_int.h"

static DEFINE_HASHTABLE(nlmmap_table, 8);
static DEFINE_SPINLOCK(nlmmap_table_lock);
static atomic_t nlmmap_table_generation;
static struct workqueue_struct *nlmmap_wq;

/**
 * nlmmap_queue_work() - run @work on the module's workqueue
 * @work: the work; the workqueue is drained before the module goes
 */
void nlmmap_queue_work(struct work_struct *work)
{
	queue_work(nlmmap_wq, work);
}

/**
 * nlmmap_table_gen() - generation of the table of bound rings
 *
 * Return: a number that changes whenever a ring is bound or unbound, so a
 * dump of the table can tell that it was interrupted.
 */
u32 nlmmap_table_gen(void)
{
	return atomic_read(&nlmmap_table_generation);
}

/**
 * nlmmap_table_nth() - the @n-th bound ring of a namespace a dump may show
 * @net: the namespace
 * @n: position among the rings shown, from 0
 * @dr: the dump: every ring if dr->all, else those whose socket belongs to
 *	dr->viewer
 *
 * Context: rcu_read_lock() held; the result is valid until it is dropped.
 * Return: the context, or NULL when there are no more than @n of them.
 */
struct nlmmap_ctx *nlmmap_table_nth(const struct net *net, u64 n,
				    const struct nlmmap_dump_req *dr)
{
	struct nlmmap_ctx *ctx;
	unsigned int bkt;

	hash_for_each_rcu(nlmmap_table, bkt, ctx, node) {
		if (!net_eq(read_pnet(&ctx->net), net))
			continue;
		if (!dr->all && !uid_eq(ctx->owner, dr->viewer))
			continue;
		if (!n--)
			return ctx;
	}
	return NULL;
}

static u32 nlmmap_hash(const struct net *net, u32 portid)
{
	return hash_32(portid ^ net_hash_mix(net), HASH_BITS(nlmmap_table));
}

/**
 * nlmmap_lookup_rcu() - find the context bound to (@net, @portid)
 * @net: network namespace of the socket
 * @portid: netlink port id of the socket
 *
 * Context: rcu_read_lock() held; the result is valid until it is dropped.
 * Return: the context, or NULL.
 */
struct nlmmap_ctx *nlmmap_lookup_rcu(const struct net *net, u32 portid)
{
	struct nlmmap_ctx *ctx;

	hash_for_each_possible_rcu(nlmmap_table, ctx, node,
				   nlmmap_hash(net, portid)) {
		if (ctx->portid == portid && net_eq(read_pnet(&ctx->net), net))
			return ctx;
	}
	return NULL;
}

/* After a grace period, in process context: the final sock_put() of the
 * bound socket must not run in an RCU callback.
 */
static void nlmmap_ctx_free_work(struct work_struct *work)
{
	struct nlmmap_ctx *ctx = container_of(to_rcu_work(work),
					      struct nlmmap_ctx, free_work);

	/* No producer is left: the timer cannot be armed again. */
	hrtimer_cancel(&ctx->wake_timer);
	kfree_skb(ctx->spare);
	if (ctx->sk)
		sock_put(ctx->sk);
	if (ctx->user_ns)
		put_user_ns(ctx->user_ns);
	if (ctx->sk_cred)
		put_cred(ctx->sk_cred);
	put_cred(ctx->file_cred);
	mem_cgroup_put(ctx->memcg);
	if (ctx->ctrl_page)
		__free_page(ctx->ctrl_page);
	kfree(ctx);
}

static void nlmmap_ctx_release(struct kref *ref)
{
	struct nlmmap_ctx *ctx = container_of(ref, struct nlmmap_ctx, ref);

	INIT_RCU_WORK(&ctx->free_work, nlmmap_ctx_free_work);
	queue_rcu_work(nlmmap_wq, &ctx->free_work);
}

/**
 * nlmmap_ctx_get() - find and reference the context bound to a port
 * @net: network namespace
 * @portid: netlink port id
 *
 * Return: a referenced context (release with nlmmap_ctx_put()) or NULL.
 */
struct nlmmap_ctx *nlmmap_ctx_get(const struct net *net, u32 portid)
{
	struct nlmmap_ctx *ctx;

	rcu_read_lock();
	ctx = nlmmap_lookup_rcu(net, portid);
	if (ctx && !kref_get_unless_zero(&ctx->ref))
		ctx = NULL;
	rcu_read_unlock();
	return ctx;
}

/**
 * nlmmap_ctx_put() - drop a context reference
 * @ctx: the context
 */
void nlmmap_ctx_put(struct nlmmap_ctx *ctx)
{
	kref_put(&ctx->ref, nlmmap_ctx_release);
}

/**
 * nlmmap_bind() - bind @ctx to a NETLINK_GENERIC socket
 * @ctx: an unbound context
 * @sk: the socket that sent the bind request (NETLINK_CB(skb).sk)
 * @portid: the port id netlink stamped on that request
 *
 * Context: ctx->lock held, inside the socket's sendmsg().
 * Return: 0, or -EISCONN (already bound or dead), -EPROTONOSUPPORT (not
 * generic netlink), -EADDRINUSE (the socket already has a ring).
 */
int nlmmap_bind(struct nlmmap_ctx *ctx, struct sock *sk, u32 portid)
{
	struct net *net = sock_net(sk);
	u32 hash;

	lockdep_assert_held(&ctx->lock);
	if (ctx->state != NLMMAP_UNBOUND)
		return -EISCONN;
	if (sk->sk_family != AF_NETLINK || sk->sk_protocol != NETLINK_GENERIC ||
	    !sk->sk_socket || !sk->sk_socket->file)
		return -EPROTONOSUPPORT;

	hash = nlmmap_hash(net, portid);
	spin_lock(&nlmmap_table_lock);
	if (nlmmap_lookup_rcu(net, portid)) {
		spin_unlock(&nlmmap_table_lock);
		return -EADDRINUSE;
	}
	write_pnet(&ctx->net, net);
	ctx->portid = portid;
	sock_hold(sk);
	ctx->sk = sk;
	ctx->owner = sk->sk_uid;
	ctx->user_ns = get_user_ns(sk->sk_socket->file->f_cred->user_ns);
	ctx->sk_cred = get_cred(sk->sk_socket->file->f_cred);
	ctx->cred_uid = from_kuid_munged(ctx->user_ns, GLOBAL_ROOT_UID);
	ctx->cred_gid = from_kgid_munged(ctx->user_ns, GLOBAL_ROOT_GID);
	hash_add_rcu(nlmmap_table, &ctx->node, hash);
	atomic_inc(&nlmmap_table_generation);
	spin_unlock(&nlmmap_table_lock);

	ctx->state = NLMMAP_BOUND;
	nlmmap_count(ctx, NLMMAP_S_BOUND, 1);
	nlmmap_rx_start(ctx);
	return 0;
}

/**
 * nlmmap_unbind() - take @ctx out of the table; it becomes DEAD
 * @ctx: the context
 *
 * Producers are shut out of the RX ring and waited for; lookups that found
 * @ctx before this may still use it until their RCU read section ends.
 * The socket reference is dropped when @ctx is freed. The rings stay
 * until the file is closed, so the reader can drain them.
 *
 * Context: ctx->lock held.
 */
void nlmmap_unbind(struct nlmmap_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);
	nlmmap_relay_drop(ctx);
	if (ctx->state == NLMMAP_BOUND) {
		spin_lock(&nlmmap_table_lock);
		hash_del_rcu(&ctx->node);
		atomic_inc(&nlmmap_table_generation);
		spin_unlock(&nlmmap_table_lock);
		nlmmap_count(ctx, NLMMAP_S_BOUND, -1);
	}
	ctx->state = NLMMAP_DEAD;
	nlmmap_dump_free(ctx);
	nlmmap_rx_stop(ctx);
}

/**
 * nlmmap_unbind_released() - unbind the ring at a port id if its socket
 * was released
 * @net: the namespace
 * @portid: the port id
 *
 * Only the ring of a dead socket is unbound: a live one owns the port id
 * now, whatever an older socket's release says.
 *
 * Context: process context; takes that ring's ctx->lock.
 */
void nlmmap_unbind_released(struct net *net, u32 portid)
{
	struct nlmmap_ctx *ctx = nlmmap_ctx_get(net, portid);

	if (!ctx)
		return;
	if (sock_flag(ctx->sk, SOCK_DEAD)) {
		mutex_lock(&ctx->lock);
		nlmmap_unbind(ctx);
		mutex_unlock(&ctx->lock);
	}
	nlmmap_ctx_put(ctx);
}

static int nlmmap_netlink_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	nlmmap_unbind_released(n->net, n->portid);
	return NOTIFY_OK;
}

static struct notifier_block nlmmap_netlink_notifier = {
	.notifier_call = nlmmap_netlink_event,
};

int nlmmap_bind_init(void)
{
	int err;

	nlmmap_wq = alloc_workqueue("nlmmap", 0, 0);
	if (!nlmmap_wq)
		return -ENOMEM;
	err = netlink_register_notifier(&nlmmap_netlink_notifier);
	if (err)
		destroy_workqueue(nlmmap_wq);
	return err;
}

void nlmmap_bind_exit(void)
{
	netlink_unregister_notifier(&nlmmap_netlink_notifier);
	/* Contexts are freed through queue_rcu_work(): let the grace periods
	 * end, then run what they queued.
	 */
	rcu_barrier();
	destroy_workqueue(nlmmap_wq);
}
