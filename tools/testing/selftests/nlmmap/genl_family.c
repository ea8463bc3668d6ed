// SPDX-License-Identifier: GPL-2.0
/*
 * The "nlmmap" generic netlink family: resolution through nlctrl with
 * libmnl and with libnl-3, and the GET command.
 */
#include <fcntl.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "tap.h"
#include "util.h"

static uint16_t mnl_id;

static void resolve_with_libmnl(void)
{
	struct mnl_socket *nl = genl_open(&mnl_id);

	REQUIRE(nl);
	CHECK(mnl_id >= GENL_MIN_ID, "id %u", mnl_id);
	mnl_socket_close(nl);
}

static void resolve_with_libnl(void)
{
	struct mnl_socket *nl = genl_open(&mnl_id);
	struct nl_sock *sk = nl_socket_alloc();
	int id;

	REQUIRE(sk && nl);
	mnl_socket_close(nl);
	CHECK(genl_connect(sk) == 0);
	id = genl_ctrl_resolve(sk, NLMMAP_GENL_NAME);
	CHECK(id >= GENL_MIN_ID, "id %d", id);
	CHECK(id == mnl_id, "libnl %d, libmnl %u", id, mnl_id);
	CHECK(genl_ctrl_resolve(sk, "nlmmap-no-such") < 0);
	nl_socket_free(sk);
}

struct get_reply {
	uint32_t version;
	int nstats;
	int msgs;
};

static int get_stat(const struct nlattr *attr, void *data)
{
	struct get_reply *r = data;

	if (mnl_attr_validate(attr, MNL_TYPE_U64) >= 0 &&
	    mnl_attr_get_type(attr) >= NLMMAP_S_RINGS &&
	    mnl_attr_get_type(attr) <= NLMMAP_S_MAX)
		r->nstats++;
	return MNL_CB_OK;
}

static int get_attr(const struct nlattr *attr, void *data)
{
	struct get_reply *r = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMMAP_A_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			r->version = mnl_attr_get_u32(attr);
		break;
	case NLMMAP_A_STATS:
		mnl_attr_parse_nested(attr, get_stat, data);
		break;
	}
	return MNL_CB_OK;
}

static int get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct get_reply *r = data;

	if (g->cmd == NLMMAP_CMD_GET)
		r->msgs++;
	return mnl_attr_parse(nlh, sizeof(*g), get_attr, data);
}

static void get_reports_version_and_stats(void)
{
	struct get_reply r = {};
	struct mnl_socket *nl;
	uint16_t id;

	nl = genl_open(&id);
	REQUIRE(nl);
	CHECK(genl_call(nl, id, NLMMAP_CMD_GET, get_cb, &r) == 0);
	CHECK(r.msgs == 1, "%d replies", r.msgs);
	CHECK(r.version == (uint32_t)(NLMMAP_GENL_VERSION + tap_broken()),
	      "version %u", r.version);
	CHECK(r.nstats == NLMMAP_S_MAX, "%d counters", r.nstats);
	mnl_socket_close(nl);
}

static void get_counts_open_ring_files(void)
{
	struct mnl_socket *nl;
	int64_t before, during, after;
	uint16_t id;
	int fd[3], i;

	nl = genl_open(&id);
	REQUIRE(nl);
	before = nlmmap_stat(nl, id, NLMMAP_S_RINGS);
	for (i = 0; i < 3; i++)
		fd[i] = open(NLMMAP_DEVICE, O_RDWR);
	during = nlmmap_stat(nl, id, NLMMAP_S_RINGS);
	for (i = 0; i < 3; i++)
		close(fd[i]);
	after = nlmmap_stat(nl, id, NLMMAP_S_RINGS);
	CHECK(fd[0] >= 0 && fd[1] >= 0 && fd[2] >= 0);
	CHECK(before >= 0);
	CHECK(during == before + 3, "%lld -> %lld", (long long)before,
	      (long long)during);
	CHECK(after == before, "%lld -> %lld", (long long)before,
	      (long long)after);
	mnl_socket_close(nl);
}

static void unknown_command_is_refused(void)
{
	struct mnl_socket *nl;
	uint16_t id;

	nl = genl_open(&id);
	REQUIRE(nl);
	errno = 0;
	CHECK(genl_call(nl, id, NLMMAP_CMD_MAX + 10, NULL, NULL) < 0);
	CHECK(errno == EOPNOTSUPP, "errno %d", errno);
	mnl_socket_close(nl);
}

TAP_MAIN(T(resolve_with_libmnl), T(resolve_with_libnl),
	 T(get_reports_version_and_stats), T(get_counts_open_ring_files),
	 T(unknown_command_is_refused))
