// SPDX-License-Identifier: GPL-2.0
/*
 * The relay's requests outside the family's own commands.
 *
 * NLMMAP_IOC_SUBSCRIBE on the ring file subscribes the ring's bound
 * socket to a group, like NLMMAP_CMD_SUBSCRIBE, and is the only way to
 * generic netlink groups: every request of a generic netlink family runs
 * under the generic netlink core's cb_lock, and joining a generic netlink
 * group takes that lock again, a recursive read that deadlocks behind a
 * waiting writer. The ioctl holds no lock of anybody's. It also resolves
 * a generic netlink group by family and group name, asking the generic
 * netlink controller as any program would (CTRL_CMD_GETFAMILY), from a
 * kernel socket in the subscriber's namespace.
 *
 * Credentials are judged in the namespace of the ring's socket: the
 * caller's, the ring file's opener's and the socket's opener's must each
 * allow the join, so the holder of a ring file subscribes only to what it
 * may join itself, and only to what the ring's openers may join.
 * NLMMAP_CMD_SUB_GET dumps the subscriptions with their counters.
 */
#include <linux/genetlink.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "nlmmap_int.h"

/* The controller's answer is one message; a family with every op and
 * group described stays far below this.
 */
#define NLMMAP_CTRL_REPLY_MAX	(64 * 1024)

/* Find group @name in a CTRL_CMD_NEWFAMILY reply. */
static int nlmmap_ctrl_find_group(const struct nlmsghdr *nlh, size_t len,
				  const char *name, u32 *group)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1], *gtb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	struct nlattr *grp;
	int rem, err;

	if (len < NLMSG_HDRLEN || nlh->nlmsg_len > len)
		return -EPROTO;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = nlmsg_data(nlh);

		if (nlmsg_len(nlh) < (int)sizeof(*e))
			return -EPROTO;
		/* An unknown family, or not in this namespace. */
		return e->error ?: -ENOENT;
	}
	if (nlmsg_len(nlh) < GENL_HDRLEN)
		return -EPROTO;
	err = nla_parse_deprecated(tb, CTRL_ATTR_MAX,
				   nlmsg_data(nlh) + GENL_HDRLEN,
				   nlmsg_len(nlh) - GENL_HDRLEN, NULL, NULL);
	if (err)
		return err;
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return -ENOENT;
	nla_for_each_nested(grp, tb[CTRL_ATTR_MCAST_GROUPS], rem) {
		if (nla_parse_nested_deprecated(gtb, CTRL_ATTR_MCAST_GRP_MAX,
						grp, NULL, NULL))
			continue;
		if (!gtb[CTRL_ATTR_MCAST_GRP_NAME] ||
		    !gtb[CTRL_ATTR_MCAST_GRP_ID] ||
		    nla_len(gtb[CTRL_ATTR_MCAST_GRP_ID]) < (int)sizeof(u32))
			continue;
		if (!nla_strcmp(gtb[CTRL_ATTR_MCAST_GRP_NAME], name)) {
			*group = nla_get_u32(gtb[CTRL_ATTR_MCAST_GRP_ID]);
			return 0;
		}
	}
	return -ENOENT;
}

/* The number of multicast group @name of generic netlink @family in @net. */
static int nlmmap_genl_group(struct net *net, const char *family,
			     const char *name, u32 *group)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr n;
		struct genlmsghdr g;
		struct nlattr a;
		char name[NLMMAP_SUB_NAMSIZ];
	} req = {};
	struct msghdr msg = {};
	struct socket *sock;
	struct kvec iov;
	void *buf;
	int len, err;

	req.a.nla_type = CTRL_ATTR_FAMILY_NAME;
	req.a.nla_len = nla_attr_size(strlen(family) + 1);
	strscpy(req.name, family, sizeof(req.name));
	req.n.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + NLA_ALIGN(req.a.nla_len);
	req.n.nlmsg_type = GENL_ID_CTRL;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 2;

	err = sock_create_kern(net, AF_NETLINK, SOCK_RAW, NETLINK_GENERIC,
			       &sock);
	if (err)
		return err;
	buf = kvmalloc(NLMMAP_CTRL_REPLY_MAX, GFP_KERNEL);
	err = -ENOMEM;
	if (!buf)
		goto out;
	msg.msg_name = &kernel;
	msg.msg_namelen = sizeof(kernel);
	iov.iov_base = &req;
	iov.iov_len = req.n.nlmsg_len;
	len = kernel_sendmsg(sock, &msg, &iov, 1, iov.iov_len);
	err = len < 0 ? len : 0;
	if (err)
		goto out;
	/* The reply is queued by the time sendmsg() returns. */
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = NLMMAP_CTRL_REPLY_MAX;
	len = kernel_recvmsg(sock, &msg, &iov, 1, iov.iov_len, MSG_DONTWAIT);
	err = len < 0 ? len : -EPROTO;
	if (len > 0 && !(msg.msg_flags & MSG_TRUNC))
		err = nlmmap_ctrl_find_group(buf, len, name, group);
out:
	kvfree(buf);
	sock_release(sock);
	return err;
}

/* Copy in (@usize bytes, checked by the caller) and check a struct
 * nlmmap_subscription; resolve names.
 */
static int nlmmap_sub_req_get(struct nlmmap_subscription *req,
			      void __user *uarg, u32 usize, struct net *net,
			      bool names)
{
	int err;

	err = copy_struct_from_user(req, sizeof(*req), uarg, usize);
	if (err)
		return err;
	if (req->flags)
		return -EINVAL;
	/* Read once, and made strings here. */
	req->family[sizeof(req->family) - 1] = '\0';
	req->name[sizeof(req->name) - 1] = '\0';
	if (!req->family[0]) {
		req->name[0] = '\0';
		return 0;
	}
	if (!names || req->group || !req->name[0] ||
	    req->protocol != NETLINK_GENERIC)
		return -EINVAL;
	return nlmmap_genl_group(net, req->family, req->name, &req->group);
}

/**
 * nlmmap_relay_ioctl() - NLMMAP_IOC_SUBSCRIBE and NLMMAP_IOC_UNSUBSCRIBE
 * @ctx: the ring file's context
 * @cmd: the ioctl
 * @uarg: its struct nlmmap_subscription
 * @usize: the size of *@uarg, NLMMAP_SUBSCRIPTION_SIZE_V1 to PAGE_SIZE
 *
 * Context: process context, no lock held.
 * Return: 0 or a negative error as nlmmap_relay_subscribe(); -ENOENT for
 * an unknown family or group name; -ENOTCONN when the ring is not bound.
 */
long nlmmap_relay_ioctl(struct nlmmap_ctx *ctx, unsigned int cmd,
			void __user *uarg, u32 usize)
{
	struct nlmmap_subscription req;
	struct sock *sk = NULL;
	long err;

	/* The bound socket, held: its namespace is the subscriber's. */
	err = mutex_lock_killable(&ctx->lock);
	if (err)
		return err;
	if (ctx->state == NLMMAP_BOUND) {
		sk = ctx->sk;
		sock_hold(sk);
	}
	mutex_unlock(&ctx->lock);
	if (!sk)
		return -ENOTCONN;

	err = nlmmap_sub_req_get(&req, uarg, usize, sock_net(sk),
				 cmd == NLMMAP_IOC_SUBSCRIBE);
	if (err)
		goto out;
	if (cmd == NLMMAP_IOC_SUBSCRIBE) {
		err = nlmmap_relay_subscribe(ctx, sk, &req);
		if (!err && req.family[0] &&
		    put_user(req.group,
			     &((struct nlmmap_subscription __user *)uarg)->group))
			err = -EFAULT;	/* subscribed all the same */
		goto out;
	}
	err = mutex_lock_killable(&ctx->lock);
	if (err)
		goto out;
	err = ctx->state != NLMMAP_BOUND || ctx->sk != sk ? -ENOTCONN :
	      nlmmap_relay_unsubscribe(ctx, req.protocol, req.group);
	mutex_unlock(&ctx->lock);
out:
	sock_put(sk);
	return err;
}

/* A SUB_GET dump's place and its viewer, in cb->ctx. */
struct nlmmap_sub_dump {
	struct nlmmap_dump_req dr;	/* viewer and all, for the rings */
	u64 ring;			/* position among the rings */
	u32 skip;			/* subscriptions of that ring sent */
};

/**
 * nlmmap_relay_dump_start() - begin a NLMMAP_CMD_SUB_GET dump
 * @cb: the dump
 *
 * The rings shown are decided here, in the requester's sendmsg(): its
 * own, or every ring of the namespace with CAP_NET_ADMIN there.
 *
 * Return: 0.
 */
int nlmmap_relay_dump_start(struct netlink_callback *cb)
{
	struct nlmmap_sub_dump *d = (void *)cb->ctx;

	BUILD_BUG_ON(sizeof(*d) > sizeof(cb->ctx));
	memset(d, 0, sizeof(*d));
	d->dr.all = netlink_net_capable(cb->skb, CAP_NET_ADMIN);
	d->dr.viewer = NETLINK_CB(cb->skb).sk->sk_uid;
	return 0;
}

/**
 * nlmmap_relay_dumpit() - continue a NLMMAP_CMD_SUB_GET dump
 * @skb: the dump skb to fill
 * @cb: the dump
 *
 * Return: skb->len while there is more, 0 at the end.
 */
int nlmmap_relay_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlmmap_sub_dump *d = (void *)cb->ctx;
	struct net *net = sock_net(cb->skb->sk);
	struct nlmmap_ctx *ctx;
	int err = 0;

	rcu_read_lock();
	while ((ctx = nlmmap_table_nth(net, d->ring, &d->dr))) {
		err = nlmmap_relay_dump_ring(skb, cb, ctx, &d->skip);
		if (err)
			break;
		d->ring++;
		d->skip = 0;
	}
	rcu_read_unlock();
	if (err && !skb->len)
		return err;	/* one subscription larger than the skb */
	return err ? skb->len : 0;
}
