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
 * ending with NLMSG_DONE. A paused dump costs nothing: no timer, no
 * thread. Each call
 * produces at most NLMMAP_DUMP_BUDGET messages (or passes of held
 * frames), so ctx->lock is held for a bounded time; poll() reports POLLIN
 * while a dump that is not paused has more to produce, so the reader
 * calls again.
 *
 * The state lives in ctx->dump under ctx->lock, one dump per ring; it is
 * freed when the dump ends, or with the ring, the binding or the file.
 * Messages and NLMSG_DONE carry NLM_F_DUMP_INTR once the table changed
 * after the dump started.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/nlmmap.h>

#include "nlmmap_int.h"

struct nlmmap_dump {
	struct nlmmap_dump_req req;
	u64 pos;		/* next object */
	u32 gen;		/* table generation at the start */
	u16 intr;		/* NLM_F_DUMP_INTR once the table changed */
	bool finished;		/* all objects sent: NLMSG_DONE is next */
	bool paused;		/* the ring was full */
	bool retry;		/* out of memory: try again at next call */
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
		return 0;
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
		return nlmsg_total_size(GENL_HDRLEN +
					nla_total_size(sizeof(u32)) +
					nla_total_size(dr->size));
	return nlmsg_total_size(GENL_HDRLEN + nlmmap_ring_msg_size());
}

/**
 * nlmmap_dump_obj() - put object @pos of a dump into @skb
 * @skb: the message buffer (a ring skb, or the genl dump skb)
 * @net: namespace of the requester
 * @dr: the dump
 * @pos: the object's position
 * @portid: the requester
 * @flags: netlink flags (NLM_F_MULTI, NLM_F_DUMP_INTR)
 * @cb: the genl dump's callback for its consistency check, or NULL
 *
 * Context: rcu_read_lock() held (ring objects are found under RCU).
 * Return: 0, 1 when there is no object @pos, or -EMSGSIZE.
 */
int nlmmap_dump_obj(struct sk_buff *skb, struct net *net,
		    const struct nlmmap_dump_req *dr, u64 pos, u32 portid,
		    u16 flags, struct netlink_callback *cb)
{
	struct nlmmap_ctx *ring = NULL;
	struct nlattr *pl;
	void *hdr;

	if (dr->cmd == NLMMAP_CMD_BENCH) {
		if (pos >= dr->count)
			return 1;
	} else {
		ring = nlmmap_table_nth(net, pos, dr);
		if (!ring)
			return 1;
	}
	hdr = genlmsg_put(skb, portid, dr->seq, nlmmap_genl_family(), flags,
			  dr->cmd == NLMMAP_CMD_BENCH ? NLMMAP_CMD_BENCH_MSG :
			  NLMMAP_CMD_RING_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (ring) {
		if (nlmmap_put_ring(skb, ring))
			goto nospace;
	} else {
		if (nla_put_u32(skb, NLMMAP_A_SEQ, pos))
			goto nospace;
		pl = nla_reserve(skb, NLMMAP_A_PAYLOAD, dr->size);
		if (!pl)
			goto nospace;
		memset(nla_data(pl), (u8)pos, dr->size);
	}
	genlmsg_end(skb, hdr);
	return 0;

nospace:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Send one message of @size bytes into the ring: in a frame when it fits,
 * else through the socket behind a COPY frame. @fill returns 0, 1 for
 * "nothing to send" (the frame becomes a hole) or an error.
 */
static int nlmmap_dump_emit(struct nlmmap_ctx *ctx, size_t size,
			    int (*fill)(struct sk_buff *skb,
					struct nlmmap_ctx *ctx),
			    struct nlmmap_ctx *arg)
{
	bool fits = size <= nlmmap_frame_capacity(&ctx->rx);
	struct nl_mmap_hdr *hdr;
	struct sk_buff *skb;
	int err;

	/* Allocate before reserving: never sleep holding a frame. */
	skb = alloc_skb(fits ? 0 : size, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = nlmmap_rx_reserve(ctx, fits ? size : 0, &err);
	if (!hdr) {
		kfree_skb(skb);
		return err;
	}
	if (fits)
		nlmmap_rx_ring_skb(ctx, hdr, skb);
	err = fill(skb, arg);
	if (err) {
		kfree_skb(skb);
		if (!fits)
			nlmmap_rx_abandon(ctx, hdr);
		return err;
	}
	if (fits)
		return nlmmap_unicast(read_pnet(&ctx->net), skb, ctx->portid);
	return nlmmap_rx_copy(ctx, hdr, skb);
}

static u16 nlmmap_dump_flags(struct nlmmap_dump *d)
{
	if (nlmmap_table_gen() != d->gen && d->req.cmd == NLMMAP_CMD_RING_GET)
		d->intr = NLM_F_DUMP_INTR;
	return NLM_F_MULTI | d->intr;
}

static int nlmmap_dump_fill_obj(struct sk_buff *skb, struct nlmmap_ctx *ctx)
{
	struct nlmmap_dump *d = ctx->dump;
	int err;

	rcu_read_lock();
	err = nlmmap_dump_obj(skb, read_pnet(&ctx->net), &d->req, d->pos,
			      ctx->portid, nlmmap_dump_flags(d), NULL);
	rcu_read_unlock();
	return err;
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

/* Produce until the ring is full, the budget is spent or the dump is
 * over; -EAGAIN from a reservation means held frames were passed over,
 * which counts against the budget like a message.
 */
static void nlmmap_dump_run(struct nlmmap_ctx *ctx)
{
	struct nlmmap_dump *d = ctx->dump;
	int err, budget = NLMMAP_DUMP_BUDGET;

	d->retry = false;
	while (!d->finished) {
		if (!budget--)
			return;
		err = nlmmap_dump_emit(ctx, nlmmap_dump_obj_size(&d->req),
				       nlmmap_dump_fill_obj, ctx);
		if (err == -ENOBUFS) {
			d->paused = true;
			return;
		}
		if (err == -EAGAIN)
			continue;
		if (err && err != 1 && err != -ENOENT) {
			d->retry = true;	/* out of memory */
			return;
		}
		if (err)
			d->finished = true;
		else
			d->pos++;
	}
	err = nlmmap_dump_emit(ctx, nlmsg_total_size(sizeof(int)),
			       nlmmap_dump_fill_done, ctx);
	if (err == -ENOBUFS) {
		d->paused = true;
		return;
	}
	if (err == -ENOMEM || err == -EAGAIN) {
		d->retry = err == -ENOMEM;
		return;
	}
	nlmmap_dump_free(ctx);
}

/**
 * nlmmap_dump_start() - start dumping into the caller's RX ring
 * @ctx: the requester's context, with an RX ring
 * @dr: the dump
 *
 * Context: ctx->lock held.
 * Return: 0, -EBUSY while another dump of this ring runs, -ENOMEM.
 */
int nlmmap_dump_start(struct nlmmap_ctx *ctx, const struct nlmmap_dump_req *dr)
{
	struct nlmmap_dump *d;

	lockdep_assert_held(&ctx->lock);
	if (ctx->dump)
		return -EBUSY;
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	d->req = *dr;
	d->gen = nlmmap_table_gen();
	ctx->dump = d;
	nlmmap_dump_run(ctx);
	return 0;
}

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
	kfree(ctx->dump);
	ctx->dump = NULL;
}
