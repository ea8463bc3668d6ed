// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the kernel side of the frame protocol (frame.c) and the
 * single-read attribute walker (attr.c).
 */
#include <kunit/test.h>
#include <linux/slab.h>

#include "frame.c"
#include "attr.c"

#define NFRAMES 8

static struct nlmmap_ring *test_ring(struct kunit *test)
{
	const struct nl_mmap_req req = { PAGE_SIZE, 1, PAGE_SIZE / NFRAMES,
					 NFRAMES };
	struct nlmmap_ring *ring;

	ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring);
	KUNIT_ASSERT_EQ(test, nlmmap_geom_check(&req, &ring->geom), 0);
	ring->base = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring->base);
	return ring;
}

static void set(struct nlmmap_ring *ring, u32 idx, u32 status)
{
	nlmmap_frame(ring, idx)->nm_status = status;
}

static void find_unused_takes_the_head(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);
	u32 idx = 99;

	ring->head = 3;
	KUNIT_EXPECT_EQ(test, nlmmap_frame_find_unused(ring, &idx), 0);
	KUNIT_EXPECT_EQ(test, idx, 3u);
}

static void find_unused_passes_held_frames(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);
	u32 idx = 99;

	ring->head = 6;
	set(ring, 6, NLMMAP_STATUS_SKIP);
	set(ring, 7, NLMMAP_STATUS_SKIP);
	KUNIT_EXPECT_EQ(test, nlmmap_frame_find_unused(ring, &idx), 0);
	KUNIT_EXPECT_EQ(test, idx, 0u);
}

static void find_unused_stops_at_owned_frames(struct kunit *test)
{
	static const u32 stoppers[] = { NLMMAP_STATUS_VALID,
					NLMMAP_STATUS_COPY,
					NLMMAP_STATUS_RESERVED, 5, 0xffffffff };
	struct nlmmap_ring *ring = test_ring(test);
	unsigned int i;
	u32 idx;

	for (i = 0; i < ARRAY_SIZE(stoppers); i++) {
		ring->head = 2;
		set(ring, 2, NLMMAP_STATUS_SKIP);
		set(ring, 3, stoppers[i]);
		KUNIT_EXPECT_EQ_MSG(test, nlmmap_frame_find_unused(ring, &idx),
				    -ENOBUFS, "status %u", stoppers[i]);
	}
}

static void find_unused_all_held_is_full(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);
	u32 i, idx;

	for (i = 0; i < NFRAMES; i++)
		set(ring, i, NLMMAP_STATUS_SKIP);
	KUNIT_EXPECT_EQ(test, nlmmap_frame_find_unused(ring, &idx), -ENOBUFS);
}

static void readable_looks_behind_the_head(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);

	ring->head = 0;
	KUNIT_EXPECT_FALSE(test, nlmmap_rx_readable(ring));
	set(ring, 7, NLMMAP_STATUS_VALID);
	KUNIT_EXPECT_TRUE(test, nlmmap_rx_readable(ring));
	set(ring, 7, NLMMAP_STATUS_UNUSED);

	/* 2 VALID, 3 being written, 4 held: readable. */
	ring->head = 5;
	set(ring, 2, NLMMAP_STATUS_COPY);
	set(ring, 3, NLMMAP_STATUS_RESERVED);
	set(ring, 4, NLMMAP_STATUS_SKIP);
	KUNIT_EXPECT_TRUE(test, nlmmap_rx_readable(ring));
	set(ring, 2, NLMMAP_STATUS_UNUSED);
	KUNIT_EXPECT_FALSE(test, nlmmap_rx_readable(ring));
}

static void idle_means_all_unused(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);

	KUNIT_EXPECT_TRUE(test, nlmmap_ring_idle(ring));
	set(ring, 5, NLMMAP_STATUS_SKIP);
	KUNIT_EXPECT_FALSE(test, nlmmap_ring_idle(ring));
}

static void free_run_counts_from_the_head(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);

	KUNIT_EXPECT_EQ(test, nlmmap_frame_free_run(ring, NFRAMES), NFRAMES);
	KUNIT_EXPECT_EQ(test, nlmmap_frame_free_run(ring, 3), 3u);
	ring->head = 6;
	set(ring, 7, NLMMAP_STATUS_SKIP);	/* passed, not counted */
	set(ring, 2, NLMMAP_STATUS_VALID);	/* the reader's: stop */
	KUNIT_EXPECT_EQ(test, nlmmap_frame_free_run(ring, NFRAMES), 3u);
	set(ring, 6, NLMMAP_STATUS_RESERVED);
	KUNIT_EXPECT_EQ(test, nlmmap_frame_free_run(ring, NFRAMES), 0u);
}

static void resume_threshold(struct kunit *test)
{
	/* Half (the default) of 64 frames. */
	KUNIT_EXPECT_FALSE(test, nlmmap_dump_should_resume(31, 64, 50));
	KUNIT_EXPECT_TRUE(test, nlmmap_dump_should_resume(32, 64, 50));
	/* Odd sizes round up. */
	KUNIT_EXPECT_FALSE(test, nlmmap_dump_should_resume(1, 3, 50));
	KUNIT_EXPECT_TRUE(test, nlmmap_dump_should_resume(2, 3, 50));
	/* Out-of-range shares are clamped to 1..100. */
	KUNIT_EXPECT_TRUE(test, nlmmap_dump_should_resume(1, 64, 0));
	KUNIT_EXPECT_FALSE(test, nlmmap_dump_should_resume(63, 64, 500));
	KUNIT_EXPECT_TRUE(test, nlmmap_dump_should_resume(64, 64, 500));
	/* No ring, no resume; huge rings do not overflow. */
	KUNIT_EXPECT_FALSE(test, nlmmap_dump_should_resume(0, 0, 50));
	KUNIT_EXPECT_TRUE(test, nlmmap_dump_should_resume(1U << 31, 1U << 31,
							  100));
}

static struct kunit_case frame_cases[] = {
	KUNIT_CASE(free_run_counts_from_the_head),
	KUNIT_CASE(resume_threshold),
	KUNIT_CASE(find_unused_takes_the_head),
	KUNIT_CASE(find_unused_passes_held_frames),
	KUNIT_CASE(find_unused_stops_at_owned_frames),
	KUNIT_CASE(find_unused_all_held_is_full),
	KUNIT_CASE(readable_looks_behind_the_head),
	KUNIT_CASE(idle_means_all_unused),
	{}
};

static struct kunit_suite frame_suite = {
	.name = "nlmmap_frame",
	.test_cases = frame_cases,
};

/* Attributes: a buffer of (type, len, bytes) built by the test. */
static u32 put(u8 *buf, u32 off, u16 type, u16 len, const void *data,
	       u32 datalen)
{
	struct nlattr nla = { .nla_len = len, .nla_type = type };

	memcpy(buf + off, &nla, sizeof(nla));
	memcpy(buf + off + NLA_HDRLEN, data, datalen);
	return off + NLA_ALIGN(NLA_HDRLEN + datalen);
}

static void attr_parse_valid(struct kunit *test)
{
	struct nlmmap_nla tb[NLMMAP_A_MAX + 1];
	u32 v = 1234, got = 0, len;
	u8 buf[64] = {};

	len = put(buf, 0, NLMMAP_A_COUNT, 8, &v, 4);
	len = put(buf, len, NLMMAP_A_PAYLOAD | NLA_F_NESTED, 7, "abc", 3);
	KUNIT_ASSERT_EQ(test, nlmmap_attr_parse(tb, NLMMAP_A_MAX, buf, len), 0);
	KUNIT_EXPECT_EQ(test, nlmmap_attr_u32(tb, NLMMAP_A_COUNT, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 1234u);
	KUNIT_EXPECT_TRUE(test, tb[NLMMAP_A_PAYLOAD].present);
	KUNIT_EXPECT_EQ(test, tb[NLMMAP_A_PAYLOAD].len, 3u);
	KUNIT_EXPECT_EQ(test, nlmmap_attr_u32(tb, NLMMAP_A_SIZE, &got),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, nlmmap_attr_u32(tb, NLMMAP_A_PAYLOAD, &got),
			-EINVAL);
	/* The last attribute may lack its padding. */
	KUNIT_EXPECT_EQ(test, nlmmap_attr_parse(tb, NLMMAP_A_MAX, buf,
						len - 1), 0);
}

static void attr_parse_refuses_bad_lengths(struct kunit *test)
{
	struct nlmmap_nla tb[NLMMAP_A_MAX + 1];
	u32 v = 1, len;
	u8 buf[64] = {};

	put(buf, 0, NLMMAP_A_COUNT, 3, &v, 4);
	KUNIT_EXPECT_EQ(test, nlmmap_attr_parse(tb, NLMMAP_A_MAX, buf, 8),
			-EINVAL);
	put(buf, 0, NLMMAP_A_COUNT, 9, &v, 4);
	KUNIT_EXPECT_EQ(test, nlmmap_attr_parse(tb, NLMMAP_A_MAX, buf, 8),
			-EINVAL);
	put(buf, 0, NLMMAP_A_COUNT, 0xffff, &v, 4);
	KUNIT_EXPECT_EQ(test, nlmmap_attr_parse(tb, NLMMAP_A_MAX, buf, 64),
			-EINVAL);
	len = put(buf, 0, NLMMAP_A_COUNT, 8, &v, 4);
	KUNIT_EXPECT_EQ(test, nlmmap_attr_parse(tb, NLMMAP_A_MAX, buf,
						len + 2), -EINVAL);
	/* An empty buffer has no attributes. */
	KUNIT_EXPECT_EQ(test, nlmmap_attr_parse(tb, NLMMAP_A_MAX, buf, 0), 0);
	KUNIT_EXPECT_FALSE(test, tb[NLMMAP_A_COUNT].present);
}

static void attr_parse_ignores_unknown_types(struct kunit *test)
{
	struct nlmmap_nla tb[NLMMAP_A_MAX + 1];
	u32 v = 7, len;
	u8 buf[64] = {};

	len = put(buf, 0, NLMMAP_A_MAX + 5, 8, &v, 4);
	len = put(buf, len, 0, 8, &v, 4);
	KUNIT_EXPECT_EQ(test, nlmmap_attr_parse(tb, NLMMAP_A_MAX, buf, len), 0);
	KUNIT_EXPECT_FALSE(test, tb[0].present);
}

static struct kunit_case attr_cases[] = {
	KUNIT_CASE(attr_parse_valid),
	KUNIT_CASE(attr_parse_refuses_bad_lengths),
	KUNIT_CASE(attr_parse_ignores_unknown_types),
	{}
};

static struct kunit_suite attr_suite = {
	.name = "nlmmap_attr",
	.test_cases = attr_cases,
};

kunit_test_suites(&frame_suite, &attr_suite);
