// SPDX-License-Identifier: GPL-2.0
/*
 * Each case runs in a child process of its own, so a crash or a hang ends
 * that case only: the child's exit status is the verdict, and a case that
 * runs longer than NLMMAP_CASE_TIMEOUT seconds (default 600) is killed
 * and fails.
 */
#include <signal.h>
#include <stdarg.h>
#include <unistd.h>
#include <sys/wait.h>

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

static int run_case(const struct tap_case *c, unsigned int timeout)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("# fork: %s\n", strerror(errno));
		return 1;
	}
	if (!pid) {
		alarm(timeout);
		tap_case_failed = 0;
		c->fn();
		fflush(stdout);
		_exit(tap_case_failed ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	if (WIFSIGNALED(status)) {
		printf("# %s: killed by signal %d%s\n", c->name,
		       WTERMSIG(status),
		       WTERMSIG(status) == SIGALRM ? " (timeout)" : "");
		return 1;
	}
	return !WIFEXITED(status) || WEXITSTATUS(status);
}

int tap_main(const struct tap_case *cases, int n)
{
	const char *t = getenv("NLMMAP_CASE_TIMEOUT");
	unsigned int timeout = t ? atoi(t) : 600;
	int i, failed = 0, f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		f = run_case(&cases[i], timeout);
		printf("%sok %d - %s\n", f ? "not " : "", i + 1, cases[i].name);
		failed += f;
	}
	return failed ? 1 : 0;
}
