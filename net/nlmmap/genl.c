// SPDX-License-Identifier: GPL-2.0
/*
 * The "nlmmap" generic netlink family.
 */
#include <net/genetlink.h>

#include "nlmmap_int.h"

static struct genl_family nlmmap_family;

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

static int nlmmap_cmd_get(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nlmmap_family, 0, NLMMAP_CMD_GET);
	if (!hdr)
		goto nospace;
	if (nla_put_u32(msg, NLMMAP_A_VERSION, NLMMAP_GENL_VERSION) ||
	    nlmmap_put_counters(msg, NLMMAP_A_STATS, &nlmmap_global,
				NLMMAP_S_RINGS, NLMMAP_S_MAX))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct nla_policy nlmmap_policy[NLMMAP_A_MAX + 1] = {
	[NLMMAP_A_COUNT]	= { .type = NLA_U32 },
	[NLMMAP_A_SIZE]		= { .type = NLA_U32 },
	[NLMMAP_A_PAYLOAD]	= { .type = NLA_BINARY },
};

static const struct genl_ops nlmmap_ops[] = {
	{
		.cmd	= NLMMAP_CMD_GET,
		.doit	= nlmmap_cmd_get,
	},
};

static struct genl_family nlmmap_family __ro_after_init = {
	.name		= NLMMAP_GENL_NAME,
	.version	= NLMMAP_GENL_VERSION,
	.maxattr	= NLMMAP_A_MAX,
	.policy		= nlmmap_policy,
	.netnsok	= true,
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
