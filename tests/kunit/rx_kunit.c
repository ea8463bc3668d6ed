// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the RX producer API (rx.c). A ring skb is delivered only to the
 * socket whose ring holds its frame; sent anywhere else it becomes a hole
 * in its own ring, counted as dropped. Included at the end of
 * net/nlmmap/rx.c when the module is built with KUnit.
 */
#include <kunit/test.h>

#define RX_KUNIT_PORTID	0x7ffffff0	/* the test's ring "is bound" here */

/* A context with an open RX ring of four frames, bound to nothing. */
static struct nlmmap_ctx *rx_kunit_ctx(struct kunit *test)
{
	struct nl_mmap_req req = { PAGE_SIZE, 1, PAGE_SIZE / 4, 4 };
	struct nlmmap_ctx *ctx;
	struct nlmmap_geom g;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, nlmmap_geom_check(&req, &g), 0);
	KUNIT_ASSERT_EQ(test, nlmmap_ring_alloc(&ctx->rx, &g), 0);
	nlmmap_ring_reset(&ctx->rx, NULL);
	spin_lock_init(&ctx->rx_lock);
	init_waitqueue_head(&ctx->wq);
	init_waitqueue_head(&ctx->inflight_wq);
	write_pnet(&ctx->net, &init_net);
	ctx->portid = RX_KUNIT_PORTID;
	ctx->rx_open = true;
	return ctx;
}

static void rx_kunit_ctx_free(struct nlmmap_ctx *ctx)
{
	kfree_skb(nlmmap_skb_take(ctx));
	nlmmap_ring_free(&ctx->rx);
}

/* A ring skb holding a 32-byte message, in a frame of @ctx's ring. */
static struct sk_buff *rx_kunit_skb(struct kunit *test,
				    struct nlmmap_ctx *ctx,
				    struct nl_mmap_hdr **hdr)
{
	struct sk_buff *skb = alloc_skb(0, GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	*hdr = nlmmap_rx_reserve(ctx, 32, &err);
	KUNIT_ASSERT_NOT_NULL(test, *hdr);
	skb = nlmmap_rx_ring_skb(ctx, *hdr, skb, NULL);
	memset(skb_put(skb, 32), 0xa5, 32);
	return skb;
}

static void unicast_delivers_to_its_ring(struct kunit *test)
{
	struct nlmmap_ctx *ctx = rx_kunit_ctx(test);
	struct nl_mmap_hdr *hdr;
	struct sk_buff *skb = rx_kunit_skb(test, ctx, &hdr);

	KUNIT_EXPECT_EQ(test, nlmmap_unicast(&init_net, skb, RX_KUNIT_PORTID),
			0);
	KUNIT_EXPECT_EQ(test, hdr->nm_status, (u32)NLMMAP_STATUS_VALID);
	KUNIT_EXPECT_EQ(test, hdr->nm_len, 32u);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->stats.v[NLMMAP_S_DELIVERED]),
			1LL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->inflight), 0);
	rx_kunit_ctx_free(ctx);
}

static void unicast_refuses_another_port(struct kunit *test)
{
	struct nlmmap_ctx *ctx = rx_kunit_ctx(test);
	struct nl_mmap_hdr *hdr;
	struct sk_buff *skb = rx_kunit_skb(test, ctx, &hdr);

	KUNIT_EXPECT_EQ(test,
			nlmmap_unicast(&init_net, skb, RX_KUNIT_PORTID + 1),
			-EINVAL);
	/* A hole in its own ring: the reader passes it, nothing is read. */
	KUNIT_EXPECT_EQ(test, hdr->nm_status, (u32)NLMMAP_STATUS_VALID);
	KUNIT_EXPECT_EQ(test, hdr->nm_len, 0u);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->stats.v[NLMMAP_S_DROPPED]),
			1LL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->stats.v[NLMMAP_S_DELIVERED]),
			0LL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->inflight), 0);
	rx_kunit_ctx_free(ctx);
}

static void unicast_refuses_another_net(struct kunit *test)
{
	struct nlmmap_ctx *ctx = rx_kunit_ctx(test);
	struct nl_mmap_hdr *hdr;
	struct sk_buff *skb = rx_kunit_skb(test, ctx, &hdr);
	/* Only compared, never dereferenced: the refusal comes first. */
	struct net *other = (struct net *)kunit_kzalloc(test, 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, other);
	if (!IS_ENABLED(CONFIG_NET_NS)) {
		nlmmap_free_skb(skb);
		rx_kunit_ctx_free(ctx);
		kunit_skip(test, "one network namespace: nothing to tell apart");
	}
	KUNIT_EXPECT_EQ(test, nlmmap_unicast(other, skb, RX_KUNIT_PORTID),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hdr->nm_len, 0u);
	KUNIT_EXPECT_EQ(test, atomic64_read(&ctx->stats.v[NLMMAP_S_DROPPED]),
			1LL);
	KUNIT_EXPECT_EQ(test, atomic_read(&ctx->inflight), 0);
	rx_kunit_ctx_free(ctx);
}

static struct kunit_case rx_cases[] = {
	KUNIT_CASE(unicast_delivers_to_its_ring),
	KUNIT_CASE(unicast_refuses_another_port),
	KUNIT_CASE(unicast_refuses_another_net),
	{}
};

static struct kunit_suite rx_suite = {
	.name = "nlmmap_rx",
	.test_cases = rx_cases,
};

kunit_test_suites(&rx_suite);
