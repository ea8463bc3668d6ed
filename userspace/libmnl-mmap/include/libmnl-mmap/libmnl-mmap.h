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

int mnl_ring_genl_resolve(struct mnl_socket *nl, const char *name,
			  uint16_t *id);

#ifdef __cplusplus
}
#endif

#endif /* _LIBMNL_MMAP_H_ */
