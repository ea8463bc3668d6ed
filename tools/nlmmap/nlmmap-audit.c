// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap-audit: the audit log's read-only multicast group through an RX
 * ring, printed the way the audit log reads.
 *
 *   nlmmap-audit [-c COUNT] [-S] [-q] [-r] [-s]
 *
 * Prints each record as "type=NAME msg=audit(SECONDS.MS:SERIAL): ...";
 * -c stops after COUNT records, -S prints a count per record type and
 * the totals (records, lost, syscalls per record) at the end (with -c),
 * -q prints no records, -r a rate line on stderr even when it is not a
 * terminal (it is on a terminal), -s reads the same group with plain
 * recvmsg() to compare.
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

#include "cli.h"

#define PROG "nlmmap-audit"
#include "relay-reader.h"

static const struct { unsigned int type; const char *name; } names[] = {
	{ AUDIT_USER, "USER" }, { 1100, "USER_AUTH" }, { 1101, "USER_ACCT" }, { 1105, "USER_START" },
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
static int quiet;
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
	/*
	 * The read-only group carries only what the audit log logs, whatever
	 * its type: AUDIT_USER (1005, auditctl -m) and AUDIT_LOGIN (1006) are
	 * records as much as SYSCALL is. Only netlink's own control messages
	 * are not.
	 */
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
		return MNL_CB_OK;
	while (len > 0 && !text[len - 1])
		len--;
	if (!quiet) {
		printf("type=%s msg=%.*s\n",
		       type_name(nlh->nlmsg_type, unknown, sizeof(unknown)),
		       len, text);
		fflush(stdout);
	}
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


static void usage(void)
{
	printf("Usage: " PROG " [OPTIONS]\n"
	       "Print the audit log's records (AUDIT_NLGRP_READLOG) as they come,\n"
	       "read through an nlmmap RX ring.\n\n"
	       "  -c, --count=N     stop after N records\n"
	       "  -S, --summary     at the end, a count per record type and the totals\n"
	       "                    (records, lost, system calls per record)\n"
	       "  -q, --quiet       print no records\n"
	       "  -r, --rate        a rate line on stderr (always on a terminal)\n"
	       "  -s, --socket      read the group with plain recvmsg() instead, to compare\n"
	       "  -h, --help        this text\n\n"
	       "Needs CAP_AUDIT_READ in the initial network namespace, as the group does.\n"
	       "\"" PROG ": ready\" on stderr says the subscription is in place.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "summary", no_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rate", no_argument, NULL, 'r' },
		{ "socket", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct nl_mmap_req rx = { 16384, 32, 8192, 64 };
	unsigned int group = AUDIT_NLGRP_READLOG;
	int opt, plain = 0, sum = 0, rate = 0, ret;
	struct relay_reader rr;
	struct mnl_socket *nl;
	struct mnl_ring *r = NULL;

	while ((opt = getopt_long(argc, argv, "c:Sqrsh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			left = cli_ulong(PROG, "--count", optarg, 1, LONG_MAX);
			break;
		case 'S':
			sum = 1;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'r':
			rate = 1;
			break;
		case 's':
			plain = 1;
			break;
		case 'h':
			usage();
			return 0;
		default:
			cli_bad_option(PROG);
		}
	}
	cli_no_args(PROG, argc, argv);
	nl = mnl_socket_open(plain ? NETLINK_AUDIT : NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		cli_nlmmap_error(PROG, "netlink socket", errno, NULL);
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
		cli_nlmmap_error(PROG, plain ? "joining the audit log" :
				 r ? "subscribing to the audit log" :
				 "mapping the ring", errno,
				 r || plain ? "reading the audit log needs CAP_AUDIT_READ" :
				 CLI_EPERM_DEV);
		return 1;
	}
	fprintf(stderr, "nlmmap-audit: ready\n");
	relay_reader_init(&rr, "nlmmap-audit", nl, r, rate);
	ret = relay_reader_run(&rr, record_cb, NULL);
	if (ret)
		perror("nlmmap-audit");
	if (sum) {
		summary();
		relay_reader_summary(&rr);
	}
	return ret ? 1 : 0;
}
