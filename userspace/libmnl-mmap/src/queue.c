// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The nfqueue calls: a queue of nlmmap_queue on a ring, packets run
 * through a callback with their NFQA_* attributes parsed, verdicts
 * written into TX frames and handed to the kernel by the library.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/nlmmap_queue.h>
#include "internal.h"

struct mnl_ring_queue {
	struct mnl_socket *nl;
	struct mnl_ring *r;
	uint16_t family;
	unsigned int queue;
	unsigned int unkicked;		/* verdicts submitted, not kicked */
	char *buf;			/* COPY frames and socket messages */
};

#define QBUF_LEN	(65536 + 8192)

/* Frames for a copy range: 0 is the largest (NLMQ_MAX_COPY_RANGE), and
 * 65536 + 4096 bytes hold any packet message with it; 2048 hold a copy
 * range up to 1536 with room for the other attributes. TX frames are
 * as large as RX frames when a payload may be replaced at full size.
 */
static void queue_geometry(struct nlmmap_setup *s, unsigned int range)
{
	unsigned int fs = !range || range + 512 > 2048 ? 65536 + 4096 : 2048;
	unsigned int nr = fs > 2048 ? 256 : 1024;

	memset(s, 0, sizeof(*s));
	s->rx.nm_block_size = fs > 2048 ? fs : 4096 * 16;
	s->rx.nm_frame_size = fs;
	s->rx.nm_frame_nr = nr;
	s->rx.nm_block_nr = nr * fs / s->rx.nm_block_size;
	s->tx.nm_block_size = fs > 2048 ? fs : 4096 * 16;
	s->tx.nm_frame_size = fs;
	s->tx.nm_frame_nr = fs > 2048 ? 32 : 256;
	s->tx.nm_block_nr = s->tx.nm_frame_nr * fs / s->tx.nm_block_size;
}

static int queue_bind(struct mnl_ring_queue *q, unsigned int range,
		      uint32_t flags)
{
	char buf[512];
	struct nlmsghdr *nlh;

	nlh = mnl_ring_genl_put(buf, q->family, NLMQ_CMD_BIND,
				NLMQ_GENL_VERSION, NLM_F_ACK, 1);
	mnl_attr_put_u32(nlh, NLMQ_A_QUEUE, q->queue);
	mnl_attr_put_u32(nlh, NLMQ_A_FLAGS, flags);
	mnl_attr_put_u32(nlh, NLMQ_A_COPY_RANGE, range);
	mnl_attr_put_u32(nlh, NLMQ_A_MAXLEN, NLMQ_MAXLEN_MAX);
	if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	return ring_wait_ack(q->nl, q->buf, QBUF_LEN, 1);
}

/**
 * mnl_ring_queue_open - bind an nfqueue queue on a new ring
 * @param queue the queue number (nft's "queue num"), 0..65535
 * @param copy_range payload bytes per packet at most; 0: the most,
 *        NLMQ_MAX_COPY_RANGE (65,531), as nfnetlink_queue's 0xffff
 * @param flags NFQA_CFG_F_FAIL_OPEN, _GSO, _CONNTRACK, _UID_GID
 *
 * Opens a generic netlink socket, maps a ring whose frames hold a whole
 * packet message for @p copy_range (larger ones come as COPY frames and
 * are still delivered), binds the queue and waits for its ack: packets
 * are queued to the caller from the return on.
 *
 * @return the queue, or NULL with errno set: ENOENT when nlmmap_queue.ko
 * is not loaded, EBUSY when another socket holds the queue, EPERM without
 * CAP_NET_ADMIN, EINVAL for a queue number above 65535
 */
EXPORT_SYMBOL struct mnl_ring_queue *
mnl_ring_queue_open(unsigned int queue, unsigned int copy_range,
		    uint32_t flags)
{
	struct mnl_ring_queue *q;
	struct nlmmap_setup s;
	int err;

	if (queue > 65535) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->queue = queue;
	q->buf = malloc(QBUF_LEN);
	q->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!q->buf || !q->nl || mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID))
		goto fail;
	queue_geometry(&s, copy_range);
	q->r = mnl_ring_map_setup(q->nl, &s);
	if (!q->r ||
	    mnl_ring_genl_resolve(q->nl, NLMQ_GENL_NAME, &q->family) ||
	    queue_bind(q, copy_range, flags))
		goto fail;
	return q;
fail:
	err = errno;
	mnl_ring_queue_close(q);
	errno = err;
	return NULL;
}

/**
 * mnl_ring_queue_close - hand in what was decided, unbind, free
 * @param q the queue, or NULL
 *
 * Verdicts written and not yet handed to the kernel go first. Packets
 * still held then follow the queue's policy (dropped, or accepted with
 * NFQA_CFG_F_FAIL_OPEN), as when an nfnetlink_queue socket closes.
 */
EXPORT_SYMBOL void mnl_ring_queue_close(struct mnl_ring_queue *q)
{
	if (!q)
		return;
	if (q->r) {
		mnl_ring_queue_flush(q);
		mnl_ring_unmap(q->r);
	}
	if (q->nl)
		mnl_socket_close(q->nl);
	free(q->buf);
	free(q);
}

/**
 * mnl_ring_queue_get_ring - the ring under a queue
 * @param q the queue
 * @return its ring, for mnl_ring_get_fd() (poll() on POLLIN) and the
 *         other mnl_ring_* calls
 */
EXPORT_SYMBOL struct mnl_ring *mnl_ring_queue_get_ring(struct mnl_ring_queue *q)
{
	return q->r;
}

/**
 * mnl_ring_queue_flush - hand the verdicts written so far to the kernel
 * @param q the queue
 *
 * mnl_ring_queue_run() calls it before it returns or waits, and the
 * verdict calls when the TX ring is full; a program that gives verdicts
 * outside a run calls it itself.
 *
 * @return the frames the kernel took, or -1 with errno set
 */
EXPORT_SYMBOL int mnl_ring_queue_flush(struct mnl_ring_queue *q)
{
	int n;

	if (!q->unkicked)
		return 0;
	n = mnl_ring_tx_kick(mnl_ring_tx(q->r));
	if (n >= 0)
		q->unkicked = 0;
	return n;
}

/* A TX frame for a verdict, with its headers; NULL with errno set. */
static struct nlmsghdr *verdict_start(struct mnl_ring_queue *q, uint8_t cmd,
				      struct nl_mmap_hdr **f)
{
	struct mnl_ring_tx *tx = mnl_ring_tx(q->r);

	if (mnl_ring_tx_reserve(tx, f, 1) != 1) {
		if (mnl_ring_queue_flush(q) < 0)
			return NULL;
		if (mnl_ring_tx_reserve(tx, f, 1) != 1 &&
		    (mnl_ring_wait(q->r, POLLOUT, -1) < 0 ||
		     mnl_ring_tx_reserve(tx, f, 1) != 1)) {
			errno = ENOBUFS;
			return NULL;
		}
	}
	return mnl_ring_genl_put(mnl_ring_frame_data(*f), q->family, cmd,
				 NLMQ_GENL_VERSION, 0, 0);
}

static int verdict_end(struct mnl_ring_queue *q, struct nl_mmap_hdr *f,
		       struct nlmsghdr *nlh)
{
	f->nm_len = nlh->nlmsg_len;
	mnl_ring_tx_submit(mnl_ring_tx(q->r), 1);
	q->unkicked++;
	return 0;
}

static int verdict(struct mnl_ring_queue *q, uint8_t cmd, uint32_t id,
		   uint32_t v, const uint32_t *mark, const void *payload,
		   size_t len)
{
	struct nfqnl_msg_verdict_hdr vh = { htonl(v), htonl(id) };
	const struct nl_mmap_req *g = mnl_ring_tx_geometry(mnl_ring_tx(q->r));
	struct nl_mmap_hdr *f;
	struct nlmsghdr *nlh;

	if (payload && (len > NLMQ_MAX_COPY_RANGE ||
			MNL_ALIGN(len) + 64 > g->nm_frame_size -
					      NL_MMAP_HDRLEN)) {
		errno = EMSGSIZE;
		return -1;
	}
	nlh = verdict_start(q, cmd, &f);
	if (!nlh)
		return -1;
	mnl_attr_put(nlh, NFQA_VERDICT_HDR, sizeof(vh), &vh);
	if (mark)
		mnl_attr_put_u32(nlh, NFQA_MARK, htonl(*mark));
	if (payload)
		mnl_attr_put(nlh, NFQA_PAYLOAD, len, payload);
	return verdict_end(q, f, nlh);
}

/**
 * mnl_ring_queue_verdict - a verdict for one packet
 * @param q the queue
 * @param id the packet's id (NFQA_PACKET_HDR's packet_id, host order)
 * @param v NF_ACCEPT, NF_DROP, NF_REPEAT, NF_STOP or an NF_QUEUE verdict
 *
 * Written into a TX frame; the kernel applies it at the next flush. When
 * the TX ring is full the call flushes, and waits for a free frame.
 * A verdict the kernel refuses (an unknown id, a bad verdict) comes back
 * as an error message on the ring: mnl_ring_queue_run() returns -1 with
 * its errno.
 *
 * @return 0, or -1 with errno set (ENOBUFS: no TX frame came free)
 */
EXPORT_SYMBOL int mnl_ring_queue_verdict(struct mnl_ring_queue *q,
					 uint32_t id, uint32_t v)
{
	return verdict(q, NLMQ_CMD_VERDICT, id, v, NULL, NULL, 0);
}

/**
 * mnl_ring_queue_verdict_mark - a verdict for one packet, with a mark
 * @param q, id, v as for mnl_ring_queue_verdict()
 * @param mark the packet's new mark (host order)
 * @return as mnl_ring_queue_verdict()
 */
EXPORT_SYMBOL int mnl_ring_queue_verdict_mark(struct mnl_ring_queue *q,
					      uint32_t id, uint32_t v,
					      uint32_t mark)
{
	return verdict(q, NLMQ_CMD_VERDICT, id, v, &mark, NULL, 0);
}

/**
 * mnl_ring_queue_verdict_payload - a verdict that replaces the packet
 * @param q, id, v as for mnl_ring_queue_verdict()
 * @param payload the new packet, from its network header on
 * @param len its length
 * @return as mnl_ring_queue_verdict(); EMSGSIZE when @p len is above
 *         NLMQ_MAX_COPY_RANGE or the TX frame's room (a copy range below
 *         1537 at open gives 2048-byte frames)
 */
EXPORT_SYMBOL int mnl_ring_queue_verdict_payload(struct mnl_ring_queue *q,
						 uint32_t id, uint32_t v,
						 const void *payload,
						 size_t len)
{
	return verdict(q, NLMQ_CMD_VERDICT, id, v, NULL, payload, len);
}

/**
 * mnl_ring_queue_verdict_batch - one verdict for every held id up to one
 * @param q, v as for mnl_ring_queue_verdict()
 * @param id the last id it covers
 * @param mark a new mark for all of them, or NULL
 *
 * Frames come in id order, so a batch up to the last id a run saw
 * covers exactly the packets it saw and no verdict was given yet.
 *
 * @return as mnl_ring_queue_verdict()
 */
EXPORT_SYMBOL int mnl_ring_queue_verdict_batch(struct mnl_ring_queue *q,
					       uint32_t id, uint32_t v,
					       const uint32_t *mark)
{
	return verdict(q, NLMQ_CMD_VERDICT_BATCH, id, v, mark, NULL, 0);
}

/**
 * mnl_ring_queue_run - run a callback over the packets, then flush
 * @param q the queue
 * @param cb libmnl's callback, called once per packet message in id
 *        order: nfq_nlmsg_parse() reads it as an nfnetlink_queue message
 *        (its 4-byte generic netlink header is where nfgenmsg is, and its
 *        reserved field, res_id's place, is the queue number), so an
 *        nfnetlink_queue program's callback runs unchanged
 * @param data passed to @p cb
 * @param timeout milliseconds to wait when no packet is ready (as poll():
 *        -1 forever, 0 not at all)
 *
 * Runs every packet ready in the RX ring (COPY frames included) and
 * releases its frames; when none is ready it flushes the verdicts given
 * so far and waits up to @p timeout, once. Verdicts are flushed before it
 * returns. An error message on the ring (a verdict the kernel refused)
 * fails the run with its errno, as mnl_cb_run() fails on NLMSG_ERROR.
 *
 * @return as mnl_cb_run(): MNL_CB_ERROR (-1, errno set; ENOBUFS: the ring
 * overran and the kernel counted packets as user_dropped, call again to go
 * on), MNL_CB_STOP (0) when @p cb stopped, MNL_CB_OK (1) when packets ran;
 * MNL_RING_EMPTY when none came within @p timeout
 */
EXPORT_SYMBOL int mnl_ring_queue_run(struct mnl_ring_queue *q, mnl_cb_t cb,
				     void *data, int timeout)
{
	struct mnl_ring_rx *rx = mnl_ring_rx(q->r);
	int ret, waited = 0, err;

	for (;;) {
		ret = mnl_ring_rx_run(rx, q->buf, QBUF_LEN, 0, 0, cb, data,
				      NULL, 0);
		if (ret != MNL_RING_EMPTY || waited || !timeout)
			break;
		if (mnl_ring_queue_flush(q) < 0)
			return MNL_CB_ERROR;
		if (mnl_ring_wait(q->r, POLLIN, timeout) < 0 && errno != EINTR)
			return MNL_CB_ERROR;
		waited = 1;
	}
	err = errno;
	if (mnl_ring_queue_flush(q) < 0 && ret != MNL_CB_ERROR)
		return MNL_CB_ERROR;
	errno = err;
	return ret;
}
