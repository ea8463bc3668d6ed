/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlmmap_queue.ko internals: queue instances and held packets.
 */
#ifndef _NET_NLMMAP_QUEUE_H
#define _NET_NLMMAP_QUEUE_H

#include <linux/hashtable.h>
#include <linux/netfilter.h>
#include <linux/spinlock.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/genetlink.h>
#include <net/netfilter/nf_queue.h>
#include <uapi/linux/nlmmap_queue.h>

#define NLMQ_HASH_BITS	4

#define NLMQ_SHARE_SLOTS	16	/* sender accounts per queue: 0 shared */
#define NLMQ_SHARE_PROBE	4	/* hashed accounts a sender may use */

/**
 * struct nlmq_share - whose packets a queue holds (design.rst, "Per-sender
 * quotas"): a sender may queue one more while it holds at most half of
 * what the others leave of maxlen
 * @key: each account's sender (NLMMAP_SENDER_*), valid while @held != 0
 * @held: its packets on the queue
 */
struct nlmq_share {
	u64 key[NLMQ_SHARE_SLOTS];
	u32 held[NLMQ_SHARE_SLOTS];
};

/**
 * struct nlmq_inst - one bound queue
 * @qnode: in the namespace's table by queue number (RCU readers)
 * @pnode: in the namespace's table by port id (RCU readers)
 * @rcu: freed after a grace period
 * @net: the namespace
 * @queue: queue number
 * @portid: the bound socket's port id
 * @sk: the bound socket: the queue's owner. Compared with a request's
 *	sender and, under the namespace's lock, tested for SOCK_DEAD; never
 *	referenced: the socket's release (NETLINK_URELEASE, which netlink
 *	sends before its RCU-deferred sock_put()) takes the queue out of
 *	the tables, so it outlives the queue there and in any RCU reader
 *	that found it. A port id is no proof: netlink frees it before the
 *	release's notifier runs, and another socket may take it meanwhile.
 * @cookie: this binding, unique: what a held-packet dump resumes with
 * @protocol: its protocol: NETLINK_GENERIC (a ring socket of the
 *	"nlmmap_queue" family, one queue per socket, in the by-portid table)
 *	or NETLINK_NETFILTER (nfnetlink_queue's protocol, any number of
 *	queues per socket, verdicts naming their queue)
 * @lock: @entries, @total, @id_seq and the configuration
 * @entries: held packets, in id order
 * @total: packets held
 * @id_seq: the last id given
 * @maxlen: packets held at most
 * @copy_mode: NFQNL_COPY_META or NFQNL_COPY_PACKET
 * @copy_range: payload bytes at most
 * @flags: NFQA_CFG_F_*
 * @share: the senders of @entries, under @lock
 * @stats: NLMQ_S_* counters
 */
struct nlmq_inst {
	struct hlist_node qnode;
	struct hlist_node pnode;
	struct rcu_head rcu;
	struct net *net;
	u16 queue;
	u32 portid;
	const struct sock *sk;
	unsigned long cookie;
	int protocol;
	spinlock_t lock;	/* @entries, @total, @id_seq, configuration */
	struct list_head entries;
	u32 total;
	u32 id_seq;
	u32 maxlen;
	u8 copy_mode;
	u32 copy_range;
	u32 flags;
	struct nlmq_share share;
	atomic64_t stats[NLMQ_S_MAX + 1];
};

/* The verdict a request asks for, read once out of its attributes. */
struct nlmq_verdict {
	u32 verdict;
	u32 id;
	bool batch;
	bool has_mark, has_prio;
	u32 mark, prio;
	const void *payload;	/* stable: a kernel copy or exclusive */
	u32 payload_len;
	bool has_payload;
};

static inline void nlmq_count(struct nlmq_inst *q, int stat, u64 n)
{
	atomic64_add(n, &q->stats[stat]);
}

/* queue_main.c */
struct genl_family *nlmq_family(void);
struct nlmq_inst *nlmq_by_queue_rcu(struct net *net, u16 queue);
struct nlmq_inst *nlmq_by_sock_rcu(struct net *net, const struct sock *sk,
				   u32 portid);
struct nlmq_inst *nlmq_inst_alloc(struct net *net, u16 queue,
				  const struct sock *sk, u32 portid,
				  int protocol);
int nlmq_inst_add(struct nlmq_inst *fresh);
int nlmq_inst_remove(struct net *net, u16 queue, const struct sock *sk,
		     int protocol);
int nlmq_set_config(struct nlmq_inst *q, u32 mode, u32 range, u32 maxlen,
		    u32 flags);

#ifdef NLMMAP_KUNIT
struct netlink_notify;
int nlmq_kunit_pernet_init(void);
void nlmq_kunit_pernet_exit(void);
void nlmq_kunit_release(struct netlink_notify *n);
#endif

/* queue_nfnl.c */
extern const struct nfnetlink_subsystem nlmq_nfnl;

/* queue_pkt.c */
int nlmq_enqueue(struct nf_queue_entry *entry, unsigned int queuenum);
void nlmq_share_put(struct nlmq_inst *q, const struct sk_buff *pkt);

/* queue_dump.c */
const struct nlmmap_dump_ops *
nlmq_entries_tx_dump(struct net *net, u32 portid, struct sock *sk,
		     const struct nlmsghdr *nlh, unsigned long args[2]);
int nlmq_entries_start(struct netlink_callback *cb);
int nlmq_entries_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* queue_verdict.c */
void nlmq_reinject(struct nf_queue_entry *entry, unsigned int verdict);
int nlmq_verdict_parse(struct nlmq_verdict *v, u8 cmd,
		       struct nlattr **tb);
int nlmq_verdict_apply(struct net *net, const struct sock *sk, u32 portid,
		       const struct nlmq_verdict *v);
int nlmq_verdict_apply_q(struct nlmq_inst *q, const struct nlmq_verdict *v);
unsigned int nlmq_flush(struct nlmq_inst *q, int ifindex, bool policy);

#endif /* _NET_NLMMAP_QUEUE_H */
