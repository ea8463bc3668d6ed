// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: a queue bound through nfnetlink_queue's protocol belongs to the
 * socket that bound it, not to its port id (queue_nfnl.c): another socket
 * with that port id (it took it after the binder's release, before the
 * release's NETLINK_URELEASE) can neither decide nor unbind the queue,
 * and the release ends only the released socket's queues. The requests
 * go through the subsystem's own handlers, as nfnetlink calls them.
 * Included at the end of net/nlmmap/queue_nfnl.c when the module is
 * built with KUnit.
 */
#include <kunit/test.h>

#define QN_PORTID	0xfffffff1u	/* never autobound, never ours */
#define QN_QUEUE	65533

struct qn_attr {
	struct nlattr nla;
	union {
		struct nfqnl_msg_config_cmd cmd;
		struct nfqnl_msg_verdict_hdr vh;
	} u;
};

/* @call as nfnetlink runs it for a request @sk sent about @queue: under
 * rcu_read_lock() for an NFNL_CB_RCU one (@rcu), else where it may sleep.
 */
static int qn_call(struct kunit *test,
		   int (*call)(struct sk_buff *, const struct nfnl_info *,
			       const struct nlattr * const []),
		   struct sock *sk, u16 queue, int type, const void *data,
		   int len, int maxattr, bool rcu)
{
	struct nfgenmsg nfmsg = { .res_id = htons(queue) };
	struct nfnl_info info = { .net = &init_net, .nfmsg = &nfmsg };
	const struct nlattr *nfqa[NFQA_MAX + 1] = {};
	struct sk_buff *skb = alloc_skb(0, GFP_KERNEL);
	struct qn_attr a;
	int err;

	BUILD_BUG_ON(NFQA_CFG_MAX > NFQA_MAX);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_LE(test, type, maxattr);
	a.nla.nla_type = type;
	a.nla.nla_len = nla_attr_size(len);
	memcpy(&a.u, data, len);
	nfqa[type] = &a.nla;
	NETLINK_CB(skb).sk = sk;
	NETLINK_CB(skb).portid = QN_PORTID;
	if (rcu)
		rcu_read_lock();
	err = call(skb, &info, nfqa);
	if (rcu)
		rcu_read_unlock();
	kfree_skb(skb);
	return err;
}

static int qn_cfg(struct kunit *test, struct sock *sk, u16 queue, u8 command)
{
	struct nfqnl_msg_config_cmd cmd = { .command = command };

	return qn_call(test, nlmq_nfnl_config, sk, queue, NFQA_CFG_CMD, &cmd,
		       sizeof(cmd), NFQA_CFG_MAX, false);
}

static int qn_accept_all(struct kunit *test, struct sock *sk, u16 queue)
{
	struct nfqnl_msg_verdict_hdr vh = {
		.verdict = htonl(NF_ACCEPT),
		.id = htonl(0x7fffffff),
	};

	return qn_call(test, nlmq_nfnl_verdict_batch, sk, queue,
		       NFQA_VERDICT_HDR, &vh, sizeof(vh), NFQA_MAX, true);
}

static bool qn_bound(u16 queue)
{
	bool bound;

	rcu_read_lock();
	bound = nlmq_by_queue_rcu(&init_net, queue);
	rcu_read_unlock();
	return bound;
}

static void qn_release(void)
{
	struct netlink_notify n = {
		.net = &init_net,
		.portid = QN_PORTID,
		.protocol = NETLINK_NETFILTER,
	};

	nlmq_kunit_release(&n);
}

static struct sock *qn_sock(struct kunit *test)
{
	struct sock *sk = kunit_kzalloc(test, sizeof(*sk), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sk);
	return sk;
}

static void nfqueue_belongs_to_its_socket(struct kunit *test)
{
	struct sock *binder = qn_sock(test), *other = qn_sock(test);

	KUNIT_ASSERT_EQ(test, qn_cfg(test, binder, QN_QUEUE,
				     NFQNL_CFG_CMD_BIND), 0);
	KUNIT_EXPECT_EQ(test, qn_accept_all(test, other, QN_QUEUE), -EPERM);
	KUNIT_EXPECT_EQ(test, qn_accept_all(test, binder, QN_QUEUE), -ENOENT);
	KUNIT_EXPECT_EQ(test, qn_cfg(test, other, QN_QUEUE,
				     NFQNL_CFG_CMD_UNBIND), -EPERM);
	KUNIT_EXPECT_TRUE(test, qn_bound(QN_QUEUE));
	/* Released, not yet seen; the new holder of the port id binds. */
	sock_set_flag(binder, SOCK_DEAD);
	KUNIT_EXPECT_EQ(test, qn_cfg(test, other, QN_QUEUE + 1,
				     NFQNL_CFG_CMD_BIND), 0);
	qn_release();
	KUNIT_EXPECT_FALSE(test, qn_bound(QN_QUEUE));
	KUNIT_EXPECT_TRUE(test, qn_bound(QN_QUEUE + 1));
	KUNIT_EXPECT_EQ(test, qn_cfg(test, other, QN_QUEUE + 1,
				     NFQNL_CFG_CMD_UNBIND), 0);
	KUNIT_EXPECT_FALSE(test, qn_bound(QN_QUEUE + 1));
}

static struct kunit_case queue_nfnl_cases[] = {
	KUNIT_CASE(nfqueue_belongs_to_its_socket),
	{}
};

/* Before the module's init: the namespace tables, for the suite alone. */
static int qn_suite_init(struct kunit_suite *suite)
{
	return nlmq_kunit_pernet_init();
}

static void qn_suite_exit(struct kunit_suite *suite)
{
	nlmq_kunit_pernet_exit();
}

static struct kunit_suite queue_nfnl_suite = {
	.suite_init = qn_suite_init,
	.suite_exit = qn_suite_exit,
	.name = "nlmmap_queue_nfnl_owner",
	.test_cases = queue_nfnl_cases,
};

kunit_test_suites(&queue_nfnl_suite);
