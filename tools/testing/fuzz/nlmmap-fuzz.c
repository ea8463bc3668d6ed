// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap-fuzz - a seeded syscall fuzzer for nlmmap and nlmmap_queue.
 *
 *   nlmmap-fuzz [--seed S] [--iterations N] [--seconds T] [--round R]
 *               [--torture | --mixed] [--serial] [--ops N] [--deadline D]
 *               [--tap NAME] [--verbose]
 *
 * Round i of seed S runs with the seed mix(S, i): it forks 1..3 worker
 * processes of 1..4 threads each (--torture: two workers of four
 * threads, pinned to CPU 0 and CPU 1, with weights that favour many live
 * rings, producers, closes, unbinds, netns teardown and unloads). Every
 * thread runs a bounded number of operations drawn from its own random
 * stream: the operations and their arguments are a function of the seed
 * alone (every operation takes two numbers of the stream, whatever its
 * outcome), so a seed replays the same calls; the interleaving of the
 * threads is the scheduler's, unless --serial makes them take turns, one
 * operation each, in a fixed order. --mixed: odd rounds torture, rounds
 * 4k+2 serial. --ops caps the operations per thread. Every call is written, before it is made,
 * into a log in shared memory, and its result after it returns.
 *
 * A round fails when a process of it dies of a signal it did not expect
 * (faults on a ring mapping, which other threads unmap and protect at
 * will, are expected inside the operations that touch it and nowhere
 * else), when it has not ended after --deadline seconds, or when the
 * kernel log gets a report (KASAN, UBSAN, lockdep, WARNING, BUG, ...)
 * during it. Then the round's call logs, the kernel report and the
 * command line that replays the round are printed.
 *
 * The run stops after N rounds or T seconds, whichever comes first, and
 * ends with "nlmmap-fuzz: summary: iterations I seed S rounds A..B
 * reports R failures F". Without options, NLMMAP_FUZZ_SECONDS,
 * NLMMAP_FUZZ_SEED and NLMMAP_FUZZ_ROUND from the environment are used,
 * in mixed mode (make fuzz). Documentation/nlmmap/fuzz.rst has more.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>
#include <linux/genetlink.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/nlmmap.h>
#include <linux/nlmmap_queue.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

#define MAX_SLOTS	16
#define WIN_SIZE	(16UL << 20)	/* address window per slot */
#define MAP_MAX		(WIN_SIZE / 2)	/* a mapping lies in one half */
#define LOG_LINES	192
#define LOG_LEN		168
#define MAX_LOGS	24		/* threads of a round */
#define MAX_WORKERS	3
#define MAX_THREADS	4
#define MAX_IDS		8
#define UDP_PORT	9000		/* ports 9000..9003: queues 0..3 */
#define NLMMAP_KO	"/lib/nlmmap/nlmmap.ko"
#define NLMQ_KO		"/lib/nlmmap/nlmmap_queue.ko"

/* Call logs, in memory shared by every process of the run. */
struct tlog {
	unsigned int n;			/* lines written, ever */
	int pid;
	char line[LOG_LINES][LOG_LEN];
};

struct shared {
	struct tlog log[MAX_LOGS];
	unsigned int nlogs;
	unsigned int turn;		/* --serial: whose operation is next */
	unsigned int failed;		/* a process saw an unexpected end */
	char why[256];
	/* What the round reached, for the summary's coverage line. */
	unsigned long setups, maps, tx_frames, rx_frames, packets, faults,
		      forks, netns;
};

static unsigned long cov[8];	/* the run's sums of the above */

#define COUNT(field) __atomic_fetch_add(&sh->field, 1, __ATOMIC_RELAXED)

static struct shared *sh;

/* Options. */
static uint64_t opt_seed;
static long opt_iter = 1000000, opt_seconds = 60, opt_round = -1;
static int opt_torture, opt_mixed, opt_serial, opt_deadline = 120, opt_verbose;
static int opt_ops;	/* at most this many operations per thread */
static const char *opt_tap;

/* ---- random numbers: splitmix64 ---- */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ULL;
	return mix64(*s);
}

static unsigned int rn(uint64_t *s, unsigned int n)
{
	return n ? rnd(s) % n : 0;
}

/* ---- per-thread state ---- */

static __thread struct tlog *cur_log;
static __thread const char *log_prefix = "";
static __thread sigjmp_buf touch_jmp;
static __thread volatile sig_atomic_t in_touch;
static __thread volatile sig_atomic_t touch_sig;
static __thread int pipefd[2] = { -1, -1 };
static __thread char tbuf[65536 + 4096];	/* messages, scratch */

static void on_fault(int sig)
{
	if (in_touch) {
		in_touch = 0;
		touch_sig = sig;
		siglongjmp(touch_jmp, 1);
	}
	/* Not ours to expect: die of it, for the parent to see. */
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Guard for code that touches ring memory: a fault ends the operation. */
#define TOUCH_BEGIN()							\
	do {								\
		if (sigsetjmp(touch_jmp, 1)) {				\
			log_note("fault: signal %d in ring memory "	\
				 "(expected)", (int)touch_sig);		\
			COUNT(faults);					\
			return;						\
		}							\
		in_touch = 1;						\
	} while (0)
#define TOUCH_END()	(in_touch = 0)

static void log_vline(char *l, const char *fmt, va_list ap)
{
	int n = snprintf(l, LOG_LEN, "%s", log_prefix);

	vsnprintf(l + n, LOG_LEN - n, fmt, ap);
}

static char *log_begin(const char *fmt, ...)
{
	static char dummy[LOG_LEN];
	unsigned int i;
	va_list ap;
	char *l;

	if (!cur_log)
		return dummy;
	i = __atomic_fetch_add(&cur_log->n, 1, __ATOMIC_RELAXED);
	l = cur_log->line[i % LOG_LINES];
	va_start(ap, fmt);
	log_vline(l, fmt, ap);
	va_end(ap);
	if (opt_verbose)
		fprintf(stderr, "%d: %s\n", getpid(), l);
	return l;
}

#define log_note(...) ((void)log_begin(__VA_ARGS__))

static void log_end(char *l, long ret, int err)
{
	size_t n = strnlen(l, LOG_LEN - 1);
	const char *e = err ? strerrorname_np(err) : NULL;

	if (ret < 0 && err)
		snprintf(l + n, LOG_LEN - n, " = %ld %s", ret,
			 e ? e : "?");
	else
		snprintf(l + n, LOG_LEN - n, " = %ld", ret);
}

/* Log the call before it is made, and its result after. */
#define CALL(expr, ...) ({						\
	char *_l = log_begin(__VA_ARGS__);				\
	long _r;							\
	errno = 0;							\
	_r = (long)(expr);						\
	log_end(_l, _r, _r < 0 ? errno : 0);				\
	_r;								\
})

static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!__atomic_exchange_n(&sh->failed, 1, __ATOMIC_SEQ_CST))
		vsnprintf(sh->why, sizeof(sh->why), fmt, ap);
	va_end(ap);
}

/* ---- what a worker process's threads share (and fight over) ---- */

struct obj {
	int nl;			/* NETLINK_GENERIC socket */
	int rf;			/* /dev/nlmmap file */
	int nf;			/* NETLINK_NETFILTER socket */
	char *win;		/* this slot's address window */
	char *map;		/* the current mapping, if any */
	size_t maplen;
	struct nl_mmap_req rx, tx;
	struct nlmmap_offsets off;
	unsigned int txpos, rxpos;
	unsigned int ids[MAX_IDS];	/* packet ids seen */
	unsigned int nid;
	unsigned int queue;
};

static struct obj objs[MAX_SLOTS];
static int nslots;
static uint16_t fam_nlmmap, fam_queue;
static int udp_fd = -1, rtnl_fd = -1, user_fd = -1;

static int ld(const int *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static int xchg(int *p, int v)
{
	return __atomic_exchange_n(p, v, __ATOMIC_RELAXED);
}

static uint32_t ldu(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static void stu(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELAXED);
}

/* ---- netlink messages ---- */

struct msg {
	char buf[8192] __attribute__((aligned(8)));
	size_t len;
	size_t attrs[16];	/* offsets of attributes, for corruption */
	int nattrs;
};

static struct nlmsghdr *msg_nlh(struct msg *m)
{
	return (struct nlmsghdr *)m->buf;
}

static void msg_init(struct msg *m, uint16_t type, uint16_t flags,
		     uint32_t seq)
{
	struct nlmsghdr *nlh = msg_nlh(m);

	memset(m->buf, 0, 64);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	m->len = NLMSG_HDRLEN;
	m->nattrs = 0;
	nlh->nlmsg_len = m->len;
}

static void msg_genl(struct msg *m, uint16_t fam, uint8_t cmd, uint8_t ver,
		     uint16_t flags, uint32_t seq, uint16_t reserved)
{
	struct genlmsghdr *g;

	msg_init(m, fam, flags, seq);
	g = (struct genlmsghdr *)(m->buf + m->len);
	g->cmd = cmd;
	g->version = ver;
	g->reserved = reserved;
	m->len += GENL_HDRLEN;
	msg_nlh(m)->nlmsg_len = m->len;
}

static void put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a;

	if (m->len + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		return;
	a = (struct nlattr *)(m->buf + m->len);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	if (m->nattrs < 16)
		m->attrs[m->nattrs++] = m->len;
	m->len += NLA_HDRLEN + NLA_ALIGN(len);
	msg_nlh(m)->nlmsg_len = m->len;
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put(m, type, &v, 4);
}

static void put_rand(struct msg *m, uint16_t type, size_t len, uint64_t *s)
{
	size_t i;

	if (len > sizeof(tbuf))
		len = sizeof(tbuf);
	for (i = 0; i < len; i++)
		tbuf[i] = (char)rnd(s);
	put(m, type, tbuf, len);
}

/* Valid mostly; else truncated, with a bad length, or with bytes flipped. */
static const char *msg_mutate(struct msg *m, uint64_t *s)
{
	struct nlmsghdr *nlh = msg_nlh(m);
	unsigned int i, n;

	switch (rn(s, 12)) {
	case 0:
		m->len = rn(s, m->len + 1);
		return "truncated";
	case 1:
		nlh->nlmsg_len = rn(s, 3) ? rn(s, m->len + 64) :
				 (uint32_t)rnd(s);
		return "nlmsg_len";
	case 2:
		if (!m->nattrs)
			return "none";
		i = m->attrs[rn(s, m->nattrs)];
		((struct nlattr *)(m->buf + i))->nla_len =
			rn(s, 2) ? rn(s, 64) : (uint16_t)rnd(s);
		return "nla_len";
	case 3:
		n = 1 + rn(s, 8);
		while (n--)
			m->buf[rn(s, m->len ? m->len : 1)] ^= 1 << rn(s, 8);
		return "flipped";
	case 4:
		nlh->nlmsg_flags ^= 1 << rn(s, 16);
		return "flags";
	default:
		return "valid";
	}
}

static const uint32_t protocols[] = {
	NETLINK_ROUTE, NETLINK_USERSOCK, NETLINK_AUDIT, NETLINK_GENERIC,
	NETLINK_KOBJECT_UEVENT, NETLINK_NETFILTER, NETLINK_SOCK_DIAG, 33, 99,
};

static uint32_t pick_protocol(uint64_t *s)
{
	return rn(s, 8) ? protocols[rn(s, 4)] :
	       protocols[rn(s, sizeof(protocols) / sizeof(protocols[0]))];
}

static uint32_t pick_group(uint64_t *s)
{
	switch (rn(s, 6)) {
	case 0:
		return (uint32_t)rnd(s);
	case 1:
		return 0;
	case 2:
		return RTNLGRP_IPV4_IFADDR;
	case 3:
		return RTNLGRP_LINK;
	default:
		return 1 + rn(s, 32);
	}
}

static uint32_t pick_id(struct obj *o, uint64_t *s)
{
	unsigned int n = ldu(&o->nid);

	if (!n || !rn(s, 6))
		return rn(s, 3) ? rn(s, 64) : (uint32_t)rnd(s);
	return ldu(&o->ids[rn(s, n < MAX_IDS ? n : MAX_IDS)]);
}

static uint32_t pick_verdict(uint64_t *s)
{
	switch (rn(s, 12)) {
	case 0:
		return NF_REPEAT;
	case 1:
		return NF_STOLEN;
	case 2:
		return NF_QUEUE | (rn(s, 4) << 16);
	case 3:
		return NF_QUEUE | (rn(s, 4) << 16) | NF_VERDICT_FLAG_QUEUE_BYPASS;
	case 4:
		return (uint32_t)rnd(s);
	case 5:
	case 6:
	case 7:
		return NF_DROP;
	default:
		return NF_ACCEPT;
	}
}

static const char *const mnames[] = {
	"GET", "RING_GET", "RING_GET/dump", "BENCH", "BENCH_MSG", "ECHO",
	"BIND", "SUBSCRIBE", "UNSUBSCRIBE", "SUB_GET/dump", "cmd?",
	"Q_BIND", "Q_UNBIND", "Q_VERDICT", "Q_VERDICT_BATCH", "Q_GET",
	"Q_GET/dump", "Q_ENTRY_GET/dump", "Q_PACKET", "CTRL_GETFAMILY/dump",
	"random",
};

#define NKINDS (sizeof(mnames) / sizeof(mnames[0]))

/* A request of one of the families, structure-aware; its name. */
static const char *build_request(struct msg *m, struct obj *o, uint64_t *s)
{
	unsigned int kind = rn(s, NKINDS), seq = (uint32_t)rnd(s);
	uint16_t ack = rn(s, 2) ? NLM_F_ACK : 0;
	uint16_t fq = rn(s, 16) ? fam_queue : (uint16_t)rnd(s);
	uint16_t fn = rn(s, 16) ? fam_nlmmap : (uint16_t)rnd(s);
	uint8_t ver = rn(s, 16) ? 1 : (uint8_t)rnd(s);
	struct nfqnl_msg_verdict_hdr vh;
	int i;

	switch (kind) {
	case 0:
		msg_genl(m, fn, NLMMAP_CMD_GET, ver, ack, seq, 0);
		break;
	case 1:
		msg_genl(m, fn, NLMMAP_CMD_RING_GET, ver, ack, seq, 0);
		break;
	case 2:
		msg_genl(m, fn, NLMMAP_CMD_RING_GET, ver, NLM_F_DUMP | ack,
			 seq, 0);
		break;
	case 3:
		msg_genl(m, fn, NLMMAP_CMD_BENCH, ver, ack, seq, 0);
		put_u32(m, NLMMAP_A_COUNT, rn(s, 4) ? rn(s, 200) :
			rn(s, 2000));
		put_u32(m, NLMMAP_A_SIZE, rn(s, 4) ? rn(s, 256) :
			rn(s, 70000));
		if (!rn(s, 3))
			put(m, NLMMAP_A_STAMP, NULL, 0);
		break;
	case 4:
		msg_genl(m, fn, NLMMAP_CMD_BENCH_MSG, ver, ack, seq, 0);
		put_u32(m, NLMMAP_A_SEQ, (uint32_t)rnd(s));
		break;
	case 5:
		msg_genl(m, fn, NLMMAP_CMD_ECHO, ver, ack, seq, 0);
		put_rand(m, NLMMAP_A_PAYLOAD, rn(s, 4) ? rn(s, 512) :
			 rn(s, 7000), s);
		break;
	case 6:
		msg_genl(m, fn, NLMMAP_CMD_BIND, ver, ack, seq, 0);
		put_u32(m, NLMMAP_A_RING_FD, rn(s, 4) ?
			ld(&objs[rn(s, nslots)].rf) : (int)rn(s, 64));
		break;
	case 7:
	case 8:
		msg_genl(m, fn, kind == 7 ? NLMMAP_CMD_SUBSCRIBE :
			 NLMMAP_CMD_UNSUBSCRIBE, ver, ack, seq, 0);
		if (rn(s, 8))
			put_u32(m, NLMMAP_A_PROTOCOL, pick_protocol(s));
		if (rn(s, 8))
			put_u32(m, NLMMAP_A_GROUP, pick_group(s));
		break;
	case 9:
		msg_genl(m, fn, NLMMAP_CMD_SUB_GET, ver, NLM_F_DUMP | ack,
			 seq, 0);
		break;
	case 10:
		msg_genl(m, fn, rn(s, 256), ver, ack | (rn(s, 2) ?
			 NLM_F_DUMP : 0), seq, 0);
		for (i = rn(s, 4); i > 0; i--)
			put_rand(m, rn(s, NLMMAP_A_MAX + 3), rn(s, 16), s);
		break;
	case 11:
		msg_genl(m, fq, NLMQ_CMD_BIND, ver, ack, seq, 0);
		if (rn(s, 8))
			put_u32(m, NLMQ_A_QUEUE, rn(s, 8) ? rn(s, 4) :
				(uint32_t)rnd(s));
		if (!rn(s, 3))
			put_u32(m, NLMQ_A_COPY_MODE, rn(s, 4));
		if (!rn(s, 3))
			put_u32(m, NLMQ_A_COPY_RANGE, rn(s, 3) ?
				rn(s, 2000) : (uint32_t)rnd(s));
		if (!rn(s, 2))
			put_u32(m, NLMQ_A_MAXLEN, rn(s, 3) ? 1 + rn(s, 64) :
				(uint32_t)rnd(s));
		if (!rn(s, 2))
			put_u32(m, NLMQ_A_FLAGS, rn(s, 4) ? rn(s, 16) :
				(uint32_t)rnd(s));
		break;
	case 12:
		msg_genl(m, fq, NLMQ_CMD_UNBIND, ver, ack, seq, 0);
		break;
	case 13:
	case 14:
		msg_genl(m, fq, kind == 13 ? NLMQ_CMD_VERDICT :
			 NLMQ_CMD_VERDICT_BATCH, ver, ack, seq,
			 htons(rn(s, 4)));
		vh.verdict = htonl(pick_verdict(s));
		vh.id = htonl(pick_id(o, s));
		if (rn(s, 10))
			put(m, NFQA_VERDICT_HDR, &vh, rn(s, 10) ? sizeof(vh) :
			    rn(s, sizeof(vh)));
		if (!rn(s, 4))
			put_u32(m, NFQA_MARK, htonl((uint32_t)rnd(s)));
		if (!rn(s, 4))
			put_u32(m, NFQA_PRIORITY, (uint32_t)rnd(s));
		if (kind == 13 && !rn(s, 6))
			put_rand(m, NFQA_PAYLOAD, rn(s, 1600), s);
		if (!rn(s, 12))
			put_rand(m, rn(s, NFQA_MAX + 2), rn(s, 24), s);
		break;
	case 15:
	case 16:
		msg_genl(m, fq, NLMQ_CMD_GET, ver, ack | (kind == 16 ?
			 NLM_F_DUMP : 0), seq, 0);
		break;
	case 17:
		msg_genl(m, fq, NLMQ_CMD_ENTRY_GET, ver, NLM_F_DUMP | ack,
			 seq, 0);
		if (rn(s, 2))
			put_u32(m, NLMQ_A_QUEUE, rn(s, 5));
		break;
	case 18:
		msg_genl(m, fq, NLMQ_CMD_PACKET, ver, ack, seq, 0);
		put_rand(m, NFQA_PACKET_HDR, 7, s);
		break;
	case 19:
		msg_genl(m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, NLM_F_DUMP,
			 seq, 0);
		break;
	default:
		msg_init(m, (uint16_t)rnd(s), (uint16_t)rnd(s), seq);
		put_rand(m, rn(s, 16), rn(s, 64), s);
		break;
	}
	return mnames[kind];
}

/* nfnetlink_queue's protocol, which nlmmap_queue serves. */
static const char *build_nfq(struct msg *m, struct obj *o, uint64_t *s)
{
	unsigned int kind = rn(s, 5), q = rn(s, 8) ? rn(s, 4) : rn(s, 65536);
	struct nfqnl_msg_verdict_hdr vh;
	struct nfqnl_msg_config_cmd cmd;
	struct nfqnl_msg_config_params par;
	struct nfgenmsg *g;
	uint16_t type;

	switch (kind) {
	case 0:
	case 1:
		type = NFQNL_MSG_CONFIG;
		break;
	case 2:
		type = NFQNL_MSG_VERDICT;
		break;
	case 3:
		type = NFQNL_MSG_VERDICT_BATCH;
		break;
	default:
		type = rn(s, 8);
		break;
	}
	msg_init(m, (NFNL_SUBSYS_QUEUE << 8) | type,
		 rn(s, 2) ? NLM_F_ACK : 0, (uint32_t)rnd(s));
	g = (struct nfgenmsg *)(m->buf + m->len);
	g->nfgen_family = rn(s, 4) ? AF_UNSPEC : AF_INET;
	g->version = NFNETLINK_V0;
	g->res_id = htons(q);
	m->len += sizeof(*g);
	msg_nlh(m)->nlmsg_len = m->len;
	if (type == NFQNL_MSG_CONFIG) {
		if (rn(s, 4)) {
			memset(&cmd, 0, sizeof(cmd));
			cmd.command = 1 + rn(s, 4);	/* BIND..PF_UNBIND */
			cmd.pf = htons(AF_INET);
			put(m, NFQA_CFG_CMD, &cmd, sizeof(cmd));
		}
		if (rn(s, 2)) {
			par.copy_range = htonl(rn(s, 3000));
			par.copy_mode = rn(s, 4);
			put(m, NFQA_CFG_PARAMS, &par, sizeof(par));
		}
		if (rn(s, 2))
			put_u32(m, NFQA_CFG_QUEUE_MAXLEN, htonl(rn(s, 100)));
		if (rn(s, 2)) {
			put_u32(m, NFQA_CFG_MASK, htonl(rn(s, 32)));
			put_u32(m, NFQA_CFG_FLAGS, htonl(rn(s, 32)));
		}
	} else {
		vh.verdict = htonl(pick_verdict(s));
		vh.id = htonl(pick_id(o, s));
		put(m, NFQA_VERDICT_HDR, &vh, sizeof(vh));
		if (!rn(s, 4))
			put_u32(m, NFQA_MARK, htonl((uint32_t)rnd(s)));
		if (type == NFQNL_MSG_VERDICT && !rn(s, 6))
			put_rand(m, NFQA_PAYLOAD, rn(s, 1600), s);
		if (!rn(s, 8))
			put_rand(m, rn(s, NFQA_MAX + 2), rn(s, 24), s);
	}
	return kind < 2 ? "NFQ_CONFIG" : kind == 2 ? "NFQ_VERDICT" :
	       kind == 3 ? "NFQ_VERDICT_BATCH" : "NFQ_random";
}

static long nl_send(int fd, const void *buf, size_t len)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };

	return sendto(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&k,
		      sizeof(k));
}

/* Remember queue packet ids that pass by, for verdicts. */
static void note_packets(struct obj *o, const char *buf, long len)
{
	const struct nlmsghdr *nlh = (const void *)buf;
	unsigned int off, hl;

	for (; len >= (long)NLMSG_HDRLEN && NLMSG_OK(nlh, (unsigned long)len);
	     nlh = NLMSG_NEXT(nlh, len)) {
		uint16_t t = nlh->nlmsg_type;

		if (t == fam_queue && nlh->nlmsg_len >= NLMSG_HDRLEN +
		    GENL_HDRLEN && ((struct genlmsghdr *)NLMSG_DATA(nlh))->cmd ==
		    NLMQ_CMD_PACKET)
			hl = GENL_HDRLEN;
		else if (t == ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET))
			hl = sizeof(struct nfgenmsg);
		else
			continue;
		for (off = NLMSG_HDRLEN + hl; off + NLA_HDRLEN <= nlh->nlmsg_len;) {
			const struct nlattr *a = (const void *)((char *)nlh + off);

			if (a->nla_len < NLA_HDRLEN ||
			    off + a->nla_len > nlh->nlmsg_len)
				break;
			if ((a->nla_type & NLA_TYPE_MASK) == NFQA_PACKET_HDR &&
			    a->nla_len >= NLA_HDRLEN + 4) {
				uint32_t id;
				unsigned int n;

				memcpy(&id, (char *)a + NLA_HDRLEN, 4);
				n = __atomic_fetch_add(&o->nid, 1,
						       __ATOMIC_RELAXED);
				stu(&o->ids[n % MAX_IDS], ntohl(id));
				COUNT(packets);
				break;
			}
			off += NLA_ALIGN(a->nla_len);
		}
	}
}

/* ---- the slots' memory ---- */

/* Frame @idx of ring @tx (or RX) of @o, checked against the mapping
 * (NULL: none). Everything returned lies in the slot's window.
 */
static struct nl_mmap_hdr *frame_at(struct obj *o, int tx, unsigned int idx,
				    unsigned int *fsz, unsigned int *nr)
{
	struct nl_mmap_req req = tx ? o->tx : o->rx;
	char *map = __atomic_load_n(&o->map, __ATOMIC_RELAXED);
	size_t len = __atomic_load_n(&o->maplen, __ATOMIC_RELAXED);
	size_t base = tx ? o->off.tx : o->off.rx, off;

	if (!map || !req.nm_frame_nr || !req.nm_frame_size ||
	    req.nm_frame_size > req.nm_block_size || len > MAP_MAX ||
	    map < o->win || map + len > o->win + WIN_SIZE)
		return NULL;
	idx %= req.nm_frame_nr;
	off = base + nlmmap_frame_offset(&req, idx);
	if (off + req.nm_frame_size > len || req.nm_frame_size < NLMMAP_HDRLEN)
		return NULL;
	*fsz = req.nm_frame_size;
	*nr = req.nm_frame_nr;
	return (struct nl_mmap_hdr *)(map + off);
}

/* Put the window's reservation back over [p, p + len). */
static void reserve(char *p, size_t len)
{
	mmap(p, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
	     MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0);
}

static void geometry(struct nl_mmap_req *r, uint64_t *s, int valid)
{
	static const unsigned int fs[] = { 32, 128, 256, 512, 1024, 2048,
					   4096, 8192, 16384 };
	unsigned int f = fs[rn(s, 9)], b = f > 4096 ? f : 4096;

	if (rn(s, 4) == 0)
		b *= 2;
	r->nm_frame_size = f;
	r->nm_block_size = b;
	r->nm_block_nr = 1 + rn(s, 8);
	r->nm_frame_nr = b / f * r->nm_block_nr;
	if (valid)
		return;
	switch (rn(s, 9)) {
	case 0:
		r->nm_frame_nr += 1 + rn(s, 3);
		break;
	case 1:
		r->nm_frame_size += 1 + rn(s, 7);
		break;
	case 2:
		r->nm_block_size += 512;
		break;
	case 3:
		r->nm_frame_size = b * 2;
		break;
	case 4:
		r->nm_frame_size = 0;
		break;
	case 5:
		r->nm_block_nr = 0;
		break;
	case 6:
		r->nm_frame_size = (uint32_t)rnd(s);
		r->nm_block_size = (uint32_t)rnd(s);
		r->nm_block_nr = (uint32_t)rnd(s);
		r->nm_frame_nr = (uint32_t)rnd(s);
		break;
	case 7:
		r->nm_block_size = NLMMAP_MAX_BLOCK_SIZE * 2;
		r->nm_frame_size = 4096;
		r->nm_block_nr = 1;
		r->nm_frame_nr = r->nm_block_size / 4096;
		break;
	default:
		r->nm_frame_size = 16;	/* below NLMMAP_HDRLEN */
		r->nm_frame_nr = b / 16 * r->nm_block_nr;
		break;
	}
}

/* ---- operations ---- */

struct th;
typedef void (*op_fn)(struct th *t, struct obj *o, uint64_t s);

struct th {
	int worker, idx, cpu, nops;
	int gidx;			/* index among the round's threads */
	uint64_t rng;
	struct tlog *log;
	pthread_t tid;
};

static int slot_of(struct obj *o)
{
	return (int)(o - objs);
}

static void op_socket(struct th *t, struct obj *o, uint64_t s)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	int nf = !rn(&s, 6), fd, old;

	(void)t;
	fd = CALL(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 nf ? NETLINK_NETFILTER : NETLINK_GENERIC),
		  "socket(%s) slot %d", nf ? "NETFILTER" : "GENERIC",
		  slot_of(o));
	if (fd < 0)
		return;
	if (rn(&s, 4)) {
		a.nl_pid = rn(&s, 3) ? 0 : 1 + rn(&s, 4096);
		a.nl_groups = rn(&s, 8) ? 0 : (uint32_t)rnd(&s);
		CALL(bind(fd, (struct sockaddr *)&a, sizeof(a)),
		     "bind(%d, pid %u groups %#x)", fd, a.nl_pid,
		     a.nl_groups);
	}
	old = xchg(nf ? &o->nf : &o->nl, fd);
	if (old >= 0)
		CALL(close(old), "close(%d) old socket", old);
}

static void op_open(struct th *t, struct obj *o, uint64_t s)
{
	int fl = rn(&s, 8) ? O_RDWR : rn(&s, 2) ? O_RDONLY : O_WRONLY;
	int fd, old;

	(void)t;
	fd = CALL(open(NLMMAP_DEVICE, fl | O_CLOEXEC), "open(%s, %#x) slot %d",
		  NLMMAP_DEVICE, fl, slot_of(o));
	if (fd < 0)
		return;
	old = xchg(&o->rf, fd);
	if (old >= 0)
		CALL(close(old), "close(%d) old ring file", old);
}

static void drain_sock(struct obj *o, int fd, int n)
{
	long r;

	while (n-- > 0 && fd >= 0) {
		r = recv(fd, tbuf, sizeof(tbuf), MSG_DONTWAIT);
		if (r <= 0 && errno != ENOBUFS)
			break;
		if (r > 0)
			note_packets(o, tbuf, r);
	}
}

static void bind_ring(struct obj *o, int nl, int rf)
{
	struct msg m;

	msg_genl(&m, fam_nlmmap, NLMMAP_CMD_BIND, 1, NLM_F_ACK, 1, 0);
	put_u32(&m, NLMMAP_A_RING_FD, rf);
	CALL(nl_send(nl, m.buf, m.len), "BIND nl %d ring fd %d", nl, rf);
	drain_sock(o, nl, 2);
}

static void op_bind(struct th *t, struct obj *o, uint64_t s)
{
	struct obj *p = rn(&s, 5) ? o : &objs[rn(&s, nslots)];

	(void)t;
	bind_ring(o, ld(&o->nl), rn(&s, 10) ? ld(&p->rf) : (int)rn(&s, 40));
}

/* The number of extensible ioctl @v1 for a struct of @size bytes, as a
 * program built against a later header has it; now and then @v1 itself,
 * whose size then differs from @size.
 */
static unsigned long ioc_sized(unsigned long v1, uint32_t size, uint64_t *s)
{
	if (!rn(s, 4) || size > _IOC_SIZEMASK)
		return v1;
	return (v1 & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
	       (unsigned long)size << _IOC_SIZESHIFT;
}

static int setup_rings(struct obj *o, int fd, uint64_t *s, int valid)
{
	static __thread char b[4096 + 64] __attribute__((aligned(8)));
	struct nlmmap_setup *su = (struct nlmmap_setup *)b;
	unsigned int size = sizeof(*su);
	long r;

	memset(b, 0, sizeof(b));
	geometry(&su->rx, s, valid || rn(s, 3));
	if (rn(s, 4))
		geometry(&su->tx, s, valid || rn(s, 3));
	if (!valid && !rn(s, 6))
		memset(&su->rx, 0, sizeof(su->rx));
	if (!valid && !rn(s, 8))
		memset(&su->tx, 0, sizeof(su->tx));
	if (!rn(s, 3))
		su->flags = rn(s, 6) ? NLMMAP_SETUP_TX_COPY : (uint32_t)rnd(s);
	if (!rn(s, 3))
		su->dump_resume_pct = rn(s, 5) ? rn(s, 101) : rn(s, 1000);
	if (!rn(s, 3)) {
		su->wake_frames = rn(s, 70);
		su->wake_usecs = rn(s, 5) ? rn(s, 3000) : (uint32_t)rnd(s);
	}
	if (!valid) {
		switch (rn(s, 8)) {
		case 0:
			size = rn(s, sizeof(*su));
			break;
		case 1:
			size = sizeof(*su) + 8 * (1 + rn(s, 4));
			break;
		case 2:
			size = sizeof(*su) + 8;
			b[sizeof(*su) + rn(s, 8)] = 1;
			break;
		case 3:
			size = 4096;
			break;
		case 4:
			su->resv[rn(s, 4)] = rnd(s);
			break;
		case 5:
			size = (uint32_t)rnd(s);
			break;
		}
	}
	su->size = size;
	r = CALL(ioctl(fd, ioc_sized(NLMMAP_IOC_SETUP, size, s), b),
		 "SETUP(%d) size %u rx %u/%u/%u/%u tx %u/%u/%u/%u fl %#x "
		 "pct %u wake %u/%u", fd, size, su->rx.nm_block_size,
		 su->rx.nm_block_nr, su->rx.nm_frame_size, su->rx.nm_frame_nr,
		 su->tx.nm_block_size, su->tx.nm_block_nr,
		 su->tx.nm_frame_size, su->tx.nm_frame_nr, su->flags,
		 su->dump_resume_pct, su->wake_frames, su->wake_usecs);
	if (r == 0)
		COUNT(setups);
	if (r == 0 && fd == ld(&o->rf)) {
		o->rx = su->rx;
		o->tx = su->tx;
		o->off = su->off;
	}
	return (int)r;
}

static void op_setup(struct th *t, struct obj *o, uint64_t s)
{
	(void)t;
	setup_rings(o, ld(&o->rf), &s, !rn(&s, 3));
}

static void map_ring(struct obj *o, int fd, uint64_t *s, int valid)
{
	size_t len = o->off.size;
	int prot = PROT_READ | PROT_WRITE, fl = MAP_SHARED;
	char *at = o->win + (rn(s, 4) ? 0 : MAP_MAX);
	off_t off = 0;
	void *p;

	if (!valid) {
		switch (rn(s, 10)) {
		case 0:
			len = 4096 * (1 + rn(s, 64));
			break;
		case 1:
			prot = PROT_READ;
			break;
		case 2:
			prot |= PROT_EXEC;
			break;
		case 3:
			fl = MAP_PRIVATE;
			break;
		case 4:
			off = 4096 * rn(s, 4);
			break;
		case 5:
			fl |= MAP_POPULATE;
			break;
		case 6:
			len = len > 4096 ? len - 4096 : len;
			break;
		case 7:
			prot = PROT_WRITE;
			break;
		}
	}
	if (!len)
		len = 4096;
	if (len > MAP_MAX)
		len = MAP_MAX;
	p = mmap(at, len, prot, fl | MAP_FIXED, fd, off);
	log_end(log_begin("mmap(%p, %zu, %#x, %#x, %d, %ld) slot %d", at, len,
			  prot, fl, fd, (long)off, slot_of(o)),
		p == MAP_FAILED ? -1 : 0, p == MAP_FAILED ? errno : 0);
	if (p == MAP_FAILED) {
		/* MAP_FIXED has unmapped what was there even so. */
		reserve(at, len);
		return;
	}
	COUNT(maps);
	__atomic_store_n(&o->map, (char *)p, __ATOMIC_RELAXED);
	__atomic_store_n(&o->maplen, len, __ATOMIC_RELAXED);
	stu(&o->txpos, 0);
	stu(&o->rxpos, 0);
}

static void op_mmap(struct th *t, struct obj *o, uint64_t s)
{
	(void)t;
	map_ring(o, ld(&o->rf), &s, rn(&s, 3));
}

static void op_munmap(struct th *t, struct obj *o, uint64_t s)
{
	char *map = __atomic_load_n(&o->map, __ATOMIC_RELAXED);
	size_t len = __atomic_load_n(&o->maplen, __ATOMIC_RELAXED), off = 0;

	(void)t;
	if (!map)
		map = o->win;
	if (!len || rn(&s, 3) == 0) {
		off = 4096 * rn(&s, 8);
		len = 4096 * (1 + rn(&s, 8));
	}
	if (CALL(munmap(map + off, len), "munmap(%p, %zu) slot %d", map + off,
		 len, slot_of(o)) == 0)
		reserve(map + off, len);
	if (!off && len >= __atomic_load_n(&o->maplen, __ATOMIC_RELAXED))
		__atomic_store_n(&o->map, NULL, __ATOMIC_RELAXED);
}

static void op_mremap(struct th *t, struct obj *o, uint64_t s)
{
	char *map = __atomic_load_n(&o->map, __ATOMIC_RELAXED);
	size_t len = __atomic_load_n(&o->maplen, __ATOMIC_RELAXED), nlen;
	char *to, *p;
	int how = rn(&s, 5);

	(void)t;
	if (!map || !len)
		return log_note("mremap slot %d: nothing mapped", slot_of(o));
	to = map == o->win ? o->win + MAP_MAX : o->win;
	nlen = how == 0 ? len + 4096 * (1 + rn(&s, 4)) :
	       how == 1 && len > 4096 ? len - 4096 * (1 + rn(&s, len / 4096 - 1)) :
	       len;
	if (nlen > MAP_MAX)
		nlen = MAP_MAX;
	if (how >= 2)
		p = mremap(map, len, nlen, MREMAP_MAYMOVE | MREMAP_FIXED |
			   (how == 4 ? MREMAP_DONTUNMAP : 0), to);
	else
		p = mremap(map, len, nlen, 0);
	log_end(log_begin("mremap(%p, %zu, %zu, how %d, %p) slot %d", map, len,
			  nlen, how, to, slot_of(o)),
		p == MAP_FAILED ? -1 : 0, p == MAP_FAILED ? errno : 0);
	if (p == MAP_FAILED)
		return;
	if (p != map && how != 4)
		reserve(map, len);
	if (nlen < len && p == map)
		reserve(map + nlen, len - nlen);
	__atomic_store_n(&o->map, p, __ATOMIC_RELAXED);
	__atomic_store_n(&o->maplen, nlen, __ATOMIC_RELAXED);
}

static void op_mprotect(struct th *t, struct obj *o, uint64_t s)
{
	static const int prots[] = { PROT_NONE, PROT_READ,
				     PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_WRITE | PROT_EXEC,
				     PROT_EXEC, PROT_WRITE };
	char *map = __atomic_load_n(&o->map, __ATOMIC_RELAXED);
	size_t off = 4096 * rn(&s, 8), len = 4096 * (1 + rn(&s, 16));
	int prot = prots[rn(&s, 6)];

	(void)t;
	if (!map)
		map = o->win;
	CALL(mprotect(map + off, len, prot), "mprotect(%p, %zu, %#x) slot %d",
	     map + off, len, prot, slot_of(o));
}

static void op_madvise(struct th *t, struct obj *o, uint64_t s)
{
	static const int adv[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK,
		MADV_DOFORK, MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE,
		MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK,
		MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ,
		MADV_POPULATE_WRITE,
	};
	char *map = __atomic_load_n(&o->map, __ATOMIC_RELAXED);
	size_t off = 4096 * rn(&s, 8), len = 4096 * (1 + rn(&s, 16));
	int a = adv[rn(&s, sizeof(adv) / sizeof(adv[0]))];

	(void)t;
	if (!map)
		map = o->win;
	CALL(madvise(map + off, len, a), "madvise(%p, %zu, %d) slot %d",
	     map + off, len, a, slot_of(o));
}

static void op_touch(struct th *t, struct obj *o, uint64_t s)
{
	volatile char *map = __atomic_load_n(&o->map, __ATOMIC_RELAXED);
	size_t len = __atomic_load_n(&o->maplen, __ATOMIC_RELAXED), off;
	int i, n = 1 + rn(&s, 16);
	unsigned int sum = 0;

	(void)t;
	if (!map || !len || len > MAP_MAX)
		return log_note("touch slot %d: nothing mapped", slot_of(o));
	log_note("touch slot %d: %d accesses in %zu bytes", slot_of(o), n, len);
	TOUCH_BEGIN();
	for (i = 0; i < n; i++) {
		off = rn(&s, len) & ~3UL;
		if (rn(&s, 2))
			sum += map[off];
		else
			map[off] = (char)rnd(&s);
	}
	TOUCH_END();
	(void)sum;
}

static void op_kick(struct th *t, struct obj *o, uint64_t s)
{
	int i, n = 1 + rn(&s, 3), fd = ld(&o->rf);

	(void)t;
	for (i = 0; i < n; i++)
		if (CALL(ioctl(fd, NLMMAP_IOC_KICK), "KICK(%d)", fd) <= 0)
			break;
}

/* A request into the next (or a random) TX frame, published VALID. */
static void op_tx(struct th *t, struct obj *o, uint64_t s)
{
	struct nl_mmap_hdr *h;
	unsigned int fs, nr, idx, len, st;
	const char *what, *mut;
	struct msg m;

	(void)t;
	idx = rn(&s, 4) ? __atomic_fetch_add(&o->txpos, 1, __ATOMIC_RELAXED) :
	      (uint32_t)rnd(&s);
	what = build_request(&m, o, &s);
	mut = msg_mutate(&m, &s);
	len = m.len;
	if (!rn(&s, 8))
		len = rn(&s, 2) ? (uint32_t)rnd(&s) : len + rn(&s, 256);
	st = rn(&s, 20) ? NLMMAP_STATUS_VALID : rn(&s, 8);
	h = frame_at(o, 1, idx, &fs, &nr);
	if (!h)
		return log_note("tx slot %d: no TX ring mapped", slot_of(o));
	log_note("tx slot %d frame %u: %s (%s) len %u nm_len %u status %u",
		 slot_of(o), idx % nr, what, mut, (unsigned int)m.len, len, st);
	TOUCH_BEGIN();
	if (nlmmap_frame_status(h) != NLMMAP_STATUS_UNUSED && rn(&s, 4)) {
		TOUCH_END();
		return log_note("tx: frame busy");
	}
	memcpy(nlmmap_frame_data(h), m.buf, m.len < fs - NLMMAP_HDRLEN ?
	       m.len : fs - NLMMAP_HDRLEN);
	h->nm_len = len;
	nlmmap_frame_publish(h, st);
	TOUCH_END();
	COUNT(tx_frames);
	if (rn(&s, 2))
		op_kick(t, o, s);
}

/* Rewrite TX frames while others kick: lengths, headers, status. */
static void op_scribble(struct th *t, struct obj *o, uint64_t s)
{
	unsigned int fs, nr, i, n = 8 + rn(&s, 120), off;
	struct nl_mmap_hdr *h;
	int tx = rn(&s, 4) != 0;

	(void)t;
	h = frame_at(o, tx, 0, &fs, &nr);
	if (!h)
		return log_note("scribble slot %d: no ring", slot_of(o));
	log_note("scribble slot %d %s: %u writes", slot_of(o),
		 tx ? "TX" : "RX", n);
	TOUCH_BEGIN();
	for (i = 0; i < n; i++) {
		h = frame_at(o, tx, rn(&s, 1 << 20), &fs, &nr);
		if (!h)
			break;
		switch (rn(&s, 6)) {
		case 0:
			h->nm_len = rn(&s, 2) ? rn(&s, fs + 64) :
				    (uint32_t)rnd(&s);
			break;
		case 1:	/* nlmsg_len */
			*(volatile uint32_t *)nlmmap_frame_data(h) =
				rn(&s, fs + 64);
			break;
		case 2:	/* an attribute's length, or anything */
			off = NLMMAP_HDRLEN + (rn(&s, fs - NLMMAP_HDRLEN) & ~3U);
			*(volatile uint16_t *)((char *)h + off) =
				(uint16_t)rnd(&s);
			break;
		case 3:
			nlmmap_frame_publish(h, rn(&s, 3) ? NLMMAP_STATUS_VALID :
					     rn(&s, 6));
			break;
		case 4:
			off = NLMMAP_HDRLEN + (rn(&s, fs - NLMMAP_HDRLEN) & ~3U);
			*(volatile uint32_t *)((char *)h + off) =
				(uint32_t)rnd(&s);
			break;
		default:
			h->nm_status = rn(&s, 5);
			break;
		}
	}
	TOUCH_END();
}

/* Read the RX ring: release, hold (SKIP) or corrupt what is there. */
static void op_rx(struct th *t, struct obj *o, uint64_t s)
{
	unsigned int fs, nr, i, n = 1 + rn(&s, 64), st, len, pos;
	volatile unsigned int got = 0;
	struct nl_mmap_hdr *h;
	int nl = ld(&o->nl);

	(void)t;
	if (!frame_at(o, 0, 0, &fs, &nr))
		return log_note("rx slot %d: no RX ring", slot_of(o));
	TOUCH_BEGIN();
	for (i = 0; i < n; i++) {
		pos = __atomic_load_n(&o->rxpos, __ATOMIC_RELAXED);
		h = frame_at(o, 0, pos, &fs, &nr);
		if (!h)
			break;
		st = nlmmap_frame_status(h);
		if (st == NLMMAP_STATUS_VALID) {
			len = h->nm_len;
			if (len > fs - NLMMAP_HDRLEN)
				len = fs - NLMMAP_HDRLEN;
			memcpy(tbuf, nlmmap_frame_data(h), len);
			note_packets(o, tbuf, len);
		} else if (st == NLMMAP_STATUS_COPY) {
			drain_sock(o, nl, 1);
		} else if (st == NLMMAP_STATUS_SKIP) {
			if (rn(&s, 2))
				nlmmap_frame_release(h);
		} else if (rn(&s, 8)) {
			break;
		}
		if (st == NLMMAP_STATUS_VALID || st == NLMMAP_STATUS_COPY) {
			got++;
			COUNT(rx_frames);
			nlmmap_frame_publish(h, rn(&s, 6) ? NLMMAP_STATUS_UNUSED :
					     rn(&s, 4) ? NLMMAP_STATUS_SKIP :
					     rn(&s, 5));
		}
		__atomic_fetch_add(&o->rxpos, 1, __ATOMIC_RELAXED);
	}
	TOUCH_END();
	log_note("rx slot %d: %u frames read", slot_of(o), (unsigned int)got);
}

static void op_send(struct th *t, struct obj *o, uint64_t s)
{
	int nf = !rn(&s, 5), fd = ld(nf ? &o->nf : &o->nl), w = !rn(&s, 8);
	const char *what, *mut;
	struct msg m;

	(void)t;
	what = nf ? build_nfq(&m, o, &s) : build_request(&m, o, &s);
	mut = msg_mutate(&m, &s);
	if (w)
		CALL(write(fd, m.buf, m.len), "write(%d) %s (%s) len %zu", fd,
		     what, mut, m.len);
	else
		CALL(nl_send(fd, m.buf, m.len), "send(%d) %s (%s) len %zu", fd,
		     what, mut, m.len);
	if (rn(&s, 2))
		drain_sock(o, fd, 1 + rn(&s, 8));
}

static void op_recv(struct th *t, struct obj *o, uint64_t s)
{
	int fd = ld(rn(&s, 4) ? &o->nl : &o->nf), n = 1 + rn(&s, 16);

	(void)t;
	log_note("recv(%d) up to %d", fd, n);
	drain_sock(o, fd, n);
}

static void op_poll(struct th *t, struct obj *o, uint64_t s)
{
	struct pollfd p[3] = {
		{ ld(&o->rf), POLLIN | POLLOUT | POLLERR, 0 },
		{ ld(&o->nl), POLLIN, 0 },
		{ ld(&o->nf), POLLIN, 0 },
	};
	int ms = rn(&s, 3) ? 0 : rn(&s, 5);

	(void)t;
	if (rn(&s, 4) == 0)
		p[0].events = (short)rnd(&s);
	CALL(poll(p, 1 + rn(&s, 3), ms), "poll(%d,%d,%d, %d ms)", p[0].fd,
	     p[1].fd, p[2].fd, ms);
}

static void op_ioctl(struct th *t, struct obj *o, uint64_t s)
{
	static __thread uint64_t b[512];
	int fd = rn(&s, 10) ? ld(&o->rf) : ld(&o->nl), i;
	unsigned long cmd;
	void *arg = b;

	(void)t;
	switch (rn(&s, 6)) {
	case 0:
		cmd = NLMMAP_IOC_CLEAR_ERR;
		break;
	case 1:
		cmd = NLMMAP_IOC_BOUND;
		break;
	case 2:
		cmd = NLMMAP_IOC_KICK;
		break;
	case 3:
		cmd = _IOC(rn(&s, 4), NLMMAP_IOC_MAGIC, rn(&s, 16),
			   rn(&s, 4096));
		break;
	case 4:
		cmd = NLMMAP_IOC_SETUP;
		break;
	default:
		cmd = (unsigned long)rnd(&s) & 0xffffffff;
		break;
	}
	for (i = 0; i < 512; i++)
		b[i] = rn(&s, 2) ? 0 : rnd(&s);
	if (!rn(&s, 8))
		arg = rn(&s, 2) ? NULL : (void *)(uintptr_t)rnd(&s);
	CALL(ioctl(fd, cmd, arg), "ioctl(%d, %#lx, %p)", fd, cmd, arg);
}

static void op_subscribe(struct th *t, struct obj *o, uint64_t s)
{
	static const char *const fam[] = { "nlctrl", "nlmmap", "nlmmap_queue",
					   "", "devlink" };
	static const char *const grp[] = { "notify", "", "x", "events" };
	struct nlmmap_subscription u;
	char b[sizeof(u) + 64] __attribute__((aligned(8)));
	int fd = ld(&o->rf), un = !rn(&s, 3);
	unsigned int i;

	(void)t;
	memset(b, 0, sizeof(b));
	memset(&u, 0, sizeof(u));
	u.size = rn(&s, 8) ? sizeof(u) : rn(&s, sizeof(b));
	u.protocol = pick_protocol(&s);
	u.group = pick_group(&s);
	u.flags = rn(&s, 10) ? 0 : (uint32_t)rnd(&s);
	if (!rn(&s, 3)) {
		u.protocol = NETLINK_GENERIC;
		u.group = 0;
		snprintf(u.family, sizeof(u.family), "%s", fam[rn(&s, 5)]);
		snprintf(u.name, sizeof(u.name), "%s", grp[rn(&s, 4)]);
		if (!rn(&s, 8))
			for (i = 0; i < sizeof(u.name); i++)
				u.name[i] = (char)rnd(&s);
	}
	memcpy(b, &u, sizeof(u));
	if (!rn(&s, 8))
		b[sizeof(u) + rn(&s, 64)] = 1;
	CALL(ioctl(fd, ioc_sized(un ? NLMMAP_IOC_UNSUBSCRIBE :
				 NLMMAP_IOC_SUBSCRIBE, u.size, &s), b),
	     "%s(%d) size %u proto %u group %u family '%.16s'",
	     un ? "IOC_UNSUBSCRIBE" : "IOC_SUBSCRIBE", fd, u.size, u.protocol,
	     u.group, u.family);
}

static void close_slot(struct obj *o, int which)
{
	int fd;

	if (which & 1) {
		fd = xchg(&o->nl, -1);
		if (fd >= 0)
			CALL(close(fd), "close(%d) socket slot %d", fd,
			     slot_of(o));
	}
	if (which & 2) {
		fd = xchg(&o->rf, -1);
		if (fd >= 0)
			CALL(close(fd), "close(%d) ring file slot %d", fd,
			     slot_of(o));
	}
	if (which & 4) {
		fd = xchg(&o->nf, -1);
		if (fd >= 0)
			CALL(close(fd), "close(%d) nf socket slot %d", fd,
			     slot_of(o));
	}
}

static void op_close(struct th *t, struct obj *o, uint64_t s)
{
	(void)t;
	close_slot(o, 1 + rn(&s, 7));
	if (!rn(&s, 3))
		op_munmap(t, o, s);
}

/* A whole ring: socket, file, bind, setup (valid), mapping. */
static void op_ring_up(struct th *t, struct obj *o, uint64_t s)
{
	int nl, rf, old;

	(void)t;
	nl = CALL(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 NETLINK_GENERIC), "ring_up slot %d: socket",
		  slot_of(o));
	rf = CALL(open(NLMMAP_DEVICE, O_RDWR | O_CLOEXEC), "open ring file");
	if (nl < 0 || rf < 0) {
		if (nl >= 0)
			close(nl);
		if (rf >= 0)
			close(rf);
		return;
	}
	bind_ring(o, nl, rf);
	old = xchg(&o->nl, nl);
	if (old >= 0)
		CALL(close(old), "close(%d) old socket", old);
	old = xchg(&o->rf, rf);
	if (old >= 0)
		CALL(close(old), "close(%d) old ring file", old);
	if (setup_rings(o, rf, &s, 1) == 0)
		map_ring(o, rf, &s, 1);
}

static void op_queue_up(struct th *t, struct obj *o, uint64_t s)
{
	struct msg m;
	uint32_t q = rn(&s, 4);

	if (ld(&o->nl) < 0 || !__atomic_load_n(&o->map, __ATOMIC_RELAXED) ||
	    rn(&s, 3) == 0)
		op_ring_up(t, o, rnd(&s));
	msg_genl(&m, fam_queue, NLMQ_CMD_BIND, 1, NLM_F_ACK, 2, 0);
	put_u32(&m, NLMQ_A_QUEUE, q);
	if (rn(&s, 2))
		put_u32(&m, NLMQ_A_FLAGS, rn(&s, 16) & ~NFQA_CFG_F_SECCTX);
	if (rn(&s, 2))
		put_u32(&m, NLMQ_A_MAXLEN, 1 + rn(&s, 64));
	if (rn(&s, 3) == 0)
		put_u32(&m, NLMQ_A_COPY_RANGE, rn(&s, 2000));
	CALL(nl_send(ld(&o->nl), m.buf, m.len), "Q_BIND(%d) queue %u",
	     ld(&o->nl), q);
	stu(&o->queue, q);
	drain_sock(o, ld(&o->nl), 2);
}

static void op_udp(struct th *t, struct obj *o, uint64_t s)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int i, n = 1 + rn(&s, 16), sent = 0;
	size_t len = rn(&s, 4) ? rn(&s, 200) : rn(&s, 1472);

	(void)t;
	a.sin_port = htons(UDP_PORT + (rn(&s, 4) ? ldu(&o->queue) : rn(&s, 5)));
	memset(tbuf, 'u', len);
	for (i = 0; i < n; i++)
		if (sendto(udp_fd, tbuf, len, MSG_DONTWAIT, (struct sockaddr *)&a,
			   sizeof(a)) >= 0)
			sent++;
	log_note("udp: %d of %d datagrams of %zu bytes to port %u", sent, n,
		 len, ntohs(a.sin_port));
}

static void op_verdict(struct th *t, struct obj *o, uint64_t s)
{
	struct nfqnl_msg_verdict_hdr vh;
	int batch = !rn(&s, 3), tx = rn(&s, 2);
	uint32_t id = pick_id(o, &s), v = pick_verdict(&s);
	struct nl_mmap_hdr *h;
	unsigned int fs, nr, idx;
	struct msg m;

	msg_genl(&m, fam_queue, batch ? NLMQ_CMD_VERDICT_BATCH :
		 NLMQ_CMD_VERDICT, 1, rn(&s, 2) ? NLM_F_ACK : 0, 3, 0);
	vh.verdict = htonl(v);
	vh.id = htonl(id);
	put(&m, NFQA_VERDICT_HDR, &vh, sizeof(vh));
	if (!rn(&s, 4))
		put_u32(&m, NFQA_MARK, htonl((uint32_t)rnd(&s)));
	if (!batch && !rn(&s, 6))
		put_rand(&m, NFQA_PAYLOAD, rn(&s, 1600), &s);
	if (!tx) {
		CALL(nl_send(ld(&o->nl), m.buf, m.len), "%s(%d) id %u verdict %#x",
		     batch ? "Q_VERDICT_BATCH" : "Q_VERDICT", ld(&o->nl), id, v);
		return drain_sock(o, ld(&o->nl), 1);
	}
	idx = __atomic_fetch_add(&o->txpos, 1, __ATOMIC_RELAXED);
	h = frame_at(o, 1, idx, &fs, &nr);
	if (!h || m.len > fs - NLMMAP_HDRLEN)
		return log_note("verdict slot %d: no TX frame", slot_of(o));
	log_note("tx slot %d frame %u: %s id %u verdict %#x", slot_of(o),
		 idx % nr, batch ? "Q_VERDICT_BATCH" : "Q_VERDICT", id, v);
	TOUCH_BEGIN();
	memcpy(nlmmap_frame_data(h), m.buf, m.len);
	h->nm_len = m.len;
	nlmmap_frame_publish(h, NLMMAP_STATUS_VALID);
	TOUCH_END();
	COUNT(tx_frames);
	op_kick(t, o, s);
}

/* Multicast events for the relay: addresses on lo, USERSOCK messages. */
static void op_event(struct th *t, struct obj *o, uint64_t s)
{
	struct {
		struct nlmsghdr n;
		struct ifaddrmsg a;
		struct rtattr r;
		uint32_t addr;
	} req;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	int add = rn(&s, 2);

	(void)t;
	(void)o;
	if (rn(&s, 3) == 0) {
		struct nlmsghdr *n = (struct nlmsghdr *)&req;

		to.nl_groups = 1U << rn(&s, 32);
		memset(&req, 'e', sizeof(req));
		n->nlmsg_len = 16 + rn(&s, sizeof(req) - 15);
		n->nlmsg_type = (uint16_t)rnd(&s);
		n->nlmsg_flags = 0;
		CALL(sendto(user_fd, &req, n->nlmsg_len, MSG_DONTWAIT,
			    (struct sockaddr *)&to, sizeof(to)),
		     "USERSOCK multicast groups %#x", to.nl_groups);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = sizeof(req);
	req.n.nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	req.n.nlmsg_flags = NLM_F_REQUEST | (add ? NLM_F_CREATE : 0);
	req.a.ifa_family = AF_INET;
	req.a.ifa_prefixlen = 32;
	req.a.ifa_index = 1;
	req.r.rta_len = RTA_LENGTH(4);
	req.r.rta_type = IFA_LOCAL;
	req.addr = htonl(0x0a4d0000 | rn(&s, 64));
	CALL(sendto(rtnl_fd, &req, sizeof(req), MSG_DONTWAIT,
		    (struct sockaddr *)&to, sizeof(to)),
	     "%s 10.77.0.%u/32 on lo", add ? "RTM_NEWADDR" : "RTM_DELADDR",
	     ntohl(req.addr) & 0xff);
	drain_sock(o, rtnl_fd, 4);
}

static void op_sockopt(struct th *t, struct obj *o, uint64_t s)
{
	static const int opts[] = { NETLINK_NO_ENOBUFS, NETLINK_ADD_MEMBERSHIP,
				    NETLINK_DROP_MEMBERSHIP, NETLINK_CAP_ACK,
				    NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK,
				    NETLINK_PKTINFO, NETLINK_BROADCAST_ERROR,
				    NETLINK_LISTEN_ALL_NSID };
	int fd = ld(rn(&s, 4) ? &o->nl : &o->nf), v, lvl = SOL_NETLINK, opt;

	(void)t;
	if (rn(&s, 3) == 0) {
		lvl = SOL_SOCKET;
		opt = rn(&s, 2) ? SO_RCVBUF : SO_RCVBUFFORCE;
		v = rn(&s, 65536);
	} else {
		opt = opts[rn(&s, sizeof(opts) / sizeof(opts[0]))];
		v = opt == NETLINK_ADD_MEMBERSHIP ||
		    opt == NETLINK_DROP_MEMBERSHIP ? (int)pick_group(&s) :
		    (int)rn(&s, 2);
	}
	CALL(setsockopt(fd, lvl, opt, &v, sizeof(v)), "setsockopt(%d, %d, %d, %d)",
	     fd, lvl, opt, v);
}

/* The kernel itself reading and writing ring memory. */
static void op_kernel_access(struct th *t, struct obj *o, uint64_t s)
{
	char *map = __atomic_load_n(&o->map, __ATOMIC_RELAXED);
	size_t len = __atomic_load_n(&o->maplen, __ATOMIC_RELAXED), off, n;
	struct iovec l, r;
	int how = rn(&s, 4);

	(void)t;
	if (!map || !len || len > MAP_MAX)
		return log_note("kernel_access slot %d: nothing mapped",
				slot_of(o));
	off = rn(&s, len);
	n = 1 + rn(&s, len - off < 8192 ? len - off : 8192);
	if (pipefd[0] < 0 && pipe2(pipefd, O_NONBLOCK | O_CLOEXEC))
		return log_note("pipe: %d", errno);
	switch (how) {
	case 0:
		CALL(write(pipefd[1], map + off, n), "write(pipe, ring+%zu, %zu)",
		     off, n);
		CALL(read(pipefd[0], map + rn(&s, len - n + 1), n),
		     "read(pipe, ring, %zu)", n);
		break;
	case 1:
		l.iov_base = map + off;
		l.iov_len = n;
		CALL(vmsplice(pipefd[1], &l, 1, SPLICE_F_NONBLOCK),
		     "vmsplice(pipe, ring+%zu, %zu)", off, n);
		CALL(read(pipefd[0], tbuf, sizeof(tbuf)), "read(pipe)");
		break;
	default:
		l.iov_base = tbuf;
		l.iov_len = n;
		r.iov_base = map + off;
		r.iov_len = n;
		if (how == 2)
			CALL(process_vm_readv(getpid(), &l, 1, &r, 1, 0),
			     "process_vm_readv(ring+%zu, %zu)", off, n);
		else
			CALL(process_vm_writev(getpid(), &l, 1, &r, 1, 0),
			     "process_vm_writev(ring+%zu, %zu)", off, n);
		break;
	}
}

static int mod_loaded(const char *name)
{
	char p[96];

	snprintf(p, sizeof(p), "/sys/module/%.63s", name);
	return !access(p, F_OK);
}

static long insmod(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long r;

	if (fd < 0)
		return -1;
	r = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return r;
}

static void resolve(void);

/* Unload attempts (and reloads when one succeeds). */
static void op_module(struct th *t, struct obj *o, uint64_t s)
{
	int q = rn(&s, 3) != 0;
	const char *name = q ? "nlmmap_queue" : "nlmmap";

	(void)t;
	(void)o;
	if (CALL(syscall(SYS_delete_module, name, O_NONBLOCK),
		 "delete_module(%s)", name) == 0 || !mod_loaded(name)) {
		if (!q && !mod_loaded("nlmmap"))
			CALL(insmod(NLMMAP_KO), "finit_module(nlmmap)");
		CALL(insmod(NLMQ_KO), "finit_module(nlmmap_queue)");
		resolve();
	}
}

static void op_resolve(struct th *t, struct obj *o, uint64_t s)
{
	(void)t;
	(void)o;
	(void)s;
	resolve();
}

static void run_ops(struct th *t, int n, int nested);

static void child_end(struct th *t, pid_t pid, const char *what)
{
	int st;

	if (pid < 0)
		return;
	if (CALL(waitpid(pid, &st, 0), "waitpid(%d) %s", pid, what) != pid)
		return;
	if (WIFSIGNALED(st)) {
		log_note("%s %d killed by signal %d (unexpected)", what, pid,
			 WTERMSIG(st));
		fail("%s %d of worker %d thread %d killed by signal %d", what,
		     pid, t->worker, t->idx, WTERMSIG(st));
	}
}

static void op_fork(struct th *t, struct obj *o, uint64_t s)
{
	pid_t pid;

	(void)o;
	pid = CALL(fork(), "fork");
	if (pid > 0)
		COUNT(forks);
	if (pid == 0) {
		static char prefix[32];

		snprintf(prefix, sizeof(prefix), "  [child %d] ", getpid());
		log_prefix = prefix;
		t->rng = s;
		run_ops(t, 1 + rn(&s, 16), 1);
		_exit(0);
	}
	child_end(t, pid, "fork child");
}

static void lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	if (!ioctl(fd, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP;
		ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
}

static int open_helpers(void)
{
	udp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	rtnl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 NETLINK_ROUTE);
	user_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			 NETLINK_USERSOCK);
	return udp_fd < 0 || rtnl_fd < 0 || user_fd < 0 ? -1 : 0;
}

/* A child in a network namespace of its own that ends with live rings,
 * queues and subscriptions: the namespace is torn down under them.
 */
static void op_netns(struct th *t, struct obj *o, uint64_t s)
{
	struct msg m;
	pid_t pid;
	int i;

	pid = CALL(fork(), "fork (netns child)");
	if (pid == 0) {
		static char prefix[32];

		snprintf(prefix, sizeof(prefix), "  [netns %d] ", getpid());
		log_prefix = prefix;
		if (CALL(unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)"))
			_exit(0);
		COUNT(netns);
		lo_up();
		close(udp_fd);
		close(rtnl_fd);
		close(user_fd);
		open_helpers();
		op_queue_up(t, o, rnd(&s));
		for (i = rn(&s, 4); i >= 0; i--) {
			msg_genl(&m, fam_nlmmap, NLMMAP_CMD_SUBSCRIBE, 1,
				 NLM_F_ACK, 4, 0);
			put_u32(&m, NLMMAP_A_PROTOCOL, rn(&s, 2) ?
				NETLINK_ROUTE : NETLINK_USERSOCK);
			put_u32(&m, NLMMAP_A_GROUP, rn(&s, 2) ?
				RTNLGRP_IPV4_IFADDR : 1 + rn(&s, 8));
			CALL(nl_send(ld(&o->nl), m.buf, m.len),
			     "SUBSCRIBE(%d)", ld(&o->nl));
		}
		op_subscribe(t, o, rnd(&s));
		op_event(t, o, rnd(&s));
		t->rng = s;
		run_ops(t, 4 + rn(&s, 20), 1);
		_exit(0);
	}
	child_end(t, pid, "netns child");
}

enum {
	OP_SOCKET, OP_OPEN, OP_BIND, OP_SETUP, OP_MMAP, OP_MUNMAP, OP_MREMAP,
	OP_MPROTECT, OP_MADVISE, OP_TOUCH, OP_KICK, OP_TX, OP_SCRIBBLE,
	OP_RX, OP_SEND, OP_RECV, OP_POLL, OP_IOCTL, OP_SUBSCRIBE, OP_CLOSE,
	OP_RING_UP, OP_QUEUE_UP, OP_UDP, OP_VERDICT, OP_EVENT, OP_SOCKOPT,
	OP_KACCESS, OP_MODULE, OP_RESOLVE, OP_FORK, OP_NETNS, NOPS
};

static const struct {
	const char *name;
	op_fn fn;
	unsigned char fuzz, torture;	/* weights */
} ops[NOPS] = {
	[OP_SOCKET]	= { "socket", op_socket, 4, 1 },
	[OP_OPEN]	= { "open", op_open, 4, 1 },
	[OP_BIND]	= { "bind", op_bind, 4, 1 },
	[OP_SETUP]	= { "setup", op_setup, 6, 1 },
	[OP_MMAP]	= { "mmap", op_mmap, 5, 1 },
	[OP_MUNMAP]	= { "munmap", op_munmap, 3, 2 },
	[OP_MREMAP]	= { "mremap", op_mremap, 2, 1 },
	[OP_MPROTECT]	= { "mprotect", op_mprotect, 2, 1 },
	[OP_MADVISE]	= { "madvise", op_madvise, 3, 1 },
	[OP_TOUCH]	= { "touch", op_touch, 3, 1 },
	[OP_KICK]	= { "kick", op_kick, 8, 10 },
	[OP_TX]		= { "tx", op_tx, 16, 14 },
	[OP_SCRIBBLE]	= { "scribble", op_scribble, 3, 3 },
	[OP_RX]		= { "rx", op_rx, 8, 10 },
	[OP_SEND]	= { "send", op_send, 10, 8 },
	[OP_RECV]	= { "recv", op_recv, 4, 4 },
	[OP_POLL]	= { "poll", op_poll, 6, 8 },
	[OP_IOCTL]	= { "ioctl", op_ioctl, 3, 1 },
	[OP_SUBSCRIBE]	= { "subscribe", op_subscribe, 3, 3 },
	[OP_CLOSE]	= { "close", op_close, 4, 6 },
	[OP_RING_UP]	= { "ring_up", op_ring_up, 6, 8 },
	[OP_QUEUE_UP]	= { "queue_up", op_queue_up, 3, 5 },
	[OP_UDP]	= { "udp", op_udp, 5, 10 },
	[OP_VERDICT]	= { "verdict", op_verdict, 5, 6 },
	[OP_EVENT]	= { "event", op_event, 3, 4 },
	[OP_SOCKOPT]	= { "sockopt", op_sockopt, 2, 1 },
	[OP_KACCESS]	= { "kernel_access", op_kernel_access, 2, 1 },
	[OP_MODULE]	= { "module", op_module, 1, 2 },
	[OP_RESOLVE]	= { "resolve", op_resolve, 1, 1 },
	[OP_FORK]	= { "fork", op_fork, 1, 1 },
	[OP_NETNS]	= { "netns", op_netns, 1, 2 },
};

static long futex(unsigned int *uaddr, int op, unsigned int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

/* --serial: the round's threads take turns, one operation each, in a
 * fixed order, so the interleaving replays too.
 */
static void turn_wait(struct th *t)
{
	unsigned int v;

	while ((v = __atomic_load_n(&sh->turn, __ATOMIC_ACQUIRE)) %
	       sh->nlogs != (unsigned int)t->gidx)
		futex(&sh->turn, FUTEX_WAIT, v);
}

static void turn_pass(void)
{
	__atomic_fetch_add(&sh->turn, 1, __ATOMIC_RELEASE);
	futex(&sh->turn, FUTEX_WAKE, INT32_MAX);
}

static void run_ops(struct th *t, int n, int nested)
{
	unsigned int total = 0, w, i, k;
	int serial = opt_serial && !nested;
	uint64_t c, s;

	for (i = 0; i < NOPS; i++)
		total += opt_torture ? ops[i].torture : ops[i].fuzz;
	while (n-- > 0) {
		if (serial)
			turn_wait(t);
		/* Two numbers per operation, whatever it does. */
		c = rnd(&t->rng);
		s = rnd(&t->rng);
		w = c % total;
		for (k = 0; k < NOPS; k++) {
			unsigned int wk = opt_torture ? ops[k].torture :
					  ops[k].fuzz;
			if (w < wk)
				break;
			w -= wk;
		}
		if (nested && (k == OP_FORK || k == OP_NETNS || k == OP_MODULE))
			k = OP_KICK;
		ops[k].fn(t, &objs[(c >> 32) % nslots], s);
		if (serial)
			turn_pass();
	}
}

static int genl_family(const char *name)
{
	struct msg m;
	long r;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	struct nlmsghdr *nlh = (struct nlmsghdr *)tbuf;
	struct timeval tv = { 2, 0 };
	int id = -1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	msg_genl(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0, 1, 0);
	put(&m, CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
	if (nl_send(fd, m.buf, m.len) < 0)
		goto out;
	r = recv(fd, tbuf, sizeof(tbuf), 0);
	if (r < (long)(NLMSG_HDRLEN + GENL_HDRLEN) || !NLMSG_OK(nlh, r) ||
	    nlh->nlmsg_type != GENL_ID_CTRL)
		goto out;
	for (unsigned int off = NLMSG_HDRLEN + GENL_HDRLEN;
	     off + NLA_HDRLEN <= nlh->nlmsg_len;) {
		struct nlattr *a = (struct nlattr *)(tbuf + off);

		if (a->nla_len < NLA_HDRLEN)
			break;
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			id = *(uint16_t *)((char *)a + NLA_HDRLEN);
		off += NLA_ALIGN(a->nla_len);
	}
out:
	close(fd);
	return id;
}

static void resolve(void)
{
	int a = genl_family(NLMMAP_GENL_NAME), b = genl_family(NLMQ_GENL_NAME);

	log_note("resolve: nlmmap %d nlmmap_queue %d", a, b);
	if (a > 0)
		__atomic_store_n(&fam_nlmmap, a, __ATOMIC_RELAXED);
	if (b > 0)
		__atomic_store_n(&fam_queue, b, __ATOMIC_RELAXED);
}

static void *thread_main(void *arg)
{
	struct th *t = arg;
	struct sigaction sa = { .sa_handler = on_fault,
				.sa_flags = SA_NODEFER };
	cpu_set_t set;

	cur_log = t->log;
	cur_log->pid = gettid();
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	if (t->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(t->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	run_ops(t, t->nops, 0);
	return NULL;
}

/* A worker process: slots, helpers, threads. */
static int worker_main(int w, uint64_t seed, int nthreads, int nops,
		       int logbase)
{
	struct th th[MAX_THREADS];
	pthread_attr_t attr;
	uint64_t s = seed;
	int i;

	nslots = opt_torture ? MAX_SLOTS : 2 + rn(&s, 5);
	for (i = 0; i < nslots; i++) {
		objs[i].nl = objs[i].rf = objs[i].nf = -1;
		objs[i].win = mmap(NULL, WIN_SIZE, PROT_NONE, MAP_PRIVATE |
				   MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (objs[i].win == MAP_FAILED)
			return 3;
	}
	cur_log = &sh->log[logbase];
	cur_log->pid = getpid();
	if (open_helpers())
		return 3;
	resolve();
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 20);
	for (i = 0; i < nthreads; i++) {
		th[i].worker = w;
		th[i].idx = i;
		th[i].rng = rnd(&s);
		th[i].nops = nops;
		th[i].log = &sh->log[logbase + i];
		th[i].gidx = logbase + i;
		th[i].log->pid = getpid();
		th[i].cpu = opt_torture ? (w + i) % 2 : -1;
		if (pthread_create(&th[i].tid, &attr, thread_main, &th[i]))
			return 3;
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i].tid, NULL);
	return 0;
}

/* ---- the round and the run ---- */

struct round {
	int workers, threads[MAX_WORKERS], ops;
	pid_t pid[MAX_WORKERS];		/* 0 once reaped */
	pid_t pgid[MAX_WORKERS];
};

static void round_plan(uint64_t rs, struct round *r)
{
	uint64_t s = rs;
	int w;

	r->workers = opt_torture ? 2 : 1 + rn(&s, MAX_WORKERS);
	for (w = 0; w < r->workers; w++)
		r->threads[w] = opt_torture ? MAX_THREADS : 1 + rn(&s, MAX_THREADS);
	r->ops = opt_torture ? 120 : 40 + rn(&s, 60);
	if (opt_ops && r->ops > opt_ops)
		r->ops = opt_ops;
}

static uint64_t round_seed(uint64_t seed, long i)
{
	return mix64(seed ^ mix64((uint64_t)i + 1));
}

static void print_logs(int nlogs)
{
	int i;
	unsigned int j, n, first;

	for (i = 0; i < nlogs; i++) {
		struct tlog *l = &sh->log[i];

		n = __atomic_load_n(&l->n, __ATOMIC_RELAXED);
		if (!n)
			continue;
		first = n > LOG_LINES ? n - LOG_LINES : 0;
		printf("# --- call log %d (thread %d), calls %u..%u ---\n", i,
		       l->pid, first, n - 1);
		for (j = first; j < n; j++)
			printf("#   %u %.*s\n", j, LOG_LEN, l->line[j % LOG_LINES]);
	}
}

static const char *const report_pat[] = {
	"BUG:", "WARNING:", "Oops", "KASAN", "UBSAN", "kmemleak",
	"general protection fault", "Kernel panic", "sleeping function called",
	"possible recursive locking", "possible circular locking",
	"inconsistent lock state", "blocked for more than", "RCU stall",
	"stack-protector", "list_add corruption", "list_del corruption",
	"refcount_t:",
};

static int kmsg_fd = -1;

/* The kernel log records of the round, from its first report on. */
#define KREC_MAX	200
static char krec[KREC_MAX][256];
static int nkrec;

/* Read the kernel log records that came since the last call; 1 when one
 * of them is a report (kept for kmsg_replay_reports()).
 */
static int kmsg_scan(void)
{
	char rec[2048], *msg;
	int found = 0, k;
	long n;
	size_t i;

	nkrec = 0;
	if (kmsg_fd < 0)
		return 0;
	for (k = 0; k < 100000; k++) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten */
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		for (i = 0; !found && i < sizeof(report_pat) /
		     sizeof(report_pat[0]); i++)
			if (strstr(msg, report_pat[i]))
				found = 1;
		if (found && nkrec < KREC_MAX)
			snprintf(krec[nkrec++], sizeof(krec[0]), "%.255s", msg);
	}
	return found;
}

/* Print the report, and which call log (thread) the task it names ran. */
static void kmsg_replay_reports(int nlogs)
{
	int i, j, pid;
	char *p;

	for (i = 0; i < nkrec; i++)
		printf("# kernel: %s", krec[i]);
	for (i = 0; i < nkrec; i++) {
		p = strstr(krec[i], " PID: ");
		if (!p || sscanf(p, " PID: %d", &pid) != 1)
			continue;
		for (j = 0; j < nlogs && sh->log[j].pid != pid; j++)
			;
		if (j < nlogs)
			printf("# the report's task %d ran call log %d\n",
			       pid, j);
		else
			printf("# the report's task %d: a fork or netns child"
			       " ('[child %d]' or '[netns %d]' in the logs)"
			       " or not ours\n", pid, pid, pid);
		break;
	}
}

static int ensure_modules(void)
{
	if (!mod_loaded("nlmmap"))
		insmod(NLMMAP_KO);
	if (!mod_loaded("nlmmap_queue")) {
		syscall(SYS_delete_module, "nfnetlink_queue", O_NONBLOCK);
		insmod(NLMQ_KO);
	}
	return access(NLMMAP_DEVICE, F_OK);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* 0: clean; 1: failed (reported). */
static int run_round(long i, uint64_t rs)
{
	struct round r;
	int w, st, logs = 0, bad = 0, left, pfd;
	long end = now_ms() + opt_deadline * 1000L;
	char why[300] = "";

	round_plan(rs, &r);
	memset(sh, 0, sizeof(*sh));
	for (w = 0; w < r.workers; w++)
		sh->nlogs += r.threads[w];
	for (w = 0; w < r.workers; w++) {
		int base = logs;

		logs += r.threads[w];
		fflush(stdout);
		r.pid[w] = fork();
		if (r.pid[w] == 0) {
			setpgid(0, 0);
			_exit(worker_main(w, mix64(rs + w), r.threads[w], r.ops,
					  base));
		}
		r.pgid[w] = r.pid[w];
		if (r.pid[w] > 0)
			setpgid(r.pid[w], r.pid[w]);
	}
	for (left = 0, w = 0; w < r.workers; w++)
		if (r.pid[w] > 0)
			left++;
		else
			r.pid[w] = 0;
	while (left > 0) {
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p > 0) {
			for (w = 0; w < r.workers; w++)
				if (r.pid[w] == p)
					break;
			if (w == r.workers)
				continue;
			r.pid[w] = 0;
			left--;
			if (WIFSIGNALED(st) && !bad) {
				snprintf(why, sizeof(why), "worker %d killed by "
					 "signal %d", w, WTERMSIG(st));
				bad = 1;
			} else if (WIFEXITED(st) && WEXITSTATUS(st) && !bad) {
				snprintf(why, sizeof(why), "worker %d exit %d",
					 w, WEXITSTATUS(st));
				bad = 1;
			}
			if (bad)	/* the others may wait for its turns */
				for (w = 0; w < r.workers; w++)
					if (r.pid[w] > 0)
						kill(-r.pid[w], SIGKILL);
			continue;
		}
		if (now_ms() > end) {
			snprintf(why, sizeof(why), "round not done after %d s: "
				 "hung", opt_deadline);
			bad = 1;
			for (w = 0; w < r.workers; w++)
				if (r.pid[w] > 0)
					kill(-r.pid[w], SIGKILL);
			break;
		}
		/* Wait for a child's end, or the deadline, without polling
		 * faster than the clock needs: pidfd of the first live one.
		 */
		for (w = 0; w < r.workers && r.pid[w] <= 0; w++)
			;
		pfd = syscall(SYS_pidfd_open, r.pid[w], 0);
		if (pfd >= 0) {
			struct pollfd pf = { pfd, POLLIN, 0 };

			poll(&pf, 1, (int)(end - now_ms() > 0 ?
					   end - now_ms() : 0) + 1);
			close(pfd);
		}
	}
	/* What is left of a worker's process group (its fork children) goes
	 * with it.
	 */
	for (w = 0; w < r.workers; w++)
		if (r.pgid[w] > 0)
			kill(-r.pgid[w], SIGKILL);
	if (sh->failed && !bad) {
		snprintf(why, sizeof(why), "%.*s", 250, sh->why);
		bad = 1;
	}
	if (kmsg_scan()) {
		if (!bad)
			snprintf(why, sizeof(why), "kernel report");
		bad = 2;
	}
	if (!bad)
		return 0;
	printf("# FAILURE in round %ld (round seed %#llx): %s\n", i,
	       (unsigned long long)rs, why);
	printf("# replay: nlmmap-fuzz --seed %llu --round %ld%s%s --ops %d "
	       "(make fuzz SEED=%llu ROUND=%ld%s)\n",
	       (unsigned long long)opt_seed, i,
	       opt_mixed ? " --mixed" : opt_torture ? " --torture" : "",
	       opt_serial && !opt_mixed ? " --serial" : "", opt_ops,
	       (unsigned long long)opt_seed, i,
	       opt_ops ? " (with the same --ops)" : "");
	print_logs(logs);
	if (bad == 2) {
		printf("# the kernel report (in full on the console):\n");
		kmsg_replay_reports(logs);
	}
	if (ensure_modules())
		printf("# %s is gone after this round\n", NLMMAP_DEVICE);
	return bad;
}

static int refcnt(const char *name)
{
	char p[96];
	FILE *f;
	int n = -1;

	snprintf(p, sizeof(p), "/sys/module/%.63s/refcnt", name);
	f = fopen(p, "r");
	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* The end of the run: every process of ours reaped (killed rounds leave
 * some), then nlmmap's references back to what nlmmap_queue alone holds
 * (namespaces die asynchronously) within --deadline seconds; 1 if not.
 */
static int settle(void)
{
	long end = now_ms() + opt_deadline * 1000L;
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int st;

	while (now_ms() < end) {
		pid_t p = waitpid(-1, &st, WNOHANG);

		if (p > 0)
			continue;
		if (p < 0 && errno == ECHILD &&
		    refcnt("nlmmap") <= mod_loaded("nlmmap_queue"))
			return 0;
		nanosleep(&ts, NULL);	/* bounded by the deadline */
	}
	return 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: nlmmap-fuzz [--seed S] [--iterations N] "
		"[--seconds T] [--round R] [--torture|--mixed] [--serial] "
		"[--ops N] [--deadline D] "
		"[--tap NAME] [--verbose]\n");
	exit(2);
}

static int nft_rules(void)
{
	static const char rules[] =
		"flush ruleset\n"
		"table ip fuzz {\n"
		"  chain out { type filter hook output priority 0;\n"
		"    udp dport 9000 queue num 0\n"
		"    udp dport 9001 queue num 1 bypass\n"
		"    udp dport 9002 queue num 2\n"
		"    udp dport 9003 queue num 2-3 fanout\n"
		"  }\n"
		"}\n";
	const char *nft = access("/tests/nft", X_OK) ? "nft" : "/tests/nft";
	char cmd[64];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s -f - 2>&1", nft);
	p = popen(cmd, "w");
	if (!p)
		return -1;
	fputs(rules, p);
	return pclose(p);
}

/* The netfilter modules the queue needs, from the VM's load-order (each
 * after what it needs), up to nft_queue.
 */
static void netfilter_modules(void)
{
	char dir[128], line[256], ko[512], name[64];
	struct utsname u;
	FILE *f;
	char *c;

	uname(&u);
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	snprintf(line, sizeof(line), "%s/load-order", dir);
	f = fopen(line, "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(name, sizeof(name), "%.63s", line);
		name[strcspn(name, ".")] = '\0';
		for (c = name; *c; c++)
			if (*c == '-')
				*c = '_';
		if (!mod_loaded(name)) {
			snprintf(ko, sizeof(ko), "%s/%s", dir, line);
			insmod(ko);
		}
		if (!strcmp(line, "nft_queue.ko"))
			break;
	}
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 't' },
		{ "round", required_argument, NULL, 'r' },
		{ "torture", no_argument, NULL, 'T' },
		{ "mixed", no_argument, NULL, 'M' },
		{ "serial", no_argument, NULL, 'S' },
		{ "ops", required_argument, NULL, 'o' },
		{ "deadline", required_argument, NULL, 'd' },
		{ "tap", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	long i, first, last, done = 0, end, failures = 0, reports = 0;
	const char *env;
	int c, seeded = 0, had_queue, r;

	env = getenv("NLMMAP_FUZZ_SEED");
	if (env && *env) {
		opt_seed = strtoull(env, NULL, 0);
		seeded = 1;
	}
	env = getenv("NLMMAP_FUZZ_SECONDS");
	if (env && *env) {
		opt_seconds = strtol(env, NULL, 0);
		opt_mixed = 1;	/* make fuzz: both modes */
	}
	env = getenv("NLMMAP_FUZZ_ROUND");
	if (env && *env)
		opt_round = strtol(env, NULL, 0);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			opt_seed = strtoull(optarg, NULL, 0);
			seeded = 1;
			break;
		case 'n':
			opt_iter = strtol(optarg, NULL, 0);
			break;
		case 't':
			opt_seconds = strtol(optarg, NULL, 0);
			break;
		case 'r':
			opt_round = strtol(optarg, NULL, 0);
			break;
		case 'T':
			opt_torture = 1;
			break;
		case 'M':
			opt_mixed = 1;
			break;
		case 'S':
			opt_serial = 1;
			break;
		case 'o':
			opt_ops = atoi(optarg);
			break;
		case 'd':
			opt_deadline = atoi(optarg);
			break;
		case 'p':
			opt_tap = optarg;
			break;
		case 'v':
			opt_verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || opt_deadline < 1 || opt_seconds < 0)
		usage();
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		opt_seed = mix64(ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
				 getpid()) >> 16;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (opt_tap)
		printf("1..1\n");
	printf("# nlmmap-fuzz: seed %llu%s%s, at most %ld rounds and %ld s\n",
	       (unsigned long long)opt_seed, opt_mixed ? " (mixed: odd rounds "
	       "torture, 4k+2 serial)" : opt_torture ? " (torture)" : "",
	       opt_serial && !opt_mixed ? " (serial)" : "",
	       opt_round >= 0 ? 1 : opt_iter, opt_seconds);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return 1;
	if (geteuid() == 0 && unshare(CLONE_NEWNET) == 0) {
		/* Our own namespace: the queue rules go with it. */
		lo_up();
		netfilter_modules();
		had_queue = mod_loaded("nlmmap_queue");
		ensure_modules();
		if (nft_rules())
			printf("# no nft rules: packets will not be queued\n");
	} else {
		printf("# not root or no network namespaces: no queue rules\n");
		had_queue = 1;
	}
	if (access(NLMMAP_DEVICE, F_OK)) {
		if (opt_tap)
			printf("ok 1 - %s # SKIP no %s\n", opt_tap,
			       NLMMAP_DEVICE);
		else
			printf("# no %s\n", NLMMAP_DEVICE);
		return opt_tap ? 0 : 1;
	}
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
	first = opt_round >= 0 ? opt_round : 0;
	last = opt_round >= 0 ? opt_round : opt_iter - 1;
	end = now_ms() + opt_seconds * 1000L;
	for (i = first; i <= last; i++) {
		if (i > first && opt_seconds && now_ms() >= end)
			break;
		ensure_modules();
		if (opt_mixed) {
			opt_torture = i % 2 == 1;
			opt_serial = i % 4 == 2;
		}
		r = run_round(i, round_seed(opt_seed, i));
		cov[0] += sh->setups;
		cov[1] += sh->maps;
		cov[2] += sh->tx_frames;
		cov[3] += sh->rx_frames;
		cov[4] += sh->packets;
		cov[5] += sh->faults;
		cov[6] += sh->forks;
		cov[7] += sh->netns;
		done++;
		failures += r != 0;
		reports += r == 2;
		if (done % 10 == 0 || opt_verbose)
			printf("# round %ld done, %ld failed\n", i, failures);
	}
	if (settle()) {
		printf("# FAILURE: nlmmap still in use %d s after the last "
		       "round's processes ended\n", opt_deadline);
		failures++;
	}
	ensure_modules();
	if (!had_queue)
		syscall(SYS_delete_module, "nlmmap_queue", O_NONBLOCK);
	printf("# coverage: setups %lu mappings %lu tx frames %lu rx frames %lu "
	       "queued packets seen %lu expected faults %lu forks %lu "
	       "netns %lu\n", cov[0], cov[1], cov[2], cov[3], cov[4], cov[5],
	       cov[6], cov[7]);
	printf("nlmmap-fuzz: summary: iterations %ld seed %llu rounds %ld..%ld "
	       "reports %ld failures %ld%s\n", done, (unsigned long long)opt_seed,
	       first, first + done - 1, reports, failures,
	       opt_mixed ? " (mixed)" : opt_torture ? " (torture)" : "");
	if (opt_tap)
		printf("%sok 1 - %s\n", failures ? "not " : "", opt_tap);
	return failures ? 1 : 0;
}
