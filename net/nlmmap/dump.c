// SPDX-License-Identifier: GPL-2.0
/*
 * Dumps into the RX ring, driven by poll().
 *
 * A socket without a ring dumps through the generic netlink core, which
 * continues a dump each time the reader's recvmsg() makes room. A ring
 * reader never calls recvmsg(), so for a requester with an RX ring the
 * dump runs here instead: it fills frames with NLM_F_MULTI messages until
 * none is free, pauses, and goes on from poll() or NLMMAP_IOC_KICK once
 * the share of the ring its setup chose (dump_resume_pct) is free again,
 * or the reader has read every frame, whatever it holds
 * (nlmmap_frame_room()), ending with NLMSG_DONE. A frame holds as many
 * messages as fit (at most NLMMAP_DUMP_PACK_MAX), as a socket dump packs
 * an skb; the reader walks nm_len bytes of them. A paused dump costs
 * nothing: no timer, no thread. Each call fills at most NLMMAP_DUMP_BUDGET frames (or passes of
 * held frames), so ctx->lock is held for a bounded time; poll() reports POLLIN
 * while a dump that is not paused has more to produce, so the reader
 * calls again.
 *
 * The state lives in ctx->dump under ctx->lock, one dump per ring; it is
 * freed when the dump ends, or with the ring, the binding or the file.
 * Messages and NLMSG_DONE carry NLM_F_DUMP_INTR once the table changed
 * after the dump started.
 *
 * Other families' dumps run here too (nlmmap_dump_to_ring(), with their
 * own fill function): nlmmap_queue's held packets are one.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/nlmmap.h>

#include "nlmmap_int.h"

/* Objects in one frame at most: bounds the work per frame whatever the
 * frame size.
 */
#define NLMMAP_DUMP_PACK_MAX	1024

struct nlmmap_dump {
	struct nlmmap_dump_req req;
	u64 pos;		/* next object */
	u32 gen;		/* table generation at the start */
	u16 intr;		/* NLM_F_DUMP_INTR once the table changed */
	bool finished;		/* all objects sent: NLMSG_DONE is next */
	bool done;		/* NLMSG_DONE sent */
	struct nlmmap_bench bench;	/* BENCH: its messages */
	bool paused;		/* the ring was full */
	bool retry;		/* out of memory: try again at next call */
	const struct nlmmap_dump_ops *ops;	/* another family's, or NULL */
	struct nlmmap_dump_src src;		/* its arguments */
};

/**
 * nlmmap_dump_req_parse() - check a dump request's arguments
 * @dr: filled in; its viewer and all fields, set by the caller, are kept
 * @cmd: the command dumped
 * @seq: the request's sequence number
 * @attrs: its attributes
 *
 * Return: 0, -EOPNOTSUPP for a command that cannot be dumped, -EINVAL for
 * bad BENCH table arguments.
 */
int nlmmap_dump_req_parse(struct nlmmap_dump_req *dr, u8 cmd, u32 seq,
			  const struct nlmmap_nla *attrs)
{
	kuid_t viewer = dr->viewer;
	bool all = dr->all;

	memset(dr, 0, sizeof(*dr));
	dr->cmd = cmd;
	dr->seq = seq;
	dr->viewer = viewer;
	dr->all = all;
	switch (cmd) {
	case NLMMAP_CMD_RING_GET:
		return 0;
	case NLMMAP_CMD_BENCH:
		if (nlmmap_attr_u32(attrs, NLMMAP_A_COUNT, &dr->count) ||
		    nlmmap_attr_u32(attrs, NLMMAP_A_SIZE, &dr->size) ||
		    dr->count > NLMMAP_BENCH_MAX_COUNT ||
		    dr->size > NLMMAP_BENCH_MAX_SIZE)
			return -EINVAL;
		dr->stamp = attrs[NLMMAP_A_STAMP].present;
		return dr->stamp && dr->size < sizeof(u64) ? -EINVAL : 0;
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * nlmmap_dump_obj_size() - room one dumped object needs
 * @dr: the dump
 *
 * Return: bytes of the netlink message of one object.
 */
size_t nlmmap_dump_obj_size(const struct nlmmap_dump_req *dr)
{
	if (dr->cmd == NLMMAP_CMD_BENCH)
		return nlmmap_bench_msg_size(dr->size);
	return nlmsg_total_size(GENL_HDRLEN + nlmmap_ring_msg_size());
}

/**
 * nlmmap_dump_ring_obj() - put ring @pos of a RING_GET dump into @skb
 * @skb: the message buffer (a ring skb, or the genl dump skb)
 * @net: namespace of the requester
 * @dr: the dump
 * @pos: the object's position
 * @portid: the requester
 * @flags: netlink flags (NLM_F_MULTI, NLM_F_DUMP_INTR)
 * @cb: the genl dump's callback for its consistency check, or NULL
 *
 * Return: 0, 1 when there is no object @pos, or -EMSGSIZE.
 */
static int nlmmap_dump_ring_obj(struct sk_buff *skb, struct net *net,
				const struct nlmmap_dump_req *dr, u64 pos,
				u32 portid, u16 flags,
				struct netlink_callback *cb)
{
	struct nlmmap_ctx *ring;
	void *hdr;
	int err = 0;

	rcu_read_lock();	/* rings are found under RCU */
	ring = nlmmap_table_nth(net, pos, dr);
	if (!ring) {
		err = 1;
		goto out;
	}
	hdr = genlmsg_put(skb, portid, dr->seq, nlmmap_genl_family(), flags,
			  NLMMAP_CMD_RING_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto out;
	}
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nlmmap_put_ring(skb, ring)) {
		genlmsg_cancel(skb, hdr);
		err = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(skb, hdr);
out:
	rcu_read_unlock();
	return err;
}

/**
 * nlmmap_dump_fill() - put objects of a dump into @skb while they fit
 * @skb: the message buffer (a ring skb, or the genl dump skb)
 * @net: namespace of the requester
 * @dr: the dump
 * @m: BENCH: its messages (nlmmap_dump_bench()); else NULL
 * @pos: the next object's position; advanced past each object put
 * @max: objects to put at most
 * @portid: the requester
 * @flags: netlink flags (NLM_F_MULTI, NLM_F_DUMP_INTR)
 * @cb: the genl dump's callback for its consistency check, or NULL
 * @end: set when there is no object at *@pos any more
 *
 * The one loop of both dump paths, the socket's and the ring's.
 *
 * Return: the number of objects put; 0 with *@end false: no room.
 */
u32 nlmmap_dump_fill(struct sk_buff *skb, struct net *net,
		     const struct nlmmap_dump_req *dr,
		     const struct nlmmap_bench *m, u64 *pos, u32 max,
		     u32 portid, u16 flags, struct netlink_callback *cb,
		     bool *end)
{
	u64 p = *pos;
	u32 n = 0;
	int err;

	*end = false;
	if (dr->cmd == NLMMAP_CMD_BENCH) {
		/* The benchmark table: a tight loop. */
		for (; n < max; n++, p++) {
			if (p >= dr->count) {
				*end = true;
				break;
			}
			if (nlmmap_bench_put(skb, m, p))
				break;
		}
		*pos = p;
		return n;
	}
	for (; n < max; n++, (*pos)++) {
		err = nlmmap_dump_ring_obj(skb, net, dr, *pos, portid, flags,
					   cb);
		if (err == 1)
			*end = true;
		if (err)
			break;
	}
	return n;
}

/**
 * nlmmap_dump_bench() - the messages of a BENCH dump
 * @m: filled in
 * @dr: the dump
 * @portid: the requester
 */
void nlmmap_dump_bench(struct nlmmap_bench *m, const struct nlmmap_dump_req *dr,
		       u32 portid)
{
	nlmmap_bench_init(m, portid, dr->seq, NLM_F_MULTI, dr->size, dr->stamp);
}

static u16 nlmmap_dump_flags(struct nlmmap_dump *d)
{
	if (d->req.cmd == NLMMAP_CMD_RING_GET && nlmmap_table_gen() != d->gen)
		d->intr = NLM_F_DUMP_INTR;
	return NLM_F_MULTI | d->intr;
}

static int nlmmap_dump_fill_done(struct sk_buff *skb, struct nlmmap_ctx *ctx)
{
	struct nlmmap_dump *d = ctx->dump;
	struct nlmsghdr *nlh;

	nlh = nlmsg_put(skb, ctx->portid, d->req.seq, NLMSG_DONE, sizeof(int),
			nlmmap_dump_flags(d));
	if (!nlh)
		return -EMSGSIZE;
	*(int *)nlmsg_data(nlh) = 0;
	nlmsg_end(skb, nlh);
	return 0;
}

/* Fill one frame: as many objects as fit, and NLMSG_DONE after the last
 * one if it fits too, as netlink packs a dump skb. An object too large
 * for a frame goes alone through the socket behind a COPY frame.
 * Return: 0, or the reservation's error (-ENOBUFS: the ring is full,
 * -EAGAIN: held frames passed over, -ENOENT: the ring is closed), or
 * -ENOMEM.
 */
static int nlmmap_dump_frame(struct nlmmap_ctx *ctx)
{
	struct nlmmap_dump *d = ctx->dump;
	size_t size = d->finished ? nlmsg_total_size(sizeof(int)) :
		      d->ops ? d->ops->obj_size : nlmmap_dump_obj_size(&d->req);
	bool fits = size <= nlmmap_frame_capacity(&ctx->rx);
	struct sk_buff *skb = fits ? nlmmap_skb_take(ctx) : NULL;
	struct net *net = read_pnet(&ctx->net);
	struct nl_mmap_hdr *hdr;
	bool end;
	int err;
	u32 n = 0;

	/* Allocate before reserving: never sleep holding a frame. */
	if (!skb)
		skb = alloc_skb(fits ? 0 : size, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = nlmmap_rx_reserve(ctx, fits ? size : 0, &err);
	if (!hdr) {
		if (fits)
			nlmmap_skb_park(ctx, skb);
		else
			kfree_skb(skb);
		return err;
	}
	if (fits)
		nlmmap_rx_ring_skb(ctx, hdr, skb, NULL);
	if (!d->finished) {
		/* As many as fit (the end, or the frame is full). */
		u32 max = fits ? NLMMAP_DUMP_PACK_MAX : 1;

		if (d->ops)
			n = d->ops->fill(skb, &d->src, &d->pos, max,
					 NLM_F_MULTI, &end);
		else
			n = nlmmap_dump_fill(skb, net, &d->req, &d->bench,
					     &d->pos, max, ctx->portid,
					     nlmmap_dump_flags(d), NULL, &end);
		d->finished = end;
	}
	if (d->finished && (fits || !n))
		d->done = !nlmmap_dump_fill_done(skb, ctx);
	if (fits) {
		/* Published; a hole (counted) only if the skb was damaged. */
		nlmmap_unicast(read_pnet(&ctx->net), skb, ctx->portid);
		return 0;
	}
	if (!skb->len) {
		kfree_skb(skb);
		nlmmap_rx_abandon(ctx, hdr);
		return 0;
	}
	nlmmap_rx_copy(ctx, hdr, skb);
	return 0;
}

/* Produce until the ring is full, the budget of frames is spent or the
 * dump is over; -EAGAIN from a reservation means held frames were passed
 * over, which counts against the budget like a frame.
 */
static void nlmmap_dump_run(struct nlmmap_ctx *ctx)
{
	struct nlmmap_dump *d = ctx->dump;
	int err, budget = NLMMAP_DUMP_BUDGET;

	d->retry = false;
	while (budget--) {
		err = nlmmap_dump_frame(ctx);
		if (err == -ENOBUFS) {
			d->paused = true;
			return;
		}
		if (err == -ENOMEM) {
			d->retry = true;
			return;
		}
		if (err == -ENOENT || d->done) {
			nlmmap_dump_free(ctx);
			return;
		}
	}
}

/**
 * nlmmap_dump_start() - start dumping into the caller's RX ring
 * @ctx: the requester's context, with an RX ring
 * @dr: the dump (for another family's, its sequence number only)
 * @ops: another family's dump, or NULL for nlmmap's own
 * @src: its requester and arguments, or NULL
 *
 * Context: ctx->lock held.
 * Return: 0, -EBUSY while another dump of this ring runs, -ENOMEM,
 * -ENODEV when @ops->owner is going away.
 */
int nlmmap_dump_start(struct nlmmap_ctx *ctx, const struct nlmmap_dump_req *dr,
		      const struct nlmmap_dump_ops *ops,
		      const struct nlmmap_dump_src *src)
{
	struct nlmmap_dump *d;

	lockdep_assert_held(&ctx->lock);
	if (ctx->dump)
		return -EBUSY;
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	if (ops && !try_module_get(ops->owner)) {
		kfree(d);
		return -ENODEV;
	}
	d->req = *dr;
	d->gen = nlmmap_table_gen();
	d->ops = ops;
	if (src)
		d->src = *src;
	if (dr->cmd == NLMMAP_CMD_BENCH)
		nlmmap_dump_bench(&d->bench, dr, ctx->portid);
	ctx->dump = d;
	nlmmap_dump_run(ctx);
	return 0;
}

/**
 * nlmmap_dump_to_portid() - start a dump in the RX ring bound to a socket
 * @net: namespace of the requester
 * @portid: the requester's port id
 * @dr: the dump (its sequence number at least)
 * @ops: another family's dump, or NULL for nlmmap's own
 * @src: its requester and arguments, or NULL
 *
 * Context: process context.
 * Return: 0 when the dump runs in the ring; -ENOTCONN when the requester
 * has no RX ring; -EBUSY while another dump of that ring runs; -ENOMEM;
 * -ENODEV when @ops->owner is going away.
 */
int nlmmap_dump_to_portid(struct net *net, u32 portid,
			  const struct nlmmap_dump_req *dr,
			  const struct nlmmap_dump_ops *ops,
			  const struct nlmmap_dump_src *src)
{
	struct nlmmap_ctx *ctx;
	int err = -ENOTCONN;

	ctx = nlmmap_ctx_get(net, portid);
	if (!ctx)
		return err;
	mutex_lock(&ctx->lock);
	if (ctx->state == NLMMAP_BOUND && ctx->rx.geom.size)
		err = nlmmap_dump_start(ctx, dr, ops, src);
	mutex_unlock(&ctx->lock);
	nlmmap_ctx_put(ctx);
	return err;
}

/**
 * nlmmap_dump_to_ring() - run another family's dump into the requester's
 * RX ring
 * @net: namespace of the requester
 * @portid: the requester's port id
 * @seq: the request's sequence number
 * @ops: the family's dump
 * @args: its arguments, handed to @ops->fill
 *
 * For the family's dump .start callback: when the requester has a bound
 * RX ring, the dump runs there as nlmmap's own do (paused while the ring
 * is full, resumed from poll(), ended with NLMSG_DONE), and the callback
 * returns -EINTR so that netlink sends nothing to the socket. Else it
 * dumps through the socket as usual.
 *
 * Context: process context (the requester's sendmsg()).
 * Return: 0 when the dump runs in the ring; -ENOTCONN when the requester
 * has no RX ring; -EBUSY while another dump of that ring runs; -ENOMEM;
 * -ENODEV when @ops->owner is going away.
 */
int nlmmap_dump_to_ring(struct net *net, u32 portid, u32 seq,
			const struct nlmmap_dump_ops *ops,
			const unsigned long args[2])
{
	struct nlmmap_dump_src src = {
		.net = net, .portid = portid, .seq = seq,
		.args = { args[0], args[1] },
	};
	struct nlmmap_dump_req dr = { .seq = seq };

	return nlmmap_dump_to_portid(net, portid, &dr, ops, &src);
}
EXPORT_SYMBOL_GPL(nlmmap_dump_to_ring);

/**
 * nlmmap_dump_poll() - resume a paused dump if the reader made room
 * @ctx: the context
 *
 * Called from poll() and NLMMAP_IOC_KICK.
 *
 * Context: ctx->lock held.
 */
void nlmmap_dump_poll(struct nlmmap_ctx *ctx)
{
	u32 want;

	lockdep_assert_held(&ctx->lock);
	if (!ctx->dump)
		return;
	if (ctx->dump->paused) {
		want = nlmmap_dump_resume_frames(ctx->rx.geom.frame_nr,
						 ctx->dump_pct);
		if (!nlmmap_frame_room(&ctx->rx, want))
			return;
		ctx->dump->paused = false;
	}
	nlmmap_dump_run(ctx);
}

/**
 * nlmmap_dump_pending() - has a dump more to produce right now?
 * @ctx: the context
 *
 * True when a dump is neither paused on a full ring nor waiting for
 * memory: its budget ran out, so poll() should report POLLIN and let the
 * reader call again.
 *
 * Context: ctx->lock held.
 * Return: true if so.
 */
bool nlmmap_dump_pending(struct nlmmap_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);
	return ctx->dump && !ctx->dump->paused && !ctx->dump->retry;
}

/**
 * nlmmap_dump_free() - drop the ring's dump, finished or not
 * @ctx: the context
 *
 * Context: ctx->lock held.
 */
void nlmmap_dump_free(struct nlmmap_ctx *ctx)
{
	lockdep_assert_held(&ctx->lock);
	if (ctx->dump && ctx->dump->ops)
		module_put(ctx->dump->ops->owner);
	kfree(ctx->dump);
	ctx->dump = NULL;
}
