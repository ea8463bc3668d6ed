// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>

#include "relay-reader.h"

struct counted {
	struct relay_reader *rr;
	mnl_cb_t cb;
	void *data;
};

static int counted_cb(const struct nlmsghdr *nlh, void *data)
{
	struct counted *c = data;

	c->rr->events++;
	return c->cb(nlh, c->data);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* SIGINT and SIGTERM end the run as a count does (the summary follows):
 * no SA_RESTART, so a sleeping recv() or poll() returns at once.
 */
void relay_reader_init(struct relay_reader *rr, const char *tool,
		       struct mnl_socket *nl, struct mnl_ring *r, int force)
{
	struct sigaction sa = { .sa_handler = on_signal };

	*rr = (struct relay_reader){ .tool = tool, .nl = nl, .r = r };
	rr->rate = force || isatty(2);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void rate_line(struct relay_reader *rr, double *t0,
		      unsigned long *e0)
{
	double t = now();

	if (t - *t0 < 1.0)
		return;
	fprintf(stderr, "\r%s: %.0f events/s, %lu lost, %.4f syscalls/event ",
		rr->tool, (rr->events - *e0) / (t - *t0), rr->lost,
		rr->events ? (double)rr->syscalls / rr->events : 0.0);
	*t0 = t;
	*e0 = rr->events;
}

/* What the socket dropped, as netlink counts it (sk_drops). */
static void socket_drops(struct relay_reader *rr)
{
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = sizeof(mem);

	rr->syscalls++;
	if (!getsockopt(mnl_socket_get_fd(rr->nl), SOL_SOCKET, SO_MEMINFO,
			mem, &len) && len > SK_MEMINFO_DROPS * sizeof(mem[0]))
		rr->lost = mem[SK_MEMINFO_DROPS];
}

int relay_reader_run(struct relay_reader *rr, mnl_cb_t cb, void *data)
{
	struct counted c = { rr, cb, data };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	double t0 = now();
	unsigned long e0 = 0;
	int ret, got;

	for (;;) {
		if (stop)
			return 0;
		if (!rr->r) {
			ssize_t n = mnl_socket_recvfrom(rr->nl, buf,
							sizeof(buf));

			rr->syscalls++;
			if (n < 0 && errno == EINTR)
				continue;	/* stop is looked at first */
			if (n < 0 && errno == ENOBUFS) {
				socket_drops(rr);
				fprintf(stderr, "%s: events lost\n", rr->tool);
				continue;
			}
			if (n < 0)
				return -1;
			ret = mnl_cb_run(buf, n, 0, 0, counted_cb, &c);
		} else {
			ret = mnl_ring_rx_run(mnl_ring_rx(rr->r), buf,
					      sizeof(buf), 0, 0, counted_cb,
					      &c, NULL, 0);
			if (ret == MNL_RING_EMPTY) {
				/* The library's recv() for acks, and poll(). */
				rr->syscalls += 2;
				got = mnl_ring_wait(rr->r, POLLIN,
						    rr->rate ? 1000 : -1);
				if (got < 0 && errno != EINTR)
					return -1;
				if (got > 0 && (got & POLLERR)) {
					got = mnl_ring_clear_error(rr->r);
					rr->syscalls++;
					rr->lost += got > 0 ? got : 0;
					fprintf(stderr, "%s: %d events lost\n",
						rr->tool, got);
				}
			}
		}
		if (rr->rate)
			rate_line(rr, &t0, &e0);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret == MNL_CB_ERROR)
			return stop ? 0 : -1;
	}
}

void relay_reader_summary(const struct relay_reader *rr)
{
	fprintf(stderr, "%s%s: %lu events, %lu lost, %.4f syscalls/event\n",
		rr->rate ? "\n" : "", rr->tool, rr->events, rr->lost,
		rr->events ? (double)rr->syscalls / rr->events : 0.0);
}
