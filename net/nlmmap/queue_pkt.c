// SPDX-License-Identifier: GPL-2.0
/*
 * Queued packets into the ring: the queue handler's outfn.
 *
 * Each packet's message is written once, straight into a frame of the
 * bound socket's RX ring (nlmmap_alloc_skb()): the same NFQA_* attributes
 * nfnetlink_queue sends, after a generic netlink header whose reserved
 * field holds the queue number where nfgenmsg holds res_id. The payload
 * is the packet's first bytes up to the copy range, at most
 * NLMQ_MAX_COPY_RANGE (nla_len is 16 bits and counts its header); a packet
 * cut short has NFQA_CAP_LEN, its length, as with nfnetlink_queue. A
 * message larger than a frame (a whole GSO packet, a large payload in a
 * small frame) goes through the socket behind a COPY frame, or is counted
 * as dropped and signalled when the socket refuses it. GSO packets are
 * delivered whole when the queue set NFQA_CFG_F_GSO, else segmented
 * first, as nfnetlink_queue does. A queue
 * bound with nfnetlink_queue's protocol (queue_nfnl.c) gets the same
 * message in an ordinary skb on its socket, with nfgenmsg for a header,
 * and, as nfnetlink_queue builds it, a payload that references the
 * packet's pages (skb_zerocopy()) rather than a copy in one linear
 * allocation: its truesize, which the socket's receive buffer is
 * charged, is then stock's, so a default buffer holds as many messages.
 *
 * The packet is held (its entry on the queue, in id order) from just
 * before its message is published, in the same critical section, so a
 * verdict read from the ring always finds it; a full queue or a full ring
 * refuses it, counted, and a queue that fails open accepts it instead. A
 * packet and its frame are charged to the user of its local socket (the
 * kernel's share for packets without one): a user whose packets hold
 * their share of the queue (maxlen) or of the ring is refused the same
 * way (design.rst, "Per-sender quotas").
 */
#include <linux/hash.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_queue.h>
#include <net/nlmmap.h>
#include <net/sock.h>

#include "queue.h"

/* Room for the attributes other than the payload. */
static size_t nlmq_msg_size(const struct nlmq_inst *q,
			    const struct nf_queue_entry *entry,
			    const struct nfnl_ct_hook *nfnl_ct,
			    const struct nf_conn *ct)
{
	size_t size = nla_total_size(sizeof(struct nfqnl_msg_packet_hdr)) +
		      2 * nla_total_size(sizeof(u32)) +	/* in, out */
		      nla_total_size(sizeof(u32)) +	/* mark */
		      nla_total_size(sizeof(u32)) +	/* priority */
		      nla_total_size(sizeof(struct nfqnl_msg_packet_hw)) +
		      nla_total_size(sizeof(u32)) +	/* skb info */
		      nla_total_size(sizeof(u32)) +	/* cap len */
		      nla_total_size(sizeof(struct nfqnl_msg_packet_timestamp));

	if (q->flags & NFQA_CFG_F_UID_GID)
		size += 2 * nla_total_size(sizeof(u32));
	if (ct)
		size += nfnl_ct->build_size(ct);
	return size;
}

static int nlmq_put_uidgid(struct sk_buff *skb, struct sock *sk)
{
	const struct cred *cred;
	int err = 0;

	if (!sk_fullsock(sk))
		return 0;
	read_lock_bh(&sk->sk_callback_lock);
	if (sk->sk_socket && sk->sk_socket->file) {
		cred = sk->sk_socket->file->f_cred;
		if (nla_put_be32(skb, NFQA_UID,
				 htonl(from_kuid_munged(&init_user_ns,
							cred->fsuid))) ||
		    nla_put_be32(skb, NFQA_GID,
				 htonl(from_kgid_munged(&init_user_ns,
							cred->fsgid))))
			err = -EMSGSIZE;
	}
	read_unlock_bh(&sk->sk_callback_lock);
	return err;
}

static int nlmq_put_meta(struct sk_buff *skb, const struct nlmq_inst *q,
			 const struct nf_queue_entry *entry)
{
	struct sk_buff *pkt = entry->skb;
	struct net_device *in = entry->state.in, *out = entry->state.out;
	ktime_t tstamp = skb_tstamp_cond(pkt, false);

	if ((in && nla_put_be32(skb, NFQA_IFINDEX_INDEV, htonl(in->ifindex))) ||
	    (out &&
	     nla_put_be32(skb, NFQA_IFINDEX_OUTDEV, htonl(out->ifindex))) ||
	    (pkt->mark && nla_put_be32(skb, NFQA_MARK, htonl(pkt->mark))) ||
	    (pkt->priority &&
	     nla_put_be32(skb, NFQA_PRIORITY, htonl(pkt->priority))))
		return -EMSGSIZE;
	if (in && pkt->dev && skb_mac_header_was_set(pkt) &&
	    skb_mac_header_len(pkt)) {
		struct nfqnl_msg_packet_hw phw = {};
		int len = dev_parse_header(pkt, phw.hw_addr);

		phw.hw_addrlen = htons(len);
		if (len && nla_put(skb, NFQA_HWADDR, sizeof(phw), &phw))
			return -EMSGSIZE;
	}
	if (entry->state.hook <= NF_INET_FORWARD && tstamp) {
		struct timespec64 kts = ktime_to_timespec64(tstamp);
		struct nfqnl_msg_packet_timestamp ts = {
			.sec = cpu_to_be64(kts.tv_sec),
			.usec = cpu_to_be64(kts.tv_nsec / NSEC_PER_USEC),
		};

		if (nla_put(skb, NFQA_TIMESTAMP, sizeof(ts), &ts))
			return -EMSGSIZE;
	}
	if ((q->flags & NFQA_CFG_F_UID_GID) && pkt->sk &&
	    nlmq_put_uidgid(skb, pkt->sk))
		return -EMSGSIZE;
	return 0;
}

/* NFQA_SKB_INFO as nfnetlink_queue sets it, after any checksum help. */
static int nlmq_put_skb_info(struct sk_buff *skb, const struct sk_buff *pkt,
			     bool csum_verify)
{
	u32 info = 0;

	if (pkt->ip_summed == CHECKSUM_PARTIAL)
		info = NFQA_SKB_CSUMNOTREADY;
	else if (csum_verify)
		info = NFQA_SKB_CSUM_NOTVERIFIED;
	if (skb_is_gso(pkt))
		info |= NFQA_SKB_GSO;
	return info ? nla_put_be32(skb, NFQA_SKB_INFO, htonl(info)) : 0;
}

static int nlmq_csum_help(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP) &&
	    (!pskb_network_may_pull(skb, sizeof(struct iphdr)) ||
	     ip_check_csum_start(skb)))
		return -EINVAL;
	if (skb_csum_is_sctp(skb))
		return skb_crc32c_csum_help(skb);
	return skb_checksum_help(skb);
}

/* The payload, @data_len bytes of @pkt, as the message's last attribute,
 * and the message's end. A ring frame gets a copy; a socket skb, as
 * nfnetlink_queue builds it, @hlen bytes copied and references to the
 * rest of @pkt's pages (skb_zerocopy()), so its nlmsg_len is skb->len.
 * Return: 0 or a negative error.
 */
static int nlmq_put_payload(struct sk_buff *skb, const struct nlmq_inst *q,
			    void *body, struct sk_buff *pkt, u32 data_len,
			    u32 hlen)
{
	struct nlattr *nla;
	int err;

	if (q->protocol == NETLINK_GENERIC) {
		if (data_len) {
			nla = nla_reserve(skb, NFQA_PAYLOAD, data_len);
			if (!nla ||
			    skb_copy_bits(pkt, 0, nla_data(nla), data_len))
				return -EMSGSIZE;
		}
		genlmsg_end(skb, body);
		return 0;
	}
	if (data_len) {
		/* The last attribute: no padding after it. */
		if (skb_tailroom(skb) < sizeof(*nla))
			return -EMSGSIZE;
		nla = skb_put(skb, sizeof(*nla));
		nla->nla_type = NFQA_PAYLOAD;
		nla->nla_len = nla_attr_size(data_len);
		err = skb_zerocopy(skb, pkt, data_len, hlen);
		if (err)
			return err;
	}
	nlmsg_hdr(skb)->nlmsg_len = skb->len;
	return 0;
}

/* Build @entry's message, publish it, hold the packet. */
/* The message's header: a ring socket's generic netlink header with the
 * queue number in reserved, or nfnetlink_queue's nfgenmsg with it in
 * res_id. Both are 4 bytes: the attributes start at the same place, and
 * genlmsg_end() ends either message.
 * Return: where the attributes go, or NULL.
 */
static void *nlmq_msg_put(struct sk_buff *skb, const struct nlmq_inst *q,
			  const struct nf_queue_entry *entry)
{
	struct genlmsghdr *gh;
	struct nfgenmsg *nfmsg;
	struct nlmsghdr *nlh;
	void *body;

	BUILD_BUG_ON(sizeof(*nfmsg) != GENL_HDRLEN);
	if (q->protocol == NETLINK_GENERIC) {
		body = genlmsg_put(skb, 0, 0, nlmq_family(), 0,
				   NLMQ_CMD_PACKET);
		if (body) {
			gh = body - GENL_HDRLEN;
			gh->reserved = (__force u16)htons(q->queue);
		}
		return body;
	}
	nlh = nlmsg_put(skb, 0, 0, NFNL_SUBSYS_QUEUE << 8 | NFQNL_MSG_PACKET,
			sizeof(*nfmsg), 0);
	if (!nlh)
		return NULL;
	nfmsg = nlmsg_data(nlh);
	nfmsg->nfgen_family = entry->state.pf;
	nfmsg->version = NFNETLINK_V0;
	nfmsg->res_id = htons(q->queue);
	return nfmsg + 1;
}

/* Whose share of the ring and the queue a packet is: the user of the
 * local socket it comes from (or, on input, is for), else the kernel's.
 * The kernel's own sockets (ICMP errors, TCP resets: sk_kern_sock) belong
 * to uid 0 by creation, but what they send any user can provoke: the
 * kernel's, not root's.
 */
static u64 nlmq_sender(const struct sk_buff *pkt)
{
	struct sock *sk = pkt->sk ? sk_to_full_sk(pkt->sk) : NULL;

	if (sk && sk_fullsock(sk) && !sk->sk_kern_sock)
		return nlmmap_sender_uid(READ_ONCE(sk->sk_uid));
	return NLMMAP_SENDER_KERNEL;
}

/* @sender's account on the queue: its own, else (@take) a free one, else
 * the shared account 0.
 */
static u32 nlmq_share_slot(const struct nlmq_share *sh, u64 sender,
			   bool take)
{
	u32 h = hash_64(sender, 32), i, s, free = 0;

	for (i = 0; i < NLMQ_SHARE_PROBE; i++) {
		s = 1 + (h + i) % (NLMQ_SHARE_SLOTS - 1);
		if (!sh->held[s]) {
			if (!free)
				free = s;
		} else if (sh->key[s] == sender) {
			return s;
		}
	}
	return take ? free : 0;
}

/* May @sender hold one more packet on @q? If so it does. Under q->lock. */
static bool nlmq_share_take(struct nlmq_inst *q, u64 sender)
{
	struct nlmq_share *sh = &q->share;
	u32 s = nlmq_share_slot(sh, sender, true);

	if (sh->held[s] + q->total > q->maxlen)
		return false;
	sh->key[s] = sender;
	sh->held[s]++;
	return true;
}

/**
 * nlmq_share_put() - a held packet leaves its queue
 * @q: the queue, its lock held, q->total already lowered
 * @pkt: the packet (entry->skb), its socket as when it was queued
 *
 * Its sender is found again from the packet's socket. Should that have
 * changed owner meanwhile (fchown() by root), the wrong account may be
 * credited or none; the books are exact again when the queue empties.
 */
void nlmq_share_put(struct nlmq_inst *q, const struct sk_buff *pkt)
{
	struct nlmq_share *sh = &q->share;
	u32 s = nlmq_share_slot(sh, nlmq_sender(pkt), false);

	if (sh->held[s])
		sh->held[s]--;
	if (!q->total)
		memset(sh->held, 0, sizeof(sh->held));
}

static int nlmq_send(struct nlmq_inst *q, struct nf_queue_entry *entry)
{
	struct sk_buff *pkt = entry->skb, *skb;
	const struct nfnl_ct_hook *nfnl_ct = NULL;
	enum ip_conntrack_info ctinfo = 0;
	struct nfqnl_msg_packet_hdr *ph;
	struct nf_conn *ct = NULL;
	u32 data_len = 0, cap_len = 0, hlen = 0;
	bool csum_verify, failopen = false;
	void *body;
	struct nlattr *nla;
	u64 sender = nlmq_sender(pkt);
	size_t size;
	int err;

	csum_verify = entry->state.hook <= NF_INET_FORWARD ||
		      (entry->state.hook == NF_INET_POST_ROUTING && !pkt->sk) ?
		      !skb_csum_unnecessary(pkt) : false;
	if (READ_ONCE(q->copy_mode) == NFQNL_COPY_PACKET) {
		if (!(q->flags & NFQA_CFG_F_GSO) &&
		    pkt->ip_summed == CHECKSUM_PARTIAL && nlmq_csum_help(pkt))
			return -EINVAL;
		/* nlmq_set_config() capped the range: nla_len holds it. */
		data_len = min3(READ_ONCE(q->copy_range), pkt->len,
				(u32)NLMQ_MAX_COPY_RANGE);
		cap_len = pkt->len;
	}
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	if (q->flags & NFQA_CFG_F_CONNTRACK) {
		nfnl_ct = rcu_dereference(nfnl_ct_hook);
		if (nfnl_ct)
			ct = nf_ct_get(pkt, &ctinfo);
	}
#endif
	size = nlmq_msg_size(q, entry, nfnl_ct, ct);
	if (q->protocol == NETLINK_GENERIC) {
		size += nla_total_size(data_len);
		skb = nlmmap_alloc_skb_as(q->net, q->portid,
					  nlmsg_total_size(GENL_HDRLEN + size),
					  GFP_ATOMIC, sender);
	} else {
		/* The linear part skb_zerocopy() copies; the rest are the
		 * packet's own pages.
		 */
		if (data_len)
			hlen = min(skb_zerocopy_headlen(pkt), data_len);
		size += nla_total_size(hlen);
		skb = alloc_skb(nlmsg_total_size(sizeof(struct nfgenmsg) +
						 size), GFP_ATOMIC);
	}
	if (!skb)
		return -ENOMEM;
	body = nlmq_msg_put(skb, q, entry);
	if (!body)
		goto too_big;
	nla = __nla_reserve(skb, NFQA_PACKET_HDR, sizeof(*ph));
	ph = nla_data(nla);
	ph->hw_protocol = pkt->protocol;
	ph->hook = entry->state.hook;
	/* nfnetlink_queue's order: CAP_LEN (cut short), SKB_INFO, PAYLOAD. */
	if (nlmq_put_meta(skb, q, entry) ||
	    (ct && nfnl_ct->build(skb, ct, ctinfo, NFQA_CT, NFQA_CT_INFO) < 0) ||
	    (cap_len > data_len &&
	     nla_put_be32(skb, NFQA_CAP_LEN, htonl(cap_len))) ||
	    nlmq_put_skb_info(skb, pkt, csum_verify))
		goto too_big;
	err = nlmq_put_payload(skb, q, body, pkt, data_len, hlen);
	if (err) {
		nlmmap_free_skb(skb);
		return err;
	}

	spin_lock_bh(&q->lock);
	if (q->total >= q->maxlen || !nlmq_share_take(q, sender)) {
		spin_unlock_bh(&q->lock);
		nlmmap_free_skb(skb);
		failopen = q->flags & NFQA_CFG_F_FAIL_OPEN;
		nlmq_count(q, failopen ? NLMQ_S_FAIL_OPEN :
			   NLMQ_S_QUEUE_DROPPED, 1);
		goto refused;
	}
	entry->id = ++q->id_seq;
	ph->packet_id = htonl(entry->id);
	/* Held before its message can be read: a verdict always finds it. */
	list_add_tail(&entry->list, &q->entries);
	q->total++;
	/* Published or counted as a drop of the ring; never lost. A socket
	 * being released gives up its port id, which another socket may
	 * hold by now: nothing more for it (its queue is ending).
	 */
	if (sock_flag(q->sk, SOCK_DEAD)) {
		nlmmap_free_skb(skb);
		err = -ECONNREFUSED;
	} else if (q->protocol == NETLINK_GENERIC) {
		err = nlmmap_unicast_as(q->net, skb, q->portid, sender);
	} else {
		err = nfnetlink_unicast(skb, q->net, q->portid);
	}
	if (err) {
		list_del(&entry->list);
		q->total--;
		nlmq_share_put(q, pkt);
		spin_unlock_bh(&q->lock);
		failopen = q->flags & NFQA_CFG_F_FAIL_OPEN;
		nlmq_count(q, failopen ? NLMQ_S_FAIL_OPEN :
			   NLMQ_S_USER_DROPPED, 1);
		goto refused;
	}
	spin_unlock_bh(&q->lock);
	nlmq_count(q, NLMQ_S_QUEUED, 1);
	return 0;

refused:
	if (failopen) {
		nlmq_reinject(entry, NF_ACCEPT);
		return 0;
	}
	return -ENOBUFS;
too_big:
	nlmmap_free_skb(skb);
	return -EMSGSIZE;
}

/* A segment of a GSO packet, as an entry of its own. */
static int nlmq_send_seg(struct nlmq_inst *q, struct nf_queue_entry *entry,
			 struct sk_buff *seg)
{
	struct nf_queue_entry *e;
	int err;

	if (!seg->next) {	/* the last one takes the entry itself */
		struct sk_buff *gso = entry->skb;

		entry->skb = seg;
		err = nlmq_send(q, entry);
		if (err)
			entry->skb = gso;
		return err;
	}
	skb_mark_not_on_list(seg);
	e = kmemdup(entry, entry->size, GFP_ATOMIC);
	if (!e)
		return -ENOMEM;
	if (!nf_queue_entry_get_refs(e)) {
		kfree(e);
		return -ENOMEM;
	}
	e->skb = seg;
	err = nlmq_send(q, e);
	if (err)
		nf_queue_entry_free(e);
	return err;
}

/**
 * nlmq_enqueue() - the queue handler's outfn
 * @entry: the packet
 * @queuenum: its queue number
 *
 * Context: rcu_read_lock() held (nf_hook), softirq or process context.
 * Return: 0 when held or decided (fail open), -ESRCH when no socket is
 * bound to the queue (netfilter then applies "bypass"), another negative
 * error when refused (the packet is dropped by netfilter).
 */
int nlmq_enqueue(struct nf_queue_entry *entry, unsigned int queuenum)
{
	struct sk_buff *skb = entry->skb, *segs, *seg;
	bool unconfirmed = false;
	struct nlmq_inst *q;
	unsigned int queued = 0;
	int err = 0;

	q = nlmq_by_queue_rcu(entry->state.net, queuenum);
	if (!q)
		return -ESRCH;
	switch (entry->state.pf) {
	case NFPROTO_IPV4:
		skb->protocol = htons(ETH_P_IP);
		break;
	case NFPROTO_IPV6:
		skb->protocol = htons(ETH_P_IPV6);
		break;
	}
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	{
		struct nf_conn *ct = (void *)skb_nfct(skb);

		/* An unconfirmed conntrack that someone else holds too
		 * cannot be queued: nf_conn->ext must not change under a
		 * parallel user (nfnetlink_queue's rule).
		 */
		if (ct && !nf_ct_is_confirmed(ct)) {
			if (refcount_read(&ct->ct_general.use) > 1)
				return -EINVAL;
			unconfirmed = true;
		}
	}
#endif
	if (!skb_is_gso(skb) ||
	    ((q->flags & NFQA_CFG_F_GSO) && !skb_is_gso_sctp(skb)))
		return nlmq_send(q, entry);

	segs = skb_gso_segment(skb, 0);
	if (IS_ERR_OR_NULL(segs))
		return -ENOMEM;
	skb_list_walk_safe(segs, segs, seg) {
		/* Segments share the conntrack: all but the first wait for
		 * the first to confirm it (nlmq_reinject()).
		 */
		if (unconfirmed && queued)
			entry->nf_ct_is_unconfirmed = true;
		if (!err)
			err = nlmq_send_seg(q, entry, segs);
		if (!err)
			queued++;
		else
			kfree_skb(segs);
	}
	if (queued) {
		if (err)	/* the last segment did not take the entry */
			nf_queue_entry_free(entry);
		kfree_skb(skb);
		return 0;
	}
	return err;
}
