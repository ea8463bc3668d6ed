// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap-flood: a multicast stream at a paced rate, read as it comes by
 * a plain member of the group (recvmsg()) or by a ring subscribed through
 * the relay, with the same work per event and the same memory.
 *
 *   nlmmap-flood [--smoke] [--stall MS] [audit] [rtnl]
 *
 * Sources: "audit", user records (AUDIT_USER_MSG) that kauditd multicasts
 * to the audit log's group (needs audit and the initial namespace);
 * "rtnl", address add/delete on lo in a network namespace of its own
 * (RTNLGRP_IPV4_IFADDR). The rate doubles from 1,000 events per second
 * until the producer cannot reach it; each step prints one line
 *
 *   bench: flood SRC READER rate R achieved A received N lost L syscalls S us U
 *
 * make bench takes the highest achieved rate each reader kept without
 * loss. Both readers get RELAY_MEM bytes: SO_RCVBUF, or the ring. With
 * --stall, both readers also stop reading for MS milliseconds every
 * STALL_PERIOD (a consumer flushing its log), and SRC reads
 * "rtnl/stall100": what a reader keeps without loss is then what its
 * memory holds through the stall.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/audit.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <libmnl-mmap/libmnl-mmap.h>

#include "cli.h"

#define PROG "nlmmap-flood"

#include "addr-event.h"

#define RELAY_MEM	(256 * 1024)
#define TICK_NS		1000000		/* the producer's pace: 1 ms */
#define STEP_NS		250000000ull	/* each rate for 0.25 s */
#define USER_MSG	1112		/* libaudit's AUDIT_USER_MSG */
#define STALL_PERIOD_NS	250000000ull	/* --stall: once per 0.25 s */

static unsigned int stall_ms;

struct flood {
	const char *src;	/* "audit" or "rtnl" */
	int ring;
	struct mnl_socket *nl;	/* the reader's socket */
	struct mnl_ring *r;
	volatile unsigned long produced;	/* set when the producer ends */
	volatile int done;
	unsigned long received, lost, syscalls, work;
};

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* The reader's work per event, the same both ways: walk its attributes
 * (rtnetlink) or find the record's text (audit).
 */
static int attr_cb(const struct nlattr *a, void *data)
{
	*(unsigned long *)data += mnl_attr_get_type(a);
	return MNL_CB_OK;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct flood *f = data;

	if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR) {
		mnl_attr_parse(nlh, sizeof(struct ifaddrmsg), attr_cb,
			       &f->work);
		f->received++;
	} else if (nlh->nlmsg_type == USER_MSG) {
		f->work += !!memmem(mnl_nlmsg_get_payload(nlh),
				    mnl_nlmsg_get_payload_len(nlh), "flood", 5);
		f->received++;
	}
	return MNL_CB_OK;
}

static unsigned long socket_drops(struct mnl_socket *nl)
{
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = sizeof(mem);

	getsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_MEMINFO, mem, &len);
	return mem[SK_MEMINFO_DROPS];
}

/* Until everything produced was received or counted as lost. */
static void *reader(void *arg)
{
	struct flood *f = arg;
	char buf[1 << 16];
	unsigned long seen = 0;
	uint64_t stall_at = now_ns() + STALL_PERIOD_NS / 5;
	int ret, idle = 0;

	/* After the producer ended, 2 s without an event ends the wait:
	 * what did not come was lost, counted or not.
	 */
	while (!f->done || (f->received + f->lost < f->produced && idle < 20)) {
		ssize_t n;

		if (f->done && f->received == seen)
			idle++;
		seen = f->received;
		if (stall_ms && !f->done && now_ns() >= stall_at) {
			usleep(stall_ms * 1000);
			stall_at += STALL_PERIOD_NS;
		}
		if (f->ring) {
			ret = mnl_ring_rx_run(mnl_ring_rx(f->r), buf,
					      sizeof(buf), 0, 0, event_cb, f,
					      NULL, 0);
			if (ret != MNL_RING_EMPTY)
				continue;
			f->syscalls += 2;	/* the library's recv(), poll() */
			if (mnl_ring_wait(f->r, POLLIN, 100) & POLLERR) {
				f->syscalls++;
				f->lost += mnl_ring_clear_error(f->r);
			}
			continue;
		}
		n = recv(mnl_socket_get_fd(f->nl), buf, sizeof(buf),
			 MSG_DONTWAIT);
		f->syscalls++;
		if (n > 0) {
			mnl_cb_run(buf, n, 0, 0, event_cb, f);
		} else if (n < 0 && errno == ENOBUFS) {
			f->syscalls++;
			f->lost = socket_drops(f->nl);
		} else {
			struct pollfd p = { mnl_socket_get_fd(f->nl), POLLIN, 0 };

			f->syscalls++;
			poll(&p, 1, 100);
			if (f->done)
				f->lost = socket_drops(f->nl);
		}
	}
	return NULL;
}

static void audit_set(struct mnl_socket *au, uint32_t enabled)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct audit_status st = { .mask = AUDIT_STATUS_ENABLED,
				   .enabled = enabled };

	nlh->nlmsg_type = AUDIT_SET;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(st)), &st, sizeof(st));
	mnl_socket_sendto(au, nlh, nlh->nlmsg_len);
}

/* One event of the source. */
static void produce(struct mnl_socket *p, const char *src, unsigned long i)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	if (!strcmp(src, "audit")) {
		nlh->nlmsg_type = USER_MSG;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		snprintf(mnl_nlmsg_put_extra_header(nlh, 48), 48,
			 "nlmmap-flood %lu", i);
	} else {
		addr_event_put(nlh, i % 2 ? RTM_DELADDR : RTM_NEWADDR);
	}
	nlh->nlmsg_seq = i;
	if (mnl_socket_sendto(p, nlh, nlh->nlmsg_len) < 0)
		die("produce");
}

static void reader_open(struct flood *f)
{
	int audit = !strcmp(f->src, "audit");
	int proto = audit ? NETLINK_AUDIT : NETLINK_ROUTE;
	unsigned int group = audit ? AUDIT_NLGRP_READLOG : RTNLGRP_IPV4_IFADDR;
	int mem = RELAY_MEM / 2;	/* the kernel doubles SO_RCVBUF */
	unsigned int fs = audit ? 256 : 128;	/* an event fits a frame */
	struct nlmmap_setup s = {
		.rx = { 4096, RELAY_MEM / 4096, fs, RELAY_MEM / fs },
		.wake_frames = 64, .wake_usecs = 2000,
	};

	f->nl = mnl_socket_open(f->ring ? NETLINK_GENERIC : proto);
	if (!f->nl || mnl_socket_bind(f->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("reader socket");
	if (!f->ring) {
		if (mnl_socket_setsockopt(f->nl, NETLINK_ADD_MEMBERSHIP,
					  &group, sizeof(group)) ||
		    setsockopt(mnl_socket_get_fd(f->nl), SOL_SOCKET,
			       SO_RCVBUF, &mem, sizeof(mem)))
			die("member");
		return;
	}
	f->r = mnl_ring_map_setup(f->nl, &s);
	if (!f->r || mnl_ring_subscribe(f->r, proto, group))
		die("ring subscriber");
}

/* One step: @rate events per second for STEP_NS. */
/* Step results. */
enum { STEP_OK, STEP_LOST, STEP_SLOW, STEP_FAILED };

static int step(const char *src, int ring, unsigned long rate, int smoke)
{
	struct flood f = { .src = src, .ring = ring };
	unsigned long per_tick = rate / 1000 ?: 1, i = 0, want;
	struct mnl_socket *p;
	struct timespec next;
	uint64_t t0, t, deadline;
	pthread_t th;

	p = mnl_socket_open(strcmp(src, "audit") ? NETLINK_ROUTE :
			    NETLINK_AUDIT);
	if (!p || mnl_socket_bind(p, 0, MNL_SOCKET_AUTOPID) < 0)
		die("producer");
	reader_open(&f);
	want = rate * (stall_ms ? 2 : 1) * STEP_NS / 1000000000ull /
	       (smoke ? 8 : 1);
	if (pthread_create(&th, NULL, reader, &f))
		die("pthread_create");
	clock_gettime(CLOCK_MONOTONIC, &next);
	t0 = now_ns();
	deadline = t0 + 8 * STEP_NS;	/* a producer that cannot keep up */
	while (i < want && now_ns() < deadline) {
		unsigned long k;

		for (k = 0; k < per_tick && i < want; k++)
			produce(p, src, i++);
		next.tv_nsec += TICK_NS;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	t = now_ns() - t0;
	f.produced = i;
	__atomic_store_n(&f.done, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	if (f.received + f.lost < i)
		f.lost = i - f.received;
	printf("bench: flood %s%s%.0u %s rate %lu achieved %.0f received %lu lost %lu syscalls %lu us %llu\n",
	       src, stall_ms ? "/stall" : "", stall_ms,
	       ring ? "ring" : "recvmsg", rate, i * 1e9 / t, f.received,
	       f.lost, f.syscalls, (unsigned long long)t / 1000);
	fflush(stdout);
	if (f.r)
		mnl_ring_unmap(f.r);
	mnl_socket_close(f.nl);
	/* The address goes, so that the next step's first add is an event. */
	if (strcmp(src, "audit") && i % 2)
		produce(p, src, i);
	mnl_socket_close(p);
	/* Lost nothing in the ring, and everything is accounted for. */
	if (smoke && ring && (f.lost || f.received != i))
		return STEP_FAILED;
	/* The producer no longer reaches the rate: the sweep ends. */
	if (i * 1e9 / t < 0.5 * rate)
		return STEP_SLOW;
	return f.lost ? STEP_LOST : STEP_OK;
}

/* Rates doubling from 1,000 events/s until the producer falls behind;
 * between the last rate kept without loss and the first with a loss, three
 * halvings.
 */
static int sweep(const char *src, int smoke)
{
	unsigned long rate, lo, hi, top = smoke ? 4000 : 1024000;
	int ring, ret, k;

	for (ring = 0; ring < 2; ring++) {
		lo = hi = 0;
		for (rate = 1000; rate <= top; rate *= 2) {
			ret = step(src, ring, rate, smoke);
			if (ret == STEP_FAILED)
				return 1;
			if (ret == STEP_LOST)
				hi = rate;
			if (ret != STEP_OK)
				break;
			lo = rate;
		}
		for (k = 0; k < 3 && lo && hi && !smoke; k++) {
			rate = (lo + hi) / 2;
			ret = step(src, ring, rate, smoke);
			if (ret == STEP_OK)
				lo = rate;
			else if (ret == STEP_LOST)
				hi = rate;
			else
				break;
		}
	}
	return 0;
}


static void usage(void)
{
	printf("Usage: " PROG " [--smoke] [--stall MS] [audit] [rtnl]\n"
	       "A benchmark (make bench runs it in the test VM): multicast events at a\n"
	       "doubling, paced rate, read by a plain member of the group and by a ring\n"
	       "subscribed through the relay, until the producer cannot keep the rate.\n"
	       "It floods the audit log or rtnetlink: run it in a VM or a scratch machine.\n\n"
	       "  audit                user records (AUDIT_USER_MSG) to the audit log's group\n"
	       "                       (needs audit, CAP_AUDIT_WRITE and CAP_AUDIT_READ)\n"
	       "  rtnl                 address events on lo, in a network namespace of its own\n"
	       "                       (default: both sources)\n"
	       "      --stall=MS       both readers stop reading for MS (1 to 10000) ms every\n"
	       "                       250 ms, as a consumer flushing its log\n"
	       "      --smoke          one short step per reader, to check it works\n"
	       "  -h, --help           this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "smoke", no_argument, NULL, 'k' },
		{ "stall", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int i, opt, smoke = 0, audit = 0, rtnl = 0, failed = 0;
	struct mnl_socket *au;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			smoke = 1;
			break;
		case 's':
			stall_ms = cli_ulong(PROG, "--stall", optarg, 1, 10000);
			break;
		case 'h':
			usage();
			return 0;
		default:
			cli_bad_option(PROG);
		}
	}
	for (i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "audit"))
			audit = 1;
		else if (!strcmp(argv[i], "rtnl"))
			rtnl = 1;
		else
			cli_refuse(PROG, "unknown source '%s' (audit or rtnl)",
				   argv[i]);
	}
	if (!audit && !rtnl)
		audit = rtnl = 1;
	if (audit) {
		au = mnl_socket_open(NETLINK_AUDIT);
		if (au) {
			audit_set(au, 1);
			failed |= sweep("audit", smoke);
			audit_set(au, 0);
			mnl_socket_close(au);
		} else {
			perror("# no audit");
		}
	}
	/* Its own network namespace: the address events are its own. */
	if (rtnl) {
		if (unshare(CLONE_NEWNET))
			die("unshare");
		failed |= sweep("rtnl", smoke);
	}
	return failed;
}
