// SPDX-License-Identifier: GPL-2.0
/*
 * TX: requests the application writes into TX frames.
 *
 * Frames are consumed in ring order while VALID. Each holds one netlink
 * request: of the nlmmap family, or of a family registered with
 * nlmmap_tx_register() (nlmmap_queue's verdicts). nm_len and every netlink length
 * are read once and bounded by the frame capacity the kernel keeps, so
 * parsing is memory-safe even while someone rewrites the frame. Values
 * are consistent with what was validated only if nobody else can write
 * the frame: so a frame is processed in place only while the mapping is
 * exclusive (nlmmap_tx_exclusive()), and is copied into kernel memory
 * first otherwise. Requests of other families are always handed over as a
 * kernel copy (nlmmap_tx_other()): their parsers are not read-once. Each
 * call consumes at most NLMMAP_TX_BUDGET frames and
 * runs only requests whose work is bounded (BENCH through the TX ring is
 * limited to NLMMAP_TX_BENCH_BYTES), since it holds ctx->lock, which
 * poll() and the socket's release need too.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "nlmmap_int.h"

/**
 * nlmmap_tx_exclusive() - may TX frames be processed in place?
 * @ctx: the context
 * @file: the ring file, as the caller holds it
 *
 * True only when one VMA maps the rings and no other VMA was added to it
 * since it was mapped (fork with MADV_DOFORK is refused, but a split or
 * mremap() is seen by nlmmap_vm_open()), that VMA belongs to the caller's
 * mm, that mm has one user (no other thread, no io_uring worker, no one
 * inside it through mmget()), and no other file descriptor or process
 * shares @file (each VMA holds one reference of its own). The VMA is
 * VM_PFNMAP | VM_IO with special PTEs, so nothing reaches the ring through
 * get_user_pages() or GUP-fast either (nlmmap_mmap()): while this holds,
 * only the caller, now in the kernel, can write the ring.
 *
 * Return: true if in-place processing is allowed (and the ring's setup
 * did not ask for copies, NLMMAP_SETUP_TX_COPY).
 */
bool nlmmap_tx_exclusive(struct nlmmap_ctx *ctx, struct file *file)
{
	struct mm_struct *mm = current->mm;

	return !ctx->tx_copy && mm &&
	       atomic_read(&ctx->map_count) == 1 &&
	       !READ_ONCE(ctx->map_shared) && ctx->map_mm == mm &&
	       atomic_read(&mm->mm_users) == 1 && file_count(file) <= 2;
}

static DEFINE_MUTEX(nlmmap_tx_families_lock);
static LIST_HEAD(nlmmap_tx_families);

/**
 * nlmmap_tx_register() - run another family's requests from TX frames
 * @f: the family, with @f->id, @f->owner and @f->msg set
 *
 * Context: process context.
 */
void nlmmap_tx_register(struct nlmmap_tx_family *f)
{
	mutex_lock(&nlmmap_tx_families_lock);
	list_add_rcu(&f->node, &nlmmap_tx_families);
	mutex_unlock(&nlmmap_tx_families_lock);
}
EXPORT_SYMBOL_GPL(nlmmap_tx_register);

/**
 * nlmmap_tx_unregister() - stop running a family's TX requests
 * @f: the family
 *
 * Requests running now hold a reference on @f->owner, so the module
 * stays until they return.
 *
 * Context: process context.
 */
void nlmmap_tx_unregister(struct nlmmap_tx_family *f)
{
	mutex_lock(&nlmmap_tx_families_lock);
	list_del_rcu(&f->node);
	mutex_unlock(&nlmmap_tx_families_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(nlmmap_tx_unregister);

/* A dump of another family, requested through the TX ring: 0 once it runs
 * in the RX ring.
 */
static int nlmmap_tx_other_dump(struct nlmmap_ctx *ctx,
				const struct nlmmap_tx_family *f,
				const struct nlmsghdr *nlh)
{
	struct nlmmap_dump_src src = {
		.net = read_pnet(&ctx->net),
		.portid = ctx->portid,
		.seq = nlh->nlmsg_seq,
	};
	struct nlmmap_dump_req dr = { .seq = nlh->nlmsg_seq };
	const struct nlmmap_dump_ops *ops;

	if (!f->dump || !ctx->rx.geom.size)
		return -EOPNOTSUPP;
	ops = f->dump(src.net, src.portid, ctx->sk, nlh, src.args);
	if (IS_ERR(ops))
		return PTR_ERR(ops);
	return nlmmap_dump_start(ctx, &dr, ops, &src);
}

/* A request of another family (@nlh: its header as read once, checked
 * against the frame): -EPROTONOSUPPORT when no module runs that family.
 *
 * Another family parses with nla_parse() and its own accessors, which may
 * read a length more than once: it gets a kernel copy, never the frame,
 * even in place (nlmsg_len bytes, at most a frame, into ctx->tx_buf), with
 * the header as checked. So its bytes cannot change under it, whoever
 * could write the ring.
 */
static int nlmmap_tx_other(struct nlmmap_ctx *ctx, const void *data,
			   const struct nlmsghdr *nlh)
{
	struct nlmmap_tx_family *f, *found = NULL;
	int err = -EPROTONOSUPPORT;

	if (data != ctx->tx_buf)
		memcpy(ctx->tx_buf, data, nlh->nlmsg_len);
	memcpy(ctx->tx_buf, nlh, sizeof(*nlh));
	data = ctx->tx_buf;
	rcu_read_lock();
	list_for_each_entry_rcu(f, &nlmmap_tx_families, node) {
		if (f->id == nlh->nlmsg_type && try_module_get(f->owner)) {
			found = f;
			break;
		}
	}
	rcu_read_unlock();
	if (!found)
		return err;
	if ((nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		err = nlmmap_tx_other_dump(ctx, found, data);
	else
		err = found->msg(read_pnet(&ctx->net), ctx->portid, ctx->sk,
				 data);
	module_put(found->owner);
	return err;
}

/* A dump requested through the TX ring is answered in the RX ring. */
static int nlmmap_tx_dump(struct nlmmap_ctx *ctx, const struct nlmmap_req *req)
{
	struct nlmmap_dump_req dr;
	int err;

	if (!ctx->rx.geom.size)
		return -EOPNOTSUPP;
	/* Bound, under ctx->lock: the socket is alive. */
	dr.all = sk_net_capable(ctx->sk, CAP_NET_ADMIN);
	dr.viewer = ctx->sk->sk_uid;
	err = nlmmap_dump_req_parse(&dr, req->cmd, req->seq, req->attrs);
	return err ?: nlmmap_dump_start(ctx, &dr, NULL, NULL);
}

/* Validate and run one request of @len bytes at @data. */
static void nlmmap_tx_msg(struct nlmmap_ctx *ctx, const void *data, u32 len)
{
	struct net *net = read_pnet(&ctx->net);
	struct nlmmap_req req;
	struct genlmsghdr gh;
	struct nlmsghdr nlh;
	int err = -EINVAL;

	memset(&nlh, 0, sizeof(nlh));
	if (len >= NLMSG_HDRLEN)
		memcpy(&nlh, data, sizeof(nlh));
	if (nlh.nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN || nlh.nlmsg_len > len ||
	    !(nlh.nlmsg_flags & NLM_F_REQUEST))
		goto invalid;
	if (nlh.nlmsg_type != nlmmap_family_id()) {
		/* Handed over as a kernel copy, whatever @data is. */
		err = nlmmap_tx_other(ctx, data, &nlh);
		if (err == -EPROTONOSUPPORT)
			goto invalid;
		if (!err && (nlh.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
			return;	/* NLMSG_DONE will end it */
		goto reply;
	}

	memcpy(&gh, data + NLMSG_HDRLEN, sizeof(gh));
	err = nlmmap_attr_parse(req.attrs, NLMMAP_A_MAX,
				data + NLMSG_HDRLEN + GENL_HDRLEN,
				nlh.nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN);
	if (err)
		goto invalid;
	req.net = net;
	req.from_tx = true;
	req.portid = ctx->portid;
	req.seq = nlh.nlmsg_seq;
	req.flags = nlh.nlmsg_flags;
	req.cmd = gh.cmd;
	if ((nlh.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		err = nlmmap_tx_dump(ctx, &req);
	else
		err = nlmmap_dispatch(&req);
	if (!err && (nlh.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
		return;	/* NLMSG_DONE will end it, not an ack */
	goto reply;

invalid:
	nlmmap_count(ctx, NLMMAP_S_TX_INVALID, 1);
reply:
	if (err || (nlh.nlmsg_flags & NLM_F_ACK))
		nlmmap_ack(net, ctx->portid, &nlh, err);
}

/**
 * nlmmap_tx_process() - run the VALID frames at the TX head
 * @ctx: the context
 * @file: the ring file
 *
 * Context: process context, ctx->lock held.
 * Return: the number of frames processed (at most NLMMAP_TX_BUDGET: call
 * again while frames remain), -ENOTCONN when not bound, -ENXIO without a
 * TX ring.
 */
int nlmmap_tx_process(struct nlmmap_ctx *ctx, struct file *file)
{
	struct nlmmap_ring *ring = &ctx->tx;
	bool inplace;
	u32 n, cap;

	lockdep_assert_held(&ctx->lock);
	if (ctx->state != NLMMAP_BOUND)
		return -ENOTCONN;
	if (!ring->geom.size)
		return -ENXIO;
	inplace = nlmmap_tx_exclusive(ctx, file);
	cap = nlmmap_frame_capacity(ring);

	for (n = 0; n < min_t(u32, ring->geom.frame_nr, NLMMAP_TX_BUDGET); n++) {
		struct nl_mmap_hdr *hdr = nlmmap_frame(ring, ring->head);
		const void *data = (void *)hdr + NLMMAP_HDRLEN;
		u32 len;

		if (nlmmap_status_load(&hdr->nm_status) != NLMMAP_STATUS_VALID)
			break;
		len = READ_ONCE(hdr->nm_len);
		if (len > cap) {
			len = 0;
		} else if (!inplace) {
			memcpy(ctx->tx_buf, data, len);
			data = ctx->tx_buf;
		}
		nlmmap_count(ctx, inplace ? NLMMAP_S_TX_INPLACE :
			     NLMMAP_S_TX_COPIED, 1);
		nlmmap_tx_msg(ctx, data, len);
		nlmmap_status_store(&hdr->nm_status, NLMMAP_STATUS_UNUSED);
		ring->head = ring->head + 1 < ring->geom.frame_nr ?
			     ring->head + 1 : 0;
	}
	if (n)
		nlmmap_wake(ctx, EPOLLOUT | EPOLLWRNORM);
	return n;
}

#ifdef NLMMAP_KUNIT
/* The KUnit suite of this file tests these very functions. */
#include "../../tests/kunit/tx_kunit.c"
#endif
