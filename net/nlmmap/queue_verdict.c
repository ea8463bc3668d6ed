// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts on held packets, from TX frames or the socket, and letting held
 * packets go when their queue ends.
 *
 * A verdict names a packet id of the queue its sender bound: nobody else's
 * packets can be reached. The sender is its socket, not its port id
 * (nlmq_by_sock_rcu()): a socket that took a released binder's port id
 * before that queue ended reaches nothing. Ids may come in any order; a batch covers every
 * held id up to its own. An unknown or already decided id, a verdict out
 * of range, or a replacement payload that is too short (shorter than the
 * headers up to the transport header), too long (over 65535 bytes) or
 * cannot be written is refused with an error and counted; a refused
 * replacement leaves the packet its old payload and drops it, as
 * nfnetlink_queue does.
 */
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/skbuff.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_queue.h>
#include <net/sock.h>

#include "queue.h"

/* True when the entry's unconfirmed conntrack is shared: reinjecting it
 * out of order could race with its other user (nfnetlink_queue's rule).
 */
static bool nlmq_ct_shared_unconfirmed(const struct nf_queue_entry *entry)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	struct nf_conn *ct = (void *)skb_nfct(entry->skb);

	if (!ct || nf_ct_is_confirmed(ct))
		return false;
	return refcount_read(&ct->ct_general.use) > 1;
#else
	return false;
#endif
}

/**
 * nlmq_reinject() - give a held packet back to netfilter
 * @entry: the packet, off its queue
 * @verdict: NF_ACCEPT, NF_DROP, NF_REPEAT, NF_STOP or NF_QUEUE (with its
 *	queue number)
 */
void nlmq_reinject(struct nf_queue_entry *entry, unsigned int verdict)
{
	const struct nf_ct_hook *ct_hook;

	if (verdict == NF_ACCEPT || verdict == NF_REPEAT ||
	    verdict == NF_STOP) {
		rcu_read_lock();
		ct_hook = rcu_dereference(nf_ct_hook);
		if (ct_hook && ct_hook->update(entry->state.net, entry->skb) < 0)
			verdict = NF_DROP;
		rcu_read_unlock();
	}
	if (verdict != NF_DROP && entry->nf_ct_is_unconfirmed &&
	    nlmq_ct_shared_unconfirmed(entry))
		verdict = NF_DROP;
	rcu_read_lock();	/* the hook table */
	nf_reinject(entry, verdict);
	rcu_read_unlock();
}

/**
 * nlmq_flush() - let held packets go
 * @q: the queue
 * @ifindex: only those entering or leaving this device; 0 for all
 * @policy: by the queue's policy (accepted when it fails open, else
 *	dropped, counted as flushed); false: dropped (a hook or device goes)
 *
 * Return: the number of packets let go.
 */
unsigned int nlmq_flush(struct nlmq_inst *q, int ifindex, bool policy)
{
	struct nf_queue_entry *entry, *tmp;
	unsigned int verdict = NF_DROP, n = 0;
	LIST_HEAD(gone);

	spin_lock_bh(&q->lock);
	list_for_each_entry_safe(entry, tmp, &q->entries, list) {
		if (ifindex &&
		    (!entry->state.in || entry->state.in->ifindex != ifindex) &&
		    (!entry->state.out || entry->state.out->ifindex != ifindex))
			continue;
		list_move_tail(&entry->list, &gone);
		q->total--;
		nlmq_share_put(q, entry->skb);
		n++;
	}
	if (policy && (q->flags & NFQA_CFG_F_FAIL_OPEN))
		verdict = NF_ACCEPT;
	spin_unlock_bh(&q->lock);
	list_for_each_entry_safe(entry, tmp, &gone, list) {
		list_del(&entry->list);
		nlmq_reinject(entry, verdict);
	}
	nlmq_count(q, NLMQ_S_FLUSHED, n);
	return n;
}

/**
 * nlmq_verdict_parse() - read a verdict request's attributes once
 * @v: filled in
 * @cmd: NLMQ_CMD_VERDICT or NLMQ_CMD_VERDICT_BATCH
 * @tb: its NFQA_* attributes, parsed and validated by the family's policy
 *
 * Return: 0 or -EINVAL.
 */
int nlmq_verdict_parse(struct nlmq_verdict *v, u8 cmd, struct nlattr **tb)
{
	const struct nfqnl_msg_verdict_hdr *vh;
	u32 verdict;

	memset(v, 0, sizeof(*v));
	if (!tb[NFQA_VERDICT_HDR])
		return -EINVAL;
	vh = nla_data(tb[NFQA_VERDICT_HDR]);
	verdict = ntohl(vh->verdict);
	if ((verdict & NF_VERDICT_MASK) > NF_MAX_VERDICT ||
	    (verdict & NF_VERDICT_MASK) == NF_STOLEN)
		return -EINVAL;
	v->verdict = verdict;
	v->id = ntohl(vh->id);
	v->batch = cmd == NLMQ_CMD_VERDICT_BATCH;
	if (tb[NFQA_MARK]) {
		v->has_mark = true;
		v->mark = ntohl(nla_get_be32(tb[NFQA_MARK]));
	}
	if (tb[NFQA_PRIORITY]) {
		v->has_prio = true;
		v->prio = ntohl(nla_get_be32(tb[NFQA_PRIORITY]));
	}
	if (tb[NFQA_PAYLOAD]) {
		if (v->batch)
			return -EINVAL;
		v->has_payload = true;
		v->payload = nla_data(tb[NFQA_PAYLOAD]);
		v->payload_len = nla_len(tb[NFQA_PAYLOAD]);
	}
	return 0;
}

/* Replace the packet's bytes with @v's payload; nfnetlink_queue's rules. */
static int nlmq_mangle(struct nf_queue_entry *e, const struct nlmq_verdict *v)
{
	int diff = (int)v->payload_len - (int)e->skb->len;
	struct sk_buff *nskb;

	if (diff < 0) {
		if (v->payload_len < skb_transport_offset(e->skb))
			return -EINVAL;
		if (pskb_trim(e->skb, v->payload_len))
			return -ENOMEM;
	} else if (diff > 0) {
		if (v->payload_len > 0xFFFF)
			return -EINVAL;
		if (diff > skb_tailroom(e->skb)) {
			nskb = skb_copy_expand(e->skb, skb_headroom(e->skb),
					       diff, GFP_ATOMIC);
			if (!nskb)
				return -ENOMEM;
			kfree_skb(e->skb);
			e->skb = nskb;
		}
		skb_put(e->skb, diff);
	}
	if (skb_ensure_writable(e->skb, v->payload_len))
		return -ENOMEM;
	skb_copy_to_linear_data(e->skb, v->payload, v->payload_len);
	e->skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

static void nlmq_verdict_one(struct nlmq_inst *q, struct nf_queue_entry *e,
			     const struct nlmq_verdict *v, int *err)
{
	unsigned int verdict = v->verdict;

	if (v->has_payload && nlmq_mangle(e, v)) {
		/* Its old payload is gone or suspect: dropped. */
		*err = -EINVAL;
		verdict = NF_DROP;
	}
	if (v->has_mark)
		e->skb->mark = v->mark;
	if (v->has_prio)
		e->skb->priority = v->prio;
	nlmq_reinject(e, verdict);
}

static bool nlmq_id_after(u32 id, u32 max)
{
	return (s32)(id - max) > 0;
}

/**
 * nlmq_verdict_apply_q() - decide held packets of a queue
 * @q: the queue, proven to be the sender's
 * @v: the verdict
 *
 * Context: process context, rcu_read_lock() held (@q stays).
 * Return: 0; -ENOENT when no held packet has the id (or, for a batch,
 * none is at or before it); -EINVAL for a refused replacement payload
 * (the packet is dropped).
 */
int nlmq_verdict_apply_q(struct nlmq_inst *q, const struct nlmq_verdict *v)
{
	struct nf_queue_entry *entry, *tmp;
	LIST_HEAD(decided);
	unsigned int n = 0;
	int err = 0;

	spin_lock_bh(&q->lock);
	list_for_each_entry_safe(entry, tmp, &q->entries, list) {
		if (v->batch ? nlmq_id_after(entry->id, v->id) :
			       entry->id != v->id) {
			if (v->batch)
				break;
			continue;
		}
		list_move_tail(&entry->list, &decided);
		q->total--;
		nlmq_share_put(q, entry->skb);
		n++;
		if (!v->batch)
			break;
	}
	spin_unlock_bh(&q->lock);
	if (!n) {
		nlmq_count(q, NLMQ_S_BAD_VERDICTS, 1);
		return -ENOENT;
	}
	nlmq_count(q, NLMQ_S_VERDICTS, n);
	/* Off the queue: ours alone now, and @q stays for the counters. */
	list_for_each_entry_safe(entry, tmp, &decided, list) {
		list_del(&entry->list);
		nlmq_verdict_one(q, entry, v, &err);
	}
	if (err)
		nlmq_count(q, NLMQ_S_BAD_VERDICTS, 1);
	return err;
}

/**
 * nlmq_verdict_apply() - decide held packets of a ring socket's queue
 * @net: the sender's namespace
 * @sk: the sender, whose queue it is: the socket that bound it
 * @portid: its port id
 * @v: the verdict
 *
 * Context: process context.
 * Return: as nlmq_verdict_apply_q(), or -ENOTCONN when the sender bound
 * no queue or was released (another socket that took its port id since
 * gets -ENOTCONN too).
 */
int nlmq_verdict_apply(struct net *net, const struct sock *sk, u32 portid,
		       const struct nlmq_verdict *v)
{
	struct nlmq_inst *q;
	int err = -ENOTCONN;

	rcu_read_lock();
	q = nlmq_by_sock_rcu(net, sk, portid);
	if (q)
		err = nlmq_verdict_apply_q(q, v);
	rcu_read_unlock();
	return err;
}
