/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NLMMAP_TEST_UTIL_H
#define NLMMAP_TEST_UTIL_H

#include <stdint.h>
#include <libmnl/libmnl.h>
#include <linux/nlmmap.h>

#define NLMMAP_KO "/lib/nlmmap/nlmmap.ko"

/* A bound NETLINK_GENERIC socket and the nlmmap family id. */
struct mnl_socket *genl_open(uint16_t *family);
/* Send @cmd to the family, run @cb over the replies until the ack. */
int genl_call(struct mnl_socket *nl, uint16_t family, uint8_t cmd,
	      mnl_cb_t cb, void *data);
/* Module-wide counter NLMMAP_S_* via NLMMAP_CMD_GET, or -1. */
int64_t nlmmap_stat(struct mnl_socket *nl, uint16_t family, int stat);
int module_load(void);
int module_unload(void);

#endif
