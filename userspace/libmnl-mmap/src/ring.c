/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Ring setup, the consumer (RX) and producer (TX) handles, waiting.
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

/* Frames one peek or reserve hands out at the most. */
#define RING_BATCH_MAX	256

struct mnl_ring_rx {
	struct mnl_ring *r;
	struct nl_mmap_req req;
	char *base;
	int tiled;			/* frames fill blocks: idx * size */
	unsigned int head;		/* frame index of the next position */
	unsigned int pos;		/* its free-running position */
	unsigned int npeeked;		/* frames of the last peek */
	unsigned int after[RING_BATCH_MAX];	/* position after each */
	unsigned char held[RING_BATCH_MAX];
	struct nl_mmap_hdr *peeked[RING_BATCH_MAX];
};

struct mnl_ring_tx {
	struct mnl_ring *r;
	struct nl_mmap_req req;
	char *base;
	unsigned int head;		/* frame index of the next free frame */
	unsigned int nreserved;
};

struct mnl_ring {
	struct mnl_socket *nl;
	int fd;
	void *map;
	size_t map_len;
	struct nlmmap_ctrl *ctrl;
	struct mnl_ring_rx *rx;
	struct mnl_ring_tx *tx;
};

static size_t ring_size(const struct nl_mmap_req *req)
{
	return req ? (size_t)req->nm_block_size * req->nm_block_nr : 0;
}

static void ring_free(struct mnl_ring *r)
{
	int err = errno;

	if (r->map)
		munmap(r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
	free(r->rx);
	free(r->tx);
	free(r);
	errno = err;
}

/**
 * mnl_ring_map_setup - give a netlink socket rings set up as @p setup says
 * @param nl a NETLINK_GENERIC socket (mnl_socket_open(); bound or not)
 * @param setup the whole NLMMAP_IOC_SETUP request: both geometries (all
 *        zero for no ring), flags, dump_resume_pct and the wake-up policy
 *        (wake_frames, wake_usecs); its size field is set here, and the
 *        kernel's answer (features, offsets) is written back
 *
 * As mnl_ring_map(), for callers that choose more than the geometry, for
 * example a reader under steady load that wants to be woken once per
 * wake_frames frames.
 *
 * @return the ring handle, or NULL with errno set as for mnl_ring_map()
 */
EXPORT_SYMBOL struct mnl_ring *mnl_ring_map_setup(struct mnl_socket *nl,
						  struct nlmmap_setup *setup)
{
	const struct nl_mmap_req *rx = &setup->rx, *tx = &setup->tx;
	struct mnl_ring *r;
	uint16_t family;

	/* The family first: resolving it loads nlmmap.ko if it is not yet,
	 * and /dev/nlmmap exists only once it is.
	 */
	if (ring_family(&family))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->nl = nl;
	r->fd = open(NLMMAP_DEVICE, O_RDWR | O_CLOEXEC);
	if (r->fd < 0 || ring_genl_bind(nl, r->fd, family) < 0)
		goto fail;
	setup->size = sizeof(*setup);
	if (ioctl(r->fd, NLMMAP_IOC_SETUP, setup) < 0)
		goto fail;
	if (!ring_size(rx) && !ring_size(tx))
		return r;
	r->map_len = setup->off.size;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      r->fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		goto fail;
	}
	r->ctrl = (struct nlmmap_ctrl *)((char *)r->map + setup->off.ctrl);
	if (ring_size(rx)) {
		r->rx = calloc(1, sizeof(*r->rx));
		if (!r->rx)
			goto fail;
		r->rx->r = r;
		r->rx->req = *rx;
		r->rx->base = (char *)r->map + setup->off.rx;
		/* No division per frame when frames fill the blocks. */
		r->rx->tiled = !(rx->nm_block_size % rx->nm_frame_size);
	}
	if (ring_size(tx)) {
		r->tx = calloc(1, sizeof(*r->tx));
		if (!r->tx)
			goto fail;
		r->tx->r = r;
		r->tx->req = *tx;
		r->tx->base = (char *)r->map + setup->off.tx;
	}
	return r;
fail:
	ring_free(r);
	return NULL;
}

/**
 * mnl_ring_map - give a netlink socket memory-mapped rings
 * @param nl a NETLINK_GENERIC socket (mnl_socket_open(); bound or not)
 * @param rx geometry of the RX ring, or NULL for none
 * @param tx geometry of the TX ring, or NULL for none
 *
 * Resolves the nlmmap family (which loads nlmmap.ko through modprobe when
 * it is installed and not loaded), opens /dev/nlmmap, binds it to @p nl
 * (NLMMAP_CMD_BIND sent on @p nl,
 * whose answer it reads, passing over other traffic), sets both rings up
 * in one NLMMAP_IOC_SETUP and maps them with the control page. Ring
 * memory counts against RLIMIT_MEMLOCK unless the caller has
 * CAP_IPC_LOCK. The ring keeps the kernel's defaults: every frame wakes a
 * sleeping reader (see mnl_ring_map_setup()).
 *
 * @return the ring handle, or NULL with errno set (EINVAL for a bad
 * geometry, ENOMEM over the memlock limit, ENOENT without the module,
 * EPERM when the administrator does not allow rings).
 */
EXPORT_SYMBOL struct mnl_ring *mnl_ring_map(struct mnl_socket *nl,
					    const struct nl_mmap_req *rx,
					    const struct nl_mmap_req *tx)
{
	struct nlmmap_setup setup = { .size = sizeof(setup) };

	if (rx)
		setup.rx = *rx;
	if (tx)
		setup.tx = *tx;
	return mnl_ring_map_setup(nl, &setup);
}

/**
 * mnl_ring_unmap - unmap the rings and close the ring file
 * @param r the ring handle; freed, with its RX and TX handles
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
	r->map = NULL;
	if (close(r->fd))
		ret = -1;
	r->fd = -1;
	ring_free(r);
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
 * mnl_ring_rx - the consumer handle of the RX ring
 * @param r the ring handle
 * @return the RX handle, or NULL (errno ENXIO) without an RX ring
 */
EXPORT_SYMBOL struct mnl_ring_rx *mnl_ring_rx(struct mnl_ring *r)
{
	if (!r->rx)
		errno = ENXIO;
	return r->rx;
}

/**
 * mnl_ring_tx - the producer handle of the TX ring
 * @param r the ring handle
 * @return the TX handle, or NULL (errno ENXIO) without a TX ring
 */
EXPORT_SYMBOL struct mnl_ring_tx *mnl_ring_tx(struct mnl_ring *r)
{
	if (!r->tx)
		errno = ENXIO;
	return r->tx;
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
 * Polling the ring file also makes the kernel process pending TX frames
 * and go on with a paused dump, a budget of each.
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
 * mnl_ring_clear_error - acknowledge an RX overrun
 * @param r the ring handle
 * @return the number of messages dropped since the last call, or -1
 */
EXPORT_SYMBOL int mnl_ring_clear_error(const struct mnl_ring *r)
{
	return ioctl(r->fd, NLMMAP_IOC_CLEAR_ERR);
}

/* --- RX: the consumer ------------------------------------------------ */

/**
 * mnl_ring_rx_geometry - the geometry of the RX ring
 * @param rx the RX handle
 * @return the geometry it was set up with
 */
EXPORT_SYMBOL const struct nl_mmap_req *
mnl_ring_rx_geometry(const struct mnl_ring_rx *rx)
{
	return &rx->req;
}

static struct nl_mmap_hdr *rx_frame(const struct mnl_ring_rx *rx,
				    unsigned int idx)
{
	if (rx->tiled)
		return (struct nl_mmap_hdr *)(rx->base + (size_t)idx *
					      rx->req.nm_frame_size);
	return nlmmap_frame(rx->base, &rx->req, idx);
}

/**
 * mnl_ring_rx_frame - an RX frame by its index, to look at
 * @param rx the RX handle
 * @param idx the index, below nm_frame_nr
 *
 * For inspection (tools, tests): reading goes through
 * mnl_ring_rx_peek().
 *
 * @return the frame, or NULL for an index out of the ring
 */
EXPORT_SYMBOL struct nl_mmap_hdr *mnl_ring_rx_frame(const struct mnl_ring_rx *rx,
						    unsigned int idx)
{
	return idx < rx->req.nm_frame_nr ? rx_frame(rx, idx) : NULL;
}

/**
 * mnl_ring_rx_peek - the frames ready for the reader, in order
 * @param rx the RX handle
 * @param frames where up to @p nb frames (VALID or COPY) are stored
 * @param nb how many are wanted (at most 256 are handed out at once)
 *
 * Follows the reader's rule of <linux/nlmmap.h> (nlmmap_rx_next()) from the
 * head: passes the frames the kernel went around, stops where nothing is
 * ready. The frames stay the reader's until mnl_ring_rx_release(); a VALID
 * frame with nm_len 0 is a hole, to be released like the others. Peeking
 * again without releasing hands out the same frames.
 *
 * @return how many frames were stored (0: nothing ready)
 */
EXPORT_SYMBOL unsigned int mnl_ring_rx_peek(struct mnl_ring_rx *rx,
					    struct nl_mmap_hdr **frames,
					    unsigned int nb)
{
	unsigned int idx = rx->head, pos = rx->pos, n = 0, passed = 0;
	/* Locals: the stores below cannot change them. */
	const unsigned int nr = rx->req.nm_frame_nr;
	const size_t fsize = rx->req.nm_frame_size;
	const struct nlmmap_ctrl *ctrl = rx->r->ctrl;
	char *const base = rx->base;
	const int tiled = rx->tiled;

	if (nb > RING_BATCH_MAX)
		nb = RING_BATCH_MAX;
	while (n < nb && passed + n < nr) {
		struct nl_mmap_hdr *f = tiled ?
			(struct nl_mmap_hdr *)(base + idx * fsize) :
			rx_frame(rx, idx);
		unsigned int st = nlmmap_rx_next(ctrl, f, pos);

		if (++idx >= nr)
			idx = 0;
		++pos;
		if (st == NLMMAP_STATUS_SKIP) {
			passed++;
			if (!n) {	/* nothing to give back before it */
				rx->head = idx;
				rx->pos = pos;
			}
			continue;
		}
		if (st != NLMMAP_STATUS_VALID && st != NLMMAP_STATUS_COPY)
			break;
		rx->peeked[n] = f;
		rx->held[n] = 0;
		rx->after[n] = pos;
		frames[n++] = f;
	}
	rx->npeeked = n;
	return n;
}

/**
 * mnl_ring_rx_hold - keep a peeked frame for later (SKIP)
 * @param rx the RX handle
 * @param i its place in the last mnl_ring_rx_peek(), from 0
 *
 * mnl_ring_rx_release() then passes it on without giving it back; the
 * kernel goes around it, and the reader gives it back later, at any time,
 * with mnl_ring_frame_release(). Holding more than NLMMAP_SKIP_BUDGET
 * frames in a row may cost a dropped message when the kernel comes round.
 */
EXPORT_SYMBOL void mnl_ring_rx_hold(struct mnl_ring_rx *rx, unsigned int i)
{
	if (i < rx->npeeked)
		rx->held[i] = 1;
}

/**
 * mnl_ring_rx_release - give back the first @p n frames of the last peek
 * @param rx the RX handle
 * @param n how many, at most as many as were peeked
 *
 * Frames marked with mnl_ring_rx_hold() are kept; the others go back to
 * the kernel. The head moves past all @p n.
 */
EXPORT_SYMBOL void mnl_ring_rx_release(struct mnl_ring_rx *rx, unsigned int n)
{
	unsigned int i, pos;

	if (n > rx->npeeked)
		n = rx->npeeked;
	if (!n)
		return;
	for (i = 0; i < n; i++)
		nlmmap_frame_publish(rx->peeked[i], rx->held[i] ?
				     NLMMAP_STATUS_SKIP : NLMMAP_STATUS_UNUSED);
	pos = rx->after[n - 1];
	rx->head = (rx->head + (pos - rx->pos)) % rx->req.nm_frame_nr;
	rx->pos = pos;
	if (n < rx->npeeked) {
		memmove(rx->peeked, rx->peeked + n,
			(rx->npeeked - n) * sizeof(rx->peeked[0]));
		memmove(rx->held, rx->held + n, rx->npeeked - n);
		memmove(rx->after, rx->after + n,
			(rx->npeeked - n) * sizeof(pos));
	}
	rx->npeeked -= n;
}

/**
 * mnl_ring_frame_release - give back a held RX frame
 * @param frame a frame kept with mnl_ring_rx_hold(); not to be touched
 *        afterwards
 *
 * Any time: the kernel's published position keeps the reader's order.
 */
EXPORT_SYMBOL void mnl_ring_frame_release(struct nl_mmap_hdr *frame)
{
	nlmmap_frame_release(frame);
}

/* Does the message peeked into @buf (@n bytes in all) belong to @f? */
static int copy_matches(const struct nl_mmap_hdr *f, const void *buf,
			ssize_t n, size_t got)
{
	const struct nlmsghdr *nlh = buf;

	return (size_t)n == f->nm_len && got >= sizeof(*nlh) &&
	       nlh->nlmsg_seq == f->nm_group && nlh->nlmsg_type == f->nm_pid;
}

/**
 * mnl_ring_rx_recv - the next socket message, in the ring's order
 * @param rx the RX handle
 * @param frame a peeked COPY frame, or NULL when the ring has nothing ready
 * @param buf where the message goes
 * @param len its size; MNL_SOCKET_BUFFER_SIZE fits any
 * @param frame_done set to 1 when the message is @p frame's (the frame may
 *        then be released), 0 when it is one that came to the socket
 *        without a frame and arrived before it
 *
 * The one way to read the socket of a ring: messages that came without a
 * frame (the generic netlink core's acks and errors for requests sent on
 * the socket) reach the caller in the order they arrived, and never in
 * the place of a COPY frame's message. With @p frame NULL it returns such a
 * message only if no frame is pending for it in the ring.
 *
 * @return the message's length, or -1 with errno set (EAGAIN: none now)
 */
EXPORT_SYMBOL ssize_t mnl_ring_rx_recv(struct mnl_ring_rx *rx,
				       struct nl_mmap_hdr *frame, void *buf,
				       size_t len, int *frame_done)
{
	int fd = mnl_socket_get_fd(rx->r->nl);
	ssize_t n;

	*frame_done = 0;
	n = recv(fd, buf, len, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	/* An overrun is reported once, before the next message; the ring
	 * file reports it too (POLLERR, mnl_ring_clear_error()).
	 */
	if (n < 0 && errno == ENOBUFS)
		n = recv(fd, buf, len, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0)
		return -1;
	if (frame) {
		*frame_done = copy_matches(frame, buf, n,
					   (size_t)n < len ? (size_t)n : len);
	} else {
		/* A COPY frame is reserved before its message is queued:
		 * seen now, the message has no frame if none is ready.
		 */
		unsigned int st = nlmmap_rx_next(rx->r->ctrl,
						 rx_frame(rx, rx->head),
						 rx->pos);

		if (st != NLMMAP_STATUS_UNUSED) {
			errno = EAGAIN;
			return -1;
		}
	}
	return recv(fd, buf, len, MSG_DONTWAIT);
}

/* The callbacks of one mnl_ring_rx_run(). */
struct run_cbs {
	unsigned int seq, portid;
	mnl_cb_t cb_data;
	void *data;
	mnl_cb_t *ctl;
	unsigned int nctl;
};

static int run_msgs(const struct run_cbs *c, const void *buf, size_t len)
{
	return mnl_cb_run2(buf, len, c->seq, c->portid, c->cb_data, c->data,
			   c->ctl, c->nctl);
}

/**
 * mnl_ring_rx_run - run callbacks over what is ready, in order
 * @param rx the RX handle
 * @param buf caller's buffer for messages that come through the socket
 * @param buflen its size; MNL_SOCKET_BUFFER_SIZE is a good choice
 * @param seq, portid as for mnl_cb_run()
 * @param cb_data, data, cb_ctl_array, cb_ctl_array_len as for mnl_cb_run2()
 *        (cb_ctl_array may be NULL)
 *
 * Walks the ready frames in order: a VALID frame's messages are run in
 * place, a COPY frame's message is received into @p buf and run there, and
 * so are messages that came to the socket without a frame (acks, errors),
 * where they arrived. Each frame is released once its callbacks return.
 *
 * @return MNL_CB_ERROR (-1, errno set), MNL_CB_STOP (0) when a callback
 * stopped (e.g. at NLMSG_DONE or an ack), MNL_CB_OK (1) when messages were
 * run and more may come, MNL_RING_EMPTY when nothing was ready: wait with
 * mnl_ring_wait() and call again.
 */
EXPORT_SYMBOL int mnl_ring_rx_run(struct mnl_ring_rx *rx, void *buf,
				  size_t buflen, unsigned int seq,
				  unsigned int portid, mnl_cb_t cb_data,
				  void *data, const mnl_cb_t *cb_ctl_array,
				  unsigned int cb_ctl_array_len)
{
	const struct run_cbs c = { seq, portid, cb_data, data,
				   (mnl_cb_t *)cb_ctl_array, cb_ctl_array_len };
	int ret = MNL_CB_OK, done, any = 0;
	struct nl_mmap_hdr *f[32];
	unsigned int n, i;
	ssize_t len;

	for (;;) {
		n = mnl_ring_rx_peek(rx, f, 32);
		if (!n) {
			/* Socket messages without a frame, if any. */
			len = mnl_ring_rx_recv(rx, NULL, buf, buflen, &done);
			if (len < 0)
				return errno == EAGAIN ?
				       (any ? MNL_CB_OK : MNL_RING_EMPTY) :
				       MNL_CB_ERROR;
			any = 1;
			ret = run_msgs(&c, buf, len);
			if (ret <= MNL_CB_STOP)
				return ret;
			continue;
		}
		for (i = 0; i < n; i++) {
			any = 1;
			done = 1;
			if (nlmmap_frame_status(f[i]) == NLMMAP_STATUS_COPY) {
				do {
					len = mnl_ring_rx_recv(rx, f[i], buf,
							       buflen, &done);
					if (len < 0) {
						mnl_ring_rx_release(rx, i);
						return MNL_CB_ERROR;
					}
					ret = run_msgs(&c, buf, len);
				} while (!done && ret > MNL_CB_STOP);
			} else if (f[i]->nm_len) {
				ret = run_msgs(&c, nlmmap_frame_data(f[i]),
					       f[i]->nm_len);
			}
			if (ret <= MNL_CB_STOP) {
				/* A COPY frame whose message is still on the
				 * socket stays, to be read first next time.
				 */
				mnl_ring_rx_release(rx, i + done);
				return ret;
			}
		}
		mnl_ring_rx_release(rx, n);
	}
}

/* --- TX: the producer ------------------------------------------------ */

/**
 * mnl_ring_tx_geometry - the geometry of the TX ring
 * @param tx the TX handle
 * @return the geometry it was set up with
 */
EXPORT_SYMBOL const struct nl_mmap_req *
mnl_ring_tx_geometry(const struct mnl_ring_tx *tx)
{
	return &tx->req;
}

/**
 * mnl_ring_tx_reserve - free TX frames to write requests into
 * @param tx the TX handle
 * @param frames where up to @p nb frames are stored, in ring order
 * @param nb how many are wanted (at most 256 at once)
 *
 * Write one netlink request at mnl_ring_frame_data() of each (for instance
 * with mnl_ring_genl_put()), at most mnl_ring_tx_room() bytes, then
 * mnl_ring_tx_submit(). The frames come with nm_len 0: leave it so, and
 * submitting takes the request's nlmsg_len; set it to send another length.
 * Reserving again before submitting hands out the same frames.
 *
 * @return how many were stored (0: none free; wait with POLLOUT)
 */
EXPORT_SYMBOL unsigned int mnl_ring_tx_reserve(struct mnl_ring_tx *tx,
					       struct nl_mmap_hdr **frames,
					       unsigned int nb)
{
	unsigned int idx = tx->head, n = 0;

	if (nb > RING_BATCH_MAX)
		nb = RING_BATCH_MAX;
	if (nb > tx->req.nm_frame_nr)
		nb = tx->req.nm_frame_nr;
	while (n < nb) {
		struct nl_mmap_hdr *f = nlmmap_frame(tx->base, &tx->req, idx);

		if (nlmmap_frame_status(f) != NLMMAP_STATUS_UNUSED)
			break;
		f->nm_len = 0;
		frames[n++] = f;
		if (++idx >= tx->req.nm_frame_nr)
			idx = 0;
	}
	tx->nreserved = n;
	return n;
}

/**
 * mnl_ring_tx_frame - a TX frame by its index, to look at
 * @param tx the TX handle
 * @param idx the index, below nm_frame_nr
 *
 * @return the frame, or NULL for an index out of the ring
 */
EXPORT_SYMBOL struct nl_mmap_hdr *mnl_ring_tx_frame(const struct mnl_ring_tx *tx,
						    unsigned int idx)
{
	return idx < tx->req.nm_frame_nr ?
	       nlmmap_frame(tx->base, &tx->req, idx) : NULL;
}

/**
 * mnl_ring_tx_room - room for a request in one TX frame
 * @param tx the TX handle
 * @return bytes after the frame header
 */
EXPORT_SYMBOL size_t mnl_ring_tx_room(const struct mnl_ring_tx *tx)
{
	return tx->req.nm_frame_size - NLMMAP_HDRLEN;
}

/**
 * mnl_ring_tx_submit - hand the first @p n reserved frames to the kernel
 * @param tx the TX handle
 * @param n how many, at most as many as were reserved
 *
 * Each frame's length is the nm_len the caller set, or else its request's
 * nlmsg_len. The kernel processes them at the next mnl_ring_tx_kick() or
 * mnl_ring_wait().
 */
EXPORT_SYMBOL void mnl_ring_tx_submit(struct mnl_ring_tx *tx, unsigned int n)
{
	unsigned int i;

	if (n > tx->nreserved)
		n = tx->nreserved;
	for (i = 0; i < n; i++) {
		struct nl_mmap_hdr *f = nlmmap_frame(tx->base, &tx->req,
						     tx->head);
		const struct nlmsghdr *nlh = nlmmap_frame_data(f);

		if (!f->nm_len)
			f->nm_len = nlh->nlmsg_len;
		nlmmap_frame_publish(f, NLMMAP_STATUS_VALID);
		if (++tx->head >= tx->req.nm_frame_nr)
			tx->head = 0;
	}
	tx->nreserved = 0;
}

/**
 * mnl_ring_tx_kick - make the kernel process the submitted TX frames
 * @param tx the TX handle
 *
 * The kernel takes at most NLMMAP_TX_BUDGET frames per call; this calls
 * again until a call takes fewer.
 *
 * @return the number of frames processed, or -1 with errno set
 */
EXPORT_SYMBOL int mnl_ring_tx_kick(const struct mnl_ring_tx *tx)
{
	int n, total = 0;

	do {
		n = ioctl(tx->r->fd, NLMMAP_IOC_KICK);
		if (n < 0)
			return total ? total : -1;
		total += n;
	} while (n == NLMMAP_TX_BUDGET);
	return total;
}
