// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap-monitor: rtnetlink events through an RX ring, in the spirit of
 * "ip monitor".
 *
 *   nlmmap-monitor [-c COUNT] [-q] [-r] [-S] [-s] [link] [address] [route]
 *
 * Subscribes a ring to the groups named (default: link and address),
 * prints each event as it comes, and with -c stops after COUNT events.
 * -q prints no events, -r a rate line on stderr even when it is not a
 * terminal (it is on a terminal), -S the totals (events, lost, syscalls
 * per event) at the end. -s reads the same groups as a plain member of
 * them with recvmsg(), to compare. "nlmmap-monitor: ready" on stderr says the subscription is in
 * place.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <libmnl-mmap/libmnl-mmap.h>

#include "cli.h"

#define PROG "nlmmap-monitor"
#include "relay-reader.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000		/* <linux/if.h>, which <net/if.h> excludes */
#endif

static long left = -1;	/* events still to print, -1: for ever */
static int quiet;

static const char *attr_str(const struct nlmsghdr *nlh, size_t hdr, int type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, hdr)
		if (mnl_attr_get_type(a) == type &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			return mnl_attr_get_str(a);
	return "?";
}

static const void *attr_data(const struct nlmsghdr *nlh, size_t hdr, int type,
			     size_t *len)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, hdr)
		if (mnl_attr_get_type(a) == type) {
			*len = mnl_attr_get_payload_len(a);
			return mnl_attr_get_payload(a);
		}
	return NULL;
}

static void print_link(const struct nlmsghdr *nlh)
{
	static const struct { unsigned int flag; const char *name; } f[] = {
		{ IFF_LOOPBACK, "LOOPBACK" }, { IFF_BROADCAST, "BROADCAST" },
		{ IFF_POINTOPOINT, "POINTOPOINT" }, { IFF_MULTICAST, "MULTICAST" },
		{ IFF_NOARP, "NOARP" }, { IFF_UP, "UP" },
		{ IFF_LOWER_UP, "LOWER_UP" },
	};
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	char flags[128] = "";
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (ifi->ifi_flags & f[i].flag) {
			if (flags[0])
				strcat(flags, ",");
			strcat(flags, f[i].name);
		}
	printf("%s%d: %s: <%s> state %s\n",
	       nlh->nlmsg_type == RTM_DELLINK ? "Deleted " : "",
	       ifi->ifi_index, attr_str(nlh, sizeof(*ifi), IFLA_IFNAME), flags,
	       ifi->ifi_flags & IFF_UP ? "UP" : "DOWN");
}

static void print_addr(const struct nlmsghdr *nlh)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	char ifname[IF_NAMESIZE] = "?", text[INET6_ADDRSTRLEN] = "?";
	const void *a;
	size_t len = 0;

	a = attr_data(nlh, sizeof(*ifa), IFA_LOCAL, &len);
	if (!a)
		a = attr_data(nlh, sizeof(*ifa), IFA_ADDRESS, &len);
	if (a && len >= (ifa->ifa_family == AF_INET6 ? 16u : 4u))
		inet_ntop(ifa->ifa_family, a, text, sizeof(text));
	if_indextoname(ifa->ifa_index, ifname);
	printf("%s%u: %s    %s %s/%u\n",
	       nlh->nlmsg_type == RTM_DELADDR ? "Deleted " : "",
	       ifa->ifa_index, ifname,
	       ifa->ifa_family == AF_INET6 ? "inet6" : "inet", text,
	       ifa->ifa_prefixlen);
}

static void print_route(const struct nlmsghdr *nlh)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	char text[INET6_ADDRSTRLEN] = "default";
	const void *a;
	size_t len = 0;

	a = attr_data(nlh, sizeof(*rtm), RTA_DST, &len);
	if (a && len >= (rtm->rtm_family == AF_INET6 ? 16u : 4u))
		inet_ntop(rtm->rtm_family, a, text, sizeof(text));
	printf("%s%s/%u table %u\n",
	       nlh->nlmsg_type == RTM_DELROUTE ? "Deleted " : "", text,
	       rtm->rtm_dst_len, rtm->rtm_table);
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)data;
	switch (quiet ? 0 : nlh->nlmsg_type) {
	case 0:
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		print_link(nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		print_addr(nlh);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		print_route(nlh);
		break;
	default:
		return MNL_CB_OK;
	}
	if (!quiet)
		fflush(stdout);
	if (left > 0 && !--left)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}


static void usage(void)
{
	printf("Usage: " PROG " [OPTIONS] [link] [address] [route]\n"
	       "Print rtnetlink events as they come, read through an nlmmap RX ring,\n"
	       "in the manner of 'ip monitor'. With no class: link and address.\n\n"
	       "  -c, --count=N     stop after N events\n"
	       "  -q, --quiet       print no events\n"
	       "  -r, --rate        a rate line on stderr (always on a terminal)\n"
	       "  -S, --summary     the totals at the end (events, lost, system calls)\n"
	       "  -s, --socket      read the groups with plain recvmsg() instead, to compare\n"
	       "  -h, --help        this text\n\n"
	       "\"" PROG ": ready\" on stderr says the subscriptions are in place.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "rate", no_argument, NULL, 'r' },
		{ "summary", no_argument, NULL, 'S' },
		{ "socket", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct { const char *name; unsigned int groups[2]; } g[] = {
		{ "link", { RTNLGRP_LINK } },
		{ "address", { RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR } },
		{ "route", { RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE } },
	};
	unsigned int want[6], nwant = 0, classes = 0, i, j;
	struct nl_mmap_req rx = { 4096, 64, 2048, 128 };
	int opt, plain = 0, rate = 0, sum = 0, ret;
	struct relay_reader rr;
	struct mnl_socket *nl;
	struct mnl_ring *r = NULL;

	while ((opt = getopt_long(argc, argv, "c:qrSsh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			left = cli_ulong(PROG, "--count", optarg, 1, LONG_MAX);
			break;
		case 'q':
			quiet = 1;
			break;
		case 'r':
			rate = 1;
			break;
		case 'S':
			sum = 1;
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
	for (i = optind; i < (unsigned int)argc; i++) {
		for (j = 0; j < 3 && strcmp(argv[i], g[j].name); j++)
			;
		if (j == 3)
			cli_refuse(PROG, "unknown event class '%s' (link, address or route)",
				   argv[i]);
		classes |= 1u << j;	/* a class named twice counts once */
	}
	if (!classes)
		classes = 1u << 0 | 1u << 1;
	for (j = 0; j < 3; j++) {
		if (!(classes & 1u << j))
			continue;
		want[nwant++] = g[j].groups[0];
		if (g[j].groups[1])
			want[nwant++] = g[j].groups[1];
	}
	nl = mnl_socket_open(plain ? NETLINK_ROUTE : NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		cli_nlmmap_error(PROG, "netlink socket", errno, NULL);
		return 1;
	}
	if (!plain) {
		r = mnl_ring_map(nl, &rx, NULL);
		if (!r) {
			cli_nlmmap_error(PROG, "mapping the ring", errno,
					 CLI_EPERM_DEV);
			return 1;
		}
	}
	for (i = 0; i < nwant; i++) {
		ret = plain ? mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP,
						    &want[i], sizeof(want[i])) :
			      mnl_ring_subscribe(r, NETLINK_ROUTE, want[i]);
		if (ret < 0) {
			fprintf(stderr, "%s: group %u: %s\n", PROG, want[i],
				strerror(errno));
			return 1;
		}
	}
	fprintf(stderr, "nlmmap-monitor: ready\n");
	relay_reader_init(&rr, "nlmmap-monitor", nl, r, rate);
	ret = relay_reader_run(&rr, event_cb, NULL);
	if (ret)
		perror("nlmmap-monitor");
	if (sum)
		relay_reader_summary(&rr);
	return ret ? 1 : 0;
}
