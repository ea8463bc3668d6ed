// SPDX-License-Identifier: GPL-2.0
/*
 * Batches: many messages from one producer to one socket, for the price
 * of one lookup, one skb and one reservation per run of frames.
 *
 * A batch finds the destination's context once and keeps a reference. It
 * owns one skb for its whole life (the ring's spare, or one allocated
 * before any frame is reserved) and points it at each frame in turn: the
 * skb is a ring skb exactly as nlmmap_alloc_skb() makes them, but it is
 * re-aimed, not reallocated, between messages. Frames are reserved in
 * runs of up to NLMMAP_RESERVE_RUN (as many as the producer says it is
 * about to send) under one acquisition of ctx->rx_lock, and a run counts
 * once in ctx->inflight. Counters are added once at the end.
 *
 * The reader still sees every message as soon as its frame is published,
 * and is woken by the ring's wake-up policy (nlmmap_rx_wake()). Frames of
 * a run that the producer does not use become holes when the batch ends,
 * or before it sends a message that needs the socket (COPY), so ring
 * order stays send order. The producer fills one message at a time, and
 * ends or flushes (nlmmap_batch_flush()) its batch before it sleeps.
 */
#include <linux/export.h>
#include <linux/skbuff.h>
#include <net/genetlink.h>
#include <net/nlmmap.h>

#include "nlmmap_int.h"

/**
 * nlmmap_batch_init() - start a batch of messages to one socket
 * @b: the batch, usually on the producer's stack
 * @net: network namespace of the destination socket
 * @portid: port id of the destination socket
 *
 * Nothing is looked up or allocated until the first message.
 */
void nlmmap_batch_init(struct nlmmap_batch *b, struct net *net, u32 portid)
{
	memset(b, 0, sizeof(*b));
	b->net = net;
	b->portid = portid;
}
EXPORT_SYMBOL_GPL(nlmmap_batch_init);

/* Every frame of the run is final: the reservation ends. */
static void nlmmap_batch_run_done(struct nlmmap_batch *b)
{
	if (b->run && !b->left)
		nlmmap_batch_run_end(b);
}

/**
 * nlmmap_batch_run_end() - the last frame of the batch's run is final
 * @b: the batch, with a run whose frames are all handed out and final
 */
void nlmmap_batch_run_end(struct nlmmap_batch *b)
{
	b->run = false;
	nlmmap_rx_done(b->ctx);
}

/* Frames of the run not handed out become holes, in ring order. */
static void nlmmap_batch_close_run(struct nlmmap_batch *b)
{
	struct nlmmap_ctx *ctx = b->ctx;

	if (!b->left)
		return;
	while (b->left) {
		nlmmap_frame_publish_id(ctx, nlmmap_frame(&ctx->rx, b->next), 0,
					NLMMAP_STATUS_VALID, 0, 0);
		b->next = nlmmap_frame_next(&ctx->rx, b->next);
		b->left--;
	}
	nlmmap_rx_wake(ctx);
	nlmmap_batch_run_done(b);
}

/**
 * nlmmap_batch_lost_skb() - the batch's skb was freed while handed out
 * @b: the batch
 *
 * Called by the ring skb's destructor, after it made the frame a hole.
 */
void nlmmap_batch_lost_skb(struct nlmmap_batch *b)
{
	b->skb = NULL;
	b->out = false;
	nlmmap_batch_run_done(b);
}

/* Everything but the next frame of a run: lookup, skb, reservation. */
static noinline struct sk_buff *
nlmmap_batch_alloc_slow(struct nlmmap_batch *b, unsigned int size, u32 more,
			gfp_t gfp)
{
	struct nlmmap_ctx *ctx = b->ctx;
	struct nl_mmap_hdr *hdr;
	int err;

	if (WARN_ON_ONCE(b->out))
		return NULL;
	if (!b->looked_up) {
		b->ctx = nlmmap_ctx_get(b->net, b->portid);
		b->looked_up = true;
		ctx = b->ctx;
	}
	if (!ctx || size > nlmmap_frame_capacity(&ctx->rx))
		goto ordinary;
	if (!b->skb) {
		/* Before reserving: never sleep holding a frame. */
		nlmmap_batch_close_run(b);
		b->skb = nlmmap_skb_take(ctx) ?: alloc_skb(0, gfp);
		if (!b->skb)
			return NULL;
	}
	if (!b->left) {
		hdr = nlmmap_rx_reserve_run(ctx, size, more, &b->next, &b->left,
					    &err);
		if (!hdr)
			goto ordinary;	/* COPY, or counted as a drop */
		b->run = true;
		/* Constant while the run holds the ring. */
		b->cap = nlmmap_frame_capacity(&ctx->rx);
	}
	hdr = nlmmap_frame(&ctx->rx, b->next);
	b->next = nlmmap_frame_next(&ctx->rx, b->next);
	b->left--;
	b->out = true;
	return nlmmap_rx_ring_skb(ctx, hdr, b->skb, b);

ordinary:
	if (ctx)
		nlmmap_batch_close_run(b);
	return alloc_skb(size, gfp);
}

/**
 * nlmmap_batch_alloc() - an skb for the batch's next message
 * @b: the batch
 * @size: bytes of netlink message(s) the skb must hold
 * @more: messages the producer is about to send, this one included; the
 *	  batch reserves up to that many frames at once
 * @gfp: allocation flags (the batch's skb, or an ordinary skb)
 *
 * When the destination has an RX ring and @size fits a frame, the skb is
 * the batch's ring skb aimed at the next frame; otherwise an ordinary skb
 * of @size bytes. Either goes to nlmmap_batch_send() (or nlmmap_unicast())
 * or nlmmap_free_skb() before the next call.
 *
 * Context: any context in which @gfp is valid.
 * Return: the skb, or NULL on allocation failure (or a second skb asked
 * for while the first is still out).
 */
struct sk_buff *nlmmap_batch_alloc(struct nlmmap_batch *b, unsigned int size,
				   u32 more, gfp_t gfp)
{
	return __nlmmap_batch_next(b, size) ?:
	       nlmmap_batch_alloc_slow(b, size, more, gfp);
}
EXPORT_SYMBOL_GPL(nlmmap_batch_alloc);

/**
 * nlmmap_batch_send() - deliver a message of the batch
 * @b: the batch
 * @skb: from nlmmap_batch_alloc(); consumed in every case
 *
 * A ring skb's frame is published; an ordinary skb goes through
 * nlmmap_unicast() (a COPY frame, or counted as a drop).
 *
 * Context: any; never sleeps.
 * Return: 0, or a negative error when the message was not delivered.
 */
int nlmmap_batch_send(struct nlmmap_batch *b, struct sk_buff *skb)
{
	struct nlmmap_skb_cb *cb = NLMMAP_SKB_CB(skb);
	struct nlmmap_ctx *ctx;

	if (__nlmmap_batch_publish(b, skb))
		return 0;
	if (!nlmmap_is_ring_skb(skb) || cb->batch != b)
		return nlmmap_unicast(b->net, skb, b->portid);
	ctx = cb->ctx;
	if (IS_ENABLED(CONFIG_DEBUG_NET) &&
	    WARN_ON_ONCE(!nlmmap_ring_skb_sane(skb, &ctx->rx))) {
		nlmmap_count(ctx, NLMMAP_S_DROPPED, 1);
		kfree_skb(skb);
		return -EINVAL;
	}
	nlmmap_frame_publish_id(ctx, cb->hdr, skb->len, NLMMAP_STATUS_VALID,
				0, 0);
	cb->hdr = NULL;		/* the frame is the reader's now */
	nlmmap_rx_wake(ctx);
	b->delivered++;
	b->out = false;
	nlmmap_batch_run_done(b);
	return 0;
}
EXPORT_SYMBOL_GPL(nlmmap_batch_send);

/**
 * nlmmap_batch_cancel() - give up the message of a ring skb of a batch
 * @b: the batch
 * @skb: the batch's ring skb, handed out
 *
 * Its frame becomes a hole; the batch keeps the skb.
 */
void nlmmap_batch_cancel(struct nlmmap_batch *b, struct sk_buff *skb)
{
	struct nlmmap_skb_cb *cb = NLMMAP_SKB_CB(skb);

	nlmmap_frame_publish_id(cb->ctx, cb->hdr, 0, NLMMAP_STATUS_VALID, 0, 0);
	cb->hdr = NULL;
	nlmmap_rx_wake(cb->ctx);
	b->out = false;
	nlmmap_batch_run_done(b);
}

/**
 * nlmmap_batch_flush() - let a batch's producer sleep
 * @b: the batch, with no skb out
 *
 * Unused reserved frames become holes and the counters are added; the
 * batch keeps its reference and its skb, and the next message reserves a
 * new run. After it the producer holds no frame: it may sleep, then go on
 * with the same batch.
 *
 * Context: any; never sleeps.
 */
void nlmmap_batch_flush(struct nlmmap_batch *b)
{
	if (WARN_ON_ONCE(b->out) || !b->ctx)
		return;
	nlmmap_batch_close_run(b);
	if (b->delivered)
		nlmmap_count(b->ctx, NLMMAP_S_DELIVERED, b->delivered);
	b->delivered = 0;
}
EXPORT_SYMBOL_GPL(nlmmap_batch_flush);

/**
 * nlmmap_batch_end() - end a batch
 * @b: the batch; may be started again with nlmmap_batch_init()
 *
 * Unused reserved frames become holes, the skb is kept as the ring's
 * spare, counters are added and the reference is dropped. A producer that
 * is about to sleep (cond_resched()) ends or flushes its batch first: it
 * then holds no frame.
 *
 * Context: any; never sleeps.
 */
void nlmmap_batch_end(struct nlmmap_batch *b)
{
	struct nlmmap_ctx *ctx = b->ctx;

	if (WARN_ON_ONCE(b->out))
		return;
	if (ctx) {
		nlmmap_batch_close_run(b);
		if (b->skb) {
			if (nlmmap_is_ring_skb(b->skb))
				nlmmap_ring_skb_unmap(b->skb);
			nlmmap_skb_park(ctx, b->skb);
		}
		if (b->delivered)
			nlmmap_count(ctx, NLMMAP_S_DELIVERED, b->delivered);
		nlmmap_ctx_put(ctx);
	}
	nlmmap_batch_init(b, b->net, b->portid);
}
EXPORT_SYMBOL_GPL(nlmmap_batch_end);
