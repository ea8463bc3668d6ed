// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the single-read attribute walker. Included at the end of
 * net/nlmmap/attr.c when the module is built with KUnit.
 */
#include <kunit/test.h>

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

kunit_test_suites(&attr_suite);
