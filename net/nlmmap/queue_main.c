// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap_queue.ko: a netfilter queue backend into nlmmap rings.
 *
 * The kernel has one queue backend at a time. This module takes it when
 * it is loaded, and only then: loading it is the user's choice of backend.
 * It first takes the NFNL_SUBSYS_QUEUE nfnetlink subsystem, which
 * nfnetlink_queue registers before its queue handler: so while this
 * module is loaded, nfnetlink_queue (autoloaded or not) fails to load
 * with EBUSY before it touches the handler, and while nfnetlink_queue is
 * loaded, this module refuses to load with EBUSY, saying how to switch.
 * Programs that speak nfnetlink_queue's protocol keep working through
 * their sockets (queue_nfnl.c); ring sockets use the "nlmmap_queue"
 * generic netlink family.
 *
 * Queues are per network namespace; binding one needs CAP_NET_ADMIN in
 * the namespace of the binding socket. A queue ends when its socket
 * unbinds, is released (NETLINK_URELEASE: closed, or its task killed),
 * with its namespace, or with the module; its held packets then go by
 * its policy (accepted if it fails open, else dropped), counted. A hook
 * that goes away, or a device that goes down, drops the packets that
 * depend on it, as nfnetlink_queue does.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/nlmmap.h>
#include <net/sock.h>

#include "queue.h"

struct nlmq_net {
	spinlock_t lock;	/* writers of the tables */
	DECLARE_HASHTABLE(by_queue, NLMQ_HASH_BITS);
	DECLARE_HASHTABLE(by_portid, NLMQ_HASH_BITS);
};

static unsigned int nlmq_net_id __read_mostly;
static bool nlmq_exiting;	/* the device notifier's replay at exit */
static struct genl_family nlmq_genl;

/**
 * nlmq_family() - the queue's generic netlink family
 *
 * Return: the family.
 */
struct genl_family *nlmq_family(void)
{
	return &nlmq_genl;
}

static struct nlmq_net *nlmq_pernet(struct net *net)
{
	return net_generic(net, nlmq_net_id);
}

/**
 * nlmq_by_queue_rcu() - the queue bound under a number
 * @net: its namespace
 * @queue: the number
 *
 * Context: rcu_read_lock() held.
 * Return: the queue or NULL.
 */
struct nlmq_inst *nlmq_by_queue_rcu(struct net *net, u16 queue)
{
	struct nlmq_inst *q;

	hash_for_each_possible_rcu(nlmq_pernet(net)->by_queue, q, qnode, queue)
		if (q->queue == queue)
			return q;
	return NULL;
}

/**
 * nlmq_by_sock_rcu() - the queue a ring socket bound
 * @net: its namespace
 * @sk: the socket, which must have bound the queue itself
 * @portid: its port id
 *
 * Another socket that holds @portid now (the binder was released, its
 * queue not yet ended) finds nothing, and neither does a socket that
 * was released.
 *
 * Context: rcu_read_lock() held.
 * Return: the queue or NULL.
 */
struct nlmq_inst *nlmq_by_sock_rcu(struct net *net, const struct sock *sk,
				   u32 portid)
{
	struct nlmq_inst *q;

	if (sock_flag(sk, SOCK_DEAD))
		return NULL;
	hash_for_each_possible_rcu(nlmq_pernet(net)->by_portid, q, pnode,
				   portid)
		if (q->sk == sk && q->portid == portid)
			return q;
	return NULL;
}

/* After every reader of the tables is gone, nothing can add a packet:
 * let the held ones go, then free.
 */
static void nlmq_inst_free_rcu(struct rcu_head *rcu)
{
	struct nlmq_inst *q = container_of(rcu, struct nlmq_inst, rcu);

	nlmq_flush(q, 0, true);
	kfree(q);
}

static void nlmq_inst_destroy(struct nlmq_net *qn, struct nlmq_inst *q)
{
	lockdep_assert_held(&qn->lock);
	hash_del_rcu(&q->qnode);
	if (!hlist_unhashed(&q->pnode))	/* a ring socket's */
		hash_del_rcu(&q->pnode);
	call_rcu(&q->rcu, nlmq_inst_free_rcu);
}

static struct nlmq_inst *nlmq_by_sock(struct nlmq_net *qn,
				      const struct sock *sk, u32 portid)
{
	struct nlmq_inst *q;

	lockdep_assert_held(&qn->lock);
	hash_for_each_possible(qn->by_portid, q, pnode, portid)
		if (q->sk == sk && q->portid == portid)
			return q;
	return NULL;
}

static bool nlmq_queue_taken(struct nlmq_net *qn, u16 queue)
{
	struct nlmq_inst *q;

	lockdep_assert_held(&qn->lock);
	hash_for_each_possible(qn->by_queue, q, qnode, queue)
		if (q->queue == queue)
			return true;
	return false;
}

/**
 * nlmq_set_config() - a queue's configuration, checked
 * @q: the queue
 * @mode: NFQNL_COPY_META or NFQNL_COPY_PACKET
 * @range: payload bytes at most; 0 or above NLMQ_MAX_COPY_RANGE is
 *	NLMQ_MAX_COPY_RANGE, and NFQNL_COPY_META copies none (as
 *	nfnetlink_queue's nfqnl_set_mode())
 * @maxlen: packets held at most, 1..NLMQ_MAXLEN_MAX
 * @flags: NFQA_CFG_F_FAIL_OPEN, _GSO, _UID_GID, _CONNTRACK
 *
 * Return: 0, or -EINVAL (nothing changed).
 */
int nlmq_set_config(struct nlmq_inst *q, u32 mode, u32 range, u32 maxlen,
		    u32 flags)
{
	/* A verdict searches the held packets with bottom halves off: their
	 * number is bounded.
	 */
	if ((mode != NFQNL_COPY_META && mode != NFQNL_COPY_PACKET) ||
	    !maxlen || maxlen > NLMQ_MAXLEN_MAX ||
	    flags & ~(NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO |
		      NFQA_CFG_F_UID_GID | NFQA_CFG_F_CONNTRACK))
		return -EINVAL;
	spin_lock_bh(&q->lock);
	q->copy_mode = mode;
	if (mode == NFQNL_COPY_META)
		q->copy_range = 0;
	else if (!range || range > NLMQ_MAX_COPY_RANGE)
		q->copy_range = NLMQ_MAX_COPY_RANGE;
	else
		q->copy_range = range;
	q->maxlen = maxlen;
	q->flags = flags;
	spin_unlock_bh(&q->lock);
	return 0;
}

/* BIND's attributes, with their defaults where absent. */
static int nlmq_config(struct nlmq_inst *q, struct nlattr **a)
{
	u32 mode = NFQNL_COPY_PACKET, range = NLMQ_MAX_COPY_RANGE, flags = 0;
	u32 maxlen = NLMQ_MAXLEN_DEFAULT;

	if (a[NLMQ_A_COPY_MODE])
		mode = nla_get_u32(a[NLMQ_A_COPY_MODE]);
	if (a[NLMQ_A_COPY_RANGE])
		range = nla_get_u32(a[NLMQ_A_COPY_RANGE]);
	if (a[NLMQ_A_MAXLEN])
		maxlen = nla_get_u32(a[NLMQ_A_MAXLEN]);
	if (a[NLMQ_A_FLAGS])
		flags = nla_get_u32(a[NLMQ_A_FLAGS]);
	return nlmq_set_config(q, mode, range, maxlen, flags);
}

/**
 * nlmq_inst_alloc() - a queue, not bound yet, with the defaults
 * @net: its namespace
 * @queue: its number
 * @sk: the socket binding it (NETLINK_CB(skb).sk of its request)
 * @portid: that socket's port id
 * @protocol: NETLINK_GENERIC or NETLINK_NETFILTER
 *
 * Return: the queue (kfree() it unless nlmq_inst_add() took it), or NULL.
 */
struct nlmq_inst *nlmq_inst_alloc(struct net *net, u16 queue,
				  const struct sock *sk, u32 portid,
				  int protocol)
{
	static atomic_long_t cookies;
	struct nlmq_inst *q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);

	if (!q)
		return NULL;
	q->net = net;
	q->queue = queue;
	q->sk = sk;
	q->cookie = atomic_long_inc_return(&cookies);
	q->portid = portid;
	q->protocol = protocol;
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->entries);
	q->copy_mode = NFQNL_COPY_PACKET;
	q->copy_range = NLMQ_MAX_COPY_RANGE;
	q->maxlen = NLMQ_MAXLEN_DEFAULT;
	return q;
}

/**
 * nlmq_inst_add() - bind a queue of nfnetlink_queue's protocol
 * @fresh: from nlmq_inst_alloc(), NETLINK_NETFILTER
 *
 * Return: 0 (the tables own @fresh now), or -EBUSY when its number is
 * bound already.
 */
int nlmq_inst_add(struct nlmq_inst *fresh)
{
	struct nlmq_net *qn = nlmq_pernet(fresh->net);
	int err = 0;

	spin_lock(&qn->lock);
	if (nlmq_queue_taken(qn, fresh->queue))
		err = -EBUSY;
	else
		hash_add_rcu(qn->by_queue, &fresh->qnode, fresh->queue);
	spin_unlock(&qn->lock);
	return err;
}

/**
 * nlmq_inst_remove() - unbind a queue; its held packets follow its policy
 * @net: its namespace
 * @queue: its number
 * @sk: the socket unbinding it
 * @protocol: that socket's protocol
 *
 * Return: 0, -ENODEV when nothing is bound under @queue, -EPERM when
 * another socket bound it (whatever its port id).
 */
int nlmq_inst_remove(struct net *net, u16 queue, const struct sock *sk,
		     int protocol)
{
	struct nlmq_net *qn = nlmq_pernet(net);
	struct nlmq_inst *q;
	int err = -ENODEV;

	spin_lock(&qn->lock);
	hash_for_each_possible(qn->by_queue, q, qnode, queue) {
		if (q->queue != queue)
			continue;
		err = -EPERM;
		if (q->sk == sk && q->protocol == protocol) {
			nlmq_inst_destroy(qn, q);
			err = 0;
		}
		break;
	}
	spin_unlock(&qn->lock);
	return err;
}

/* BIND: the sender's queue, made or reconfigured. */
static int nlmq_genl_bind(struct sk_buff *skb, struct genl_info *info)
{
	struct nlmq_net *qn = nlmq_pernet(genl_info_net(info));
	struct sock *sk = NETLINK_CB(skb).sk;
	struct nlmq_inst *q, *fresh;
	u32 portid = info->snd_portid;
	u32 queue;
	int err;

	if (!info->attrs[NLMQ_A_QUEUE])
		return -EINVAL;
	queue = nla_get_u32(info->attrs[NLMQ_A_QUEUE]);
	if (queue > U16_MAX || !portid)
		return -EINVAL;
	fresh = nlmq_inst_alloc(genl_info_net(info), queue, sk, portid,
				NETLINK_GENERIC);
	if (!fresh)
		return -ENOMEM;
	err = nlmq_config(fresh, info->attrs);
	if (err)
		goto out;

	spin_lock(&qn->lock);
	/* A released socket's queue may still be there under @portid, until
	 * its NETLINK_URELEASE: not ours, whatever its number.
	 */
	q = nlmq_by_sock(qn, sk, portid);
	if (q) {
		/* Its own queue again: a new configuration. */
		err = q->queue == queue ? nlmq_config(q, info->attrs) : -EBUSY;
	} else if (nlmq_queue_taken(qn, queue)) {
		GENL_SET_ERR_MSG(info, "queue bound by another socket");
		err = -EBUSY;
	} else {
		hash_add_rcu(qn->by_queue, &fresh->qnode, queue);
		hash_add_rcu(qn->by_portid, &fresh->pnode, portid);
		fresh = NULL;
	}
	spin_unlock(&qn->lock);
out:
	kfree(fresh);
	return err;
}

static int nlmq_genl_unbind(struct sk_buff *skb, struct genl_info *info)
{
	struct nlmq_net *qn = nlmq_pernet(genl_info_net(info));
	struct nlmq_inst *q;

	spin_lock(&qn->lock);
	q = nlmq_by_sock(qn, NETLINK_CB(skb).sk, info->snd_portid);
	if (q)
		nlmq_inst_destroy(qn, q);
	spin_unlock(&qn->lock);
	return q ? 0 : -ENOENT;
}

static int nlmq_genl_verdict(struct sk_buff *skb, struct genl_info *info)
{
	struct nlmq_verdict v;
	int err;

	err = nlmq_verdict_parse(&v, info->genlhdr->cmd, info->attrs);
	return err ?: nlmq_verdict_apply(genl_info_net(info),
					 NETLINK_CB(skb).sk, info->snd_portid,
					 &v);
}

static const struct nla_policy nlmq_verdict_policy[NFQA_MAX + 1] = {
	[NFQA_VERDICT_HDR]	=
		NLA_POLICY_EXACT_LEN(sizeof(struct nfqnl_msg_verdict_hdr)),
	[NFQA_MARK]		= { .type = NLA_U32 },
	[NFQA_PRIORITY]		= { .type = NLA_U32 },
	[NFQA_PAYLOAD]		= { .type = NLA_BINARY },
};

/* A verdict in a TX frame of the socket's ring. Nothing else goes through
 * the TX ring but a dump of the socket's own held packets
 * (nlmq_entries_tx_dump()): binding decides with the requester's
 * capabilities, and a TX frame may be run by another holder of the ring
 * file. @nlh is nlmmap's kernel copy of the frame, so nla_parse() and
 * nlmq_verdict_parse() may read it as they read a socket's skb.
 */
static int nlmq_tx_msg(struct net *net, u32 portid, struct sock *sk,
		       const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[NFQA_MAX + 1];
	struct nlmq_verdict v;
	int err;

	if (gh->cmd != NLMQ_CMD_VERDICT && gh->cmd != NLMQ_CMD_VERDICT_BATCH)
		return -EOPNOTSUPP;
	err = nla_parse(tb, NFQA_MAX, nlmsg_data(nlh) + GENL_HDRLEN,
			nlmsg_len(nlh) - GENL_HDRLEN, nlmq_verdict_policy,
			NULL);
	if (!err)
		err = nlmq_verdict_parse(&v, gh->cmd, tb);
	return err ?: nlmq_verdict_apply(net, sk, portid, &v);
}

static struct nlmmap_tx_family nlmq_tx = {
	.owner	= THIS_MODULE,
	.msg	= nlmq_tx_msg,
	.dump	= nlmq_entries_tx_dump,
};

static int nlmq_put_inst(struct sk_buff *skb, struct netlink_callback *cb,
			 struct nlmq_inst *q)
{
	struct nlattr *nest;
	void *hdr;
	int i;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &nlmq_genl, NLM_F_MULTI, NLMQ_CMD_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, NLMQ_A_QUEUE, q->queue) ||
	    nla_put_u32(skb, NLMQ_A_PORTID, q->portid) ||
	    nla_put_u32(skb, NLMQ_A_WAITING, READ_ONCE(q->total)) ||
	    nla_put_u32(skb, NLMQ_A_ID_SEQUENCE, READ_ONCE(q->id_seq)) ||
	    nla_put_u32(skb, NLMQ_A_COPY_MODE, READ_ONCE(q->copy_mode)) ||
	    nla_put_u32(skb, NLMQ_A_COPY_RANGE, READ_ONCE(q->copy_range)) ||
	    nla_put_u32(skb, NLMQ_A_MAXLEN, READ_ONCE(q->maxlen)) ||
	    nla_put_u32(skb, NLMQ_A_FLAGS, READ_ONCE(q->flags)))
		goto full;
	nest = nla_nest_start(skb, NLMQ_A_STATS);
	if (!nest)
		goto full;
	for (i = NLMQ_S_QUEUED; i <= NLMQ_S_MAX; i++)
		if (nla_put_u64_64bit(skb, i, atomic64_read(&q->stats[i]),
				      NLMQ_A_PAD))
			goto full;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
full:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* GET: every queue of the namespace, as /proc/net/netfilter/nfnetlink_queue
 * shows them; cb->args[0] counts those sent.
 */
static int nlmq_genl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlmq_net *qn = nlmq_pernet(sock_net(cb->skb->sk));
	long skip = cb->args[0], i = 0;
	struct nlmq_inst *q;
	int bkt;

	rcu_read_lock();
	hash_for_each_rcu(qn->by_queue, bkt, q, qnode) {
		if (i++ < skip)
			continue;
		if (nlmq_put_inst(skb, cb, q))
			break;
		cb->args[0]++;
	}
	rcu_read_unlock();
	return skb->len;
}

static const struct nla_policy nlmq_policy[NLMQ_A_MAX + 1] = {
	[NLMQ_A_QUEUE]		= { .type = NLA_U32 },
	[NLMQ_A_COPY_MODE]	= { .type = NLA_U32 },
	[NLMQ_A_COPY_RANGE]	= { .type = NLA_U32 },
	[NLMQ_A_MAXLEN]		= { .type = NLA_U32 },
	[NLMQ_A_FLAGS]		= { .type = NLA_U32 },
};

static const struct genl_ops nlmq_ops[] = {
	{ .cmd = NLMQ_CMD_BIND, .doit = nlmq_genl_bind,
	  .policy = nlmq_policy, .maxattr = NLMQ_A_MAX,
	  .flags = GENL_UNS_ADMIN_PERM },
	{ .cmd = NLMQ_CMD_UNBIND, .doit = nlmq_genl_unbind,
	  .policy = nlmq_policy, .maxattr = NLMQ_A_MAX },
	{ .cmd = NLMQ_CMD_VERDICT, .doit = nlmq_genl_verdict,
	  .policy = nlmq_verdict_policy, .maxattr = NFQA_MAX },
	{ .cmd = NLMQ_CMD_VERDICT_BATCH, .doit = nlmq_genl_verdict,
	  .policy = nlmq_verdict_policy, .maxattr = NFQA_MAX },
	{ .cmd = NLMQ_CMD_GET, .dumpit = nlmq_genl_dump,
	  .policy = nlmq_policy, .maxattr = NLMQ_A_MAX },
	{ .cmd = NLMQ_CMD_ENTRY_GET, .start = nlmq_entries_start,
	  .dumpit = nlmq_entries_dumpit,
	  .policy = nlmq_policy, .maxattr = NLMQ_A_MAX },
};

static struct genl_family nlmq_genl __ro_after_init = {
	.name		= NLMQ_GENL_NAME,
	.version	= NLMQ_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= nlmq_ops,
	.n_ops		= ARRAY_SIZE(nlmq_ops),
	.resv_start_op	= NLMQ_CMD_GET + 1,
};

/* A socket released (closed, or its task killed): its queues end.
 *
 * netlink unhashes the socket, then marks it SOCK_DEAD, then sends this
 * with its port id, which another socket may own by now: only the queues
 * of released sockets under that port id end, never a live socket's.
 * Every released socket gets here before it can be freed (netlink drops
 * its last reference after an RCU grace period), and this notifier is
 * registered before any queue can be bound: so the socket of every queue
 * in the tables is still there to be tested.
 */
static int nlmq_netlink_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct netlink_notify *n = ptr;
	struct hlist_node *tmp;
	struct nlmq_net *qn;
	struct nlmq_inst *q;
	int bkt;

	if (event != NETLINK_URELEASE || (n->protocol != NETLINK_GENERIC &&
					  n->protocol != NETLINK_NETFILTER))
		return NOTIFY_DONE;
	qn = nlmq_pernet(n->net);
	spin_lock(&qn->lock);
	if (n->protocol == NETLINK_GENERIC) {
		hash_for_each_possible_safe(qn->by_portid, q, tmp, pnode,
					    n->portid)
			if (q->portid == n->portid &&
			    sock_flag(q->sk, SOCK_DEAD))
				nlmq_inst_destroy(qn, q);
	} else {
		/* As nfnetlink_queue does: every queue, once per release. */
		hash_for_each_safe(qn->by_queue, bkt, tmp, q, qnode)
			if (q->protocol == NETLINK_NETFILTER &&
			    q->portid == n->portid &&
			    sock_flag(q->sk, SOCK_DEAD))
				nlmq_inst_destroy(qn, q);
	}
	spin_unlock(&qn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block nlmq_netlink_nb = {
	.notifier_call = nlmq_netlink_event,
};

static void nlmq_flush_net(struct net *net, int ifindex)
{
	struct nlmq_net *qn = nlmq_pernet(net);
	struct nlmq_inst *q;
	int bkt;

	rcu_read_lock();
	hash_for_each_rcu(qn->by_queue, bkt, q, qnode)
		nlmq_flush(q, ifindex, false);
	rcu_read_unlock();
}

/* A device going down takes the packets entering or leaving it. */
static int nlmq_dev_event(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	if (event == NETDEV_DOWN && !READ_ONCE(nlmq_exiting))
		nlmq_flush_net(dev_net(dev), dev->ifindex);
	return NOTIFY_DONE;
}

static struct notifier_block nlmq_dev_nb = {
	.notifier_call = nlmq_dev_event,
};

/* A hook going away: nothing held may go back to it. */
static void nlmq_hook_drop(struct net *net)
{
	/* Also called on a namespace's failed setup, before ours. */
	if (net_generic(net, nlmq_net_id))
		nlmq_flush_net(net, 0);
}

static const struct nf_queue_handler nlmq_handler = {
	.outfn		= nlmq_enqueue,
	.nf_hook_drop	= nlmq_hook_drop,
};

static int __net_init nlmq_net_init(struct net *net)
{
	struct nlmq_net *qn = nlmq_pernet(net);

	spin_lock_init(&qn->lock);
	hash_init(qn->by_queue);
	hash_init(qn->by_portid);
	return 0;
}

static void __net_exit nlmq_net_exit(struct net *net)
{
	struct nlmq_net *qn = nlmq_pernet(net);
	struct hlist_node *tmp;
	struct nlmq_inst *q;
	int bkt;

	spin_lock(&qn->lock);
	hash_for_each_safe(qn->by_queue, bkt, tmp, q, qnode)
		nlmq_inst_destroy(qn, q);
	spin_unlock(&qn->lock);
}

static struct pernet_operations nlmq_net_ops = {
	.init	= nlmq_net_init,
	.exit	= nlmq_net_exit,
	.id	= &nlmq_net_id,
	.size	= sizeof(struct nlmq_net),
};

#ifdef NLMMAP_KUNIT
/* The KUnit suites run before the module's init (MODULE_STATE_COMING):
 * they set up the per-namespace tables, and nothing else, for
 * themselves.
 */
int nlmq_kunit_pernet_init(void)
{
	return register_pernet_subsys(&nlmq_net_ops);
}

void nlmq_kunit_pernet_exit(void)
{
	unregister_pernet_subsys(&nlmq_net_ops);
	rcu_barrier();	/* the queues' frees */
}

/* A release, as netlink sends it. */
void nlmq_kunit_release(struct netlink_notify *n)
{
	nlmq_netlink_event(NULL, NETLINK_URELEASE, n);
}
#endif

static int __init nlmq_init(void)
{
	int err;

	err = register_pernet_subsys(&nlmq_net_ops);
	if (err)
		return err;
	/* Before anything can bind: every bound socket's release is seen. */
	netlink_register_notifier(&nlmq_netlink_nb);
	/* nfnetlink_queue's protocol, and the guard against it. */
	err = nfnetlink_subsys_register(&nlmq_nfnl);
	if (err) {
		pr_err("nfnetlink_queue holds the queue backend: rmmod nfnetlink_queue, then load nlmmap_queue\n");
		goto out_release;
	}
	err = genl_register_family(&nlmq_genl);
	if (err)
		goto out_subsys;
	nlmq_tx.id = nlmq_genl.id;
	nlmmap_tx_register(&nlmq_tx);
	err = register_netdevice_notifier(&nlmq_dev_nb);
	if (err)
		goto out_genl;
	nf_register_queue_handler(&nlmq_handler);
	return 0;

out_genl:
	nlmmap_tx_unregister(&nlmq_tx);
	genl_unregister_family(&nlmq_genl);
out_subsys:
	nfnetlink_subsys_unregister(&nlmq_nfnl);
out_release:
	netlink_unregister_notifier(&nlmq_netlink_nb);
	unregister_pernet_subsys(&nlmq_net_ops);
	return err;
}

static void __exit nlmq_exit(void)
{
	/* No new packet, no request of nfnetlink_queue's protocol (its
	 * unregistering waits for those running); then every queue ends,
	 * its packets by policy. Unregistering the device notifier replays
	 * NETDEV_DOWN for every device that is up: ignored, or it would drop
	 * them all. The release notifier goes after the last request could
	 * bind: from then on a queue's socket is never looked at again.
	 */
	nf_unregister_queue_handler();
	nfnetlink_subsys_unregister(&nlmq_nfnl);
	synchronize_rcu();
	WRITE_ONCE(nlmq_exiting, true);
	unregister_netdevice_notifier(&nlmq_dev_nb);
	nlmmap_tx_unregister(&nlmq_tx);
	genl_unregister_family(&nlmq_genl);
	netlink_unregister_notifier(&nlmq_netlink_nb);
	unregister_pernet_subsys(&nlmq_net_ops);
	rcu_barrier();	/* the queues' last flushes */
}

module_init(nlmq_init);
module_exit(nlmq_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("netfilter queue backend into nlmmap rings");
MODULE_SOFTDEP("pre: nlmmap");
MODULE_VERSION(NLMMAP_VERSION);
/* Resolving "nlmmap_queue" loads the module. nfnetlink_queue's own
 * alias (nfnetlink subsystem NFNL_SUBSYS_QUEUE) stays nfnetlink_queue's:
 * which backend serves the protocol is the administrator's choice.
 */
MODULE_ALIAS_GENL_FAMILY(NLMQ_GENL_NAME);

#ifdef NLMMAP_KUNIT
/* The KUnit suite of this file tests its request handlers. */
#include "../../tests/kunit/queue_kunit.c"
#endif
