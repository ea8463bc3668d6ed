/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small TAP harness for the nlmmap selftests (tap.c). Each case runs in a
 * child process of its own with a timeout, so a crash or a hang ends that
 * case only. In the case:
 *   CHECK(cond, fmt...)    the case fails if cond is false, and goes on;
 *   REQUIRE(cond, fmt...)  the same, and the case stops there;
 *   SKIP(fmt...)           the case cannot run here: reported as SKIP;
 *   tap_defer(fn, arg)     fn(arg) runs when the case ends, whatever way
 *                          (last registered first): its teardown.
 * A case listed with TT(fn, teardown) also has teardown() run by the
 * parent after the child has ended, even if it crashed or timed out: for
 * state outside the process (module parameters, the module itself).
 * NLMMAP_BREAK=1 in the environment makes tap_broken() true, which a few
 * tests use to demand something false on purpose (to prove the harness
 * notices failures).
 */
#ifndef NLMMAP_TAP_H
#define NLMMAP_TAP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic ignored "-Wformat-zero-length"

struct tap_case {
	const char *name;
	void (*fn)(void);
	void (*teardown)(void);
};

extern int tap_case_failed;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		tap_case_failed = 1;					\
		printf("# %s:%d: CHECK(%s) failed (errno %d %s): ",	\
		       __FILE__, __LINE__, #cond, errno,		\
		       strerror(errno));				\
		tap_note("" __VA_ARGS__);				\
	}								\
} while (0)

/* Like CHECK, but stop the case (its deferred teardown still runs). */
#define REQUIRE(cond, ...) do {						\
	CHECK(cond, __VA_ARGS__);					\
	if (tap_case_failed)						\
		return;							\
} while (0)

/* The case cannot run here (a missing kernel feature, say). */
#define SKIP(...) tap_skip("" __VA_ARGS__)

static inline int tap_broken(void)
{
	const char *b = getenv("NLMMAP_BREAK");

	return b && *b == '1';
}

void tap_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						     noreturn));
void tap_defer(void (*fn)(void *), void *arg);
int tap_main(const struct tap_case *cases, int n);

#define TAP_MAIN(...)							\
	int main(void)							\
	{								\
		static const struct tap_case c[] = { __VA_ARGS__ };	\
		return tap_main(c, sizeof(c) / sizeof(c[0]));		\
	}
#define T(fn) { #fn, fn, NULL }
#define TT(fn, teardown) { #fn, fn, teardown }

#endif
