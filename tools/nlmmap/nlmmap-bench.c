// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap-bench: the guest side of make bench (tools/bench/run.sh), and
 * with --smoke a short correctness pass that make check runs.
 *
 * Workloads, each against its stock path, side by side in one boot:
 *   - delivery of 64 B, 1 KiB and 16 KiB messages from the benchmark
 *     source (NLMMAP_CMD_BENCH): recvmsg(), recvmmsg() and the ring, with
 *     the reader alone after each burst (recvmsg, recvmmsg, ring) and with
 *     a concurrent producer thread (recvmsg_thr, recvmmsg_thr, ring_thr);
 *   - a dump of DUMP_OBJECTS objects of 64 B: recvmsg() with a 32 KiB
 *     buffer (dumpsock) and the ring (dumpring);
 *   - a steady load (50,000 time-stamped messages per second, in requests
 *     of 16) from a producer thread:
 *     the reader's system calls per message and the delivery latency
 *     (p50, p99), for recvmsg() and for the ring with wake_frames N of
 *     1, 4, 16, 64 and 256 (steady_recvmsg, steady_ringN).
 * Each measured section is framed by a marker instruction that the icount
 * plugin turns into guest instruction counts; one line per section:
 *   bench: section N name M msgs T ns
 * and for the steady load also:
 *   bench: steady name syscalls S producer_syscalls P msgs M p50 X p99 Y
 * With --smoke every section checks that each message arrived, once, and
 * says so on a comment line; the exit status says whether all did.
 *
 * Entropy is credited first: a TCG guest never initialises its CRNG by
 * itself, and SLUB's freelist shuffling would then run BLAKE2s on every
 * new slab page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <linux/genetlink.h>
#include <linux/random.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <sched.h>
#include <libmnl-mmap/libmnl-mmap.h>

#include "cli.h"

#define PROG "nlmmap-bench"

#include "addr-event.h"

#define BURST		256
#define THR_BATCH	64	/* messages per request of the producer thread */
#define MAX_LAT		(1 << 20)
/* The steady load: 16 messages every 320 us, 50,000 per second. */
#define STEADY_BATCH	16
#define STEADY_PACE_NS	320000
/* A reader that batches wake-ups is woken at the latest this long after
 * the first frame it did not see.
 */
#define WAKE_USECS	5000

static uint16_t family;
static unsigned int section;
static int smoke, failed;
static uint32_t dump_objects = 1000000, steady_msgs = 20000;

static inline void marker(void)
{
	__asm__ volatile("xchg %%bx, %%bx" ::: "memory");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void credit_entropy(void)
{
	struct {
		struct rand_pool_info info;
		unsigned char buf[64];
	} e = { .info = { .entropy_count = 512, .buf_size = 64 } };
	int fd = open("/dev/random", O_RDWR), i;

	for (i = 0; i < 64; i++)
		e.buf[i] = (unsigned char)(i * 131 + 7) ^ (unsigned char)getpid();
	if (fd < 0 || ioctl(fd, RNDADDENTROPY, &e.info))
		perror("# RNDADDENTROPY");
	if (fd >= 0)
		close(fd);
}

/* For tools/bench/profile.sh: the kernel's text symbols, on the VM's
 * second serial port (the results file), away from the console.
 */
static void print_ksyms(void)
{
	char line[256], addr[32], type[8], name[128];
	FILE *f = fopen("/proc/kallsyms", "r");
	FILE *o = fopen("/dev/ttyS1", "w");

	while (f && o && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %7s %127s", addr, type, name) == 3 &&
		    (type[0] == 't' || type[0] == 'T'))
			fprintf(o, "ksym %s %s\n", addr, name);
	}
	if (f)
		fclose(f);
	if (o)
		fclose(o);
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* BENCH: count messages of size bytes (time-stamped), or their dump. */
static void request(struct mnl_socket *nl, uint32_t count, uint32_t size,
		    int stamp, int dump)
{
	char buf[256];
	struct nlmsghdr *nlh;

	nlh = mnl_ring_genl_put(buf, family, NLMMAP_CMD_BENCH,
				NLMMAP_GENL_VERSION, 0, 0);
	if (dump)
		nlh->nlmsg_flags |= NLM_F_DUMP;
	mnl_attr_put_u32(nlh, NLMMAP_A_COUNT, count);
	mnl_attr_put_u32(nlh, NLMMAP_A_SIZE, size);
	if (stamp)
		mnl_attr_put(nlh, NLMMAP_A_STAMP, 0, NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("send");
}

static struct mnl_socket *open_socket(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	int big = 8 << 20;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("socket");
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &big,
		   sizeof(big));
	return nl;
}

/* A ring whose frames fit @size-byte messages, @frames of them at least. */
static struct mnl_ring *open_ring(struct mnl_socket *nl, uint32_t size,
				  unsigned int frames, uint32_t wake_frames)
{
	unsigned int page = sysconf(_SC_PAGESIZE);
	unsigned int frame = (size + 256 + 15) & ~15u;
	struct nlmmap_setup s = { .size = sizeof(s) };
	struct mnl_ring *r;

	if (frame <= page) {
		while (page % frame)
			frame += 16;
		s.rx = (struct nl_mmap_req){ page, frames / (page / frame) + 1,
					     frame, 0 };
		s.rx.nm_frame_nr = s.rx.nm_block_nr * (page / frame);
	} else {
		frame = (frame + page - 1) / page * page;
		s.rx = (struct nl_mmap_req){ frame, frames, frame, frames };
	}
	if (wake_frames > 1) {
		s.wake_frames = wake_frames;
		s.wake_usecs = WAKE_USECS;
	}
	r = mnl_ring_map_setup(nl, &s);
	if (!r)
		die("mnl_ring_map_setup");
	return r;
}

static void report(const char *name, unsigned long msgs, unsigned long want,
		   uint64_t t0)
{
	printf("bench: section %u %s %lu msgs %llu ns\n", ++section, name, msgs,
	       (unsigned long long)(now_ns() - t0));
	if (smoke) {
		printf("# smoke %s: %lu of %lu messages%s\n", name, msgs, want,
		       msgs == want ? "" : ": LOST");
		failed |= msgs != want;
	}
	fflush(stdout);
}

/* Benchmark messages in @len bytes of netlink messages; the summaries
 * (NLMMAP_CMD_BENCH) and anything else are not counted. With @lat, the
 * time stamp of each goes to the latency table.
 */
static uint64_t *lat;
static unsigned long nlat;

static int saw_done;	/* NLMSG_DONE or NLMSG_ERROR went by */
static int count_any;	/* count every message, not only the source's */

static void note_latency(const struct genlmsghdr *g, uint64_t t)
{
	uint64_t s;

	/* After the genl header, SEQ and the payload's attribute header:
	 * the kernel's time.
	 */
	memcpy(&s, (const char *)g + GENL_HDRLEN + 8 + NLA_HDRLEN, sizeof(s));
	if (nlat < MAX_LAT)
		lat[nlat++] = t - s;
}

/* The same walk for every path: what a reader does per message. */
static inline __attribute__((always_inline)) unsigned long
count_msgs(const void *buf, size_t len, int stamped)
{
	const char *p = buf, *end = p + len;
	uint64_t t = stamped ? now_ns() : 0;
	unsigned long n = 0;

	while (end - p >= NLMSG_HDRLEN) {
		const struct nlmsghdr *nlh = (const void *)p;
		const struct genlmsghdr *g = NLMSG_DATA(nlh);
		uint32_t l = nlh->nlmsg_len;

		if (l < NLMSG_HDRLEN || l > (size_t)(end - p))
			break;
		if (nlh->nlmsg_type == family) {
			if (g->cmd == NLMMAP_CMD_BENCH_MSG) {
				n++;
				if (__builtin_expect(stamped, 0))
					note_latency(g, t);
			}
		} else if (nlh->nlmsg_type == NLMSG_DONE ||
			   nlh->nlmsg_type == NLMSG_ERROR) {
			saw_done = 1;
		} else if (count_any && nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
			n++;
		}
		p += NLMSG_ALIGN(l);
	}
	return n;
}

static char rbuf[1 << 17];

/* --- the reader alone after each burst --------------------------------- */

static unsigned long read_socket(struct mnl_socket *nl, unsigned long want,
				 int stamped, int mmsg, unsigned long *sys);

static unsigned long read_ring(struct mnl_ring *r, unsigned long want,
			       int stamped, int wait, unsigned long *sys);

/* Read what the ring holds now: frames in place, COPY frames by recv(). */
static unsigned long drain_ring(struct mnl_ring *r)
{
	unsigned long sys = 0;

	return read_ring(r, ~0ul, 0, 0, &sys);
}

/* @bursts bursts of BURST messages, each read after it was sent.
 * @mode: 0 recv(), 1 recvmmsg(), 2 the ring.
 */
static void run_burst(uint32_t size, int bursts, const char *name, int mode)
{
	struct mnl_socket *nl = open_socket();
	struct mnl_ring *r = mode == 2 ? open_ring(nl, size, 2 * BURST, 1) :
			     NULL;
	unsigned long msgs = 0, sys = 0;
	uint64_t t0;
	int b;

	marker();
	t0 = now_ns();
	for (b = 0; b < bursts; b++) {
		request(nl, BURST, size, 0, 0);
		/* The source ran in sendmsg(): the whole burst is there (a
		 * socket's summary is read with the next burst).
		 */
		msgs += r ? drain_ring(r) :
			    read_socket(nl, BURST, 0, mode, &sys);
	}
	marker();
	report(name, msgs, (unsigned long)bursts * BURST, t0);
	if (r && mnl_ring_clear_error(r) > 0)
		printf("# %s: the ring overran\n", name);
	if (r)
		mnl_ring_unmap(r);
	mnl_socket_close(nl);
}

/* --- a concurrent producer thread ------------------------------------- */

struct producer {
	struct mnl_socket *nl;
	uint32_t size, total;
	int stamp;
	unsigned long syscalls;
	uint32_t batch;		/* messages per request */
	long pace_ns;		/* one request per pace_ns, or flat out */
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	struct timespec next;
	uint32_t sent;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (sent = 0; sent < p->total; sent += p->batch) {
		request(p->nl, p->batch, p->size, p->stamp, 0);
		p->syscalls++;
		if (!p->pace_ns) {
			sched_yield();
			continue;
		}
		next.tv_nsec += p->pace_ns;
		while (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return NULL;
}

static char mbufs[64][20000];

/* Read @want messages from the socket with recv(), or recvmmsg() 64 at a
 * time; system calls counted.
 */
static unsigned long read_socket(struct mnl_socket *nl, unsigned long want,
				 int stamped, int mmsg, unsigned long *sys)
{
	int fd = mnl_socket_get_fd(nl), i, n;
	struct mmsghdr mm[64];
	struct iovec iov[64];
	unsigned long msgs = 0;
	ssize_t len;

	for (i = 0; i < 64; i++) {
		iov[i] = (struct iovec){ mbufs[i], sizeof(mbufs[i]) };
		mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i],
						       .msg_iovlen = 1 } };
	}
	while (msgs < want) {
		++*sys;
		if (mmsg) {
			n = recvmmsg(fd, mm, 64, MSG_WAITFORONE, NULL);
			if (n < 0)
				die("recvmmsg");
			for (i = 0; i < n; i++)
				msgs += count_msgs(mbufs[i], mm[i].msg_len,
						   stamped);
			continue;
		}
		len = recv(fd, rbuf, sizeof(rbuf), 0);
		if (len < 0)
			die("recv");
		msgs += count_msgs(rbuf, len, stamped);
	}
	return msgs;
}

/* Read @want messages from the ring: frames in place, COPY frames with
 * recv(), poll() when there is nothing; system calls counted.
 */
static unsigned long read_ring(struct mnl_ring *r, unsigned long want,
			       int stamped, int wait, unsigned long *sys)
{
	struct mnl_ring_rx *rx = mnl_ring_rx(r);
	struct pollfd pfd = { mnl_ring_get_fd(r), POLLIN, 0 };
	struct nl_mmap_hdr *f[64];
	unsigned long msgs = 0;
	unsigned int n, i;
	int done;
	ssize_t len;

	while (msgs < want) {
		n = mnl_ring_rx_peek(rx, f, 64);
		if (!n && !wait)
			break;
		if (!n) {
			if (saw_done && want == ~0ul)
				break;
			++*sys;
			if (poll(&pfd, 1, 10000) <= 0)
				break;
			if (pfd.revents & POLLERR) {
				printf("# overrun\n");
				mnl_ring_clear_error(r);
			}
			continue;
		}
		for (i = 0; i < n; i++) {
			if (nlmmap_frame_status(f[i]) == NLMMAP_STATUS_COPY) {
				do {
					len = mnl_ring_rx_recv(rx, f[i], rbuf,
							       sizeof(rbuf),
							       &done);
					++*sys;
					if (len < 0)
						die("recv COPY");
					msgs += count_msgs(rbuf, len, stamped);
				} while (!done);
			} else {
				msgs += count_msgs(nlmmap_frame_data(f[i]),
						   f[i]->nm_len, stamped);
			}
		}
		mnl_ring_rx_release(rx, n);
	}
	return msgs;
}

/* @mode: 0 recv(), 1 recvmmsg(), 2 the ring */
static void run_thread(uint32_t size, uint32_t total, const char *name,
		       int mode)
{
	struct producer p = { open_socket(), size, total, 0, 0, THR_BATCH, 0 };
	struct mnl_ring *r = mode == 2 ? open_ring(p.nl, size, 1024, 1) : NULL;
	unsigned long msgs, sys = 0;
	pthread_t t;
	uint64_t t0;

	marker();
	t0 = now_ns();
	if (pthread_create(&t, NULL, produce, &p))
		die("pthread_create");
	msgs = r ? read_ring(r, total, 0, 1, &sys) :
		   read_socket(p.nl, total, 0, mode, &sys);
	pthread_join(t, NULL);
	marker();
	report(name, msgs, total, t0);
	if (r)
		mnl_ring_unmap(r);
	mnl_socket_close(p.nl);
}

/* --- steady load: system calls and latency ---------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void run_steady(uint32_t wake_frames, const char *name)
{
	struct producer p = { open_socket(), 64, steady_msgs, 1, 0,
			      STEADY_BATCH, STEADY_PACE_NS };
	struct mnl_ring *r = wake_frames ?
			     open_ring(p.nl, 64, 4096, wake_frames) : NULL;
	unsigned long msgs, sys = 0;
	pthread_t t;
	uint64_t t0;

	nlat = 0;
	marker();
	t0 = now_ns();
	if (pthread_create(&t, NULL, produce, &p))
		die("pthread_create");
	msgs = r ? read_ring(r, p.total, 1, 1, &sys) :
		   read_socket(p.nl, p.total, 1, 0, &sys);
	pthread_join(t, NULL);
	marker();
	report(name, msgs, p.total, t0);
	qsort(lat, nlat, sizeof(*lat), cmp_u64);
	printf("bench: steady %s syscalls %.4f producer_syscalls %.4f msgs %lu p50 %llu p99 %llu\n",
	       name, (double)sys / (msgs ? msgs : 1),
	       (double)p.syscalls / (msgs ? msgs : 1), msgs,
	       nlat ? (unsigned long long)lat[nlat / 2] : 0,
	       nlat ? (unsigned long long)lat[nlat * 99 / 100] : 0);
	if (r)
		mnl_ring_unmap(r);
	mnl_socket_close(p.nl);
}

/* --- dumps ------------------------------------------------------------- */

static void run_dump_socket(const char *name)
{
	static char buf[32768];
	struct mnl_socket *nl = open_socket();
	unsigned long msgs = 0;
	uint64_t t0;
	ssize_t len;

	marker();
	t0 = now_ns();
	request(nl, dump_objects, 64, 0, 1);
	saw_done = 0;
	while (!saw_done) {
		len = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0);
		if (len < 0)
			die("recv dump");
		msgs += count_msgs(buf, len, 0);
	}
	marker();
	report(name, msgs, dump_objects, t0);
	mnl_socket_close(nl);
}

static void run_dump_ring(const char *name)
{
	struct nl_mmap_req rx = { 32768, 16, 32768, 16 };
	struct mnl_socket *nl = open_socket();
	struct mnl_ring *r = mnl_ring_map(nl, &rx, NULL);
	unsigned long msgs, sys = 0;
	uint64_t t0;

	if (!r)
		die("mnl_ring_map");
	marker();
	t0 = now_ns();
	/* The dump fills the ring from the reader's poll(). */
	request(nl, dump_objects, 64, 0, 1);
	saw_done = 0;
	msgs = read_ring(r, ~0ul, 0, 1, &sys);
	marker();
	report(name, msgs, dump_objects, t0);
	mnl_ring_unmap(r);
	mnl_socket_close(nl);
}

/* --- the multicast relay: an rtnetlink flood ------------------------- */

#define RELAY_MEM	(256 * 1024)	/* the reader's memory, both ways */

/* One address added to or deleted from lo: one RTM_*ADDR event. */
static void addr_req(struct mnl_socket *rt, uint16_t type, uint32_t seq)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	addr_event_put(nlh, type);
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(rt, nlh, nlh->nlmsg_len) < 0)
		die("RTM_*ADDR");
}

/* @events address events while nobody reads; then the reader takes what
 * its memory kept. Prints what arrived and what was lost.
 */
static void run_relay(uint32_t events, int ring, const char *name)
{
	struct mnl_socket *rt = mnl_socket_open(NETLINK_ROUTE);
	struct mnl_socket *nl = NULL, *sock = NULL;
	unsigned long got = 0, sys = 0, lost = 0;
	struct mnl_ring *r = NULL;
	int mem = RELAY_MEM / 2;	/* the kernel doubles SO_RCVBUF */
	uint64_t t0;
	uint32_t i;

	if (!rt || mnl_socket_bind(rt, 0, MNL_SOCKET_AUTOPID) < 0)
		die("rtnetlink");
	if (ring) {
		/* Frames of 128 bytes: an address event is about 90. */
		struct nl_mmap_req rx = { 4096, RELAY_MEM / 4096, 128,
					  RELAY_MEM / 128 };
		char buf[256];
		struct nlmsghdr *nlh;

		nl = mnl_socket_open(NETLINK_GENERIC);
		if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
			die("socket");
		r = mnl_ring_map(nl, &rx, NULL);
		if (!r)
			die("mnl_ring_map");
		nlh = mnl_ring_genl_put(buf, family, NLMMAP_CMD_SUBSCRIBE,
					NLMMAP_GENL_VERSION, 0, 0);
		mnl_attr_put_u32(nlh, NLMMAP_A_PROTOCOL, NETLINK_ROUTE);
		mnl_attr_put_u32(nlh, NLMMAP_A_GROUP, RTNLGRP_IPV4_IFADDR);
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
			die("subscribe");
	} else {
		sock = mnl_socket_open(NETLINK_ROUTE);
		if (!sock || mnl_socket_bind(sock, 1 << (RTNLGRP_IPV4_IFADDR - 1),
					     MNL_SOCKET_AUTOPID) < 0)
			die("rtnetlink member");
		setsockopt(mnl_socket_get_fd(sock), SOL_SOCKET, SO_RCVBUF, &mem,
			   sizeof(mem));
	}
	for (i = 0; i < events; i++)
		addr_req(rt, i % 2 ? RTM_DELADDR : RTM_NEWADDR, i);
	count_any = 1;
	marker();
	t0 = now_ns();
	if (ring) {
		got = read_ring(r, ~0ul, 0, 0, &sys);
		lost = mnl_ring_clear_error(r);
	} else {
		ssize_t len;

		/* ENOBUFS says events were lost; the rest is read. */
		while ((len = recv(mnl_socket_get_fd(sock), rbuf, sizeof(rbuf),
				   MSG_DONTWAIT)) != 0) {
			if (len < 0 && errno == ENOBUFS)
				continue;
			if (len < 0)
				break;
			got += count_msgs(rbuf, len, 0);
		}
		lost = events - got;
	}
	marker();
	count_any = 0;
	printf("bench: section %u %s %lu msgs %llu ns\n", ++section, name, got,
	       (unsigned long long)(now_ns() - t0));
	printf("bench: relay %s events %u received %lu lost %lu\n", name,
	       events, got, lost);
	if (smoke && ring)
		failed |= got != events;
	if (r)
		mnl_ring_unmap(r);
	if (nl)
		mnl_socket_close(nl);
	if (sock)
		mnl_socket_close(sock);
	mnl_socket_close(rt);
}

/* --- the packet queue: 64-byte UDP through a verdict application ------ */

#define QPORT	9999

/* The verdict tool running, once it said it is ready. */
static pid_t queue_tool(const char *mode, const char *batch,
			unsigned long count, FILE **err)
{
	char cnt[32];
	int e[2];
	pid_t pid;
	char line[256];

	snprintf(cnt, sizeof(cnt), "%lu", count);
	if (pipe(e))
		die("pipe");
	fflush(stdout);
	pid = fork();
	if (!pid) {
		dup2(e[1], 2);
		/* A verdict per @batch packets; the ring reader woken once
		 * a burst (or 5 ms after its first frame).
		 */
		if (*mode)	/* -s: a socket, no wake-up policy */
			execl("/tests/nlmmap-queue", "nlmmap-queue", "-c", cnt,
			      "-r", "128", "-b", batch, "-S", mode, NULL);
		else
			execl("/tests/nlmmap-queue", "nlmmap-queue", "-c", cnt,
			      "-r", "128", "-b", batch, "-w", "256", "-W",
			      "5000", "-S", NULL);
		_exit(127);
	}
	close(e[1]);
	*err = fdopen(e[0], "r");
	while (*err && fgets(line, sizeof(line), *err))
		if (strstr(line, "ready"))
			return pid;
	return -1;
}

/* @bursts bursts of BURST datagrams of 64 bytes to QPORT, each queued,
 * decided by nlmmap-queue (@mode "-s": stock nfnetlink_queue; NULL: no
 * rule, no tool) with a verdict per @batch packets, and read by a receiver
 * before the next burst.
 */
static void run_queue(const char *name, const char *mode, const char *batch,
		      int bursts)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(QPORT),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET,
							      SOCK_DGRAM, 0);
	unsigned long got = 0, want = (unsigned long)bursts * BURST;
	char payload[64] = "nlmmap", line[256];
	uint64_t t0, *lat = calloc(want, sizeof(*lat)), sent;
	FILE *err = NULL;
	ssize_t n;
	pid_t pid;
	int b, i;

	if (rx < 0 || tx < 0 || bind(rx, (void *)&a, sizeof(a)))
		die("udp");
	pid = mode ? queue_tool(mode, batch, want, &err) : 0;
	if (pid < 0) {
		printf("# %s: no verdict tool\n", name);
		failed = 1;
		close(rx);
		close(tx);
		free(lat);
		if (err)
			fclose(err);
		return;
	}
	marker();
	t0 = now_ns();
	for (b = 0; b < bursts; b++) {
		struct pollfd pfd = { rx, POLLIN, 0 };
		unsigned long until = got + BURST;

		/* Each datagram carries its send time. */
		for (i = 0; i < BURST; i++) {
			sent = now_ns();
			memcpy(payload + 8, &sent, sizeof(sent));
			sendto(tx, payload, sizeof(payload), 0, (void *)&a,
			       sizeof(a));
		}
		while (got < until && poll(&pfd, 1, 5000) > 0)
			while ((n = recv(rx, rbuf, sizeof(rbuf),
					 MSG_DONTWAIT)) > 0) {
				memcpy(&sent, rbuf + 8, sizeof(sent));
				if (lat && got < want && n >= 16)
					lat[got] = now_ns() - sent;
				got++;
			}
		if (got < until)
			break;
	}
	marker();
	report(name, got, want, t0);
	if (lat && got) {
		qsort(lat, got, sizeof(*lat), cmp_u64);
		printf("bench: queue %s latency p50 %llu p99 %llu ns\n", name,
		       (unsigned long long)lat[got / 2],
		       (unsigned long long)lat[got * 99 / 100]);
	}
	free(lat);
	if (pid)
		waitpid(pid, NULL, 0);
	while (err && fgets(line, sizeof(line), err))
		if (strstr(line, "packets,"))
			printf("bench: queue %s %s", name, line + 14);
	if (err)
		fclose(err);
	close(rx);
	close(tx);
}

static void run_queues(int bursts)
{
	static int queue_syms;

	if (system("ifconfig lo up"))
		printf("# lo: not up\n");
	static const char load[] =
		"r=$(uname -r);"
		" while read -r k; do"
		" grep -q \"^$(echo ${k%.ko} | tr - _) \" /proc/modules ||"
		" insmod /lib/modules/$r/$k 2>/dev/null;"
		" done </lib/modules/$r/load-order;"
		" printf 'table ip bench { chain out { type filter hook output"
		" priority 0; udp dport 9999 queue num 0\\n}\\n}\\n' |"
		" /tests/nft -f -";

	run_queue("queuenone-64", NULL, NULL, bursts);
	if (system(load)) {
		printf("# no nf_tables queue: no packet queue workload\n");
		return;
	}
	run_queue("queuesock-64", "-s", "256", bursts);
	/* Stock, one verdict message per packet. */
	run_queue("queuesock1-64", "-s", "1", bursts);
	/* A released nfnetlink_queue instance holds its module until an RCU
	 * grace period has passed: rmmod may need a few tries.
	 */
	if (system("for i in 1 2 3 4 5 6 7 8 9 10; do"
		   " rmmod nfnetlink_queue 2>/dev/null && break; sleep 0.1;"
		   " done; insmod /lib/nlmmap/nlmmap_queue.ko"))
		printf("# nlmmap_queue did not load\n");
	else {
		/* Once, for profile.sh (the first run is profiled): the
		 * symbols with nlmmap_queue's among them.
		 */
		if (!queue_syms++ && bursts > 2)
			print_ksyms();
		run_queue("queuering-64", "", "256", bursts);
	}
	if (system("rmmod nlmmap_queue; /tests/nft flush ruleset"))
		printf("# packet queue teardown\n");
}


static void usage(void)
{
	printf("Usage: " PROG " [--smoke] [--reps N]\n"
	       "The guest side of make bench (tools/bench/run.sh): recvmsg(), recvmmsg()\n"
	       "and the ring side by side for the benchmark source, a dump, a steady load,\n"
	       "the packet queue and the relay. It loads nlmmap_queue, sets nft rules and\n"
	       "floods the audit log: run it in the test VM, not on a host.\n\n"
	       "      --reps=N   repetitions of each workload, 1 to 1000 (default 5)\n"
	       "      --smoke    one short pass that checks every message arrived once\n"
	       "  -h, --help     this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "smoke", no_argument, NULL, 'k' },
		{ "reps", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const unsigned int sizes[] = { 64, 1024, 16384 };
	static const unsigned int wakes[] = { 1, 4, 16, 64, 256 };
	int reps = 5, bursts, i, j, opt;
	struct mnl_socket *nl;
	char name[64];

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			smoke = 1;
			break;
		case 'n':
			reps = cli_ulong(PROG, "--reps", optarg, 1, 1000);
			break;
		case 'h':
			usage();
			return 0;
		default:
			cli_bad_option(PROG);
		}
	}
	cli_no_args(PROG, argc, argv);
	if (smoke) {
		reps = 1;
		dump_objects = 20000;
		steady_msgs = 2048;
	}
	lat = calloc(MAX_LAT, sizeof(*lat));
	if (!lat)
		die("calloc");
	credit_entropy();
	nl = open_socket();
	if (mnl_ring_genl_resolve(nl, NLMMAP_GENL_NAME, &family))
		die("resolve");
	mnl_socket_close(nl);
	if (!smoke) {
		print_ksyms();
		/* Where this program lies, for profile.sh. */
		printf("bench: main %p\n", (void *)main);
	}
	for (i = 0; i < reps; i++) {
		for (j = 0; j < 3; j++) {
			bursts = smoke ? 2 : sizes[j] > 4096 ? 8 : 64;
			snprintf(name, sizeof(name), "recvmsg-%u", sizes[j]);
			run_burst(sizes[j], bursts, name, 0);
			snprintf(name, sizeof(name), "recvmmsg-%u", sizes[j]);
			run_burst(sizes[j], bursts, name, 1);
			snprintf(name, sizeof(name), "ring-%u", sizes[j]);
			run_burst(sizes[j], bursts, name, 2);
			snprintf(name, sizeof(name), "recvmsg_thr-%u", sizes[j]);
			run_thread(sizes[j], bursts * BURST, name, 0);
			snprintf(name, sizeof(name), "recvmmsg_thr-%u",
				 sizes[j]);
			run_thread(sizes[j], bursts * BURST, name, 1);
			snprintf(name, sizeof(name), "ring_thr-%u", sizes[j]);
			run_thread(sizes[j], bursts * BURST, name, 2);
		}
		run_dump_socket("dumpsock-64");
		run_dump_ring("dumpring-64");
		run_steady(0, "steady_recvmsg-64");
		for (j = 0; j < 5; j++) {
			snprintf(name, sizeof(name), "steady_ring%u-64",
				 wakes[j]);
			run_steady(wakes[j], name);
		}
	}
	for (i = 0; i < reps; i++)
		run_queues(smoke ? 2 : 16);
	/* The relay under a paced flood, audit and rtnetlink: a program of
	 * its own, which users run too.
	 */
	if (system(smoke ? "/tests/nlmmap-flood --smoke" :
		   "/tests/nlmmap-flood && /tests/nlmmap-flood --stall 100"))
		failed = 1;
	/* The relay last: it moves the program to a network namespace of
	 * its own, where the address events are its own.
	 */
	if (unshare(CLONE_NEWNET) == 0) {
		for (i = 0; i < reps; i++) {
			run_relay(smoke ? 200 : 2000, 0, "relaysock-addr");
			run_relay(smoke ? 200 : 2000, 1, "relayring-addr");
		}
	} else {
		perror("# unshare: no relay workload");
	}
	return failed;
}
