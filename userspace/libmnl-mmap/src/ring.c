/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Ring setup, frame access, waiting and the callback runner.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "internal.h"

struct mnl_ring {
	struct mnl_socket *nl;
	int fd;
	void *map;
	size_t map_len;
	struct nl_mmap_req req[2];
	char *base[2];
	unsigned int head[2];
	unsigned int rx_pos;		/* free-running position of head[RX] */
	struct nlmmap_ctrl *ctrl;
};

static size_t ring_size(const struct nl_mmap_req *req)
{
	return req ? (size_t)req->nm_block_size * req->nm_block_nr : 0;
}

/**
 * mnl_ring_map - give a netlink socket memory-mapped rings
 * @param nl a NETLINK_GENERIC socket, bound (mnl_socket_bind())
 * @param rx geometry of the RX ring, or NULL for none
 * @param tx geometry of the TX ring, or NULL for none
 *
 * Opens /dev/nlmmap, binds it to @nl (NLMMAP_CMD_BIND sent on @nl, whose
 * ack it reads: call it before other traffic on @nl), sets the rings up
 * and maps them with the control page. Ring memory counts against
 * RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK.
 *
 * @return the ring handle, or NULL with errno set (EINVAL for a bad
 * geometry, ENOMEM over the memlock limit, ENOENT without the module).
 */
EXPORT_SYMBOL struct mnl_ring *mnl_ring_map(struct mnl_socket *nl,
					    const struct nl_mmap_req *rx,
					    const struct nl_mmap_req *tx)
{
	struct nlmmap_setup setup = { .size = sizeof(setup) };
	struct mnl_ring *r;
	int err;

	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->nl = nl;
	r->fd = open(NLMMAP_DEVICE, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		goto fail;
	if (ring_genl_bind(nl, r->fd) < 0)
		goto fail;
	if (rx)
		setup.rx = r->req[MNL_RING_RX] = *rx;
	if (tx)
		setup.tx = r->req[MNL_RING_TX] = *tx;
	if (ioctl(r->fd, NLMMAP_IOC_SETUP, &setup) < 0)
		goto fail;
	if (ring_size(rx) + ring_size(tx)) {
		r->map_len = setup.off.size;
		r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
			      MAP_SHARED, r->fd, 0);
		if (r->map == MAP_FAILED) {
			r->map = NULL;
			goto fail;
		}
		r->base[MNL_RING_RX] = (char *)r->map + setup.off.rx;
		r->base[MNL_RING_TX] = (char *)r->map + setup.off.tx;
		r->ctrl = (struct nlmmap_ctrl *)((char *)r->map +
						 setup.off.ctrl);
	}
	return r;
fail:
	err = errno;
	if (r->fd >= 0)
		close(r->fd);
	free(r);
	errno = err;
	return NULL;
}

/**
 * mnl_ring_unmap - unmap the rings and close the ring file
 * @param r the ring handle; freed
 *
 * The socket stays open; it is the caller's.
 *
 * @return 0, or -1 with errno set (the handle is freed anyway).
 */
EXPORT_SYMBOL int mnl_ring_unmap(struct mnl_ring *r)
{
	int ret = 0;

	if (r->map && munmap(r->map, r->map_len))
		ret = -1;
	if (close(r->fd))
		ret = -1;
	free(r);
	return ret;
}

/**
 * mnl_ring_get_fd - the ring file's descriptor, for poll() or epoll
 * @param r the ring handle
 * @return the descriptor
 */
EXPORT_SYMBOL int mnl_ring_get_fd(const struct mnl_ring *r)
{
	return r->fd;
}

/**
 * mnl_ring_get_socket - the socket the rings belong to
 * @param r the ring handle
 * @return the socket passed to mnl_ring_map()
 */
EXPORT_SYMBOL struct mnl_socket *mnl_ring_get_socket(const struct mnl_ring *r)
{
	return r->nl;
}

/**
 * mnl_ring_get_geometry - the geometry a ring was set up with
 * @param r the ring handle
 * @param type MNL_RING_RX or MNL_RING_TX
 * @return the geometry (all zero for a ring that was not set up)
 */
EXPORT_SYMBOL const struct nl_mmap_req *
mnl_ring_get_geometry(const struct mnl_ring *r, enum mnl_ring_type type)
{
	return &r->req[type];
}

/**
 * mnl_ring_frame_payload - room for a netlink message in one frame
 * @param r the ring handle
 * @param type MNL_RING_RX or MNL_RING_TX
 * @return bytes after the frame header, 0 without such a ring
 */
EXPORT_SYMBOL size_t mnl_ring_frame_payload(const struct mnl_ring *r,
					    enum mnl_ring_type type)
{
	if (!r->req[type].nm_frame_size)
		return 0;
	return r->req[type].nm_frame_size - NLMMAP_HDRLEN;
}

/**
 * mnl_ring_current_frame - the frame at the application's head of a ring
 * @param r the ring handle
 * @param type MNL_RING_RX or MNL_RING_TX
 *
 * Read its state with nlmmap_frame_status() before anything else of it.
 *
 * @return the frame header, or NULL without such a ring
 */
EXPORT_SYMBOL struct nl_mmap_hdr *
mnl_ring_current_frame(const struct mnl_ring *r, enum mnl_ring_type type)
{
	if (!r->base[type] || !r->req[type].nm_frame_nr)
		return NULL;
	return nlmmap_frame(r->base[type], &r->req[type], r->head[type]);
}

/**
 * mnl_ring_get_frame - a frame by its index
 * @param r the ring handle
 * @param type MNL_RING_RX or MNL_RING_TX
 * @param idx the frame index, below the ring's nm_frame_nr
 * @return the frame header, or NULL without such a ring or frame
 */
EXPORT_SYMBOL struct nl_mmap_hdr *mnl_ring_get_frame(const struct mnl_ring *r,
						     enum mnl_ring_type type,
						     unsigned int idx)
{
	if (!r->base[type] || idx >= r->req[type].nm_frame_nr)
		return NULL;
	return nlmmap_frame(r->base[type], &r->req[type], idx);
}

/**
 * mnl_ring_advance - move the application's head to the next frame
 * @param r the ring handle
 * @param type MNL_RING_RX or MNL_RING_TX
 */
EXPORT_SYMBOL void mnl_ring_advance(struct mnl_ring *r,
				    enum mnl_ring_type type)
{
	if (type == MNL_RING_RX)
		r->rx_pos++;
	if (++r->head[type] >= r->req[type].nm_frame_nr)
		r->head[type] = 0;
}

/**
 * mnl_ring_rx_status - what the reader is to do at its RX head
 * @param r the ring handle
 *
 * The reader's rule of <linux/nlmmap.h> (nlmmap_rx_next()) at the head.
 *
 * @return NLMMAP_STATUS_VALID or NLMMAP_STATUS_COPY: read the frame;
 * NLMMAP_STATUS_SKIP: advance without reading (a held frame the kernel
 * went around); NLMMAP_STATUS_UNUSED or NLMMAP_STATUS_RESERVED: nothing to
 * read yet; -1 with errno ENXIO without an RX ring.
 */
EXPORT_SYMBOL int mnl_ring_rx_status(const struct mnl_ring *r)
{
	struct nl_mmap_hdr *frame = mnl_ring_current_frame(r, MNL_RING_RX);

	if (!frame) {
		errno = ENXIO;
		return -1;
	}
	return nlmmap_rx_next(r->ctrl, frame, r->rx_pos);
}

/**
 * mnl_ring_release - give an RX frame (VALID, COPY or held) back
 * @param frame the frame; not to be touched afterwards
 */
EXPORT_SYMBOL void mnl_ring_release(struct nl_mmap_hdr *frame)
{
	nlmmap_frame_release(frame);
}

/**
 * mnl_ring_hold - keep an RX frame for later (SKIP)
 * @param frame a VALID frame at the head
 *
 * The kernel passes over held frames; advance past it with
 * mnl_ring_advance() and give it back later, at any time, with
 * mnl_ring_release(). Holding more than NLMMAP_SKIP_BUDGET frames in a
 * row may cost a dropped message when the kernel comes around to them.
 */
EXPORT_SYMBOL void mnl_ring_hold(struct nl_mmap_hdr *frame)
{
	nlmmap_frame_publish(frame, NLMMAP_STATUS_SKIP);
}

/**
 * mnl_ring_frame_data - the netlink message in a frame
 * @param frame the frame
 * @return its first byte
 */
EXPORT_SYMBOL void *mnl_ring_frame_data(struct nl_mmap_hdr *frame)
{
	return nlmmap_frame_data(frame);
}

/**
 * mnl_ring_wait - wait for the rings or the socket
 * @param r the ring handle
 * @param events POLLIN (an RX frame or socket data) and/or POLLOUT (a free
 *        TX frame)
 * @param timeout milliseconds as for poll(), -1 for none
 *
 * Polling the ring file also makes the kernel process pending TX frames.
 *
 * @return the ring file's revents (POLLERR after an overrun; see
 * mnl_ring_clear_error()), 0 on timeout, -1 with errno set.
 */
EXPORT_SYMBOL int mnl_ring_wait(const struct mnl_ring *r, short events,
				int timeout)
{
	struct pollfd pfd[2] = {
		{ .fd = r->fd, .events = events },
		{ .fd = mnl_socket_get_fd(r->nl), .events = events & POLLIN },
	};
	int n;

	n = poll(pfd, 2, timeout);
	if (n <= 0)
		return n;
	return pfd[0].revents | (pfd[1].revents & POLLIN);
}

/**
 * mnl_ring_kick - make the kernel process the VALID frames of the TX ring
 * @param r the ring handle
 *
 * The kernel takes at most NLMMAP_TX_BUDGET frames per call; this calls
 * again until a call takes fewer.
 *
 * @return the number of frames processed, or -1 with errno set
 */
EXPORT_SYMBOL int mnl_ring_kick(const struct mnl_ring *r)
{
	int n, total = 0;

	do {
		n = ioctl(r->fd, NLMMAP_IOC_KICK);
		if (n < 0)
			return total ? total : -1;
		total += n;
	} while (n == NLMMAP_TX_BUDGET);
	return total;
}

/**
 * mnl_ring_clear_error - acknowledge an RX overrun
 * @param r the ring handle
 * @return the number of messages dropped since the last call, or -1
 */
EXPORT_SYMBOL int mnl_ring_clear_error(const struct mnl_ring *r)
{
	return ioctl(r->fd, NLMMAP_IOC_CLEAR_ERR);
}

/**
 * mnl_ring_tx_get - the TX frame at the head, if it is free
 * @param r the ring handle
 *
 * Write one netlink request at mnl_ring_frame_data() (for instance with
 * mnl_nlmsg_put_header()), then mnl_ring_tx_submit().
 *
 * @return the frame, or NULL with errno EAGAIN while the kernel has not
 * consumed it yet (wait with POLLOUT), ENXIO without a TX ring
 */
EXPORT_SYMBOL struct nl_mmap_hdr *mnl_ring_tx_get(const struct mnl_ring *r)
{
	struct nl_mmap_hdr *frame = mnl_ring_current_frame(r, MNL_RING_TX);

	if (!frame) {
		errno = ENXIO;
		return NULL;
	}
	if (nlmmap_frame_status(frame) != NLMMAP_STATUS_UNUSED) {
		errno = EAGAIN;
		return NULL;
	}
	return frame;
}

/**
 * mnl_ring_tx_submit - hand a written TX frame to the kernel
 * @param r the ring handle
 * @param frame from mnl_ring_tx_get()
 * @param len bytes of the request in the frame
 *
 * Advances the TX head. The kernel sees the frame at the next
 * mnl_ring_kick() or mnl_ring_wait().
 */
EXPORT_SYMBOL void mnl_ring_tx_submit(struct mnl_ring *r,
				      struct nl_mmap_hdr *frame,
				      unsigned int len)
{
	frame->nm_len = len;
	nlmmap_frame_publish(frame, NLMMAP_STATUS_VALID);
	mnl_ring_advance(r, MNL_RING_TX);
}

/**
 * mnl_ring_cb_run - run callbacks over the messages waiting in the RX ring
 * @param r the ring handle
 * @param buf caller's buffer for messages that come through the socket
 *        (COPY frames)
 * @param buflen its size; MNL_SOCKET_BUFFER_SIZE is a good choice
 * @param seq, portid, cb, data as for mnl_cb_run()
 *
 * Walks the RX ring from the head, in order: a VALID frame's messages are
 * run in place, a COPY frame's message is received from the socket into
 * @buf and run there. Each frame is released once its callbacks return.
 * Frames without a message (nm_len 0) are passed over.
 *
 * Replies to requests sent through the socket (rather than the TX ring)
 * that the kernel's generic netlink core answers itself, such as its
 * acks, do not pass through the ring: read those from the socket.
 *
 * @return as mnl_cb_run(): MNL_CB_ERROR (-1, errno set), MNL_CB_STOP (0)
 * when a callback stopped (e.g. at NLMSG_DONE or an ack), or MNL_CB_OK
 * (1) when no frame is ready: wait with mnl_ring_wait() and call again.
 */
EXPORT_SYMBOL int mnl_ring_cb_run(struct mnl_ring *r, void *buf,
				  size_t buflen, unsigned int seq,
				  unsigned int portid, mnl_cb_t cb, void *data)
{
	return mnl_ring_cb_run2(r, buf, buflen, seq, portid, cb, data, NULL, 0);
}

/**
 * mnl_ring_cb_run2 - mnl_ring_cb_run() with control message callbacks
 * @param r, buf, buflen, seq, portid, cb_data, data as for mnl_ring_cb_run()
 * @param cb_ctl_array callbacks for control messages, indexed by type
 *        (e.g. NLMSG_ERROR), as for mnl_cb_run2()
 * @param cb_ctl_array_len its number of entries
 *
 * @return as mnl_ring_cb_run()
 */
EXPORT_SYMBOL int mnl_ring_cb_run2(struct mnl_ring *r, void *buf,
				   size_t buflen, unsigned int seq,
				   unsigned int portid, mnl_cb_t cb_data,
				   void *data, mnl_cb_t *cb_ctl_array,
				   unsigned int cb_ctl_array_len)
{
	unsigned int passed = 0;
	struct nl_mmap_hdr *frame;
	int ret;

	while ((frame = mnl_ring_current_frame(r, MNL_RING_RX))) {
		unsigned int status = nlmmap_rx_next(r->ctrl, frame, r->rx_pos);
		ssize_t n;

		switch (status) {
		case NLMMAP_STATUS_VALID:
			ret = MNL_CB_OK;
			if (frame->nm_len)
				ret = mnl_cb_run2(nlmmap_frame_data(frame),
						  frame->nm_len, seq, portid,
						  cb_data, data, cb_ctl_array,
						  cb_ctl_array_len);
			break;
		case NLMMAP_STATUS_COPY:
			n = recv(mnl_socket_get_fd(r->nl), buf, buflen,
				 MSG_DONTWAIT);
			/* An overrun is reported once, by the first recv()
			 * after it, before the queued message; the ring file
			 * reports it too (POLLERR, mnl_ring_clear_error()).
			 */
			if (n < 0 && errno == ENOBUFS)
				n = recv(mnl_socket_get_fd(r->nl), buf, buflen,
					 MSG_DONTWAIT);
			if (n < 0)
				return MNL_CB_ERROR;
			ret = mnl_cb_run2(buf, n, seq, portid, cb_data, data,
					  cb_ctl_array, cb_ctl_array_len);
			break;
		case NLMMAP_STATUS_SKIP:
			/* Held, or released after the kernel went around it:
			 * not ours to touch. Bounded: one lap per call.
			 */
			if (++passed >= r->req[MNL_RING_RX].nm_frame_nr)
				return MNL_CB_OK;
			mnl_ring_advance(r, MNL_RING_RX);
			continue;
		default:
			return MNL_CB_OK;
		}
		mnl_ring_release(frame);
		mnl_ring_advance(r, MNL_RING_RX);
		if (ret <= MNL_CB_STOP)
			return ret;
	}
	errno = ENXIO;
	return MNL_CB_ERROR;
}
