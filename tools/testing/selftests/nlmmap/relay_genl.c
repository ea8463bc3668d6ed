// SPDX-License-Identifier: GPL-2.0
/*
 * The relay's generic netlink groups, by family and group name through
 * NLMMAP_IOC_SUBSCRIBE, and the subscription list (NLMMAP_CMD_SUB_GET)
 * with its counters.
 *
 * Events: ethtool's "monitor" group, which gets a FEATURES_NTF each time
 * a device's features change (TSO on lo, through SIOCETHTOOL). Refusals:
 * mptcp_pm's "mptcp_pm_events", which needs CAP_NET_ADMIN in the
 * namespace's user namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/ethtool.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include "tap.h"
#include "util.h"

static uint16_t family;

struct ctrl_group {
	const char *name;
	uint32_t id;
};

static int ctrl_group_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctrl_group *g = data;
	struct nlattr *a, *grp, *x;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		mnl_attr_for_each_nested(grp, a) {
			const char *name = NULL;
			uint32_t id = 0;

			mnl_attr_for_each_nested(x, grp) {
				if (mnl_attr_get_type(x) ==
				    CTRL_ATTR_MCAST_GRP_NAME)
					name = mnl_attr_get_str(x);
				if (mnl_attr_get_type(x) ==
				    CTRL_ATTR_MCAST_GRP_ID)
					id = mnl_attr_get_u32(x);
			}
			if (name && !strcmp(name, g->name))
				g->id = id;
		}
	}
	return MNL_CB_OK;
}

/* The group's number as the controller tells any program, or 0. */
static uint32_t genl_group_id(const char *fam, const char *name)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	struct ctrl_group g = { name, 0 };
	char buf[65536];
	struct nlmsghdr *nlh;
	ssize_t n;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID))
		goto out;
	nlh = mnl_ring_genl_put(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 2,
				0, 7);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, fam);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n > 0)
		mnl_cb_run(buf, n, 7, 0, ctrl_group_cb, &g);
out:
	if (nl)
		mnl_socket_close(nl);
	return g.id;
}

/* The ioctl's answer: -errno, or the group's number. */
static int sub_ioctl(struct mnl_ring *r, unsigned long cmd, uint32_t protocol,
		     uint32_t group, const char *fam, const char *name)
{
	struct nlmmap_subscription s = {
		.size = sizeof(s), .protocol = protocol, .group = group,
	};

	strncpy(s.family, fam, sizeof(s.family) - 1);
	strncpy(s.name, name, sizeof(s.name) - 1);
	if (ioctl(mnl_ring_get_fd(r), cmd, &s))
		return -errno;
	return s.group;
}

/* TSO of lo off (0) or on (1): one FEATURES_NTF when it changes. */
static int lo_tso(int on)
{
	struct ethtool_value v = { .cmd = ETHTOOL_STSO, .data = on };
	struct ifreq ifr = { .ifr_data = (void *)&v };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err;

	strcpy(ifr.ifr_name, "lo");
	err = fd < 0 || ioctl(fd, SIOCETHTOOL, &ifr) ? -errno : 0;
	if (fd >= 0)
		close(fd);
	return err;
}

static void own_netns(void)
{
	if (unshare(CLONE_NEWNET))
		SKIP("no network namespaces here");
}

/* The group by name, and a plain member of it: the same events. */
static void genl_group_by_name_matches_a_socket_listener(void)
{
	static struct events from_ring, from_socket;
	struct mnl_socket *nl, *plain;
	struct mnl_ring *r;
	uint32_t id;
	int group, i;

	own_netns();
	id = genl_group_id("ethtool", "monitor");
	if (!id)
		SKIP("no ethtool netlink in this kernel");
	r = ring_setup(&nl, &family, 64, 4096, 0);
	plain = mnl_socket_open(NETLINK_GENERIC);
	REQUIRE(r && plain && mnl_socket_bind(plain, 0, MNL_SOCKET_AUTOPID) == 0);
	REQUIRE(mnl_socket_setsockopt(plain, NETLINK_ADD_MEMBERSHIP, &id,
				      sizeof(id)) == 0);
	group = sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_GENERIC, 0, "ethtool", "monitor");
	CHECK(group == (int)id, "the group's number: %d, not %u", group, id);
	REQUIRE(group > 0);
	for (i = 0; i < 6; i++)
		REQUIRE(lo_tso(i % 2) == 0, "TSO on lo");
	socket_events(plain, &from_socket);
	ring_events(r, id, &from_ring);
	CHECK(from_socket.n >= 6, "%d events on the socket", from_socket.n);
	CHECK(same_events(&from_ring, &from_socket),
	      "%d events in the ring, %d on the socket", from_ring.n,
	      from_socket.n);
	CHECK(!from_ring.bad_group, "nm_group is the group");

	/* By name again, by number, and through the family's command. */
	CHECK(sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_GENERIC, 0, "ethtool",
			"monitor") == -EEXIST);
	CHECK(mnl_ring_subscribe(r, NETLINK_GENERIC, id) == -1 &&
	      errno == EEXIST, "by number: %m");
	CHECK(relay_cmd(nl, family, NLMMAP_CMD_SUBSCRIBE, NETLINK_GENERIC,
			id) == -EOPNOTSUPP);
	/* Unknown names, and names with a number or another protocol. */
	CHECK(sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_GENERIC, 0, "no-such-family",
			"monitor") == -ENOENT);
	CHECK(sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_GENERIC, 0, "ethtool",
			"no-such-group") == -ENOENT);
	CHECK(sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_GENERIC, 5, "ethtool",
			"monitor") == -EINVAL);
	CHECK(sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_ROUTE, 0, "ethtool",
			"monitor") == -EINVAL);
	CHECK(sub_ioctl(r, NLMMAP_IOC_UNSUBSCRIBE, NETLINK_GENERIC, 0,
			"ethtool", "monitor") == -EINVAL);
	CHECK(sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_GENERIC, 0, "ethtool", "") ==
	      -EINVAL);

	CHECK(mnl_ring_unsubscribe(r, NETLINK_GENERIC, id) == 0, "%m");
	CHECK(mnl_ring_unsubscribe(r, NETLINK_GENERIC, id) == -1 &&
	      errno == ENOENT, "twice: %m");
	REQUIRE(lo_tso(1) == 0 && lo_tso(0) == 0);
	memset(&from_ring, 0, sizeof(from_ring));
	ring_events(r, id, &from_ring);
	CHECK(from_ring.n == 0, "%d events after unsubscribing", from_ring.n);
	mnl_socket_close(plain);
	ring_teardown(r, nl);
}

/* A group that needs CAP_NET_ADMIN: refused to nobody, and to a user
 * namespace that does not own the network namespace, exactly when a
 * plain socket's join is refused; a ring file passed to nobody does not
 * carry root's rights.
 */
static void genl_group_refused_as_the_source_refuses(void)
{
	struct mnl_socket *nl, *root_nl, *plain;
	struct mnl_ring *r, *root_r;
	uint32_t id;
	int err, plain_err;

	id = genl_group_id("mptcp_pm", "mptcp_pm_events");
	if (!id)
		SKIP("no mptcp_pm family in this kernel");
	/* Root's subscription keeps the listener running. */
	root_r = ring_setup(&root_nl, &family, 16, 1024, 0);
	REQUIRE(root_r);
	CHECK(mnl_ring_subscribe_genl(root_r, "mptcp_pm",
				      "mptcp_pm_events") == (int)id, "%m");
	if (setgid(65534) || setuid(65534))
		SKIP("cannot become user nobody here");
	plain = mnl_socket_open(NETLINK_GENERIC);
	REQUIRE(plain);
	plain_err = mnl_socket_setsockopt(plain, NETLINK_ADD_MEMBERSHIP, &id,
					  sizeof(id)) ? -errno : 0;
	CHECK(plain_err == -EPERM, "a plain join as nobody: %d", plain_err);
	mnl_socket_close(plain);
	r = ring_setup(&nl, &family, 16, 1024, 0);
	REQUIRE(r, "a ring for nobody");
	err = sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_GENERIC, 0, "mptcp_pm",
			"mptcp_pm_events");
	CHECK(err == plain_err, "by name as nobody: %d", err);
	err = sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_GENERIC, id, "", "");
	CHECK(err == plain_err, "by number as nobody: %d", err);
	/* Root's ring, in nobody's hands: nobody's rights. */
	err = sub_ioctl(root_r, NLMMAP_IOC_UNSUBSCRIBE, NETLINK_GENERIC, id,
			"", "");
	CHECK(err == (int)id, "unsubscribing root's ring: %d", err);
	err = sub_ioctl(root_r, NLMMAP_IOC_SUBSCRIBE, NETLINK_GENERIC, id,
			"", "");
	CHECK(err == -EPERM, "root's ring, nobody's request: %d", err);
	/* A user namespace of its own, in the same network namespace. */
	if (unshare(CLONE_NEWUSER))
		SKIP("no user namespaces here");
	err = sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_GENERIC, 0, "mptcp_pm",
			"mptcp_pm_events");
	CHECK(err == -EPERM, "in a user namespace: %d", err);
	ring_teardown(r, nl);
	ring_teardown(root_r, root_nl);
}

struct sub_row {
	uint32_t portid, protocol, group;
	char family[16], name[16];
	uint64_t relayed, dropped;
};

struct sub_list {
	int n;
	struct sub_row row[16];
};

static int sub_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sub_list *l = data;
	struct nlattr *a, *x;
	struct sub_row *row;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != NLMMAP_A_SUB || l->n == 16)
			continue;
		row = &l->row[l->n++];
		memset(row, 0, sizeof(*row));
		mnl_attr_for_each_nested(x, a) {
			switch (mnl_attr_get_type(x)) {
			case NLMMAP_SUB_PORTID:
				row->portid = mnl_attr_get_u32(x);
				break;
			case NLMMAP_SUB_PROTOCOL:
				row->protocol = mnl_attr_get_u32(x);
				break;
			case NLMMAP_SUB_GROUP:
				row->group = mnl_attr_get_u32(x);
				break;
			case NLMMAP_SUB_FAMILY:
				strncpy(row->family, mnl_attr_get_str(x), 15);
				break;
			case NLMMAP_SUB_NAME:
				strncpy(row->name, mnl_attr_get_str(x), 15);
				break;
			case NLMMAP_SUB_RELAYED:
				row->relayed = mnl_attr_get_u64(x);
				break;
			case NLMMAP_SUB_DROPPED:
				row->dropped = mnl_attr_get_u64(x);
				break;
			}
		}
	}
	return MNL_CB_OK;
}

/* NLMMAP_CMD_SUB_GET from a plain socket of the caller. */
static int sub_list(struct sub_list *l)
{
	struct mnl_socket *nl = genl_open(NULL);
	char buf[65536];
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret = -1;

	memset(l, 0, sizeof(*l));
	if (!nl)
		return -1;
	nlh = genl_req(buf, family, NLMMAP_CMD_SUB_GET,
		       NLM_F_DUMP | NLM_F_ACK, 9);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, n, 9, 0, sub_cb, l);
		if (ret <= MNL_CB_STOP)
			break;
	}
out:
	mnl_socket_close(nl);
	return ret < 0 ? -1 : 0;
}

static const struct sub_row *sub_find(const struct sub_list *l,
				      uint32_t portid, uint32_t group)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->row[i].portid == portid && l->row[i].group == group)
			return &l->row[i];
	return NULL;
}

static uint32_t ring_portid(struct mnl_ring *r)
{
	return mnl_socket_get_portid(mnl_ring_get_socket(r));
}

/* Each subscription is listed with its own counters; users see their
 * own rings' subscriptions, CAP_NET_ADMIN every ring's.
 */
static void subscriptions_are_listed_with_counters(void)
{
	static struct events got;
	struct mnl_socket *nl, *root_nl;
	struct mnl_ring *r, *full, *root_r;
	const struct sub_row *row;
	struct sub_list l;
	uint32_t id;
	int i, n;

	own_netns();
	id = genl_group_id("ethtool", "monitor");
	if (!id)
		SKIP("no ethtool netlink in this kernel");
	r = ring_setup(&nl, &family, 64, 4096, 0);
	full = ring_setup(&root_nl, &family, 2, 4096, 0);
	REQUIRE(r && full);
	REQUIRE(mnl_ring_subscribe_genl(r, "ethtool", "monitor") == (int)id);
	REQUIRE(mnl_ring_subscribe(r, NETLINK_ROUTE, RTNLGRP_LINK) == 0);
	REQUIRE(mnl_ring_subscribe_genl(full, "ethtool", "monitor") ==
		(int)id);
	for (i = 0; i < 6; i++)
		REQUIRE(lo_tso(i % 2) == 0);
	/* A feature change is a link event too: frames of the other group
	 * count as bad_group here.
	 */
	ring_events(r, id, &got);
	n = got.n - got.bad_group;
	REQUIRE(n >= 6 && got.bad_group, "%d monitor, %d link events", n,
		got.bad_group);
	REQUIRE(sub_list(&l) == 0);
	CHECK(l.n == 3, "%d subscriptions listed", l.n);
	row = sub_find(&l, ring_portid(r), id);
	CHECK(row && row->protocol == NETLINK_GENERIC &&
	      !strcmp(row->family, "ethtool") && !strcmp(row->name, "monitor"),
	      "the genl subscription, by name");
	CHECK(row && row->relayed == (uint64_t)n && !row->dropped,
	      "relayed %llu, %d in the ring",
	      row ? (unsigned long long)row->relayed : 0ULL, n);
	row = sub_find(&l, ring_portid(r), RTNLGRP_LINK);
	CHECK(row && row->protocol == NETLINK_ROUTE && !row->family[0] &&
	      row->relayed == (uint64_t)got.bad_group,
	      "the rtnetlink subscription");
	/* Two frames, never read: the rest of the burst is its loss. */
	row = sub_find(&l, ring_portid(full), id);
	CHECK(row && row->relayed == 2 &&
	      row->dropped == (uint64_t)n - 2,
	      "full ring: relayed %llu dropped %llu of %d",
	      row ? (unsigned long long)row->relayed : 0ULL,
	      row ? (unsigned long long)row->dropped : 0ULL, n);

	REQUIRE(mnl_ring_unsubscribe(r, NETLINK_ROUTE, RTNLGRP_LINK) == 0);
	REQUIRE(sub_list(&l) == 0);
	CHECK(l.n == 2 && !sub_find(&l, ring_portid(r), RTNLGRP_LINK),
	      "%d left after unsubscribing", l.n);

	/* Nobody sees its own ring's subscriptions, not root's. */
	root_r = full;
	if (setgid(65534) || setuid(65534))
		SKIP("cannot become user nobody here");
	ring_teardown(r, nl);
	r = ring_setup(&nl, &family, 16, 4096, 0);
	REQUIRE(r);
	REQUIRE(mnl_ring_subscribe(r, NETLINK_ROUTE, RTNLGRP_LINK) == 0);
	REQUIRE(sub_list(&l) == 0);
	CHECK(l.n == 1 && sub_find(&l, ring_portid(r), RTNLGRP_LINK),
	      "nobody sees %d", l.n);
	ring_teardown(r, nl);
	ring_teardown(root_r, root_nl);
}

/* At most 64 subscriptions per ring: the 65th is refused (ENOSPC). The
 * generic netlink core lets a socket join any group number up to 64.
 */
static void subscriptions_per_ring_are_bounded(void)
{
	struct mnl_socket *nl;
	struct mnl_ring *r;
	int g, err = 0;

	own_netns();
	r = ring_setup(&nl, &family, 16, 4096, 0);
	REQUIRE(r);
	for (g = 1; g <= 64 && !err; g++)
		err = sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_GENERIC, g,
				"", "") < 0 ? g : 0;
	REQUIRE(!err, "subscription %d of 64 refused", err);
	err = sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_ROUTE, RTNLGRP_LINK,
			"", "");
	CHECK(err == -ENOSPC, "the 65th: %d", err);
	REQUIRE(mnl_ring_unsubscribe(r, NETLINK_GENERIC, 64) == 0);
	err = sub_ioctl(r, NLMMAP_IOC_SUBSCRIBE, NETLINK_ROUTE, RTNLGRP_LINK,
			"", "");
	CHECK(err == RTNLGRP_LINK, "room again after one ended: %d", err);
	ring_teardown(r, nl);
}

TAP_MAIN(T(genl_group_by_name_matches_a_socket_listener),
	 T(genl_group_refused_as_the_source_refuses),
	 T(subscriptions_are_listed_with_counters),
	 T(subscriptions_per_ring_are_bounded))
