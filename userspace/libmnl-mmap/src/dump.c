/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Dumps, whether they arrive through the ring or the socket.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "internal.h"

/* Through the TX ring when there is one and the request fits, else on
 * the socket. Returns 0 or -1.
 */
static int send_request(struct mnl_ring *r, const struct nlmsghdr *nlh,
			int timeout)
{
	struct mnl_ring_tx *tx = mnl_ring_tx(r);
	struct nl_mmap_hdr *frame;

	if (!tx || nlh->nlmsg_len > mnl_ring_tx_room(tx))
		return mnl_socket_sendto(mnl_ring_get_socket(r), nlh,
					 nlh->nlmsg_len) < 0 ? -1 : 0;
	while (!mnl_ring_tx_reserve(tx, &frame, 1)) {
		int rev = mnl_ring_wait(r, POLLOUT, timeout);

		if (rev < 0)
			return -1;
		if (!rev) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	memcpy(mnl_ring_frame_data(frame), nlh, nlh->nlmsg_len);
	mnl_ring_tx_submit(tx, 1);
	return mnl_ring_tx_kick(tx) < 0 ? -1 : 0;
}

/**
 * mnl_ring_dump - run a dump from request to NLMSG_DONE
 * @param r the ring handle (its RX ring, if any, receives the dump)
 * @param nlh the request; NLM_F_REQUEST and NLM_F_DUMP are set here, its
 *        sequence number identifies the answers
 * @param buf caller's buffer for messages that come through the socket
 * @param buflen its size
 * @param cb called for every message of the dump, as by mnl_cb_run()
 * @param data passed to @p cb
 * @param timeout milliseconds to wait for progress, -1 for ever
 *
 * The request goes through the TX ring when there is one, else the socket.
 * With an RX ring, the kernel fills it and goes on each time this call
 * polls after freeing frames; without one, the dump arrives on the socket
 * as usual. Either way @p cb sees the messages in order.
 *
 * @return MNL_CB_STOP (0) after NLMSG_DONE, or MNL_CB_ERROR (-1) with
 * errno set: the error the kernel answered, ENOBUFS after an RX overrun,
 * ETIMEDOUT.
 */
EXPORT_SYMBOL int mnl_ring_dump(struct mnl_ring *r, struct nlmsghdr *nlh,
				void *buf, size_t buflen, mnl_cb_t cb,
				void *data, int timeout)
{
	struct mnl_socket *nl = mnl_ring_get_socket(r);
	unsigned int portid = mnl_socket_get_portid(nl);
	struct mnl_ring_rx *rx = mnl_ring_rx(r);
	unsigned int seq = nlh->nlmsg_seq;
	int ret, rev;
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	if (send_request(r, nlh, timeout) < 0)
		return MNL_CB_ERROR;

	if (!rx) {
		do {
			n = mnl_socket_recvfrom(nl, buf, buflen);
			if (n < 0)
				return MNL_CB_ERROR;
			ret = mnl_cb_run(buf, n, seq, portid, cb, data);
		} while (ret > 0);
		return ret;
	}
	/* Answers come through the ring; a refusal of a request sent on the
	 * socket comes on the socket, and mnl_ring_rx_run() runs it too.
	 */
	for (;;) {
		ret = mnl_ring_rx_run(rx, buf, buflen, seq, portid, cb, data,
				      NULL, 0);
		if (ret <= MNL_CB_STOP)
			return ret;
		if (ret == MNL_CB_OK)
			continue;
		rev = mnl_ring_wait(r, POLLIN, timeout);
		if (rev < 0)
			return MNL_CB_ERROR;
		if (!rev) {
			errno = ETIMEDOUT;
			return MNL_CB_ERROR;
		}
		if (rev & POLLERR) {
			errno = ENOBUFS;
			return MNL_CB_ERROR;
		}
	}
}
