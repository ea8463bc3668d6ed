// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <unistd.h>

#include "tap.h"

int tap_case_failed;

void tap_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int tap_main(const struct tap_case *cases, int n)
{
	int i, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		tap_case_failed = 0;
		cases[i].fn();
		fflush(stdout);
		printf("%sok %d - %s\n", tap_case_failed ? "not " : "", i + 1,
		       cases[i].name);
		failed += tap_case_failed;
	}
	return failed ? 1 : 0;
}
