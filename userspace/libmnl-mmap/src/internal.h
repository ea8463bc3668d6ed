/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef _LIBMNL_MMAP_INTERNAL_H_
#define _LIBMNL_MMAP_INTERNAL_H_

#include "libmnl-mmap/libmnl-mmap.h"

#define EXPORT_SYMBOL __attribute__((visibility("default")))

int ring_family(uint16_t *family);
int ring_genl_bind(struct mnl_socket *nl, int fd, uint16_t family);
int ring_wait_ack(struct mnl_socket *nl, void *buf, size_t len,
		  unsigned int seq);

#endif
