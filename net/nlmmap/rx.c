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

static void nlmmap_rx_wake_now(struct nlmmap_ctx *ctx)
{
	atomic_set(&ctx->wake_pending, 0);
	nlmmap_count(ctx, NLMMAP_S_WAKEUPS, 1);
	wake_up_interruptible_poll(&ctx->wq, EPOLLIN | EPOLLRDNORM);
}

/**
 * nlmmap_rx_wake_sleeper() - a frame was published and a reader sleeps:
 * wake it by the ring's wake-up policy
 * @ctx: the context
 *
 * With wake_frames N > 1 (NLMMAP_IOC_SETUP), a reader asleep in poll() is
 * woken by the N-th frame published since it went to sleep, or by the
 * ring's timer wake_usecs after the first of them, whichever comes first.
 * Otherwise every frame wakes it. Called by nlmmap_rx_wake().
 *
 * Context: any; a frame of the ring is reserved (ctx alive).
 */
void nlmmap_rx_wake_sleeper(struct nlmmap_ctx *ctx)
{
	u32 n = READ_ONCE(ctx->wake_frames);

	if (n > 1 && (u32)atomic_inc_return(&ctx->wake_pending) < n) {
		if (!hrtimer_is_queued(&ctx->wake_timer))
			hrtimer_start(&ctx->wake_timer,
				      ns_to_ktime(READ_ONCE(ctx->wake_ns)),
				      HRTIMER_MODE_REL);
		return;
	}
	nlmmap_rx_wake_now(ctx);
}

/**
 * nlmmap_rx_wake_timer() - the ring's wake-up timer expired
 * @t: ctx->wake_timer
 *
 * Return: HRTIMER_NORESTART.
 */
enum hrtimer_restart nlmmap_rx_wake_timer(struct hrtimer *t)
{
	struct nlmmap_ctx *ctx = container_of(t, struct nlmmap_ctx, wake_timer);

	if (wq_has_sleeper(&ctx->wq))
		nlmmap_rx_wake_now(ctx);
	return HRTIMER_NORESTART;
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

static struct nl_mmap_hdr *__nlmmap_rx_reserve(struct nlmmap_ctx *ctx,
					       unsigned int size, u32 want,
					       u64 sender, u32 *idx, u32 *n,
					       int *err)
{
	struct nl_mmap_hdr *hdr = NULL;
	unsigned long flags;
	u32 skipped = 0;

	spin_lock_irqsave(&ctx->rx_lock, flags);
	if (!ctx->rx_open) {
		*err = -ENOENT;
	} else if (size > nlmmap_frame_capacity(&ctx->rx)) {
		*err = -EMSGSIZE;
	} else {
		*err = nlmmap_frame_reserve_as(&ctx->rx, want, sender, idx, n,
					       &skipped);
		if (!*err) {
			hdr = nlmmap_frame(&ctx->rx, *idx);
			atomic_inc(&ctx->inflight);
		}
	}
	spin_unlock_irqrestore(&ctx->rx_lock, flags);
	if (skipped)
		nlmmap_count(ctx, NLMMAP_S_SKIPPED, skipped);
	return hdr;
}

/**
 * nlmmap_rx_reserve_run() - reserve the next free RX frames for the
 * receiver's own requests
 * @ctx: the context
 * @size: bytes the message needs in a frame (0 for a COPY frame)
 * @want: frames wanted, 1..NLMMAP_RESERVE_RUN
 * @idx: set to the first frame's index
 * @n: set to the number of frames reserved, in ring order from @idx
 * @err: set to -ENOENT (ring closed to producers), -EMSGSIZE (@size does
 *	 not fit a frame) or -ENOBUFS (ring full) when no frame is returned
 *
 * The run counts once in ctx->inflight: its holder calls nlmmap_rx_done()
 * once, when every frame of it is final. The frames are charged to
 * NLMMAP_SENDER_SELF.
 *
 * Context: any; the caller keeps @ctx alive (RCU or a reference).
 * Return: the first frame, now RESERVED, or NULL.
 */
struct nl_mmap_hdr *nlmmap_rx_reserve_run(struct nlmmap_ctx *ctx,
					  unsigned int size, u32 want, u32 *idx,
					  u32 *n, int *err)
{
	return __nlmmap_rx_reserve(ctx, size, want, NLMMAP_SENDER_SELF, idx,
				   n, err);
}

/**
 * nlmmap_rx_reserve_as() - reserve the next free RX frame for a sender
 * @ctx: the context
 * @size: bytes the message needs in the frame (0 for a COPY frame)
 * @sender: whose share pays for it (NLMMAP_SENDER_*, nlmmap_sender_uid())
 * @err: as for nlmmap_rx_reserve_run(), or -EDQUOT: a frame is free but
 *	 not for @sender, who holds its share (a drop: nlmmap_rx_drop_err())
 *
 * Context: any; the caller keeps @ctx alive (RCU or ctx->lock).
 * Return: the frame, now RESERVED and counted in ctx->inflight, or NULL.
 */
struct nl_mmap_hdr *nlmmap_rx_reserve_as(struct nlmmap_ctx *ctx,
					 unsigned int size, u64 sender,
					 int *err)
{
	u32 idx, n;

	return __nlmmap_rx_reserve(ctx, size, 1, sender, &idx, &n, err);
}

/**
 * nlmmap_rx_reserve() - reserve the next free RX frame for the receiver's
 * own requests
 * @ctx: the context
 * @size: bytes the message needs in the frame (0 for a COPY frame)
 * @err: as for nlmmap_rx_reserve_run()
 *
 * Context: any; the caller keeps @ctx alive (RCU or ctx->lock).
 * Return: the frame, now RESERVED and counted in ctx->inflight, or NULL.
 */
struct nl_mmap_hdr *nlmmap_rx_reserve(struct nlmmap_ctx *ctx,
				      unsigned int size, int *err)
{
	return nlmmap_rx_reserve_as(ctx, size, NLMMAP_SENDER_SELF, err);
}

/**
 * nlmmap_rx_done() - a reservation's frames are all final
 * @ctx: the context; may go away once inflight reaches zero
 */
void nlmmap_rx_done(struct nlmmap_ctx *ctx)
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

static void nlmmap_frame_publish(struct nlmmap_ctx *ctx,
				 struct nl_mmap_hdr *hdr, u32 len, u32 status)
{
	nlmmap_frame_publish_id(ctx, hdr, len, status, 0, 0);
	nlmmap_rx_wake(ctx);
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

/**
 * nlmmap_rx_drop() - no frame for a message: count it and tell the reader
 * @ctx: the context
 */
void nlmmap_rx_drop(struct nlmmap_ctx *ctx)
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

/**
 * nlmmap_rx_drop_err() - no frame for a message, for the reason @err
 * @ctx: the context
 * @err: the reservation's error; -EDQUOT (the sender's share was used
 *	 up) is counted as such too
 */
void nlmmap_rx_drop_err(struct nlmmap_ctx *ctx, int err)
{
	if (err == -EDQUOT)
		nlmmap_count(ctx, NLMMAP_S_QUOTA_DROPPED, 1);
	nlmmap_rx_drop(ctx);
}

/**
 * nlmmap_ring_skb_unmap() - give a ring skb its own head back
 * @skb: a ring skb whose frame is final
 *
 * It is an ordinary, empty skb again.
 */
void nlmmap_ring_skb_unmap(struct sk_buff *skb)
{
	struct nlmmap_skb_cb *cb = NLMMAP_SKB_CB(skb);

	skb->head = cb->head;
	skb->data = cb->head;
	skb->len = 0;
	skb_reset_tail_pointer(skb);
	skb_set_end_offset(skb, cb->end);
	skb->destructor = NULL;
}

/**
 * nlmmap_ring_skb_destructor() - a ring skb freed without being published
 * @skb: the ring skb
 */
void nlmmap_ring_skb_destructor(struct sk_buff *skb)
{
	struct nlmmap_skb_cb *cb = NLMMAP_SKB_CB(skb);
	struct nlmmap_ctx *ctx = cb->ctx;

	/* Freed, not published: the frame becomes a hole. A batch's skb
	 * between two messages has no frame (its last one is the reader's).
	 */
	if (cb->hdr)
		nlmmap_frame_publish(ctx, cb->hdr, 0, NLMMAP_STATUS_VALID);
	nlmmap_ring_skb_unmap(skb);
	if (cb->batch)
		nlmmap_batch_lost_skb(cb->batch);
	else
		nlmmap_rx_done(ctx);
}

/**
 * nlmmap_rx_ring_skb() - make @skb's data a reserved frame
 * @ctx: the context
 * @hdr: a reserved frame with room for the message
 * @skb: an ordinary empty skb (alloc_skb(0, ...) or nlmmap_skb_take()),
 *	 obtained before @hdr was reserved, or a batch's ring skb whose
 *	 previous frame is final
 * @batch: the batch that owns @skb and @hdr's reservation, or NULL when
 *	   @hdr was reserved alone for this skb
 *
 * Return: @skb, now a ring skb.
 */
struct sk_buff *nlmmap_rx_ring_skb(struct nlmmap_ctx *ctx,
				   struct nl_mmap_hdr *hdr, struct sk_buff *skb,
				   struct nlmmap_batch *batch)
{
	struct nlmmap_skb_cb *cb = NLMMAP_SKB_CB(skb);

	BUILD_BUG_ON(sizeof(struct nlmmap_skb_cb) > sizeof(skb->cb));
	cb->ctx = ctx;
	cb->hdr = hdr;
	cb->batch = batch;
	if (!nlmmap_is_ring_skb(skb)) {
		/* Its own head; a batch's skb is re-aimed from frame to frame. */
		cb->head = skb->head;
		cb->end = skb_end_offset(skb);
	}
	skb->head = (unsigned char *)hdr + NLMMAP_HDRLEN;
	skb->data = skb->head;
	skb->len = 0;
	skb_reset_tail_pointer(skb);
	skb_set_end_offset(skb, nlmmap_frame_capacity(&ctx->rx));
	skb->destructor = nlmmap_ring_skb_destructor;
	return skb;
}

/* Nothing but data and our own destructor was ever attached. */
static bool nlmmap_skb_recyclable(struct sk_buff *skb)
{
	return refcount_read(&skb->users) == 1 && !skb->cloned &&
	       !skb->destructor && !skb->sk && !skb->_skb_refdst &&
	       !skb_get_nfct(skb) && !skb_has_extensions(skb) &&
	       !skb->head_frag && !skb->data_len;
}

/**
 * nlmmap_skb_park() - keep an empty ordinary skb as the ring's spare
 * @ctx: the context, alive (a reservation or a reference is held)
 * @skb: an skb with its own head and no data; consumed
 *
 * The skb is reset as if freshly allocated (the fields alloc_skb() sets,
 * nothing of its shinfo) and kept for the next ring message, instead of
 * a slab round trip per message. If the ring already has a spare, or the
 * skb was given anything a plain reset cannot undo, it is freed.
 */
void nlmmap_skb_park(struct nlmmap_ctx *ctx, struct sk_buff *skb)
{
	unsigned int end = skb_end_offset(skb);
	unsigned char *head = skb->head;
	u8 pfmemalloc = skb->pfmemalloc;

	if (!nlmmap_skb_recyclable(skb))
		goto free;
	memset(skb, 0, offsetof(struct sk_buff, tail));
	skb->head = head;
	skb->data = head;
	skb_reset_tail_pointer(skb);
	skb_set_end_offset(skb, end);
	skb->mac_header = (typeof(skb->mac_header))~0U;
	skb->transport_header = (typeof(skb->transport_header))~0U;
	skb->pfmemalloc = pfmemalloc;
	if (!cmpxchg(&ctx->spare, NULL, skb))
		return;
free:
	consume_skb(skb);
}

/**
 * nlmmap_skb_take() - take the ring's spare skb
 * @ctx: the context, alive
 *
 * Return: an empty ordinary skb, or NULL when there is no spare.
 */
struct sk_buff *nlmmap_skb_take(struct nlmmap_ctx *ctx)
{
	return xchg(&ctx->spare, NULL);
}

/**
 * nlmmap_skb_in_ring() - does this skb's data sit in a ring frame?
 * @skb: an skb from nlmmap_alloc_skb()
 *
 * Return: true for a ring skb, which only nlmmap_unicast() may deliver.
 */
bool nlmmap_skb_in_ring(const struct sk_buff *skb)
{
	return nlmmap_is_ring_skb(skb);
}
EXPORT_SYMBOL_GPL(nlmmap_skb_in_ring);

/**
 * nlmmap_alloc_skb_as() - allocate an skb for a message from @sender to a
 * netlink socket
 * @net: network namespace of the destination socket
 * @portid: port id of the destination socket
 * @size: bytes of netlink message(s) the skb must hold
 * @gfp: allocation flags for the skb (head)
 * @sender: whose share of the destination's ring pays for the frame
 *	    (NLMMAP_SENDER_*, nlmmap_sender_uid())
 *
 * When the destination has an RX ring, @size fits into a frame and
 * @sender's share allows it, the next free frame is reserved and the
 * skb's data is that frame. Otherwise the skb is an ordinary one of @size
 * bytes, for nlmmap_unicast_as() with the same @sender.
 *
 * Context: any context in which @gfp is valid; never sleeps otherwise.
 * Return: the skb, to be passed to nlmmap_unicast_as() or
 * nlmmap_free_skb(), or NULL on allocation failure.
 */
struct sk_buff *nlmmap_alloc_skb_as(struct net *net, u32 portid,
				    unsigned int size, gfp_t gfp, u64 sender)
{
	struct nl_mmap_hdr *hdr = NULL;
	struct nlmmap_ctx *ctx;
	struct sk_buff *skb;
	int err;

	rcu_read_lock();
	ctx = nlmmap_lookup_rcu(net, portid);
	if (!ctx) {
		rcu_read_unlock();
		return alloc_skb(size, gfp);
	}
	/* The ring's spare skb, or one allocated before reserving: a
	 * producer never sleeps holding a frame.
	 */
	skb = nlmmap_skb_take(ctx);
	if (!skb) {
		rcu_read_unlock();
		skb = alloc_skb(0, gfp);
		if (!skb)
			return NULL;
		rcu_read_lock();
		ctx = nlmmap_lookup_rcu(net, portid);
	}
	if (ctx)
		hdr = nlmmap_rx_reserve_as(ctx, size, sender, &err);
	if (hdr) {
		rcu_read_unlock();
		return nlmmap_rx_ring_skb(ctx, hdr, skb, NULL);
	}
	rcu_read_unlock();
	kfree_skb(skb);
	return alloc_skb(size, gfp);
}
EXPORT_SYMBOL_GPL(nlmmap_alloc_skb_as);

/**
 * nlmmap_alloc_skb() - allocate an skb for a reply to a netlink socket's
 * own request
 * @net: network namespace of the destination socket
 * @portid: port id of the destination socket
 * @size: bytes of netlink message(s) the skb must hold
 * @gfp: allocation flags for the skb (head)
 *
 * nlmmap_alloc_skb_as() from NLMMAP_SENDER_SELF: when the destination has
 * an RX ring and @size fits into a frame, the next free frame is reserved
 * and the skb's data is that frame. Otherwise the skb is an ordinary one
 * of @size bytes.
 *
 * Context: any context in which @gfp is valid; never sleeps otherwise.
 * Return: the skb, to be passed to nlmmap_unicast() or nlmmap_free_skb(),
 * or NULL on allocation failure.
 */
struct sk_buff *nlmmap_alloc_skb(struct net *net, u32 portid,
				 unsigned int size, gfp_t gfp)
{
	return nlmmap_alloc_skb_as(net, portid, size, gfp, NLMMAP_SENDER_SELF);
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
		nlmmap_rx_drop(ctx);
	} else {
		nlmmap_frame_publish_id(ctx, hdr, len, NLMMAP_STATUS_COPY, seq,
					type);
		nlmmap_rx_wake(ctx);
		nlmmap_count(ctx, NLMMAP_S_COPIED, 1);
	}
	nlmmap_rx_done(ctx);
	return err;
}

/**
 * nlmmap_rx_put() - copy a message another socket received into the next
 * RX frame, as netlink delivers it to a member of a group
 * @ctx: the context; the caller keeps it alive (RCU)
 * @skb: the message, as the other socket received it; not consumed
 * @sender: whose share of the ring pays for the frame
 * @group: nm_group: the group it was sent to
 * @creds: its sender's credentials (NETLINK_CB(skb).creds), which the
 *	   frame carries in the reader's user namespace
 *
 * nm_pid is the sender's port id (NETLINK_CB(skb).portid). The relay's
 * way into a ring: the frame is reserved, written and published here, as
 * every other producer's is in this file.
 *
 * Context: any; never sleeps.
 * Return: 0 (published); -ENOENT: the ring is closed to producers, or
 * -EMSGSIZE: @skb does not fit a frame, both with nothing counted; any
 * other error is a drop, counted and signalled.
 */
int nlmmap_rx_put(struct nlmmap_ctx *ctx, const struct sk_buff *skb,
		  u64 sender, u32 group, const struct scm_creds *creds)
{
	struct nl_mmap_hdr *hdr;
	int err;

	hdr = nlmmap_rx_reserve_as(ctx, skb->len, sender, &err);
	if (!hdr) {
		if (err != -ENOENT && err != -EMSGSIZE)
			nlmmap_rx_drop_err(ctx, err);
		return err;
	}
	skb_copy_bits(skb, 0, (u8 *)hdr + NLMMAP_HDRLEN, skb->len);
	hdr->nm_len = skb->len;
	hdr->nm_group = group;
	hdr->nm_pid = NETLINK_CB(skb).portid;
	hdr->nm_uid = from_kuid_munged(ctx->user_ns, creds->uid);
	hdr->nm_gid = from_kgid_munged(ctx->user_ns, creds->gid);
	nlmmap_status_store(&hdr->nm_status, NLMMAP_STATUS_VALID);
	nlmmap_rx_wake(ctx);
	nlmmap_rx_done(ctx);
	return 0;
}

/* An ordinary skb to @portid: through the socket, with a COPY frame. */
static int nlmmap_unicast_copy(struct net *net, struct sk_buff *skb,
			       u32 portid, u64 sender)
{
	struct nl_mmap_hdr *hdr = NULL;
	struct nlmmap_ctx *ctx;
	int err = 0;

	rcu_read_lock();
	ctx = nlmmap_lookup_rcu(net, portid);
	if (ctx)
		hdr = nlmmap_rx_reserve_as(ctx, 0, sender, &err);
	if (!hdr && (err == -ENOBUFS || err == -EAGAIN || err == -EDQUOT)) {
		nlmmap_rx_drop_err(ctx, err);
		rcu_read_unlock();
		kfree_skb(skb);
		return -ENOBUFS;
	}
	rcu_read_unlock();
	if (!hdr)
		return genlmsg_unicast(net, skb, portid);
	return nlmmap_rx_copy(ctx, hdr, skb);
}

/* A ring skb's frame is in the ring bound to (@net, @portid). Its frame
 * keeps the binding: unbinding waits for reserved frames.
 */
static bool nlmmap_skb_is_for(const struct nlmmap_ctx *ctx,
			      const struct net *net, u32 portid)
{
	return ctx->portid == portid && net_eq(read_pnet(&ctx->net), net);
}

/* @caller, the producer, is named when it sends a ring skb astray. */
static int __nlmmap_unicast_as(struct net *net, struct sk_buff *skb,
			       u32 portid, u64 sender, unsigned long caller)
{
	struct nlmmap_skb_cb *cb = NLMMAP_SKB_CB(skb);
	struct nlmmap_ctx *ctx;

	if (!nlmmap_is_ring_skb(skb))
		return nlmmap_unicast_copy(net, skb, portid, sender);

	if (IS_ENABLED(CONFIG_DEBUG_NET) &&
	    WARN_ON_ONCE(!nlmmap_ring_skb_sane(skb, &cb->ctx->rx))) {
		/* Not published: the destructor leaves a hole. */
		nlmmap_count(cb->ctx, NLMMAP_S_DROPPED, 1);
		kfree_skb(skb);
		return -EINVAL;
	}
	ctx = cb->ctx;
	if (unlikely(!nlmmap_skb_is_for(ctx, net, portid))) {
		/* A producer's bug: the frame is the ring's, not @portid's.
		 * Delivering it there would hand the message to another
		 * socket; it becomes a hole in its own ring instead.
		 */
		net_warn_ratelimited("nlmmap: %pS sent port %u's ring skb to port %u%s: dropped\n",
				     (void *)caller, ctx->portid, portid,
				     net_eq(read_pnet(&ctx->net), net) ?
				     "" : " of another namespace");
		nlmmap_count(ctx, NLMMAP_S_DROPPED, 1);
		nlmmap_free_skb(skb);
		return -EINVAL;
	}
	if (cb->batch)
		return nlmmap_batch_send(cb->batch, skb);
	nlmmap_frame_publish(ctx, cb->hdr, skb->len, NLMMAP_STATUS_VALID);
	nlmmap_count(ctx, NLMMAP_S_DELIVERED, 1);
	/* Reused for the next message, while the frame keeps ctx alive. */
	nlmmap_ring_skb_unmap(skb);
	nlmmap_skb_park(ctx, skb);
	nlmmap_rx_done(ctx);
	return 0;
}

/**
 * nlmmap_unicast_as() - deliver a message from @sender to a netlink socket
 * @net: network namespace of the destination socket
 * @skb: from nlmmap_alloc_skb_as(); consumed in every case
 * @portid: port id of the destination socket (for a ring skb, the one it
 *	    was allocated for)
 * @sender: as given to nlmmap_alloc_skb_as()
 *
 * A ring skb is published in its frame (charged to @sender when it was
 * reserved); one sent to another socket than it was allocated for is
 * refused: it becomes a hole in its ring, counted as dropped, with a
 * (rate-limited) warning naming the caller. An ordinary skb goes to the
 * socket's queue; if the socket has an RX ring, a COPY frame charged to
 * @sender marks its place in the ring's order, and when no frame is free,
 * or none for @sender's share, the message is dropped, counted and
 * signalled (POLLERR on the ring file, ENOBUFS on the socket).
 *
 * Context: any; never sleeps.
 * Return: 0, or a negative error when the message was not delivered
 * (-EINVAL: a ring skb sent to another socket).
 */
int nlmmap_unicast_as(struct net *net, struct sk_buff *skb, u32 portid,
		      u64 sender)
{
	return __nlmmap_unicast_as(net, skb, portid, sender, _RET_IP_);
}
EXPORT_SYMBOL_GPL(nlmmap_unicast_as);

/**
 * nlmmap_unicast() - deliver a reply to a netlink socket's own request
 * @net: network namespace of the destination socket
 * @skb: from nlmmap_alloc_skb(); consumed in every case
 * @portid: port id of the destination socket (for a ring skb, the one it
 *	    was allocated for)
 *
 * nlmmap_unicast_as() from NLMMAP_SENDER_SELF: a ring skb is published in
 * its frame (refused with -EINVAL when @net or @portid is not its
 * ring's). An ordinary skb goes to the socket's queue; if the socket has
 * an RX ring, a COPY frame marks its place in the ring's order, and when
 * no frame is free the message is dropped, counted and signalled (POLLERR
 * on the ring file, ENOBUFS on the socket).
 *
 * Context: any; never sleeps.
 * Return: 0, or a negative error when the message was not delivered.
 */
int nlmmap_unicast(struct net *net, struct sk_buff *skb, u32 portid)
{
	return __nlmmap_unicast_as(net, skb, portid, NLMMAP_SENDER_SELF,
				   _RET_IP_);
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
	struct nlmmap_skb_cb *cb = NLMMAP_SKB_CB(skb);

	if (!nlmmap_is_ring_skb(skb) || !cb->batch)
		kfree_skb(skb);
	else if (cb->hdr)	/* else sent already: the batch keeps it */
		nlmmap_batch_cancel(cb->batch, skb);
}
EXPORT_SYMBOL_GPL(nlmmap_free_skb);

#ifdef NLMMAP_KUNIT
/* The KUnit suite of this file tests these very functions. */
#include "../../tests/kunit/rx_kunit.c"
#endif
