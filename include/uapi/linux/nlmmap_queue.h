/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nlmmap_queue: a netfilter queue backend whose packets go into the RX
 * ring of a generic netlink socket, and whose verdicts come back through
 * its TX ring (or the socket).
 *
 * A socket of the "nlmmap_queue" generic netlink family, with a ring bound
 * to it (NLMMAP_CMD_BIND of the "nlmmap" family), binds one queue number
 * (NLMQ_CMD_BIND; CAP_NET_ADMIN in the socket's network namespace, as for
 * nfnetlink_queue). Packets of that queue then arrive as messages
 *
 *   struct nlmsghdr   nlmsg_type: the family's id
 *   struct genlmsghdr cmd NLMQ_CMD_PACKET; reserved: the queue number,
 *                     big endian (where nfgenmsg has res_id)
 *   NFQA_* attributes as nfnetlink_queue sends them
 *
 * Both headers are 4 bytes, so libnetfilter_queue's nfq_nlmsg_parse()
 * reads these messages as it reads nfnetlink_queue's. Verdicts are
 * NLMQ_CMD_VERDICT (NFQA_VERDICT_HDR, optional NFQA_MARK, NFQA_PRIORITY,
 * NFQA_PAYLOAD: what nfq_nlmsg_verdict_put*() write) or
 * NLMQ_CMD_VERDICT_BATCH (every id up to NFQA_VERDICT_HDR's, optional
 * NFQA_MARK), as requests in TX frames or on the socket; they apply to the
 * queue the sender bound: the sending socket itself (a TX frame's is the
 * ring's bound socket), never another socket that holds its port id after
 * its release (ENOTCONN). One queue per socket.
 *
 * NLMQ_CMD_ENTRY_GET dumps the packets a queue holds, one message each
 * (generic netlink header with the queue number in reserved, as a packet
 * message): NFQA_PACKET_HDR, NFQA_MARK, NFQA_IFINDEX_INDEV/OUTDEV,
 * NFQA_CAP_LEN (the packet's length, not a capture length) and
 * NFQA_SKB_INFO (NFQA_SKB_GSO). The queue's socket may dump its own
 * queue; other queues need CAP_NET_ADMIN.
 */
#ifndef _UAPI_LINUX_NLMMAP_QUEUE_H
#define _UAPI_LINUX_NLMMAP_QUEUE_H

#include <linux/types.h>

#define NLMQ_GENL_NAME		"nlmmap_queue"
#define NLMQ_GENL_VERSION	1

#define NLMQ_MAXLEN_DEFAULT	1024	/* nfnetlink_queue's default */
#define NLMQ_MAXLEN_MAX		8192	/* a verdict's search is bounded */

/* Payload bytes at most, as nfnetlink_queue (NFQNL_MAX_COPY_RANGE): the
 * 16-bit nla_len of NFQA_PAYLOAD counts its 4-byte header. A packet cut
 * short by the copy range has NFQA_CAP_LEN, its length. With the largest
 * payload a packet message takes at most 65,668 bytes besides NFQA_CT and
 * NFQA_CT_INFO, so an RX frame of 65536 + 4096 bytes holds it; a message
 * larger than a frame comes through the socket behind a COPY frame.
 */
#define NLMQ_MAX_COPY_RANGE	65531

enum nlmq_cmd {
	NLMQ_CMD_UNSPEC,
	NLMQ_CMD_BIND,		/* bind QUEUE (and configure it) */
	NLMQ_CMD_UNBIND,	/* unbind; held packets follow the policy */
	NLMQ_CMD_PACKET,	/* kernel to user: a queued packet */
	NLMQ_CMD_VERDICT,	/* NFQA_* attributes: one packet */
	NLMQ_CMD_VERDICT_BATCH,	/* NFQA_* attributes: every id up to one */
	NLMQ_CMD_GET,		/* queues of the namespace (dump) or the
				 * caller's, with their counters
				 */
	NLMQ_CMD_ENTRY_GET,	/* dump: packets held by QUEUE (default:
				 * the caller's), in id order, into the
				 * caller's RX ring when it has one
				 */
	__NLMQ_CMD_MAX,
};

#define NLMQ_CMD_MAX (__NLMQ_CMD_MAX - 1)

/* Attributes of BIND and GET (VERDICT uses NFQA_*). */
enum nlmq_attr {
	NLMQ_A_UNSPEC,
	NLMQ_A_QUEUE,		/* u32: the queue number, 0..65535 */
	NLMQ_A_COPY_MODE,	/* u32: NFQNL_COPY_META or _PACKET (default) */
	NLMQ_A_COPY_RANGE,	/* u32: payload bytes at most; 0, absent or
				 * above NLMQ_MAX_COPY_RANGE: that
				 */
	NLMQ_A_MAXLEN,		/* u32: packets held at most */
	NLMQ_A_FLAGS,		/* u32: NFQA_CFG_F_FAIL_OPEN, _GSO, _UID_GID */
	NLMQ_A_PORTID,		/* u32, GET: the bound socket */
	NLMQ_A_WAITING,		/* u32, GET: packets held now */
	NLMQ_A_ID_SEQUENCE,	/* u32, GET: the last packet id */
	NLMQ_A_STATS,		/* nest of NLMQ_S_*, GET */
	NLMQ_A_PAD,
	__NLMQ_A_MAX,
};

#define NLMQ_A_MAX (__NLMQ_A_MAX - 1)

/* Counters of a queue (u64), as /proc/net/netfilter/nfnetlink_queue. */
enum nlmq_stat {
	NLMQ_S_UNSPEC,
	NLMQ_S_QUEUED,		/* packets sent to the application */
	NLMQ_S_QUEUE_DROPPED,	/* refused: the queue was full, or its
				 * sender held its share of it
				 */
	NLMQ_S_USER_DROPPED,	/* refused: the ring or socket was full,
				 * or the sender held its share of the ring
				 */
	NLMQ_S_FAIL_OPEN,	/* accepted instead (NFQA_CFG_F_FAIL_OPEN) */
	NLMQ_S_VERDICTS,	/* packets given a verdict */
	NLMQ_S_BAD_VERDICTS,	/* verdicts refused: unknown id, bad
				 * verdict, bad payload
				 */
	NLMQ_S_FLUSHED,		/* held packets let go at unbind or close */
	__NLMQ_S_MAX,
};

#define NLMQ_S_MAX (__NLMQ_S_MAX - 1)

#endif /* _UAPI_LINUX_NLMMAP_QUEUE_H */
