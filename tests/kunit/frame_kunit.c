// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the kernel side of the frame protocol. Included at the end of
 * net/nlmmap/frame.c when the module is built with KUnit, so it tests the
 * module's own functions.
 */
#include <kunit/test.h>
#include <linux/slab.h>

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

static u32 reserve(struct nlmmap_ring *ring, int want, u32 want_skipped)
{
	u32 idx = 99, n = 99, skipped = 99;
	int err = nlmmap_frame_reserve(ring, 1, &idx, &n, &skipped);

	if (err != want || skipped != want_skipped || n != !err)
		return U32_MAX - 1;
	return err ? U32_MAX : idx;
}

static void reserve_takes_the_head(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);
	u32 pub = 0;

	nlmmap_ring_reset(ring, &pub);
	ring->head = 3;
	ring->pos = 3;
	KUNIT_EXPECT_EQ(test, reserve(ring, 0, 0), 3u);
	KUNIT_EXPECT_EQ(test, nlmmap_frame(ring, 3)->nm_status,
			(u32)NLMMAP_STATUS_RESERVED);
	KUNIT_EXPECT_EQ(test, ring->head, 4u);
	KUNIT_EXPECT_EQ(test, ring->last, 3u);
	/* The position is published after the frame is RESERVED. */
	KUNIT_EXPECT_EQ(test, pub, 4u);
}

static void reserve_passes_held_frames(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);
	u32 pub = 0;

	nlmmap_ring_reset(ring, &pub);
	ring->head = 6;
	ring->pos = 6;
	set(ring, 6, NLMMAP_STATUS_SKIP);
	set(ring, 7, NLMMAP_STATUS_SKIP);
	KUNIT_EXPECT_EQ(test, reserve(ring, 0, 2), 0u);
	/* Held frames count as positions passed: 6, 7, then 0 reserved. */
	KUNIT_EXPECT_EQ(test, pub, 9u);
}

static void reserve_stops_at_owned_frames(struct kunit *test)
{
	static const u32 stoppers[] = { NLMMAP_STATUS_VALID,
					NLMMAP_STATUS_COPY,
					NLMMAP_STATUS_RESERVED, 5, 0xffffffff };
	struct nlmmap_ring *ring = test_ring(test);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(stoppers); i++) {
		nlmmap_ring_reset(ring, NULL);
		ring->head = 2;
		set(ring, 2, NLMMAP_STATUS_SKIP);
		set(ring, 3, stoppers[i]);
		KUNIT_EXPECT_EQ_MSG(test, reserve(ring, -ENOBUFS, 1), U32_MAX,
				    "status %u", stoppers[i]);
		KUNIT_EXPECT_EQ(test, ring->head, 3u);
	}
}

static void reserve_all_held_is_full(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);
	u32 i;

	nlmmap_ring_reset(ring, NULL);
	for (i = 0; i < NFRAMES; i++)
		set(ring, i, NLMMAP_STATUS_SKIP);
	KUNIT_EXPECT_EQ(test, reserve(ring, -ENOBUFS, NFRAMES), U32_MAX);
	KUNIT_EXPECT_EQ(test, ring->head, 0u);
}

/* However many frames are held in a row, one reservation passes at most
 * NLMMAP_SKIP_BUDGET of them: O(1) with interrupts off.
 */
static void reserve_skip_budget(struct kunit *test)
{
	const u32 n = 4 * NLMMAP_SKIP_BUDGET;
	const struct nl_mmap_req req = { PAGE_SIZE, n / 64, 64, n };
	struct nlmmap_ring *ring;
	u32 i, pub = 0;

	ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring);
	KUNIT_ASSERT_EQ(test, nlmmap_geom_check(&req, &ring->geom), 0);
	ring->base = kunit_kzalloc(test, ring->geom.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring->base);
	nlmmap_ring_reset(ring, &pub);
	for (i = 0; i < n - 1; i++)
		set(ring, i, NLMMAP_STATUS_SKIP);
	KUNIT_EXPECT_EQ(test, reserve(ring, -EAGAIN, NLMMAP_SKIP_BUDGET),
			U32_MAX);
	KUNIT_EXPECT_EQ(test, pub, NLMMAP_SKIP_BUDGET);
	KUNIT_EXPECT_EQ(test, reserve(ring, -EAGAIN, NLMMAP_SKIP_BUDGET),
			U32_MAX);
	KUNIT_EXPECT_EQ(test, reserve(ring, -EAGAIN, NLMMAP_SKIP_BUDGET),
			U32_MAX);
	KUNIT_EXPECT_EQ(test, reserve(ring, 0, NLMMAP_SKIP_BUDGET - 1), n - 1);
	KUNIT_EXPECT_EQ(test, pub, n);
}

/* A run is the head frame and the UNUSED frames right after it, wrapping
 * at the ring's end, at most as many as asked for; held frames end it.
 */
static void reserve_run_stops_at_used_frames(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);
	u32 idx, n, skipped, pub = 0;

	nlmmap_ring_reset(ring, &pub);
	ring->head = 6;
	ring->pos = 6;
	set(ring, 2, NLMMAP_STATUS_SKIP);
	KUNIT_EXPECT_EQ(test, nlmmap_frame_reserve(ring, 32, &idx, &n, &skipped),
			0);
	/* 6, 7, 0, 1: the held frame 2 ends the run. */
	KUNIT_EXPECT_EQ(test, idx, 6u);
	KUNIT_EXPECT_EQ(test, n, 4u);
	KUNIT_EXPECT_EQ(test, ring->last, 1u);
	KUNIT_EXPECT_EQ(test, ring->head, 2u);
	KUNIT_EXPECT_EQ(test, pub, 10u);
	KUNIT_EXPECT_EQ(test, nlmmap_frame(ring, 0)->nm_status,
			(u32)NLMMAP_STATUS_RESERVED);
	KUNIT_EXPECT_EQ(test, nlmmap_frame_next(ring, 7), 0u);
	/* Passes the held frame, then takes no more than asked. */
	KUNIT_EXPECT_EQ(test, nlmmap_frame_reserve(ring, 2, &idx, &n, &skipped),
			0);
	KUNIT_EXPECT_EQ(test, idx, 3u);
	KUNIT_EXPECT_EQ(test, n, 2u);
	KUNIT_EXPECT_EQ(test, skipped, 1u);
	KUNIT_EXPECT_EQ(test, nlmmap_frame(ring, 5)->nm_status,
			(u32)NLMMAP_STATUS_UNUSED);
	/* Up to the first reserved frame; then the ring is full. */
	KUNIT_EXPECT_EQ(test, nlmmap_frame_reserve(ring, 32, &idx, &n, &skipped),
			0);
	KUNIT_EXPECT_EQ(test, n, 1u);
	KUNIT_EXPECT_EQ(test, nlmmap_frame_reserve(ring, 32, &idx, &n, &skipped),
			-ENOBUFS);
	KUNIT_EXPECT_EQ(test, n, 0u);
}

static void readable_looks_at_the_last_frame(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);

	nlmmap_ring_reset(ring, NULL);
	KUNIT_EXPECT_FALSE(test, nlmmap_rx_readable(ring));
	ring->last = 7;
	set(ring, 7, NLMMAP_STATUS_VALID);
	KUNIT_EXPECT_TRUE(test, nlmmap_rx_readable(ring));
	set(ring, 7, NLMMAP_STATUS_COPY);
	KUNIT_EXPECT_TRUE(test, nlmmap_rx_readable(ring));
	/* Still being written: its publication wakes the reader. */
	set(ring, 7, NLMMAP_STATUS_RESERVED);
	KUNIT_EXPECT_FALSE(test, nlmmap_rx_readable(ring));
	/* Read (released or held): the reader has caught up. */
	set(ring, 7, NLMMAP_STATUS_SKIP);
	KUNIT_EXPECT_FALSE(test, nlmmap_rx_readable(ring));
	set(ring, 7, NLMMAP_STATUS_UNUSED);
	KUNIT_EXPECT_FALSE(test, nlmmap_rx_readable(ring));
}

static void room_looks_ahead_of_the_head(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);

	nlmmap_ring_reset(ring, NULL);
	KUNIT_EXPECT_TRUE(test, nlmmap_frame_room(ring, NFRAMES));
	ring->head = 6;
	ring->last = 5;
	set(ring, 5, NLMMAP_STATUS_VALID);	/* reserved last, unread */
	set(ring, 1, NLMMAP_STATUS_VALID);	/* 4th from the head */
	KUNIT_EXPECT_TRUE(test, nlmmap_frame_room(ring, 3));
	KUNIT_EXPECT_FALSE(test, nlmmap_frame_room(ring, 4));
	set(ring, 6, NLMMAP_STATUS_SKIP);	/* held at the head: passable */
	KUNIT_EXPECT_TRUE(test, nlmmap_frame_room(ring, 3));
	set(ring, 6, NLMMAP_STATUS_VALID);	/* unread at the head */
	KUNIT_EXPECT_FALSE(test, nlmmap_frame_room(ring, 1));
	/* Out of range counts are clamped to the ring. */
	set(ring, 6, NLMMAP_STATUS_UNUSED);
	set(ring, 1, NLMMAP_STATUS_UNUSED);
	KUNIT_EXPECT_FALSE(test, nlmmap_frame_room(ring, 1000));
	KUNIT_EXPECT_TRUE(test, nlmmap_frame_room(ring, 0));
}

/* The review's stall: the frame the threshold looks at is one the reader
 * holds. That says nothing by itself, but once the reader has read the
 * frame reserved last, every frame is free or held: room.
 */
static void room_once_the_reader_caught_up(struct kunit *test)
{
	static const u32 unread[] = { NLMMAP_STATUS_VALID, NLMMAP_STATUS_COPY,
				      NLMMAP_STATUS_RESERVED };
	struct nlmmap_ring *ring = test_ring(test);
	unsigned int i;

	nlmmap_ring_reset(ring, NULL);
	ring->head = 6;
	ring->last = 5;
	set(ring, 1, NLMMAP_STATUS_SKIP);	/* 4th from the head: held */
	for (i = 0; i < ARRAY_SIZE(unread); i++) {
		set(ring, 5, unread[i]);
		KUNIT_EXPECT_FALSE_MSG(test, nlmmap_frame_room(ring, 4),
				       "last %u", unread[i]);
	}
	set(ring, 5, NLMMAP_STATUS_SKIP);	/* read, and held */
	KUNIT_EXPECT_TRUE(test, nlmmap_frame_room(ring, 4));
	set(ring, 5, NLMMAP_STATUS_UNUSED);	/* read, and freed */
	KUNIT_EXPECT_TRUE(test, nlmmap_frame_room(ring, 4));
	KUNIT_EXPECT_TRUE(test, nlmmap_frame_room(ring, NFRAMES));
	/* Caught up or not, an unread head frame is no room. */
	set(ring, 6, NLMMAP_STATUS_VALID);
	KUNIT_EXPECT_FALSE(test, nlmmap_frame_room(ring, 4));
	set(ring, 6, NLMMAP_STATUS_UNUSED);
	/* Nothing reserved since the reset: nothing to read. */
	ring->last = NLMMAP_NO_FRAME;
	KUNIT_EXPECT_TRUE(test, nlmmap_frame_room(ring, 4));
}

/* A producer fills the ring and pauses; the reader reads every frame,
 * holding some, the threshold's frame among them. Room is then there, and
 * a reservation gets a frame: what room promises, the producer can use.
 */
static void room_after_a_lap_with_holds(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);
	u32 idx, n, skipped, i, want = NFRAMES / 2;

	nlmmap_ring_reset(ring, NULL);
	for (i = 0; i < NFRAMES; i++) {
		KUNIT_ASSERT_EQ(test, nlmmap_frame_reserve(ring, 1, &idx, &n,
							   &skipped), 0);
		set(ring, idx, NLMMAP_STATUS_VALID);
	}
	KUNIT_EXPECT_EQ(test, nlmmap_frame_reserve(ring, 1, &idx, &n,
						   &skipped), -ENOBUFS);
	KUNIT_EXPECT_FALSE(test, nlmmap_frame_room(ring, want));
	/* Read in order: frames 0, want - 1 (the threshold's) and the last
	 * one held, the others freed.
	 */
	for (i = 0; i < NFRAMES; i++) {
		bool hold = i == 0 || i == want - 1 || i == NFRAMES - 1;

		set(ring, i, hold ? NLMMAP_STATUS_SKIP : NLMMAP_STATUS_UNUSED);
		KUNIT_EXPECT_EQ_MSG(test, nlmmap_frame_room(ring, want),
				    i == NFRAMES - 1, "read %u", i + 1);
	}
	KUNIT_EXPECT_EQ(test, nlmmap_frame_reserve(ring, want, &idx, &n,
						   &skipped), 0);
	KUNIT_EXPECT_EQ(test, skipped, 1u);
	KUNIT_EXPECT_EQ(test, idx, 1u);
	KUNIT_EXPECT_EQ(test, n, want - 2);
}

static void resume_threshold(struct kunit *test)
{
	/* Half (the default) of 64 frames. */
	KUNIT_EXPECT_EQ(test, nlmmap_dump_resume_frames(64, 50), 32u);
	/* Odd sizes round up. */
	KUNIT_EXPECT_EQ(test, nlmmap_dump_resume_frames(3, 50), 2u);
	/* Out-of-range shares are clamped to 1..100. */
	KUNIT_EXPECT_EQ(test, nlmmap_dump_resume_frames(64, 0), 1u);
	KUNIT_EXPECT_EQ(test, nlmmap_dump_resume_frames(64, 500), 64u);
	/* Huge rings do not overflow. */
	KUNIT_EXPECT_EQ(test, nlmmap_dump_resume_frames(1U << 31, 100),
			1U << 31);
}

/* Per-sender shares: a ring with the kernel's owner record. */
static struct nlmmap_ring *quota_ring(struct kunit *test)
{
	struct nlmmap_ring *ring = test_ring(test);

	ring->quota = kunit_kzalloc(test, struct_size(ring->quota, owner,
						      NFRAMES), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring->quota);
	nlmmap_ring_reset(ring, NULL);
	return ring;
}

static int reserve_as(struct nlmmap_ring *ring, u64 sender)
{
	u32 idx, n, skipped;

	return nlmmap_frame_reserve_as(ring, 1, sender, &idx, &n, &skipped);
}

#define NOBODY	nlmmap_sender_uid(KUIDT_INIT(65534))
#define DAEMON	nlmmap_sender_uid(KUIDT_INIT(1))

/* bus1's rule: a sender holds at most half of what the others leave (one
 * more for rounding); the receiver's own replies have no share of their
 * own, but count against the others'.
 */
static void quota_shares_what_the_others_leave(struct kunit *test)
{
	struct nlmmap_ring *ring = quota_ring(test);
	int i;

	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, reserve_as(ring, NOBODY), 0);
	KUNIT_EXPECT_EQ(test, reserve_as(ring, NOBODY), -EDQUOT);
	KUNIT_EXPECT_EQ(test, ring->head, 5u);
	/* 3 frames left: 1 for another user, 1 more for rounding. */
	KUNIT_EXPECT_EQ(test, reserve_as(ring, DAEMON), 0);
	KUNIT_EXPECT_EQ(test, reserve_as(ring, DAEMON), 0);
	KUNIT_EXPECT_EQ(test, reserve_as(ring, DAEMON), -EDQUOT);
	KUNIT_EXPECT_EQ(test, reserve_as(ring, NLMMAP_SENDER_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, reserve_as(ring, NLMMAP_SENDER_SELF), -ENOBUFS);
	KUNIT_EXPECT_EQ(test, ring->quota->used, (u32)NFRAMES);
	KUNIT_EXPECT_EQ(test, ring->pos, (u32)NFRAMES);
}

static void quota_self_has_no_share(struct kunit *test)
{
	struct nlmmap_ring *ring = quota_ring(test);
	int i;

	for (i = 0; i < NFRAMES; i++)
		KUNIT_EXPECT_EQ(test, reserve_as(ring, NLMMAP_SENDER_SELF), 0);
	KUNIT_EXPECT_EQ(test, ring->quota->used, (u32)NFRAMES);
}

/* A run ends where the sender's share does. */
static void quota_ends_a_run(struct kunit *test)
{
	struct nlmmap_ring *ring = quota_ring(test);
	u32 idx, n, skipped;

	KUNIT_EXPECT_EQ(test, nlmmap_frame_reserve_as(ring, 32, NOBODY, &idx,
						      &n, &skipped), 0);
	KUNIT_EXPECT_EQ(test, n, 5u);
	KUNIT_EXPECT_EQ(test, nlmmap_frame_reserve_as(ring, 32, NOBODY, &idx,
						      &n, &skipped), -EDQUOT);
	KUNIT_EXPECT_EQ(test, n, 0u);
}

/* Frames come back to their sender's share when the kernel sees them
 * UNUSED: at the quota's tail, in ring order, or at the head; held frames
 * stay charged.
 */
static void quota_credits_what_the_reader_released(struct kunit *test)
{
	struct nlmmap_ring *ring = quota_ring(test);
	int i;

	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, reserve_as(ring, NOBODY), 0);
	for (i = 0; i < 5; i++)
		set(ring, i, NLMMAP_STATUS_VALID);
	KUNIT_EXPECT_EQ(test, reserve_as(ring, NOBODY), -EDQUOT);
	/* Read: 0 and 2 released, 1 held, 3 and 4 not read yet. */
	set(ring, 0, NLMMAP_STATUS_UNUSED);
	set(ring, 1, NLMMAP_STATUS_SKIP);
	set(ring, 2, NLMMAP_STATUS_UNUSED);
	KUNIT_EXPECT_EQ(test, reserve_as(ring, NOBODY), 0);
	KUNIT_EXPECT_EQ(test, ring->quota->tail, 3u);
	KUNIT_EXPECT_EQ(test, ring->quota->used, 4u);
	/* All read and released but the held one: frames 5.. were never
	 * anyone's, 1 is still held.
	 */
	for (i = 3; i < 6; i++)
		set(ring, i, NLMMAP_STATUS_UNUSED);
	KUNIT_EXPECT_EQ(test, reserve_as(ring, DAEMON), 0);
	KUNIT_EXPECT_EQ(test, ring->quota->used, 2u);
	KUNIT_EXPECT_NE(test, ring->quota->owner[1], 0);
	KUNIT_EXPECT_EQ(test, ring->quota->owner[0], 0);
}

/* More senders than accounts: they share one, and the books balance. */
static void quota_shared_account_when_full(struct kunit *test)
{
	const u32 n = 4 * NLMMAP_SKIP_BUDGET;
	const struct nl_mmap_req req = { PAGE_SIZE, n / 64, 64, n };
	struct nlmmap_ring *ring;
	u32 i, sum = 0;

	ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring);
	KUNIT_ASSERT_EQ(test, nlmmap_geom_check(&req, &ring->geom), 0);
	ring->base = kunit_kzalloc(test, ring->geom.size, GFP_KERNEL);
	ring->quota = kunit_kzalloc(test, struct_size(ring->quota, owner, n),
				    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring->base);
	KUNIT_ASSERT_NOT_NULL(test, ring->quota);
	nlmmap_ring_reset(ring, NULL);
	for (i = 0; i < 100; i++) {
		u64 user = nlmmap_sender_uid(KUIDT_INIT(1000 + i));

		KUNIT_EXPECT_EQ(test, reserve_as(ring, user), 0);
	}
	for (i = 0; i < NLMMAP_QUOTA_SLOTS; i++)
		sum += ring->quota->held[i];
	KUNIT_EXPECT_EQ(test, ring->quota->used, 100u);
	KUNIT_EXPECT_EQ(test, sum, 100u);
	KUNIT_EXPECT_GE(test, ring->quota->held[NLMMAP_QUOTA_SHARED],
			100u - (NLMMAP_QUOTA_SLOTS - 2));
	KUNIT_EXPECT_EQ(test, ring->quota->held[NLMMAP_QUOTA_SELF], 0u);
}

static struct kunit_case frame_cases[] = {
	KUNIT_CASE(resume_threshold),
	KUNIT_CASE(reserve_takes_the_head),
	KUNIT_CASE(reserve_passes_held_frames),
	KUNIT_CASE(reserve_stops_at_owned_frames),
	KUNIT_CASE(reserve_all_held_is_full),
	KUNIT_CASE(reserve_skip_budget),
	KUNIT_CASE(reserve_run_stops_at_used_frames),
	KUNIT_CASE(readable_looks_at_the_last_frame),
	KUNIT_CASE(room_looks_ahead_of_the_head),
	KUNIT_CASE(room_once_the_reader_caught_up),
	KUNIT_CASE(room_after_a_lap_with_holds),
	KUNIT_CASE(quota_shares_what_the_others_leave),
	KUNIT_CASE(quota_self_has_no_share),
	KUNIT_CASE(quota_ends_a_run),
	KUNIT_CASE(quota_credits_what_the_reader_released),
	KUNIT_CASE(quota_shared_account_when_full),
	{}
};

static struct kunit_suite frame_suite = {
	.name = "nlmmap_frame",
	.test_cases = frame_cases,
};

kunit_test_suites(&frame_suite);
