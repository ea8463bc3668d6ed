/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NLMMAP_TEST_UTIL_H
#define NLMMAP_TEST_UTIL_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <stdint.h>
#include <libmnl-mmap/libmnl-mmap.h>
#include <libmnl/libmnl.h>
#include <linux/nlmmap.h>

#define NLMMAP_KO "/lib/nlmmap/nlmmap.ko"

/* The library's request-header helper, for the nlmmap family. */
#define genl_req(buf, family, cmd, flags, seq)				\
	mnl_ring_genl_put(buf, family, cmd, NLMMAP_GENL_VERSION, flags, seq)

/* A bound NETLINK_GENERIC socket and the nlmmap family id. */
struct mnl_socket *genl_open(uint16_t *family);
/* Send @cmd to the family, run @cb over the replies until the ack. */
int genl_call(struct mnl_socket *nl, uint16_t family, uint8_t cmd,
	      mnl_cb_t cb, void *data);
/* Module-wide counter NLMMAP_S_* via NLMMAP_CMD_GET, or -1. */
int64_t nlmmap_stat(struct mnl_socket *nl, uint16_t family, int stat);
int module_load(void);

struct mnl_ring;

/* A geometry of @frames frames of @frame_size bytes, one page per block
 * when frames fit, else one frame per block.
 */
struct nl_mmap_req geometry(unsigned int frames, unsigned int frame_size);
/* A /dev/nlmmap file bound to @nl, no rings yet; -1 on error. */
int ring_file_bind(struct mnl_socket *nl);
/* NLMMAP_CMD_BIND of ring file @ring sent on @nl; 0 or -errno. */
int bind_request(struct mnl_socket *nl, int ring);
/* NLMMAP_IOC_SETUP of @rx and @tx (NULL: none) on ring file @fd; 0 or
 * errno. @out, if not NULL, gets the kernel's answer.
 */
int rings_set(int fd, const struct nl_mmap_req *rx,
	      const struct nl_mmap_req *tx, struct nlmmap_setup *out);
/* Bytes to mmap() for these rings: RX, TX and the control page. */
size_t map_size(const struct nl_mmap_req *rx, const struct nl_mmap_req *tx);
/* Socket + family + rings (tx_frames may be 0 for no TX ring). */
struct mnl_ring *ring_setup(struct mnl_socket **nl, uint16_t *family,
			    unsigned int rx_frames, unsigned int frame_size,
			    unsigned int tx_frames);
void ring_teardown(struct mnl_ring *r, struct mnl_socket *nl);
/* Ask for @count BENCH_MSG messages of @size bytes (on the socket). */
int bench_request(struct mnl_socket *nl, uint16_t family, uint32_t count,
		  uint32_t size);
/* A ring counter NLMMAP_S_* of the caller's ring, read via the socket
 * path with replies through the ring or socket; -1 on error.
 */
int64_t ring_stat(struct mnl_ring *r, uint16_t family, int stat);

/* The next free TX frame (NULL: none), and its submission with nm_len
 * @len (0: the request's nlmsg_len).
 */
struct nl_mmap_hdr *tx_frame_get(struct mnl_ring *r);
void tx_frame_submit(struct mnl_ring *r, unsigned int len);
/* The next ready RX frame (NULL: none), and giving it back or holding it
 * (SKIP) when done with it.
 */
struct nl_mmap_hdr *rx_frame_next(struct mnl_ring *r);
void rx_frame_done(struct mnl_ring *r, int hold);
/* A reader that holds frames (SKIP) as the rules of <linux/nlmmap.h>
 * allow: each frame it reads with probability 1/4 while it holds fewer
 * than @max_held (rand_r(@seed)), and it releases a held frame only when
 * it meets it again, as it passes the frame a lap later. Runs @cb over
 * every message of every frame until @cb returns MNL_CB_STOP or an error,
 * releases what it still holds and returns that result; waits in poll()
 * when nothing is ready, and returns HOLDING_STALLED when poll() saw
 * nothing for @timeout ms.
 */
#define HOLDING_STALLED	(-100)
struct holding {
	unsigned int holds;	/* frames held */
	unsigned int met;	/* of those, released on meeting them again */
	unsigned int most;	/* most frames held at once */
	unsigned int polls;
};
int rx_run_holding(struct mnl_ring *r, unsigned int *seed,
		   unsigned int max_held, unsigned int seq, mnl_cb_t cb,
		   void *data, int timeout, struct holding *h);
/* mnl_ring_rx_run() on @r, with "nothing ready" folded into MNL_CB_OK. */
int rx_run(struct mnl_ring *r, void *buf, size_t len, unsigned int seq,
	   mnl_cb_t cb, void *data, const mnl_cb_t *ctl, unsigned int nctl);

/* What a callback run saw, in order. */
struct seen {
	int n;
	uint8_t cmd[4096];
	uint32_t seq[4096];
	uint32_t size[4096];
	uint32_t count;		/* from the BENCH summary */
	int errors;		/* NLMSG_ERROR with error != 0 */
	int last_error;
	int acks;
	int bad_payload;
};
int seen_cb(const struct nlmsghdr *nlh, void *data);
/* Run the ring until no frame is ready; returns rx_run()'s
 * last result.
 */
int drain(struct mnl_ring *r, struct seen *s);
int module_unload(void);

/* Load module @name from @path (NULL: /lib/modules/RELEASE/@name.ko);
 * 0 when loaded or built in, else -errno (-ENOENT: no such module).
 */
int kmod_load(const char *name, const char *path);
/* 0, or -errno (-ENOENT: not loaded). */
int kmod_unload(const char *name);
/* As kmod_unload(), waiting while references remain: nfnetlink_queue's
 * last one goes only after an RCU grace period once its sockets close.
 */
int kmod_unload_wait(const char *name);
/* lo up in the caller's network namespace; 0 or -errno. */
int lo_up(void);

/* Send the request at @nlh (in a buffer of @len bytes, which takes the
 * answer) and read its ack: 0, -errno, or -EPROTO for no ack.
 */
int request_ack(struct mnl_socket *nl, struct nlmsghdr *nlh, size_t len);

/* The relay: SUBSCRIBE or UNSUBSCRIBE on the ring's socket; its answer,
 * 0 or -errno.
 */
int relay_cmd(struct mnl_socket *nl, uint16_t family, uint8_t cmd,
	      uint32_t protocol, uint32_t group);

/* Events received, byte for byte, in order. */
#define MAX_EVENTS	256
#define MAX_EVENT	4096
struct events {
	int n;
	uint32_t len[MAX_EVENTS];
	unsigned char data[MAX_EVENTS][MAX_EVENT];
	int bad_group;		/* frames whose nm_group was not the group */
	int too_many;
};
/* What a plain member of the group received, until nothing is left. */
void socket_events(struct mnl_socket *s, struct events *e);
/* What the ring holds now; each frame must name @group. */
void ring_events(struct mnl_ring *r, uint32_t group, struct events *e);
int same_events(const struct events *a, const struct events *b);

/* @argv running, once it said "ready" on stderr; its stdout in *@out and,
 * if @errp, the rest of its stderr. -1 when it never said it.
 */
pid_t spawn_ready(char *const argv[], FILE **out, FILE **errp);

/* @fn(@arg) in a child process that is user and group @uid; its result
 * (0..125), or -EPERM when the child could not become @uid, or -1.
 */
int as_user(unsigned int uid, int (*fn)(void *), void *arg);

/* Write @val to nlmmap's module parameter @name: 0, or -1. */
int write_param(const char *name, const char *val);

#endif
