// SPDX-License-Identifier: GPL-2.0
/*
 * One short pass of make bench's guest program (nlmmap-bench --smoke):
 * every workload on this kernel, recvmsg(), recvmmsg(), the ring, with and
 * without a concurrent producer, dumps through the socket and the ring,
 * steady loads with each wake-up batch size. Correctness only: each
 * message arrives once; no timing is judged here.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "util.h"

#define BENCH	"/tests/nlmmap-bench"

static void bench_workloads_deliver_every_message(void)
{
	int status = -1;
	pid_t pid;

	if (access(BENCH, X_OK))
		SKIP("no %s", BENCH);
	fflush(stdout);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		execl(BENCH, BENCH, "--smoke", (char *)NULL);
		_exit(127);
	}
	REQUIRE(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "nlmmap-bench --smoke: status %#x (its TAP lines are above)",
	      status);
}

TAP_MAIN(T(bench_workloads_deliver_every_message))
