// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: a queue belongs to the socket that bound it, not to its port id
 * (queue_main.c). netlink frees a released socket's port id before its
 * NETLINK_URELEASE ends the queue: a socket that takes the port id
 * meanwhile must neither decide, unbind, nor list that queue, nor be
 * refused a queue of its own, and the release must end only the
 * released socket's queue. The requests go through the family's own
 * handlers, as generic netlink calls them, from two sockets with one
 * port id. Included at the end of net/nlmmap/queue_main.c when the
 * module is built with KUnit.
 */
#include <kunit/test.h>

#define QK_PORTID	0xfffffff0u	/* never autobound, never ours */
#define QK_QUEUE	65531

struct qk_attr {
	struct nlattr nla;
	union {
		u32 u32;
		struct nfqnl_msg_verdict_hdr vh;
	} u;
};

static struct nlattr *qk_attr(struct qk_attr *a, u16 type, const void *data,
			      int len)
{
	a->nla.nla_type = type;
	a->nla.nla_len = nla_attr_size(len);
	memcpy(&a->u, data, len);
	return &a->nla;
}

/* @doit as generic netlink runs it for a request @sk sent. */
static int qk_call(struct kunit *test,
		   int (*doit)(struct sk_buff *, struct genl_info *),
		   struct sock *sk, u8 cmd, struct nlattr **attrs)
{
	struct genlmsghdr gh = { .cmd = cmd };
	struct genl_info info = {
		.snd_portid = QK_PORTID,
		.genlhdr = &gh,
		.attrs = attrs,
	};
	struct sk_buff *skb = alloc_skb(0, GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	NETLINK_CB(skb).sk = sk;
	NETLINK_CB(skb).portid = QK_PORTID;
	genl_info_net_set(&info, &init_net);
	err = doit(skb, &info);
	kfree_skb(skb);
	return err;
}

static int qk_bind(struct kunit *test, struct sock *sk, u32 queue)
{
	struct nlattr *attrs[NLMQ_A_MAX + 1] = {};
	struct qk_attr a;

	attrs[NLMQ_A_QUEUE] = qk_attr(&a, NLMQ_A_QUEUE, &queue, sizeof(queue));
	return qk_call(test, nlmq_genl_bind, sk, NLMQ_CMD_BIND, attrs);
}

static int qk_unbind(struct kunit *test, struct sock *sk)
{
	struct nlattr *attrs[NLMQ_A_MAX + 1] = {};

	return qk_call(test, nlmq_genl_unbind, sk, NLMQ_CMD_UNBIND, attrs);
}

/* VERDICT_BATCH NF_ACCEPT up to any id there is. */
static int qk_accept_all(struct kunit *test, struct sock *sk)
{
	struct nfqnl_msg_verdict_hdr vh = {
		.verdict = htonl(NF_ACCEPT),
		.id = htonl(0x7fffffff),
	};
	struct nlattr *attrs[NFQA_MAX + 1] = {};
	struct qk_attr a;

	attrs[NFQA_VERDICT_HDR] = qk_attr(&a, NFQA_VERDICT_HDR, &vh,
					  sizeof(vh));
	return qk_call(test, nlmq_genl_verdict, sk, NLMQ_CMD_VERDICT_BATCH,
		       attrs);
}

static u64 qk_stat(u16 queue, int stat)
{
	struct nlmq_inst *q;
	u64 n = U64_MAX;

	rcu_read_lock();
	q = nlmq_by_queue_rcu(&init_net, queue);
	if (q)
		n = atomic64_read(&q->stats[stat]);
	rcu_read_unlock();
	return n;
}

static bool qk_bound(u16 queue)
{
	return qk_stat(queue, NLMQ_S_QUEUED) != U64_MAX;
}

/* NETLINK_URELEASE for QK_PORTID, as netlink_release() sends it. */
static void qk_release(int protocol)
{
	struct netlink_notify n = {
		.net = &init_net,
		.portid = QK_PORTID,
		.protocol = protocol,
	};

	nlmq_netlink_event(NULL, NETLINK_URELEASE, &n);
}

static struct sock *qk_sock(struct kunit *test)
{
	struct sock *sk = kunit_kzalloc(test, sizeof(*sk), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sk);
	return sk;
}

/* The binder's port id, on another socket: it reaches nothing. */
static void another_socket_with_the_port_id(struct kunit *test)
{
	struct sock *binder = qk_sock(test), *other = qk_sock(test);

	KUNIT_ASSERT_EQ(test, qk_bind(test, binder, QK_QUEUE), 0);
	KUNIT_EXPECT_EQ(test, qk_accept_all(test, other), -ENOTCONN);
	/* The binder reaches its queue (nothing held: ENOENT, counted). */
	KUNIT_EXPECT_EQ(test, qk_accept_all(test, binder), -ENOENT);
	KUNIT_EXPECT_EQ(test, qk_stat(QK_QUEUE, NLMQ_S_BAD_VERDICTS), 1);
	KUNIT_EXPECT_EQ(test, qk_unbind(test, other), -ENOENT);
	KUNIT_EXPECT_TRUE(test, qk_bound(QK_QUEUE));
	/* Nor can it bind the binder's number. */
	KUNIT_EXPECT_EQ(test, qk_bind(test, other, QK_QUEUE), -EBUSY);
	KUNIT_EXPECT_EQ(test, qk_unbind(test, binder), 0);
	KUNIT_EXPECT_FALSE(test, qk_bound(QK_QUEUE));
}

/* The binder released, its release not yet seen; a new socket holds its
 * port id: that socket binds a queue of its own, and the release ends
 * only the released socket's.
 */
static void a_release_ends_only_the_released_sockets_queue(struct kunit *test)
{
	struct sock *dead = qk_sock(test), *fresh = qk_sock(test);

	KUNIT_ASSERT_EQ(test, qk_bind(test, dead, QK_QUEUE), 0);
	sock_set_flag(dead, SOCK_DEAD);
	KUNIT_EXPECT_EQ(test, qk_accept_all(test, dead), -ENOTCONN);
	KUNIT_EXPECT_EQ(test, qk_bind(test, fresh, QK_QUEUE + 1), 0);
	KUNIT_EXPECT_EQ(test, qk_accept_all(test, fresh), -ENOENT);
	KUNIT_EXPECT_EQ(test, qk_stat(QK_QUEUE + 1, NLMQ_S_BAD_VERDICTS), 1);
	KUNIT_EXPECT_EQ(test, qk_stat(QK_QUEUE, NLMQ_S_BAD_VERDICTS), 0);
	qk_release(NETLINK_GENERIC);
	KUNIT_EXPECT_FALSE(test, qk_bound(QK_QUEUE));
	KUNIT_EXPECT_TRUE(test, qk_bound(QK_QUEUE + 1));
	KUNIT_EXPECT_EQ(test, qk_unbind(test, fresh), 0);
	KUNIT_EXPECT_FALSE(test, qk_bound(QK_QUEUE + 1));
}

/* A held-packet listing of "its own queue", asked for in a TX frame. */
static void a_listing_needs_the_binding_socket(struct kunit *test)
{
	struct sock *binder = qk_sock(test), *other = qk_sock(test);
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr gh;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_flags = NLM_F_DUMP },
		.gh = { .cmd = NLMQ_CMD_ENTRY_GET },
	};
	const struct nlmmap_dump_ops *ops;
	unsigned long args[2];

	KUNIT_ASSERT_EQ(test, qk_bind(test, binder, QK_QUEUE), 0);
	ops = nlmq_entries_tx_dump(&init_net, QK_PORTID, other, &req.nlh,
				   args);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ops), -ENOENT);
	ops = nlmq_entries_tx_dump(&init_net, QK_PORTID, binder, &req.nlh,
				   args);
	KUNIT_EXPECT_FALSE(test, IS_ERR(ops));
	KUNIT_EXPECT_EQ(test, args[0], QK_QUEUE);
	sock_set_flag(binder, SOCK_DEAD);	/* its ring outlives it */
	ops = nlmq_entries_tx_dump(&init_net, QK_PORTID, binder, &req.nlh,
				   args);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(ops), -ENOENT);
	qk_release(NETLINK_GENERIC);
	KUNIT_EXPECT_FALSE(test, qk_bound(QK_QUEUE));
}

static struct kunit_case queue_owner_cases[] = {
	KUNIT_CASE(another_socket_with_the_port_id),
	KUNIT_CASE(a_release_ends_only_the_released_sockets_queue),
	KUNIT_CASE(a_listing_needs_the_binding_socket),
	{}
};

/* Before the module's init: the namespace tables, for the suite alone. */
static int qk_suite_init(struct kunit_suite *suite)
{
	return nlmq_kunit_pernet_init();
}

static void qk_suite_exit(struct kunit_suite *suite)
{
	nlmq_kunit_pernet_exit();
}

static struct kunit_suite queue_owner_suite = {
	.suite_init = qk_suite_init,
	.suite_exit = qk_suite_exit,
	.name = "nlmmap_queue_owner",
	.test_cases = queue_owner_cases,
};

kunit_test_suites(&queue_owner_suite);
