/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP for the nlmmap selftests: each TEST() is one case, run in
 * order by tap_main(), each in a child process of its own with a timeout
 * (tap.c); a case fails when any CHECK() in it fails.
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

/* Like CHECK, but stop the case. */
#define REQUIRE(cond, ...) do {						\
	CHECK(cond, __VA_ARGS__);					\
	if (tap_case_failed)						\
		return;							\
} while (0)

static inline int tap_broken(void)
{
	const char *b = getenv("NLMMAP_BREAK");

	return b && *b == '1';
}

void tap_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tap_main(const struct tap_case *cases, int n);

#define TAP_MAIN(...)							\
	int main(void)							\
	{								\
		static const struct tap_case c[] = { __VA_ARGS__ };	\
		return tap_main(c, sizeof(c) / sizeof(c[0]));		\
	}
#define T(fn) { #fn, fn }

#endif
