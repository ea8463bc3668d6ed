/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file libmnl-mmap.h
 * @brief libmnl-mmap: memory-mapped RX/TX rings for generic netlink
 *        sockets (the nlmmap kernel module), in libmnl's style.
 *
 * The frame protocol is documented once, in <linux/nlmmap.h>.
 */
#ifndef _LIBMNL_MMAP_H_
#define _LIBMNL_MMAP_H_

#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/nlmmap.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The two rings of a mapping. */
enum mnl_ring_type {
	MNL_RING_RX = 0,	/**< kernel to application */
	MNL_RING_TX = 1,	/**< application to kernel */
};

/** An opaque handle: one /dev/nlmmap file bound to one socket, mapped. */
struct mnl_ring;

int mnl_ring_genl_resolve(struct mnl_socket *nl, const char *name,
			  uint16_t *id);

struct mnl_ring *mnl_ring_map(struct mnl_socket *nl,
			      const struct nl_mmap_req *rx,
			      const struct nl_mmap_req *tx);
int mnl_ring_unmap(struct mnl_ring *r);
int mnl_ring_get_fd(const struct mnl_ring *r);
struct mnl_socket *mnl_ring_get_socket(const struct mnl_ring *r);
const struct nl_mmap_req *mnl_ring_get_geometry(const struct mnl_ring *r,
						enum mnl_ring_type type);
size_t mnl_ring_frame_payload(const struct mnl_ring *r,
			      enum mnl_ring_type type);

struct nl_mmap_hdr *mnl_ring_current_frame(const struct mnl_ring *r,
					   enum mnl_ring_type type);
struct nl_mmap_hdr *mnl_ring_get_frame(const struct mnl_ring *r,
				       enum mnl_ring_type type,
				       unsigned int idx);
void mnl_ring_advance(struct mnl_ring *r, enum mnl_ring_type type);
int mnl_ring_rx_status(const struct mnl_ring *r);
void mnl_ring_release(struct nl_mmap_hdr *frame);
void mnl_ring_hold(struct nl_mmap_hdr *frame);
void *mnl_ring_frame_data(struct nl_mmap_hdr *frame);

int mnl_ring_wait(const struct mnl_ring *r, short events, int timeout);
int mnl_ring_kick(const struct mnl_ring *r);
int mnl_ring_clear_error(const struct mnl_ring *r);

struct nl_mmap_hdr *mnl_ring_tx_get(const struct mnl_ring *r);
void mnl_ring_tx_submit(struct mnl_ring *r, struct nl_mmap_hdr *frame,
			unsigned int len);

int mnl_ring_cb_run(struct mnl_ring *r, void *buf, size_t buflen,
		    unsigned int seq, unsigned int portid, mnl_cb_t cb,
		    void *data);
int mnl_ring_cb_run2(struct mnl_ring *r, void *buf, size_t buflen,
		     unsigned int seq, unsigned int portid, mnl_cb_t cb_data,
		     void *data, mnl_cb_t *cb_ctl_array,
		     unsigned int cb_ctl_array_len);

int mnl_ring_dump(struct mnl_ring *r, struct nlmsghdr *nlh, void *buf,
		  size_t buflen, mnl_cb_t cb, void *data, int timeout);

#ifdef __cplusplus
}
#endif

#endif /* _LIBMNL_MMAP_H_ */
