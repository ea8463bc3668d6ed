// SPDX-License-Identifier: GPL-2.0
/*
 * libmnl-mmap's nfqueue examples against the same traffic: nfq-port
 * (libmnl socket, libnetfilter_queue's nfq_nlmsg_*() helpers; here through
 * nlmmap_queue's nfnetlink_queue protocol path, or stock nfnetlink_queue)
 * and its ring twin nfq-port-ring (mnl_ring_queue_*()). Both drop the
 * datagrams of one port and accept the other's; their verdict logs must
 * be the same line for line, and the datagrams that arrive exactly the
 * accepted ones, by content.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "tap.h"
#include "util.h"
#include "queue_util.h"

#define P_ACCEPT	9001
#define P_DROP		9002
#define SPORT		9100
#define N		40	/* datagrams per port; the queue holds 1024 */

/* A UDP socket on 127.0.0.1:@port with room for every datagram. */
static void udp_on(int port, int *out)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), sz = 1 << 20;

	REQUIRE(fd >= 0 && bind(fd, (void *)&a, sizeof(a)) == 0, "udp %d", port);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	*out = fd;
}

static void send_one(int fd, int port, const char *msg)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	REQUIRE(sendto(fd, msg, strlen(msg), 0, (void *)&a, sizeof(a)) ==
		(ssize_t)strlen(msg), "sendto: %s", strerror(errno));
}

/* Runs @prog on queue 0 with its log in @log, N * 2 packets; returns its
 * pid once it said "ready".
 */
static void start(const char *prog, const char *log, pid_t *out)
{
	char line[256] = "", path[64];
	int p[2];
	pid_t pid;
	FILE *f;

	snprintf(path, sizeof(path), "/tests/%s", prog);
	if (access(path, X_OK))
		SKIP("%s is not in the VM", path);
	REQUIRE(pipe(p) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (!pid) {
		char count[16];

		snprintf(count, sizeof(count), "%d", 2 * N);
		dup2(p[1], 2);
		close(p[0]);
		execl(path, prog, "0", "9002", log, count, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	REQUIRE(f && fgets(line, sizeof(line), f), "%s said nothing", prog);
	CHECK(strstr(line, ": ready"), "%s: %s", prog, line);
	fclose(f);
	*out = pid;
}

/* What @fd holds, up to the sentinel "end" (waited for). */
static void until_end(int fd, char seen[][16], int max, int *out)
{
	char buf[64];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n = 0;
	ssize_t len;

	for (;;) {
		REQUIRE(poll(&pfd, 1, 20000) == 1, "the sentinel did not come");
		len = recv(fd, buf, sizeof(buf) - 1, 0);
		REQUIRE(len >= 0);
		buf[len] = 0;
		if (!strcmp(buf, "end")) {
			*out = n;
			return;
		}
		if (n < max)
			snprintf(seen[n], 16, "%.15s", buf);
		n++;
	}
}

/* One run of @prog: its log in @log; the datagrams checked by content. */
static void run(const char *prog, const char *log)
{
	char seen[2 * N][16], msg[16];
	int ra, rd, tx, i, n = 0, st;
	pid_t pid = -1;

	udp_on(P_ACCEPT, &ra);
	udp_on(P_DROP, &rd);
	udp_on(SPORT, &tx);

	REQUIRE(nft("flush ruleset\n"
		    "table ip t {\n"
		    "  chain out { type filter hook output priority 0;\n"
		    "    udp dport { %d, %d } queue num 0\n"
		    "  }\n"
		    "}\n", P_ACCEPT, P_DROP) == 0, "nft");
	start(prog, log, &pid);
	for (i = 0; i < N; i++) {
		snprintf(msg, sizeof(msg), "a%d", i);
		send_one(tx, P_ACCEPT, msg);
		snprintf(msg, sizeof(msg), "d%d", i);
		send_one(tx, P_DROP, msg);
	}
	/* The program exits after 2 * N verdicts. */
	REQUIRE(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: status %#x", prog,
	      st);
	REQUIRE(nft("flush ruleset\n") == 0);
	send_one(tx, P_ACCEPT, "end");
	send_one(tx, P_DROP, "end");
	until_end(ra, seen, 2 * N, &n);
	CHECK(n == N, "%s: %d of %d accepted datagrams arrived", prog, n, N);
	for (i = 0; i < n && i < N; i++) {
		snprintf(msg, sizeof(msg), "a%d", i);
		CHECK(!strcmp(seen[i], msg), "%s: datagram %d is \"%s\"", prog,
		      i, seen[i]);
	}
	until_end(rd, seen, 2 * N, &n);
	CHECK(n == 0, "%s: %d dropped datagrams arrived", prog, n);
	close(ra);
	close(rd);
	close(tx);
}

/* The log @path: 2 * N lines, a accept and a drop line in turn. */
static void check_log(const char *path)
{
	char line[128], want[128];
	FILE *f = fopen(path, "r");
	int i = 0;

	REQUIRE(f, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		/* 20 bytes of IP header, 8 of UDP, "a%d"/"d%d" */
		snprintf(want, sizeof(want), "udp %d %d %d %s\n", SPORT,
			 i % 2 ? P_DROP : P_ACCEPT,
			 28 + 1 + (i / 2 > 9 ? 2 : 1),
			 i % 2 ? "drop" : "accept");
		CHECK(!strcmp(line, want), "%s line %d: %s", path, i + 1, line);
		i++;
	}
	fclose(f);
	CHECK(i == 2 * N, "%s: %d lines", path, i);
}

/* Two files the same, line for line. */
static void same_logs(const char *a, const char *b)
{
	char la[128], lb[128];
	FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
	int n = 0, ea, eb;

	REQUIRE(fa && fb);
	for (;;) {
		ea = !fgets(la, sizeof(la), fa);
		eb = !fgets(lb, sizeof(lb), fb);
		if (ea || eb)
			break;
		n++;
		CHECK(!strcmp(la, lb), "line %d: %s against %s", n, la, lb);
	}
	CHECK(ea && eb, "%s and %s differ in length", a, b);
	fclose(fa);
	fclose(fb);
}

/* Both examples on nlmmap_queue: the protocol path and the ring. */
static void socket_and_ring_agree(void)
{
	queue_env();
	run("nfq-port", "/tmp/port-sock.log");
	check_log("/tmp/port-sock.log");
	run("nfq-port-ring", "/tmp/port-ring.log");
	check_log("/tmp/port-ring.log");
	same_logs("/tmp/port-sock.log", "/tmp/port-ring.log");
}

/* The socket example on stock nfnetlink_queue, against the ring's log. */
static void stock_and_ring_agree(void)
{
	if (unshare(CLONE_NEWNET))
		SKIP("no network namespaces here");
	kmod_unload_wait("nlmmap_queue");
	if (kmod_load("nfnetlink", NULL) || kmod_load("nf_tables", NULL) ||
	    kmod_load("nft_queue", NULL) || kmod_load("nfnetlink_queue", NULL))
		SKIP("no nfnetlink_queue in this kernel");
	REQUIRE(lo_up() == 0);
	run("nfq-port", "/tmp/port-stock.log");
	check_log("/tmp/port-stock.log");
	if (access("/tmp/port-ring.log", R_OK))
		SKIP("the ring's log is not there (its case failed)");
	same_logs("/tmp/port-stock.log", "/tmp/port-ring.log");
	kmod_unload_wait("nfnetlink_queue");
}

TAP_MAIN(T(socket_and_ring_agree), T(stock_and_ring_agree))
