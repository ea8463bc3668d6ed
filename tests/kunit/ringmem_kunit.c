// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ring memory (ringmem.c): every frame of a ring is fenced in (a
 * ring skb's shinfo pointer stays inside the ring's kernel mapping, the
 * last frame's in the guard page), and the publication check refuses a
 * ring skb that is shared, cloned or non-linear. Included at the end of
 * net/nlmmap/ringmem.c when the module is built with KUnit.
 */
#include <kunit/test.h>
#include <linux/skbuff.h>
#include <linux/vmalloc.h>

static void ring_of(struct kunit *test, struct nlmmap_ring *ring,
		    u32 block, u32 blocks, u32 frame)
{
	struct nl_mmap_req req = { block, blocks, frame,
				   block / frame * blocks };
	struct nlmmap_geom g;

	KUNIT_ASSERT_EQ(test, nlmmap_geom_check(&req, &g), 0);
	KUNIT_ASSERT_EQ(test, nlmmap_ring_alloc(ring, &g), 0);
}

static void every_frame_is_fenced(struct kunit *test)
{
	static const u32 shapes[][3] = {
		{ PAGE_SIZE, 4, PAGE_SIZE / 8 },	/* blocks full */
		{ PAGE_SIZE, 3, PAGE_SIZE },		/* one per block */
		{ PAGE_SIZE, 2, 1000 },			/* leftover bytes */
		{ 4 * PAGE_SIZE, 2, 4 * PAGE_SIZE },	/* big frames */
	};
	struct nlmmap_ring ring;
	unsigned int i;
	u32 f;

	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		ring_of(test, &ring, shapes[i][0], shapes[i][1], shapes[i][2]);
		for (f = 0; f < ring.geom.frame_nr; f++)
			KUNIT_EXPECT_TRUE_MSG(test,
					      nlmmap_frame_fenced(&ring, f),
					      "shape %u frame %u", i, f);
		/* What lies past the ring is the ring's own guard page,
		 * mapped for the kernel only (not one of the mmap()ed ones).
		 */
		KUNIT_EXPECT_PTR_EQ(test,
				    vmalloc_to_page(ring.base + ring.geom.size),
				    ring.pages[ring.nr_pages]);
		nlmmap_ring_free(&ring);
	}
}

static void publication_check(struct kunit *test)
{
	struct nlmmap_skb_cb *cb;
	struct nlmmap_ring ring;
	struct sk_buff *skb;
	u32 last;

	ring_of(test, &ring, PAGE_SIZE, 2, PAGE_SIZE / 4);
	last = ring.geom.frame_nr - 1;
	skb = alloc_skb(0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	/* A ring skb of the last frame, made as rx.c makes it; its own
	 * head is kept to be put back before it is freed.
	 */
	cb = NLMMAP_SKB_CB(skb);
	cb->hdr = nlmmap_frame(&ring, last);
	cb->head = skb->head;
	cb->end = skb_end_offset(skb);
	skb->head = (unsigned char *)cb->hdr + NLMMAP_HDRLEN;
	skb->data = skb->head;
	skb_reset_tail_pointer(skb);
	skb_set_end_offset(skb, nlmmap_frame_capacity(&ring));
	skb_put(skb, 100);
	KUNIT_EXPECT_TRUE(test, nlmmap_ring_skb_sane(skb, &ring));

	refcount_inc(&skb->users);
	KUNIT_EXPECT_FALSE(test, nlmmap_ring_skb_sane(skb, &ring));
	refcount_dec(&skb->users);
	skb->cloned = 1;
	KUNIT_EXPECT_FALSE(test, nlmmap_ring_skb_sane(skb, &ring));
	skb->cloned = 0;
	skb->data_len = 1;
	KUNIT_EXPECT_FALSE(test, nlmmap_ring_skb_sane(skb, &ring));
	skb->data_len = 0;
	skb->data += 1;
	KUNIT_EXPECT_FALSE(test, nlmmap_ring_skb_sane(skb, &ring));
	skb->data -= 1;
	KUNIT_EXPECT_TRUE(test, nlmmap_ring_skb_sane(skb, &ring));

	/* Back to its own head, then freed as usual. */
	skb->head = cb->head;
	skb->data = cb->head;
	skb->len = 0;
	skb_reset_tail_pointer(skb);
	skb_set_end_offset(skb, cb->end);
	kfree_skb(skb);
	nlmmap_ring_free(&ring);
}

static struct kunit_case ringmem_cases[] = {
	KUNIT_CASE(every_frame_is_fenced),
	KUNIT_CASE(publication_check),
	{}
};

static struct kunit_suite ringmem_suite = {
	.name = "nlmmap_ringmem",
	.test_cases = ringmem_cases,
};

kunit_test_suites(&ringmem_suite);
