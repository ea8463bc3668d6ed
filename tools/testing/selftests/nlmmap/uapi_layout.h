/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The layout of every uAPI structure nlmmap and nlmmap_queue use, as fixed
 * numbers: the same for i386 and x86-64 (sizes, offsets, alignments and
 * ioctl numbers). The static checks compile this header with -m32 and
 * -m64 (tools/build/static.sh uapi-layout); compat32_i386.c includes it
 * too. C11, userspace headers only.
 */
#ifndef NLMMAP_UAPI_LAYOUT_H
#define NLMMAP_UAPI_LAYOUT_H

#include <stddef.h>
#include <linux/netlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/nlmmap.h>
#include <linux/nlmmap_queue.h>

#define LAYOUT(type, field, off)					\
	_Static_assert(offsetof(type, field) == (off),			\
		       "offset of " #field " in " #type)
#define LAYOUT_SIZE(type, size, align)					\
	_Static_assert(sizeof(type) == (size) &&			\
		       _Alignof(type) == (align), "size or alignment of " #type)

LAYOUT_SIZE(struct nl_mmap_req, 16, 4);
LAYOUT(struct nl_mmap_req, nm_block_size, 0);
LAYOUT(struct nl_mmap_req, nm_block_nr, 4);
LAYOUT(struct nl_mmap_req, nm_frame_size, 8);
LAYOUT(struct nl_mmap_req, nm_frame_nr, 12);

LAYOUT_SIZE(struct nl_mmap_hdr, 24, 4);
LAYOUT(struct nl_mmap_hdr, nm_status, 0);
LAYOUT(struct nl_mmap_hdr, nm_len, 4);
LAYOUT(struct nl_mmap_hdr, nm_group, 8);
LAYOUT(struct nl_mmap_hdr, nm_pid, 12);
LAYOUT(struct nl_mmap_hdr, nm_uid, 16);
LAYOUT(struct nl_mmap_hdr, nm_gid, 20);
_Static_assert(NLMMAP_HDRLEN == 24, "NLMMAP_HDRLEN");

LAYOUT_SIZE(struct nlmmap_offsets, 32, 8);
LAYOUT(struct nlmmap_offsets, rx, 0);
LAYOUT(struct nlmmap_offsets, tx, 8);
LAYOUT(struct nlmmap_offsets, ctrl, 16);
LAYOUT(struct nlmmap_offsets, size, 24);

LAYOUT_SIZE(struct nlmmap_setup, 120, 8);
_Static_assert(NLMMAP_SETUP_SIZE_V1 == 120, "NLMMAP_SETUP_SIZE_V1");
_Static_assert(NLMMAP_SUBSCRIPTION_SIZE_V1 == 48,
	       "NLMMAP_SUBSCRIPTION_SIZE_V1");
LAYOUT(struct nlmmap_setup, size, 0);
LAYOUT(struct nlmmap_setup, flags, 4);
LAYOUT(struct nlmmap_setup, rx, 8);
LAYOUT(struct nlmmap_setup, tx, 24);
LAYOUT(struct nlmmap_setup, dump_resume_pct, 40);
LAYOUT(struct nlmmap_setup, wake_frames, 44);
LAYOUT(struct nlmmap_setup, wake_usecs, 48);
LAYOUT(struct nlmmap_setup, features, 52);
LAYOUT(struct nlmmap_setup, off, 56);
LAYOUT(struct nlmmap_setup, resv, 88);

LAYOUT_SIZE(struct nlmmap_ctrl, 64, 4);
_Static_assert(NLMMAP_CTRL_SIZE == 4096, "NLMMAP_CTRL_SIZE");
LAYOUT(struct nlmmap_ctrl, rx_head, 0);

LAYOUT_SIZE(struct nlmmap_subscription, 48, 4);
LAYOUT(struct nlmmap_subscription, size, 0);
LAYOUT(struct nlmmap_subscription, protocol, 4);
LAYOUT(struct nlmmap_subscription, group, 8);
LAYOUT(struct nlmmap_subscription, flags, 12);
LAYOUT(struct nlmmap_subscription, family, 16);
LAYOUT(struct nlmmap_subscription, name, 32);

_Static_assert(NLMMAP_IOC_SETUP == 0xc078b801 &&
	       NLMMAP_IOC_KICK == 0xb804 &&
	       NLMMAP_IOC_CLEAR_ERR == 0xb805 &&
	       NLMMAP_IOC_BOUND == 0x8004b806 &&
	       NLMMAP_IOC_SUBSCRIBE == 0xc030b807 &&
	       NLMMAP_IOC_UNSUBSCRIBE == 0x4030b808, "ioctl numbers");

/* What nlmmap_queue's frames carry: nfnetlink_queue's structures. */
LAYOUT_SIZE(struct nfqnl_msg_packet_hdr, 7, 1);
LAYOUT(struct nfqnl_msg_packet_hdr, hw_protocol, 4);
LAYOUT(struct nfqnl_msg_packet_hdr, hook, 6);
LAYOUT_SIZE(struct nfqnl_msg_packet_hw, 12, 2);
LAYOUT_SIZE(struct nfqnl_msg_packet_timestamp, 16, 8);
LAYOUT_SIZE(struct nfqnl_msg_verdict_hdr, 8, 4);
LAYOUT(struct nfqnl_msg_verdict_hdr, id, 4);
LAYOUT_SIZE(struct nfqnl_msg_config_cmd, 4, 2);
LAYOUT_SIZE(struct nfqnl_msg_config_params, 5, 1);

#undef LAYOUT
#undef LAYOUT_SIZE

#endif
