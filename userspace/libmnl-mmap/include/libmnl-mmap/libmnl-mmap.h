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

/* Setup */
struct mnl_ring *mnl_ring_map(struct mnl_socket *nl,
			      const struct nl_mmap_req *rx,
			      const struct nl_mmap_req *tx);
struct mnl_ring *mnl_ring_map_setup(struct mnl_socket *nl,
				    struct nlmmap_setup *setup);
int mnl_ring_unmap(struct mnl_ring *r);
int mnl_ring_get_fd(const struct mnl_ring *r);
struct mnl_socket *mnl_ring_get_socket(const struct mnl_ring *r);
struct mnl_ring_rx *mnl_ring_rx(struct mnl_ring *r);
struct mnl_ring_tx *mnl_ring_tx(struct mnl_ring *r);
int mnl_ring_wait(const struct mnl_ring *r, short events, int timeout);
int mnl_ring_clear_error(const struct mnl_ring *r);
int mnl_ring_subscribe(struct mnl_ring *r, unsigned int protocol,
		       unsigned int group);
int mnl_ring_unsubscribe(struct mnl_ring *r, unsigned int protocol,
			 unsigned int group);
int mnl_ring_subscribe_genl(struct mnl_ring *r, const char *family,
			    const char *name);
void *mnl_ring_frame_data(struct nl_mmap_hdr *frame);

/* RX: the consumer */
const struct nl_mmap_req *mnl_ring_rx_geometry(const struct mnl_ring_rx *rx);
unsigned int mnl_ring_rx_peek(struct mnl_ring_rx *rx,
			      struct nl_mmap_hdr **frames, unsigned int nb);
struct nl_mmap_hdr *mnl_ring_rx_frame(const struct mnl_ring_rx *rx,
				      unsigned int idx);
void mnl_ring_rx_hold(struct mnl_ring_rx *rx, unsigned int i);
void mnl_ring_rx_release(struct mnl_ring_rx *rx, unsigned int n);
void mnl_ring_frame_release(struct nl_mmap_hdr *frame);
ssize_t mnl_ring_rx_recv(struct mnl_ring_rx *rx, struct nl_mmap_hdr *frame,
			 void *buf, size_t len, int *frame_done);
int mnl_ring_rx_run(struct mnl_ring_rx *rx, void *buf, size_t buflen,
		    unsigned int seq, unsigned int portid, mnl_cb_t cb_data,
		    void *data, const mnl_cb_t *cb_ctl_array,
		    unsigned int cb_ctl_array_len);

/* TX: the producer */
const struct nl_mmap_req *mnl_ring_tx_geometry(const struct mnl_ring_tx *tx);
size_t mnl_ring_tx_room(const struct mnl_ring_tx *tx);
struct nl_mmap_hdr *mnl_ring_tx_frame(const struct mnl_ring_tx *tx,
				      unsigned int idx);
unsigned int mnl_ring_tx_reserve(struct mnl_ring_tx *tx,
				 struct nl_mmap_hdr **frames, unsigned int nb);
void mnl_ring_tx_submit(struct mnl_ring_tx *tx, unsigned int n);
int mnl_ring_tx_kick(const struct mnl_ring_tx *tx);

/* Generic netlink helpers and dumps */
int mnl_ring_genl_resolve(struct mnl_socket *nl, const char *name,
			  uint16_t *id);
struct nlmsghdr *mnl_ring_genl_put(void *buf, uint16_t family, uint8_t cmd,
				   uint8_t version, uint16_t flags,
				   uint32_t seq);
int mnl_ring_dump(struct mnl_ring *r, struct nlmsghdr *nlh, void *buf,
		  size_t buflen, mnl_cb_t cb, void *data, int timeout);

/*
 * The version of the library that runs, "MAJOR.MINOR.MICRO" (a static
 * string); compare it with LIBMNL_MMAP_VERSION, the header's, to find a
 * program run against an older library than it was built with.
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
