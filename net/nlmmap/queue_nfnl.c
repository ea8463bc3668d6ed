// SPDX-License-Identifier: GPL-2.0
/*
 * nfnetlink_queue's own protocol, served by nlmmap_queue: programs written
 * for nfnetlink_queue (libnetfilter_queue, Suricata or Snort in NFQ mode)
 * keep working unchanged while this module is the queue backend, through
 * their NETLINK_NETFILTER sockets, without rings.
 *
 * NFQNL_MSG_CONFIG binds (NFQNL_CFG_CMD_BIND) and unbinds queues, any
 * number per socket, and sets NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN and
 * NFQA_CFG_FLAGS under NFQA_CFG_MASK; the obsolete PF_BIND and PF_UNBIND
 * do nothing, as in nfnetlink_queue. NFQNL_MSG_VERDICT and
 * NFQNL_MSG_VERDICT_BATCH decide the packets of the queue in res_id, which
 * the sender must have bound. Packets arrive as NFQNL_MSG_PACKET with the
 * same attributes as in a ring (queue_pkt.c).
 *
 * Differences from nfnetlink_queue, each refused rather than ignored:
 * NFQA_CFG_F_SECCTX, and NFQA_CT, NFQA_EXP, NFQA_VLAN and NFQA_L2HDR in
 * verdicts, get EOPNOTSUPP. A maximum length above NLMQ_MAXLEN_MAX is
 * lowered to it (a verdict's search is bounded), as a copy range above
 * NLMQ_MAX_COPY_RANGE (65531) is lowered by both.
 *
 * nfnetlink checks CAP_NET_ADMIN in the socket's namespace for every
 * message. The queue's owner is the socket that bound it (NETLINK_CB's
 * sk), of this protocol: not its port id, which a released socket gives
 * up before its queues end, so a socket that takes it meanwhile owns
 * nothing; and a ring socket never owns a queue bound here, nor the
 * reverse.
 */
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "queue.h"

/* The queue @res_id names, if @skb's sender bound it here. */
static struct nlmq_inst *nlmq_nfnl_owned(struct sk_buff *skb,
					 const struct nfnl_info *info,
					 int *err)
{
	struct nlmq_inst *q = nlmq_by_queue_rcu(info->net,
						ntohs(info->nfmsg->res_id));

	*err = 0;
	if (!q)
		*err = -ENODEV;
	else if (q->sk != NETLINK_CB(skb).sk ||
		 q->protocol != NETLINK_NETFILTER)
		*err = -EPERM;
	return *err ? NULL : q;
}

/* PARAMS, QUEUE_MAXLEN, FLAGS under MASK: changes to what @q has. */
static int nlmq_nfnl_params(struct nlmq_inst *q,
			    const struct nlattr * const nfqa[])
{
	u32 mode = READ_ONCE(q->copy_mode), range = READ_ONCE(q->copy_range);
	u32 maxlen = READ_ONCE(q->maxlen), flags = READ_ONCE(q->flags);

	if (nfqa[NFQA_CFG_PARAMS]) {
		const struct nfqnl_msg_config_params *p =
			nla_data(nfqa[NFQA_CFG_PARAMS]);

		/* nfnetlink_queue's meanings: NONE copies as META does; a
		 * PACKET range of 0 is the largest (nlmq_set_config()).
		 */
		mode = p->copy_mode == NFQNL_COPY_NONE ? NFQNL_COPY_META :
			p->copy_mode;
		range = ntohl(p->copy_range);
	}
	if (nfqa[NFQA_CFG_QUEUE_MAXLEN])
		maxlen = clamp_t(u32,
				 ntohl(nla_get_be32(nfqa[NFQA_CFG_QUEUE_MAXLEN])),
				 1, NLMQ_MAXLEN_MAX);
	if (nfqa[NFQA_CFG_FLAGS]) {
		u32 val = ntohl(nla_get_be32(nfqa[NFQA_CFG_FLAGS]));
		u32 mask = ntohl(nla_get_be32(nfqa[NFQA_CFG_MASK]));

		flags = (flags & ~mask) | (val & mask);
	}
	return nlmq_set_config(q, mode, range, maxlen, flags);
}

static int nlmq_nfnl_config(struct sk_buff *skb, const struct nfnl_info *info,
			    const struct nlattr * const nfqa[])
{
	u16 queue = ntohs(info->nfmsg->res_id);
	u32 portid = NETLINK_CB(skb).portid;
	const struct nfqnl_msg_config_cmd *cmd = NULL;
	struct nlmq_inst *q;
	int err;

	if (nfqa[NFQA_CFG_CMD]) {
		cmd = nla_data(nfqa[NFQA_CFG_CMD]);
		if (cmd->command == NFQNL_CFG_CMD_PF_BIND ||
		    cmd->command == NFQNL_CFG_CMD_PF_UNBIND)
			return 0;	/* obsolete, as in nfnetlink_queue */
	}
	if (nfqa[NFQA_CFG_FLAGS]) {
		u32 val = ntohl(nla_get_be32(nfqa[NFQA_CFG_FLAGS]));

		if (!nfqa[NFQA_CFG_MASK])
			return -EINVAL;
		if (val >= NFQA_CFG_F_MAX || val & NFQA_CFG_F_SECCTX)
			return -EOPNOTSUPP;
	}
	if (cmd) {
		switch (cmd->command) {
		case NFQNL_CFG_CMD_BIND:
			q = nlmq_inst_alloc(info->net, queue,
					    NETLINK_CB(skb).sk, portid,
					    NETLINK_NETFILTER);
			if (!q)
				return -ENOMEM;
			err = nlmq_inst_add(q);
			if (err) {
				kfree(q);
				return err;
			}
			break;
		case NFQNL_CFG_CMD_UNBIND:
			return nlmq_inst_remove(info->net, queue,
						NETLINK_CB(skb).sk,
						NETLINK_NETFILTER);
		default:
			return -EOPNOTSUPP;
		}
	}
	rcu_read_lock();
	q = nlmq_nfnl_owned(skb, info, &err);
	if (q)
		err = nlmq_nfnl_params(q, nfqa);
	rcu_read_unlock();
	return err;
}

static int nlmq_nfnl_decide(struct sk_buff *skb, const struct nfnl_info *info,
			    const struct nlattr * const nfqa[], u8 cmd)
{
	struct nlmq_verdict v;
	struct nlmq_inst *q;
	int err;

	if (nfqa[NFQA_CT] || nfqa[NFQA_EXP] || nfqa[NFQA_VLAN] ||
	    nfqa[NFQA_L2HDR])
		return -EOPNOTSUPP;
	err = nlmq_verdict_parse(&v, cmd, (struct nlattr **)nfqa);
	if (err)
		return err;
	/* An NFNL_CB_RCU callback: rcu_read_lock() is held. */
	q = nlmq_nfnl_owned(skb, info, &err);
	return q ? nlmq_verdict_apply_q(q, &v) : err;
}

static int nlmq_nfnl_verdict(struct sk_buff *skb, const struct nfnl_info *info,
			     const struct nlattr * const nfqa[])
{
	return nlmq_nfnl_decide(skb, info, nfqa, NLMQ_CMD_VERDICT);
}

static int nlmq_nfnl_verdict_batch(struct sk_buff *skb,
				   const struct nfnl_info *info,
				   const struct nlattr * const nfqa[])
{
	return nlmq_nfnl_decide(skb, info, nfqa, NLMQ_CMD_VERDICT_BATCH);
}

static int nlmq_nfnl_unsupp(struct sk_buff *skb, const struct nfnl_info *info,
			    const struct nlattr * const nfqa[])
{
	return -EOPNOTSUPP;
}

static const struct nla_policy nlmq_nfnl_cfg_policy[NFQA_CFG_MAX + 1] = {
	[NFQA_CFG_CMD]		= NLA_POLICY_MIN_LEN(sizeof(struct nfqnl_msg_config_cmd)),
	[NFQA_CFG_PARAMS]	= NLA_POLICY_MIN_LEN(sizeof(struct nfqnl_msg_config_params)),
	[NFQA_CFG_QUEUE_MAXLEN]	= { .type = NLA_U32 },
	[NFQA_CFG_MASK]		= { .type = NLA_U32 },
	[NFQA_CFG_FLAGS]	= { .type = NLA_U32 },
};

static const struct nla_policy nlmq_nfnl_verdict_policy[NFQA_MAX + 1] = {
	[NFQA_VERDICT_HDR]	=
		NLA_POLICY_EXACT_LEN(sizeof(struct nfqnl_msg_verdict_hdr)),
	[NFQA_MARK]		= { .type = NLA_U32 },
	[NFQA_PRIORITY]		= { .type = NLA_U32 },
	[NFQA_PAYLOAD]		= { .type = NLA_BINARY },
};

static const struct nfnl_callback nlmq_nfnl_cb[NFQNL_MSG_MAX] = {
	[NFQNL_MSG_PACKET]	= {
		.call		= nlmq_nfnl_unsupp,
		.type		= NFNL_CB_RCU,
		.attr_count	= NFQA_MAX,
	},
	[NFQNL_MSG_VERDICT]	= {
		.call		= nlmq_nfnl_verdict,
		.type		= NFNL_CB_RCU,
		.attr_count	= NFQA_MAX,
		.policy		= nlmq_nfnl_verdict_policy,
	},
	[NFQNL_MSG_CONFIG]	= {
		.call		= nlmq_nfnl_config,
		.type		= NFNL_CB_MUTEX,
		.attr_count	= NFQA_CFG_MAX,
		.policy		= nlmq_nfnl_cfg_policy,
	},
	[NFQNL_MSG_VERDICT_BATCH] = {
		.call		= nlmq_nfnl_verdict_batch,
		.type		= NFNL_CB_RCU,
		.attr_count	= NFQA_MAX,
		.policy		= nlmq_nfnl_verdict_policy,
	},
};

/* Also the guard: nfnetlink_queue cannot load beside us. */
const struct nfnetlink_subsystem nlmq_nfnl = {
	.name		= "nlmmap_queue",
	.subsys_id	= NFNL_SUBSYS_QUEUE,
	.cb_count	= NFQNL_MSG_MAX,
	.cb		= nlmq_nfnl_cb,
};

#ifdef NLMMAP_KUNIT
/* The KUnit suite of this file tests its request handlers. */
#include "../../tests/kunit/queue_nfnl_kunit.c"
#endif
