// SPDX-License-Identifier: GPL-2.0
/*
 * Binding a ring file to a generic netlink socket.
 *
 * A bound context sits in a table keyed by (netns, portid), the address a
 * kernel producer sends to. The binding ends when the ring file is closed
 * or when the socket is released (NETLINK_URELEASE), whichever is first.
 * Holding the socket's fd is the permission to bind to it.
 */
#include <linux/file.h>
#include <linux/hashtable.h>
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
 * nlmmap_table_nth() - the @n-th bound ring of a namespace
 * @net: the namespace
 * @n: position in table order, from 0
 *
 * Context: rcu_read_lock() held; the result is valid until it is dropped.
 * Return: the context, or NULL when @net has no more than @n rings.
 */
struct nlmmap_ctx *nlmmap_table_nth(const struct net *net, u64 n)
{
	struct nlmmap_ctx *ctx;
	unsigned int bkt;

	hash_for_each_rcu(nlmmap_table, bkt, ctx, node) {
		if (net_eq(read_pnet(&ctx->net), net) && !n--)
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

static void nlmmap_ctx_free_rcu(struct rcu_head *head)
{
	struct nlmmap_ctx *ctx = container_of(head, struct nlmmap_ctx, rcu);

	if (ctx->sk)
		sock_put(ctx->sk);
	if (ctx->user_ns)
		put_user_ns(ctx->user_ns);
	kfree(ctx);
}

static void nlmmap_ctx_release(struct kref *ref)
{
	struct nlmmap_ctx *ctx = container_of(ref, struct nlmmap_ctx, ref);

	call_rcu(&ctx->rcu, nlmmap_ctx_free_rcu);
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
 * nlmmap_bind() - bind @ctx to the NETLINK_GENERIC socket behind @fd
 * @ctx: an unbound context
 * @fd: a file descriptor of the caller
 *
 * Context: ctx->lock held.
 * Return: 0, or -EISCONN (already bound or dead), -EBADF/-ENOTSOCK (not a
 * socket), -EAFNOSUPPORT (not netlink), -EPROTONOSUPPORT (not generic
 * netlink), -EADDRNOTAVAIL (socket has no port id yet), -EADDRINUSE (the
 * socket already has a ring).
 */
int nlmmap_bind(struct nlmmap_ctx *ctx, int fd)
{
	struct sockaddr_nl addr = {};
	struct socket *sock;
	struct net *net;
	u32 hash;
	int err;

	lockdep_assert_held(&ctx->lock);
	if (ctx->state != NLMMAP_UNBOUND)
		return -EISCONN;

	/* The file reference keeps the socket from being released (and
	 * NETLINK_URELEASE from running) until the binding is in the table.
	 */
	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return err;
	err = -EAFNOSUPPORT;
	if (sock->sk->sk_family != AF_NETLINK)
		goto out;
	err = -EPROTONOSUPPORT;
	if (sock->sk->sk_protocol != NETLINK_GENERIC)
		goto out;
	err = kernel_getsockname(sock, (struct sockaddr *)&addr);
	if (err < 0)
		goto out;
	err = -EADDRNOTAVAIL;
	if (!addr.nl_pid)
		goto out;

	net = sock_net(sock->sk);
	hash = nlmmap_hash(net, addr.nl_pid);
	spin_lock(&nlmmap_table_lock);
	err = -EADDRINUSE;
	if (nlmmap_lookup_rcu(net, addr.nl_pid)) {
		spin_unlock(&nlmmap_table_lock);
		goto out;
	}
	write_pnet(&ctx->net, net);
	ctx->portid = addr.nl_pid;
	sock_hold(sock->sk);
	ctx->sk = sock->sk;
	ctx->user_ns = get_user_ns(sock->file->f_cred->user_ns);
	hash_add_rcu(nlmmap_table, &ctx->node, hash);
	atomic_inc(&nlmmap_table_generation);
	spin_unlock(&nlmmap_table_lock);

	ctx->state = NLMMAP_BOUND;
	nlmmap_count(ctx, NLMMAP_S_BOUND, 1);
	nlmmap_rx_start(ctx);
	err = 0;
out:
	sockfd_put(sock);
	return err;
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

static int nlmmap_netlink_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct nlmmap_ctx *ctx;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC)
		return NOTIFY_DONE;
	ctx = nlmmap_ctx_get(n->net, n->portid);
	if (!ctx)
		return NOTIFY_DONE;
	mutex_lock(&ctx->lock);
	nlmmap_unbind(ctx);
	mutex_unlock(&ctx->lock);
	nlmmap_ctx_put(ctx);
	return NOTIFY_OK;
}

static struct notifier_block nlmmap_netlink_notifier = {
	.notifier_call = nlmmap_netlink_event,
};

int nlmmap_bind_init(void)
{
	return netlink_register_notifier(&nlmmap_netlink_notifier);
}

void nlmmap_bind_exit(void)
{
	netlink_unregister_notifier(&nlmmap_netlink_notifier);
	/* Contexts are freed through call_rcu(); wait for them. */
	rcu_barrier();
}
