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
 * (mnl_ring_subscribe_genl()), LIBMNL_MMAP_1.3 (mnl_ring_version()).
 * The package version (pkg-config's Version, LIBMNL_MMAP_VERSION) is
 * MAJOR.MINOR.MICRO, MAJOR.MINOR the newest node: a program that needs a
 * call asks pkg-config for --atleast-version of its node.
 */
#ifndef _LIBMNL_MMAP_H_
#define _LIBMNL_MMAP_H_

/* The version of this header; mnl_ring_version() is the library's. */
#define LIBMNL_MMAP_VERSION_MAJOR	1
#define LIBMNL_MMAP_VERSION_MINOR	3
#define LIBMNL_MMAP_VERSION_MICRO	0
#define LIBMNL_MMAP_VERSION		"1.3.0"

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

#ifdef __cplusplus
}
#endif

#endif /* _LIBMNL_MMAP_H_ */
