// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: ring geometry validation and frame addressing. Included at the
 * end of net/nlmmap/geometry.c when the module is built with KUnit.
 */
#include <kunit/test.h>

struct geom_case {
	const char *name;
	struct nl_mmap_req req;
	int err;
	size_t size;
};

#define PG PAGE_SIZE
static const struct geom_case geom_cases[] = {
	{ "one page, 16 frames", { PG, 1, PG / 16, 16 }, 0, PG },
	{ "64 blocks of 2 frames", { 2 * PG, 64, PG, 128 }, 0, 128 * PG },
	{ "leftover in block", { PG, 4, 1000, 16 }, 0, 4 * PG },
	{ "no ring", { 0, 0, 0, 0 }, 0, 0 },
	{ "no blocks but frames", { PG, 0, PG, 1 }, -EINVAL, 0 },
	{ "block not page multiple", { PG + 4, 1, 4, (PG + 4) / 4 }, -EINVAL, 0 },
	{ "zero block size", { 0, 1, 64, 0 }, -EINVAL, 0 },
	{ "frame below header", { PG, 1, 16, PG / 16 }, -EINVAL, 0 },
	{ "frame misaligned", { PG, 1, 66, PG / 66 }, -EINVAL, 0 },
	{ "frame above block", { PG, 1, 2 * PG, 0 }, -EINVAL, 0 },
	{ "frame_nr mismatch", { PG, 2, PG, 3 }, -EINVAL, 0 },
	{ "block too large", { NLMMAP_MAX_BLOCK_SIZE + PG, 1, PG, 1025 },
	  -EINVAL, 0 },
	{ "frame count overflow", { PG, 0x80000000u, 64, 0 }, -EINVAL, 0 },
	{ "size overflow", { NLMMAP_MAX_BLOCK_SIZE, 0xffffffffu,
			     NLMMAP_MAX_BLOCK_SIZE, 0xffffffffu }, -EINVAL, 0 },
	{ "ring too large", { NLMMAP_MAX_BLOCK_SIZE, 128,
			      NLMMAP_MAX_BLOCK_SIZE, 128 }, -EINVAL, 0 },
	{ "too many frames", { PG, (NLMMAP_MAX_FRAME_NR / 64) + 1, 64,
			       ((NLMMAP_MAX_FRAME_NR / 64) + 1) * 64 },
	  -EINVAL, 0 },
};

static void geom_case_desc(const struct geom_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(geom, geom_cases, geom_case_desc);

static void geometry_table(struct kunit *test)
{
	const struct geom_case *c = test->param_value;
	struct nlmmap_geom g;

	KUNIT_EXPECT_EQ(test, nlmmap_geom_check(&c->req, &g), c->err);
	KUNIT_EXPECT_EQ(test, g.size, c->size);
	if (!c->err && c->size)
		KUNIT_EXPECT_EQ(test, g.frame_nr, c->req.nm_frame_nr);
}

static void geometry_offsets_stay_in_blocks(struct kunit *test)
{
	const struct nl_mmap_req req = { PG, 4, 1000, 16 };
	struct nlmmap_geom g;
	u32 i;

	KUNIT_ASSERT_EQ(test, nlmmap_geom_check(&req, &g), 0);
	KUNIT_EXPECT_EQ(test, g.frames_per_block, 4u);
	for (i = 0; i < g.frame_nr; i++) {
		size_t off = nlmmap_geom_offset(&g, i);

		KUNIT_EXPECT_EQ(test, off / PG, (size_t)(i / 4));
		KUNIT_EXPECT_LE(test, off % PG + g.frame_size, (size_t)PG);
		KUNIT_EXPECT_LE(test, off + g.frame_size, g.size);
	}
	KUNIT_EXPECT_EQ(test, nlmmap_geom_offset(&g, 5), (size_t)PG + 1000);
}

/* The reciprocal matches a division for every frames-per-block a ring can
 * have and indices across the whole allowed range.
 */
static void geometry_offsets_match_division(struct kunit *test)
{
	static const u32 fsizes[] = { NLMMAP_HDRLEN, 48, 208, 1000, 1008, PG };
	struct nl_mmap_req req;
	struct nlmmap_geom g;
	u32 i, f, per;

	for (f = 0; f < ARRAY_SIZE(fsizes); f++) {
		per = 16 * PG / fsizes[f];
		req = (struct nl_mmap_req){ 16 * PG, 2, fsizes[f], 2 * per };
		KUNIT_ASSERT_EQ(test, nlmmap_geom_check(&req, &g), 0);
		for (i = 0; i < g.frame_nr; i += 1 + i / 64)
			KUNIT_EXPECT_EQ(test, nlmmap_geom_offset(&g, i),
					(size_t)(i / per) * g.block_size +
					(size_t)(i % per) * g.frame_size);
	}
}

static struct kunit_case geometry_cases[] = {
	KUNIT_CASE(geometry_offsets_match_division),
	KUNIT_CASE_PARAM(geometry_table, geom_gen_params),
	KUNIT_CASE(geometry_offsets_stay_in_blocks),
	{}
};

static struct kunit_suite geometry_suite = {
	.name = "nlmmap_geometry",
	.test_cases = geometry_cases,
};

kunit_test_suites(&geometry_suite);

