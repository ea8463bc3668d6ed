// SPDX-License-Identifier: GPL-2.0
/*
 * The "nlmmap" generic netlink family.
 *
 * Each command has one handler taking a struct nlmmap_req, which both the
 * socket path (genl doit) and the TX ring path (tx.c) build. Handlers
 * answer through the producer API, so a caller with an RX ring gets its
 * replies in the ring.
 */
#include <linux/sched.h>
#include <net/genetlink.h>
#include <net/nlmmap.h>

#include "nlmmap_int.h"

#define NLMMAP_BENCH_MAX_COUNT	BIT(24)
#define NLMMAP_BENCH_MAX_SIZE	(U16_MAX - NLA_HDRLEN)

static struct genl_family nlmmap_family;

/**
 * nlmmap_family_id() - the family's id, as nlctrl reports it
 *
 * Return: the id.
 */
u16 nlmmap_family_id(void)
{
	return nlmmap_family.id;
}

static int nlmmap_put_counters(struct sk_buff *skb, int attr,
			       const struct nlmmap_counters *c, int first,
			       int last)
{
	struct nlattr *nest;
	int i;

	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = first; i <= last; i++) {
		if (nla_put_u64_64bit(skb, i, atomic64_read(&c->v[i]),
				      NLMMAP_A_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* Start a reply to @req; *hdr is its genl header. */
static struct sk_buff *nlmmap_reply_new(const struct nlmmap_req *req,
					size_t payload, u8 cmd, void **hdr)
{
	struct sk_buff *skb;

	skb = nlmmap_genlmsg_new(req->net, req->portid, payload, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, req->seq, &nlmmap_family, 0, cmd);
	if (!*hdr) {
		nlmmap_free_skb(skb);
		return NULL;
	}
	return skb;
}

static int nlmmap_reply_send(const struct nlmmap_req *req,
			     struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	return nlmmap_unicast(req->net, skb, req->portid);
}

static size_t nlmmap_counters_size(int n)
{
	return nla_total_size(0) + n * nla_total_size_64bit(sizeof(u64));
}

static int nlmmap_do_get(const struct nlmmap_req *req)
{
	struct sk_buff *skb;
	void *hdr;

	skb = nlmmap_reply_new(req, nla_total_size(sizeof(u32)) +
			       nlmmap_counters_size(NLMMAP_S_MAX),
			       NLMMAP_CMD_GET, &hdr);
	if (!skb)
		return -ENOMEM;
	if (nla_put_u32(skb, NLMMAP_A_VERSION, NLMMAP_GENL_VERSION) ||
	    nlmmap_put_counters(skb, NLMMAP_A_STATS, &nlmmap_global,
				NLMMAP_S_RINGS, NLMMAP_S_MAX)) {
		nlmmap_free_skb(skb);
		return -EMSGSIZE;
	}
	return nlmmap_reply_send(req, skb, hdr);
}

static int nlmmap_put_ring(struct sk_buff *skb, struct nlmmap_ctx *ctx)
{
	struct nlattr *nest = nla_nest_start(skb, NLMMAP_A_RING);

	if (!nest ||
	    nla_put_u32(skb, NLMMAP_R_PORTID, ctx->portid) ||
	    nla_put_u32(skb, NLMMAP_R_RX_FRAMES,
			READ_ONCE(ctx->rx.geom.frame_nr)) ||
	    nla_put_u32(skb, NLMMAP_R_TX_FRAMES,
			READ_ONCE(ctx->tx.geom.frame_nr)) ||
	    nla_put_u32(skb, NLMMAP_R_FRAME_SIZE,
			READ_ONCE(ctx->rx.geom.frame_size)) ||
	    nlmmap_put_counters(skb, NLMMAP_R_STATS, &ctx->stats,
				NLMMAP_S_DELIVERED, NLMMAP_S_MAX))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int nlmmap_do_ring_get(const struct nlmmap_req *req)
{
	struct nlmmap_ctx *ctx;
	struct sk_buff *skb;
	void *hdr;
	int err;

	ctx = nlmmap_ctx_get(req->net, req->portid);
	if (!ctx)
		return -ENOENT;
	err = -ENOMEM;
	skb = nlmmap_reply_new(req, nla_total_size(0) +
			       4 * nla_total_size(sizeof(u32)) +
			       nlmmap_counters_size(NLMMAP_S_MAX),
			       NLMMAP_CMD_RING_GET, &hdr);
	if (skb) {
		/* No ctx->lock: the TX path calls this with it held. */
		err = nlmmap_put_ring(skb, ctx);
		if (err)
			nlmmap_free_skb(skb);
		else
			err = nlmmap_reply_send(req, skb, hdr);
	}
	nlmmap_ctx_put(ctx);
	return err;
}

static int nlmmap_do_bench(const struct nlmmap_req *req)
{
	u32 count, size, i, sent = 0;
	struct sk_buff *skb;
	struct nlattr *pl;
	void *hdr;
	int err;

	if (nlmmap_attr_u32(req->attrs, NLMMAP_A_COUNT, &count) ||
	    nlmmap_attr_u32(req->attrs, NLMMAP_A_SIZE, &size) ||
	    count > NLMMAP_BENCH_MAX_COUNT || size > NLMMAP_BENCH_MAX_SIZE)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		skb = nlmmap_reply_new(req, nla_total_size(sizeof(u32)) +
				       nla_total_size(size),
				       NLMMAP_CMD_BENCH_MSG, &hdr);
		if (!skb)
			return -ENOMEM;
		pl = NULL;
		if (!nla_put_u32(skb, NLMMAP_A_SEQ, i))
			pl = nla_reserve(skb, NLMMAP_A_PAYLOAD, size);
		if (!pl) {
			nlmmap_free_skb(skb);
			return -EMSGSIZE;
		}
		memset(nla_data(pl), (u8)i, size);
		if (!nlmmap_reply_send(req, skb, hdr))
			sent++;
		cond_resched();
	}
	/* The summary: how many of them were delivered. */
	skb = nlmmap_reply_new(req, nla_total_size(sizeof(u32)),
			       NLMMAP_CMD_BENCH, &hdr);
	if (!skb)
		return -ENOMEM;
	err = nla_put_u32(skb, NLMMAP_A_COUNT, sent);
	if (err) {
		nlmmap_free_skb(skb);
		return err;
	}
	nlmmap_reply_send(req, skb, hdr);
	return 0;
}

static int nlmmap_do_echo(const struct nlmmap_req *req)
{
	const struct nlmmap_nla *a = &req->attrs[NLMMAP_A_PAYLOAD];
	struct sk_buff *skb;
	struct nlattr *pl;
	void *hdr;

	if (!a->present || a->len > NLMMAP_BENCH_MAX_SIZE)
		return -EINVAL;
	skb = nlmmap_reply_new(req, nla_total_size(a->len), NLMMAP_CMD_ECHO,
			       &hdr);
	if (!skb)
		return -ENOMEM;
	pl = nla_reserve(skb, NLMMAP_A_PAYLOAD, a->len);
	if (!pl) {
		nlmmap_free_skb(skb);
		return -EMSGSIZE;
	}
	/* One read of the payload, whatever happens to it meanwhile. */
	memcpy(nla_data(pl), a->data, a->len);
	return nlmmap_reply_send(req, skb, hdr);
}

/**
 * nlmmap_dispatch() - run one request
 * @req: the request; attribute lengths already checked against the buffer
 *
 * Return: 0 or a negative error for the NLMSG_ERROR answer.
 */
int nlmmap_dispatch(const struct nlmmap_req *req)
{
	switch (req->cmd) {
	case NLMMAP_CMD_GET:
		return nlmmap_do_get(req);
	case NLMMAP_CMD_RING_GET:
		return nlmmap_do_ring_get(req);
	case NLMMAP_CMD_BENCH:
		return nlmmap_do_bench(req);
	case NLMMAP_CMD_ECHO:
		return nlmmap_do_echo(req);
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * nlmmap_ack() - send NLMSG_ERROR (an ack when @err is 0) for a request
 * @net: namespace of the requester
 * @portid: port id of the requester
 * @nlh: the request's header, as read once
 * @err: 0 or a negative error
 *
 * Return: 0 or the delivery error.
 */
int nlmmap_ack(struct net *net, u32 portid, const struct nlmsghdr *nlh,
	       int err)
{
	struct nlmsgerr *e;
	struct nlmsghdr *rep;
	struct sk_buff *skb;

	skb = nlmmap_alloc_skb(net, portid, nlmsg_total_size(sizeof(*e)),
			       GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	rep = nlmsg_put(skb, portid, nlh->nlmsg_seq, NLMSG_ERROR, sizeof(*e),
			NLM_F_CAPPED);
	if (!rep) {
		nlmmap_free_skb(skb);
		return -EMSGSIZE;
	}
	e = nlmsg_data(rep);
	e->error = err;
	e->msg = *nlh;
	nlmsg_end(skb, rep);
	return nlmmap_unicast(net, skb, portid);
}

/* The socket path: genl has validated attributes against the policy. */
static int nlmmap_genl_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlmmap_req *req;
	int i, err;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->net = genl_info_net(info);
	req->portid = info->snd_portid;
	req->seq = info->snd_seq;
	req->flags = info->nlhdr->nlmsg_flags;
	req->cmd = info->genlhdr->cmd;
	for (i = 1; i <= NLMMAP_A_MAX; i++) {
		if (!info->attrs[i])
			continue;
		req->attrs[i].data = nla_data(info->attrs[i]);
		req->attrs[i].len = nla_len(info->attrs[i]);
		req->attrs[i].present = true;
	}
	err = nlmmap_dispatch(req);
	kfree(req);
	return err;
}

static const struct nla_policy nlmmap_policy[NLMMAP_A_MAX + 1] = {
	[NLMMAP_A_COUNT]	= { .type = NLA_U32 },
	[NLMMAP_A_SIZE]		= { .type = NLA_U32 },
	[NLMMAP_A_PAYLOAD]	= { .type = NLA_BINARY,
				    .len = NLMMAP_BENCH_MAX_SIZE },
};

static const struct genl_ops nlmmap_ops[] = {
	{ .cmd = NLMMAP_CMD_GET,	.doit = nlmmap_genl_doit },
	{ .cmd = NLMMAP_CMD_RING_GET,	.doit = nlmmap_genl_doit },
	{ .cmd = NLMMAP_CMD_BENCH,	.doit = nlmmap_genl_doit },
	{ .cmd = NLMMAP_CMD_ECHO,	.doit = nlmmap_genl_doit },
};

static struct genl_family nlmmap_family __ro_after_init = {
	.name		= NLMMAP_GENL_NAME,
	.version	= NLMMAP_GENL_VERSION,
	.maxattr	= NLMMAP_A_MAX,
	.policy		= nlmmap_policy,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= nlmmap_ops,
	.n_ops		= ARRAY_SIZE(nlmmap_ops),
	.resv_start_op	= NLMMAP_CMD_ECHO + 1,
};

int nlmmap_genl_init(void)
{
	return genl_register_family(&nlmmap_family);
}

void nlmmap_genl_exit(void)
{
	genl_unregister_family(&nlmmap_family);
}
