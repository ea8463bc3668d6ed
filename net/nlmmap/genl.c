// SPDX-License-Identifier: GPL-2.0
/*
 * The "nlmmap" generic netlink family.
 *
 * Each command has one handler taking a struct nlmmap_req, which both the
 * socket path (genl doit) and the TX ring path (tx.c) build. Handlers
 * answer through the producer API, so a caller with an RX ring gets its
 * replies in the ring.
 */
#include <linux/file.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <net/genetlink.h>
#include <net/nlmmap.h>
#include <net/sock.h>

#include "nlmmap_int.h"

static struct genl_family nlmmap_family;

/**
 * nlmmap_genl_family() - the family, for building messages
 *
 * Return: the family.
 */
struct genl_family *nlmmap_genl_family(void)
{
	return &nlmmap_family;
}

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
	struct nlmmap_counters global;
	struct sk_buff *skb;
	void *hdr;

	nlmmap_global_read(&global);
	skb = nlmmap_reply_new(req, nla_total_size(sizeof(u32)) +
			       nlmmap_counters_size(NLMMAP_S_MAX),
			       NLMMAP_CMD_GET, &hdr);
	if (!skb)
		return -ENOMEM;
	if (nla_put_u32(skb, NLMMAP_A_VERSION, NLMMAP_GENL_VERSION) ||
	    nlmmap_put_counters(skb, NLMMAP_A_STATS, &global,
				NLMMAP_S_RINGS, NLMMAP_S_MAX)) {
		nlmmap_free_skb(skb);
		return -EMSGSIZE;
	}
	return nlmmap_reply_send(req, skb, hdr);
}

/**
 * nlmmap_ring_msg_size() - room nlmmap_put_ring() needs
 *
 * Return: bytes of the NLMMAP_A_RING attribute.
 */
size_t nlmmap_ring_msg_size(void)
{
	return nla_total_size(0) + 4 * nla_total_size(sizeof(u32)) +
	       nlmmap_counters_size(NLMMAP_S_MAX);
}

/**
 * nlmmap_put_ring() - describe a ring: geometry and counters
 * @skb: the message
 * @ctx: the ring's context (read without its lock: a snapshot)
 *
 * Return: 0 or -EMSGSIZE.
 */
int nlmmap_put_ring(struct sk_buff *skb, struct nlmmap_ctx *ctx)
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
				NLMMAP_S_DELIVERED, NLMMAP_S_MAX)) {
		if (nest)
			nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
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
	skb = nlmmap_reply_new(req, nlmmap_ring_msg_size(),
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

/* Attributes genl has validated against the policy, in kernel memory. */
static void nlmmap_nla_from_attrs(struct nlmmap_nla *tb, struct nlattr **attrs)
{
	int i;

	memset(tb, 0, sizeof(*tb) * (NLMMAP_A_MAX + 1));
	for (i = 1; i <= NLMMAP_A_MAX; i++) {
		if (!attrs[i])
			continue;
		tb[i].data = nla_data(attrs[i]);
		tb[i].len = nla_len(attrs[i]);
		tb[i].present = true;
	}
}

/* The socket path. */
static int nlmmap_genl_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlmmap_req req = {
		.net	= genl_info_net(info),
		.portid	= info->snd_portid,
		.seq	= info->snd_seq,
		.flags	= info->nlhdr->nlmsg_flags,
		.cmd	= info->genlhdr->cmd,
	};

	nlmmap_nla_from_attrs(req.attrs, info->attrs);
	return nlmmap_dispatch(&req);
}

/* Bind the ring file named by RING_FD (a descriptor of the sender) to the
 * socket that sent this request. Netlink stamped the request with the
 * port id the socket is hashed under (autobinding it first if it had
 * none), and the sender's sendmsg() holds the socket until this returns,
 * so the binding is made for the port id's real owner and is in the table
 * before the socket's release can look for it.
 */
static int nlmmap_genl_bind(struct sk_buff *skb, struct genl_info *info)
{
	struct sock *sk = NETLINK_CB(skb).sk;
	struct nlmmap_ctx *ctx;
	struct file *file;
	int err;

	if (!info->attrs[NLMMAP_A_RING_FD] || !sk)
		return -EINVAL;
	file = fget(nla_get_u32(info->attrs[NLMMAP_A_RING_FD]));
	if (!file)
		return -EBADF;
	ctx = nlmmap_file_ctx(file);
	err = -EBADFD;
	if (ctx) {
		/* A ring of a released socket may still hold this port id. */
		nlmmap_unbind_released(sock_net(sk), info->snd_portid);
		err = mutex_lock_interruptible(&ctx->lock);
		if (!err) {
			err = nlmmap_bind(ctx, sk, info->snd_portid);
			mutex_unlock(&ctx->lock);
		}
	}
	fput(file);
	return err;
}

/* SUBSCRIBE and UNSUBSCRIBE: on the ring's own socket only (never through
 * the TX ring, whose frames another holder of the file may process), so
 * the source's checks run with the credentials of the task that asks,
 * and again with those of the ring file's and the socket's openers
 * (nlmmap_relay_subscribe()): whoever writes a prepared request on a
 * socket it was handed lends it none of its rights.
 */
static int nlmmap_genl_subscribe(struct sk_buff *skb, struct genl_info *info)
{
	struct nlmmap_subscription req = { .size = sizeof(req) };
	struct sock *sk = NETLINK_CB(skb).sk;
	struct nlattr **a = info->attrs;
	struct nlmmap_ctx *ctx;
	u32 protocol, group;
	int err;

	if (!a[NLMMAP_A_PROTOCOL] || !a[NLMMAP_A_GROUP] || !sk)
		return -EINVAL;
	protocol = nla_get_u32(a[NLMMAP_A_PROTOCOL]);
	group = nla_get_u32(a[NLMMAP_A_GROUP]);
	if (protocol >= MAX_LINKS)
		return -EINVAL;
	/* This request runs under the generic netlink core's cb_lock,
	 * which joining a generic netlink group takes again (relay_ctl.c).
	 */
	if (protocol == NETLINK_GENERIC) {
		GENL_SET_ERR_MSG(info,
				 "generic netlink groups: use NLMMAP_IOC_SUBSCRIBE");
		return -EOPNOTSUPP;
	}
	ctx = nlmmap_ctx_get(sock_net(sk), info->snd_portid);
	if (!ctx)
		return -ENOTCONN;	/* no ring bound to this socket */
	if (info->genlhdr->cmd == NLMMAP_CMD_SUBSCRIBE) {
		req.protocol = protocol;
		req.group = group;
		err = nlmmap_relay_subscribe(ctx, sk, &req);
	} else {
		err = mutex_lock_killable(&ctx->lock);
		if (!err) {
			/* The ring proven to be this socket's. */
			err = ctx->state != NLMMAP_BOUND || ctx->sk != sk ?
			      -ENOTCONN :
			      nlmmap_relay_unsubscribe(ctx, protocol, group);
			mutex_unlock(&ctx->lock);
		}
	}
	nlmmap_ctx_put(ctx);
	return err;
}

/* A dump through the genl core keeps its place here (cb->ctx). */
struct nlmmap_dump_cb {
	struct nlmmap_dump_req req;
	u64 pos;
};

/* A requester with an RX ring gets the dump in its ring (dump.c). Then
 * -EINTR ends netlink's side at once: it sends neither NLMSG_DONE nor an
 * ack to the socket, where they would overtake the ring's messages.
 */
static int nlmmap_genl_dump_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct nlmmap_dump_cb *c = (void *)cb->ctx;
	struct nlmmap_nla tb[NLMMAP_A_MAX + 1];
	int err;

	BUILD_BUG_ON(sizeof(*c) > sizeof(cb->ctx));
	nlmmap_nla_from_attrs(tb, info->attrs);
	/* Decided here, in the requester's sendmsg(). */
	c->req.all = netlink_net_capable(cb->skb, CAP_NET_ADMIN);
	c->req.viewer = NETLINK_CB(cb->skb).sk->sk_uid;
	err = nlmmap_dump_req_parse(&c->req, info->op.cmd, cb->nlh->nlmsg_seq,
				    tb);
	if (err)
		return err;
	c->pos = 0;
	err = nlmmap_dump_to_portid(sock_net(cb->skb->sk),
				    NETLINK_CB(cb->skb).portid, &c->req, NULL,
				    NULL);
	if (err == -ENOTCONN)
		return 0;	/* no ring: through the socket */
	return err ?: -EINTR;
}

static int nlmmap_genl_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlmmap_dump_cb *c = (void *)cb->ctx;
	u32 portid = NETLINK_CB(cb->skb).portid;
	struct nlmmap_bench m;
	bool end;
	u32 n;

	if (c->req.cmd == NLMMAP_CMD_RING_GET)
		cb->seq = nlmmap_table_gen() + 1;
	else
		nlmmap_dump_bench(&m, &c->req, portid);
	n = nlmmap_dump_fill(skb, sock_net(cb->skb->sk), &c->req, &m, &c->pos,
			     U32_MAX, portid, NLM_F_MULTI, cb, &end);
	if (!n && !end && !skb->len)
		return -EMSGSIZE;	/* an object larger than the skb */
	return end ? 0 : skb->len;
}

static const struct nla_policy nlmmap_policy[NLMMAP_A_MAX + 1] = {
	[NLMMAP_A_COUNT]	= { .type = NLA_U32 },
	[NLMMAP_A_SIZE]		= { .type = NLA_U32 },
	[NLMMAP_A_PAYLOAD]	= { .type = NLA_BINARY,
				    .len = NLMMAP_BENCH_MAX_SIZE },
	[NLMMAP_A_RING_FD]	= { .type = NLA_U32 },
	[NLMMAP_A_STAMP]	= { .type = NLA_FLAG },
	[NLMMAP_A_PROTOCOL]	= { .type = NLA_U32 },
	[NLMMAP_A_GROUP]	= { .type = NLA_U32 },
};

static const struct genl_ops nlmmap_ops[] = {
	{ .cmd = NLMMAP_CMD_GET,	.doit = nlmmap_genl_doit },
	{ .cmd = NLMMAP_CMD_RING_GET,	.doit = nlmmap_genl_doit,
	  .start = nlmmap_genl_dump_start, .dumpit = nlmmap_genl_dumpit },
	{ .cmd = NLMMAP_CMD_BENCH,	.doit = nlmmap_genl_doit,
	  .start = nlmmap_genl_dump_start, .dumpit = nlmmap_genl_dumpit },
	{ .cmd = NLMMAP_CMD_ECHO,	.doit = nlmmap_genl_doit },
	{ .cmd = NLMMAP_CMD_BIND,	.doit = nlmmap_genl_bind },
	{ .cmd = NLMMAP_CMD_SUBSCRIBE,	.doit = nlmmap_genl_subscribe },
	{ .cmd = NLMMAP_CMD_UNSUBSCRIBE, .doit = nlmmap_genl_subscribe },
	{ .cmd = NLMMAP_CMD_SUB_GET,	.start = nlmmap_relay_dump_start,
	  .dumpit = nlmmap_relay_dumpit },
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
	.resv_start_op	= NLMMAP_CMD_BIND + 1,
};

int nlmmap_genl_init(void)
{
	return genl_register_family(&nlmmap_family);
}

void nlmmap_genl_exit(void)
{
	genl_unregister_family(&nlmmap_family);
}
