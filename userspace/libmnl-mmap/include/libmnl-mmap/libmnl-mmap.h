/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file libmnl-mmap.h
 * @brief libmnl-mmap: memory-mapped RX/TX rings for generic netlink
 *        sockets (the nlmmap kernel module), in libmnl's style.
 *
 * The frame protocol is documented once, in <linux/nlmmap.h>. A ring
 * handle (struct mnl_ring) has a consumer handle for its RX ring
 * (struct mnl_ring_rx: peek N, release N, in the spirit of libxdp's
 * xsk_ring_cons__peek/__release) and a producer handle for its TX ring
 * (struct mnl_ring_tx: reserve N, submit N), so a call on the wrong ring
 * does not compile. Buffers are the caller's; callbacks are libmnl's.
 *
 * ABI: the symbols below and nothing else, soname libmnl-mmap.so.1.
 * Each call belongs to the version node that introduced it:
 * LIBMNL_MMAP_1 (1.0), LIBMNL_MMAP_1.1 (mnl_ring_map_setup(),
 * mnl_ring_subscribe(), mnl_ring_unsubscribe()), LIBMNL_MMAP_1.2
 * (mnl_ring_subscribe_genl()), LIBMNL_MMAP_1.3 (mnl_ring_version()),
 * LIBMNL_MMAP_1.4 (the mnl_ring_queue_*() calls).
 * The package version (pkg-config's Version, LIBMNL_MMAP_VERSION) is
 * MAJOR.MINOR.MICRO, MAJOR.MINOR the newest node: a program that needs a
 * call asks pkg-config for --atleast-version of its node.
 */
#ifndef _LIBMNL_MMAP_H_
#define _LIBMNL_MMAP_H_

/* The version of this header; mnl_ring_version() is the library's. */
#define LIBMNL_MMAP_VERSION_MAJOR	1
#define LIBMNL_MMAP_VERSION_MINOR	4
#define LIBMNL_MMAP_VERSION_MICRO	0
#define LIBMNL_MMAP_VERSION		"1.4.0"

#include <stdint.h>
#include <sys/types.h>
#include <libmnl/libmnl.h>
#include <linux/nlmmap.h>

#ifdef __cplusplus
extern "C" {
#endif

/** mnl_ring_rx_run(): nothing was ready (besides MNL_CB_ERROR/STOP/OK). */
#define MNL_RING_EMPTY	2

struct mnl_ring;	/**< one /dev/nlmmap file bound to a socket, mapped */
struct mnl_ring_rx;	/**< its RX ring: the application consumes */
struct mnl_ring_tx;	/**< its TX ring: the application produces */

/*
 * The contract of each call follows, in short; its man page (man CALL
 * shows its group's: mnl_ring_map, mnl_ring_rx, mnl_ring_tx,
 * mnl_ring_genl, mnl_ring_queue; man libmnl-mmap for the whole and its
 * THREAD SAFETY) and the .c files have the rest. "-1/errno" means
 * -1 with errno set, "NULL/errno" likewise.
 */

/* Setup (man mnl_ring_map) */

/*
 * Give the NETLINK_GENERIC socket NL an RX ring of geometry RX and a TX
 * ring of geometry TX (NULL: none): resolves the nlmmap family (loading
 * nlmmap.ko if installed), opens /dev/nlmmap, binds it to NL (reading NL
 * for the answer), sets both up and maps them. Returns the ring, or
 * NULL/errno: ENOENT no module or device, EPERM not allowed by the
 * module's disabled=, EINVAL bad geometry, E2BIG unknown setup fields,
 * ENOMEM out of memory or over RLIMIT_MEMLOCK, EADDRINUSE NL has a ring,
 * EPROTONOSUPPORT NL not NETLINK_GENERIC, and the socket's errors.
 */
struct mnl_ring *mnl_ring_map(struct mnl_socket *nl,
			      const struct nl_mmap_req *rx,
			      const struct nl_mmap_req *tx);
/*
 * As mnl_ring_map() with the whole setup of the caller (flags,
 * dump_resume_pct, wake_frames, wake_usecs); sets SETUP->size, and the
 * kernel's answer (features, offsets) is written back. Same errors.
 */
struct mnl_ring *mnl_ring_map_setup(struct mnl_socket *nl,
				    struct nlmmap_setup *setup);
/*
 * Unmap R's rings, close its file and free R with its handles (the
 * socket stays the caller's). Returns 0, or -1/errno of munmap(2) or
 * close(2); R is freed either way.
 */
int mnl_ring_unmap(struct mnl_ring *r);
/* R's ring file descriptor, for poll() or epoll; cannot fail. */
int mnl_ring_get_fd(const struct mnl_ring *r);
/* The socket R was mapped for; cannot fail. */
struct mnl_socket *mnl_ring_get_socket(const struct mnl_ring *r);
/* R's RX (consumer) handle, or NULL/errno ENXIO without an RX ring. */
struct mnl_ring_rx *mnl_ring_rx(struct mnl_ring *r);
/* R's TX (producer) handle, or NULL/errno ENXIO without a TX ring. */
struct mnl_ring_tx *mnl_ring_tx(struct mnl_ring *r);
/*
 * poll() R's file and socket for EVENTS (POLLIN, POLLOUT) up to TIMEOUT
 * ms (-1: for ever); the kernel also runs pending TX frames and a paused
 * dump. Returns the revents (POLLERR after an overrun), 0 on timeout, or
 * -1/errno of poll(2).
 */
int mnl_ring_wait(const struct mnl_ring *r, short events, int timeout);
/*
 * Acknowledge an RX overrun (ends POLLERR). Returns the messages dropped
 * since the last call, or -1/errno (EINTR: a fatal signal).
 */
int mnl_ring_clear_error(const struct mnl_ring *r);
/*
 * Relay multicast GROUP of netlink PROTOCOL into R's RX ring (frames with
 * nm_group = GROUP); reads the socket for the answer unless PROTOCOL is
 * NETLINK_GENERIC. Returns 0 or -1/errno: EPERM the source refuses the
 * caller or an opener, EINVAL no such group, EEXIST subscribed already,
 * ENOTCONN not bound, EOPNOTSUPP the audit log outside the initial
 * namespace, EDQUOT over relay_user_listeners, ENOSPC too many
 * subscriptions of the ring.
 */
int mnl_ring_subscribe(struct mnl_ring *r, unsigned int protocol,
		       unsigned int group);
/* End a subscription: 0, or -1/errno (ENOENT: not subscribed). */
int mnl_ring_unsubscribe(struct mnl_ring *r, unsigned int protocol,
			 unsigned int group);
/*
 * Subscribe generic netlink group NAME of FAMILY, by name, through the
 * ring file. Returns the group's number (nm_group of its frames), or
 * -1/errno: ENOENT no such family or group, EPERM, EINVAL an empty name
 * or one of 16 bytes or more, and those of mnl_ring_subscribe().
 */
int mnl_ring_subscribe_genl(struct mnl_ring *r, const char *family,
			    const char *name);
/* The netlink message of FRAME, at NLMMAP_HDRLEN; cannot fail. */
void *mnl_ring_frame_data(struct nl_mmap_hdr *frame);

/* RX: the consumer (man mnl_ring_rx); one thread at a time per handle */

/* The geometry RX was set up with; cannot fail. */
const struct nl_mmap_req *mnl_ring_rx_geometry(const struct mnl_ring_rx *rx);
/*
 * Store up to NB (at most 256) ready frames, VALID or COPY, in order, in
 * FRAMES, by the reader's rule of <linux/nlmmap.h>. Returns how many (0:
 * nothing ready); peeking again before releasing gives the same frames.
 */
unsigned int mnl_ring_rx_peek(struct mnl_ring_rx *rx,
			      struct nl_mmap_hdr **frames, unsigned int nb);
/* The RX frame of index IDX, to look at, or NULL past nm_frame_nr. */
struct nl_mmap_hdr *mnl_ring_rx_frame(const struct mnl_ring_rx *rx,
				      unsigned int idx);
/* Keep frame I of the last peek (SKIP) at the next release. */
void mnl_ring_rx_hold(struct mnl_ring_rx *rx, unsigned int i);
/*
 * Give back the first N frames of the last peek (at most those peeked),
 * keeping the held ones, and move the head past all N.
 */
void mnl_ring_rx_release(struct mnl_ring_rx *rx, unsigned int n);
/* Give back a held FRAME, at any time, from any thread. */
void mnl_ring_frame_release(struct nl_mmap_hdr *frame);
/*
 * Receive the next socket message into BUF (LEN bytes) in the ring's
 * order: FRAME a peeked COPY frame (*FRAME_DONE = 1 when the message is
 * its own), or NULL (only a message that came without a frame, when none
 * is ready). Returns its length, or -1/errno: EAGAIN none now (or a frame
 * to read first), and recv(2)'s.
 */
ssize_t mnl_ring_rx_recv(struct mnl_ring_rx *rx, struct nl_mmap_hdr *frame,
			 void *buf, size_t len, int *frame_done);
/*
 * Run libmnl's callbacks (as mnl_cb_run2()) over everything ready, in
 * order, COPY and frameless messages through BUF (BUFLEN bytes).
 * Returns MNL_CB_ERROR (-1/errno: a callback's, an NLMSG_ERROR's, ESRCH,
 * EPROTO, EINTR, or mnl_ring_rx_recv()'s), MNL_CB_STOP, MNL_CB_OK (more
 * may come) or MNL_RING_EMPTY (nothing was ready).
 */
int mnl_ring_rx_run(struct mnl_ring_rx *rx, void *buf, size_t buflen,
		    unsigned int seq, unsigned int portid, mnl_cb_t cb_data,
		    void *data, const mnl_cb_t *cb_ctl_array,
		    unsigned int cb_ctl_array_len);

/* TX: the producer (man mnl_ring_tx); one thread at a time per handle */

/* The geometry TX was set up with; cannot fail. */
const struct nl_mmap_req *mnl_ring_tx_geometry(const struct mnl_ring_tx *tx);
/* Bytes a request may take in one TX frame; cannot fail. */
size_t mnl_ring_tx_room(const struct mnl_ring_tx *tx);
/* The TX frame of index IDX, to look at, or NULL past nm_frame_nr. */
struct nl_mmap_hdr *mnl_ring_tx_frame(const struct mnl_ring_tx *tx,
				      unsigned int idx);
/*
 * Store up to NB (at most 256) free TX frames, in ring order, in FRAMES,
 * with nm_len 0. Returns how many (0: none free, wait for POLLOUT).
 */
unsigned int mnl_ring_tx_reserve(struct mnl_ring_tx *tx,
				 struct nl_mmap_hdr **frames, unsigned int nb);
/*
 * Publish the first N reserved frames VALID (nm_len, if left 0, from the
 * request's nlmsg_len); the kernel runs them at the next kick or wait.
 */
void mnl_ring_tx_submit(struct mnl_ring_tx *tx, unsigned int n);
/*
 * Make the kernel run the submitted frames, a budget per ioctl, until it
 * takes less. Returns the frames run, or -1/errno (ENOTCONN not bound,
 * ENXIO no TX ring, EINTR) when the first ioctl fails.
 */
int mnl_ring_tx_kick(const struct mnl_ring_tx *tx);

/* Generic netlink helpers and dumps (man mnl_ring_genl) */

/*
 * Resolve family NAME to *ID through nlctrl on NL (bound), reading NL.
 * Returns 0, or -1/errno: ENOENT no such family, and the socket's.
 */
int mnl_ring_genl_resolve(struct mnl_socket *nl, const char *name,
			  uint16_t *id);
/*
 * Put a netlink header (FAMILY, NLM_F_REQUEST | FLAGS, SEQ) and a generic
 * netlink header (CMD, VERSION) into BUF; returns the header, cannot fail.
 */
struct nlmsghdr *mnl_ring_genl_put(void *buf, uint16_t family, uint8_t cmd,
				   uint8_t version, uint16_t flags,
				   uint32_t seq);
/*
 * Run the dump NLH (NLM_F_REQUEST | NLM_F_DUMP set here) to NLMSG_DONE,
 * through R's rings where it has them, CB called per message with DATA,
 * TIMEOUT ms per wait for progress (-1: none). Returns MNL_CB_STOP, or
 * MNL_CB_ERROR (-1/errno: the kernel's answer such as EBUSY for a second
 * dump, ENOBUFS after an RX overrun, ETIMEDOUT, and the errors of
 * mnl_ring_tx_kick() and mnl_ring_rx_run()).
 */
int mnl_ring_dump(struct mnl_ring *r, struct nlmsghdr *nlh, void *buf,
		  size_t buflen, mnl_cb_t cb, void *data, int timeout);

/*
 * The version of the library that runs, "MAJOR.MINOR.MICRO" (a static
 * string; cannot fail); compare it with LIBMNL_MMAP_VERSION, the
 * header's, to find a program run against an older library than it was
 * built with (man libmnl-mmap).
 */
const char *mnl_ring_version(void);

/*
 * nfqueue on a ring (LIBMNL_MMAP_1.4; nlmmap_queue.ko; man mnl_ring_queue
 * and src/queue.c). One thread at a time per queue.
 */
struct mnl_ring_queue;
/*
 * Open a socket and ring sized for COPY_RANGE (0: the most, 65531), bind
 * QUEUE with FLAGS (NFQA_CFG_F_*) and wait for the ack. Returns the
 * queue, or NULL/errno: ENOENT no nlmmap_queue module, EBUSY another
 * socket holds the queue, EPERM no CAP_NET_ADMIN (or no rings allowed),
 * EINVAL QUEUE above 65535, and mnl_ring_map()'s.
 */
struct mnl_ring_queue *mnl_ring_queue_open(unsigned int queue,
					   unsigned int copy_range,
					   uint32_t flags);
/*
 * Flush the verdicts, unbind and free Q (NULL: nothing); packets still
 * held follow the queue's policy.
 */
void mnl_ring_queue_close(struct mnl_ring_queue *q);
/* Q's ring, for its fd and the mnl_ring calls; cannot fail. */
struct mnl_ring *mnl_ring_queue_get_ring(struct mnl_ring_queue *q);
/*
 * Call CB (with DATA) per packet message, which nfq_nlmsg_parse() reads
 * as nfnetlink_queue's, waiting once up to TIMEOUT ms when none is ready,
 * and flush the verdicts. Returns as mnl_cb_run() (MNL_CB_ERROR with
 * errno: a refused verdict's, ENOBUFS after an RX overrun), or
 * MNL_RING_EMPTY when nothing came.
 */
int mnl_ring_queue_run(struct mnl_ring_queue *q, mnl_cb_t cb, void *data,
		       int timeout);
/*
 * The verdict calls write verdict V for packet ID (with a MARK, a new
 * PAYLOAD of LEN bytes, or for every held packet up to ID, with *MARK
 * when MARK is not NULL) into a TX frame, which the next flush hands
 * in; on a full TX ring they flush and wait for a frame. Each returns
 * 0, or -1/errno: ENOBUFS no TX frame came free; EMSGSIZE (payload) LEN
 * above 65531 or past a frame. The kernel's refusal of a verdict comes
 * back through mnl_ring_queue_run().
 */
int mnl_ring_queue_verdict(struct mnl_ring_queue *q, uint32_t id,
			   uint32_t v);
int mnl_ring_queue_verdict_mark(struct mnl_ring_queue *q, uint32_t id,
				uint32_t v, uint32_t mark);
int mnl_ring_queue_verdict_payload(struct mnl_ring_queue *q, uint32_t id,
				   uint32_t v, const void *payload,
				   size_t len);
int mnl_ring_queue_verdict_batch(struct mnl_ring_queue *q, uint32_t id,
				 uint32_t v, const uint32_t *mark);
/*
 * Hand the verdicts written so far to the kernel (run and the verdict
 * calls on a full ring do it too). Returns the frames the kernel took
 * (0: none pending), or -1/errno as mnl_ring_tx_kick().
 */
int mnl_ring_queue_flush(struct mnl_ring_queue *q);

#ifdef __cplusplus
}
#endif

#endif /* _LIBMNL_MMAP_H_ */
