// SPDX-License-Identifier: GPL-2.0
/*
 * Each case runs in a child process of its own (see tap.h), so a crash or
 * a hang ends that case only: the child's exit status is the verdict
 * (0 pass, 1 fail, TAP_SKIP skip), and a case that runs longer than
 * NLMMAP_CASE_TIMEOUT seconds (default 600) is killed and fails.
 */
#include <signal.h>
#include <stdarg.h>
#include <unistd.h>
#include <sys/wait.h>

#include "tap.h"

#define TAP_SKIP	4	/* kselftest's KSFT_SKIP */
#define TAP_DEFER_MAX	16

int tap_case_failed;

static struct {
	void (*fn)(void *);
	void *arg;
} deferred[TAP_DEFER_MAX];
static int ndeferred;

void tap_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void tap_defer(void (*fn)(void *), void *arg)
{
	if (ndeferred == TAP_DEFER_MAX) {
		printf("# tap_defer: more than %d teardowns\n", TAP_DEFER_MAX);
		tap_case_failed = 1;
		return;
	}
	deferred[ndeferred].fn = fn;
	deferred[ndeferred++].arg = arg;
}

static void run_deferred(void)
{
	while (ndeferred--)
		deferred[ndeferred].fn(deferred[ndeferred].arg);
	ndeferred = 0;
}

void tap_skip(const char *fmt, ...)
{
	va_list ap;

	printf("# SKIP: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	run_deferred();
	fflush(stdout);
	_exit(TAP_SKIP);
}

/* 0 pass, 1 fail, TAP_SKIP skip. */
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
		run_deferred();
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
	if (!WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status) == TAP_SKIP ? TAP_SKIP :
	       !!WEXITSTATUS(status);
}

int tap_main(const struct tap_case *cases, int n)
{
	const char *t = getenv("NLMMAP_CASE_TIMEOUT");
	unsigned int timeout = t ? atoi(t) : 600;
	int i, failed = 0, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		r = run_case(&cases[i], timeout);
		if (cases[i].teardown)
			cases[i].teardown();
		if (r == TAP_SKIP)
			printf("ok %d - %s # SKIP\n", i + 1, cases[i].name);
		else
			printf("%sok %d - %s\n", r ? "not " : "", i + 1,
			       cases[i].name);
		failed += r == 1;
	}
	return failed ? 1 : 0;
}
