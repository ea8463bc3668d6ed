// SPDX-License-Identifier: GPL-2.0
/*
 * RX: the kernel producer API (include/net/nlmmap.h).
 *
 * A message to a socket with an RX ring takes one frame, reserved in ring
 * order under ctx->rx_lock:
 *   - it fits: the skb's data is the frame; nlmmap_unicast() publishes it
 *     VALID (a "ring skb");
 *   - it does not fit, or was built in an ordinary skb: nlmmap_unicast()
 *     queues it on the socket, then publishes its frame COPY, so the reader
 *     meets it in order;
 *   - no frame is free: it is dropped, counted, and the overrun signalled.
 * A reserved frame whose message is abandoned becomes VALID with nm_len 0
 * (a hole, which readers pass over).
 *
 * A ring skb's head points into the frame while its own head, kept in
 * skb->cb, waits to be put back; its destructor puts it back, so even
 * kfree_skb() releases it correctly. The skb is allocated before the
 * frame is reserved, so a producer never sleeps holding a frame.
 *
 * skb_shinfo() of a ring skb is the memory after its frame (ringmem.c):
 * nothing here touches it. Ring skbs are filled with skb_put() and
 * friends, published by nlmmap_unicast() and freed through
 * skb_release_head_state(), whose destructor call restores the skb's own
 * head before skb_release_data() reads any shinfo. With CONFIG_DEBUG_NET
 * every publication checks that the skb is still what nlmmap made: one
 * user, not cloned, linear, its data inside its frame.
 */
#include <linux/export.h>
#include <linux/poll.h>
#include <linux/skbuff.h>
#include <linux/uidgid.h>
#include <net/genetlink.h>
#include <net/nlmmap.h>
#include <net/sock.h>

#include "nlmmap_int.h"

/**
 * nlmmap_wake() - wake poll() sleepers on a ring file, if there are any
 * @ctx: the context
 * @events: the events to report
 *
 * A reader that keeps up never sleeps, so this costs it nothing.
 */
void nlmmap_wake(struct nlmmap_ctx *ctx, __poll_t events)
{
	if (wq_has_sleeper(&ctx->wq))
		wake_up_interruptible_poll(&ctx->wq, events);
}

/**
 * nlmmap_rx_stop() - close the RX ring to producers and wait for those
 * still writing into it
 * @ctx: the context
 *
 * Context: process context, ctx->lock held.
 */
void nlmmap_rx_stop(struct nlmmap_ctx *ctx)
{
	unsigned long flags;

	spin_lock_irqsave(&ctx->rx_lock, flags);
	ctx->rx_open = false;
	spin_unlock_irqrestore(&ctx->rx_lock, flags);
	wait_event(ctx->inflight_wq, !atomic_read(&ctx->inflight));
}

/**
 * nlmmap_rx_start() - open the RX ring to producers if it can take them
 * @ctx: the context
 *
 * Context: ctx->lock held.
 */
void nlmmap_rx_start(struct nlmmap_ctx *ctx)
{
	unsigned long flags;

	spin_lock_irqsave(&ctx->rx_lock, flags);
	ctx->rx_open = ctx->state == NLMMAP_BOUND && ctx->rx.geom.size;
	spin_unlock_irqrestore(&ctx->rx_lock, flags);
}

/**
 * nlmmap_rx_reserve() - reserve the next free RX frame
 * @ctx: the context
 * @size: bytes the message needs in the frame (0 for a COPY frame)
 * @err: set to -ENOENT (ring closed to producers), -EMSGSIZE (@size does
 *	 not fit a frame) or -ENOBUFS (ring full) when no frame is returned
 *
 * Context: any; the caller keeps @ctx alive (RCU or ctx->lock).
 * Return: the frame, now RESERVED and counted in ctx->inflight, or NULL.
 */
struct nl_mmap_hdr *nlmmap_rx_reserve(struct nlmmap_ctx *ctx,
				      unsigned int size, int *err)
{
	struct nl_mmap_hdr *hdr = NULL;
	unsigned long flags;
	u32 idx, skipped = 0;

	spin_lock_irqsave(&ctx->rx_lock, flags);
	if (!ctx->rx_open) {
		*err = -ENOENT;
	} else if (size > nlmmap_frame_capacity(&ctx->rx)) {
		*err = -EMSGSIZE;
	} else {
		*err = nlmmap_frame_reserve(&ctx->rx, &idx, &skipped);
		if (!*err) {
			hdr = nlmmap_frame(&ctx->rx, idx);
			atomic_inc(&ctx->inflight);
		}
	}
	spin_unlock_irqrestore(&ctx->rx_lock, flags);
	if (skipped)
		nlmmap_count(ctx, NLMMAP_S_SKIPPED, skipped);
	return hdr;
}

/* The frame is final; @ctx may go away once inflight reaches zero. */
static void nlmmap_rx_done(struct nlmmap_ctx *ctx)
{
	rcu_read_lock();
	/* Only teardown waits here (nlmmap_rx_stop()): wake it, nobody else.
	 * wq_has_sleeper() pairs with wait_event()'s barrier.
	 */
	if (atomic_dec_and_test(&ctx->inflight) &&
	    wq_has_sleeper(&ctx->inflight_wq))
		wake_up(&ctx->inflight_wq);
	rcu_read_unlock();
}

/* Fill in a frame header and hand the frame to the application. */
static void nlmmap_frame_publish_id(struct nlmmap_ctx *ctx,
				    struct nl_mmap_hdr *hdr, u32 len, u32 status,
				    u32 group, u32 pid)
{
	hdr->nm_len = len;
	hdr->nm_group = group;
	hdr->nm_pid = pid;
	hdr->nm_uid = ctx->cred_uid;
	hdr->nm_gid = ctx->cred_gid;
	nlmmap_status_store(&hdr->nm_status, status);
	/* Holes too: one at the head may be what a sleeper waits behind. */
	nlmmap_wake(ctx, EPOLLIN | EPOLLRDNORM);
}

static void nlmmap_frame_publish(struct nlmmap_ctx *ctx,
				 struct nl_mmap_hdr *hdr, u32 len, u32 status)
{
	nlmmap_frame_publish_id(ctx, hdr, len, status, 0, 0);
}

/**
 * nlmmap_rx_abandon() - give up a reserved frame: it becomes a hole
 * @ctx: the context
 * @hdr: the reserved frame
 */
void nlmmap_rx_abandon(struct nlmmap_ctx *ctx, struct nl_mmap_hdr *hdr)
{
	nlmmap_frame_publish(ctx, hdr, 0, NLMMAP_STATUS_VALID);
	nlmmap_rx_done(ctx);
}

/* No frame for a message: count it and tell the reader. */
static void nlmmap_rx_overrun(struct nlmmap_ctx *ctx)
{
	struct sock *sk = ctx->sk;

	nlmmap_count(ctx, NLMMAP_S_DROPPED, 1);
	atomic_inc(&ctx->overrun);
	if (sk) {
		/* As netlink_overrun(): counted, and ENOBUFS unless the
		 * reader said it does not want it.
		 */
		atomic_inc(&sk->sk_drops);
		if (!nlmmap_sk_no_enobufs(sk)) {
			WRITE_ONCE(sk->sk_err, ENOBUFS);
			sk_error_report(sk);
		}
	}
	nlmmap_wake(ctx, EPOLLERR);
}

static void nlmmap_ring_skb_destructor(struct sk_buff *skb)
{
	struct nlmmap_skb_cb *cb = NLMMAP_SKB_CB(skb);

	if (!cb->committed)
		nlmmap_frame_publish(cb->ctx, cb->hdr, 0, NLMMAP_STATUS_VALID);
	skb->head = cb->head;
	skb->data = cb->head;
	skb->len = 0;
	skb_reset_tail_pointer(skb);
	skb_set_end_offset(skb, cb->end);
	nlmmap_rx_done(cb->ctx);
}

/**
 * nlmmap_rx_ring_skb() - make @skb's data a reserved frame
 * @ctx: the context
 * @hdr: a frame from nlmmap_rx_reserve() with room for the message
 * @skb: a fresh skb from alloc_skb(0, ...), allocated before @hdr was
 *	 reserved
 *
 * Return: @skb, now a ring skb.
 */
struct sk_buff *nlmmap_rx_ring_skb(struct nlmmap_ctx *ctx,
				   struct nl_mmap_hdr *hdr, struct sk_buff *skb)
{
	struct nlmmap_skb_cb *cb = NLMMAP_SKB_CB(skb);

	BUILD_BUG_ON(sizeof(struct nlmmap_skb_cb) > sizeof(skb->cb));
	cb->ctx = ctx;
	cb->hdr = hdr;
	cb->head = skb->head;
	cb->end = skb_end_offset(skb);
	cb->committed = false;
	skb->head = (unsigned char *)hdr + NLMMAP_HDRLEN;
	skb->data = skb->head;
	skb_reset_tail_pointer(skb);
	skb_set_end_offset(skb, nlmmap_frame_capacity(&ctx->rx));
	skb->destructor = nlmmap_ring_skb_destructor;
	return skb;
}

/**
 * nlmmap_skb_in_ring() - does this skb's data sit in a ring frame?
 * @skb: an skb from nlmmap_alloc_skb()
 *
 * Return: true for a ring skb, which only nlmmap_unicast() may deliver.
 */
bool nlmmap_skb_in_ring(const struct sk_buff *skb)
{
	return skb->destructor == nlmmap_ring_skb_destructor;
}
EXPORT_SYMBOL_GPL(nlmmap_skb_in_ring);

/**
 * nlmmap_alloc_skb() - allocate an skb for a message to a netlink socket
 * @net: network namespace of the destination socket
 * @portid: port id of the destination socket
 * @size: bytes of netlink message(s) the skb must hold
 * @gfp: allocation flags for the skb (head)
 *
 * When the destination has an RX ring and @size fits into a frame, the
 * next free frame is reserved and the skb's data is that frame. Otherwise
 * the skb is an ordinary one of @size bytes.
 *
 * Context: any context in which @gfp is valid; never sleeps otherwise.
 * Return: the skb, to be passed to nlmmap_unicast() or nlmmap_free_skb(),
 * or NULL on allocation failure.
 */
struct sk_buff *nlmmap_alloc_skb(struct net *net, u32 portid,
				 unsigned int size, gfp_t gfp)
{
	struct nl_mmap_hdr *hdr = NULL;
	struct nlmmap_ctx *ctx;
	struct sk_buff *skb;
	bool ring;
	int err;

	rcu_read_lock();
	ring = !!nlmmap_lookup_rcu(net, portid);
	rcu_read_unlock();
	if (!ring)
		return alloc_skb(size, gfp);

	/* Allocate before reserving: a held frame stops the reader. */
	skb = alloc_skb(0, gfp);
	if (!skb)
		return NULL;
	rcu_read_lock();
	ctx = nlmmap_lookup_rcu(net, portid);
	if (ctx)
		hdr = nlmmap_rx_reserve(ctx, size, &err);
	rcu_read_unlock();
	if (hdr)
		return nlmmap_rx_ring_skb(ctx, hdr, skb);
	kfree_skb(skb);
	return alloc_skb(size, gfp);
}
EXPORT_SYMBOL_GPL(nlmmap_alloc_skb);

/**
 * nlmmap_rx_copy() - queue an ordinary skb on the socket behind a frame
 * @ctx: the context
 * @hdr: a frame from nlmmap_rx_reserve(); it becomes COPY, or a hole if
 *	 the socket refuses the skb
 * @skb: the message; consumed
 *
 * The COPY frame names its socket message: nm_len is its length, nm_group
 * the sequence number and nm_pid the type of its first netlink header, so
 * the reader can tell it from a message that reached the socket without a
 * frame (an ack of the generic netlink core).
 *
 * Return: 0 or the socket's error (the drop is then counted and signalled).
 */
int nlmmap_rx_copy(struct nlmmap_ctx *ctx, struct nl_mmap_hdr *hdr,
		   struct sk_buff *skb)
{
	const struct nlmsghdr *nlh = nlmsg_hdr(skb);
	unsigned int len = skb->len;
	u32 seq = 0, type = 0;
	int err;

	if (len >= NLMSG_HDRLEN) {
		seq = nlh->nlmsg_seq;
		type = nlh->nlmsg_type;
	}
	/* The reservation keeps ctx alive until nlmmap_rx_done(). */
	err = genlmsg_unicast(read_pnet(&ctx->net), skb, ctx->portid);
	if (err) {
		nlmmap_frame_publish(ctx, hdr, 0, NLMMAP_STATUS_VALID);
		nlmmap_rx_overrun(ctx);
	} else {
		nlmmap_frame_publish_id(ctx, hdr, len, NLMMAP_STATUS_COPY, seq,
					type);
		nlmmap_count(ctx, NLMMAP_S_COPIED, 1);
	}
	nlmmap_rx_done(ctx);
	return err;
}

/* An ordinary skb to @portid: through the socket, with a COPY frame. */
static int nlmmap_unicast_copy(struct net *net, struct sk_buff *skb,
			       u32 portid)
{
	struct nl_mmap_hdr *hdr = NULL;
	struct nlmmap_ctx *ctx;
	int err = 0;

	rcu_read_lock();
	ctx = nlmmap_lookup_rcu(net, portid);
	if (ctx)
		hdr = nlmmap_rx_reserve(ctx, 0, &err);
	if (!hdr && (err == -ENOBUFS || err == -EAGAIN)) {
		nlmmap_rx_overrun(ctx);
		rcu_read_unlock();
		kfree_skb(skb);
		return -ENOBUFS;
	}
	rcu_read_unlock();
	if (!hdr)
		return genlmsg_unicast(net, skb, portid);
	return nlmmap_rx_copy(ctx, hdr, skb);
}

/**
 * nlmmap_unicast() - deliver a message to a netlink socket
 * @net: network namespace of the destination socket
 * @skb: from nlmmap_alloc_skb(); consumed in every case
 * @portid: port id of the destination socket (for a ring skb, the one it
 *	    was allocated for)
 *
 * A ring skb is published in its frame. An ordinary skb goes to the
 * socket's queue; if the socket has an RX ring, a COPY frame marks its
 * place in the ring's order, and when no frame is free the message is
 * dropped, counted and signalled (POLLERR on the ring file, ENOBUFS on the
 * socket).
 *
 * Context: any; never sleeps.
 * Return: 0, or a negative error when the message was not delivered.
 */
int nlmmap_unicast(struct net *net, struct sk_buff *skb, u32 portid)
{
	struct nlmmap_skb_cb *cb = NLMMAP_SKB_CB(skb);

	if (!nlmmap_skb_in_ring(skb))
		return nlmmap_unicast_copy(net, skb, portid);

	if (IS_ENABLED(CONFIG_DEBUG_NET) &&
	    WARN_ON_ONCE(!nlmmap_ring_skb_sane(skb, &cb->ctx->rx))) {
		/* Not published: the destructor leaves a hole. */
		nlmmap_count(cb->ctx, NLMMAP_S_DROPPED, 1);
		kfree_skb(skb);
		return -EINVAL;
	}
	nlmmap_frame_publish(cb->ctx, cb->hdr, skb->len, NLMMAP_STATUS_VALID);
	cb->committed = true;
	nlmmap_count(cb->ctx, NLMMAP_S_DELIVERED, 1);
	consume_skb(skb);
	return 0;
}
EXPORT_SYMBOL_GPL(nlmmap_unicast);

/**
 * nlmmap_free_skb() - free an undelivered skb from nlmmap_alloc_skb()
 * @skb: the skb
 *
 * A ring skb's frame becomes a hole (VALID, nm_len 0) that readers pass.
 */
void nlmmap_free_skb(struct sk_buff *skb)
{
	kfree_skb(skb);
}
EXPORT_SYMBOL_GPL(nlmmap_free_skb);
