/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nlmmap in-kernel producer API: send generic netlink messages to a
 * socket, straight into a frame of its mapped RX ring when it has one.
 *
 *	skb = nlmmap_genlmsg_new(net, portid, payload, GFP_ATOMIC);
 *	hdr = genlmsg_put(skb, 0, seq, family, 0, cmd);
 *	nla_put_u32(skb, ...);
 *	genlmsg_end(skb, hdr);
 *	err = nlmmap_unicast(net, skb, portid);
 *
 * An skb from nlmmap_alloc_skb() may have its data in a ring frame (a
 * "ring skb"). Ring skbs are built for exactly this: filling with
 * skb_put()-based helpers (nlmsg_put(), genlmsg_put(), nla_put*()), then
 * nlmmap_unicast() or nlmmap_free_skb(). They never reach the networking
 * core, because nothing but nlmmap_unicast() delivers them and it
 * delivers them by publishing the frame; clone, queue, trim, expand or
 * hand them to netlink_unicast() and friends is a bug. Free one with
 * kfree_skb() by mistake and it is still released safely. A ring skb goes
 * only to the (net, portid) it was allocated for: nlmmap_unicast() to any
 * other destination refuses it (-EINVAL, a hole in its ring, a warning).
 *
 * A producer must commit or free its skb promptly: the frame it holds
 * stops the reader (frames are read in reservation order), and closing
 * the ring waits for it. Producers never sleep inside nlmmap and may run
 * in softirq context.
 */
#ifndef _NET_NLMMAP_H
#define _NET_NLMMAP_H

#include <linux/skbuff.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>

struct net;
struct sock;
struct nlmmap_ctx;
struct nlmmap_dump_ops;

/**
 * struct nlmmap_batch - many messages from one producer to one socket
 * @net: network namespace of the destination socket
 * @portid: port id of the destination socket
 * @ctx: private: the destination's context (referenced), if any
 * @skb: private: the batch's skb, aimed at one frame after another
 * @next: private: next frame of the reserved run
 * @left: private: frames of the run not handed out yet
 * @cap: private: room in a frame of the run
 * @delivered: private: messages published, counted at the end
 * @looked_up: private: @ctx was looked up
 * @run: private: a run is reserved (counted in the ring's inflight)
 * @out: private: @skb is with the producer
 *
 *	nlmmap_batch_init(&b, net, portid);
 *	for (i = 0; i < n; i++) {
 *		skb = nlmmap_batch_alloc(&b, size, n - i, GFP_ATOMIC);
 *		... fill as for nlmmap_alloc_skb() ...
 *		nlmmap_batch_send(&b, skb);
 *	}
 *	nlmmap_batch_end(&b);
 *
 * One message at a time: each skb is sent or freed before the next
 * nlmmap_batch_alloc(). A batch holds ring frames between calls: flush
 * (nlmmap_batch_flush()) or end it before sleeping.
 */
struct nlmmap_batch {
	struct net *net;
	u32 portid;
	struct nlmmap_ctx *ctx;
	struct sk_buff *skb;
	u32 next;
	u32 left;
	u32 cap;
	u32 delivered;
	bool looked_up;
	bool run;
	bool out;
};

void nlmmap_batch_init(struct nlmmap_batch *b, struct net *net, u32 portid);
struct sk_buff *nlmmap_batch_alloc(struct nlmmap_batch *b, unsigned int size,
				   u32 more, gfp_t gfp);
int nlmmap_batch_send(struct nlmmap_batch *b, struct sk_buff *skb);
void nlmmap_batch_flush(struct nlmmap_batch *b);
void nlmmap_batch_end(struct nlmmap_batch *b);

/*
 * Who a message is from, for the destination ring's per-sender shares
 * (Documentation/nlmmap/design.rst, "Per-sender quotas"): one sender may
 * hold at most about half of the frames the others leave. Replies to the
 * destination's own requests (nlmmap_alloc_skb(), nlmmap_unicast()) are
 * NLMMAP_SENDER_SELF and have no share of their own to keep to; a message
 * another user caused names that user (nlmmap_sender_uid()), one the
 * kernel makes of its own accord NLMMAP_SENDER_KERNEL.
 */
#define NLMMAP_SENDER_SELF	0ULL
#define NLMMAP_SENDER_KERNEL	1ULL

/**
 * nlmmap_sender_uid() - the sender that is user @uid
 * @uid: the user (a socket's sk_uid, a message's credentials)
 *
 * Return: its sender value, distinct from the NLMMAP_SENDER_* classes.
 */
static inline u64 nlmmap_sender_uid(kuid_t uid)
{
	return 2 + (u64)__kuid_val(uid);
}

struct sk_buff *nlmmap_alloc_skb(struct net *net, u32 portid,
				 unsigned int size, gfp_t gfp);
struct sk_buff *nlmmap_alloc_skb_as(struct net *net, u32 portid,
				    unsigned int size, gfp_t gfp, u64 sender);
int nlmmap_unicast(struct net *net, struct sk_buff *skb, u32 portid);
int nlmmap_unicast_as(struct net *net, struct sk_buff *skb, u32 portid,
		      u64 sender);
void nlmmap_free_skb(struct sk_buff *skb);
bool nlmmap_skb_in_ring(const struct sk_buff *skb);

/**
 * nlmmap_genlmsg_new() - nlmmap_alloc_skb() sized for a genl message
 * @net: network namespace of the destination socket
 * @portid: port id of the destination socket
 * @payload: size of the generic netlink payload (attributes)
 * @gfp: allocation flags (for the skb head, and the fallback skb)
 *
 * Return: an skb with room for one generic netlink message carrying
 * @payload bytes, or NULL.
 */
static inline struct sk_buff *nlmmap_genlmsg_new(struct net *net, u32 portid,
						 size_t payload, gfp_t gfp)
{
	return nlmmap_alloc_skb(net, portid,
				nlmsg_total_size(GENL_HDRLEN + payload), gfp);
}

/**
 * struct nlmmap_tx_family - another generic netlink family's requests in
 * TX frames
 * @node: private: on nlmmap's list
 * @id: the family's id (set once the family is registered)
 * @owner: the module of @msg
 * @msg: runs one request; @nlh's lengths were read once and bounded, and
 *	@nlh is a kernel copy of the frame (never the frame itself): its
 *	bytes cannot change under @msg. @portid and @sk are the ring's bound
 *	socket, which sent it (@sk referenced by the ring for the call, but
 *	possibly released already: SOCK_DEAD). Ownership is proven by @sk,
 *	never by @portid alone, which a released socket gives up before its
 *	NETLINK_URELEASE. Process context, the ring's lock held: bounded
 *	work only.
 *	Returns 0 or a negative error, which is acked (as is 0 with
 *	NLM_F_ACK).
 * @dump: optional: a request with NLM_F_DUMP goes here instead of @msg
 *	(same context, a kernel copy too). It checks the request as one of
 *	@portid's own, with no capability (another holder of the ring file
 *	may have written it) and returns the dump to run into the ring's RX
 *	ring, with its arguments in @args, or an ERR_PTR(), which is acked.
 */
struct nlmmap_tx_family {
	struct list_head node;
	u16 id;
	struct module *owner;
	int (*msg)(struct net *net, u32 portid, struct sock *sk,
		   const struct nlmsghdr *nlh);
	const struct nlmmap_dump_ops *(*dump)(struct net *net, u32 portid,
					      struct sock *sk,
					      const struct nlmsghdr *nlh,
					      unsigned long args[2]);
};

void nlmmap_tx_register(struct nlmmap_tx_family *f);
void nlmmap_tx_unregister(struct nlmmap_tx_family *f);

/**
 * struct nlmmap_dump_src - where a dump of another family is, for @fill
 * @net: namespace of the requester
 * @portid: the requester
 * @seq: the request's sequence number
 * @args: the family's own, as given to nlmmap_dump_to_ring()
 */
struct nlmmap_dump_src {
	struct net *net;
	u32 portid;
	u32 seq;
	unsigned long args[2];
};

/**
 * struct nlmmap_dump_ops - a dump of another generic netlink family, run
 * by nlmmap's dump engine into the requester's RX ring
 * @owner: the module of @fill; held while the dump lives
 * @obj_size: room the largest object's message needs (nlmsg_total_size())
 * @fill: puts the objects from *@pos on into @skb, at most @max, while
 *	they fit, each with netlink flags @flags; advances *@pos past each
 *	one; sets *@end when no object is left. *@pos is 0 at the start.
 *	Must not sleep: it writes into a reserved frame. Returns the number
 *	of objects put; 0 with *@end false means no room. The same function
 *	can serve the family's socket dumps (its dumpit).
 */
struct nlmmap_dump_ops {
	struct module *owner;
	size_t obj_size;
	u32 (*fill)(struct sk_buff *skb, const struct nlmmap_dump_src *src,
		    u64 *pos, u32 max, u16 flags, bool *end);
};

int nlmmap_dump_to_ring(struct net *net, u32 portid, u32 seq,
			const struct nlmmap_dump_ops *ops,
			const unsigned long args[2]);

#endif /* _NET_NLMMAP_H */
