// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark source: NLMMAP_CMD_BENCH sends COUNT messages
 * (NLMMAP_CMD_BENCH_MSG: NLMMAP_A_SEQ, NLMMAP_A_PAYLOAD of SIZE bytes) to
 * the requester, then a summary (NLMMAP_CMD_BENCH with NLMMAP_A_COUNT,
 * the number delivered). Dumped, it is a table of COUNT such objects.
 *
 * It sends only to the requester's own socket (its port id is proven:
 * netlink stamped it, or the ring is bound to it), costs the requester's
 * own CPU time and memory (its rcvbuf, its ring), and stops on a fatal
 * signal, so it needs no capability. On the socket it runs in the
 * requester's sendmsg(); through the TX ring it runs under ctx->lock and
 * is limited to NLMMAP_TX_BENCH_BYTES.
 *
 * Every message is written by one function, nlmmap_bench_put(), whatever
 * path it takes: the socket, a ring frame, a dump skb or a dump frame. It
 * writes the headers directly rather than through the attribute helpers,
 * so the source costs the same few instructions on every path, and the
 * paths differ only by what they themselves cost.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/nlmmap.h>

#include "nlmmap_int.h"

/* Messages between two checks for a fatal signal and a reschedule, with
 * the batch flushed: no frame is held then.
 */
#define NLMMAP_BENCH_BATCH	64

/**
 * nlmmap_bench_msg_size() - bytes of one benchmark message
 * @size: its payload
 *
 * Return: the netlink message's total size.
 */
size_t nlmmap_bench_msg_size(u32 size)
{
	return nlmsg_total_size(GENL_HDRLEN + nla_total_size(sizeof(u32)) +
				nla_total_size(size));
}

/**
 * nlmmap_bench_init() - prepare the messages of one request or dump
 * @m: filled in
 * @portid: nlmsg_pid
 * @seq: nlmsg_seq (the request's)
 * @flags: nlmsg_flags (NLM_F_MULTI in a dump)
 * @size: payload bytes
 * @stamp: start each payload with ktime_get_ns() (needs @size >= 8)
 *
 * Everything but the message's number is the same in every message: the
 * headers are built once here.
 */
void nlmmap_bench_init(struct nlmmap_bench *m, u32 portid, u32 seq,
		       u16 flags, u32 size, bool stamp)
{
	BUILD_BUG_ON(sizeof(m->hdr) != NLMSG_HDRLEN + GENL_HDRLEN +
		     nla_total_size(sizeof(u32)) + NLA_HDRLEN);
	memset(m, 0, sizeof(*m));
	m->len = nlmmap_bench_msg_size(size);
	m->size = size;
	m->blocks = size <= 256 && !(size % 32) ? size / 32 : 0;
	m->stamp = stamp;
	m->hdr.nlh.nlmsg_len = m->len;
	m->hdr.nlh.nlmsg_type = nlmmap_family_id();
	m->hdr.nlh.nlmsg_flags = flags;
	m->hdr.nlh.nlmsg_seq = seq;
	m->hdr.nlh.nlmsg_pid = portid;
	m->hdr.genl.cmd = NLMMAP_CMD_BENCH_MSG;
	m->hdr.genl.version = NLMMAP_GENL_VERSION;
	m->hdr.seq_nla.nla_len = nla_attr_size(sizeof(u32));
	m->hdr.seq_nla.nla_type = NLMMAP_A_SEQ;
	m->hdr.pl_nla.nla_len = nla_attr_size(size);
	m->hdr.pl_nla.nla_type = NLMMAP_A_PAYLOAD;
}

static int nlmmap_bench_summary(const struct nlmmap_req *req, u32 sent)
{
	struct sk_buff *skb;
	void *hdr;

	skb = nlmmap_genlmsg_new(req->net, req->portid,
				 nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	hdr = genlmsg_put(skb, 0, req->seq, nlmmap_genl_family(), 0,
			  NLMMAP_CMD_BENCH);
	if (!hdr || nla_put_u32(skb, NLMMAP_A_COUNT, sent)) {
		nlmmap_free_skb(skb);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	nlmmap_unicast(req->net, skb, req->portid);
	return 0;
}

/**
 * nlmmap_do_bench() - run NLMMAP_CMD_BENCH
 * @req: the request
 *
 * Return: 0; -EINVAL for bad arguments, -E2BIG for too much work asked
 * through the TX ring, -EINTR on a fatal signal, -ENOMEM.
 */
int nlmmap_do_bench(const struct nlmmap_req *req)
{
	bool stamp = req->attrs[NLMMAP_A_STAMP].present;
	u32 count, size, i, len, sent = 0;
	struct nlmmap_bench m;
	struct nlmmap_batch b;
	struct sk_buff *skb;
	int err = 0;

	if (nlmmap_attr_u32(req->attrs, NLMMAP_A_COUNT, &count) ||
	    nlmmap_attr_u32(req->attrs, NLMMAP_A_SIZE, &size) ||
	    count > NLMMAP_BENCH_MAX_COUNT || size > NLMMAP_BENCH_MAX_SIZE ||
	    (stamp && size < sizeof(u64)))
		return -EINVAL;
	len = nlmmap_bench_msg_size(size);
	if (req->from_tx && (u64)count * len > NLMMAP_TX_BENCH_BYTES)
		return -E2BIG;
	nlmmap_bench_init(&m, 0, req->seq, 0, size, stamp);
	nlmmap_batch_init(&b, req->net, req->portid);
	for (i = 0; i < count; i++) {
		if (i && !(i % NLMMAP_BENCH_BATCH)) {
			/* No frame held while the task may sleep. */
			nlmmap_batch_flush(&b);
			if (fatal_signal_pending(current)) {
				err = -EINTR;
				break;
			}
			cond_resched();
		}
		/* The module's own producer: the batch's fast paths inline. */
		skb = __nlmmap_batch_next(&b, len) ?:
		      nlmmap_batch_alloc(&b, len,
					 min(count - i, NLMMAP_BENCH_BATCH -
					     i % NLMMAP_BENCH_BATCH),
					 GFP_KERNEL);
		if (!skb) {
			err = -ENOMEM;
			break;
		}
		if (nlmmap_bench_put(skb, &m, i)) {
			nlmmap_free_skb(skb);
			err = -EMSGSIZE;
			break;
		}
		if (__nlmmap_batch_publish(&b, skb) ||
		    !nlmmap_batch_send(&b, skb))
			sent++;
	}
	nlmmap_batch_end(&b);
	return err ?: nlmmap_bench_summary(req, sent);
}
