/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the nlmmap module.
 *
 * Objects:
 *   struct nlmmap_ctx  one open /dev/nlmmap file: its binding, its rings
 *                      and its counters. ctx->lock (a mutex) serialises
 *                      setup, bind, mmap, TX processing and teardown;
 *                      ctx->state is the state machine they share.
 *   struct nlmmap_ring one ring: validated geometry, its pages, their
 *                      kernel mapping, and the kernel's position in it.
 *
 * The data path takes no mutex: producers find the context under RCU and
 * reserve a frame under ctx->rx_lock, which also guards rx_open (may
 * producers reserve?) and the RX head. Each reservation counts in
 * ctx->inflight; whoever frees or replaces the RX ring first closes it to
 * producers, then waits for inflight to reach zero. Work under ctx->lock
 * is bounded per call (NLMMAP_TX_BUDGET, NLMMAP_DUMP_BUDGET); work under
 * ctx->rx_lock is O(1) per message (NLMMAP_SKIP_BUDGET).
 */
#ifndef _NET_NLMMAP_INT_H
#define _NET_NLMMAP_INT_H

#include <asm/barrier.h>
#include <asm/unaligned.h>
#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/kref.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <linux/mm_types.h>
#include <linux/wait.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <net/net_namespace.h>
#include <net/genetlink.h>
#include <net/nlmmap.h>
#include <uapi/linux/nlmmap.h>

#include "geometry.h"

enum nlmmap_state {
	NLMMAP_UNBOUND,		/* open, no socket yet */
	NLMMAP_BOUND,		/* bound to (net, portid), in the table */
	NLMMAP_DEAD,		/* the socket went away; only close is left */
};

/* Per-ring and module-wide counters, indexed by NLMMAP_S_*. */
struct nlmmap_counters {
	atomic64_t v[NLMMAP_S_MAX + 1];
};

struct nlmmap_batch;
struct nlmmap_dump;
struct netlink_callback;
struct scm_creds;
struct sock;
struct sk_buff;
struct user_struct;
struct cred;
struct mem_cgroup;

/* What setting up a ring charged to RLIMIT_MEMLOCK, given back as is. */
struct nlmmap_charge {
	struct user_struct *user;	/* NULL: not charged (CAP_IPC_LOCK) */
	unsigned long pages;
};

#define NLMMAP_NO_FRAME	U32_MAX
/* Frames one reservation may take at most (a batch's run). */
#define NLMMAP_RESERVE_RUN	64

/* Per-sender shares of an RX ring (frame.c; design.rst "Per-sender
 * quotas"): accounts 0 (the receiver's own requests, no limit) and 1
 * (senders that found no account of their own), then hashed ones.
 */
#define NLMMAP_QUOTA_SLOTS	16	/* accounts per ring */
#define NLMMAP_QUOTA_SELF	0
#define NLMMAP_QUOTA_SHARED	1
#define NLMMAP_QUOTA_PROBE	4	/* hashed accounts a sender may use */
#define NLMMAP_QUOTA_CREDIT	8	/* frames looked at for releases, per
					 * reservation, beyond those it takes
					 */

/**
 * struct nlmmap_quota - who holds a ring's frames, as the kernel knows it
 * @key: each account's sender (NLMMAP_SENDER_*), valid while @held != 0
 * @held: frames charged to each account and not yet seen released
 * @used: the sum of @held
 * @tail: the next frame to look at for a release
 * @tail_pos: its free-running position, at most frame_nr behind pos
 * @owner: per frame: the account charged for it plus one, 0 for none;
 *	kernel memory, never shared
 */
struct nlmmap_quota {
	u64 key[NLMMAP_QUOTA_SLOTS];
	u32 held[NLMMAP_QUOTA_SLOTS];
	u32 used;
	u32 tail;
	u32 tail_pos;
	u8 owner[];
};

struct nlmmap_ring {
	struct nlmmap_geom geom;	/* size == 0: no ring */
	struct page **pages;		/* nr_pages mapped, then the guard */
	unsigned int nr_pages;
	void *base;			/* vmap() of pages and the guard page */
	u32 head;			/* RX: next to reserve, TX: next to read */
	u32 pos;			/* RX: free-running position of head */
	u32 last;			/* RX: last frame reserved, or NO_FRAME */
	u32 *pos_pub;			/* RX: where pos is published, or NULL */
	struct nlmmap_quota *quota;	/* RX: per-sender shares, or NULL */
};

struct nlmmap_ctx {
	struct mutex lock;		/* setup, bind, mmap, teardown */
	enum nlmmap_state state;
	struct kref ref;		/* the file, and lookups in flight */
	struct rcu_head rcu;

	/* binding: set under lock, constant while in the table */
	struct hlist_node node;
	possible_net_t net;
	u32 portid;
	struct sock *sk;		/* holds a reference while bound */

	struct user_namespace *user_ns;	/* of the socket, for credentials */
	kuid_t owner;			/* the socket's owner, for RING_GET */
	const struct cred *sk_cred;	/* the socket's opener, from bind */
	const struct cred *file_cred;	/* the ring file's opener */
	struct mem_cgroup *memcg;	/* of the opener: pays for listeners */
	u32 cred_uid, cred_gid;		/* frame credentials, as seen there */

	/* rings: changed under lock, and for RX also under rx_lock */
	struct nlmmap_ring rx;
	struct nlmmap_ring tx;
	void *tx_buf;			/* a TX frame's copy, frame-sized */
	struct nlmmap_charge charge;	/* of both rings, by their setup */
	bool tx_copy;			/* NLMMAP_SETUP_TX_COPY */
	u32 dump_pct;			/* resume a paused dump at this share */
	struct page *ctrl_page;		/* struct nlmmap_ctrl, mapped last */
	struct nlmmap_ctrl *ctrl;

	/* mappings, under lock (vm_open/close: mmap_lock and the counter) */
	atomic_t map_count;		/* VMAs of this file */
	struct mm_struct *map_mm;	/* compared only, never dereferenced */
	bool map_shared;		/* a VMA was added after mmap() */

	struct rcu_work free_work;	/* the last reference: free in a task */

	/* data path */
	spinlock_t rx_lock;
	bool rx_open;			/* producers may reserve RX frames */
	atomic_t inflight;		/* RX frames reserved, not yet final */
	wait_queue_head_t inflight_wq;
	wait_queue_head_t wq;		/* poll() sleepers */
	atomic_t overrun;		/* drops since NLMMAP_IOC_CLEAR_ERR */
	struct sk_buff *spare;		/* an empty skb for the next message */
	u32 wake_frames;		/* wake a sleeper every N frames ... */
	u64 wake_ns;			/* ... or this long after the first */
	atomic_t wake_pending;		/* frames since the sleeper slept */
	struct hrtimer wake_timer;

	struct nlmmap_dump *dump;	/* under lock: a dump into the ring */
	struct list_head subs;		/* relay subscriptions (relay.c) */

	struct nlmmap_counters stats;
};

/* A request, from the socket (genl) or from a TX frame. */
struct nlmmap_nla {
	const void *data;	/* may point into a ring: read values once */
	u32 len;		/* from kernel checks, never re-read */
	bool present;
};

/* A ring skb's own state, in skb->cb (rx.c). */
struct nlmmap_skb_cb {
	struct nlmmap_ctx *ctx;
	struct nl_mmap_hdr *hdr;
	unsigned char *head;		/* the skb's own head */
	unsigned int end;		/* and its end offset */
	struct nlmmap_batch *batch;	/* owner of skb and frame, or NULL */
};

#define NLMMAP_SKB_CB(skb)	((struct nlmmap_skb_cb *)(skb)->cb)

struct nlmmap_req {
	struct net *net;
	u32 portid;
	u32 seq;
	u16 flags;
	u8 cmd;
	bool from_tx;		/* under ctx->lock: bounded work only */
	struct nlmmap_nla attrs[NLMMAP_A_MAX + 1];
};

/* main.c */
void nlmmap_count(struct nlmmap_ctx *ctx, int stat, long n);
void nlmmap_global_read(struct nlmmap_counters *c);

/* sockopt.c */
bool nlmmap_sk_no_enobufs(const struct sock *sk);
bool nlmmap_no_enobufs_known(void);
int nlmmap_probe_no_enobufs(void);

/* genl.c */
int nlmmap_genl_init(void);
void nlmmap_genl_exit(void);
u16 nlmmap_family_id(void);
int nlmmap_dispatch(const struct nlmmap_req *req);
int nlmmap_ack(struct net *net, u32 portid, const struct nlmsghdr *nlh,
	       int err);

/* attr.c: attributes of untrusted memory, each length read once */
int nlmmap_attr_parse(struct nlmmap_nla *tb, int maxtype, const void *buf,
		      u32 len);
int nlmmap_attr_u32(const struct nlmmap_nla *tb, int type, u32 *val);

/* The kernel's only two functions that order its accesses to ring memory
 * (the kernel halves of the protocol in the uAPI header).
 */
/**
 * nlmmap_status_load() - read a word of shared memory before what it guards
 * @word: a frame's nm_status
 *
 * Return: its value. Acquire: pairs with the application's release store
 * of the same field (nlmmap_frame_publish()/nlmmap_frame_release()), so
 * that the kernel neither reads a TX request before it was written nor
 * writes an RX frame before the application's last read of it.
 */
static inline u32 nlmmap_status_load(const u32 *word)
{
	/* pairs with the application's __atomic_store_n(RELEASE) */
	return smp_load_acquire(word);
}

/**
 * nlmmap_status_store() - hand shared memory over after the last access
 * @word: a frame's nm_status, or the control page's rx_head
 * @val: the new value
 *
 * Release: pairs with the application's acquire load
 * (nlmmap_frame_status(), nlmmap_ctrl_rx_head()), so it sees the whole
 * message of a VALID frame and the RESERVED state of every frame behind
 * rx_head, and the kernel's reads of a TX frame are done before it reuses
 * it.
 */
static inline void nlmmap_status_store(u32 *word, u32 val)
{
	/* pairs with the application's __atomic_load_n(ACQUIRE) */
	smp_store_release(word, val);
}

/**
 * nlmmap_frame() - kernel address of a frame's header
 * @ring: a ring with memory
 * @idx: frame index, below ring->geom.frame_nr
 *
 * Return: the header; the message follows at NLMMAP_HDRLEN.
 */
static inline struct nl_mmap_hdr *nlmmap_frame(const struct nlmmap_ring *ring,
					       u32 idx)
{
	if (likely(ring->geom.tiled))
		return ring->base + (size_t)idx * ring->geom.frame_size;
	return ring->base + nlmmap_geom_offset(&ring->geom, idx);
}

/**
 * nlmmap_frame_capacity() - room for a message in one frame
 * @ring: a ring with memory
 *
 * Return: the frame size less the frame header.
 */
static inline u32 nlmmap_frame_capacity(const struct nlmmap_ring *ring)
{
	return ring->geom.frame_size - NLMMAP_HDRLEN;
}

/**
 * nlmmap_frame_next() - the frame after @idx in ring order
 * @ring: a ring with memory
 * @idx: frame index, below ring->geom.frame_nr
 *
 * Return: the next index, 0 after the last frame.
 */
static inline u32 nlmmap_frame_next(const struct nlmmap_ring *ring, u32 idx)
{
	return ++idx == ring->geom.frame_nr ? 0 : idx;
}

/* frame.c: the kernel side of the frame protocol */
int nlmmap_frame_reserve_as(struct nlmmap_ring *ring, u32 want, u64 sender,
			    u32 *idx, u32 *n, u32 *skipped);
int nlmmap_quota_alloc(struct nlmmap_ring *ring);

/**
 * nlmmap_frame_reserve() - nlmmap_frame_reserve_as() for the receiver's
 * own requests (NLMMAP_SENDER_SELF)
 * @ring: as for nlmmap_frame_reserve_as()
 * @want: as for nlmmap_frame_reserve_as()
 * @idx: as for nlmmap_frame_reserve_as()
 * @n: as for nlmmap_frame_reserve_as()
 * @skipped: as for nlmmap_frame_reserve_as()
 *
 * Return: as for nlmmap_frame_reserve_as().
 */
static inline int nlmmap_frame_reserve(struct nlmmap_ring *ring, u32 want,
				       u32 *idx, u32 *n, u32 *skipped)
{
	return nlmmap_frame_reserve_as(ring, want, NLMMAP_SENDER_SELF, idx, n,
				       skipped);
}

bool nlmmap_rx_readable(const struct nlmmap_ring *ring);
bool nlmmap_frame_room(const struct nlmmap_ring *ring, u32 n);
void nlmmap_ring_reset(struct nlmmap_ring *ring, u32 *pos_pub);

/* ringmem.c: ring pages, their kernel mapping and the shinfo fence */
int nlmmap_ring_alloc(struct nlmmap_ring *ring, const struct nlmmap_geom *g);
void nlmmap_ring_free(struct nlmmap_ring *ring);
bool nlmmap_frame_fenced(const struct nlmmap_ring *ring, u32 idx);
bool nlmmap_ring_skb_sane(const struct sk_buff *skb,
			  const struct nlmmap_ring *ring);

/* ring.c */
int nlmmap_rings_setup(struct nlmmap_ctx *ctx, struct nlmmap_setup *s);
void nlmmap_rings_close(struct nlmmap_ctx *ctx);
int nlmmap_mmap(struct file *file, struct vm_area_struct *vma);

/* rx.c */
struct nl_mmap_hdr *nlmmap_rx_reserve(struct nlmmap_ctx *ctx,
				      unsigned int size, int *err);
struct nl_mmap_hdr *nlmmap_rx_reserve_as(struct nlmmap_ctx *ctx,
					 unsigned int size, u64 sender,
					 int *err);
struct nl_mmap_hdr *nlmmap_rx_reserve_run(struct nlmmap_ctx *ctx,
					  unsigned int size, u32 want, u32 *idx,
					  u32 *n, int *err);
void nlmmap_rx_drop_err(struct nlmmap_ctx *ctx, int err);
void nlmmap_rx_done(struct nlmmap_ctx *ctx);
struct sk_buff *nlmmap_rx_ring_skb(struct nlmmap_ctx *ctx,
				   struct nl_mmap_hdr *hdr, struct sk_buff *skb,
				   struct nlmmap_batch *batch);
void nlmmap_ring_skb_unmap(struct sk_buff *skb);
void nlmmap_skb_park(struct nlmmap_ctx *ctx, struct sk_buff *skb);
struct sk_buff *nlmmap_skb_take(struct nlmmap_ctx *ctx);
void nlmmap_rx_wake_sleeper(struct nlmmap_ctx *ctx);
void nlmmap_rx_drop(struct nlmmap_ctx *ctx);
void nlmmap_ring_skb_destructor(struct sk_buff *skb);
enum hrtimer_restart nlmmap_rx_wake_timer(struct hrtimer *t);

/**
 * nlmmap_frame_publish_id() - fill in a frame header and hand the frame to
 * the application
 * @ctx: the context
 * @hdr: a frame reserved by this producer
 * @len: nm_len
 * @status: NLMMAP_STATUS_VALID or NLMMAP_STATUS_COPY
 * @group: nm_group
 * @pid: nm_pid
 *
 * The credentials are the ring's, translated once at bind. The caller
 * then wakes the reader (nlmmap_rx_wake()), holes included: one at the
 * head may be what a sleeper waits behind.
 */
static inline void nlmmap_frame_publish_id(struct nlmmap_ctx *ctx,
					   struct nl_mmap_hdr *hdr, u32 len,
					   u32 status, u32 group, u32 pid)
{
	hdr->nm_len = len;
	hdr->nm_group = group;
	hdr->nm_pid = pid;
	hdr->nm_uid = ctx->cred_uid;
	hdr->nm_gid = ctx->cred_gid;
	nlmmap_status_store(&hdr->nm_status, status);
}

int nlmmap_rx_put(struct nlmmap_ctx *ctx, const struct sk_buff *skb,
		  u64 sender, u32 group, const struct scm_creds *creds);

/**
 * nlmmap_rx_wake() - a frame was published: wake a reader asleep in
 * poll(), if there is one, by the ring's wake-up policy
 * @ctx: the context, alive (a frame of it is reserved)
 *
 * A reader that keeps up never sleeps: this is then one barrier and a
 * test. wq_has_sleeper()'s barrier pairs with the one in poll().
 */
static inline void nlmmap_rx_wake(struct nlmmap_ctx *ctx)
{
	if (wq_has_sleeper(&ctx->wq))
		nlmmap_rx_wake_sleeper(ctx);
}

/**
 * nlmmap_is_ring_skb() - does @skb's data sit in a ring frame?
 * @skb: an skb
 *
 * Return: true for a ring skb (see nlmmap_skb_in_ring()).
 */
static inline bool nlmmap_is_ring_skb(const struct sk_buff *skb)
{
	return skb->destructor == nlmmap_ring_skb_destructor;
}

/* batch.c */
void nlmmap_batch_run_end(struct nlmmap_batch *b);

/**
 * __nlmmap_batch_next() - the next frame of a batch's run, if it has one
 * @b: the batch
 * @size: bytes the message needs
 *
 * The fast path of nlmmap_batch_alloc(), inline for the module's own
 * producers: the batch's skb, aimed at the run's next frame.
 *
 * Return: the skb, or NULL when nlmmap_batch_alloc() must do more.
 */
static inline struct sk_buff *__nlmmap_batch_next(struct nlmmap_batch *b,
						  unsigned int size)
{
	struct sk_buff *skb = b->skb;
	struct nl_mmap_hdr *hdr;

	if (unlikely(!b->left || size > b->cap || !skb || b->out))
		return NULL;
	hdr = nlmmap_frame(&b->ctx->rx, b->next);
	b->next = nlmmap_frame_next(&b->ctx->rx, b->next);
	b->left--;
	b->out = true;
	NLMMAP_SKB_CB(skb)->hdr = hdr;
	skb->head = (unsigned char *)hdr + NLMMAP_HDRLEN;
	skb->data = skb->head;
	skb->len = 0;
	skb_reset_tail_pointer(skb);
	return skb;
}

/**
 * __nlmmap_batch_publish() - publish a batch's ring skb in its frame
 * @b: the batch
 * @skb: from nlmmap_batch_alloc()
 *
 * The fast path of nlmmap_batch_send(), inline for the module's own
 * producers. With CONFIG_DEBUG_NET it leaves everything to
 * nlmmap_batch_send(), which checks the skb first.
 *
 * Return: true if published; false: nothing done, use nlmmap_batch_send().
 */
static inline bool __nlmmap_batch_publish(struct nlmmap_batch *b,
					  struct sk_buff *skb)
{
	struct nlmmap_skb_cb *cb = NLMMAP_SKB_CB(skb);

	if (IS_ENABLED(CONFIG_DEBUG_NET) || !nlmmap_is_ring_skb(skb) ||
	    cb->batch != b)
		return false;
	nlmmap_frame_publish_id(b->ctx, cb->hdr, skb->len, NLMMAP_STATUS_VALID,
				0, 0);
	cb->hdr = NULL;		/* the frame is the reader's now */
	nlmmap_rx_wake(b->ctx);
	b->delivered++;
	b->out = false;
	if (!b->left && b->run)
		nlmmap_batch_run_end(b);
	return true;
}

void nlmmap_batch_lost_skb(struct nlmmap_batch *b);
void nlmmap_batch_cancel(struct nlmmap_batch *b, struct sk_buff *skb);
int nlmmap_rx_copy(struct nlmmap_ctx *ctx, struct nl_mmap_hdr *hdr,
		   struct sk_buff *skb);
void nlmmap_rx_abandon(struct nlmmap_ctx *ctx, struct nl_mmap_hdr *hdr);
void nlmmap_rx_stop(struct nlmmap_ctx *ctx);
void nlmmap_rx_start(struct nlmmap_ctx *ctx);
void nlmmap_wake(struct nlmmap_ctx *ctx, __poll_t events);

/* bench.c: the benchmark source */
int nlmmap_do_bench(const struct nlmmap_req *req);
struct nlmmap_bench_hdr {	/* what precedes the payload */
	struct nlmsghdr nlh;
	struct genlmsghdr genl;
	struct nlattr seq_nla;
	u32 seq;
	struct nlattr pl_nla;
};

struct nlmmap_bench {		/* the messages of one request or dump */
	struct nlmmap_bench_hdr hdr;
	u32 len;		/* of one message */
	u32 size;		/* of its payload */
	u32 blocks;		/* 32-byte blocks when small, else 0 */
	bool stamp;
};

void nlmmap_bench_init(struct nlmmap_bench *m, u32 portid, u32 seq,
		       u16 flags, u32 size, bool stamp);
/**
 * nlmmap_bench_put() - append one benchmark message to @skb
 * @skb: the message buffer
 * @m: the request's messages, from nlmmap_bench_init()
 * @n: the message's number: NLMMAP_A_SEQ, and the payload's byte value
 *
 * Return: 0, or -EMSGSIZE when @skb has no room (nothing written).
 */
static inline int nlmmap_bench_put(struct sk_buff *skb,
				   const struct nlmmap_bench *m, u32 n)
{
	struct nlmmap_bench_hdr *h;
	u64 fill = 0x0101010101010101ULL * (u8)n;
	u8 *pl;
	u32 i;

	if (unlikely(skb_tailroom(skb) < m->len))
		return -EMSGSIZE;
	h = __skb_put(skb, m->len);
	*h = m->hdr;
	h->seq = n;
	pl = (u8 *)(h + 1);
	if (m->blocks) {
		/* Small payloads, no padding: 32 bytes at a time. */
		for (i = 0; i < m->blocks; i++, pl += 32) {
			put_unaligned(fill, (u64 *)pl);
			put_unaligned(fill, (u64 *)(pl + 8));
			put_unaligned(fill, (u64 *)(pl + 16));
			put_unaligned(fill, (u64 *)(pl + 24));
		}
		pl = (u8 *)(h + 1);
	} else {
		memset(pl, (u8)n, m->size);
		memset(pl + m->size, 0, nla_padlen(m->size));
	}
	if (m->stamp)
		put_unaligned(ktime_get_ns(), (u64 *)pl);
	return 0;
}

size_t nlmmap_bench_msg_size(u32 size);

#define NLMMAP_BENCH_MAX_COUNT	BIT(24)
#define NLMMAP_BENCH_MAX_SIZE	(U16_MAX - NLA_HDRLEN)

/* dump.c */
struct nlmmap_dump_req {
	u8 cmd;			/* NLMMAP_CMD_RING_GET or NLMMAP_CMD_BENCH */
	bool all;		/* RING_GET: every ring (CAP_NET_ADMIN) */
	u32 seq;
	u32 count;		/* BENCH table: objects */
	u32 size;		/* BENCH table: payload bytes per object */
	bool stamp;		/* BENCH table: NLMMAP_A_STAMP */
	kuid_t viewer;		/* RING_GET: else the rings of this user */
};

int nlmmap_dump_req_parse(struct nlmmap_dump_req *dr, u8 cmd, u32 seq,
			  const struct nlmmap_nla *attrs);
int nlmmap_dump_start(struct nlmmap_ctx *ctx, const struct nlmmap_dump_req *dr,
		      const struct nlmmap_dump_ops *ops,
		      const struct nlmmap_dump_src *src);
int nlmmap_dump_to_portid(struct net *net, u32 portid,
			  const struct nlmmap_dump_req *dr,
			  const struct nlmmap_dump_ops *ops,
			  const struct nlmmap_dump_src *src);
void nlmmap_dump_poll(struct nlmmap_ctx *ctx);
bool nlmmap_dump_pending(struct nlmmap_ctx *ctx);
void nlmmap_dump_free(struct nlmmap_ctx *ctx);
u32 nlmmap_dump_resume_frames(u32 frames, u32 pct);
void nlmmap_dump_bench(struct nlmmap_bench *m, const struct nlmmap_dump_req *dr,
		       u32 portid);
u32 nlmmap_dump_fill(struct sk_buff *skb, struct net *net,
		     const struct nlmmap_dump_req *dr,
		     const struct nlmmap_bench *m, u64 *pos, u32 max,
		     u32 portid, u16 flags, struct netlink_callback *cb,
		     bool *end);
size_t nlmmap_dump_obj_size(const struct nlmmap_dump_req *dr);

/* genl.c, for dumps */
int nlmmap_put_ring(struct sk_buff *skb, struct nlmmap_ctx *ctx);
size_t nlmmap_ring_msg_size(void);
struct genl_family *nlmmap_genl_family(void);

/* tx.c */
int nlmmap_tx_process(struct nlmmap_ctx *ctx, struct file *file);
bool nlmmap_tx_exclusive(struct nlmmap_ctx *ctx, struct file *file);

/* dev.c */
int nlmmap_dev_init(void);
void nlmmap_dev_exit(void);
struct nlmmap_ctx *nlmmap_file_ctx(struct file *file);

/* relay.c */
#define NLMMAP_RELAY_SUBS_MAX	64	/* subscriptions per ring */
/* Default of relay_user_listeners: listeners one user may hold at a time. */
#define NLMMAP_RELAY_USER_LISTENERS	256
int nlmmap_relay_subscribe(struct nlmmap_ctx *ctx, struct sock *sk,
			   const struct nlmmap_subscription *req);
int nlmmap_relay_unsubscribe(struct nlmmap_ctx *ctx, int protocol, u32 group);
void nlmmap_relay_drop(struct nlmmap_ctx *ctx);
int nlmmap_relay_dump_ring(struct sk_buff *skb, struct netlink_callback *cb,
			   struct nlmmap_ctx *ctx, u32 *skip);

/* relay_ctl.c */
long nlmmap_relay_ioctl(struct nlmmap_ctx *ctx, unsigned int cmd,
			void __user *uarg, u32 usize);
int nlmmap_relay_dump_start(struct netlink_callback *cb);
int nlmmap_relay_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* bind.c */
void nlmmap_queue_work(struct work_struct *work);
int nlmmap_bind_init(void);
void nlmmap_bind_exit(void);
int nlmmap_bind(struct nlmmap_ctx *ctx, struct sock *sk, u32 portid);
void nlmmap_unbind(struct nlmmap_ctx *ctx);
void nlmmap_unbind_released(struct net *net, u32 portid);
struct nlmmap_ctx *nlmmap_lookup_rcu(const struct net *net, u32 portid);
struct nlmmap_ctx *nlmmap_ctx_get(const struct net *net, u32 portid);
struct nlmmap_ctx *nlmmap_table_nth(const struct net *net, u64 n,
				    const struct nlmmap_dump_req *dr);
u32 nlmmap_table_gen(void);
void nlmmap_ctx_put(struct nlmmap_ctx *ctx);

#endif /* _NET_NLMMAP_INT_H */
