/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The packet queue tests' shared helpers (queue_util.c).
 */
#ifndef _NLMMAP_QUEUE_UTIL_H
#define _NLMMAP_QUEUE_UTIL_H

#include <stdint.h>
#include <libmnl-mmap/libmnl-mmap.h>

#define PORT	9999
#define QKO	"/lib/nlmmap/nlmmap_queue.ko"

extern uint16_t family, qfam;
extern unsigned int qframe;	/* RX frame size of qsock_open() */

struct qsock {
	struct mnl_socket *nl;
	struct mnl_ring *r;
	int rx;			/* UDP socket bound to PORT */
	int tx;			/* UDP socket sending to it */
};

struct pkt {
	uint32_t id;
	uint32_t mark;
	uint32_t prio;
	uint16_t queue;
	int has_mark;
	char payload[2048];
	uint32_t len;
};

/* A copy mode and range, as BIND or NFQA_CFG_PARAMS give them. */
struct copy_cfg {
	uint32_t mode;
	uint32_t range;
};

/* An RX frame that holds any packet message at any copy range (the size
 * nlmmap-queue chooses for whole packets).
 */
#define QFRAME_ANY	(65536 + 4096)

/* A way packet messages come: a ring (@frame its RX frame size) or
 * nfnetlink_queue's protocol on a socket (@frame 0).
 */
struct qpath {
	int (*bind)(struct qpath *qp, const struct copy_cfg *c,
		    uint32_t flags);
	/* The next message into @buf: its length, or -1 when none came. */
	ssize_t (*next)(struct qpath *qp, void *buf, size_t len,
			int *copied);
	int (*verdict)(struct qpath *qp, uint32_t id, uint32_t verdict);
	unsigned int frame;
	int bound;		/* the socket path's queue is bound */
	unsigned int copied;	/* messages behind COPY frames */
	struct qsock s;		/* the ring socket */
	struct mnl_socket *nf;	/* the NETLINK_NETFILTER socket */
};

void payload_sweep(struct qpath *qp);
void queue_unload(void *unused);
void queue_env(void);
int nft(const char *fmt, ...);
int proto_rule(const char *proto, const char *what);
int queue_rule(const char *what);
int qreq(struct mnl_socket *nl, uint8_t cmd, uint32_t queue,
	 uint32_t flags, uint32_t maxlen);
int udp_socket(int bind_port);
void qsock_open(struct qsock *s, uint32_t flags, uint32_t maxlen);
void queue_start(struct qsock *s, uint32_t flags, uint32_t maxlen);
void qsock_close(struct qsock *s);
void send_to(struct qsock *s, const char *msg, int tos);
void send_udp(struct qsock *s, const char *msg);
void send_udp_unqueued(struct qsock *s, const char *msg);
const char *received_wait(struct qsock *s, int ms);
const char *received(struct qsock *s);
const char *received_now(struct qsock *s);
int next_packet(struct qsock *s, struct pkt *p);
const char *udp_data(const struct pkt *p);
void verdict(struct qsock *s, int batch, uint32_t id, uint32_t v,
	     int mark, uint32_t markval, const void *pl, uint32_t len,
	     int through_socket);
int spread_flows(struct qsock *s, struct qsock *t, int flows, int n[2]);
void tool_decides_and_counts(char *mode);
void fanout_by_cpu(void);
int tx_error(struct qsock *s);

#endif /* _NLMMAP_QUEUE_UTIL_H */
