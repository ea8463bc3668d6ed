/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One rtnetlink address event on demand, for nlmmap-bench and
 * nlmmap-flood: 10.0.0.1/32 added to (RTM_NEWADDR) or deleted from
 * (RTM_DELADDR) lo.
 */
#ifndef NLMMAP_ADDR_EVENT_H
#define NLMMAP_ADDR_EVENT_H

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

/* Fill the request after @nlh's header (mnl_nlmsg_put_header()). */
static inline void addr_event_put(struct nlmsghdr *nlh, uint16_t type)
{
	uint32_t a = htonl(0x0a000001);	/* 10.0.0.1 */
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 32;
	ifa->ifa_index = 1;	/* lo */
	mnl_attr_put_u32(nlh, IFA_LOCAL, a);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, a);
}

#endif
