// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap-audit: the audit log's read-only multicast group through an RX
 * ring, printed the way the audit log reads.
 *
 *   nlmmap-audit [-c COUNT] [-S] [-s]
 *
 * Prints each record as "type=NAME msg=audit(SECONDS.MS:SERIAL): ...";
 * -c stops after COUNT records, -S prints a count per record type at the
 * end (with -c), -s reads the same group with plain recvmsg() to compare.
 * Needs CAP_AUDIT_READ and the initial network namespace, as the group
 * does. "nlmmap-audit: ready" on stderr says the subscription is in place.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/audit.h>
#include <libmnl-mmap/libmnl-mmap.h>

static const struct { unsigned int type; const char *name; } names[] = {
	{ 1100, "USER_AUTH" }, { 1101, "USER_ACCT" }, { 1105, "USER_START" },
	{ 1106, "USER_END" }, { 1107, "USER_AVC" }, { 1112, "USER_MSG" },
	{ 1130, "SERVICE_START" }, { 1131, "SERVICE_STOP" },
	{ AUDIT_SYSCALL, "SYSCALL" }, { AUDIT_PATH, "PATH" },
	{ AUDIT_CWD, "CWD" }, { AUDIT_EXECVE, "EXECVE" },
	{ AUDIT_CONFIG_CHANGE, "CONFIG_CHANGE" }, { AUDIT_SOCKADDR, "SOCKADDR" },
	{ AUDIT_PROCTITLE, "PROCTITLE" }, { AUDIT_EOE, "EOE" },
	{ AUDIT_EVENT_LISTENER, "EVENT_LISTENER" }, { AUDIT_LOGIN, "LOGIN" },
	{ AUDIT_AVC, "AVC" }, { AUDIT_ANOM_PROMISCUOUS, "ANOM_PROMISCUOUS" },
};

static long left = -1;		/* records still to print, -1: for ever */
static unsigned long per_type[2048];

static const char *type_name(unsigned int type, char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	snprintf(buf, len, "UNKNOWN[%u]", type);
	return buf;
}

static int record_cb(const struct nlmsghdr *nlh, void *data)
{
	int len = nlh->nlmsg_len - NLMSG_HDRLEN;
	const char *text = mnl_nlmsg_get_payload(nlh);
	char unknown[32];

	(void)data;
	if (nlh->nlmsg_type < AUDIT_FIRST_USER_MSG)
		return MNL_CB_OK;	/* not a record */
	while (len > 0 && !text[len - 1])
		len--;
	printf("type=%s msg=%.*s\n",
	       type_name(nlh->nlmsg_type, unknown, sizeof(unknown)), len, text);
	fflush(stdout);
	if (nlh->nlmsg_type < 2048)
		per_type[nlh->nlmsg_type]++;
	if (left > 0 && !--left)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

static void summary(void)
{
	char unknown[32];
	unsigned int t;

	for (t = 0; t < 2048; t++)
		if (per_type[t])
			printf("%-20s %lu\n", type_name(t, unknown,
							sizeof(unknown)),
			       per_type[t]);
}

int main(int argc, char **argv)
{
	struct nl_mmap_req rx = { 16384, 32, 8192, 64 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int group = AUDIT_NLGRP_READLOG;
	int opt, plain = 0, sum = 0, ret;
	struct mnl_socket *nl;
	struct mnl_ring *r = NULL;

	while ((opt = getopt(argc, argv, "c:Ss")) != -1) {
		if (opt == 'c')
			left = atol(optarg);
		else if (opt == 'S')
			sum = 1;
		else if (opt == 's')
			plain = 1;
		else {
			fprintf(stderr, "usage: nlmmap-audit [-c COUNT] [-S] [-s]\n");
			return 2;
		}
	}
	nl = mnl_socket_open(plain ? NETLINK_AUDIT : NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlmmap-audit: socket");
		return 1;
	}
	if (plain) {
		ret = mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &group,
					    sizeof(group));
	} else {
		r = mnl_ring_map(nl, &rx, NULL);
		ret = r ? mnl_ring_subscribe(r, NETLINK_AUDIT, group) : -1;
	}
	if (ret < 0) {
		perror("nlmmap-audit: the audit log");
		return 1;
	}
	fprintf(stderr, "nlmmap-audit: ready\n");
	for (;;) {
		if (plain) {
			ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

			if (n < 0 && errno == ENOBUFS) {
				fprintf(stderr, "nlmmap-audit: records lost\n");
				continue;
			}
			if (n < 0)
				break;
			ret = mnl_cb_run(buf, n, 0, 0, record_cb, NULL);
		} else {
			ret = mnl_ring_rx_run(mnl_ring_rx(r), buf, sizeof(buf),
					      0, 0, record_cb, NULL, NULL, 0);
			if (ret == MNL_RING_EMPTY &&
			    mnl_ring_wait(r, POLLIN, -1) & POLLERR)
				fprintf(stderr, "nlmmap-audit: %d records lost\n",
					mnl_ring_clear_error(r));
		}
		if (ret == MNL_CB_STOP)
			break;
		if (ret == MNL_CB_ERROR) {
			perror("nlmmap-audit");
			return 1;
		}
	}
	if (sum)
		summary();
	return ret == MNL_CB_STOP ? 0 : 1;
}
