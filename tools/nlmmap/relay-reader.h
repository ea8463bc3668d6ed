/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The read loop of nlmmap-audit and nlmmap-monitor: a multicast stream
 * through an RX ring (the relay) or, to compare, through a plain member
 * socket, with the same callback, loss reporting and live rate line.
 */
#ifndef NLMMAP_RELAY_READER_H
#define NLMMAP_RELAY_READER_H

#include <libmnl-mmap/libmnl-mmap.h>

struct relay_reader {
	const char *tool;	/* for messages: "nlmmap-audit" */
	struct mnl_socket *nl;
	struct mnl_ring *r;	/* NULL: plain recvmsg() on @nl */
	int rate;		/* a rate line on stderr, once a second */
	unsigned long events;	/* messages read */
	unsigned long lost;	/* as the ring or the socket reported */
	unsigned long syscalls;	/* made to read them */
};

/* Rate line when stderr is a terminal or @force. */
void relay_reader_init(struct relay_reader *rr, const char *tool,
		       struct mnl_socket *nl, struct mnl_ring *r, int force);
/* Read until @cb returns MNL_CB_STOP (0) or an error (-1). */
int relay_reader_run(struct relay_reader *rr, mnl_cb_t cb, void *data);
/* "N events, N lost, X syscalls per event" on stderr. */
void relay_reader_summary(const struct relay_reader *rr);

#endif
