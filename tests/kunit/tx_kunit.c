// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: another family's TX request (tx.c) is handed over as a kernel
 * copy, never as the frame: a handler that rewrites the frame while it
 * runs (a concurrent writer) sees its own bytes unchanged. Included at the
 * end of net/nlmmap/tx.c when the module is built with KUnit.
 */
#include <kunit/test.h>

#define TX_KUNIT_FAMILY	0xfffe	/* no generic netlink family has it */

static struct {
	const struct nl_mmap_hdr *frame;	/* the request's frame */
	u32 frame_size;
	int calls;
	bool in_ring;				/* @nlh pointed into it */
	bool stable;				/* @nlh unchanged by the writer */
} tx_kunit;

static int tx_kunit_msg(struct net *net, u32 portid, struct sock *sk,
			const struct nlmsghdr *nlh)
{
	const struct nlattr *nla = nlmsg_data(nlh) + GENL_HDRLEN;
	unsigned long p = (unsigned long)nlh;
	unsigned long f = (unsigned long)tx_kunit.frame;
	struct nlmsghdr *w = (void *)tx_kunit.frame + NLMMAP_HDRLEN;
	u32 len = nlh->nlmsg_len;
	u16 nla_len = nla->nla_len;

	tx_kunit.calls++;
	tx_kunit.in_ring = p >= f && p < f + tx_kunit.frame_size;
	/* The writer: every length of the frame made as large as it gets. */
	WRITE_ONCE(w->nlmsg_len, U32_MAX);
	WRITE_ONCE(((struct nlattr *)(nlmsg_data(w) + GENL_HDRLEN))->nla_len,
		   U16_MAX);
	tx_kunit.stable = READ_ONCE(nlh->nlmsg_len) == len &&
			  READ_ONCE(nla->nla_len) == nla_len;
	return 0;
}

static void tx_other_family_gets_a_copy(struct kunit *test)
{
	struct nlmmap_tx_family f = {
		.id = TX_KUNIT_FAMILY,
		.owner = THIS_MODULE,
		.msg = tx_kunit_msg,
	};
	struct nl_mmap_req req = { PAGE_SIZE, 1, PAGE_SIZE / 2, 2 };
	struct nlmmap_ctx *ctx;
	struct nlmsghdr *nlh;
	struct nlattr *nla;
	struct nlmmap_geom g;
	u32 len;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, nlmmap_geom_check(&req, &g), 0);
	KUNIT_ASSERT_EQ(test, nlmmap_ring_alloc(&ctx->tx, &g), 0);
	ctx->tx_buf = kunit_kzalloc(test, g.frame_size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->tx_buf);
	write_pnet(&ctx->net, &init_net);

	/* One request in frame 0: a header, a genl header, a u32. */
	memset(&tx_kunit, 0, sizeof(tx_kunit));
	tx_kunit.frame = nlmmap_frame(&ctx->tx, 0);
	tx_kunit.frame_size = g.frame_size;
	nlh = (void *)tx_kunit.frame + NLMMAP_HDRLEN;
	len = NLMSG_HDRLEN + GENL_HDRLEN + nla_total_size(sizeof(u32));
	nlh->nlmsg_len = len;
	nlh->nlmsg_type = TX_KUNIT_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nla = nlmsg_data(nlh) + GENL_HDRLEN;
	nla->nla_len = nla_attr_size(sizeof(u32));
	nla->nla_type = 1;

	nlmmap_tx_register(&f);
	nlmmap_tx_msg(ctx, nlh, len);
	nlmmap_tx_unregister(&f);
	nlmmap_ring_free(&ctx->tx);

	KUNIT_EXPECT_EQ(test, tx_kunit.calls, 1);
	KUNIT_EXPECT_FALSE_MSG(test, tx_kunit.in_ring,
			       "the handler was given the frame itself");
	KUNIT_EXPECT_TRUE_MSG(test, tx_kunit.stable,
			      "a write to the frame changed the request");
}

static struct kunit_case tx_cases[] = {
	KUNIT_CASE(tx_other_family_gets_a_copy),
	{}
};

static struct kunit_suite tx_suite = {
	.name = "nlmmap_tx",
	.test_cases = tx_cases,
};

kunit_test_suites(&tx_suite);
