// SPDX-License-Identifier: GPL-2.0
/*
 * nlmmap-monitor: rtnetlink events through an RX ring, in the spirit of
 * "ip monitor".
 *
 *   nlmmap-monitor [-c COUNT] [-s] [link] [address] [route]
 *
 * Subscribes a ring to the groups named (default: link and address),
 * prints each event as it comes, and with -c stops after COUNT events.
 * -s reads the same groups as a plain member of them with recvmsg(), to
 * compare. "nlmmap-monitor: ready" on stderr says the subscription is in
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

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000		/* <linux/if.h>, which <net/if.h> excludes */
#endif

static long left = -1;	/* events still to print, -1: for ever */

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
	switch (nlh->nlmsg_type) {
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
	fflush(stdout);
	if (left > 0 && !--left)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	static const struct { const char *name; unsigned int groups[2]; } g[] = {
		{ "link", { RTNLGRP_LINK } },
		{ "address", { RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR } },
		{ "route", { RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE } },
	};
	unsigned int want[8], nwant = 0, i, j;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nl_mmap_req rx = { 4096, 64, 2048, 128 };
	struct mnl_socket *nl;
	struct mnl_ring *r = NULL;
	int opt, plain = 0, ret;

	while ((opt = getopt(argc, argv, "c:s")) != -1) {
		if (opt == 'c')
			left = atol(optarg);
		else if (opt == 's')
			plain = 1;
		else
			goto usage;
	}
	for (i = optind; i < (unsigned int)argc; i++) {
		for (j = 0; j < 3 && strcmp(argv[i], g[j].name); j++)
			;
		if (j == 3)
			goto usage;
		want[nwant++] = g[j].groups[0];
		if (g[j].groups[1])
			want[nwant++] = g[j].groups[1];
	}
	if (!nwant) {
		want[nwant++] = RTNLGRP_LINK;
		want[nwant++] = RTNLGRP_IPV4_IFADDR;
		want[nwant++] = RTNLGRP_IPV6_IFADDR;
	}
	nl = mnl_socket_open(plain ? NETLINK_ROUTE : NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlmmap-monitor: socket");
		return 1;
	}
	if (!plain) {
		r = mnl_ring_map(nl, &rx, NULL);
		if (!r) {
			perror("nlmmap-monitor: ring");
			return 1;
		}
	}
	for (i = 0; i < nwant; i++) {
		ret = plain ? mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP,
						    &want[i], sizeof(want[i])) :
			      mnl_ring_subscribe(r, NETLINK_ROUTE, want[i]);
		if (ret < 0) {
			fprintf(stderr, "nlmmap-monitor: group %u: %s\n",
				want[i], strerror(errno));
			return 1;
		}
	}
	fprintf(stderr, "nlmmap-monitor: ready\n");
	for (;;) {
		if (plain) {
			ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

			if (n < 0 && errno == ENOBUFS) {
				fprintf(stderr, "nlmmap-monitor: events lost\n");
				continue;
			}
			if (n < 0)
				break;
			ret = mnl_cb_run(buf, n, 0, 0, event_cb, NULL);
		} else {
			ret = mnl_ring_rx_run(mnl_ring_rx(r), buf, sizeof(buf),
					      0, 0, event_cb, NULL, NULL, 0);
			if (ret == MNL_RING_EMPTY &&
			    mnl_ring_wait(r, POLLIN, -1) & POLLERR) {
				fprintf(stderr, "nlmmap-monitor: %d events lost\n",
					mnl_ring_clear_error(r));
			}
		}
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret == MNL_CB_ERROR) {
			perror("nlmmap-monitor");
			return 1;
		}
	}
	return 1;
usage:
	fprintf(stderr, "usage: nlmmap-monitor [-c COUNT] [-s] [link] [address] [route]\n");
	return 2;
}
