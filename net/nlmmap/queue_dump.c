// SPDX-License-Identifier: GPL-2.0
/*
 * NLMQ_CMD_ENTRY_GET: the packets a queue holds, one message each, in id
 * order, dumped through nlmmap's dump engine into the requester's RX ring
 * (nlmmap_dump_to_ring()), or through the socket for a requester without
 * one. A message has the generic netlink header with the queue number in
 * its reserved field, as a packet message, and NFQA_PACKET_HDR,
 * NFQA_MARK, NFQA_IFINDEX_INDEV/OUTDEV, NFQA_CAP_LEN (the packet's
 * length) and NFQA_SKB_INFO.
 *
 * A dump resumes after the last id it sent, so an entry decided meanwhile
 * is simply not sent, and none is sent twice. Each call walks the held
 * packets once under the queue's lock, as a verdict does: bounded by the
 * queue's maximum length (NLMQ_MAXLEN_MAX).
 *
 * The queue's own socket (the one that bound it, not whoever holds its
 * port id now) may dump it; other sockets need CAP_NET_ADMIN in the
 * namespace.
 */
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <net/genetlink.h>
#include <net/netfilter/nf_queue.h>
#include <net/nlmmap.h>
#include <net/sock.h>

#include "queue.h"

/* The packet header and five u32 attributes (a constant expression). */
#define NLMQ_NLA_SPACE(len)	NLA_ALIGN(NLA_HDRLEN + (len))
#define NLMQ_ENTRY_MSG_SIZE \
	NLMSG_SPACE(GENL_HDRLEN + \
		    NLMQ_NLA_SPACE(sizeof(struct nfqnl_msg_packet_hdr)) + \
		    5 * NLMQ_NLA_SPACE(sizeof(u32)))

static int nlmq_put_entry(struct sk_buff *skb,
			  const struct nlmmap_dump_src *src,
			  const struct nlmq_inst *q,
			  const struct nf_queue_entry *e, u16 flags)
{
	const struct sk_buff *pkt = e->skb;
	struct nfqnl_msg_packet_hdr ph = {
		.packet_id = htonl(e->id),
		.hw_protocol = pkt->protocol,
		.hook = e->state.hook,
	};
	struct genlmsghdr *gh;
	void *hdr;

	hdr = genlmsg_put(skb, src->portid, src->seq, nlmq_family(), flags,
			  NLMQ_CMD_ENTRY_GET);
	if (!hdr)
		return -EMSGSIZE;
	gh = hdr - GENL_HDRLEN;
	gh->reserved = (__force u16)htons(q->queue);
	if (nla_put(skb, NFQA_PACKET_HDR, sizeof(ph), &ph) ||
	    nla_put_be32(skb, NFQA_MARK, htonl(pkt->mark)) ||
	    (e->state.in && nla_put_be32(skb, NFQA_IFINDEX_INDEV,
					 htonl(e->state.in->ifindex))) ||
	    (e->state.out && nla_put_be32(skb, NFQA_IFINDEX_OUTDEV,
					  htonl(e->state.out->ifindex))) ||
	    nla_put_be32(skb, NFQA_CAP_LEN, htonl(pkt->len)) ||
	    (skb_is_gso(pkt) &&
	     nla_put_be32(skb, NFQA_SKB_INFO, htonl(NFQA_SKB_GSO)))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* *pos: 0 at the start, else BIT(32) | the next id to send. */
static u32 nlmq_entries_fill(struct sk_buff *skb,
			     const struct nlmmap_dump_src *src, u64 *pos,
			     u32 max, u16 flags, bool *end)
{
	struct nf_queue_entry *e;
	struct nlmq_inst *q;
	u32 next = *pos, n = 0;

	*end = true;
	rcu_read_lock();
	q = nlmq_by_queue_rcu(src->net, src->args[0]);
	/* The queue the dump began with, not a later binding of its number. */
	if (!q || q->cookie != src->args[1])
		goto out;
	spin_lock_bh(&q->lock);
	list_for_each_entry(e, &q->entries, list) {
		if (*pos && (s32)(e->id - next) < 0)
			continue;
		if (n == max || nlmq_put_entry(skb, src, q, e, flags)) {
			*end = false;
			break;
		}
		n++;
		*pos = BIT_ULL(32) | (u32)(e->id + 1);
	}
	spin_unlock_bh(&q->lock);
out:
	rcu_read_unlock();
	return n;
}

static const struct nlmmap_dump_ops nlmq_entries_ops = {
	.owner		= THIS_MODULE,
	.obj_size	= NLMQ_ENTRY_MSG_SIZE,
	.fill		= nlmq_entries_fill,
};

/* NLMQ_A_QUEUE's number, or -1 without it. */
static long nlmq_queue_attr(const struct nlattr *a)
{
	return a ? (long)nla_get_u32(a) : -1;
}

/* The queue a dump asks for (@queue, or the requester's own when
 * negative), if the requester @sk (port id @portid) may see it: its
 * number and binding in @args. Its own is the one it bound itself, not
 * one bound under its port id by a socket released since.
 */
static int nlmq_entries_which(struct net *net, const struct sock *sk,
			      u32 portid, long queue, bool admin,
			      unsigned long args[2])
{
	struct nlmq_inst *q;
	int err = 0;

	if (queue > U16_MAX)
		return -EINVAL;
	rcu_read_lock();
	q = queue >= 0 ? nlmq_by_queue_rcu(net, queue) :
			 nlmq_by_sock_rcu(net, sk, portid);
	if (!q) {
		err = -ENOENT;
	} else if ((q->sk != sk || sock_flag(sk, SOCK_DEAD) ||
		    q->protocol != NETLINK_GENERIC) && !admin) {
		err = -EPERM;
	} else {
		args[0] = q->queue;
		args[1] = q->cookie;
	}
	rcu_read_unlock();
	return err;
}

/**
 * nlmq_entries_tx_dump() - an ENTRY_GET dump requested in a TX frame
 * @net: the ring's namespace
 * @portid: its bound socket's port id
 * @sk: that socket
 * @nlh: the request (a kernel copy of the frame, lengths checked)
 * @args: the dump's arguments, filled in
 *
 * Without capabilities: the socket's own queue, or another it may see.
 *
 * Return: the dump to run, or an ERR_PTR().
 */
const struct nlmmap_dump_ops *
nlmq_entries_tx_dump(struct net *net, u32 portid, struct sock *sk,
		     const struct nlmsghdr *nlh, unsigned long args[2])
{
	static const struct nla_policy policy[NLMQ_A_MAX + 1] = {
		[NLMQ_A_QUEUE]	= { .type = NLA_U32 },
	};
	const struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[NLMQ_A_MAX + 1];
	int err;

	if (gh->cmd != NLMQ_CMD_ENTRY_GET)
		return ERR_PTR(-EOPNOTSUPP);
	err = nla_parse(tb, NLMQ_A_MAX, nlmsg_data(nlh) + GENL_HDRLEN,
			nlmsg_len(nlh) - GENL_HDRLEN, policy, NULL);
	if (!err)
		err = nlmq_entries_which(net, sk, portid,
					 nlmq_queue_attr(tb[NLMQ_A_QUEUE]),
					 false, args);
	return err ? ERR_PTR(err) : &nlmq_entries_ops;
}

/* cb->args: the queue, its binding's cookie, then the position (the next
 * id, and whether one was sent).
 */
int nlmq_entries_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct nlattr *qa = info->attrs[NLMQ_A_QUEUE];
	u32 portid = NETLINK_CB(cb->skb).portid;
	struct net *net = sock_net(cb->skb->sk);
	unsigned long args[2];
	int err;

	err = nlmq_entries_which(net, NETLINK_CB(cb->skb).sk, portid,
				 nlmq_queue_attr(qa),
				 netlink_net_capable(cb->skb, CAP_NET_ADMIN),
				 args);
	if (err)
		return err;
	cb->args[0] = args[0];
	cb->args[1] = args[1];
	cb->args[2] = 0;
	cb->args[3] = 0;
	err = nlmmap_dump_to_ring(net, portid, cb->nlh->nlmsg_seq,
				  &nlmq_entries_ops, args);
	if (err == -ENOTCONN)
		return 0;	/* no ring: through the socket */
	/* In the ring: netlink's side ends at once, sending nothing. */
	return err ?: -EINTR;
}

int nlmq_entries_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlmmap_dump_src src = {
		.net = sock_net(cb->skb->sk),
		.portid = NETLINK_CB(cb->skb).portid,
		.seq = cb->nlh->nlmsg_seq,
		.args = { cb->args[0], cb->args[1] },
	};
	u64 pos = cb->args[3] ? BIT_ULL(32) | (u32)cb->args[2] : 0;
	bool end;
	u32 n;

	n = nlmq_entries_fill(skb, &src, &pos, U32_MAX, NLM_F_MULTI, &end);
	cb->args[2] = (u32)pos;
	cb->args[3] = !!pos;
	return end ? 0 : n ? skb->len : -EMSGSIZE;
}
